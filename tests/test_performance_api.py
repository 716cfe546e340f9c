"""The REST API of the performance cycle (/api/v1/skp, /evaluation, /objection) with the browser session:
no state can be skipped (422 with a clear message), 404 outside the scope, 409 on a stale version, 400 for a
body that is not JSON, and the scope of the read verbs.

The plan's content through the API, with the rules of the planning screens (the same services): starting
one's own plan, reading and saving the content (refused targets, a stale version, a frozen approved plan),
progress as JSON or as a form with evidence (all or nothing: a refused file or link saves nothing; a form
with the session needs the CSRF token, with a JWT not), the feedback thread and the timeline."""
from __future__ import annotations

import io
from datetime import date

import pytest

from app.performance import services as S
from app.performance.models import Evaluation, Period
from conftest import csrf_token, login
from test_performance_services import YEAR, approved_plan, ctx, plan_data


@pytest.fixture
def plan(db, org):
    """Budi's Draft plan, complete enough to be submitted (Siti's approved plan above it)."""
    boss = approved_plan(db, org, "kabid", "kadis")
    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    S.save_plan(db.session, ctx(org, "staff1"), skp, plan_data(boss.rhks[0].id), skp.version)
    return skp


def _post(client, url, **body):
    return client.post(url, json=body)


def test_transitions_cannot_skip_a_state(client, db, org, plan):
    login(client, org.username("kabid"))
    r = _post(client, f"/api/v1/skp/{plan.id}/approve", version=plan.version)  # a Draft cannot be approved
    assert r.status_code == 422
    body = r.get_json()
    assert body["error_code"] == "NOT_ALLOWED" and body["message"]  # "cannot go from Draft to Approved"
    client.get("/logout/")
    login(client, org.username("staff1"))
    r = _post(client, f"/api/v1/skp/{plan.id}/submit", version=plan.version)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "DIAJUKAN"
    version = r.get_json()["version"]
    r = _post(client, f"/api/v1/skp/{plan.id}/approve", version=version)  # the owner cannot approve
    assert r.status_code == 422 and r.get_json()["error_code"] == "WRONG_ACTOR"
    client.get("/logout/")
    login(client, org.username("kabid"))
    r = _post(client, f"/api/v1/skp/{plan.id}/return", version=version)
    assert r.status_code == 422 and r.get_json()["error_code"] == "COMMENT_REQUIRED"
    r = _post(client, f"/api/v1/skp/{plan.id}/approve", version=version, comment="Lanjutkan")
    assert r.status_code == 200 and r.get_json()["status"] == "DISETUJUI"
    r = _post(client, f"/api/v1/skp/{plan.id}/return", version=r.get_json()["version"], notes="x")
    assert r.status_code == 422 and r.get_json()["error_code"] == "FINAL"  # an approved plan never changes


def test_evaluation_cannot_be_finalised_before_it_is_rated(client, db, org, plan):
    S.submit_plan(db.session, ctx(org, "staff1"), plan)
    S.approve_plan(db.session, ctx(org, "kabid"), plan)
    period = Period(year=YEAR, kind="ANNUAL", number=1, code=str(YEAR), starts_on=date(YEAR, 1, 1),
                    ends_on=date(YEAR, 12, 31))
    db.session.add(period)
    db.session.commit()
    S.open_evaluations(db.session, ctx(org, "analis"), period)
    evaluation = db.session.query(Evaluation).filter_by(skp_id=plan.id).one()
    login(client, org.username("kabid"))
    r = _post(client, f"/api/v1/evaluation/{evaluation.id}/finalise", version=evaluation.version)
    assert r.status_code == 422 and r.get_json()["error_code"] == "NOT_ALLOWED"
    r = _post(client, f"/api/v1/evaluation/{evaluation.id}/rate", version=evaluation.version,
              hasil_rating="DI_ATAS", perilaku_rating="SESUAI", predikat="SANGAT_BAIK")  # a typed predikat is ignored
    assert r.status_code == 200 and r.get_json()["predikat"] == "BAIK"
    r = _post(client, f"/api/v1/evaluation/{evaluation.id}/rate", version=r.get_json()["version"],
              hasil_rating="LUAR_BIASA", perilaku_rating="SESUAI")
    assert r.status_code == 422 and "hasil_rating" in r.get_json()["message"]
    version = db.session.get(Evaluation, evaluation.id).version
    r = _post(client, f"/api/v1/evaluation/{evaluation.id}/finalise", version=version)
    assert r.status_code == 200 and r.get_json()["status"] == "FINAL"
    client.get("/logout/")
    login(client, org.username("staff1"))
    r = _post(client, f"/api/v1/evaluation/{evaluation.id}/objection", reasons="Mohon ditinjau")
    assert r.status_code == 200 and r.get_json()["status"] == "DIAJUKAN"
    objection_id = r.get_json()["id"]
    r = client.get(f"/api/v1/objection/{objection_id}")
    assert r.status_code == 200 and r.get_json()["result"]["reasons"] == "Mohon ditinjau"
    r = _post(client, f"/api/v1/objection/{objection_id}/decide", version=1, decision="TETAP", decision_text="x")
    assert r.status_code == 422  # the decision cannot skip the rater's explanation (and is not Budi's)


