"""dashboards and rater bias: a covering index of the plans by year, the acknowledgements by employee and time

* ``ix_skp_year_id (year, id, unit_id, rater_id, employee_id)``: the plans of one year with their unit, rater
  and ratee, from the index alone (15,000 entries a year instead of the 75,000 rows of five years). The
  dashboards' evaluation counts per unit (compliance, predikat) and the rater-bias aggregate join the
  evaluations of a period or year to it (PostgreSQL: the compliance statement of a year ~41 → ~9 ms; the
  rater-bias aggregate no longer scans the whole plan table).
* ``ix_material_acknowledgement_employee_at (employee_id, acknowledged_at)`` replaces the one-column index on
  ``employee_id`` (same leading column: every lookup it served is still served). The dashboards' socialization
  reach asks, per active employee, whether one acknowledgement of the year EXISTS, from this index alone,
  instead of collecting the distinct readers among all ~99,000 acknowledgements of the year.

Revision ID: 0018_dashboard_exists_indexes
Revises: 0017_award_candidate_snapshot
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_dashboard_exists_indexes'
down_revision = '0017_award_candidate_snapshot'
branch_labels = None
depends_on = None


def _analyze(tables):
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # planner statistics exist (ANALYZE ran after loading data): give SQLite those of the new indexes
        for table in tables:
            op.execute(f'ANALYZE {table}')
    elif bind.dialect.name == 'postgresql':
        for table in tables:
            op.execute(f'ANALYZE {table}')


def upgrade():
    op.create_index('ix_skp_year_id', 'skp', ['year', 'id', 'unit_id', 'rater_id', 'employee_id'], unique=False)
    op.create_index('ix_material_acknowledgement_employee_at', 'material_acknowledgement',
                    ['employee_id', 'acknowledged_at'], unique=False)
    op.drop_index('ix_material_acknowledgement_employee_id', table_name='material_acknowledgement')
    _analyze(['skp', 'material_acknowledgement'])


def downgrade():
    op.create_index('ix_material_acknowledgement_employee_id', 'material_acknowledgement', ['employee_id'],
                    unique=False)
    op.drop_index('ix_material_acknowledgement_employee_at', table_name='material_acknowledgement')
    op.drop_index('ix_skp_year_id', table_name='skp')
