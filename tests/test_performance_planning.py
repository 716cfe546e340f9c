"""The planning screens (app/performance/planning_views.py) through the browser's requests: the employee writes
the plan in one form and submits it, the rater returns and approves it from the inbox, progress with evidence,
feedback, the PDF, the scope (404 outside) and the page's constant number of queries.

On the `org` city: Budi (staff1) is rated by Siti (kabid), who is rated by Ahmad (kadis); Dewi (staff2) is
Budi's colleague and sees none of his records.
"""
from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.performance import services as S
from app.performance.models import Feedback, Progress, Rhk, Skp
from conftest import count_queries, csrf_token, login, logout
from test_performance_services import approved_plan, ctx

YEAR = 2026
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def boss_plan(db, org):
    """Siti's approved plan (her staff's RHKs support its RHK)."""
    return approved_plan(db, org, "kabid", "kadis")


def _version(html) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field on the page"
    return match.group(1)


def _plan_form(token, version, parent_id=None, action="save", first_text="Tersedianya data kasus penyakit menular",
               target="12"):
    return {
        "csrf_token": token, "version": version, "action": action, "approach": "KUANTITATIF",
        "rhks-0-id": "", "rhks-0-kind": "UTAMA", "rhks-0-text": first_text,
        "rhks-0-parent_rhk_id": str(parent_id or ""),
        "rhks-0-indicators-0-aspect": "KUANTITAS", "rhks-0-indicators-0-text": "Jumlah laporan",
        "rhks-0-indicators-0-target_value": target, "rhks-0-indicators-0-target_unit": "dokumen",
        "rhks-0-indicators-1-aspect": "WAKTU", "rhks-0-indicators-1-text": "Tepat waktu",
        "rhks-0-indicators-1-target_value": "12", "rhks-0-indicators-1-target_unit": "bulan",
        # a gap in the numbering (a row removed in the browser) is fine
        "rhks-3-kind": "TAMBAHAN", "rhks-3-text": "Membantu kegiatan posyandu",
        "rhks-3-indicators-0-aspect": "KUANTITAS", "rhks-3-indicators-0-text": "Jumlah kegiatan",
        "rhks-3-indicators-0-target_value": "4", "rhks-3-indicators-0-target_unit": "kegiatan",
    }


