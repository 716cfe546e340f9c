"""Issue 5's missing training features and the paged screens:

* reopening a closed attendance (the Pengelola Kinerja, with a reason; audited; in the session's history; the
  JP ledger follows);
* the self check-in lock after 5 wrong codes (10 minutes, in the database);
* ``POST /api/v1/external_training/`` (JSON, and multipart with the certificate checked by content);
* the paged roster ("all" bulk actions, complete exports) and the paged "Sesi Saya".
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from access_training import PDF, ctx_for, enroll, make_session, now
from conftest import csrf_token, login, logout
from app.core.audit import AuditLog
from app.core.errors import DomainValidationError
from app.training import rules, services
from app.training.models import ExternalTraining, TrainingParticipant, TrainingSession, TrainingSessionEvent
from app.training.rules import TrainingRuleError


def _as(client, who):
    logout(client)
    login(client, who)
    client.get("/lang/en")


def _token(client):
    return csrf_token(client, "/resetmypassword/form")


def _jp(db, org, key):
    db.session.expire_all()
    return services.employee_jp(db.session, org.employees[key].id, now().year)[0]


# --- reopening a closed attendance --------------------------------------------------------------------------------

def test_only_the_pengelola_reopens_a_closed_attendance_with_a_reason(db, org):
    s = make_session(db, org, starts_at=now() - timedelta(hours=3), hours=2, jp=6)
    enroll(db, org, s, "staff1", attendance="HADIR")
    enroll(db, org, s, "staff2")
    pelatih, analis = ctx_for(org, "pelatih"), ctx_for(org, "analis")
    assert services.close_attendance(db.session, pelatih, s) == 1
    assert _jp(db, org, "staff1") == 6
    with pytest.raises(TrainingRuleError) as refused:
        services.reopen_attendance(db.session, pelatih, s, "Pelatih salah mencatat kehadiran")
    assert refused.value.code == "WRONG_ACTOR"
    for bad in (None, "", "   ", "kurang", 12, "x" * (rules.REOPEN_REASON_MAX + 1)):
        with pytest.raises(DomainValidationError) as invalid:
            services.reopen_attendance(db.session, analis, s, bad)
        assert "reason" in invalid.value.errors
    db.session.expire_all()
    assert db.session.get(TrainingSession, s.id).status == "DITUTUP"
    services.reopen_attendance(db.session, analis, s, "  Peserta Budi hadir tetapi tercatat tidak hadir  ")
    db.session.expire_all()
    item = db.session.get(TrainingSession, s.id)
    assert (item.status, item.closed_at) == ("DIBUKA", None)
    # the JP ledger follows: an open attendance does not count
    assert _jp(db, org, "staff1") == 0
    # the roster can be corrected again, then closed again: the JP count again
    services.mark(db.session, pelatih, item, [org.employees["staff2"].id], "HADIR")
    services.close_attendance(db.session, pelatih, item)
    assert _jp(db, org, "staff1") == 6 and _jp(db, org, "staff2") == 6
    history = services.session_history(db.session, s.id)
    assert [h.kind for h in history] == ["DITUTUP", "DIBUKA_KEMBALI", "DITUTUP"]
    assert history[1].reason == "Peserta Budi hadir tetapi tercatat tidak hadir"
    assert history[1].user_id == org.users["analis"].id and history[0].user_id == org.users["pelatih"].id
    # audited: the session's status change and the history row
    changes = db.session.scalars(select(AuditLog.changes).where(AuditLog.table_name == "training_session",
                                                                AuditLog.record_id == str(s.id))).all()
    assert any('"DIBUKA"' in c and '"DITUTUP"' in c for c in changes)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.table_name == "training_session_event")) == 3
    # an open attendance cannot be reopened
    with pytest.raises(TrainingRuleError) as not_closed:
        services.reopen_attendance(db.session, analis, s, "Sudah dibuka sebelumnya ya")
        services.reopen_attendance(db.session, analis, s, "Sekali lagi dibuka ulang")
    assert not_closed.value.code == "NOT_CLOSED"


def test_reopen_on_the_roster_screen_and_by_api(client, db, org):
    s = make_session(db, org, starts_at=now() - timedelta(hours=3), hours=2, status="DITUTUP")
    enroll(db, org, s, "staff1", attendance="HADIR")
    _as(client, org.username("pelatih"))
    page = client.get(f"/training-sessions/{s.id}").get_data(as_text=True)
    assert "portal-reopen-attendance" not in page and "portal-session-history" in page
    r = client.post(f"/training-sessions/{s.id}/reopen", data={"csrf_token": _token(client),
                                                               "reason": "Pelatih ingin membuka kembali"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingSession, s.id).status == "DITUTUP"
    _as(client, org.username("analis"))
    assert "portal-reopen-attendance" in client.get(f"/training-sessions/{s.id}").get_data(as_text=True)
    r = client.post(f"/training-sessions/{s.id}/reopen", data={"csrf_token": _token(client), "reason": ""})
    assert r.status_code == 422 and "Give the reason for reopening" in r.get_data(as_text=True)
    r = client.post(f"/training-sessions/{s.id}/reopen", data={"csrf_token": _token(client),
                                                               "reason": "Koreksi daftar hadir <b>peserta</b>"},
                    follow_redirects=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "The attendance is open again" in body
    assert "Attendance reopened" in body and "Koreksi daftar hadir &lt;b&gt;peserta&lt;/b&gt;" in body
    # by API: the Pelatih has no write permission on sessions; the Pengelola reopens after closing again
    services.close_attendance(db.session, ctx_for(org, "analis"), db.session.get(TrainingSession, s.id))
    _as(client, org.username("pelatih"))
    assert client.post(f"/api/v1/training_session/{s.id}/reopen", json={"reason": "Dibuka kembali lewat API"}) \
        .status_code == 403
    _as(client, org.username("analis"))
    r = client.post(f"/api/v1/training_session/{s.id}/reopen", json={})
    assert r.status_code == 422 and "reason" in r.get_json()["message"]
    r = client.post(f"/api/v1/training_session/{s.id}/reopen", json={"reason": "Dibuka kembali lewat API"})
    assert r.status_code == 200 and r.get_json()["status"] == "DIBUKA"
    r = client.post(f"/api/v1/training_session/{s.id}/reopen", json={"reason": "Dibuka kembali lewat API"})
    assert r.status_code == 422 and r.get_json()["error_code"] == "NOT_CLOSED"
    assert db.session.scalar(select(func.count()).select_from(TrainingSessionEvent)
                             .where(TrainingSessionEvent.session_id == s.id)) == 3


# --- the check-in lock -------------------------------------------------------------------------------------------

def test_five_wrong_codes_lock_the_check_in_for_ten_minutes(db, org):
    start = now() - timedelta(hours=1)
    s = make_session(db, org, starts_at=start, hours=4, code="RIGHT2")
    enroll(db, org, s, "staff1")
    staff = ctx_for(org, "staff1")
    moment = start + timedelta(minutes=30)
    for i in range(rules.CHECKIN_MAX_FAILURES - 1):
        with pytest.raises(TrainingRuleError) as wrong:
            services.check_in(db.session, staff, s, f"WRONG{i}", now=moment)
        assert wrong.value.code == "WRONG_CODE"
        db.session.rollback()  # as the screens do: the count was committed before the refusal
    with pytest.raises(TrainingRuleError) as locked:
        services.check_in(db.session, staff, s, "WRONG9", now=moment)
    assert locked.value.code == "LOCKED" and "10 menit lagi" in str(locked.value.message)
    db.session.rollback()
    # stored in the database (every worker sees it): even the right code is refused while locked
    db.session.expire_all()
    row = db.session.scalar(select(TrainingParticipant).where(TrainingParticipant.session_id == s.id))
    assert row.checkin_failures == rules.CHECKIN_MAX_FAILURES and row.checkin_locked_until is not None
    with pytest.raises(TrainingRuleError) as still:
        services.check_in(db.session, staff, s, "RIGHT2", now=moment + timedelta(minutes=9, seconds=1))
    assert still.value.code == "LOCKED" and "1 menit lagi" in str(still.value.message)
    # another participant of the session is not locked
    enroll(db, org, s, "staff2")
    assert services.check_in(db.session, ctx_for(org, "staff2"), s, "RIGHT2", now=moment).attendance == "HADIR"
    # once the lock has run out the right code works, and the count starts again
    row = services.check_in(db.session, staff, s, "right2", now=moment + timedelta(minutes=10))
    assert row.attendance == "HADIR" and row.checkin_failures == 0 and row.checkin_locked_until is None


def test_check_in_lock_by_api_and_screen(client, db, org):
    s = make_session(db, org, code="GOOD23")
    enroll(db, org, s, "staff1")
    _as(client, org.username("staff1"))
    url = f"/api/v1/training_session/{s.id}/check-in"
    codes = [client.post(url, json={"code": "BAD234"}).get_json()["error_code"] for _ in range(5)]
    assert codes == ["WRONG_CODE"] * 4 + ["LOCKED"]
    r = client.post(url, json={"code": "GOOD23"})
    assert r.status_code == 422 and r.get_json()["error_code"] == "LOCKED"
    assert "Too many wrong attendance codes" in r.get_json()["message"]
    r = client.post(f"/my-training/{s.id}/check-in", data={"csrf_token": _token(client), "code": "GOOD23"},
                    follow_redirects=True)
    assert "Too many wrong attendance codes" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(TrainingParticipant.attendance).where(TrainingParticipant.session_id == s.id)) \
        is None


# --- REST create of external trainings ----------------------------------------------------------------------------

def _stored_files(app) -> set:
    import os

    return {name for _d, _s, files in os.walk(app.config["UPLOAD_DIR"]) for name in files}


def _external_body(**overrides):
    body = {"title": "Diklat Kearsipan Digital", "organiser": "ANRI", "method": "E_LEARNING",
            "started_on": "2025-05-01", "ended_on": "2025-05-03", "jp": 12, "certificate_number": "ANRI/2025/7"}
    body.update(overrides)
    return body


def test_employee_records_an_external_training_by_api(client, db, org, app):
    _as(client, org.username("staff1"))
    url = "/api/v1/external_training/"
    r = client.post(url, json=_external_body())
    assert r.status_code == 201, r.get_data(as_text=True)
    created = r.get_json()
    item = db.session.get(ExternalTraining, created["id"])
    assert item.employee_id == org.employees["staff1"].id and item.status == "DIAJUKAN" and item.stored_name is None
    assert created["result"]["status"] == "DIAJUKAN" and created["result"]["ended_on"] == "2025-05-03"
    # bad input: a message per field, nothing kept
    r = client.post(url, json=_external_body(ended_on="03-05-2025", jp=0, title="", method="TERBANG"))
    assert r.status_code == 422
    message = r.get_json()["message"]
    assert {"ended_on", "jp", "title", "method"} <= set(message)
    assert "YYYY-MM-DD" in message["ended_on"][0]
    r = client.post(url, json=_external_body(started_on="2025-05-04"))
    assert r.status_code == 422 and "before the start" in r.get_json()["message"]["ended_on"][0]
    r = client.post(url, json=_external_body(bogus=1))
    assert r.status_code == 422 and "bogus" in r.get_json()["message"]
    assert client.post(url, data="title=x", content_type="application/x-www-form-urlencoded").status_code == 400
    assert client.post(url, json=["x"]).status_code == 400
    # someone else's: refused like the form
    r = client.post(url, json=_external_body(employee_id=org.employees["staff2"].id))
    assert r.status_code == 422 and "employee_id" in r.get_json()["message"]
    r = client.post(url, json=_external_body(employee_id=10 ** 8, topic_id="x"))
    assert r.status_code == 422 and {"employee_id", "topic_id"} <= set(r.get_json()["message"])
    assert db.session.scalar(select(func.count()).select_from(ExternalTraining)) == 1
    # multipart with the certificate, checked by its content as on the screen
    files_before = _stored_files(app)
    r = client.post(url, data=dict(_external_body(certificate_number="ANRI/2025/8"), jp="12",
                                   file=(io.BytesIO(b"MZ not a pdf at all"), "sertifikat.pdf")),
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["message"]
    r = client.post(url, data=dict(_external_body(certificate_number="ANRI/2025/9"), jp="12",
                                   file=(io.BytesIO(PDF), "sertifikat.pdf")), content_type="multipart/form-data")
    assert r.status_code == 201, r.get_data(as_text=True)
    item = db.session.get(ExternalTraining, r.get_json()["id"])
    assert item.stored_name and item.content_type == "application/pdf" and item.original_name == "sertifikat.pdf"
    assert _stored_files(app) - files_before == {item.stored_name}  # the refused file was not kept
    assert client.get(f"/externaltrainingview/certificate/{item.id}").data.startswith(b"%PDF")


def test_organiser_records_anyones_external_training_verified(client, db, org):
    _as(client, org.username("analis"))
    r = client.post("/api/v1/external_training/", json=_external_body(employee_id=org.employees["guru"].id))
    assert r.status_code == 201
    item = db.session.get(ExternalTraining, r.get_json()["id"])
    assert item.status == "DISETUJUI" and item.verified_by_id == org.users["analis"].id
    # without an employee (the Pengelola here has one: their own)
    r = client.post("/api/v1/external_training/", json=_external_body())
    assert r.status_code == 201
    _as(client, org.username("pelatih"))
    assert client.post("/api/v1/external_training/", json=_external_body()).status_code == 403


# --- the paged roster and "Sesi Saya" -----------------------------------------------------------------------------

def test_roster_pages_bulk_marks_all_pages_and_exports_everyone(client, db, org, monkeypatch):
    from app.training import screens

    monkeypatch.setattr(screens, "ROSTER_PAGE_SIZE", 2)
    s = make_session(db, org, capacity=10)
    keys = ["staff1", "staff2", "perawat", "guru", "kabid"]
    for key in keys:
        enroll(db, org, s, key)
    _as(client, org.username("pelatih"))
    first = client.get(f"/training-sessions/{s.id}").get_data(as_text=True)
    assert "Page 1 of 3" in first and first.count('class="portal-roster-check"') == 2
    assert "all 5 invited participants (every page)" in first
    token = _token(client)
    # the ticked rows of a page; back on that page
    staff2 = str(org.employees["staff2"].id)
    r = client.post(f"/training-sessions/{s.id}/attendance", data={"csrf_token": token, "mark": "IZIN",
                                                                   "rowid": staff2, "page": "2"})
    assert r.status_code == 302 and r.headers["Location"].endswith("page=2")
    # every invited participant of every page
    r = client.post(f"/training-sessions/{s.id}/attendance", data={"csrf_token": token, "mark": "HADIR",
                                                                   "scope": "all", "page": "1"})
    assert r.status_code == 302
    db.session.expire_all()
    attendance = dict(db.session.execute(select(TrainingParticipant.employee_id, TrainingParticipant.attendance)
                                         .where(TrainingParticipant.session_id == s.id)).all())
    assert set(attendance.values()) == {"HADIR"} and len(attendance) == 5
    # the exports hold every participant, not the page
    csv = client.get(f"/training-sessions/{s.id}/export/csv").get_data(as_text=True)
    assert all(org.employees[k].nip in csv for k in keys)
    assert client.get(f"/training-sessions/{s.id}/pdf").data.startswith(b"%PDF")


def test_my_sessions_is_paged(client, db, org, monkeypatch):
    from app.training import screens

    monkeypatch.setattr(screens, "MY_SESSIONS_PAGE_SIZE", 2)
    sessions = [make_session(db, org, starts_at=now() - timedelta(days=i), title=f"Sesi Pelatih {i}")
                for i in range(1, 6)]
    enroll(db, org, sessions[0], "staff1", attendance="HADIR")
    _as(client, org.username("pelatih"))
    first = client.get("/my-sessions/").get_data(as_text=True)
    assert "Sesi Pelatih 1" in first and "Sesi Pelatih 2" in first and "Sesi Pelatih 3" not in first
    assert "Page 1 of 3" in first
    third = client.get("/my-sessions/?page=3").get_data(as_text=True)
    assert "Sesi Pelatih 5" in third and "Sesi Pelatih 1" not in third
    assert client.get("/my-sessions/?page=abc").status_code == 200
    counts = services.session_summaries(db.session, [sessions[0].id])[sessions[0].id]
    assert (counts["DIUNDANG"], counts["HADIR"], counts["feedback"]) == (1, 1, 0)
