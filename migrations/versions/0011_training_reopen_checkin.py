"""training: the session's history (closing and reopening the attendance), the check-in lock, the participant
list's index

* ``training_session_event`` — riwayat sesi: the attendance closed (trainer or organisers) or reopened (the
  Pengelola Kinerja, with a required reason), who and when; shown on the roster.
* ``training_participant.checkin_failures`` / ``checkin_locked_until`` — wrong self check-in codes in a row;
  after 5 the employee's check-in for that session is locked for 10 minutes. In the database so that the lock
  holds across gunicorn workers. (Added columns only: SQLite adds them without copying the table.)
* ``ix_training_participant_invited_at`` — the participant list (150,000 rows at Palembang scale) is ordered by
  the invitation, newest first: read from the index instead of sorting every row (SQLite: 210 ms → <1 ms). With
  ``id`` in it, SQLite's estimate keeps counting the rows through the narrow unit index (27 ms → 2 ms).

Revision ID: 0011_training_reopen_checkin
Revises: 0010_survey
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_training_reopen_checkin'
down_revision = '0010_survey'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'training_session_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('DITUTUP', 'DIBUKA_KEMBALI')", name='ck_training_session_event_kind'),
        sa.CheckConstraint('reason IS NULL OR length(reason) <= 1000', name='ck_training_session_event_reason'),
        sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name='fk_training_session_event_session',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name='fk_training_session_event_user',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('training_session_event', schema=None) as batch_op:
        batch_op.create_index('ix_training_session_event_session_id', ['session_id', 'created_on'], unique=False)
        batch_op.create_index('ix_training_session_event_user_id', ['user_id'], unique=False)

    with op.batch_alter_table('training_participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('checkin_locked_until', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_training_participant_invited_at', ['invited_at', 'id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # planner statistics exist (ANALYZE ran after loading data): give SQLite those of the new index, or it
        # counts the 150,000 rows through it instead of the narrowest one (as 0007 does)
        op.execute('ANALYZE training_participant')


def downgrade():
    with op.batch_alter_table('training_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_training_participant_invited_at')
        batch_op.drop_column('checkin_locked_until')
        batch_op.drop_column('checkin_failures')
    with op.batch_alter_table('training_session_event', schema=None) as batch_op:
        batch_op.drop_index('ix_training_session_event_user_id')
        batch_op.drop_index('ix_training_session_event_session_id')
    op.drop_table('training_session_event')
