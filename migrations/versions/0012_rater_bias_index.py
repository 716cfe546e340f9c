"""rater-bias analytics at Palembang scale: one covering partial index of the final evaluations

``ix_evaluation_final_ratings`` — evaluation(period_id, skp_id, hasil_rating, perilaku_rating, predikat,
self_hasil_rating, self_perilaku_rating) WHERE status = 'FINAL'. The rater-bias page aggregates every final
evaluation of a year per rater (60,000 rows a year at Palembang scale, app/analytics/services.py): from this
index alone (an index-only range scan of the year's periods) instead of a scan of the whole evaluation table
(five years, wide rows with the identity snapshots and texts: 140 MB on the bench database).

On SQLite with planner statistics (sqlite_stat1) the table is analysed again so that the planner knows it.

Revision ID: 0012_rater_bias_index
Revises: 0011_training_reopen_checkin
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_rater_bias_index'
down_revision = '0011_training_reopen_checkin'
branch_labels = None
depends_on = None

FINAL = "status = 'FINAL'"
COLUMNS = ['period_id', 'skp_id', 'hasil_rating', 'perilaku_rating', 'predikat', 'self_hasil_rating',
           'self_perilaku_rating']


def upgrade():
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_final_ratings', COLUMNS, unique=False,
                              sqlite_where=sa.text(FINAL), postgresql_where=sa.text(FINAL))
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        op.execute('ANALYZE evaluation')


def downgrade():
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_final_ratings', sqlite_where=sa.text(FINAL),
                            postgresql_where=sa.text(FINAL))
