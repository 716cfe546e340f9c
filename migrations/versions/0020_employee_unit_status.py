"""socialization reach: the employees of a unit with their status from one index

* ``ix_employee_unit_status (unit_id, status)`` replaces the one-column index on ``employee.unit_id`` (same leading
  column: every look-up it served is still served). The reach of a material counts, per unit, the active employees
  and those who acknowledged its current version; the unread list counts those who did not. On SQLite both read
  the employees of the units from this index alone instead of fetching each of the 15,000 employee rows for its
  status (bench data, whole city: the unread count ~13 → ~6 ms, the reach counts ~14 → ~11 ms).

Revision ID: 0020_employee_unit_status
Revises: 0019_training_snapshots
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_employee_unit_status'
down_revision = '0019_training_snapshots'
branch_labels = None
depends_on = None


def _analyze(table):
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # planner statistics exist (ANALYZE ran after loading data): give SQLite those of the new index
        op.execute(f'ANALYZE {table}')
    elif bind.dialect.name == 'postgresql':
        op.execute(f'ANALYZE {table}')


def upgrade():
    op.create_index('ix_employee_unit_status', 'employee', ['unit_id', 'status'], unique=False)
    op.drop_index('ix_employee_unit_id', table_name='employee')
    _analyze('employee')


def downgrade():
    op.create_index('ix_employee_unit_id', 'employee', ['unit_id'], unique=False)
    op.drop_index('ix_employee_unit_status', table_name='employee')
