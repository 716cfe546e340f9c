"""training and socialization: topics, sessions with trainers and target units, participants (invitation,
waiting list, attendance, scores, certificate), participant feedback, external trainings with their
certificate, the yearly JP target per ASN type (seeded: PNS 20, CPNS 20, PPPK 24 — domain.md, "verify":
editable by the Pengelola Kinerja) and the training-need rules.

Server defaults are dialect-neutral (sa.true(), sa.func.now()); every constraint is named.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jp_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asn_type', sa.String(length=4), nullable=False),
    sa.Column('target_jp', sa.Integer(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.CheckConstraint("asn_type IN ('CPNS', 'PNS', 'PPPK')", name='ck_jp_target_asn_type'),
    sa.CheckConstraint('notes IS NULL OR length(notes) <= 500', name='ck_jp_target_notes'),
    sa.CheckConstraint('target_jp > 0 AND target_jp <= 1000', name='ck_jp_target_target_jp'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('asn_type', name='uq_jp_target_asn_type')
    )
    op.create_table('training_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('competency', sa.String(length=20), server_default='TEKNIS', nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('core_value_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.CheckConstraint('length(code) >= 1 AND length(code) <= 30', name='ck_training_topic_code'),
    sa.CheckConstraint("competency IN ('TEKNIS', 'MANAJERIAL', 'SOSIOKULTURAL')", name='ck_training_topic_competency'),
    sa.CheckConstraint('description IS NULL OR length(description) <= 2000', name='ck_training_topic_description'),
    sa.CheckConstraint('length(name) >= 1 AND length(name) <= 200', name='ck_training_topic_name'),
    sa.ForeignKeyConstraint(['core_value_id'], ['core_value.id'], name='fk_training_topic_core_value', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code', name='uq_training_topic_code')
    )
    with op.batch_alter_table('training_topic', schema=None) as batch_op:
        batch_op.create_index('ix_training_topic_core_value_id', ['core_value_id'], unique=False)

    op.create_table('training_need_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('predikat', sa.String(length=20), nullable=True),
    sa.Column('core_value_id', sa.Integer(), nullable=True),
    sa.Column('min_missed', sa.Integer(), server_default='1', nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.CheckConstraint("outcome <> 'PERILAKU' OR core_value_id IS NOT NULL", name='ck_training_need_rule_core_value'),
    sa.CheckConstraint('min_missed >= 1 AND min_missed <= 100', name='ck_training_need_rule_min_missed'),
    sa.CheckConstraint('notes IS NULL OR length(notes) <= 500', name='ck_training_need_rule_notes'),
    sa.CheckConstraint("outcome IN ('PREDIKAT', 'PERILAKU', 'INDIKATOR')", name='ck_training_need_rule_outcome'),
    sa.CheckConstraint("outcome <> 'PREDIKAT' OR predikat IS NOT NULL", name='ck_training_need_rule_predikat'),
    sa.CheckConstraint("predikat IS NULL OR predikat IN ('SANGAT_BAIK', 'BAIK', 'BUTUH_PERBAIKAN', 'KURANG', 'SANGAT_KURANG')", name='ck_training_need_rule_predikat_code'),
    sa.ForeignKeyConstraint(['core_value_id'], ['core_value.id'], name='fk_training_need_rule_core_value', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['topic_id'], ['training_topic.id'], name='fk_training_need_rule_topic', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('training_need_rule', schema=None) as batch_op:
        batch_op.create_index('ix_training_need_rule_core_value_id', ['core_value_id'], unique=False)
        batch_op.create_index('ix_training_need_rule_topic_id', ['topic_id'], unique=False)

    op.create_table('training_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), server_default='PELATIHAN', nullable=False),
    sa.Column('method', sa.String(length=12), server_default='KLASIKAL', nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('jp', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='DIBUKA', nullable=False),
    sa.Column('checkin_code', sa.String(length=6), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('capacity > 0 AND capacity <= 10000', name='ck_training_session_capacity'),
    sa.CheckConstraint("(status = 'DITUTUP' AND closed_at IS NOT NULL) OR (status = 'DIBUKA' AND closed_at IS NULL)", name='ck_training_session_closed'),
    sa.CheckConstraint('ends_at > starts_at', name='ck_training_session_dates'),
    sa.CheckConstraint('description IS NULL OR length(description) <= 2000', name='ck_training_session_description'),
    sa.CheckConstraint('jp > 0 AND jp <= 1000', name='ck_training_session_jp'),
    sa.CheckConstraint("kind IN ('PELATIHAN', 'SOSIALISASI')", name='ck_training_session_kind'),
    sa.CheckConstraint("method IN ('KLASIKAL', 'E_LEARNING', 'COACHING', 'MENTORING', 'SEMINAR', 'WORKSHOP')", name='ck_training_session_method'),
    sa.CheckConstraint('online_url IS NULL OR length(online_url) <= 500', name='ck_training_session_online_url'),
    sa.CheckConstraint('length(organiser) >= 1 AND length(organiser) <= 200', name='ck_training_session_organiser'),
    sa.CheckConstraint('place IS NULL OR length(place) <= 300', name='ck_training_session_place'),
    sa.CheckConstraint("status IN ('DIBUKA', 'DITUTUP')", name='ck_training_session_status'),
    sa.CheckConstraint('length(title) >= 1 AND length(title) <= 200', name='ck_training_session_title'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], name='fk_training_session_created_by', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['training_topic.id'], name='fk_training_session_topic', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.create_index('ix_training_session_created_by_id', ['created_by_id'], unique=False)
        batch_op.create_index('ix_training_session_ends_at_status', ['ends_at', 'status'], unique=False)
        batch_op.create_index('ix_training_session_starts_at', ['starts_at'], unique=False)
        batch_op.create_index('ix_training_session_topic_id', ['topic_id'], unique=False)

    op.create_table('external_training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=12), server_default='KLASIKAL', nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('jp', sa.Integer(), nullable=False),
    sa.Column('certificate_number', sa.String(length=100), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='DIAJUKAN', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('created_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('length(certificate_number) >= 1 AND length(certificate_number) <= 100', name='ck_external_training_certificate_number'),
    sa.CheckConstraint('ended_on >= started_on', name='ck_external_training_dates'),
    sa.CheckConstraint('jp > 0 AND jp <= 1000', name='ck_external_training_jp'),
    sa.CheckConstraint("method IN ('KLASIKAL', 'E_LEARNING', 'COACHING', 'MENTORING', 'SEMINAR', 'WORKSHOP')", name='ck_external_training_method'),
    sa.CheckConstraint('notes IS NULL OR length(notes) <= 2000', name='ck_external_training_notes'),
    sa.CheckConstraint('length(organiser) >= 1 AND length(organiser) <= 200', name='ck_external_training_organiser'),
    sa.CheckConstraint('size_bytes IS NULL OR size_bytes >= 0', name='ck_external_training_size'),
    sa.CheckConstraint("status IN ('DIAJUKAN', 'DISETUJUI', 'DITOLAK')", name='ck_external_training_status'),
    sa.CheckConstraint('length(title) >= 1 AND length(title) <= 200', name='ck_external_training_title'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name='fk_external_training_employee', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['ab_user.id'], name='fk_external_training_recorded_by', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['training_topic.id'], name='fk_external_training_topic', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['ab_user.id'], name='fk_external_training_verified_by', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stored_name', name='uq_external_training_stored_name')
    )
    with op.batch_alter_table('external_training', schema=None) as batch_op:
        batch_op.create_index('ix_external_training_employee_ended_on', ['employee_id', 'ended_on'], unique=False)
        batch_op.create_index('ix_external_training_ended_on_status', ['ended_on', 'status'], unique=False)
        batch_op.create_index('ix_external_training_recorded_by_id', ['recorded_by_id'], unique=False)
        batch_op.create_index('ix_external_training_topic_id', ['topic_id'], unique=False)
        batch_op.create_index('ix_external_training_verified_by_id', ['verified_by_id'], unique=False)

    op.create_table('training_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=14), server_default='DIUNDANG', nullable=False),
    sa.Column('source', sa.String(length=10), server_default='DAFTAR', nullable=False),
    sa.Column('invited_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('attendance', sa.String(length=12), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checkin_method', sa.String(length=8), nullable=True),
    sa.Column('pre_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('post_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('certificate_number', sa.String(length=100), nullable=True),
    sa.Column('changed_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("attendance IS NULL OR attendance IN ('HADIR', 'IZIN', 'TIDAK_HADIR')", name='ck_training_participant_attendance'),
    sa.CheckConstraint("attendance IS NULL OR status = 'DIUNDANG'", name='ck_training_participant_attendance_invited'),
    sa.CheckConstraint('certificate_number IS NULL OR length(certificate_number) <= 100', name='ck_training_participant_certificate_number'),
    sa.CheckConstraint("checkin_method IS NULL OR checkin_method IN ('KODE', 'PELATIH')", name='ck_training_participant_checkin_method'),
    sa.CheckConstraint('post_score IS NULL OR (post_score >= 0 AND post_score <= 100)', name='ck_training_participant_post_score'),
    sa.CheckConstraint('pre_score IS NULL OR (pre_score >= 0 AND pre_score <= 100)', name='ck_training_participant_pre_score'),
    sa.CheckConstraint("source IN ('DAFTAR', 'UNIT', 'JABATAN', 'KEBUTUHAN')", name='ck_training_participant_source'),
    sa.CheckConstraint("status IN ('DIUNDANG', 'DAFTAR_TUNGGU', 'DIBATALKAN')", name='ck_training_participant_status'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name='fk_training_participant_employee', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name='fk_training_participant_session', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name='fk_training_participant_unit', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'employee_id', name='uq_training_participant_session_employee')
    )
    with op.batch_alter_table('training_participant', schema=None) as batch_op:
        batch_op.create_index('ix_training_participant_attendance', ['session_id', 'attendance', 'employee_id'], unique=False)
        batch_op.create_index('ix_training_participant_employee_id', ['employee_id'], unique=False)
        batch_op.create_index('ix_training_participant_session_status', ['session_id', 'status', 'invited_at'], unique=False)
        batch_op.create_index('ix_training_participant_unit_id', ['unit_id'], unique=False)

    op.create_table('training_session_trainer',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name='fk_training_session_trainer_session', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name='fk_training_session_trainer_user', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id')
    )
    with op.batch_alter_table('training_session_trainer', schema=None) as batch_op:
        batch_op.create_index('ix_training_session_trainer_user_id', ['user_id'], unique=False)

    op.create_table('training_session_unit',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name='fk_training_session_unit_session', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name='fk_training_session_unit_unit', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'unit_id')
    )
    with op.batch_alter_table('training_session_unit', schema=None) as batch_op:
        batch_op.create_index('ix_training_session_unit_unit_id', ['unit_id'], unique=False)

    op.create_table('training_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('comment IS NULL OR length(comment) <= 2000', name='ck_training_feedback_comment'),
    sa.CheckConstraint('rating >= 1 AND rating <= 5', name='ck_training_feedback_rating'),
    sa.ForeignKeyConstraint(['participant_id'], ['training_participant.id'], name='fk_training_feedback_participant', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name='fk_training_feedback_session', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('participant_id', name='uq_training_feedback_participant')
    )
    with op.batch_alter_table('training_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_training_feedback_session_id', ['session_id'], unique=False)

    jp_target = sa.table("jp_target", sa.column("asn_type", sa.String), sa.column("target_jp", sa.Integer),
                         sa.column("notes", sa.String))
    op.bulk_insert(jp_target, [
        {"asn_type": "PNS", "target_jp": 20, "notes": "Paling sedikit 20 JP per tahun"},
        {"asn_type": "CPNS", "target_jp": 20, "notes": "Seperti PNS"},
        {"asn_type": "PPPK", "target_jp": 24, "notes": "Paling banyak 24 JP per tahun (perlu diverifikasi)"},
    ])


def downgrade():
    with op.batch_alter_table('training_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_training_feedback_session_id')

    op.drop_table('training_feedback')
    with op.batch_alter_table('training_session_unit', schema=None) as batch_op:
        batch_op.drop_index('ix_training_session_unit_unit_id')

    op.drop_table('training_session_unit')
    with op.batch_alter_table('training_session_trainer', schema=None) as batch_op:
        batch_op.drop_index('ix_training_session_trainer_user_id')

    op.drop_table('training_session_trainer')
    with op.batch_alter_table('training_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_training_participant_unit_id')
        batch_op.drop_index('ix_training_participant_session_status')
        batch_op.drop_index('ix_training_participant_employee_id')
        batch_op.drop_index('ix_training_participant_attendance')

    op.drop_table('training_participant')
    with op.batch_alter_table('external_training', schema=None) as batch_op:
        batch_op.drop_index('ix_external_training_verified_by_id')
        batch_op.drop_index('ix_external_training_topic_id')
        batch_op.drop_index('ix_external_training_recorded_by_id')
        batch_op.drop_index('ix_external_training_ended_on_status')
        batch_op.drop_index('ix_external_training_employee_ended_on')

    op.drop_table('external_training')
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_index('ix_training_session_topic_id')
        batch_op.drop_index('ix_training_session_starts_at')
        batch_op.drop_index('ix_training_session_ends_at_status')
        batch_op.drop_index('ix_training_session_created_by_id')

    op.drop_table('training_session')
    with op.batch_alter_table('training_need_rule', schema=None) as batch_op:
        batch_op.drop_index('ix_training_need_rule_topic_id')
        batch_op.drop_index('ix_training_need_rule_core_value_id')

    op.drop_table('training_need_rule')
    with op.batch_alter_table('training_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_training_topic_core_value_id')

    op.drop_table('training_topic')
    op.drop_table('jp_target')
