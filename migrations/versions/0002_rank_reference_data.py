"""reference data: the 17 PNS ranks (golongan/pangkat) and PPPK golongan I-XVII

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PNS_RANKS = [
    ("I/a", "Juru Muda"), ("I/b", "Juru Muda Tingkat I"), ("I/c", "Juru"), ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"), ("II/b", "Pengatur Muda Tingkat I"), ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"), ("III/a", "Penata Muda"), ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"), ("III/d", "Penata Tingkat I"), ("IV/a", "Pembina"), ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"), ("IV/d", "Pembina Utama Madya"), ("IV/e", "Pembina Utama"),
]
PPPK_RANKS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
              "XVI", "XVII"]

rank = sa.table("rank", sa.column("code", sa.String), sa.column("name", sa.String),
                sa.column("asn_type", sa.String), sa.column("sort_order", sa.Integer))


def upgrade():
    rows = [{"code": c, "name": n, "asn_type": "PNS", "sort_order": i + 1} for i, (c, n) in enumerate(PNS_RANKS)]
    rows += [{"code": c, "name": f"Golongan {c}", "asn_type": "PPPK", "sort_order": 100 + i + 1}
             for i, c in enumerate(PPPK_RANKS)]
    op.bulk_insert(rank, rows)


def downgrade():
    op.execute(rank.delete())
