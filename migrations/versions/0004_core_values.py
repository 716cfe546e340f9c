"""reference data: the 7 BerAKHLAK core values (nilai dasar ASN) with their 3 behaviour guides each

Core values and "panduan perilaku" as set by SE MenPANRB 20/2021 and used in the SKP behaviour
expectations of PermenPANRB 6/2022 (lampiran, "Perilaku Kerja").

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CORE_VALUES = [
    ("BERORIENTASI_PELAYANAN", "Berorientasi Pelayanan", [
        "Memahami dan memenuhi kebutuhan masyarakat",
        "Ramah, cekatan, solutif, dan dapat diandalkan",
        "Melakukan perbaikan tiada henti",
    ]),
    ("AKUNTABEL", "Akuntabel", [
        "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
        "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
        "Tidak menyalahgunakan kewenangan jabatan",
    ]),
    ("KOMPETEN", "Kompeten", [
        "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
        "Membantu orang lain belajar",
        "Melaksanakan tugas dengan kualitas terbaik",
    ]),
    ("HARMONIS", "Harmonis", [
        "Menghargai setiap orang apa pun latar belakangnya",
        "Suka menolong orang lain",
        "Membangun lingkungan kerja yang kondusif",
    ]),
    ("LOYAL", "Loyal", [
        "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, "
        "setia kepada Negara Kesatuan Republik Indonesia serta pemerintahan yang sah",
        "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
        "Menjaga rahasia jabatan dan negara",
    ]),
    ("ADAPTIF", "Adaptif", [
        "Cepat menyesuaikan diri menghadapi perubahan",
        "Terus berinovasi dan mengembangkan kreativitas",
        "Bertindak proaktif",
    ]),
    ("KOLABORATIF", "Kolaboratif", [
        "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
        "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
        "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
    ]),
]

core_value = sa.table("core_value", sa.column("id", sa.Integer), sa.column("code", sa.String),
                      sa.column("name", sa.String), sa.column("sort_order", sa.Integer))
core_value_guide = sa.table("core_value_guide", sa.column("core_value_id", sa.Integer),
                            sa.column("sort_order", sa.Integer), sa.column("text", sa.String))


def upgrade():
    op.bulk_insert(core_value, [{"code": code, "name": name, "sort_order": i + 1}
                                for i, (code, name, _) in enumerate(CORE_VALUES)])
    # ids come from the database (no hard-coded ids: PostgreSQL's sequence stays in step)
    ids = dict(op.get_bind().execute(sa.select(core_value.c.code, core_value.c.id)).all())
    op.bulk_insert(core_value_guide, [{"core_value_id": ids[code], "sort_order": j + 1, "text": text}
                                      for code, _, guides in CORE_VALUES for j, text in enumerate(guides)])


def downgrade():
    codes = [code for code, _, _ in CORE_VALUES]
    ids = sa.select(core_value.c.id).where(core_value.c.code.in_(codes))
    op.execute(core_value_guide.delete().where(core_value_guide.c.core_value_id.in_(ids)))
    op.execute(core_value.delete().where(core_value.c.code.in_(codes)))
