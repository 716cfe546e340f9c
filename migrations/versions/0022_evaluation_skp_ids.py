"""evaluations: the ids of given plans' evaluations from one index

* ``ix_evaluation_skp_period_id (skp_id, period_id, id)``: the REST evaluation list of a person with a row scope
  (``app.performance.api._ListInterface``) collects the ids of the evaluations of the scope's plans (a Pimpinan's
  OPD over five years: 5,400 plans, 20,800 evaluations), counts them and sorts them (by id, or by period) before it
  loads the page's 25 rows. From this index alone, no heap page is read; ``uq_evaluation_skp_period`` has no id,
  so the same ids cost a heap visit per evaluation (bench data on PostgreSQL, the list's one statement,
  min of 40: ~18 → ~12 ms; it was ~25 ms when the page sorted whole rows).

Revision ID: 0022_evaluation_skp_ids
Revises: 0021_participant_employee_unit
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_evaluation_skp_ids'
down_revision = '0021_participant_employee_unit'
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
    op.create_index('ix_evaluation_skp_period_id', 'evaluation', ['skp_id', 'period_id', 'id'], unique=False)
    _analyze('evaluation')


def downgrade():
    op.drop_index('ix_evaluation_skp_period_id', table_name='evaluation')
