"""The training REST API (app/training/api.py): the same rules and row scope as the screens; refusals are
422 with a message (and an error code), outside the scope 404, never a 500."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from access_training import enroll, external, make_session, now
from conftest import login, logout
from app.training.models import TrainingParticipant, TrainingSession


def _as(client, who):
    logout(client)
    login(client, who)
    client.get("/lang/en")


def _iso(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def test_create_update_delete_a_session_with_validation(client, db, org):
    _as(client, org.username("analis"))
    start = now() + timedelta(days=3)
    body = {"title": "Sosialisasi Penilaian Kinerja", "kind": "SOSIALISASI", "method": "SEMINAR",
            "organiser": "BKPSDM", "online_url": "https://zoom.example.test/j/1", "starts_at": _iso(start),
            "ends_at": _iso(start + timedelta(hours=2)), "jp": 2, "capacity": 100,
            "units": [org.units["dinkes"].id]}
    r = client.post("/api/v1/training_session/", json=body)
    assert r.status_code == 201, r.get_json()
    pk = r.get_json()["id"]
    item = db.session.get(TrainingSession, pk)
    assert item.kind == "SOSIALISASI" and [u.id for u in item.units] == [org.units["dinkes"].id]
    for change, field in (({"jp": 0}, "jp"), ({"capacity": 0}, "capacity"), ({"jp": 3}, "jp"),
                          ({"ends_at": _iso(start - timedelta(hours=1))}, "ends_at"), ({"kind": "RAPAT"}, "kind"),
                          ({"title": "x" * 201}, "title")):
        r = client.put(f"/api/v1/training_session/{pk}", json=change)
        assert r.status_code in (400, 422) and field in str(r.get_json()["message"]), (change, r.get_json())
    r = client.put(f"/api/v1/training_session/{pk}", json={"capacity": 50})
    assert r.status_code == 200
    assert client.delete(f"/api/v1/training_session/{pk}").status_code == 200
    # a Pimpinan may read but not write
    _as(client, org.username("kadis"))
    assert client.post("/api/v1/training_session/", json=body).status_code == 403


def test_invite_overflow_and_double_enrollment_by_api(client, db, org):
    s = make_session(db, org, capacity=1, starts_at=now() + timedelta(days=2))
    _as(client, org.username("analis"))
    e = org.employees
    r = client.post(f"/api/v1/training_session/{s.id}/invite", json={"employee_ids": [e["staff1"].id, e["staff2"].id]})
    body = r.get_json()
    assert r.status_code == 200 and body["invited_ids"] == [e["staff1"].id] and body["waitlisted_ids"] == [e["staff2"].id]
    assert (body["invited"], body["waiting"]) == (1, 1)
    r = client.post(f"/api/v1/training_session/{s.id}/invite", json={"employee_ids": [e["staff1"].id]})
    assert r.status_code == 422 and "Already registered" in str(r.get_json()["message"])
    r = client.post(f"/api/v1/training_session/{s.id}/invite", json={"unit_id": org.units["p2p"].id})
    assert r.status_code == 200 and sorted(r.get_json()["skipped_ids"]) == sorted([e["staff1"].id, e["staff2"].id])
    for bad in ([], {"employee_ids": "1"}, {"employee_ids": [999999]}, {"unit_id": 999999}):
        r = client.post(f"/api/v1/training_session/{s.id}/invite", json=bad)
        assert r.status_code in (400, 422), bad


def test_check_in_wrong_expired_reused_by_api(client, db, org):
    s = make_session(db, org, code="XYZ789")
    enroll(db, org, s, "staff1")
    ended = make_session(db, org, starts_at=now() - timedelta(hours=6), hours=2, code="OLD234")
    enroll(db, org, ended, "staff1")
    _as(client, org.username("staff1"))
    url = f"/api/v1/training_session/{s.id}/check-in"
    r = client.post(url, json={"code": "AAAAAA"})
    assert r.status_code == 422 and r.get_json()["error_code"] == "WRONG_CODE"
    r = client.post(url, json={"code": "xyz789"})
    assert r.status_code == 200 and r.get_json()["attendance"] == "HADIR" and r.get_json()["present"] == 1
    r = client.post(url, json={"code": "XYZ789"})
    assert r.status_code == 422 and r.get_json()["error_code"] == "ALREADY"
    r = client.post(f"/api/v1/training_session/{ended.id}/check-in", json={"code": "OLD234"})
    assert r.status_code == 422 and r.get_json()["error_code"] == "EXPIRED"
    r = client.post(url, data="code=XYZ789", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    # someone else's session: 404
    other = make_session(db, org)
    enroll(db, org, other, "staff2")
    assert client.post(f"/api/v1/training_session/{other.id}/check-in", json={"code": "KODE23"}).status_code == 404


def test_attendance_by_api_is_all_or_nothing_and_for_the_trainer(client, db, org):
    s = make_session(db, org)
    enroll(db, org, s, "staff1")
    e = org.employees
    _as(client, "pelatih")
    url = f"/api/v1/training_session/{s.id}/attendance"
    r = client.post(url, json={"entries": [{"employee_id": e["staff1"].id, "attendance": "HADIR", "post_score": 80},
                                           {"employee_id": e["guru"].id, "attendance": "HADIR"}]})
    assert r.status_code == 422 and "entries-1-employee_id" in r.get_json()["message"]
    db.session.expire_all()
    assert db.session.scalar(select(TrainingParticipant.attendance)) is None
    r = client.post(url, json={"entries": [{"employee_id": e["staff1"].id, "attendance": "HADIR", "post_score": 80}]})
    assert r.status_code == 200 and r.get_json()["changed"] == 1
    for bad in ({"entries": "x"}, {"entries": [{"employee_id": e["staff1"].id, "pre_score": 101}]},
                {"entries": [{"employee_id": "abc"}]}, {"entries": [None]}):
        assert client.post(url, json=bad).status_code == 422, bad
    r = client.post(f"/api/v1/training_session/{s.id}/close", json={})
    assert r.status_code == 200 and r.get_json()["status"] == "DITUTUP"
    r = client.post(url, json={"entries": [{"employee_id": e["staff1"].id, "attendance": "IZIN"}]})
    assert r.status_code == 422 and r.get_json()["error_code"] == "CLOSED"
    # a session the trainer does not train: not found
    other = make_session(db, org, trainers=())
    enroll(db, org, other, "staff1")
    assert client.post(f"/api/v1/training_session/{other.id}/close", json={}).status_code == 404


def test_reads_follow_the_scope(client, db, org):
    mine = make_session(db, org, trainers=())
    enroll(db, org, mine, "staff1")
    theirs = make_session(db, org, trainers=())
    enroll(db, org, theirs, "guru")
    external(db, org, "staff1")
    external(db, org, "guru")
    _as(client, org.username("staff1"))
    assert [r["id"] for r in client.get("/api/v1/training_session/").get_json()["result"]] == [mine.id]
    assert client.get(f"/api/v1/training_session/{theirs.id}").status_code == 404
    assert client.get("/api/v1/training_participant/").get_json()["count"] == 1
    assert client.get("/api/v1/external_training/").get_json()["count"] == 1
    assert client.get("/api/v1/training_session/_info").status_code == 403
    _as(client, org.username("kadis"))  # Pimpinan of Dinas Kesehatan: Budi's session, not Yuni's
    ids = [r["id"] for r in client.get("/api/v1/training_session/").get_json()["result"]]
    assert ids == [mine.id]
    assert client.get(f"/api/v1/jp_ledger/?unit={org.units['disdik'].id}").status_code == 404
    assert client.get("/api/v1/jp_ledger/?year=abc").status_code == 400
    _as(client, "pelatih")  # trains neither
    assert client.get("/api/v1/training_session/").get_json()["count"] == 0
    assert client.get("/api/v1/jp_ledger/").status_code == 403


def test_feedback_by_api(client, db, org):
    s = make_session(db, org, starts_at=now() - timedelta(days=1), hours=3)
    enroll(db, org, s, "staff1", attendance="HADIR")
    _as(client, org.username("staff1"))
    url = f"/api/v1/training_session/{s.id}/feedback"
    assert client.post(url, json={"rating": 9}).status_code == 422
    assert client.post(url, json={"rating": 5, "comment": "Materi jelas"}).status_code == 200
    r = client.post(url, json={"rating": 4})
    assert r.status_code == 422 and r.get_json()["error_code"] == "ALREADY"
