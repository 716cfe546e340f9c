"""evaluation: the employee's own ratings in the self-assessment (rater-bias analytics, issue 6)

Two optional columns, ``self_hasil_rating`` and ``self_perilaku_rating`` (DI_ATAS / SESUAI / DI_BAWAH, like
the rater's), so that the gap between the self-assessment and the rater's ratings can be measured
(app/analytics). Existing evaluations keep NULL: they are left out of the gap.

Revision ID: 0009_self_ratings
Revises: 0007
Create Date: 2026-11-28

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_self_ratings'
down_revision = '0007'
branch_labels = None
depends_on = None

RATINGS = "('DI_ATAS', 'SESUAI', 'DI_BAWAH')"


def upgrade():
    # plain ALTER TABLE ... ADD COLUMN with a column CHECK, on both databases: on SQLite a batch operation would
    # copy the whole evaluation table (and re-create its partial indexes) for two nullable columns
    for column in ('self_hasil_rating', 'self_perilaku_rating'):
        op.execute(f"ALTER TABLE evaluation ADD COLUMN {column} VARCHAR(10) CONSTRAINT ck_evaluation_{column} "
                   f"CHECK ({column} IS NULL OR {column} IN {RATINGS})")


def downgrade():
    for column in ('self_perilaku_rating', 'self_hasil_rating'):
        op.execute(f"ALTER TABLE evaluation DROP COLUMN {column}")