def test_outside_the_scope_is_404_and_stale_version_409(client, db, org, plan):
    login(client, org.username("staff2"))  # Dewi: another employee of the same bidang
    assert client.get(f"/api/v1/skp/{plan.id}").status_code == 404
    assert _post(client, f"/api/v1/skp/{plan.id}/submit", version=plan.version).status_code == 404
    listing = client.get("/api/v1/skp/?q=(page_size:100)").get_json()
    assert plan.id not in listing["ids"]
    client.get("/logout/")
    login(client, org.username("kadisdik"))  # another OPD
    assert client.get(f"/api/v1/skp/{plan.id}").status_code == 404
    client.get("/logout/")
    login(client, org.username("staff1"))
    assert client.get(f"/api/v1/skp/{plan.id}").status_code == 200
    assert _post(client, f"/api/v1/skp/{plan.id}/submit", version=plan.version - 1).status_code == 409
    r = _post(client, f"/api/v1/skp/{plan.id}/submit")
    assert r.status_code == 422 and "version" in r.get_json()["message"]
    r = client.post(f"/api/v1/skp/{plan.id}/submit", data={"version": plan.version})  # not JSON
    assert r.status_code == 400
    assert _post(client, "/api/v1/skp/abc/submit", version=1).status_code == 404
    seen = plan.version
    r = _post(client, f"/api/v1/skp/{plan.id}/submit", version=seen)
    assert r.status_code == 200 and r.get_json()["version"] > seen
    r2 = _post(client, f"/api/v1/skp/{plan.id}/withdraw", version=seen)  # the version before the submit
    assert r2.status_code == 409 and r2.get_json()["message"]


def test_trainer_and_anonymous_have_no_access(client, db, org, plan):
    assert client.get("/api/v1/skp/").status_code == 401
    assert _post(client, f"/api/v1/skp/{plan.id}/submit", version=1).status_code == 401
    login(client, "pelatih")
    assert client.get("/api/v1/skp/").status_code == 403
    assert _post(client, f"/api/v1/skp/{plan.id}/submit", version=1).status_code == 403


def test_evidence_download_refused_outside_the_scope(db, org, plan, tmp_path):
    import io

    from app.security.scope import build_scope

    S.submit_plan(db.session, ctx(org, "staff1"), plan)
    S.approve_plan(db.session, ctx(org, "kabid"), plan)
    progress = S.add_progress(db.session, ctx(org, "staff1"), plan.rhks[0], None, 1, "Rekap", date(YEAR, 2, 1))
    evidence = S.add_evidence_file(db.session, ctx(org, "staff1"), progress, io.BytesIO(b"%PDF-1.4\n"), "a.pdf",
                                   S.FileStore(tmp_path))
    guru = org.employees["guru"]
    assert S.evidence_for_download(db.session, build_scope({"Pegawai"}, guru.id, guru.unit_id), evidence.id) is None
    staff = org.employees["staff1"]
    assert S.evidence_for_download(db.session, build_scope({"Pegawai"}, staff.id, staff.unit_id), evidence.id)


