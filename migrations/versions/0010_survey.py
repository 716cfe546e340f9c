"""public satisfaction survey (Survei Kepuasan Masyarakat, IKM): service units, campaigns, responses, throttle
counters; indicator.ikm_unit_id (an RHK indicator whose realised value is the unit's IKM)

Revision ID: 0010_survey
Revises: 0009_self_ratings
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_survey'
down_revision = '0009_self_ratings'
branch_labels = None
depends_on = None

ELEMENTS = [f"u{i}" for i in range(1, 10)]


def _in(column, values):
    return f"{column} IS NULL OR {column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        'survey_service',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('service_name', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.CheckConstraint('length(service_name) >= 1 AND length(service_name) <= 200',
                           name='ck_survey_service_service_name'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name='fk_survey_service_unit', ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', name='uq_survey_service_unit'),
    )
    op.create_table(
        'survey_campaign',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name='ck_survey_campaign_year'),
        sa.CheckConstraint('closes_on >= opens_on', name='ck_survey_campaign_dates'),
        sa.CheckConstraint('length(token) >= 16 AND length(token) <= 64', name='ck_survey_campaign_token'),
        sa.ForeignKeyConstraint(['unit_id'], ['survey_service.unit_id'], name='fk_survey_campaign_service',
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token', name='uq_survey_campaign_token'),
    )
    op.create_index('ix_survey_campaign_unit_year', 'survey_campaign', ['unit_id', 'year'], unique=False)
    op.create_table(
        'survey_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        *[sa.Column(key, sa.SmallInteger(), nullable=False) for key in ELEMENTS],
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('age_band', sa.String(length=10), nullable=True),
        sa.Column('gender', sa.String(length=1), nullable=True),
        sa.Column('education', sa.String(length=10), nullable=True),
        sa.Column('occupation', sa.String(length=12), nullable=True),
        *[sa.CheckConstraint(f'{key} BETWEEN 1 AND 4', name=f'ck_survey_response_{key}') for key in ELEMENTS],
        sa.CheckConstraint(_in('age_band', ['lt20', '20_29', '30_39', '40_49', '50_59', '60plus']),
                           name='ck_survey_response_age_band'),
        sa.CheckConstraint(_in('gender', ['L', 'P']), name='ck_survey_response_gender'),
        sa.CheckConstraint(_in('education', ['SD', 'SMP', 'SMA', 'D3', 'S1', 'S2PLUS']),
                           name='ck_survey_response_education'),
        sa.CheckConstraint(_in('occupation', ['PNS', 'TNI_POLRI', 'SWASTA', 'WIRAUSAHA', 'PELAJAR', 'LAINNYA']),
                           name='ck_survey_response_occupation'),
        sa.CheckConstraint('comment IS NULL OR length(comment) <= 1000', name='ck_survey_response_comment'),
        sa.ForeignKeyConstraint(['campaign_id'], ['survey_campaign.id'], name='fk_survey_response_campaign',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_survey_response_campaign_id', 'survey_response', ['campaign_id'], unique=False)
    op.create_table(
        'survey_throttle',
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('window_start', sa.Integer(), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_survey_throttle_window_start', 'survey_throttle', ['window_start'], unique=False)
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ikm_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_indicator_ikm_unit', 'unit', ['ikm_unit_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint('ck_indicator_ikm_unit', "value_source <> 'IKM' OR ikm_unit_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_constraint('ck_indicator_ikm_unit', type_='check')
        batch_op.drop_constraint('fk_indicator_ikm_unit', type_='foreignkey')
        batch_op.drop_column('ikm_unit_id')
    op.drop_index('ix_survey_throttle_window_start', table_name='survey_throttle')
    op.drop_table('survey_throttle')
    op.drop_index('ix_survey_response_campaign_id', table_name='survey_response')
    op.drop_table('survey_response')
    op.drop_index('ix_survey_campaign_unit_year', table_name='survey_campaign')
    op.drop_table('survey_campaign')
    op.drop_table('survey_service')
