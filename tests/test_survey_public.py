"""The citizen's survey page: no login, CSRF, honeypot, device cookie, limits, closed campaign, thank-you page;
refused submissions are never stored. And the managers' results screens, exports, QR code and REST API with
their row scope."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.survey import services as S
from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService
from conftest import login
from app.performance.services import today_wib  # the city's date (WIB), as the app uses

YEAR = today_wib().year


@pytest.fixture
def campaign(db, org):
    pkm = org.units["pkm"]
    org.units["pkm"].head_position_id = org.positions["kapus"].id
    db.session.add(SurveyService(unit_id=pkm.id, service_name="Pelayanan Puskesmas", active=True))
    db.session.flush()
    c = SurveyCampaign(unit_id=pkm.id, year=YEAR, opens_on=date(YEAR, 1, 1), closes_on=date(YEAR, 12, 31),
                       active=True, token=S.new_token())
    db.session.add(c)
    db.session.commit()
    return c


def _form_page(client, token):
    response = client.get(f"/survei/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1), html


def _answers(token, **over):
    data = {f"u{i}": "4" for i in range(1, 10)}
    data["csrf_token"] = token
    data.update(over)
    return data


def _count(db):
    return db.session.query(SurveyResponse).count()


def test_citizen_answers_and_sees_thank_you(client, db, campaign):
    csrf, html = _form_page(client, campaign.token)
    assert "Pelayanan Puskesmas" in html and "appbuilder" not in html.lower()
    assert 'name="website"' in html  # the honeypot
    response = client.post(f"/survei/{campaign.token}", data=_answers(csrf, gender="L", comment="Cepat"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/terima-kasih")
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200 and 'id="survey-thanks"' in thanks.get_data(as_text=True)
    row = db.session.query(SurveyResponse).one()
    assert row.gender == "L" and row.comment == "Cepat" and row.campaign_id == campaign.id


def test_unknown_token_is_404(client, campaign):
    assert client.get("/survei/no-such-token-here-at-all").status_code == 404
    assert client.post("/survei/no-such-token-here-at-all", data={}).status_code == 404


def test_refused_without_csrf_token(client, db, campaign):
    _form_page(client, campaign.token)
    response = client.post(f"/survei/{campaign.token}", data=_answers("forged"))
    assert response.status_code == 400 and 'data-reason="csrf"' in response.get_data(as_text=True)
    assert _count(db) == 0


def test_refused_when_honeypot_filled(client, db, campaign):
    csrf, _ = _form_page(client, campaign.token)
    response = client.post(f"/survei/{campaign.token}", data=_answers(csrf, website="http://spam.example"))
    assert response.status_code == 400 and 'data-reason="honeypot"' in response.get_data(as_text=True)
    assert _count(db) == 0


def test_refused_without_device_cookie(client, db, campaign):
    csrf, _ = _form_page(client, campaign.token)
    client.delete_cookie("survey_device", path="/survei")
    response = client.post(f"/survei/{campaign.token}", data=_answers(csrf))
    assert response.status_code == 400 and 'data-reason="cookie"' in response.get_data(as_text=True)
    assert _count(db) == 0


@pytest.mark.parametrize("over,field", [({"u3": "5"}, "u3"), ({"u1": "0"}, "u1"), ({"u7": "x"}, "u7"),
                                        ({"u9": ""}, "u9"), ({"education": "PhD"}, "education")])
def test_refused_bad_or_missing_answers(client, db, campaign, over, field):
    csrf, _ = _form_page(client, campaign.token)
    response = client.post(f"/survei/{campaign.token}", data=_answers(csrf, **over))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-reason="invalid"' in html and f'data-field="{field}"' in html
    assert _count(db) == 0


def test_device_limit_then_ip_limit(app, client, db, campaign):
    # windows far longer than the test: with the default 10-minute IP window, a test that ran across a window
    # boundary (wall-clock time, e.g. on a loaded machine) would see its counter start again and fail
    app.config.update(SURVEY_DEVICE_LIMIT=1, SURVEY_IP_LIMIT=2, SURVEY_IP_WINDOW=10 ** 9, SURVEY_DEVICE_WINDOW=10 ** 9)
    try:
        csrf, _ = _form_page(client, campaign.token)
        assert client.post(f"/survei/{campaign.token}", data=_answers(csrf)).status_code == 302
        again = client.post(f"/survei/{campaign.token}", data=_answers(csrf))
        assert again.status_code == 429 and 'data-reason="device-limit"' in again.get_data(as_text=True)
        other = app.test_client()  # another phone behind the same address
        csrf2, _ = _form_page(other, campaign.token)
        third = other.post(f"/survei/{campaign.token}", data=_answers(csrf2))
        assert third.status_code == 429 and 'data-reason="ip-limit"' in third.get_data(as_text=True)
        assert _count(db) == 1
    finally:
        for key in ("SURVEY_DEVICE_LIMIT", "SURVEY_IP_LIMIT", "SURVEY_IP_WINDOW", "SURVEY_DEVICE_WINDOW"):
            app.config.pop(key)


def test_closed_campaign_refuses(client, db, campaign):
    csrf, _ = _form_page(client, campaign.token)
    campaign.closes_on = today_wib() - timedelta(days=1)
    campaign.opens_on = min(campaign.opens_on, campaign.closes_on)
    db.session.commit()
    page = client.get(f"/survei/{campaign.token}")
    assert page.status_code == 200 and 'id="survey-closed"' in page.get_data(as_text=True)
    response = client.post(f"/survei/{campaign.token}", data=_answers(csrf))
    assert response.status_code == 403 and _count(db) == 0


def _answered(db, campaign, n=3, value=4):
    for _ in range(n):
        db.session.add(SurveyResponse(campaign_id=campaign.id, **{f"u{i}": value for i in range(1, 10)}))
    db.session.commit()


@pytest.mark.parametrize("who,sees", [("analis", True), ("admin", True), ("kadis", True), ("kapus", True),
                                      ("kadisdik", False), ("kabid", False), ("perawat", False)])
def test_results_scope(client, db, org, campaign, who, sees):
    _answered(db, campaign)
    login(client, org.username(who))
    listing = client.get(f"/survey-results/?year={YEAR}")
    detail = client.get(f"/survey-results/{campaign.unit_id}/{YEAR}")
    api = client.get(f"/api/v1/survey_result/ikm?year={YEAR}")
    if who == "perawat":  # a Pegawai has no results screen
        assert listing.status_code in (302, 403) and api.status_code in (401, 403)
        return
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert (f'data-unit="{campaign.unit_id}"' in html) is sees
    assert detail.status_code == (200 if sees else 404)
    body = api.get_json()
    assert [r["unit_id"] for r in body["result"]] == ([campaign.unit_id] if sees else [])
    if sees:
        assert body["result"][0]["ikm"] == "100.00" and body["result"][0]["grade"] == "A"
        assert 'id="ikm-value">100.00<' in detail.get_data(as_text=True)


def test_results_exports_qr_and_pdf(client, db, org, campaign):
    _answered(db, campaign, n=2, value=3)
    login(client, org.username("analis"))
    csv = client.get(f"/survey-results/export/csv?year={YEAR}")
    assert csv.status_code == 200 and "75.00" in csv.get_data(as_text=True)
    qr = client.get(f"/survey-results/qr/{campaign.id}.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    poster = client.get(f"/survey-results/poster/{campaign.id}")
    assert poster.status_code == 200 and campaign.token in poster.get_data(as_text=True)
    pdf = client.get(f"/survey-results/{campaign.unit_id}/{YEAR}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get("/survey-results/qr/999999.svg").status_code == 404


def test_campaign_api_admin(client, db, org, campaign):
    service = db.session.query(SurveyService).one()
    login(client, org.username("analis"))
    created = client.post("/api/v1/survey_campaign/", json={
        "service": service.id, "year": YEAR + 1, "opens_on": f"{YEAR + 1}-01-01", "closes_on": f"{YEAR + 1}-06-30",
        "active": True})
    assert created.status_code == 201, created.get_json()
    row = db.session.get(SurveyCampaign, created.get_json()["id"])
    assert row.unit_id == service.unit_id and len(row.token) >= 16
    bad = client.post("/api/v1/survey_campaign/", json={
        "service": service.id, "year": YEAR + 1, "opens_on": f"{YEAR + 1}-06-01", "closes_on": f"{YEAR + 1}-01-01"})
    assert bad.status_code == 422
    listed = client.get("/api/v1/survey_campaign/").get_json()
    assert listed["count"] == 2


def test_campaign_api_refused_to_pimpinan(client, org, campaign):
    login(client, org.username("kadis"))
    assert client.get("/api/v1/survey_campaign/").status_code in (401, 403)


def test_query_counts_of_the_public_pages_and_the_results(app, client, db, org, campaign):
    from conftest import count_queries

    _answered(db, campaign, n=5)
    app.config["SURVEY_CAMPAIGN_CACHE_SECONDS"] = 60
    try:
        client.get(f"/survei/{campaign.token}")  # warm the caches
        with count_queries(db) as q:
            csrf, _ = _form_page(client, campaign.token)
        assert len(q) == 0, q  # the campaign comes from the per-process cache
        with count_queries(db) as q:
            assert client.post(f"/survei/{campaign.token}", data=_answers(csrf)).status_code == 302
        assert len(q) == 2, q  # both counters in one upsert, the insert
    finally:
        app.config.pop("SURVEY_CAMPAIGN_CACHE_SECONDS")
    # the results screens: a constant number of queries whatever the number of answers
    login(client, org.username("analis"))
    client.get(f"/survey-results/?year={YEAR}")
    counts = []
    for extra in (0, 30):
        _answered(db, campaign, n=extra) if extra else None
        with count_queries(db) as q1:
            assert client.get(f"/survey-results/?year={YEAR}").status_code == 200
        with count_queries(db) as q2:
            assert client.get(f"/survey-results/{campaign.unit_id}/{YEAR}").status_code == 200
        counts.append((len(q1), len(q2)))
    assert counts[0] == counts[1] and counts[0][0] <= 8 and counts[0][1] <= 14, counts
