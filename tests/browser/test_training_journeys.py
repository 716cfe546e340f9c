"""Training journeys in a real browser (see README.md): the Pengelola Kinerja creates a session from the
training-needs page and assigns the trainer, the employees check in with the code (a wrong code first), the
trainer closes the attendance, and the JP ledger counts the session.

The journey uses records of its own (a unit, two employees with last year's evaluation, a topic and a rule),
so the seeded city stays as it is.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser


def _training_team(portal):
    """A unit with two employees whose final predikat of last year is Butuh Perbaikan, a topic and the rule
    that recommends it; returns what the journey needs."""
    from datetime import date as _date
    from decimal import Decimal

    from sqlalchemy import select

    from app.extensions import db
    from app.organisation.models import Employee, Position, Rank, Unit
    from app.performance.models import Evaluation, Indicator, Period, Rhk, Skp
    from app.training.models import TrainingNeedRule, TrainingTopic

    app = portal.app
    with app.app_context():
        sm = app.appbuilder.sm
        n = db.session.scalar(select(Unit.id).order_by(Unit.id.desc()).limit(1)) + 1
        year = _date.today().year - 1
        rank = db.session.scalar(select(Rank).where(Rank.asn_type == "PNS", Rank.code == "III/a"))
        unit = Unit(code=f"LATIH-{n}", name=f"Bidang Pelatihan Uji {n}", unit_type="BIDANG", active=True)
        db.session.add(unit)
        topic = TrainingTopic(code=f"JOURNEY-{n}", name=f"Penyusunan RHK Terukur {n}", competency="TEKNIS", active=True)
        db.session.add(topic)
        db.session.flush()
        db.session.add(TrainingNeedRule(outcome="PREDIKAT", predikat="BUTUH_PERBAIKAN", topic_id=topic.id))
        period = db.session.scalar(select(Period).where(Period.year == year, Period.kind == "ANNUAL"))
        if period is None:
            period = Period(year=year, kind="ANNUAL", number=1, code=str(year), starts_on=_date(year, 1, 1),
                            ends_on=_date(year, 12, 31))
            db.session.add(period)
        people = []
        for i, name in enumerate(("Rahmat Hidayat", "Sari Puspita")):
            birth = _date(1985 + i, 4, 4)
            nip = f"{birth:%Y%m%d}{birth.year + 24:04d}03{1 + i % 2}{(n * 7 + i) % 1000:03d}"
            position = Position(name=f"Pengelola Program {name}", position_type="PELAKSANA", level="OPERATOR",
                                grade=6, unit=unit)
            user = sm.add_user(nip, name.split()[0], name.split()[-1], f"{nip}@test.invalid", [sm.find_role("Pegawai")],
                               password="Rahasia12345")
            e = Employee(nip=nip, name=name, gender="L" if i == 0 else "P", birth_date=birth, asn_type="PNS",
                         status="AKTIF", rank=rank, position=position, unit=unit, user_id=user.id)
            db.session.add_all([position, e])
            db.session.flush()
            skp = Skp(employee_id=e.id, unit_id=unit.id, year=year, status="DISETUJUI", revision=1, is_current=True)
            rhk = Rhk(kind="UTAMA", sort_order=1, text="Tersusunnya laporan program")
            rhk.indicators.append(Indicator(aspect="KUANTITAS", text="Laporan", target_value=Decimal(4),
                                            target_unit="laporan"))
            skp.rhks.append(rhk)
            db.session.add(skp)
            db.session.flush()
            db.session.add(Evaluation(skp_id=skp.id, period_id=period.id, status="FINAL", hasil_rating="DI_BAWAH",
                                      perilaku_rating="SESUAI", predikat="BUTUH_PERBAIKAN"))
            people.append(e)
        db.session.commit()
        return {"unit": unit.id, "year": year, "topic": topic.id, "nips": [e.nip for e in people],
                "ids": [e.id for e in people]}


def test_pengelola_creates_a_session_from_needs_employees_check_in_trainer_closes(journey):
    j = journey
    team = _training_team(j.portal)

    # the Pengelola: the training needs of the unit, one step to a session with them invited
    j.login("analis")
    j.visit(f"/training-needs/?unit={team['unit']}&year={team['year']}")
    block = j.page.locator(f'.portal-need-topic[data-topic="{team["topic"]}"]')
    for employee_id in team["ids"]:
        assert block.locator(f'tr[data-employee="{employee_id}"] input[type=checkbox]').is_checked()
    start = block.locator("input[name=starts_at]").input_value()
    assert start  # now, to the minute: the session runs from now on
    from datetime import datetime

    ends = datetime.strptime(start, "%Y-%m-%dT%H:%M") + timedelta(hours=3)
    block.locator("input[name=ends_at]").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    block.locator("input[name=jp]").fill("4")
    block.locator("input[name=place]").fill("Aula BKPSDM")
    block.locator("select[name=trainers]").select_option(label="Pelatih BPSDM (pelatih)")
    j.shot("needs")
    j.click(block.locator(".portal-create-session"))
    roster = j.page.locator(".portal-roster")
    session_id = roster.get_attribute("data-session")
    assert j.page.locator(".portal-roster-counts").get_attribute("data-invited") == "2"
    j.shot("roster-created")
    j.logout()

    # the trainer shows the code
    j.login("pelatih")
    j.visit("/my-sessions/")
    j.click(j.page.locator(f'tr[data-session="{session_id}"] a.portal-open-roster'))
    code = j.page.locator(".portal-checkin-code").inner_text().strip()
    assert len(code) == 6
    j.logout()

    # the employees check in on "Pelatihan Saya" (the second one mistypes first)
    for i, nip in enumerate(team["nips"]):
        j.login(nip)
        j.visit("/my-training/")
        row = j.page.locator(f'tr[data-session="{session_id}"]')
        if i == 1:
            row.locator("input[name=code]").fill("ZZZZZZ")
            j.click(row.locator(".portal-check-in-button"))
            assert j.page.locator(".alert-danger").count() >= 1
            row = j.page.locator(f'tr[data-session="{session_id}"]')
            assert row.get_attribute("data-attendance") == ""
        row.locator("input[name=code]").fill(code.lower())
        j.click(row.locator(".portal-check-in-button"))
        assert j.page.locator(f'tr[data-session="{session_id}"]').get_attribute("data-attendance") == "HADIR"
        j.shot(f"checked-in-{i}")
        j.logout()

    # the trainer closes the attendance
    j.login("pelatih")
    j.visit(f"/training-sessions/{session_id}")
    for employee_id in team["ids"]:
        assert j.page.locator(f'.portal-roster-table tr[data-employee="{employee_id}"]').get_attribute(
            "data-attendance") == "HADIR"
    j.click(".portal-close-attendance")
    assert j.page.locator(".portal-roster").get_attribute("data-status") == "DITUTUP"
    j.shot("closed")
    j.logout()

    # the JP ledger counts the session for both
    j.login("analis")
    j.visit(f"/jp-ledger/?unit={team['unit']}")
    for employee_id in team["ids"]:
        assert j.page.locator(f'.portal-ledger-employees tr[data-employee="{employee_id}"]').get_attribute(
            "data-jp") == "4"
    j.shot("ledger")
