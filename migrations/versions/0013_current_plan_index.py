"""performance cycle: a partial index on the plans in force, by year and unit

Measured with bench/bench_pages.py --years 5 (75,000 plans, 15,000 of them in force this year):

* ``ix_skp_current_year_unit`` — skp(year, unit_id, employee_id, id) WHERE is_current: the plans in force of a
  year per unit. The cascade tree's table of sub-units counts them (and their RHKs that support nothing) for a
  whole OPD or the whole city, and a level finds the people with a plan in a unit and its sub-units, from
  this index alone instead of reading every plan of five years from the table.

The condition is written as the queries write it (``is_current IS true`` on PostgreSQL, ``is_current IS 1`` on
SQLite): a partial index is used only when the query's condition implies the index's, and neither database
proves ``is_current`` from ``is_current IS true`` (the older ``uq_skp_current`` keeps its own condition).
On SQLite with planner statistics (sqlite_stat1) the table is analysed again so that the planner knows the
new index.

Revision ID: 0013_current_plan_index
Revises: 0012_rater_bias_index
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_current_plan_index'
down_revision = '0012_rater_bias_index'
branch_labels = None
depends_on = None

PG_CURRENT = "is_current IS TRUE"
SQLITE_CURRENT = "is_current IS 1"


def upgrade():
    with op.batch_alter_table('skp', schema=None) as batch_op:
        batch_op.create_index('ix_skp_current_year_unit', ['year', 'unit_id', 'employee_id', 'id'], unique=False,
                              sqlite_where=sa.text(SQLITE_CURRENT), postgresql_where=sa.text(PG_CURRENT))
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        op.execute('ANALYZE skp')
    elif bind.dialect.name == 'postgresql':
        op.execute('ANALYZE skp')


def downgrade():
    with op.batch_alter_table('skp', schema=None) as batch_op:
        batch_op.drop_index('ix_skp_current_year_unit', sqlite_where=sa.text(SQLITE_CURRENT),
                            postgresql_where=sa.text(PG_CURRENT))
