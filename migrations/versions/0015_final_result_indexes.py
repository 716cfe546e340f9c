"""final results: two covering partial indexes for the award candidates, the training needs and the effect of training

Measured with bench/bench_training.py on the bench data (75,000 plans, 290,000 evaluations; PostgreSQL):

* ``ix_evaluation_final_period`` — evaluation(period_id, skp_id, predikat, finalised_at) WHERE status = 'FINAL':
  the final results of a period with what the award rules read (the predikat, and the finalisation time that
  decides between two final evaluations of a year). The award candidates of the city read the 30,000 final
  annual evaluations of two years from this index alone instead of 30,000 scattered evaluation rows.
* ``ix_evaluation_final_skp`` — evaluation(skp_id, period_id, predikat, id) WHERE status = 'FINAL': the final
  results of given plans. The training needs (the latest result of each plan of a unit) and the effect of
  training (every result of the participants) read them from the index alone.

On SQLite with planner statistics (sqlite_stat1) the table is analysed again; on PostgreSQL too.

Revision ID: 0015_final_result_indexes
Revises: 0014_dashboard_indexes
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_final_result_indexes'
down_revision = '0014_dashboard_indexes'
branch_labels = None
depends_on = None

FINAL = "status = 'FINAL'"


def upgrade():
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_final_period', ['period_id', 'skp_id', 'predikat', 'finalised_at'],
                              unique=False, sqlite_where=sa.text(FINAL), postgresql_where=sa.text(FINAL))
        batch_op.create_index('ix_evaluation_final_skp', ['skp_id', 'period_id', 'predikat', 'id'],
                              unique=False, sqlite_where=sa.text(FINAL), postgresql_where=sa.text(FINAL))
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' or bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        op.execute('ANALYZE evaluation')


def downgrade():
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_final_skp', sqlite_where=sa.text(FINAL), postgresql_where=sa.text(FINAL))
        batch_op.drop_index('ix_evaluation_final_period', sqlite_where=sa.text(FINAL),
                            postgresql_where=sa.text(FINAL))