# --- the plan's content, progress, feedback and timeline through the API (what the planning screens write) ---

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _json(r):
    return r.get_json() or {}


def _fields(r) -> dict:
    """The field errors of a 422 answer ({field: [messages]})."""
    assert r.status_code == 422, (r.status_code, r.get_json())
    message = r.get_json()["message"]
    assert isinstance(message, dict), message
    return message


def _stored_files(app) -> int:
    from pathlib import Path

    return sum(1 for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def _count(db, model, **where) -> int:
    from sqlalchemy import func, select

    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def _bearer(client, username) -> dict:
    from conftest import PASSWORD

    r = client.post("/api/v1/security/login", json={"username": username, "password": PASSWORD, "provider": "db",
                                                     "refresh": False})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


@pytest.fixture
def approved(db, org, plan):
    """Budi's plan of the `plan` fixture, submitted and approved by Siti."""
    S.submit_plan(db.session, ctx(org, "staff1"), plan, plan.version)
    S.approve_plan(db.session, ctx(org, "kabid"), plan, plan.version)
    return plan


def test_start_own_plan(client, db, org):
    from app.performance.models import Skp

    login(client, org.username("staff1"))
    r = _post(client, "/api/v1/skp/start", year=YEAR)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["revision"], body["is_current"]) == ("DRAFT", 1, True)
    assert body["status_label"] and body["version"] >= 1
    skp = db.session.get(Skp, body["id"])
    assert skp.employee_id == org.employees["staff1"].id and skp.rater_id == org.employees["kabid"].id
    assert skp.approach == "KUANTITATIF"
    assert "year" in _fields(_post(client, "/api/v1/skp/start", year=YEAR))  # one plan per year
    assert "year" in _fields(_post(client, "/api/v1/skp/start", year=str(YEAR + 1)))  # a number, not text
    assert "year" in _fields(_post(client, "/api/v1/skp/start", year=1999))
    assert "year" in _fields(_post(client, "/api/v1/skp/start"))
    assert "approach" in _fields(_post(client, "/api/v1/skp/start", year=YEAR + 1, approach=["KUALITATIF"]))
    assert client.post("/api/v1/skp/start", data={"year": YEAR + 1}).status_code == 400  # not JSON
    r = _post(client, "/api/v1/skp/start", year=YEAR + 1, approach="KUALITATIF")
    assert r.status_code == 200 and db.session.get(Skp, r.get_json()["id"]).approach == "KUALITATIF"
    assert _count(db, Skp, employee_id=org.employees["staff1"].id) == 2
    client.get("/logout/")
    login(client, "admin")  # no employee record: no plan of one's own
    r = _post(client, "/api/v1/skp/start", year=YEAR)
    assert r.status_code == 422 and r.get_json()["error_code"] == "NO_EMPLOYEE"
    assert _count(db, Skp) == 2


