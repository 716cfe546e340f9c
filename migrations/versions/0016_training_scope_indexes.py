"""training: the indexes of the row scope and of the feedback summaries

* ``ix_training_participant_employee_attendance (employee_id, attendance, session_id)`` and
  ``ix_training_participant_unit_session (unit_id, session_id)`` replace the one-column indexes on
  ``employee_id`` and ``unit_id`` (same leading column: every lookup they served is still served). The sessions a
  Pimpinan or an Atasan sees are those of the participants in their scope (own, subordinates, unit subtree:
  ~12,000 of 150,000 rows for the largest OPD); with the session in the index those ids come from the index
  alone, without fetching the rows (SQLite: the session list's scope ~20 → ~6 ms). The JP ledger of an OPD
  reads each employee's attended sessions from the first one alone.
* ``ix_training_feedback_session_rating (session_id, rating)`` replaces ``ix_training_feedback_session_id``: the
  feedback summaries (per session, per trainer) count and average the ratings from the index.

Revision ID: 0016_training_scope_indexes
Revises: 0015_final_result_indexes
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_training_scope_indexes'
down_revision = '0015_final_result_indexes'
branch_labels = None
depends_on = None


def _analyze(tables):
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # planner statistics exist (ANALYZE ran after loading data): give SQLite those of the new indexes
        for table in tables:
            op.execute(f'ANALYZE {table}')


def upgrade():
    op.create_index('ix_training_participant_employee_attendance', 'training_participant',
                    ['employee_id', 'attendance', 'session_id'], unique=False)
    op.create_index('ix_training_participant_unit_session', 'training_participant',
                    ['unit_id', 'session_id'], unique=False)
    op.drop_index('ix_training_participant_employee_id', table_name='training_participant')
    op.drop_index('ix_training_participant_unit_id', table_name='training_participant')
    op.create_index('ix_training_feedback_session_rating', 'training_feedback', ['session_id', 'rating'],
                    unique=False)
    op.drop_index('ix_training_feedback_session_id', table_name='training_feedback')
    _analyze(['training_participant', 'training_feedback'])


def downgrade():
    op.create_index('ix_training_feedback_session_id', 'training_feedback', ['session_id'], unique=False)
    op.drop_index('ix_training_feedback_session_rating', table_name='training_feedback')
    op.create_index('ix_training_participant_unit_id', 'training_participant', ['unit_id'], unique=False)
    op.create_index('ix_training_participant_employee_id', 'training_participant', ['employee_id'], unique=False)
    op.drop_index('ix_training_participant_unit_session', table_name='training_participant')
    op.drop_index('ix_training_participant_employee_attendance', table_name='training_participant')
