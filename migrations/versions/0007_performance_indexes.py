"""performance cycle at Palembang scale: two partial indexes for the screens of the cycle

Measured with bench/bench_pages.py --years 5 (75,000 plans, 450,000 RHKs, 290,000 evaluations):

* ``ix_rhk_unsupported`` — rhk(skp_id) WHERE parent_rhk_id IS NULL: the RHKs that support no RHK of the
  supervisor (about 7 % of them). The cascade tree counts them per sub-unit for a whole OPD or the city
  without reading every RHK.
* ``ix_evaluation_open_skp`` — evaluation(skp_id, status, id) WHERE status <> 'FINAL': the evaluations still
  open (about 7 % after five years). "Evaluations to rate" of a rater with hundreds of plans counts them and
  chooses its page of 25 from this index alone, instead of reading every evaluation of five years of plans.

On SQLite with planner statistics (sqlite_stat1), the two tables are analysed again so that the planner
knows the new indexes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

UNSUPPORTED = "parent_rhk_id IS NULL"
OPEN = "status <> 'FINAL'"


def upgrade():
    with op.batch_alter_table('rhk', schema=None) as batch_op:
        batch_op.create_index('ix_rhk_unsupported', ['skp_id'], unique=False, sqlite_where=sa.text(UNSUPPORTED),
                              postgresql_where=sa.text(UNSUPPORTED))
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_open_skp', ['skp_id', 'status', 'id'], unique=False,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # the database has planner statistics (ANALYZE ran, e.g. after loading data): without those of the new
        # indexes SQLite keeps choosing the indexes it has figures for. PostgreSQL needs none for them.
        op.execute('ANALYZE rhk')
        op.execute('ANALYZE evaluation')


def downgrade():
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_open_skp', sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table('rhk', schema=None) as batch_op:
        batch_op.drop_index('ix_rhk_unsupported', sqlite_where=sa.text(UNSUPPORTED),
                            postgresql_where=sa.text(UNSUPPORTED))
