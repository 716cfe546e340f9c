"""The training part of the Palembang demo (app/demo/training.py): every screen has content for the demo
accounts, and loading again after a reset leaves no orphans."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from conftest import PASSWORD, login, logout

TODAY = "2026-11-20"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["portal", *args], env={"DEMO_PASSWORD": PASSWORD})


def test_demo_has_training_in_every_state(app, db, client):
    from app.performance.services import now_wib
    from app.training import services
    from app.training.models import (ExternalTraining, TrainingFeedback, TrainingNeedRule, TrainingParticipant,
                                     TrainingSession, TrainingTopic)

    result = _run(app, "demo", "--size", "small", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "training_session" in result.output
    today = date.fromisoformat(TODAY)
    moment = now_wib() if now_wib().date() == today else datetime(today.year, today.month, today.day, 10)
    sessions = db.session.scalars(select(TrainingSession)).all()
    assert db.session.scalar(select(func.count()).select_from(TrainingTopic)) >= 10
    assert db.session.scalar(select(func.count()).select_from(TrainingNeedRule)) >= 4
    closed = [s for s in sessions if s.status == "DITUTUP"]
    running = [s for s in sessions if s.status == "DIBUKA" and s.starts_at <= moment <= s.ends_at]
    upcoming = [s for s in sessions if s.status == "DIBUKA" and s.starts_at > moment]
    assert len(closed) >= 5 and running and upcoming
    assert {s.kind for s in sessions} == {"PELATIHAN", "SOSIALISASI"}
    waiting = db.session.scalar(select(func.count()).select_from(TrainingParticipant).where(
        TrainingParticipant.session_id == upcoming[0].id, TrainingParticipant.status == "DAFTAR_TUNGGU"))
    assert waiting > 0
    assert db.session.scalar(select(func.count()).select_from(TrainingFeedback)) > 0
    assert {s for (s,) in db.session.execute(select(ExternalTraining.status))} >= {"DISETUJUI", "DIAJUKAN"}
    assert all(s.trainers for s in sessions)
    # the demo Pegawai: the target reached last year, below it this year, invited to the running session
    pegawai_nip = next(line.split("|")[2].strip() for line in result.output.splitlines()
                       if line.startswith("| Pegawai "))
    from app.organisation.models import Employee

    pegawai = db.session.scalar(select(Employee).where(Employee.nip == pegawai_nip))
    assert sum(services.employee_jp(db.session, pegawai.id, today.year - 1)) >= 20
    assert sum(services.employee_jp(db.session, pegawai.id, today.year)) < 20
    assert services.own_participation(db.session, pegawai.id, running[0].id) is not None
    running_day = running[0].starts_at.date()
    # reloading after a reset: the same picture, no orphan sessions
    before = len(sessions)
    assert _run(app, "demo", "--size", "small", "--today", TODAY, "--reset").exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == before
    assert db.session.scalar(select(func.count()).select_from(TrainingTopic)) == len(
        __import__("app.demo.training", fromlist=["TOPICS"]).TOPICS)
    login(client, pegawai_nip)
    page = client.get("/my-training/").get_data(as_text=True)
    assert "portal-check-in" in page or running_day != now_wib().date()
    logout(client)