def test_plan_content_round_trip_and_rules(client, db, org, plan):
    login(client, org.username("staff1"))
    r = client.get(f"/api/v1/skp/{plan.id}/plan")
    assert r.status_code == 200
    content = r.get_json()
    assert content["id"] == plan.id and content["approach"] == "KUANTITATIF" and content["expectations"] == []
    rhk = content["rhks"][0]
    rhk_id, indicator_id = rhk["id"], rhk["indicators"][0]["id"]
    assert rhk["indicators"][0]["target_value"] == "12" and rhk["parent_rhk_id"] is not None

    # the screen's shape back, changed: RHK and indicator ids are kept, a new indicator and RHK are created
    rhk["text"] = "Tersedianya data kasus penyakit menular yang mutakhir"
    rhk["indicators"].append({"aspect": "WAKTU", "text": "Ketepatan waktu", "target_value": 12,
                              "target_unit": "bulan"})
    new_rhk = {"kind": "TAMBAHAN", "text": "Pendampingan puskesmas", "indicators": [
        {"aspect": "KUALITAS", "text": "Puskesmas didampingi", "target_value": "4.5", "target_unit": "puskesmas"}]}
    r = client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": content["version"], "rhks": [rhk, new_rhk]})
    assert r.status_code == 200, r.get_json()
    saved = r.get_json()
    assert saved["version"] > content["version"] and saved["status"] == "DRAFT"
    assert [x["id"] for x in saved["rhks"]][0] == rhk_id and saved["rhks"][0]["indicators"][0]["id"] == indicator_id
    assert [i["target_value"] for i in saved["rhks"][0]["indicators"]] == ["12", "12"]
    assert saved["rhks"][1]["kind"] == "TAMBAHAN" and saved["rhks"][1]["indicators"][0]["target_value"] == "4.5"
    db.session.expire_all()
    assert [r.text for r in plan.rhks] == [rhk["text"], "Pendampingan puskesmas"]

    # refused input: a negative quantitative target, a supported RHK that is not the rater's, bad shapes
    bad = [dict(rhk, indicators=[dict(rhk["indicators"][0], target_value=-3)])]
    errors = _fields(client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": saved["version"], "rhks": bad}))
    assert "rhks-0-indicators-0-target_value" in errors
    errors = _fields(client.put(f"/api/v1/skp/{plan.id}/plan", json={
        "version": saved["version"], "rhks": [dict(rhk, parent_rhk_id=rhk_id)]}))
    assert "rhks-0-parent_rhk_id" in errors
    errors = _fields(client.put(f"/api/v1/skp/{plan.id}/plan", json={
        "version": saved["version"], "rhks": [dict(rhk, text=["a"])]}))
    assert "rhks-0-text" in errors
    assert "rhks" in _fields(client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": saved["version"],
                                                                           "rhks": "RHK"}))
    assert "approach" in _fields(client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": saved["version"],
                                                                               "approach": {"x": 1}}))
    assert "version" in _fields(client.put(f"/api/v1/skp/{plan.id}/plan", json={"rhks": [rhk]}))
    r = client.put(f"/api/v1/skp/{plan.id}/plan", data='{"version": 1, "rhks": [NaN]}',
                   content_type="application/json")
    assert r.status_code == 422  # not a finite number: refused, not a server error
    r = client.put(f"/api/v1/skp/{plan.id}/plan", data='{"version": 1, "rhks": [{"text": "\\ud800"}]}',
                   content_type="application/json")
    assert r.status_code == 422  # a lone surrogate: no database stores it
    assert client.put(f"/api/v1/skp/{plan.id}/plan", data={"version": saved["version"]}).status_code == 400
    # a stale version: 409, nothing saved
    r = client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": content["version"], "rhks": []})
    assert r.status_code == 409 and r.get_json()["message"]
    db.session.expire_all()
    assert len(plan.rhks) == 2 and plan.version == saved["version"]
    client.get("/logout/")

    # another employee: 404, never the content; the rater may not touch a Draft
    login(client, org.username("staff2"))
    r = client.get(f"/api/v1/skp/{plan.id}/plan")
    assert r.status_code == 404 and "penyakit" not in r.get_data(as_text=True)
    assert client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": saved["version"], "rhks": []}).status_code == 404
    client.get("/logout/")
    login(client, org.username("kabid"))
    r = client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": saved["version"], "rhks": []})
    assert r.status_code == 422 and r.get_json()["error_code"] == "NOT_ALLOWED"
    assert client.get(f"/api/v1/skp/{plan.id}/plan").status_code == 200  # but may read it


