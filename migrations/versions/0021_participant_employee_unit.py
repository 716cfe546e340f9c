"""training participants: an employee's participations with their unit at the invitation, from one index

* ``ix_training_participant_employee_unit (employee_id, unit_id)``: the count of a Pimpinan's participant list
  (screen and REST) adds the counts of the scope's disjoint parts (``training.scope.participant_count_parts``);
  the subordinates' part ("employee among the subordinates, unit outside the subtree") is then read from this
  index alone, 1,083 probes without a heap page (bench data on PostgreSQL, with the scope's ids bound: the count
  statement ~7.7 → ~3.5 ms; the OR of the parts rechecked ~1,900 heap pages).

Revision ID: 0021_participant_employee_unit
Revises: 0020_employee_unit_status
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_participant_employee_unit'
down_revision = '0020_employee_unit_status'
branch_labels = None
depends_on = None


def _analyze(table):
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        op.execute(f'ANALYZE {table}')
    elif bind.dialect.name == 'postgresql':
        op.execute(f'ANALYZE {table}')


def upgrade():
    op.create_index('ix_training_participant_employee_unit', 'training_participant', ['employee_id', 'unit_id'],
                    unique=False)
    _analyze('training_participant')


def downgrade():
    op.drop_index('ix_training_participant_employee_unit', table_name='training_participant')
