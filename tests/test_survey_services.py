"""Survey services on the real database: ikm_series (for the dashboards), campaign results, submission with
the database-backed throttle, and the schema's own refusals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainValidationError
from app.survey import services as S
from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService
from app.performance.services import today_wib  # the city's date (WIB), as the app uses

TODAY = date(2026, 6, 15)


def make_service(db, unit, name="Pelayanan"):
    service = SurveyService(unit_id=unit.id, service_name=name, active=True)
    db.session.add(service)
    db.session.flush()
    return service


def make_campaign(db, unit, year=2026, active=True, opens=None, closes=None):
    campaign = SurveyCampaign(unit_id=unit.id, year=year, opens_on=opens or date(year, 1, 1),
                              closes_on=closes or date(year, 12, 31), active=active, token=S.new_token())
    db.session.add(campaign)
    db.session.flush()
    return campaign


def answer(db, campaign, values):
    values = list(values)
    db.session.add(SurveyResponse(campaign_id=campaign.id, **{f"u{i + 1}": v for i, v in enumerate(values)}))


def form(values=(4,) * 9, **extra):
    data = {f"u{i + 1}": str(v) for i, v in enumerate(values)}
    data.update(extra)
    return data


def test_ikm_series_whole_city_and_subset(db, org):
    pkm, disdik = org.units["pkm"], org.units["disdik"]
    make_service(db, pkm, "Puskesmas")
    make_service(db, disdik, "Legalisir ijazah")
    c25 = make_campaign(db, pkm, 2025)
    c26 = make_campaign(db, pkm, 2026)
    answer(db, c25, [3] * 9)
    answer(db, c25, [4] * 9)  # mean 3.5 → IKM 87.50, B
    for _ in range(3):
        answer(db, c26, [4] * 9)  # IKM 100, A
    db.session.commit()

    rows = S.ikm_series(db.session, None, [2025, 2026])
    assert [(r["unit_name"], r["year"]) for r in rows] == [
        ("Dinas Pendidikan", 2025), ("Dinas Pendidikan", 2026), ("Puskesmas Sukarami", 2025),
        ("Puskesmas Sukarami", 2026)]
    by_key = {(r["unit_id"], r["year"]): r for r in rows}
    assert by_key[(pkm.id, 2025)] == {"unit_id": pkm.id, "unit_name": "Puskesmas Sukarami", "year": 2025,
                                      "respondents": 2, "ikm": Decimal("87.50"), "grade": "B"}
    assert by_key[(pkm.id, 2026)]["ikm"] == Decimal("100.00") and by_key[(pkm.id, 2026)]["grade"] == "A"
    assert by_key[(disdik.id, 2026)] == {"unit_id": disdik.id, "unit_name": "Dinas Pendidikan", "year": 2026,
                                         "respondents": 0, "ikm": None, "grade": None}
    # a subset: units that are not service units are left out
    rows = S.ikm_series(db.session, [pkm.id, org.units["dinkes"].id], [2026])
    assert [(r["unit_id"], r["respondents"]) for r in rows] == [(pkm.id, 3)]
    assert S.ikm_series(db.session, [], [2026]) == []
    assert S.ikm_series(db.session, None, []) == []


def test_ikm_series_query_count(db, org):
    from conftest import count_queries

    make_service(db, org.units["pkm"])
    make_service(db, org.units["disdik"])
    db.session.commit()
    with count_queries(db) as q:
        S.ikm_series(db.session, None, list(range(2020, 2027)))
    assert len(q) == 2


def test_submit_stores_and_throttles_per_device_and_ip(db, org):
    make_service(db, org.units["pkm"])
    campaign = S.campaign_by_token(db.session, make_campaign(db, org.units["pkm"]).token)
    db.session.commit()
    limits = S.Limits(ip_limit=3, ip_window=600, device_limit=1, device_window=86400)
    S.submit_response(db.session, campaign, form(comment="  Ramah  ", gender="P"), "10.0.0.1", "dev-a", limits,
                      today=TODAY, now=1000.0)
    stored = db.session.query(SurveyResponse).one()
    assert stored.comment == "Ramah" and stored.gender == "P" and stored.u9 == 4
    with pytest.raises(S.Refused) as refused:
        S.submit_response(db.session, campaign, form(), "10.0.0.1", "dev-a", limits, today=TODAY, now=1001.0)
    assert refused.value.reason == "device-limit"
    S.submit_response(db.session, campaign, form(), "10.0.0.1", "dev-b", limits, today=TODAY, now=1002.0)
    with pytest.raises(S.Refused) as refused:
        S.submit_response(db.session, campaign, form(), "10.0.0.1", "dev-c", limits, today=TODAY, now=1003.0)
    assert refused.value.reason == "ip-limit"
    assert db.session.query(SurveyResponse).count() == 2
    # a new window lets the network answer again
    S.submit_response(db.session, campaign, form(), "10.0.0.1", "dev-d", limits, today=TODAY, now=1700.0)
    assert db.session.query(SurveyResponse).count() == 3


def test_submit_refuses_bad_answers_and_closed_campaign(db, org):
    make_service(db, org.units["pkm"])
    campaign = S.campaign_by_token(db.session, make_campaign(db, org.units["pkm"], opens=date(2026, 1, 1),
                                                             closes=date(2026, 3, 31)).token)
    db.session.commit()
    limits = S.Limits()
    with pytest.raises(S.Refused) as refused:
        S.submit_response(db.session, campaign, form(), "10.0.0.1", "d", limits, today=TODAY)
    assert refused.value.reason == "closed"
    with pytest.raises(DomainValidationError) as err:
        S.submit_response(db.session, campaign, form([4] * 8 + [5]), "10.0.0.1", "d", limits,
                          today=date(2026, 2, 1))
    assert set(err.value.errors) == {"u9"}
    assert db.session.query(SurveyResponse).count() == 0


def test_default_today_is_the_citys_date_not_the_servers(db, org, monkeypatch):
    """Without an explicit ``today`` the rules use the city's date (WIB, UTC+7): at 00:30 WIB on 1 January a
    campaign that closed on 31 December is closed, even on a server whose clock (UTC) still says 31 December,
    and the current IKM reads the new year's campaign."""
    from datetime import datetime

    import app.performance.services as perf

    pkm = org.units["pkm"]
    make_service(db, pkm)
    old = make_campaign(db, pkm, 2026)
    answer(db, old, [3] * 9)
    new = make_campaign(db, pkm, 2027)
    answer(db, new, [4] * 9)
    db.session.commit()
    monkeypatch.setattr(perf, "now_wib", lambda: datetime(2027, 1, 1, 0, 30))
    assert S.current_ikm(db.session, pkm.id)[0] == 2027
    with pytest.raises(S.Refused) as refused:
        S.submit_response(db.session, S.campaign_by_token(db.session, old.token), form(), "10.0.0.1", "d",
                          S.Limits())
    assert refused.value.reason == "closed"
    monkeypatch.setattr(perf, "now_wib", lambda: datetime(2026, 12, 31, 23, 30))
    assert S.current_ikm(db.session, pkm.id)[0] == 2026


