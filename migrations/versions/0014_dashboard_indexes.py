"""dashboards: covering indexes for the compliance and attendance figures of a whole year or period

Measured with bench/bench_dashboards.py on the bench data (75,000 plans, 290,000 evaluations; PostgreSQL):

* ``ix_skp_current_year_unit_status`` — skp(year, unit_id, status, submitted_at) WHERE is_current: the plans in
  force of a year per unit with their state and submission time. The compliance dashboard counts the plans
  submitted, submitted by the deadline and approved per unit from this index alone (city: 30 ms → 7 ms).
* ``ix_evaluation_period_progress`` — evaluation(period_id, status, predikat, skp_id, finalised_at): the
  evaluations of a period with their state, predikat and finalisation time. The compliance dashboard counts the
  evaluations rated, final and final by the period's closing date per unit, and the predikat dashboard the
  predikat per unit and per year, without reading the wide evaluation rows (compliance, city: 105 ms → 35 ms on
  PostgreSQL; SQLite otherwise reads the rows through ``ix_evaluation_period_status``).
* ``ix_training_participant_session_attendance_unit`` — training_participant(session_id, attendance, unit_id):
  the participants of the sessions of a year with their attendance and unit at the invitation. The training
  dashboard counts attendance per unit and participants present per topic from this index alone, with a nested
  loop over the year's sessions instead of reading all 150,000 participant rows (city: 85 ms → 25 ms, loaded
  machine).
* ``ix_material_acknowledgement_acknowledged_at`` — material_acknowledgement(acknowledged_at, employee_id): who
  confirmed reading material in a year. The socialization reach reads the year's range from the index instead
  of every acknowledgement (110,000 on the bench data).

The partial condition is written as the queries write it (``is_current IS true`` / ``is_current IS 1``, see
0013). On SQLite with planner statistics (sqlite_stat1) the tables are analysed again; on PostgreSQL too.

Revision ID: 0014_dashboard_indexes
Revises: 0013_current_plan_index
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_dashboard_indexes'
down_revision = '0013_current_plan_index'
branch_labels = None
depends_on = None

PG_CURRENT = "is_current IS TRUE"
SQLITE_CURRENT = "is_current IS 1"


def upgrade():
    with op.batch_alter_table('skp', schema=None) as batch_op:
        batch_op.create_index('ix_skp_current_year_unit_status', ['year', 'unit_id', 'status', 'submitted_at'],
                              unique=False, sqlite_where=sa.text(SQLITE_CURRENT),
                              postgresql_where=sa.text(PG_CURRENT))
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_period_progress',
                              ['period_id', 'status', 'predikat', 'skp_id', 'finalised_at'], unique=False)
    with op.batch_alter_table('training_participant', schema=None) as batch_op:
        batch_op.create_index('ix_training_participant_session_attendance_unit',
                              ['session_id', 'attendance', 'unit_id'], unique=False)
    with op.batch_alter_table('material_acknowledgement', schema=None) as batch_op:
        batch_op.create_index('ix_material_acknowledgement_acknowledged_at', ['acknowledged_at', 'employee_id'],
                              unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' or bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        for table in ('skp', 'evaluation', 'training_participant', 'material_acknowledgement'):
            op.execute(f'ANALYZE {table}')


def downgrade():
    with op.batch_alter_table('material_acknowledgement', schema=None) as batch_op:
        batch_op.drop_index('ix_material_acknowledgement_acknowledged_at')
    with op.batch_alter_table('training_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_training_participant_session_attendance_unit')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_period_progress')
    with op.batch_alter_table('skp', schema=None) as batch_op:
        batch_op.drop_index('ix_skp_current_year_unit_status', sqlite_where=sa.text(SQLITE_CURRENT),
                            postgresql_where=sa.text(PG_CURRENT))
