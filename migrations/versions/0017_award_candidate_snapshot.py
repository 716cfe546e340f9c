"""stored results: the state of derived results and the award candidates of a year

* ``derived_result_state (kind, year)`` — when a stored result was computed, the fingerprint of its inputs and
  its parameters (app/core/derived.py);
* ``award_candidate_snapshot (year, employee_id, kind)`` — the award candidates of a year with the employee's
  unit and what the screen shows (app/awards/derived.py); the screens read it (row scope on ``unit_id``) instead
  of recomputing over every final evaluation. Filled on the first request of a year (or ``flask portal
  refresh-derived``).

Revision ID: 0017_award_candidate_snapshot
Revises: 0016_training_scope_indexes
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_award_candidate_snapshot'
down_revision = '0016_training_scope_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'derived_result_state',
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('fingerprint', sa.String(length=255), nullable=False),
        sa.Column('params', sa.String(length=100), nullable=False),
        sa.Column('rows', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('kind', 'year', name='pk_derived_result_state'),
    )
    op.create_table(
        'award_candidate_snapshot',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('employee_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('kind_order', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('previous', sa.String(length=20), nullable=True),
        sa.Column('current', sa.String(length=20), nullable=True),
        sa.Column('months', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name='fk_award_candidate_snapshot_employee',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name='fk_award_candidate_snapshot_unit', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('year', 'employee_id', 'kind', name='pk_award_candidate_snapshot'),
    )
    op.create_index('ix_award_candidate_snapshot_year_order', 'award_candidate_snapshot',
                    ['year', 'kind_order', 'employee_id'], unique=False)
    op.create_index('ix_award_candidate_snapshot_year_unit', 'award_candidate_snapshot',
                    ['year', 'unit_id', 'kind'], unique=False)


def downgrade():
    op.drop_index('ix_award_candidate_snapshot_year_unit', table_name='award_candidate_snapshot')
    op.drop_index('ix_award_candidate_snapshot_year_order', table_name='award_candidate_snapshot')
    op.drop_table('award_candidate_snapshot')
    op.drop_table('derived_result_state')