def test_schema_refuses_out_of_range_answers(db, org):
    make_service(db, org.units["pkm"])
    campaign = make_campaign(db, org.units["pkm"])
    db.session.commit()
    answer(db, campaign, [4] * 8 + [0])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    answer(db, campaign, [4] * 9)
    db.session.commit()
    assert db.session.query(SurveyResponse).count() == 1


def test_current_ikm_takes_latest_year_with_answers(db, org):
    pkm = org.units["pkm"]
    make_service(db, pkm)
    c25 = make_campaign(db, pkm, 2025)
    make_campaign(db, pkm, 2026)  # open, nobody answered yet
    answer(db, c25, [2] * 9)
    db.session.commit()
    year, result = S.current_ikm(db.session, pkm.id, TODAY)
    assert year == 2025 and result.respondents == 1 and result.ikm == Decimal("50.00") and result.grade_code == "D"


def test_rhk_indicator_takes_its_realisasi_from_the_units_ikm(client, db, org):
    """An RHK indicator with value_source IKM shows the unit's current IKM (read-only, with respondents)."""
    from conftest import login
    from test_performance_planning import YEAR as PLAN_YEAR, _plan_with

    from app.performance.models import Indicator

    pkm = org.units["pkm"]
    make_service(db, pkm, "Pelayanan Puskesmas")
    campaign = make_campaign(db, pkm, today_wib().year)
    for _ in range(4):
        answer(db, campaign, [3] * 9)
    db.session.commit()
    skp = _plan_with(db, org, "staff1", 1)
    pkm_id = pkm.id
    ind = skp.rhks[0].indicators[1]
    ind.ikm_unit_id = pkm_id
    ind.value_source = "IKM"
    db.session.commit()
    login(client, org.username("kabid"))
    html = client.get(f"/plans/{skp.id}").get_data(as_text=True)
    assert f'data-ikm-unit="{pkm_id}" data-ikm="75.00" data-respondents="4"' in html and "IKM 75.00" in html
    # the schema refuses an IKM indicator without its unit
    ind.ikm_unit_id = None
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert PLAN_YEAR
    assert db.session.get(Indicator, ind.id).ikm_unit_id == pkm_id
