"""The IKM as an RHK indicator's value source, chosen by the employee (issue 6): on "Rencana Kinerja Saya" (a
select per indicator: reported progress, or the IKM of a public-service unit, the plan's own OPD first) and on
``GET|PUT /api/v1/skp/<id>/plan``, through the one ``save_plan``: set and cleared; refused for an unknown unit,
a unit that is not a service unit, a service unit switched off, and what ck_indicator_ikm_unit requires; frozen
once approved; copied by a revision; and shown (the unit's current IKM) on the plan and the rating screens."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.performance import services as S
from app.performance.models import Evaluation, Indicator, Period, Rhk, Skp
from app.survey import services as SV
from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService
from conftest import csrf_token, login, logout
from test_performance_planning import YEAR, _plan_form, _start, _version
from test_performance_services import ctx
from app.performance.services import today_wib  # the city's date (WIB), as the app uses

THIS_YEAR = today_wib().year


def _t(msgid: str) -> str:
    """A message as the pages and the API give it (the default locale; HTML-escaped as in the pages)."""
    from flask import current_app
    from flask_babel import gettext
    from markupsafe import escape

    with current_app.test_request_context():
        return str(escape(gettext(msgid)))


@pytest.fixture
def services_(db, org):
    """Service units: the puskesmas (in staff1's OPD, Dinas Kesehatan) with 4 answers of 3 (IKM 75.00), and
    Dinas Pendidikan (another OPD). The Bidang P2P is a unit kerja but not a service unit."""
    for key, name in (("pkm", "Pelayanan Puskesmas"), ("disdik", "Legalisir Ijazah")):
        db.session.add(SurveyService(unit_id=org.units[key].id, service_name=name, active=True))
    db.session.flush()
    campaign = SurveyCampaign(unit_id=org.units["pkm"].id, year=THIS_YEAR, opens_on=date(THIS_YEAR, 1, 1),
                              closes_on=date(THIS_YEAR, 12, 31), active=True, token=SV.new_token())
    db.session.add(campaign)
    db.session.flush()
    for _ in range(4):
        db.session.add(SurveyResponse(campaign_id=campaign.id, **{f"u{i}": 3 for i in range(1, 10)}))
    db.session.commit()
    return {key: org.units[key].id for key in ("pkm", "disdik", "p2p")}


def _indicators(db, skp_id) -> list:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Indicator).join(Rhk, Rhk.id == Indicator.rhk_id)
                                   .where(Rhk.skp_id == skp_id).order_by(Rhk.sort_order, Indicator.sort_order)))


def _sources(db, skp_id) -> list:
    return [(i.value_source, i.ikm_unit_id) for i in _indicators(db, skp_id)]


# --- the plan screen ------------------------------------------------------------------------------------------

def test_the_plan_screen_offers_the_service_units_own_opd_first(client, db, org, services_):
    skp_id, _token, html = _start(client, org)
    select = re.search(r'<template id="plan-indicator-template">.*?(<select[^>]*data-ind-field="ikm_unit_id".*?'
                       r'</select>)', html, re.S).group(1)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [label for label, _ in groups] == [_t("IKM of a service unit of your OPD"),
                                              _t("IKM of another service unit")]
    assert f'value="{services_["pkm"]}"' in groups[0][1] and "Puskesmas Sukarami · Pelayanan Puskesmas" in groups[0][1]
    assert f'value="{services_["disdik"]}"' in groups[1][1]
    assert f'value="{services_["p2p"]}"' not in select  # not a service unit
    assert f'<option value="">{_t("Reported progress")}</option>' in select


def test_the_plan_screen_sets_and_clears_the_ikm_source(client, db, org, services_):
    skp_id, token, html = _start(client, org)
    form = _plan_form(token, _version(html))
    form["rhks-0-indicators-1-ikm_unit_id"] = str(services_["pkm"])
    form["rhks-0-indicators-0-ikm_unit_id"] = ""
    r = client.post(f"/plans/{skp_id}/save", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    assert _sources(db, skp_id) == [("MANUAL", None), ("IKM", services_["pkm"]), ("MANUAL", None)]
    html = client.get(f"/plans/{skp_id}").get_data(as_text=True)
    row = re.search(r'name="rhks-0-indicators-1-ikm_unit_id".*?</select>', html, re.S).group(0)
    assert f'<option value="{services_["pkm"]}" selected>' in row

    # another unit, then back to reported progress (the empty choice)
    ids = [i.id for i in _indicators(db, skp_id)]
    form = _plan_form(token, _version(html))
    form.update({"rhks-0-id": str(_indicators(db, skp_id)[0].rhk_id), "rhks-0-indicators-0-id": str(ids[0]),
                 "rhks-0-indicators-1-id": str(ids[1]), "rhks-0-indicators-1-ikm_unit_id": str(services_["disdik"])})
    assert client.post(f"/plans/{skp_id}/save", data=form).status_code == 302
    assert _sources(db, skp_id)[1] == ("IKM", services_["disdik"]) and _indicators(db, skp_id)[1].id == ids[1]
    form["version"] = _version(client.get(f"/plans/{skp_id}").get_data(as_text=True))
    form["rhks-0-indicators-1-ikm_unit_id"] = ""
    assert client.post(f"/plans/{skp_id}/save", data=form).status_code == 302
    assert _sources(db, skp_id)[1] == ("MANUAL", None)


@pytest.mark.parametrize("choice,message", [
    ("p2p", "This unit is not a public-service unit: it has no satisfaction survey, so it has no IKM."),
    ("999999", "This unit does not exist."),
    ("abc", "Choose the service unit from the list."),
    ("-3", "This unit does not exist."),
    ("99999999999999999999", "This unit does not exist."),
])
def test_the_plan_screen_refuses_a_unit_that_has_no_ikm(client, db, org, services_, choice, message):
    skp_id, token, html = _start(client, org)
    form = _plan_form(token, _version(html))
    form["rhks-0-indicators-1-ikm_unit_id"] = str(services_.get(choice, choice))
    r = client.post(f"/plans/{skp_id}/save", data=form)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f'data-error-for="rhks-0-indicators-1-ikm_unit_id">{_t(message)}<' in page
    assert _indicators(db, skp_id) == []  # nothing saved
    # the other fields keep what was typed
    assert 'value="Tepat waktu"' in page


def test_a_switched_off_service_unit_stays_where_it_was_but_cannot_be_chosen_again(client, db, org, services_):
    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    data = {"approach": "KUANTITATIF", "rhks": [{"kind": "UTAMA", "text": "Pelayanan puskesmas", "indicators": [
        {"aspect": "KUALITAS", "text": "IKM puskesmas", "target_value": "82", "target_unit": "nilai IKM",
         "ikm_unit_id": services_["pkm"]}]}]}
    S.save_plan(db.session, ctx(org, "staff1"), skp, data, skp.version)
    db.session.execute(sa.update(SurveyService).where(SurveyService.unit_id == services_["pkm"]).values(active=False))
    db.session.commit()
    indicator = skp.rhks[0].indicators[0]
    data["rhks"][0]["id"] = skp.rhks[0].id
    data["rhks"][0]["indicators"][0]["id"] = indicator.id
    S.save_plan(db.session, ctx(org, "staff1"), skp, data, skp.version)  # unchanged: kept
    assert (indicator.value_source, indicator.ikm_unit_id) == ("IKM", services_["pkm"])
    # the page still shows the kept choice (it is no longer in the list)
    login(client, org.username("staff1"))
    html = client.get(f"/plans/{skp.id}").get_data(as_text=True)
    assert f'<option value="{services_["pkm"]}" selected>{_t("(not an active public-service unit)")}</option>' in html
    # a new indicator cannot take it
    data["rhks"][0]["indicators"].append({"aspect": "KUALITAS", "text": "IKM lagi", "target_value": "80",
                                          "ikm_unit_id": services_["pkm"]})
    with pytest.raises(S.DomainValidationError) as exc:
        S.save_plan(db.session, ctx(org, "staff1"), skp, data, skp.version)
    assert set(exc.value.errors) == {"rhks-0-indicators-1-ikm_unit_id"}
    assert str(exc.value.errors["rhks-0-indicators-1-ikm_unit_id"]) == _t(
        "This public-service unit no longer runs its satisfaction survey: choose another one.")


# --- the REST API ---------------------------------------------------------------------------------------------

NEED_UNIT = "Choose the service unit whose IKM is the realised value of this indicator."
BAD_SOURCE = ("The value source must be MANUAL (reported progress) or IKM (the public satisfaction index of a service "
              "unit).")


def _fields(r) -> dict:
    assert r.status_code == 422, (r.status_code, r.get_json())
    return r.get_json()["message"]


def test_the_api_reads_sets_keeps_and_clears_the_ikm_source(client, db, org, services_):
    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    db.session.commit()
    login(client, org.username("staff1"))
    url = f"/api/v1/skp/{skp.id}/plan"
    body = {"version": client.get(url).get_json()["version"], "rhks": [{"kind": "UTAMA", "text": "Pelayanan",
            "indicators": [{"aspect": "KUALITAS", "text": "IKM", "target_value": 82, "target_unit": "nilai IKM",
                            "ikm_unit_id": services_["pkm"]},
                           {"aspect": "KUANTITAS", "text": "Laporan", "target_value": 12}]}]}
    r = client.put(url, json=body)
    assert r.status_code == 200, r.get_json()
    content = r.get_json()
    indicators = content["rhks"][0]["indicators"]
    assert [(i["value_source"], i["ikm_unit_id"]) for i in indicators] == [("IKM", services_["pkm"]), ("MANUAL", None)]
    assert client.get(url).get_json()["rhks"] == content["rhks"]

    # keys left out: the value source stays; what GET gave back, changed elsewhere, keeps it too
    rhk = content["rhks"][0]
    for ind in rhk["indicators"]:
        ind.pop("value_source"), ind.pop("ikm_unit_id")
    rhk["indicators"][0]["text"] = "IKM puskesmas"
    r = client.put(url, json={"version": content["version"], "rhks": [rhk]})
    assert r.status_code == 200, r.get_json()
    assert _sources(db, skp.id) == [("IKM", services_["pkm"]), ("MANUAL", None)]

    # value_source alone with the unit, then cleared with null
    rhk = r.get_json()["rhks"][0]
    rhk["indicators"][1].update(value_source="IKM", ikm_unit_id=services_["disdik"])
    r = client.put(url, json={"version": r.get_json()["version"], "rhks": [rhk]})
    assert r.status_code == 200, r.get_json()
    assert _sources(db, skp.id) == [("IKM", services_["pkm"]), ("IKM", services_["disdik"])]
    rhk = r.get_json()["rhks"][0]
    rhk["indicators"][0].update(value_source=None, ikm_unit_id=None)
    rhk["indicators"][1].update(value_source="MANUAL", ikm_unit_id=None)
    r = client.put(url, json={"version": r.get_json()["version"], "rhks": [rhk]})
    assert r.status_code == 200, r.get_json()
    assert _sources(db, skp.id) == [("MANUAL", None), ("MANUAL", None)]


@pytest.mark.parametrize("change,field,message", [
    ({"ikm_unit_id": "p2p"}, "ikm_unit_id",
     "This unit is not a public-service unit: it has no satisfaction survey, so it has no IKM."),
    ({"ikm_unit_id": 987654}, "ikm_unit_id", "This unit does not exist."),
    ({"ikm_unit_id": True}, "ikm_unit_id", "Choose the service unit from the list."),
    ({"ikm_unit_id": "7x"}, "ikm_unit_id", "Choose the service unit from the list."),
    ({"ikm_unit_id": [1]}, "ikm_unit_id", "Invalid input."),
    ({"value_source": "IKM"}, "ikm_unit_id", NEED_UNIT),
    ({"value_source": "IKM", "ikm_unit_id": None}, "ikm_unit_id", NEED_UNIT),
    ({"value_source": "MANUAL", "ikm_unit_id": "pkm"}, "ikm_unit_id",
     "An indicator with reported progress takes no IKM unit: leave the service unit empty, or choose the IKM as "
     "the value source."),
    ({"value_source": "SURVEI", "ikm_unit_id": "pkm"}, "value_source", BAD_SOURCE),
    ({"value_source": 1}, "value_source", BAD_SOURCE),
])
def test_the_api_refuses_what_the_schema_or_the_survey_would(client, db, org, services_, change, field, message):
    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    db.session.commit()
    login(client, org.username("staff1"))
    url = f"/api/v1/skp/{skp.id}/plan"
    indicator = {"aspect": "KUALITAS", "text": "IKM", "target_value": 82}
    indicator.update({k: services_.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    r = client.put(url, json={"version": skp.version, "rhks": [{"text": "Pelayanan", "indicators": [indicator]}]})
    errors = _fields(r)
    key = f"rhks-0-indicators-0-{field}"
    assert list(errors) == [key] and errors[key] == [_t(message)], errors
    assert _indicators(db, skp.id) == []


# --- frozen once approved, copied by a revision, shown on the rating screen -----------------------------------

def test_approved_plan_is_frozen_the_revision_keeps_the_ikm_and_the_rating_screen_shows_it(client, db, org,
                                                                                           services_):
    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    data = {"approach": "KUANTITATIF", "rhks": [{"kind": "UTAMA", "text": "Pelayanan puskesmas", "indicators": [
        {"aspect": "KUALITAS", "text": "IKM puskesmas", "target_value": "82", "target_unit": "nilai IKM",
         "ikm_unit_id": services_["pkm"]}]}]}
    S.save_plan(db.session, ctx(org, "staff1"), skp, data, skp.version)
    S.submit_plan(db.session, ctx(org, "staff1"), skp, skp.version)
    S.approve_plan(db.session, ctx(org, "kabid"), skp, skp.version)
    db.session.commit()
    skp_id = skp.id

    login(client, org.username("staff1"))
    url = f"/api/v1/skp/{skp_id}/plan"
    content = client.get(url).get_json()
    content["rhks"][0]["indicators"][0]["ikm_unit_id"] = None
    content["rhks"][0]["indicators"][0]["value_source"] = "MANUAL"
    r = client.put(url, json={"version": content["version"], "rhks": content["rhks"]})
    assert r.status_code == 422 and r.get_json()["error_code"] == "FINAL"
    token = csrf_token(client, f"/plans/{skp_id}")
    form = {"csrf_token": token, "version": str(content["version"]), "approach": "KUANTITATIF",
            "rhks-0-id": str(content["rhks"][0]["id"]), "rhks-0-text": "Pelayanan puskesmas",
            "rhks-0-indicators-0-id": str(content["rhks"][0]["indicators"][0]["id"]),
            "rhks-0-indicators-0-text": "IKM puskesmas", "rhks-0-indicators-0-target_value": "82",
            "rhks-0-indicators-0-ikm_unit_id": ""}
    assert client.post(f"/plans/{skp_id}/save", data=form).status_code == 302  # refused, back to the page
    assert _sources(db, skp_id) == [("IKM", services_["pkm"])]

    # the plan page (read-only) shows the IKM; a revision copies the source
    html = client.get(f"/plans/{skp_id}").get_data(as_text=True)
    assert f'data-ikm-unit="{services_["pkm"]}" data-ikm="75.00" data-respondents="4"' in html
    new = S.revise_plan(db.session, ctx(org, "staff1"), db.session.get(Skp, skp_id), None)
    db.session.commit()
    assert _sources(db, new.id) == [("IKM", services_["pkm"])]

    # the rater's rating screen shows the unit's current IKM beside the indicator
    period = Period(year=YEAR, kind="QUARTERLY", number=1, code=f"{YEAR}-Q1", starts_on=date(YEAR, 1, 1),
                    ends_on=date(YEAR, 3, 31), is_open=True)
    db.session.add(period)
    db.session.commit()
    S.open_evaluations(db.session, ctx(org, "analis"), period)
    evaluation = db.session.scalar(sa.select(Evaluation).where(Evaluation.skp_id == skp_id))
    assert evaluation is not None
    logout(client)
    login(client, org.username("kabid"))
    page = client.get(f"/evaluations/{evaluation.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-ikm-unit="{services_["pkm"]}" data-ikm="75.00" data-respondents="4"' in html
    assert "IKM 75.00" in html and "Puskesmas Sukarami" in html


# --- the survey side --------------------------------------------------------------------------------------------

def test_service_unit_helpers(db, org, services_):
    units = org.units
    assert SV.top_unit_id(db.session, units["pkm"].id) == units["dinkes"].id
    assert SV.top_unit_id(db.session, units["dinkes"].id) == units["dinkes"].id
    assert SV.top_unit_id(db.session, units["city"].id) == units["city"].id
    assert SV.top_unit_id(db.session, None) is None
    choices = SV.service_unit_choices(db.session, units["p2p"].id)
    assert [(c[0], c[3]) for c in choices] == [(units["pkm"].id, True), (units["disdik"].id, False)]
    # from the city root every service unit is "own"
    assert all(c[3] for c in SV.service_unit_choices(db.session, units["city"].id))
    states = SV.service_unit_states(db.session, [units["pkm"].id, units["p2p"].id, 424242])
    assert states == {units["pkm"].id: "ok", units["p2p"].id: "not-service", 424242: "unknown"}


def test_the_ikm_shown_is_read_again_on_every_request(client, db, org, services_):
    """The IKM per unit is cached for one request only: the next request (even inside one app context, as in
    the tests and scripts) sees new answers."""
    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    S.save_plan(db.session, ctx(org, "staff1"), skp, {"rhks": [{"text": "Pelayanan", "indicators": [
        {"aspect": "KUALITAS", "text": "IKM", "target_value": "82", "ikm_unit_id": services_["pkm"]}]}]}, skp.version)
    S.submit_plan(db.session, ctx(org, "staff1"), skp, skp.version)  # read-only now: the page shows the IKM
    db.session.commit()
    login(client, org.username("staff1"))
    marker = f'data-ikm-unit="{services_["pkm"]}" data-ikm="%s" data-respondents="%d"'
    assert marker % ("75.00", 4) in client.get(f"/plans/{skp.id}").get_data(as_text=True)
    campaign_id = db.session.scalar(sa.select(SurveyCampaign.id).where(SurveyCampaign.unit_id == services_["pkm"]))
    for _ in range(4):
        db.session.add(SurveyResponse(campaign_id=campaign_id, **{f"u{i}": 4 for i in range(1, 10)}))
    db.session.commit()
    assert marker % ("87.50", 8) in client.get(f"/plans/{skp.id}").get_data(as_text=True)


def test_the_editable_plan_page_runs_a_constant_number_of_queries(client, db, org, services_):
    """The value source selects cost two queries per page (the OPD, the service units), whatever the number of
    indicators and service units."""
    from conftest import count_queries

    from app.organisation.models import Unit

    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    db.session.commit()
    login(client, org.username("staff1"))
    client.get(f"/plans/{skp.id}")  # warm-up (menus, permissions)
    counts = []
    for n in (1, 6):
        S.save_plan(db.session, ctx(org, "staff1"), skp, {"rhks": [{"text": f"RHK {i}", "indicators": [
            {"aspect": "KUANTITAS", "text": f"Indikator {i}{j}", "target_value": "5",
             "ikm_unit_id": services_["pkm"] if j else None} for j in range(2)]} for i in range(n)]}, skp.version)
        for k in range(n):
            unit = Unit(code=f"KEL-{n}-{k}", name=f"Kelurahan {n}-{k}", unit_type="KELURAHAN",
                        parent_id=org.units["dinkes"].id, active=True)
            db.session.add(unit)
            db.session.flush()
            db.session.add(SurveyService(unit_id=unit.id, service_name="Administrasi", active=True))
        db.session.commit()
        with count_queries(db) as queries:
            html = client.get(f"/plans/{skp.id}").get_data(as_text=True)
        assert html.count('data-ind-field="ikm_unit_id"') == 2 * n + 2  # and the two template rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_progress_on_an_ikm_indicator_takes_no_typed_value(db, org, services_):
    """The realised value of an IKM indicator is what citizens said: a typed value is refused (screen and API
    share record_progress), a report of the work without a value (with evidence) is still welcome."""
    from app.core.errors import DomainValidationError

    skp = S.start_plan(db.session, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    data = {"approach": "KUANTITATIF", "rhks": [{"kind": "UTAMA", "text": "Pelayanan puskesmas", "indicators": [
        {"aspect": "KUALITAS", "text": "IKM puskesmas", "target_value": "82", "target_unit": "nilai IKM",
         "ikm_unit_id": services_["pkm"]}]}]}
    S.save_plan(db.session, ctx(org, "staff1"), skp, data, skp.version)
    S.submit_plan(db.session, ctx(org, "staff1"), skp, skp.version)
    S.approve_plan(db.session, ctx(org, "kabid"), skp, skp.version)
    db.session.commit()
    rhk = skp.rhks[0]
    indicator = rhk.indicators[0]
    with pytest.raises(DomainValidationError) as refused:
        S.add_progress(db.session, ctx(org, "staff1"), rhk, indicator, "90", "Survei triwulan I",
                       date(YEAR, 3, 31))
    assert list(refused.value.errors) == ["value"]
    from markupsafe import Markup

    assert str(refused.value.errors["value"]) == Markup(_t(
        "The realised value of this indicator is the unit's IKM: leave the value empty and describe the work."
    )).unescape()
    row = S.add_progress(db.session, ctx(org, "staff1"), rhk, indicator, None, "Survei triwulan I dijalankan",
                         date(YEAR, 3, 31))
    assert row.value is None and row.indicator_id == indicator.id