def test_rater_writes_expectations_and_an_approved_plan_is_frozen(client, db, org, plan):
    import sqlalchemy as sa

    core_value_id = db.session.scalar(sa.text("SELECT id FROM core_value ORDER BY sort_order LIMIT 1"))
    S.submit_plan(db.session, ctx(org, "staff1"), plan, plan.version)
    login(client, org.username("kabid"))
    expectations = [{"core_value_id": core_value_id, "text": "Melayani permintaan data dalam 2 hari"}]
    r = client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": plan.version, "rhks": []})
    assert "rhks" in _fields(r)  # the rater writes the expectations, not the RHKs
    r = client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": plan.version, "expectations": expectations})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["expectations"] == expectations and len(r.get_json()["rhks"]) == 1
    version = r.get_json()["version"]
    assert "expectations-0-core_value_id" in _fields(client.put(f"/api/v1/skp/{plan.id}/plan", json={
        "version": version, "expectations": [{"core_value_id": 999999, "text": "x"}]}))
    r = _post(client, f"/api/v1/skp/{plan.id}/approve", version=version)
    assert r.status_code == 200
    r = client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": r.get_json()["version"], "expectations": []})
    assert r.status_code == 422 and r.get_json()["error_code"] == "FINAL"
    client.get("/logout/")
    login(client, org.username("staff1"))
    db.session.expire_all()
    r = client.put(f"/api/v1/skp/{plan.id}/plan", json={"version": plan.version, "rhks": []})
    assert r.status_code == 422 and r.get_json()["error_code"] == "FINAL"  # approved: start a revision instead
    db.session.expire_all()
    assert len(plan.rhks) == 1 and [e.text for e in plan.expectations] == [expectations[0]["text"]]


def test_progress_as_json_and_as_a_form_with_evidence(app, client, db, org, approved):
    from app.performance.models import Evidence, Progress

    rhk = approved.rhks[0]
    indicator = rhk.indicators[0]
    login(client, org.username("staff1"))
    url = f"/api/v1/skp/{approved.id}/progress"
    r = client.post(url, json={"rhk": rhk.id, "indicator": indicator.id, "value": 3, "description": "Laporan Januari",
                               "achieved_on": f"{YEAR}-01-31", "url": "https://example.org/laporan-januari"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["skp_id"], body["rhk_id"], body["indicator_id"]) == (approved.id, rhk.id, indicator.id)
    assert body["value"] == "3.00" and body["achieved_on"] == f"{YEAR}-01-31"
    assert [(e["kind"], e["url"]) for e in body["evidence"]] == [("LINK", "https://example.org/laporan-januari")]

    # a form with a file, with the session: the page's CSRF token is needed
    files = _stored_files(app)
    form = {"rhk": str(rhk.id), "value": "2,5", "description": "Laporan Februari", "achieved_on": f"{YEAR}-02-28"}
    r = client.post(url, content_type="multipart/form-data",
                    data=dict(form, file=(io.BytesIO(PDF), "laporan.pdf")))
    assert r.status_code == 400 and _count(db, Progress) == 1 and _stored_files(app) == files
    token = csrf_token(client, f"/plans/{approved.id}")
    r = client.post(url, content_type="multipart/form-data",
                    data=dict(form, csrf_token=token, file=(io.BytesIO(PDF), "laporan.pdf")))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["value"] == "2.50" and body["indicator_id"] is None
    (item,) = body["evidence"]
    assert (item["kind"], item["original_name"], item["content_type"]) == ("FILE", "laporan.pdf", "application/pdf")
    assert client.get(item["download_url"]).data == PDF
    assert _stored_files(app) == files + 1
    # with a JWT no CSRF token is needed (a cross-site form cannot send the Authorization header)
    headers = _bearer(app.test_client(), org.username("staff1"))
    r = app.test_client().post(url, headers=headers, content_type="multipart/form-data",
                               data=dict(form, file=(io.BytesIO(PDF), "maret.pdf"), url="https://example.org/m"))
    assert r.status_code == 200, r.get_json()
    assert sorted(e["kind"] for e in r.get_json()["evidence"]) == ["FILE", "LINK"]
    assert _count(db, Progress) == 3 and _count(db, Evidence) == 4
    assert client.post(url, data=form).status_code == 400  # urlencoded: neither JSON nor a form with a file


def test_progress_refused_input_saves_nothing(app, client, db, org, approved, monkeypatch):
    from app.performance.models import Evidence, Progress

    rhk = approved.rhks[0]
    login(client, org.username("staff1"))
    url = f"/api/v1/skp/{approved.id}/progress"
    token = csrf_token(client, f"/plans/{approved.id}")
    good = {"rhk": rhk.id, "value": 1, "description": "Laporan", "achieved_on": f"{YEAR}-03-01"}
    files = _stored_files(app)

    def form(**changes):
        data = {k: str(v) for k, v in dict(good, csrf_token=token).items()}
        data.update(changes)
        return client.post(url, content_type="multipart/form-data", data=data)

    assert "value" in _fields(_post(client, url, **dict(good, value=-1)))
    assert "value" in _fields(_post(client, url, **dict(good, value="banyak")))
    assert "description" in _fields(_post(client, url, **dict(good, description=" ")))
    assert "achieved_on" in _fields(_post(client, url, **dict(good, achieved_on=f"{YEAR - 1}-12-31")))
    assert "achieved_on" in _fields(_post(client, url, **dict(good, achieved_on="31-03-2026")))
    assert "achieved_on" in _fields(_post(client, url, **dict(good, achieved_on=None)))
    assert "rhk" in _fields(_post(client, url, **dict(good, rhk=999999)))
    other = approved_plan(db, org, "staff2", "kabid")  # an indicator of another plan's RHK
    assert "indicator" in _fields(_post(client, url, **dict(good, indicator=other.rhks[0].indicators[0].id)))
    assert "url" in _fields(client.post(url, json=dict(good, url="javascript:alert(1)")))
    assert "url" in _fields(client.post(url, json=dict(good, url="http://[::1")))
    # evidence refused by its content (an HTML page named .pdf), by its size: nothing of the report is kept
    errors = _fields(form(file=(io.BytesIO(b"<html><script>alert(1)</script></html>"), "laporan.pdf")))
    assert list(errors) == ["file"]
    errors = _fields(form(value="-2", file=(io.BytesIO(b"<html></html>"), "x.pdf")))
    assert {"file", "value"} <= set(errors)  # every error at once
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024 * 1024)
    errors = _fields(form(file=(io.BytesIO(PDF + b"0" * (1024 * 1024)), "besar.pdf")))
    assert "file" in errors and "MB" in errors["file"][0]
    assert _count(db, Progress) == 0 and _count(db, Evidence) == 0 and _stored_files(app) == files

    # the evidence failing after the entry and its file were written: both are removed again
    def refuse_link(*args, **kwargs):
        raise S.DomainValidationError({"url": "refused"})

    monkeypatch.setattr(S, "add_evidence_link", refuse_link)
    errors = _fields(form(url="https://example.org/bukti", file=(io.BytesIO(PDF), "bukti.pdf")))
    assert errors == {"url": ["refused"]}
    assert _count(db, Progress) == 0 and _count(db, Evidence) == 0 and _stored_files(app) == files

    # beyond what the server accepts at all (MAX_CONTENT_LENGTH): 413, as documented
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    r = form(file=(io.BytesIO(PDF + b"0" * (128 * 1024)), "besar.pdf"))
    assert r.status_code == 413 and r.is_json
    assert _count(db, Progress) == 0 and _stored_files(app) == files


