"""training participants: who of a topic's sessions is invited or trained, from one index

* ``ix_training_participant_session_status_employee (session_id, status, employee_id)``: the training-needs
  screen marks the recommended employees already invited to or trained on the topic (``training.derived._trained``:
  the participants of the topic's sessions, not cancelled); the participants are then read from this index alone
  (bench data on PostgreSQL, the largest OPD's first topic: 61 sessions, 2,457 participants; 834 → 197 pages, the
  statement ~2.9 → ~1.1 ms).

Revision ID: 0025_participant_topic_trained
Revises: 0024_skp_current_year_id
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_participant_topic_trained'
down_revision = '0024_skp_current_year_id'
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
    op.create_index('ix_training_participant_session_status_employee', 'training_participant',
                    ['session_id', 'status', 'employee_id'], unique=False)
    _analyze('training_participant')


def downgrade():
    op.drop_index('ix_training_participant_session_status_employee', table_name='training_participant')
