"""Dashboards (app/dashboards): numbers on constructed data, the scope (Pimpinan: own subtree; Pegawai refused),
CSV = table = API, query counts, and nothing loaded from another host."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest

from tests.access_training import enroll, external, make_session, topic
from tests.conftest import count_queries, login, logout

YEAR = 2025


def _period(db, closes_on=date(YEAR + 1, 1, 31)):
    from app.performance.models import Period

    p = Period(year=YEAR, kind="ANNUAL", number=1, code=str(YEAR), starts_on=date(YEAR, 1, 1),
               ends_on=date(YEAR, 12, 31), closes_on=closes_on)
    db.session.add(p)
    db.session.flush()
    return p


def _plan(db, org, key, status, submitted=None, current=True, approved=None, revision=1):
    from app.performance.models import Skp

    e = org.employees[key]
    skp = Skp(employee_id=e.id, unit_id=e.unit_id, year=YEAR, status=status, submitted_at=submitted,
              approved_at=approved, is_current=current, revision=revision)
    db.session.add(skp)
    db.session.flush()
    return skp


def _evaluation(db, skp, period, status, predikat=None, finalised=None):
    from app.performance.models import Evaluation

    pairs = {"BAIK": ("SESUAI", "SESUAI"), "SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"), None: (None, None)}
    hasil, perilaku = pairs[predikat]
    db.session.add(Evaluation(skp_id=skp.id, period_id=period.id, status=status, hasil_rating=hasil,
                              perilaku_rating=perilaku, predikat=predikat, finalised_at=finalised))
    db.session.flush()


@pytest.fixture
def world(app, db, org):
    """Plans and evaluations of YEAR in Dinas Kesehatan (P2P: 3 staff, Puskesmas: 2) and Dinas Pendidikan."""
    from app.performance.models import OrganisationRating

    period = _period(db)
    db.session.add(OrganisationRating(unit_id=org.units["dinkes"].id, period_id=period.id, rating="BAIK"))
    _plan(db, org, "staff1", "DIAJUKAN", datetime(YEAR, 1, 5), current=False)  # an old revision: not counted
    s1 = _plan(db, org, "staff1", "DISETUJUI", datetime(YEAR, 1, 20), approved=datetime(YEAR, 1, 25), revision=2)
    s2 = _plan(db, org, "staff2", "DIAJUKAN", datetime(YEAR, 2, 10))  # late
    _plan(db, org, "kabid", "DRAFT")
    pr = _plan(db, org, "perawat", "DISETUJUI", datetime(YEAR, 1, 31, 23, 0), approved=datetime(YEAR, 2, 1))
    _plan(db, org, "guru", "DIKEMBALIKAN", datetime(YEAR, 1, 10))
    _evaluation(db, s1, period, "FINAL", "BAIK", datetime(YEAR + 1, 1, 15))
    _evaluation(db, s2, period, "DINILAI", "BAIK")
    _evaluation(db, pr, period, "FINAL", "SANGAT_BAIK", datetime(YEAR + 1, 2, 10))  # after the closing date
    db.session.commit()
    return period


def _login(client, org, key):
    """Sign in and switch the UI to English (the msgids), so the assertions do not follow the catalog."""
    login(client, org.username(key))
    client.get("/lang/en")


def _figure(html, chart_title_part, category):
    """The row of ``category`` in the table of the chart whose title contains ``chart_title_part``."""
    figures = re.findall(r'<figure class="portal-chart-figure".*?</figure>', html, re.S)
    fig = next(f for f in figures if chart_title_part in f)
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", fig, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", "<th>" + row)
        if cells[0] == category:
            return cells[1:]
    raise AssertionError(f"{category} not in {chart_title_part}")


def _csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_compliance_numbers_for_the_pimpinan(client, db, org, world):
    _login(client, org, "kadis")
    r = client.get(f"/dashboards/compliance/?year={YEAR}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    # P2P: 3 active staff, 2 submitted (1 by 31 January), 1 approved; the old revision is not counted
    assert _figure(html, "SKP", "Bidang Pencegahan dan Pengendalian Penyakit") == ["66.7", "33.3", "33.3"]
    # Puskesmas: 2 staff, the nurse submitted on 31 January 23:00 (in time) and was approved
    assert _figure(html, "SKP", "Puskesmas Sukarami") == ["50", "50", "50"]
    assert _figure(html, "SKP", "Dinas Kesehatan (own staff)") == ["0", "0", "0"]
    # evaluations of the annual period (closes 31 January): P2P rated 2 of 2, final 1; Puskesmas final but late
    assert _figure(html, "Evaluations", "Bidang Pencegahan dan Pengendalian Penyakit") == ["100", "50", "50"]
    assert _figure(html, "Evaluations", "Puskesmas Sukarami") == ["100", "100", "0"]
    assert 'data-employees="6" data-submitted="3" data-approved="2" data-final="2"' in html
    # the scope: Dinas Pendidikan's plan is not counted, its name is not shown
    assert "Dinas Pendidikan" not in html
    # nothing from another host; the SVG draws without script
    assert "<svg" in html and "google" not in html.lower() and "gstatic" not in html
    assert not re.search(r'(src|href)="https?://(?!localhost)', html)


def test_city_dashboard_rows_are_the_opds(client, db, org, world):
    _login(client, org, "analis")  # Pengelola Kinerja: the whole city
    html = client.get(f"/dashboards/compliance/?year={YEAR}").get_data(as_text=True)
    assert _figure(html, "SKP", "Dinas Kesehatan") == ["50", "33.3", "33.3"]  # 6 staff: 3 submitted, 2 on time
    assert _figure(html, "SKP", "Dinas Pendidikan") == ["0", "0", "0"]  # returned plans are not submitted
    assert "Pemerintah Kota Palembang (own staff)" in html


def test_predikat_distribution_against_the_curve(client, db, org, world):
    _login(client, org, "kadis")
    r = client.get(f"/dashboards/predikat/?year={YEAR}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    row = _figure(html, "Predikat of the staff", "Bidang Pencegahan dan Pengendalian Penyakit · Baik")
    assert row == ["0", "1", "0", "0", "0"]  # one Baik (the rated but not final evaluation is not counted)
    # P2P inherits Dinas Kesehatan's "Baik": 100% Baik (> 70%) and no Butuh Perbaikan/Kurang: two departures
    curve = re.search(r'<tr data-warnings="(\d+)"><th scope="row">Bidang Pencegahan', html)
    assert curve and curve.group(1) == "2"
    trend = _figure(html, "Predikat over the years", str(YEAR))
    assert trend == ["50", "50", "0", "0", "0"]  # Sangat Baik, Baik (1 each of 2 final annual evaluations)


def test_training_and_socialization(app, client, db, org, world):
    from app.socialization.models import MaterialAcknowledgement

    t = topic(db, name="Penyusunan SKP")
    start = datetime(YEAR, 3, 10, 8, 0)
    s = make_session(db, org, starts_at=start, jp=4, status="DITUTUP", topic_item=t)
    enroll(db, org, s, "staff1", attendance="HADIR")
    enroll(db, org, s, "staff2", attendance="TIDAK_HADIR")
    enroll(db, org, s, "perawat", attendance="IZIN")
    enroll(db, org, s, "guru", attendance="HADIR")  # another OPD
    external(db, org, "staff1", jp=16, ended_on=date(YEAR, 5, 1))  # 4 + 16 = 20: target reached
    from tests.test_socialization import _make

    material = _make(db)
    db.session.add(MaterialAcknowledgement(version_id=material.current_version.id,
                                           employee_id=org.employees["kapus"].id,
                                           acknowledged_at=datetime(YEAR, 6, 1)))
    db.session.commit()
    _login(client, org, "kadis")
    html = client.get(f"/dashboards/training/?year={YEAR}").get_data(as_text=True)
    p2p = "Bidang Pencegahan dan Pengendalian Penyakit"
    assert _figure(html, "JP coverage", p2p) == ["33.3"]  # staff1 of 3
    assert _figure(html, "JP coverage", "Puskesmas Sukarami") == ["0"]
    assert _figure(html, "JP per employee", p2p) == ["6.7"]  # 20 JP / 3
    assert _figure(html, "Attendance", p2p) == ["50", "0"]
    assert _figure(html, "Attendance", "Puskesmas Sukarami") == ["0", "100"]
    # the topic counts this subtree's participants only (the teacher is outside it)
    assert _figure(html, "Sessions per topic", "Penyusunan SKP (Training)") == ["1", "1"]
    assert _figure(html, "Socialization reach", "Puskesmas Sukarami") == ["50"]


def test_csv_equals_the_table_and_the_api(client, db, org, world):
    _login(client, org, "kadis")
    html = client.get(f"/dashboards/compliance/?year={YEAR}").get_data(as_text=True)
    link = re.search(r'href="(/dashboards/compliance/plans\.csv[^"]*)"', html)
    assert link
    r = client.get(link.group(1).replace("&amp;", "&"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = _csv(r)
    api = client.get(f"/api/v1/dashboard/compliance?year={YEAR}").get_json()
    chart = api["charts"]["plans"]
    assert rows[0] == chart["headers"]
    assert [[str(v) if v is not None else "" for v in row] for row in chart["rows"]] == rows[1:]
    for row in rows[1:]:
        assert _figure(html, "SKP", row[0]) == row[1:]
    assert client.get(f"/dashboards/compliance/nothing.csv?year={YEAR}").status_code == 404


def test_scope_pimpinan_cannot_pick_another_unit(client, db, org, world):
    _login(client, org, "kadis")
    disdik = org.units["disdik"].id
    assert client.get(f"/dashboards/compliance/?unit={disdik}").status_code == 404
    assert client.get(f"/dashboards/compliance/plans.csv?unit={disdik}").status_code == 404
    assert client.get(f"/api/v1/dashboard/compliance?unit={disdik}").status_code == 404
    # a unit inside the subtree is fine, and shows only that subtree
    pkm = org.units["pkm"].id
    html = client.get(f"/dashboards/compliance/?year={YEAR}&unit={pkm}").get_data(as_text=True)
    assert "Puskesmas Sukarami (own staff)" in html and "Pencegahan" not in html


@pytest.mark.parametrize("user", ["staff1", "kabid"])
def test_pegawai_and_atasan_are_refused(client, db, org, world, user):
    _login(client, org, user)
    for url in ("/dashboards/compliance/", "/dashboards/compliance/plans.csv"):
        r = client.get(url)
        assert r.status_code in (302, 403) and "Dasbor" not in r.get_data(as_text=True)
    assert client.get("/api/v1/dashboard/compliance").status_code in (401, 403)


def test_bad_input_is_a_clear_answer(client, db, org, world):
    _login(client, org, "analis")
    assert client.get("/dashboards/nothing/").status_code == 404
    assert client.get("/dashboards/compliance/?unit=abc").status_code == 404
    assert client.get(f"/dashboards/compliance/?year={YEAR}&period=999999").status_code == 404
    assert client.get("/dashboards/compliance/?year=abc").status_code == 200  # falls back to the default year
    r = client.get("/api/v1/dashboard/compliance?year=abc")
    assert r.status_code == 400 and "year" in r.get_json()["message"]
    assert client.get("/api/v1/dashboard/nothing").status_code == 404
    assert client.get("/dashboards/").status_code == 302


@pytest.mark.parametrize("section", ["compliance", "predikat", "training", "satisfaction"])
def test_every_section_draws_within_the_query_budget(client, db, org, world, section):
    _login(client, org, "kadis")
    client.get(f"/dashboards/{section}/?year={YEAR}")  # warm-up (menus, translations)
    with count_queries(db) as q:
        r = client.get(f"/dashboards/{section}/?year={YEAR}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart') >= 2
    assert len(q) <= 15, q


def test_public_satisfaction_per_service_unit(client, db, org, world):
    """IKM of the service units of the subtree (helper module app.survey): 2 answers all 4 and 2 all 3 →
    every element's average 3.5 → IKM 87.5; Dinas Pendidikan's service unit is not the Pimpinan's."""
    from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService

    for key, answers in (("pkm", (4, 4, 3, 3)), ("disdik", (1, 1))):
        unit = org.units[key]
        db.session.add(SurveyService(unit_id=unit.id, service_name=f"Layanan {unit.name}"))
        db.session.flush()
        campaign = SurveyCampaign(unit_id=unit.id, year=YEAR, opens_on=date(YEAR, 1, 1),
                                  closes_on=date(YEAR, 12, 31), token=f"token-dashboard-{key}-0123456789")
        db.session.add(campaign)
        db.session.flush()
        for a in answers:
            db.session.add(SurveyResponse(campaign_id=campaign.id, **{f"u{i}": a for i in range(1, 10)}))
    db.session.commit()
    _login(client, org, "kadis")
    html = client.get(f"/dashboards/satisfaction/?year={YEAR}").get_data(as_text=True)
    assert _figure(html, "Public satisfaction index", "Puskesmas Sukarami") == ["87.5"]
    assert _figure(html, "Respondents", "Puskesmas Sukarami · grade B") == ["4"]
    assert _figure(html, "IKM over the years", str(YEAR)) == ["87.5"]
    assert _figure(html, "IKM over the years", str(YEAR - 1)) == [""]  # nobody answered: a gap, not a zero
    assert "Dinas Pendidikan" not in html
    logout(client)
    _login(client, org, "analis")  # the city: both service units
    html = client.get(f"/dashboards/satisfaction/?year={YEAR}").get_data(as_text=True)
    assert _figure(html, "Public satisfaction index", "Dinas Pendidikan") == ["25"]
    assert _figure(html, "Respondents", "Dinas Pendidikan · grade D") == ["2"]


def test_pimpinan_without_an_employee_record_gets_a_sentence(app, client, db, org):
    from tests.conftest import _user

    _user(app.appbuilder.sm, "pimpinan-tanpa-pegawai", "Tanpa", "Pegawai", ["Pimpinan"])
    db.session.commit()
    login(client, "pimpinan-tanpa-pegawai")
    client.get("/lang/en")
    r = client.get("/dashboards/compliance/")
    assert r.status_code == 200
    assert "Your account is not linked to a unit" in r.get_data(as_text=True)
    assert client.get("/dashboards/compliance/plans.csv").status_code == 404
    assert client.get("/api/v1/dashboard/compliance").status_code == 404