def test_progress_only_by_the_owner_of_an_approved_plan(client, db, org, plan, approved):
    from app.performance.models import Progress

    body = {"rhk": approved.rhks[0].id, "value": 1, "description": "Laporan", "achieved_on": f"{YEAR}-03-01"}
    login(client, org.username("kabid"))  # the rater reads the plan but reports no progress on it
    r = _post(client, f"/api/v1/skp/{approved.id}/progress", **body)
    assert r.status_code == 422 and r.get_json()["error_code"] == "WRONG_ACTOR"
    client.get("/logout/")
    login(client, org.username("staff2"))  # another employee: 404
    assert _post(client, f"/api/v1/skp/{approved.id}/progress", **body).status_code == 404
    assert _post(client, "/api/v1/skp/abc/progress", **body).status_code == 404
    client.get("/logout/")
    draft = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR + 1)
    S.save_plan(db.session, ctx(org, "staff1"), draft, plan_data(), draft.version)
    login(client, org.username("staff1"))
    r = _post(client, f"/api/v1/skp/{draft.id}/progress", **dict(body, rhk=draft.rhks[0].id,
                                                                  achieved_on=f"{YEAR + 1}-03-01"))
    assert r.status_code == 422 and r.get_json()["error_code"] == "NOT_ALLOWED"  # a Draft: no progress yet
    assert _count(db, Progress) == 0


