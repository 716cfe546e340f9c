"""stored results: the training needs of a year and the effect of training

* ``training_need_snapshot (year, topic_id, employee_id)`` — the recommended employees of each topic of a year
  over the whole city, with the employee's unit, the rules that fired and the screen's order (app/training/
  derived.py); the "Kebutuhan Pelatihan" screen reads it (unit subtree and row scope on ``unit_id``) instead of
  running the rules over every evaluation, feedback and progress record of the unit.
* ``training_effect_snapshot (participant_id)`` — each present participant of a closed session with a topic, with
  the results before and after; the effect screen counts and pages it; ``training_effect_summary`` — the same
  counted per topic and pair of results for the whole city.

Filled on the first request (or ``flask portal refresh-derived``); their state is a ``derived_result_state`` row.
``ix_progress_achieved_on_id`` lets the fingerprint of a year's needs count the year's progress from an index.

Revision ID: 0019_training_snapshots
Revises: 0018_dashboard_exists_indexes
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_training_snapshots'
down_revision = '0018_dashboard_exists_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'training_need_snapshot',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('topic_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('employee_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('rule_ids', sa.String(length=200), nullable=False),
        sa.Column('ord', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['topic_id'], ['training_topic.id'], name='fk_training_need_snapshot_topic',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name='fk_training_need_snapshot_employee',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name='fk_training_need_snapshot_unit', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('year', 'topic_id', 'employee_id', name='pk_training_need_snapshot'),
    )
    op.create_index('ix_training_need_snapshot_year_topic_order', 'training_need_snapshot',
                    ['year', 'topic_id', 'ord'], unique=False)
    op.create_index('ix_training_need_snapshot_year_unit', 'training_need_snapshot',
                    ['year', 'unit_id', 'topic_id'], unique=False)
    op.create_index('ix_training_need_snapshot_employee_id', 'training_need_snapshot', ['employee_id'], unique=False)
    op.create_table(
        'training_effect_snapshot',
        sa.Column('participant_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('result_before', sa.String(length=20), nullable=True),
        sa.Column('result_after', sa.String(length=20), nullable=True),
        sa.Column('ord', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['training_participant.id'],
                                name='fk_training_effect_snapshot_participant', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name='fk_training_effect_snapshot_employee',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name='fk_training_effect_snapshot_session',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['topic_id'], ['training_topic.id'], name='fk_training_effect_snapshot_topic',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name='fk_training_effect_snapshot_unit', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('participant_id', name='pk_training_effect_snapshot'),
    )
    op.create_index('ix_training_effect_snapshot_ord', 'training_effect_snapshot', ['ord'], unique=False)
    op.create_index('ix_training_effect_snapshot_topic_ord', 'training_effect_snapshot', ['topic_id', 'ord'],
                    unique=False)
    op.create_index('ix_training_effect_snapshot_unit_counts', 'training_effect_snapshot',
                    ['unit_id', 'topic_id', 'result_before', 'result_after', 'ord'], unique=False)
    op.create_index('ix_training_effect_snapshot_employee_id', 'training_effect_snapshot', ['employee_id'],
                    unique=False)
    op.create_index('ix_training_effect_snapshot_session_id', 'training_effect_snapshot', ['session_id'],
                    unique=False)
    op.create_table(
        'training_effect_summary',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('result_before', sa.String(length=20), nullable=True),
        sa.Column('result_after', sa.String(length=20), nullable=True),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['topic_id'], ['training_topic.id'], name='fk_training_effect_summary_topic',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_training_effect_summary'),
    )
    op.create_index('ix_training_effect_summary_topic_id', 'training_effect_summary', ['topic_id'], unique=False)
    # the fingerprint of a year's training needs counts the progress of the year from this index alone (the
    # date of a progress entry lies in its plan's year)
    op.create_index('ix_progress_achieved_on_id', 'progress', ['achieved_on', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_progress_achieved_on_id', table_name='progress')
    op.drop_index('ix_training_effect_summary_topic_id', table_name='training_effect_summary')
    op.drop_table('training_effect_summary')
    for name in ('ix_training_effect_snapshot_session_id', 'ix_training_effect_snapshot_employee_id',
                 'ix_training_effect_snapshot_unit_counts', 'ix_training_effect_snapshot_topic_ord',
                 'ix_training_effect_snapshot_ord'):
        op.drop_index(name, table_name='training_effect_snapshot')
    op.drop_table('training_effect_snapshot')
    for name in ('ix_training_need_snapshot_employee_id', 'ix_training_need_snapshot_year_unit',
                 'ix_training_need_snapshot_year_topic_order'):
        op.drop_index(name, table_name='training_need_snapshot')
    op.drop_table('training_need_snapshot')
