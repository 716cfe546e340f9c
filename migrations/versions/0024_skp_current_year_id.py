"""performance cycle: the plans in force of a year in id order, with their unit

Measured with bench/bench_pages.py --years 5 (75,000 plans, 15,000 of them in force this year; 34,000 RHKs that
support nothing, of every year):

* ``ix_skp_current_year_id`` — skp(year, id, unit_id) WHERE is_current: the cascade tree of the whole city counts
  the RHKs that support nothing per unit (``admin_views._subunit_counts_statement``). PostgreSQL joined the
  34,000 entries of ``ix_rhk_unsupported`` (in plan id order) to a hash of the 15,000 plans in force (6.5 ms);
  with the plans in force read in id order from this index it merges the two ordered lists instead (4-4.5 ms),
  from the indexes alone.

The condition is written as the queries write it (see 0013). On SQLite with planner statistics the table is
analysed again.

Revision ID: 0024_skp_current_year_id
Revises: 0023_row_count
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_skp_current_year_id'
down_revision = '0023_row_count'
branch_labels = None
depends_on = None

PG_CURRENT = "is_current IS TRUE"
SQLITE_CURRENT = "is_current IS 1"


def upgrade():
    with op.batch_alter_table('skp', schema=None) as batch_op:
        batch_op.create_index('ix_skp_current_year_id', ['year', 'id', 'unit_id'], unique=False,
                              sqlite_where=sa.text(SQLITE_CURRENT), postgresql_where=sa.text(PG_CURRENT))
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        op.execute('ANALYZE skp')
    elif bind.dialect.name == 'postgresql':
        op.execute('ANALYZE skp')


def downgrade():
    with op.batch_alter_table('skp', schema=None) as batch_op:
        batch_op.drop_index('ix_skp_current_year_id', sqlite_where=sa.text(SQLITE_CURRENT),
                            postgresql_where=sa.text(PG_CURRENT))
