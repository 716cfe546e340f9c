"""Journeys of the public satisfaction survey (app/survey), as citizens and managers do them in a real browser
(see README.md). Each journey makes its own service unit and campaign (a unique unit code)."""
from __future__ import annotations

from datetime import date
from itertools import count

import pytest

pytestmark = pytest.mark.browser
_seq = count(1)
PHONE = {"width": 390, "height": 844}


def _campaign(portal):
    """A new public-service unit under Dinas Kesehatan with an open campaign of this year; its ids and token."""
    from app.extensions import db
    from app.organisation.models import Unit
    from app.survey.models import SurveyCampaign, SurveyService
    from app.performance.services import today_wib  # the city's date (WIB), as the app uses
    from app.survey.services import new_token

    n = f"{next(_seq)}-{id(portal) % 10000}"
    year = today_wib().year
    with portal.app.app_context():
        unit = Unit(code=f"PKM-SVY-{n}", name=f"Puskesmas Survei {n}", unit_type="PUSKESMAS",
                    parent_id=portal.city.units["dinkes"][0], active=True)
        db.session.add(unit)
        db.session.flush()
        db.session.add(SurveyService(unit_id=unit.id, service_name=f"Pelayanan Rawat Jalan {n}", active=True))
        db.session.flush()
        campaign = SurveyCampaign(unit_id=unit.id, year=year, opens_on=date(year, 1, 1),
                                  closes_on=date(year, 12, 31), active=True, token=new_token())
        db.session.add(campaign)
        db.session.commit()
        return unit.id, unit.name, year, campaign.token


def test_a_citizen_answers_the_survey_on_a_phone(journey, portal):
    j = journey
    unit_id, unit_name, year, token = _campaign(portal)
    j.page.set_viewport_size(PHONE)
    j.visit(f"/survei/{token}")
    assert unit_name in j.text()
    # phone-first: nothing wider than the screen, the answers are big enough to tap
    assert j.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = j.page.locator("label:has(input[name=u1][value='4'])").bounding_box()
    assert box["width"] >= 60 and box["height"] >= 44
    j.shot("form")
    for i in range(1, 9):  # the ninth question is forgotten
        j.page.locator(f"label:has(input[name=u{i}][value='{1 + i % 4}'])").click()
    j.page.select_option("#f-age_band", "30_39")
    j.page.select_option("#f-gender", "P")
    j.page.fill("#f-comment", "Antrian cepat, petugas ramah.")
    j.click("button[type=submit]", status=422)
    assert j.page.locator("#survey-message").is_visible()
    assert j.page.locator(".card.invalid").count() == 1
    # what was answered is kept; the missing answer is added
    assert j.page.locator("input[name=u1][value='2']").is_checked()
    assert j.page.input_value("#f-comment") == "Antrian cepat, petugas ramah."
    j.shot("missing-answer")
    j.page.locator("label:has(input[name=u9][value='4'])").click()
    j.click("button[type=submit]")
    assert j.page.locator("#survey-thanks").is_visible()
    assert "/terima-kasih" in j.page.url
    j.shot("thanks")

    # the manager sees the answer in the results of the unit
    j.page.set_viewport_size({"width": 1280, "height": 900})
    j.login("analis")
    j.visit(f"/survey-results/{unit_id}/{year}")
    assert j.page.locator("#ikm-respondents").inner_text().strip() == "1"
    assert j.page.locator("#ikm-value").inner_text().strip() not in ("", "—")
    j.shot("results")


def test_a_pegawai_takes_an_indicators_value_from_the_ikm(journey, portal):
    """On "Rencana Kinerja Saya" an indicator added in the browser takes its realised value from the IKM of a
    service unit of the employee's OPD (the value source select, numbered by plan.js like the other fields)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.performance.models import Indicator, Rhk, Skp

    j = journey
    unit_id, unit_name, _year, _token = _campaign(portal)
    year = 2033  # a year no other journey uses: this plan is the journey's own record
    j.login("staff2")
    j.visit(f"/my-plan/?year={year}")
    j.click("#plan-start")
    j.page.click("#plan-add-rhk")
    rhk = j.page.locator("#plan-rhks .plan-rhk").last
    rhk.locator("[data-field=text]").fill("Meningkatnya kepuasan pasien puskesmas")
    rhk.locator("[data-ind-field=text]").first.fill("Laporan bulanan")
    rhk.locator("[data-ind-field=target_value]").first.fill("12")
    rhk.locator(".plan-add-indicator").click()
    rhk.locator("[data-ind-field=aspect]").nth(1).select_option("KUALITAS")
    rhk.locator("[data-ind-field=text]").nth(1).fill("Indeks Kepuasan Masyarakat")
    rhk.locator("[data-ind-field=target_value]").nth(1).fill("82")
    source = rhk.locator("[data-ind-field=ikm_unit_id]").nth(1)
    assert source.locator(f"option[value='{unit_id}']").count() == 1
    source.select_option(str(unit_id))
    j.shot("ikm-chosen")
    j.click("#plan-save")
    selected = j.page.locator("#plan-rhks [data-ind-field=ikm_unit_id]").nth(1)
    assert selected.input_value() == str(unit_id)
    assert j.page.locator("#plan-rhks [data-ind-field=ikm_unit_id]").first.input_value() == ""
    with portal.app.app_context():
        rows = db.session.execute(
            select(Indicator.text, Indicator.value_source, Indicator.ikm_unit_id).join(Rhk, Rhk.id == Indicator.rhk_id)
            .join(Skp, Skp.id == Rhk.skp_id)
            .where(Skp.employee_id == portal.city.employees["staff2"].id, Skp.year == year)
            .order_by(Indicator.sort_order)).all()
    assert [tuple(r) for r in rows] == [("Laporan bulanan", "MANUAL", None),
                                        ("Indeks Kepuasan Masyarakat", "IKM", unit_id)]
    assert unit_name
