"""socialization material (material, versions, files, audience, acknowledgements) and award decisions

Materi sosialisasi: a material with its category, audience (everyone / units with their sub-units / roles)
and publication dates; each published version kept (title, sanitised HTML body, change note); files attached
to versions; one acknowledgement per employee and version. Keputusan penghargaan: one decision per employee,
year and award kind (talent pool, competence development, Satyalancana Karya Satya 10/20/30), with the decree.

Server defaults are dialect-neutral (sa.func.now()); every constraint is named. Downgrade drops children
before parents.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:41:13.541692

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('audience', sa.String(length=10), server_default='ALL', nullable=False),
    sa.Column('published_from', sa.Date(), nullable=False),
    sa.Column('published_until', sa.Date(), nullable=True),
    sa.Column('current_number', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("audience IN ('ALL', 'UNITS', 'ROLES')", name='ck_material_audience'),
    sa.CheckConstraint("category IN ('RHK_GUIDE', 'RATING_MATRIX', 'DISTRIBUTION', 'OBJECTION', 'FAQ', 'OTHER')", name='ck_material_category'),
    sa.CheckConstraint('current_number >= 1', name='ck_material_current_number'),
    sa.CheckConstraint('published_until IS NULL OR published_until >= published_from', name='ck_material_published_dates'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], name='fk_material_created_by', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code', name='uq_material_code')
    )
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.create_index('ix_material_published', ['published_from', 'published_until'], unique=False)

    op.create_table('material_audience_role',
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.CheckConstraint("role IN ('Pegawai', 'Atasan', 'Pimpinan', 'Pengelola Kinerja', 'Pelatih')", name='ck_material_audience_role_role'),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name='fk_material_audience_role_material', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('material_id', 'role')
    )
    op.create_table('material_audience_unit',
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name='fk_material_audience_unit_material', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name='fk_material_audience_unit_unit', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('material_id', 'unit_id')
    )
    with op.batch_alter_table('material_audience_unit', schema=None) as batch_op:
        batch_op.create_index('ix_material_audience_unit_unit_id', ['unit_id'], unique=False)

    op.create_table('material_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("kind IN ('pdf', 'png', 'jpg', 'docx', 'xlsx')", name='ck_material_file_kind'),
    sa.CheckConstraint('size_bytes >= 0', name='ck_material_file_size'),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name='fk_material_file_material', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stored_name', name='uq_material_file_stored_name')
    )
    with op.batch_alter_table('material_file', schema=None) as batch_op:
        batch_op.create_index('ix_material_file_material_id', ['material_id'], unique=False)

    op.create_table('material_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('change_note', sa.String(length=500), nullable=True),
    sa.Column('published_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by_name', sa.String(length=150), nullable=True),
    sa.CheckConstraint('length(body_html) <= 100000', name='ck_material_version_body_length'),
    sa.CheckConstraint('length(title) > 0', name='ck_material_version_title'),
    sa.CheckConstraint('number >= 1', name='ck_material_version_number'),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name='fk_material_version_material', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['ab_user.id'], name='fk_material_version_published_by', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('material_id', 'number', name='uq_material_version_number')
    )
    op.create_table('award_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('decree_number', sa.String(length=100), nullable=True),
    sa.Column('decree_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=150), nullable=True),
    sa.CheckConstraint("decision <> 'DISETUJUI' OR (decree_number IS NOT NULL AND decree_date IS NOT NULL)", name='ck_award_decision_approved_has_decree'),
    sa.CheckConstraint("decision IN ('DISETUJUI', 'TIDAK_DISETUJUI')", name='ck_award_decision_decision'),
    sa.CheckConstraint("kind IN ('TALENT_POOL', 'COMPETENCE_DEVELOPMENT', 'SATYALANCANA_10', 'SATYALANCANA_20', 'SATYALANCANA_30')", name='ck_award_decision_kind'),
    sa.CheckConstraint('notes IS NULL OR length(notes) <= 2000', name='ck_award_decision_notes_length'),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name='ck_award_decision_year'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id'], name='fk_award_decision_decided_by', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name='fk_award_decision_employee', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employee_id', 'year', 'kind', name='uq_award_decision_employee_year_kind')
    )
    with op.batch_alter_table('award_decision', schema=None) as batch_op:
        batch_op.create_index('ix_award_decision_decided_by_id', ['decided_by_id'], unique=False)
        batch_op.create_index('ix_award_decision_year_kind', ['year', 'kind'], unique=False)

    op.create_table('material_acknowledgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name='fk_material_acknowledgement_employee', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['material_version.id'], name='fk_material_acknowledgement_version', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'employee_id', name='uq_material_acknowledgement_version_employee')
    )
    with op.batch_alter_table('material_acknowledgement', schema=None) as batch_op:
        batch_op.create_index('ix_material_acknowledgement_employee_id', ['employee_id'], unique=False)

    op.create_table('material_version_file',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['material_file.id'], name='fk_material_version_file_file', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['material_version.id'], name='fk_material_version_file_version', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'file_id')
    )
    with op.batch_alter_table('material_version_file', schema=None) as batch_op:
        batch_op.create_index('ix_material_version_file_file_id', ['file_id'], unique=False)



def downgrade():
    with op.batch_alter_table('material_version_file', schema=None) as batch_op:
        batch_op.drop_index('ix_material_version_file_file_id')

    op.drop_table('material_version_file')
    with op.batch_alter_table('material_acknowledgement', schema=None) as batch_op:
        batch_op.drop_index('ix_material_acknowledgement_employee_id')

    op.drop_table('material_acknowledgement')
    with op.batch_alter_table('award_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_award_decision_year_kind')
        batch_op.drop_index('ix_award_decision_decided_by_id')

    op.drop_table('award_decision')
    op.drop_table('material_version')
    with op.batch_alter_table('material_file', schema=None) as batch_op:
        batch_op.drop_index('ix_material_file_material_id')

    op.drop_table('material_file')
    with op.batch_alter_table('material_audience_unit', schema=None) as batch_op:
        batch_op.drop_index('ix_material_audience_unit_unit_id')

    op.drop_table('material_audience_unit')
    op.drop_table('material_audience_role')
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_index('ix_material_published')

    op.drop_table('material')
