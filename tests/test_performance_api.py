"""The REST API of the performance cycle (/api/v1/skp, /evaluation, /objection) with the browser session:
no state can be skipped (422 with a clear message), 404 outside the scope, 409 on a stale version, 400 for a
body that is not JSON, and the scope of the read verbs."""
from __future__ import annotations

from datetime import date

import pytest

from app.performance import services as S
from app.performance.models import Evaluation, Period
from conftest import login
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