def test_feedback_thread(client, db, org, approved):
    import sqlalchemy as sa

    from app.performance.models import Feedback

    core_value_id = db.session.scalar(sa.text("SELECT id FROM core_value ORDER BY sort_order LIMIT 1"))
    rhk_id = approved.rhks[0].id
    url = f"/api/v1/skp/{approved.id}/feedback"
    login(client, org.username("kabid"))
    r = _post(client, url, rhk=rhk_id, text="Pertahankan ketepatan waktu")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["skp_id"], body["rhk_id"], body["core_value_id"]) == (approved.id, rhk_id, None)
    assert body["author_name"] == org.employees["kabid"].full_name and body["text"] == "Pertahankan ketepatan waktu"
    client.get("/logout/")
    login(client, org.username("staff1"))
    r = _post(client, url, core_value=core_value_id, text="Saya sudah ikut pelatihan layanan")
    assert r.status_code == 200 and r.get_json()["core_value_id"] == core_value_id
    assert "rhk" in _fields(_post(client, url, text="Tanpa sasaran"))  # an RHK or a core value
    assert "text" in _fields(_post(client, url, rhk=rhk_id, text=""))
    assert "rhk" in _fields(_post(client, url, rhk=999999, text="x"))
    assert "core_value" in _fields(_post(client, url, core_value=999999, text="x"))
    assert client.post(url, data={"rhk": rhk_id, "text": "x"}).status_code == 400
    client.get("/logout/")
    login(client, org.username("staff2"))
    assert _post(client, url, rhk=rhk_id, text="Bukan urusan saya").status_code == 404
    client.get("/logout/")
    login(client, org.username("kadis"))  # the rater's supervisor reads the plan, is not in the thread
    r = _post(client, url, rhk=rhk_id, text="Dari kepala dinas")
    assert r.status_code == 422 and r.get_json()["error_code"] == "WRONG_ACTOR"
    assert _count(db, Feedback, skp_id=approved.id) == 2


def test_feedback_needs_an_approved_plan(client, db, org, plan):
    login(client, org.username("staff1"))
    r = _post(client, f"/api/v1/skp/{plan.id}/feedback", rhk=plan.rhks[0].id, text="Terlalu awal")
    assert r.status_code == 422 and r.get_json()["error_code"] == "NOT_ALLOWED"


def test_timeline(client, db, org, approved):
    login(client, org.username("staff1"))
    r = client.get(f"/api/v1/skp/{approved.id}/timeline")
    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == approved.id and body["count"] == 3
    steps = [(e["from_state"], e["to_state"]) for e in body["result"]]
    assert steps == [(None, "DRAFT"), ("DRAFT", "DIAJUKAN"), ("DIAJUKAN", "DISETUJUI")]
    assert body["result"][2]["actor_kind"] == "RATER" and body["result"][2]["to_label"]
    assert all(e["at"] and e["actor_name"] for e in body["result"])
    client.get("/logout/")
    login(client, org.username("staff2"))
    assert client.get(f"/api/v1/skp/{approved.id}/timeline").status_code == 404
    assert client.get("/api/v1/skp/abc/timeline").status_code == 404


def test_openapi_documents_the_bodies(client, db, org):
    login(client, "admin")
    paths = client.get("/api/v1/_openapi").get_json()["paths"]
    put = paths["/api/v1/skp/{pk}/plan"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    rhk = put["properties"]["rhks"]["items"]
    assert put["required"] == ["version"] and "indicators" in rhk["properties"]
    assert "target_value" in rhk["properties"]["indicators"]["items"]["properties"]
    assert "get" in paths["/api/v1/skp/{pk}/plan"]
    progress = paths["/api/v1/skp/{pk}/progress"]["post"]["requestBody"]["content"]
    assert progress["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    assert set(progress["application/json"]["schema"]["required"]) == {"rhk", "description", "achieved_on"}
    assert "year" in paths["/api/v1/skp/start"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"]
    assert {"/api/v1/skp/{pk}/feedback", "/api/v1/skp/{pk}/timeline"} <= set(paths)
