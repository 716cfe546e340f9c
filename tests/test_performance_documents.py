"""The official documents as PDF (app.performance.documents): the SKP and the Dokumen Evaluasi Kinerja Pegawai.

- each PDF starts with %PDF, carries its metadata (title, author, creation date = printed_on) and is the
  same bytes when built twice from the same data;
- its text (read back with pypdf) holds the employee's name and NIP, every RHK, the official captions
  (sections 1-8 of the evaluation document, RATING HASIL KERJA, …), the ratings and the predikat;
- the evaluation document has at least two pages (the detail page follows the signatures); a 30-RHK plan
  spans several pages, the table header repeated on each, with "Halaman n dari m" in every footer;
- loading a document and rendering it takes as many queries for 20 RHKs as for 2;
- long texts wrap and odd characters (≥, —, control characters) do not break the build.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from conftest import count_queries

pypdf = pytest.importorskip("pypdf")

PRINTED_ON = date(2026, 5, 4)


def _core_values(db):
    from app.performance.models import CoreValue

    return {cv.code: cv for cv in db.session.scalars(sa.select(CoreValue))}


def _build(db, org, *, rhks: int = 3, objection: str | None = "DIPUTUS", long_text: bool = False,
           employee: str = "staff1"):
    """Budi's 2026 plan (``rhks`` RHKs: the last one TAMBAHAN, the first one supporting Siti's RHK) with a
    final Triwulan I evaluation, progress, feedback and, unless ``objection`` is None, an objection in that
    state (DIPUTUS: the atasan changed the result)."""
    from app.performance import models as m

    from app.organisation.models import Employee

    staff, kabid, kadis = (db.session.get(Employee, org.employees[key].id) for key in (employee, "kabid", "kadis"))
    for person in (staff, kabid, kadis):
        person.full_name, person.position.name, person.unit.name, person.rank.code
    cv = _core_values(db)
    q1 = db.session.scalars(sa.select(m.Period).filter_by(code="2026-Q1")).one_or_none()
    boss_rhk = db.session.scalars(sa.select(m.Rhk).join(m.Skp).where(m.Skp.employee_id == kabid.id)).first()
    if q1 is None:
        q1 = m.Period(year=2026, kind="QUARTERLY", number=1, code="2026-Q1", starts_on=date(2026, 1, 1),
                      ends_on=date(2026, 3, 31))
        db.session.add(q1)
        boss = m.Skp(employee=kabid, unit_id=kabid.unit_id, position_id=kabid.position_id, rater=kadis,
                     year=2026, status="DISETUJUI")
        boss_rhk = m.Rhk(kind="UTAMA", sort_order=1, text="Menurunnya angka kesakitan penyakit menular")
        boss_rhk.indicators.append(m.Indicator(aspect="KUANTITAS", text="Angka kesakitan DBD",
                                               target_value=Decimal("20"), target_unit="per 100.000 penduduk"))
        boss.rhks.append(boss_rhk)
        db.session.add(boss)

    skp = m.Skp(employee=staff, unit_id=staff.unit_id, position_id=staff.position_id, rater=kabid,
                rater_supervisor=kadis, year=2026, status="DISETUJUI")
    texts = []
    for n in range(1, rhks + 1):
        kind = "TAMBAHAN" if n == rhks and rhks > 1 else "UTAMA"
        text = f"RHK nomor {n:02d}: tersedianya data kasus penyakit menular yang mutakhir"
        if long_text and n == 1:
            text += " " + " ".join(f"kalimat{i}" for i in range(80)) + " (cakupan ≥ 95% — lengkap)\x07\t"  # a control character (PostgreSQL refuses NUL itself)
        texts.append(text)
        rhk = m.Rhk(kind=kind, sort_order=n, text=text, parent=boss_rhk if n == 1 else None)
        counted = m.Indicator(aspect="KUANTITAS", text=f"Jumlah laporan RHK {n:02d}", sort_order=1,
                              target_value=Decimal("12"), target_unit="dokumen")
        rhk.indicators.append(counted)
        rhk.indicators.append(m.Indicator(aspect="WAKTU", text=f"Ketepatan waktu RHK {n:02d}", sort_order=2,
                                          target_text="Setiap tanggal 5"))
        progress = m.Progress(period=q1, indicator=counted, value=Decimal("3.5"), description=f"Laporan Januari-Maret RHK {n:02d}",
                              achieved_on=date(2026, 3, 28))
        progress.evidence.append(m.Evidence(kind="LINK", url=f"https://drive.palembang.go.id/rhk/{n}"))
        rhk.progress.append(progress)
        skp.rhks.append(rhk)
        skp.feedback.append(m.Feedback(rhk=rhk, author=kabid, author_name=kabid.full_name,
                                       text=f"Umpan balik RHK {n:02d}: lengkapi data puskesmas"))
    skp.expectations.append(m.BehaviourExpectation(core_value=cv["BERORIENTASI_PELAYANAN"],
                                                   text="Melayani permintaan data puskesmas paling lambat 2 hari"))
    skp.feedback.append(m.Feedback(core_value=cv["KOLABORATIF"], author=kabid, author_name=kabid.full_name,
                                   text="Aktif dalam tim surveilans lintas bidang"))
    evaluation = m.Evaluation(
        skp=skp, period=q1, status="FINAL", hasil_rating="SESUAI", perilaku_rating="DI_ATAS", predikat="BAIK",
        notes="Pertahankan kinerja", recommendation="Pelatihan analisis data",
        rated_at=datetime(2026, 4, 10, 9), finalised_at=datetime(2026, 4, 12, 9),
        employee_name=staff.full_name, employee_nip=staff.nip, employee_rank="III/a Penata Muda",
        employee_position=staff.position.name, employee_unit=staff.unit.name, rater_name=kabid.full_name,
        rater_nip=kabid.nip, rater_rank="III/a Penata Muda", rater_position=kabid.position.name,
        rater_unit=kabid.unit.name, rater_supervisor_name=kadis.full_name, rater_supervisor_nip=kadis.nip,
        organisation_rating="BAIK", organisation_achievement=Decimal("97.50"))
    db.session.add_all([skp, evaluation])
    if objection:
        values = dict(evaluation=evaluation, reasons="Realisasi Maret belum diperhitungkan",
                      filed_at=datetime(2026, 4, 20, 8), status=objection)
        if objection in ("DIJELASKAN", "DIPUTUS"):
            values.update(explanation="Realisasi Maret masuk setelah penilaian",
                          explained_at=datetime(2026, 4, 22, 8))
        if objection == "DIPUTUS":
            values.update(decision="DIUBAH", decision_text="Realisasi Maret diperhitungkan",
                          decided_at=datetime(2026, 4, 25, 8), decided_by=kadis, new_hasil_rating="DI_ATAS",
                          new_perilaku_rating="DI_ATAS", new_predikat="SANGAT_BAIK")
        db.session.add(m.Objection(**values))
    db.session.commit()
    return SimpleNamespace(skp_id=skp.id, evaluation_id=evaluation.id, texts=texts, name=staff.full_name,
                           nip=staff.nip, rater_name=kabid.full_name, rater_nip=kabid.nip,
                           supervisor_name=kadis.full_name)


def _read(data: bytes):
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return reader, pages


def _flat(text: str) -> str:
    """Extracted text with line wraps undone (a long RHK wraps inside its cell)."""
    return " ".join(text.split())


def _skp_pdf(db, skp_id, **kwargs):
    from app.performance.documents import load_skp_for_document, skp_pdf

    db.session.expunge_all()
    return skp_pdf(load_skp_for_document(db.session, skp_id), printed_on=PRINTED_ON, **kwargs)


def _evaluation_pdf(db, evaluation_id):
    from app.performance.documents import evaluation_pdf, load_evaluation_for_document

    db.session.expunge_all()
    return evaluation_pdf(load_evaluation_for_document(db.session, evaluation_id), printed_on=PRINTED_ON)


# --- SKP ---------------------------------------------------------------------------------------------------

def test_skp_pdf_has_the_official_content(db, org):
    data = _build(db, org, rhks=3)
    pdf = _skp_pdf(db, data.skp_id)
    assert pdf.startswith(b"%PDF-")
    reader, pages = _read(pdf)
    text = _flat("\n".join(pages))
    for caption in ("PEMERINTAH KOTA PALEMBANG", "SASARAN KINERJA PEGAWAI", "PENDEKATAN HASIL KERJA KUANTITATIF",
                    "PERIODE PENILAIAN: 1 JANUARI S.D. 31 DESEMBER 2026", "PEGAWAI YANG DINILAI",
                    "PEJABAT PENILAI KINERJA", "HASIL KERJA", "A. UTAMA", "B. TAMBAHAN",
                    "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "INDIKATOR KINERJA INDIVIDU", "TARGET",
                    "PERILAKU KERJA", "EKSPEKTASI KHUSUS PIMPINAN", "Pegawai yang Dinilai",
                    "Pejabat Penilai Kinerja", "Palembang, 4 Mei 2026"):
        assert caption in text, caption
    assert data.name in text and data.nip in text and data.rater_name in text and data.rater_nip in text
    assert "III/a Penata Muda" in text and "Pengelola Data P2P" in text
    for rhk in data.texts:
        assert rhk in text, rhk
    assert "Menurunnya angka kesakitan penyakit menular" in text  # the supervisor's RHK it supports
    assert "12 dokumen" in text and "Setiap tanggal 5" in text and "Kuantitas" in text and "Waktu" in text
    # UTAMA before TAMBAHAN: the last RHK (TAMBAHAN) is printed after the second (UTAMA)
    assert text.index("A. UTAMA") < text.index(data.texts[1]) < text.index("B. TAMBAHAN") < \
        text.index(data.texts[2])
    # the 7 core values, their guides, the supervisor's special expectation
    for name in ("Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal", "Adaptif", "Kolaboratif"):
        assert name in text, name
    assert "Melayani permintaan data puskesmas paling lambat 2 hari" in text
    assert "Halaman 1 dari" in text

    meta = reader.metadata
    assert meta.title == f"Sasaran Kinerja Pegawai 2026 - {data.name}"
    assert meta.author == "e-Kinerja Kota Palembang"
    assert meta.creation_date.date() == PRINTED_ON


def test_skp_pdf_uses_the_city_and_place(db, org):
    data = _build(db, org, rhks=1, objection=None)
    text = _flat("\n".join(_read(_skp_pdf(db, data.skp_id, city="Pemerintah Kabupaten Banyuasin"))[1]))
    assert "PEMERINTAH KABUPATEN BANYUASIN" in text and "Banyuasin, 4 Mei 2026" in text


def test_skp_pdf_is_deterministic(db, org):
    data = _build(db, org, rhks=3)
    first = _skp_pdf(db, data.skp_id)
    assert _skp_pdf(db, data.skp_id) == first
    from app.performance.documents import load_skp_for_document, skp_pdf

    later = skp_pdf(load_skp_for_document(db.session, data.skp_id), printed_on=date(2026, 6, 1))
    assert later != first  # the date is printed and is the creation date


def test_long_plan_spans_pages_with_the_header_repeated(db, org):
    data = _build(db, org, rhks=30)
    reader, pages = _read(_skp_pdf(db, data.skp_id))
    assert len(pages) >= 3
    total = len(pages)
    table_pages = [p for p in pages if "RHK nomor" in p]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "INDIKATOR KINERJA INDIVIDU" in _flat(page)  # the heading row, on every page of the table
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {total}" in page
    text = _flat("\n".join(pages))
    for rhk in data.texts:
        assert rhk in text, rhk


def test_long_text_wraps_and_odd_characters_pass(db, org):
    data = _build(db, org, rhks=2, long_text=True)
    pages = _read(_skp_pdf(db, data.skp_id))[1]
    text = _flat("\n".join(pages))
    assert "kalimat0 kalimat1" in text and "kalimat79" in text and "≥ 95% — lengkap" in text
    assert "\x07" not in text


# --- Dokumen Evaluasi Kinerja Pegawai ------------------------------------------------------------------------

def test_evaluation_pdf_has_sections_1_to_8_and_the_detail(db, org):
    from app.performance.documents import EVALUATION_SECTIONS

    data = _build(db, org, rhks=3, objection="DIPUTUS")
    pdf = _evaluation_pdf(db, data.evaluation_id)
    assert pdf.startswith(b"%PDF-")
    reader, pages = _read(pdf)
    assert len(pages) >= 2
    text = _flat("\n".join(pages))
    assert "DOKUMEN EVALUASI KINERJA PEGAWAI" in text and "PERIODE: TRIWULAN I" in text
    assert "PERIODE PENILAIAN: 1 JANUARI S.D. 31 MARET 2026" in text
    # the numbered sections, in order
    positions = [text.index(f"{n} {caption}") for n, caption in enumerate(EVALUATION_SECTIONS, start=1)]
    assert positions == sorted(positions)
    assert EVALUATION_SECTIONS == ("PEGAWAI YANG DINILAI", "PEJABAT PENILAI KINERJA", "ATASAN PEJABAT PENILAI KINERJA",
                                   "EVALUASI KINERJA", "CATATAN/REKOMENDASI", "KEBERATAN",
                                   "PENJELASAN PEJABAT PENILAI KINERJA ATAS KEBERATAN",
                                   "KEPUTUSAN ATASAN PEJABAT PENILAI KINERJA ATAS KEBERATAN")
    for value in (data.name, data.nip, data.rater_name, data.rater_nip, data.supervisor_name,
                  "CAPAIAN KINERJA ORGANISASI 97,5% (Baik)", "PREDIKAT KINERJA PEGAWAI BAIK",
                  "Pertahankan kinerja", "Pelatihan analisis data", "Realisasi Maret belum diperhitungkan",
                  "Realisasi Maret masuk setelah penilaian", "Hasil evaluasi kinerja diubah",
                  "Realisasi Maret diperhitungkan", "Atasan Pejabat Penilai Kinerja", "Palembang, 4 Mei 2026"):
        assert value in text, value
    # the detail pages: every RHK with its realisasi (with evidence) and umpan balik, both ratings, the
    # core values with their feedback, the final predikat (changed by the objection decision)
    detail = _flat("\n".join(pages[1:]))
    assert "LAMPIRAN DOKUMEN EVALUASI KINERJA PEGAWAI" in detail
    for n, rhk in enumerate(data.texts, start=1):
        assert rhk in detail, rhk
        assert f"Laporan Januari-Maret RHK {n:02d}" in detail
        assert f"https://drive.palembang.go.id/rhk/{n}" in detail
        assert f"Umpan balik RHK {n:02d}" in detail
    assert "3,5 dokumen" in detail
    # the ratings in force: the atasan changed SESUAI/DI_ATAS into DI_ATAS/DI_ATAS
    assert "RATING HASIL KERJA DI ATAS EKSPEKTASI" in detail
    assert "RATING PERILAKU KERJA DI ATAS EKSPEKTASI" in detail
    assert "Aktif dalam tim surveilans lintas bidang" in detail and "Kolaboratif" in detail
    assert "PREDIKAT KINERJA PEGAWAI SANGAT BAIK (setelah keputusan atas keberatan)" in detail
    assert detail.index("RATING HASIL KERJA") < detail.index("RATING PERILAKU KERJA") < \
        detail.index("PREDIKAT KINERJA PEGAWAI")

    meta = reader.metadata
    assert meta.author == "e-Kinerja Kota Palembang" and "Dokumen Evaluasi Kinerja Pegawai" in meta.title
    assert meta.creation_date.date() == PRINTED_ON
    assert _evaluation_pdf(db, data.evaluation_id) == pdf


def test_evaluation_pdf_without_objection(db, org):
    data = _build(db, org, rhks=2, objection=None)
    pages = _read(_evaluation_pdf(db, data.evaluation_id))[1]
    text = _flat("\n".join(pages))
    assert len(pages) >= 2
    assert "6 KEBERATAN Tidak ada keberatan." in text
    assert "8 KEPUTUSAN ATASAN PEJABAT PENILAI KINERJA ATAS KEBERATAN" in text
    assert "Atasan Pejabat Penilai Kinerja" not in text.split("8 KEPUTUSAN")[1].split("LAMPIRAN")[0]
    assert "PREDIKAT KINERJA PEGAWAI BAIK" in text and "setelah keputusan" not in text
    assert "RATING HASIL KERJA SESUAI EKSPEKTASI" in text and "RATING PERILAKU KERJA DI ATAS EKSPEKTASI" in text


def test_evaluation_pdf_objection_not_decided_yet(db, org):
    data = _build(db, org, rhks=2, objection="DIJELASKAN")
    text = _flat("\n".join(_read(_evaluation_pdf(db, data.evaluation_id))[1]))
    assert "Realisasi Maret masuk setelah penilaian" in text and "Belum diputus." in text
    assert "PREDIKAT KINERJA PEGAWAI BAIK" in text


def test_evaluation_pdf_before_finalisation_uses_the_employee_records(db, org):
    """An evaluation without snapshots (not finalised yet) prints the people's current records."""
    from app.performance.models import Evaluation

    data = _build(db, org, rhks=1, objection=None)
    evaluation = db.session.get(Evaluation, data.evaluation_id)
    for column in ("employee", "rater", "rater_supervisor"):
        for suffix in ("name", "nip", "rank", "position", "unit"):
            if hasattr(evaluation, f"{column}_{suffix}"):
                setattr(evaluation, f"{column}_{suffix}", None)
    db.session.commit()
    text = _flat("\n".join(_read(_evaluation_pdf(db, data.evaluation_id))[1]))
    assert data.name in text and data.nip in text and data.supervisor_name in text
    assert "Kepala Dinas Kesehatan" in text  # the rater's supervisor's position, from the record