def _start(client, org):
    login(client, org.username("staff1"))
    token = csrf_token(client, f"/my-plan/?year={YEAR}")
    r = client.post("/my-plan/start", data={"csrf_token": token, "year": str(YEAR), "approach": "KUANTITATIF"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    html = client.get(f"/my-plan/?year={YEAR}").get_data(as_text=True)
    skp_id = int(re.search(r'data-skp-id="(\d+)"', html).group(1))
    return skp_id, token, html


def _skp(db, skp_id) -> Skp:
    db.session.expire_all()
    return db.session.get(Skp, skp_id)


def test_the_plan_is_written_submitted_returned_and_approved(client, db, org, boss_plan):
    other = approved_plan(db, org, "kapus", "kadis")  # an RHK Budi may not support
    boss_rhk = boss_plan.rhks[0]
    skp_id, token, html = _start(client, org)
    assert "plan-form" in html and boss_rhk.text in html  # the supervisor's RHKs are the choices
    version = _version(html)

    # bad input: a zero target, a missing RHK text, the RHK of a plan that is not the rater's -> nothing saved
    bad = _plan_form(token, version, parent_id=boss_rhk.id, target="0")
    bad["rhks-3-text"] = ""
    bad["rhks-3-parent_rhk_id"] = str(other.rhks[0].id)
    r = client.post(f"/plans/{skp_id}/save", data=bad)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    for path in ("rhks-0-indicators-0-target_value", "rhks-1-text", "rhks-1-parent_rhk_id"):
        assert f'data-error-for="{path}"' in page, path
    assert "Tersedianya data kasus penyakit menular" in page and "Jumlah kegiatan" in page  # input kept
    assert db.session.scalar(select(func.count()).select_from(Rhk).where(Rhk.skp_id == skp_id)) == 0
    assert _skp(db, skp_id).status == "DRAFT"

    # the good form, saved and submitted at once
    r = client.post(f"/plans/{skp_id}/save", data=_plan_form(token, version, parent_id=boss_rhk.id,
                                                              action="submit"))
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    skp = _skp(db, skp_id)
    assert skp.status == "DIAJUKAN"
    assert [(r.kind, r.text, len(r.indicators)) for r in skp.rhks] == [
        ("UTAMA", "Tersedianya data kasus penyakit menular", 2), ("TAMBAHAN", "Membantu kegiatan posyandu", 1)]
    assert skp.rhks[0].parent_rhk_id == boss_rhk.id
    assert skp.rhks[0].indicators[0].target_value == Decimal("12")

    # the rater's inbox; returning needs notes
    logout(client)
    login(client, org.username("kabid"))
    inbox = client.get("/plan-inbox/").get_data(as_text=True)
    assert org.employees["staff1"].nip in inbox and f"/plans/{skp_id}" in inbox
    page = client.get(f"/plans/{skp_id}").get_data(as_text=True)
    assert 'id="plan-approve"' in page and 'id="plan-return"' in page and "plan-form" not in page
    token = csrf_token(client, f"/plans/{skp_id}")
    version = _version(page)
    client.post(f"/plans/{skp_id}/step", data={"csrf_token": token, "version": version, "step": "return",
                                                "notes": ""})
    assert _skp(db, skp_id).status == "DIAJUKAN"
    r = client.post(f"/plans/{skp_id}/step", data={"csrf_token": token, "version": version, "step": "return",
                                                    "notes": "Lengkapi indikator kualitas"})
    assert r.status_code == 302
    assert _skp(db, skp_id).status == "DIKEMBALIKAN"

    # the employee sees the notes, edits and resubmits
    logout(client)
    login(client, org.username("staff1"))
    page = client.get(f"/my-plan/?year={YEAR}").get_data(as_text=True)
    assert "Lengkapi indikator kualitas" in page and "plan-form" in page
    assert 'id="plan-approve"' not in page
    skp = _skp(db, skp_id)
    form = _plan_form(token := csrf_token(client, f"/plans/{skp_id}"), _version(page), parent_id=boss_rhk.id,
                      action="submit", first_text="Tersedianya data kasus yang lengkap")
    form["rhks-0-id"] = str(skp.rhks[0].id)
    form["rhks-0-indicators-0-id"] = str(skp.rhks[0].indicators[0].id)
    r = client.post(f"/plans/{skp_id}/save", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    skp = _skp(db, skp_id)
    assert skp.status == "DIAJUKAN" and skp.rhks[0].text == "Tersedianya data kasus yang lengkap"

    # the rater approves; the page is read-only with the timeline
    logout(client)
    login(client, org.username("kabid"))
    page = client.get(f"/plans/{skp_id}").get_data(as_text=True)
    r = client.post(f"/plans/{skp_id}/step", data={"csrf_token": csrf_token(client, f"/plans/{skp_id}"),
                                                    "version": _version(page), "step": "approve"})
    assert r.status_code == 302
    assert _skp(db, skp_id).status == "DISETUJUI"
    page = client.get(f"/plans/{skp_id}").get_data(as_text=True)
    assert "plan-form" not in page and "plan-timeline" in page and "Lengkapi indikator kualitas" in page
    assert org.employees["staff1"].nip not in client.get("/plan-inbox/").get_data(as_text=True)

    # the owner may request a change (a new revision in Draft)
    logout(client)
    login(client, org.username("staff1"))
    page = client.get(f"/plans/{skp_id}").get_data(as_text=True)
    assert 'id="plan-revise"' in page


def test_others_get_404_and_the_pdf_downloads(client, db, org, boss_plan):
    skp = approved_plan(db, org, "staff1", "kabid", parent_id=boss_plan.rhks[0].id)
    login(client, org.username("staff2"))
    assert client.get(f"/plans/{skp.id}").status_code == 404
    assert client.get(f"/my-plan/{skp.id}/pdf").status_code == 404
    logout(client)
    for who in ("staff1", "kabid"):
        login(client, org.username(who))
        r = client.get(f"/my-plan/{skp.id}/pdf")
        assert r.status_code == 200 and r.data.startswith(b"%PDF")
        assert r.headers["Content-Disposition"].startswith("attachment")
        logout(client)


def test_progress_with_evidence_and_feedback(client, db, org, boss_plan):
    skp = approved_plan(db, org, "staff1", "kabid", parent_id=boss_plan.rhks[0].id)
    rhk_id = skp.rhks[0].id
    login(client, org.username("staff1"))
    token = csrf_token(client, f"/plans/{skp.id}")
    r = client.post(f"/plans/{skp.id}/progress", content_type="multipart/form-data", data={
        "csrf_token": token, "rhk": str(rhk_id), "value": "3", "description": "Laporan Januari-Maret",
        "achieved_on": f"{YEAR}-03-31", "url": "https://example.org/laporan-q1",
        "file": (io.BytesIO(PDF_BYTES), "laporan.pdf")})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    progress = db.session.scalars(select(Progress).where(Progress.rhk_id == rhk_id)).all()
    assert len(progress) == 1 and progress[0].value == Decimal("3")
    kinds = sorted(e.kind for e in progress[0].evidence)
    assert kinds == ["FILE", "LINK"]
    file_id = next(e.id for e in progress[0].evidence if e.kind == "FILE")

    # an HTML page named .pdf is refused, and nothing of that report is kept
    r = client.post(f"/plans/{skp.id}/progress", content_type="multipart/form-data", data={
        "csrf_token": token, "rhk": str(rhk_id), "value": "1", "description": "Palsu",
        "achieved_on": f"{YEAR}-04-02", "file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "x.pdf")})
    assert r.status_code == 200 and 'name="file"' in r.get_data(as_text=True)
    assert "Palsu" in r.get_data(as_text=True)  # input kept
    assert db.session.scalar(select(func.count()).select_from(Progress).where(Progress.rhk_id == rhk_id)) == 1

    # a date outside the plan's year is refused beside the field
    r = client.post(f"/plans/{skp.id}/progress", data={
        "csrf_token": token, "rhk": str(rhk_id), "value": "1", "description": "Salah tahun",
        "achieved_on": f"{YEAR - 1}-12-31"})
    assert r.status_code == 200 and "has-error" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Progress).where(Progress.rhk_id == rhk_id)) == 1

    r = client.get(f"/evidence/{file_id}")
    assert r.status_code == 200 and r.data == PDF_BYTES
    assert r.headers["Content-Disposition"].startswith("attachment")

    # feedback by the owner on a core value
    page = client.get(f"/plans/{skp.id}").get_data(as_text=True)
    cv_id = int(re.search(r'name="core_value" value="(\d+)"', page).group(1))
    r = client.post(f"/plans/{skp.id}/feedback", data={"csrf_token": token, "core_value": str(cv_id),
                                                        "text": "Saya sudah ikut pelatihan layanan"})
    assert r.status_code == 302
    logout(client)

    # the rater downloads the evidence and gives feedback on the RHK
    login(client, org.username("kabid"))
    r = client.get(f"/evidence/{file_id}")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    token = csrf_token(client, f"/plans/{skp.id}")
    r = client.post(f"/plans/{skp.id}/feedback", data={"csrf_token": token, "rhk": str(rhk_id),
                                                        "text": "Pertahankan ketepatan waktu"})
    assert r.status_code == 302
    page = client.get(f"/plans/{skp.id}").get_data(as_text=True)
    assert "Pertahankan ketepatan waktu" in page and "Saya sudah ikut pelatihan layanan" in page
    assert "laporan.pdf" in page and "https://example.org/laporan-q1" in page
    # the rater cannot report progress on Budi's plan
    r = client.post(f"/plans/{skp.id}/progress", data={"csrf_token": token, "rhk": str(rhk_id), "value": "1",
                                                        "description": "Bukan pemilik", "achieved_on": f"{YEAR}-05-01"})
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Progress).where(Progress.rhk_id == rhk_id)) == 1
    logout(client)

    # an outsider gets 404 and cannot post feedback
    login(client, org.username("staff2"))
    assert client.get(f"/evidence/{file_id}").status_code == 404
    token = csrf_token(client, f"/my-plan/?year={YEAR}")
    assert client.post(f"/plans/{skp.id}/feedback", data={"csrf_token": token, "rhk": str(rhk_id),
                                                           "text": "x"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Feedback).where(Feedback.skp_id == skp.id)) == 2


def test_a_version_conflict_keeps_the_input(client, db, org, boss_plan):
    skp_id, token, html = _start(client, org)
    stale = _version(html)
    r = client.post(f"/plans/{skp_id}/save", data=_plan_form(token, stale))
    assert r.status_code == 302
    r = client.post(f"/plans/{skp_id}/save", data=_plan_form(token, stale, first_text="Versi yang terlambat"))
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "plan-conflict" in page and "Versi yang terlambat" in page
    assert _skp(db, skp_id).rhks[0].text == "Tersedianya data kasus penyakit menular"


def _plan_with(db, org, key, n_rhks):
    """An approved plan of ``key`` with n RHKs, each with two indicators, progress with evidence and feedback."""
    from app.performance.models import Evidence as Ev

    data = {"approach": "KUANTITATIF", "rhks": [
        {"kind": "UTAMA" if i % 2 == 0 else "TAMBAHAN", "text": f"RHK nomor {i}", "indicators": [
            {"aspect": "KUANTITAS", "text": f"Indikator {i}a", "target_value": "5", "target_unit": "dokumen"},
            {"aspect": "WAKTU", "text": f"Indikator {i}b", "target_value": "12", "target_unit": "bulan"}]}
        for i in range(n_rhks)]}
    skp = S.start_plan(db.session, ctx(org, key), org.employees[key], YEAR)
    S.save_plan(db.session, ctx(org, key), skp, data, skp.version)
    S.submit_plan(db.session, ctx(org, key), skp, skp.version)
    S.approve_plan(db.session, ctx(org, "kabid"), skp, skp.version)
    for rhk in skp.rhks:
        p = S.add_progress(db.session, ctx(org, key), rhk, rhk.indicators[0], "1", "Kemajuan", date(YEAR, 2, 1))
        db.session.add(Ev(progress_id=p.id, kind="LINK", url="https://example.org/bukti"))
        S.add_feedback(db.session, ctx(org, "kabid"), skp, "Bagus", rhk=rhk)
    db.session.commit()
    return skp


def test_the_plan_page_runs_a_constant_number_of_queries(client, db, org, boss_plan):
    small = _plan_with(db, org, "staff1", 2)
    large = _plan_with(db, org, "staff2", 10)
    plans = [(small.id, len(small.rhks)), (large.id, len(large.rhks))]
    login(client, org.username("kabid"))
    client.get(f"/plans/{small.id}")  # warm-up (menus, permissions)
    counts = []
    for skp_id, n_rhks in plans:
        with count_queries(db) as queries:
            r = client.get(f"/plans/{skp_id}")
        assert r.status_code == 200
        assert r.get_data(as_text=True).count("plan-progress-row") == n_rhks
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts


def test_pelatih_and_anonymous_cannot_open_the_planning_screens(client, db, org):
    assert client.get("/my-plan/").status_code == 302  # to the login page
    login(client, org.username("pelatih"))
    assert client.get("/my-plan/").status_code == 403
    assert client.get("/plan-inbox/").status_code == 403
