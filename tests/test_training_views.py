"""The training screens (app/training/views.py, screens.py): forms with field messages (no 500s), the roster
with bulk attendance and closing, self check-in on "Pelatihan Saya", the JP ledger with exports, training
needs with a session in one step, external trainings with a content-checked certificate, and the row scope
on each (404 outside it)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from access_training import PDF, enroll, make_session, now, topic
from conftest import csrf_token, login, logout
from app.training.models import ExternalTraining, TrainingSession


def _token(client):
    return csrf_token(client, "/resetmypassword/form")


def sign_in(client, who):
    """Sign in (after signing out whoever was) and read the portal in English: the assertions below look for
    the English source messages whatever the Indonesian catalog says."""
    logout(client)
    login(client, who)
    client.get("/lang/en")


def _form(start, **overrides):
    data = {"kind": "PELATIHAN", "method": "KLASIKAL", "title": "Penyusunan SKP", "organiser": "BKPSDM",
            "place": "Aula BKPSDM", "online_url": "", "starts_at": start.strftime("%Y-%m-%d %H:%M:%S"),
            "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S"), "jp": "8", "capacity": "20",
            "description": ""}
    data.update(overrides)
    return data


def test_pengelola_creates_a_session_with_trainer_and_target_units(client, db, org):
    sign_in(client, org.username("analis"))
    token = _token(client)
    start = now() + timedelta(days=5)
    data = dict(_form(start), csrf_token=token, trainers=str(org.users["pelatih"].id),
                units=[str(org.units["p2p"].id), str(org.units["pkm"].id)])
    r = client.post("/trainingsessionview/add", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    item = db.session.scalar(select(TrainingSession).where(TrainingSession.title == "Penyusunan SKP"))
    assert [u.username for u in item.trainers] == ["pelatih"]
    assert {u.id for u in item.units} == {org.units["p2p"].id, org.units["pkm"].id}
    assert len(item.checkin_code) == 6 and item.status == "DIBUKA"
    assert client.get(f"/trainingsessionview/show/{item.id}").status_code == 200
    assert client.get(f"/trainingsessionview/edit/{item.id}").status_code == 200
    assert client.get("/trainingsessionview/list/").status_code == 200


@pytest.mark.parametrize("overrides, field_text", [
    ({"jp": "0"}, "JP"),
    ({"capacity": "0"}, "apacity"),
    ({"jp": "11"}, "at most 10 JP"),
    ({"title": "x" * 201}, "200"),
    ({"online_url": "javascript:alert(1)"}, "http"),
])
def test_bad_session_input_is_shown_beside_the_field(client, db, org, overrides, field_text):
    sign_in(client, org.username("analis"))
    before = db.session.scalar(select(func.count()).select_from(TrainingSession))
    data = dict(_form(now() + timedelta(days=5), **overrides), csrf_token=_token(client))
    r = client.post("/trainingsessionview/add", data=data)
    assert r.status_code == 200 and field_text in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == before


def test_end_before_start_is_refused(client, db, org):
    sign_in(client, org.username("analis"))
    start = now() + timedelta(days=5)
    data = dict(_form(start, ends_at=(start - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")),
                csrf_token=_token(client))
    r = client.post("/trainingsessionview/add", data=data)
    assert r.status_code == 200 and "The end must be after the start." in r.get_data(as_text=True)


def test_trainer_marks_bulk_attendance_scores_and_closes(client, db, org):
    s = make_session(db, org)
    for key in ("staff1", "staff2", "perawat"):
        enroll(db, org, s, key)
    sign_in(client, "pelatih")
    page = client.get(f"/training-sessions/{s.id}").get_data(as_text=True)
    assert s.checkin_code in page and "Budi Santoso" in page
    token = _token(client)
    e = org.employees
    r = client.post(f"/training-sessions/{s.id}/attendance",
                    data={"csrf_token": token, "mark": "HADIR", "rowid": [e["staff1"].id, e["staff2"].id]})
    assert r.status_code == 302
    r = client.post(f"/training-sessions/{s.id}/attendance", data={
        "csrf_token": token, "row": [e["staff1"].id], f"attendance-{e['staff1'].id}": "HADIR",
        f"pre_score-{e['staff1'].id}": "60", f"post_score-{e['staff1'].id}": "150",
        f"certificate_number-{e['staff1'].id}": "C-1"})
    assert r.status_code == 422 and "between 0 and 100" in r.get_data(as_text=True)
    r = client.post(f"/training-sessions/{s.id}/attendance", data={
        "csrf_token": token, "row": [e["staff1"].id], f"attendance-{e['staff1'].id}": "HADIR",
        f"pre_score-{e['staff1'].id}": "60", f"post_score-{e['staff1'].id}": "95",
        f"certificate_number-{e['staff1'].id}": "C-1"})
    assert r.status_code == 302
    assert client.get(f"/training-sessions/{s.id}/pdf").data.startswith(b"%PDF")
    csv = client.get(f"/training-sessions/{s.id}/export/csv").get_data(as_text=True)
    assert "C-1" in csv and e["staff1"].nip in csv
    assert client.get(f"/training-sessions/{s.id}/export/xlsx").status_code == 200
    r = client.post(f"/training-sessions/{s.id}/close", data={"csrf_token": token})
    assert r.status_code == 302
    db.session.expire_all()
    rows = {p.employee_id: p.attendance for p in db.session.get(TrainingSession, s.id).participants}
    assert rows == {e["staff1"].id: "HADIR", e["staff2"].id: "HADIR", e["perawat"].id: "TIDAK_HADIR"}
    # another trainer's session: 404; invitations are for the organisers
    other = make_session(db, org, trainers=())
    assert client.get(f"/training-sessions/{other.id}").status_code == 404
    r = client.post(f"/training-sessions/{other.id}/close", data={"csrf_token": token})
    assert r.status_code == 404


def test_roster_refuses_attendance_for_someone_not_enrolled(client, db, org):
    s = make_session(db, org)
    enroll(db, org, s, "staff1")
    sign_in(client, "pelatih")
    token = _token(client)
    r = client.post(f"/training-sessions/{s.id}/attendance",
                    data={"csrf_token": token, "mark": "HADIR", "rowid": [org.employees["guru"].id]})
    assert r.status_code == 422 and "Yuni Kartika is not registered for this session" in r.get_data(as_text=True)


def test_employee_checks_in_with_the_code_once(client, db, org):
    s = make_session(db, org, code="ABC234")
    enroll(db, org, s, "staff1")
    sign_in(client, org.username("staff1"))
    page = client.get("/my-training/").get_data(as_text=True)
    assert f'data-session="{s.id}"' in page and "ABC234" not in page  # the code is never shown to participants
    token = _token(client)
    r = client.post(f"/my-training/{s.id}/check-in", data={"csrf_token": token, "code": "WRONG1"},
                    follow_redirects=True)
    assert "The attendance code is wrong." in r.get_data(as_text=True)
    r = client.post(f"/my-training/{s.id}/check-in", data={"csrf_token": token, "code": "abc234"},
                    follow_redirects=True)
    assert "Your attendance is recorded." in r.get_data(as_text=True)
    r = client.post(f"/my-training/{s.id}/check-in", data={"csrf_token": token, "code": "ABC234"},
                    follow_redirects=True)
    assert "already checked in" in r.get_data(as_text=True)
    # someone else's session: not found
    other = make_session(db, org)
    enroll(db, org, other, "staff2")
    assert client.post(f"/my-training/{other.id}/check-in", data={"csrf_token": token, "code": "KODE23"}).status_code \
        == 404


def test_employee_gives_feedback_and_declines(client, db, org):
    past = make_session(db, org, starts_at=now() - timedelta(days=1), hours=2)
    enroll(db, org, past, "staff1", attendance="HADIR")
    future = make_session(db, org, starts_at=now() + timedelta(days=3), capacity=1)
    enroll(db, org, future, "staff1")
    enroll(db, org, future, "staff2", status="DAFTAR_TUNGGU")
    sign_in(client, org.username("staff1"))
    token = _token(client)
    r = client.post(f"/my-training/{past.id}/feedback", data={"csrf_token": token, "rating": "4", "comment": "Baik"})
    assert r.status_code == 302
    assert "4 of 5" in client.get("/my-training/").get_data(as_text=True)
    r = client.post(f"/my-training/{future.id}/decline", data={"csrf_token": token})
    assert r.status_code == 302
    db.session.expire_all()
    status = {p.employee_id: p.status for p in db.session.get(TrainingSession, future.id).participants}
    assert status == {org.employees["staff1"].id: "DIBATALKAN", org.employees["staff2"].id: "DIUNDANG"}


def test_jp_ledger_screen_and_exports(client, db, org):
    s = make_session(db, org, starts_at=now() - timedelta(days=2), hours=8, jp=8)
    enroll(db, org, s, "staff1", attendance="HADIR")
    s.status, s.closed_at = "DITUTUP", now()
    db.session.commit()
    sign_in(client, org.username("analis"))
    page = client.get("/jp-ledger/").get_data(as_text=True)
    assert f'data-employee="{org.employees["staff1"].id}" data-jp="8" data-target="20"' in page
    assert 'class="table table-condensed table-striped portal-ledger-units"' in page
    page = client.get(f"/jp-ledger/?unit={org.units['p2p'].id}&below=1").get_data(as_text=True)
    assert org.employees["staff2"].nip in page
    csv = client.get(f"/jp-ledger/export/csv?year={now().year}").get_data(as_text=True)
    assert org.employees["staff1"].nip in csv and org.employees["guru"].nip in csv
    assert client.get("/jp-ledger/export/pdf").status_code == 404
    sign_in(client, org.username("staff1"))
    page = client.get("/jp-ledger/").get_data(as_text=True)
    assert org.employees["staff2"].nip not in page and org.employees["staff1"].nip in page
    assert client.get(f"/jp-ledger/?unit={org.units['p2p'].id}").status_code == 404
    r = client.get(f"/api/v1/jp_ledger/?year={now().year}")
    assert r.status_code == 200 and r.get_json()["count"] == 1 and r.get_json()["result"][0]["jp_total"] == 8


def test_external_training_with_certificate(client, db, org, app):
    sign_in(client, org.username("staff1"))
    token = _token(client)
    base = {"csrf_token": token, "employee": str(org.employees["staff1"].id), "title": "Pelatihan Kearsipan",
            "organiser": "ANRI", "method": "E_LEARNING", "topic": "", "started_on": "2025-05-01",
            "ended_on": "2025-05-03", "jp": "12", "certificate_number": "ANRI/2025/1", "notes": ""}
    r = client.post("/externaltrainingview/add", data=dict(base, file=(io.BytesIO(b"MZ not a pdf"), "s.pdf")),
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "pdf, jpg, png" in r.get_data(as_text=True)
    r = client.post("/externaltrainingview/add", data=dict(base, file=(io.BytesIO(PDF), "sertifikat.pdf")),
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    item = db.session.scalar(select(ExternalTraining).where(ExternalTraining.title == "Pelatihan Kearsipan"))
    assert item.status == "DIAJUKAN" and item.stored_name
    assert client.get(f"/externaltrainingview/certificate/{item.id}").data.startswith(b"%PDF")
    # for someone else: refused (the picker finds only oneself; a forged id is refused)
    r = client.post("/externaltrainingview/add", data=dict(base, employee=str(org.employees["staff2"].id),
                                                           file=(io.BytesIO(PDF), "s.pdf")),
                    content_type="multipart/form-data")
    assert r.status_code == 200 and db.session.scalar(select(func.count()).select_from(ExternalTraining)) == 1
    # verification by the Pengelola
    sign_in(client, org.username("analis"))
    token = _token(client)
    r = client.post("/externaltrainingview/action_post", data={"csrf_token": token, "action": "verify",
                                                                "rowid": str(item.id)})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(ExternalTraining, item.id).status == "DISETUJUI"
    # the employee cannot verify their own
    sign_in(client, org.username("staff1"))
    r = client.post("/externaltrainingview/action_post", data={"csrf_token": _token(client), "action": "reject",
                                                                "rowid": str(item.id)})
    assert r.status_code == 403


def test_training_needs_page_creates_a_session_in_one_step(client, db, org):
    from app.training.models import TrainingNeedRule
    from test_training_services import _plan

    t = topic(db, "SKP", "Penyusunan SKP dan RHK")
    db.session.add(TrainingNeedRule(outcome="PREDIKAT", predikat="BUTUH_PERBAIKAN", topic_id=t.id))
    db.session.commit()
    _plan(db, org, "staff1", 2025, predikat="BUTUH_PERBAIKAN")
    sign_in(client, org.username("analis"))
    page = client.get(f"/training-needs/?unit={org.units['dinkes'].id}&year=2025").get_data(as_text=True)
    assert f'data-topic="{t.id}"' in page and org.employees["staff1"].nip in page
    start = (now() + timedelta(days=10)).replace(hour=8, minute=0)
    data = {"csrf_token": _token(client), "topic": str(t.id), "unit": str(org.units["dinkes"].id), "year": "2025",
            "rowid": [str(org.employees["staff1"].id)], "title": "Penyusunan SKP", "kind": "PELATIHAN",
            "method": "KLASIKAL", "organiser": "BKPSDM", "place": "Aula", "online_url": "",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"), "jp": "8", "capacity": "10",
            "trainers": [str(org.users["pelatih"].id)]}
    r = client.post("/training-needs/create-session", data=data)
    assert r.status_code == 302 and "/training-sessions/" in r.headers["Location"]
    item = db.session.scalar(select(TrainingSession).where(TrainingSession.topic_id == t.id))
    assert [p.employee_id for p in item.participants] == [org.employees["staff1"].id]
    # a forged employee outside the scope of a Pimpinan: refused as a whole (and Pimpinan may not create)
    sign_in(client, org.username("kadis"))
    assert client.get(f"/training-needs/?unit={org.units['disdik'].id}").status_code == 404
    assert client.post("/training-needs/create-session", data=dict(data, csrf_token=_token(client))).status_code == 403
    assert client.get(f"/training-needs/effect?unit={org.units['dinkes'].id}").status_code == 200


def test_reference_screens_render(client, db, org):
    t = topic(db)
    sign_in(client, org.username("analis"))
    for url in ("/trainingtopicview/list/", "/trainingtopicview/add", "/jptargetview/list/", "/jptargetview/add",
                "/trainingneedruleview/list/", "/trainingneedruleview/add", "/externaltrainingview/list/",
                "/externaltrainingview/add", "/trainingparticipantview/list/", "/training-feedback/",
                "/training-needs/", "/training-needs/effect", "/my-training/"):
        r = client.get(url)
        assert r.status_code == 200, url
    token = _token(client)
    r = client.post("/jptargetview/add", data={"csrf_token": token, "asn_type": "PPPK", "target_jp": "24", "notes": ""})
    assert r.status_code == 302
    r = client.post("/jptargetview/add", data={"csrf_token": token, "asn_type": "PPPK", "target_jp": "30", "notes": ""})
    assert r.status_code == 200 and "already has a target" in r.get_data(as_text=True)
    r = client.post("/trainingneedruleview/add", data={"csrf_token": token, "outcome": "PERILAKU", "predikat": "",
                                                        "core_value": "", "min_missed": "1", "topic": str(t.id),
                                                        "notes": ""})
    assert r.status_code == 200 and "Choose the core value." in r.get_data(as_text=True)
    sign_in(client, "pelatih")
    assert client.get("/my-sessions/").status_code == 200
    assert client.get("/training-feedback/").status_code == 200