# --- labels and queries ----------------------------------------------------------------------------------------

def test_official_terms_cover_every_code_and_match_the_msgids():
    from app.performance.documents import ORG_RATING_TEXT, PREDIKAT_TEXT, RATING_TEXT
    from app.performance.rating import ORG_RATING_LABELS, PREDIKAT_LABELS, RATING_LABELS

    for ours, labels in ((RATING_TEXT, RATING_LABELS), (PREDIKAT_TEXT, PREDIKAT_LABELS),
                         (ORG_RATING_TEXT, ORG_RATING_LABELS)):
        assert set(ours) == set(labels)
        for code, label in labels.items():
            assert ours[code] == label._args[0]  # the msgid is the official term


def _queries(db, load, build, target_id):
    db.session.expunge_all()
    with count_queries(db) as statements:
        pdf = build(load(db.session, target_id), printed_on=PRINTED_ON)
    assert pdf.startswith(b"%PDF-")
    return statements


@pytest.mark.parametrize("kind", ["skp", "evaluation"])
def test_queries_do_not_grow_with_the_plan(db, org, kind):
    from app.performance import documents

    load, build = ((documents.load_skp_for_document, documents.skp_pdf) if kind == "skp" else
                   (documents.load_evaluation_for_document, documents.evaluation_pdf))
    small = _build(db, org, rhks=2)
    big = _build(db, org, rhks=20, employee="staff2")
    counts = []
    for data in (small, big):
        counts.append(_queries(db, load, build, data.skp_id if kind == "skp" else data.evaluation_id))
    assert len(counts[0]) == len(counts[1]), counts
    assert len(counts[0]) <= 16, "\n".join(counts[0])


def test_loaders_return_none_for_unknown_ids(db):
    from app.performance.documents import load_evaluation_for_document, load_skp_for_document

    assert load_skp_for_document(db.session, 999999) is None
    assert load_evaluation_for_document(db.session, 999999) is None
