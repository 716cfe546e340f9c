"""Rater-bias analytics (app/analytics): flags on constructed data where the answer is known (lenient, severe,
central, identical for everyone, too few ratees, self-assessment gap, normal raters), one aggregate query per
page, and the scope of the list, the rater page, the CSV and the REST API (leadership chain yes; peer,
subordinate, unrelated Pimpinan no)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from conftest import PASSWORD, count_queries, login, logout, make_nip

YEAR = 2025
A, S, B = "DI_ATAS", "SESUAI", "DI_BAWAH"
NORMAL = [(A, S), (S, A), (S, S), (S, S), (B, S), (S, B), (A, A), (S, S), (S, A), (B, B), (S, S), (A, S)]
PATTERNS = {
    "lenient": [(A, A)] * 11 + [(A, S)],
    "severe": [(B, B)] * 10 + [(B, S)] * 2,
    "central": [(S, S)] * 11 + [(S, A)],
    "identical": [(S, S)] * 12,
    "few": [(A, A)] * 5,
    "normal1": NORMAL, "normal2": NORMAL, "normal3": NORMAL, "normal4": NORMAL,
    "selfgap": NORMAL,
}
_seq = iter(range(1, 10 ** 6))


def _employee(db, name, unit, supervisor=None, account_roles=None, app=None):
    from app.organisation.models import Employee, Rank

    rank = db.session.scalar(select(Rank).where(Rank.asn_type == "PNS", Rank.code == "III/a"))
    n = next(_seq)
    e = Employee(nip=make_nip(date(1985, 1, 1 + n % 28), (2010, 1 + n % 12), 1, n % 999 + 1), name=name,
                 gender="L", birth_date=date(1985, 1, 1 + n % 28), asn_type="PNS", status="AKTIF", rank=rank,
                 unit=unit, supervisor=supervisor)
    if account_roles:
        sm = app.appbuilder.sm
        user = sm.add_user(e.nip, name, "Test", f"{e.nip}@test.invalid", [sm.find_role(r) for r in account_roles],
                           password=PASSWORD)
        e.user_id = user.id
    db.session.add(e)
    db.session.flush()
    return e


@pytest.fixture
def biased(app, db, org):
    """Dinas Kesehatan: the lenient rater is Siti (kabid, under kadis); the other raters sit in Dinas Kesehatan
    under kadis; each rates 12 employees (the "few" rater 5). A Pimpinan below Siti in P2P ("sub_pimpinan")."""
    from app.performance.models import Evaluation, Period, Skp
    from app.performance.rating import PREDIKAT_MATRIX, Rating

    period = Period(year=YEAR, kind="ANNUAL", number=1, code=str(YEAR), starts_on=date(YEAR, 1, 1),
                    ends_on=date(YEAR, 12, 31))
    db.session.add(period)
    e, u = org.employees, org.units
    raters = {"lenient": e["kabid"]}
    for key in PATTERNS:
        if key not in raters:
            raters[key] = _employee(db, f"Penilai {key}", u["dinkes"], e["kadis"])
    sub = _employee(db, "Pimpinan Bawahan", u["p2p"], e["kabid"], ("Pegawai", "Atasan", "Pimpinan"), app)
    _employee(db, "Bawahan Sub", u["p2p"], sub)  # so that sub is an Atasan with a team
    db.session.flush()
    for key, pairs in PATTERNS.items():
        rater = raters[key]
        for i, (h, p) in enumerate(pairs):
            ratee = _employee(db, f"Pegawai {key} {i}", rater.unit, rater)
            skp = Skp(employee_id=ratee.id, unit_id=ratee.unit_id, rater_id=rater.id, year=YEAR, status="DISETUJUI")
            db.session.add(skp)
            db.session.flush()
            ev = Evaluation(skp_id=skp.id, period_id=period.id, status="FINAL", hasil_rating=h, perilaku_rating=p,
                            predikat=PREDIKAT_MATRIX[(Rating(h), Rating(p))].value,
                            finalised_at=datetime(YEAR + 1, 1, 20))
            if key == "selfgap":
                ev.self_hasil_rating, ev.self_perilaku_rating = A, A
            elif key.startswith("normal"):
                ev.self_hasil_rating, ev.self_perilaku_rating = h, p
            db.session.add(ev)
    # an evaluation still open does not count
    skp = Skp(employee_id=e["staff1"].id, unit_id=e["staff1"].unit_id, rater_id=e["kabid"].id, year=YEAR,
              status="DISETUJUI")
    db.session.add(skp)
    db.session.flush()
    db.session.add(Evaluation(skp_id=skp.id, period_id=period.id, status="DIBUKA"))
    db.session.commit()
    return {"raters": raters, "sub": sub, "period": period}


def _viewer_all():
    from app.analytics.scope import Viewer
    from app.security.scope import Scope

    return Viewer(Scope(everything=True))


def test_flags_on_constructed_data(db, biased):
    from app.analytics import services
    from app.analytics.rules import Flag

    with count_queries(db) as q:
        analysis = services.analyse(db.session, _viewer_all(), YEAR)
    assert len(q) == 2  # the aggregate and the unit tree
    by_id = {r.rater_id: r for r in analysis.rows}
    flags = {key: set(by_id[rater.id].assessment.flags) for key, rater in biased["raters"].items()}
    assert flags["lenient"] == {Flag.LENIENT}
    assert flags["severe"] == {Flag.SEVERE}
    assert flags["central"] == {Flag.CENTRAL}
    assert flags["identical"] == {Flag.IDENTICAL}
    assert flags["selfgap"] == {Flag.SELF_GAP}
    assert flags["few"] == set() and not by_id[biased["raters"]["few"].id].assessment.eligible
    for key in ("normal1", "normal2", "normal3", "normal4"):
        assert flags[key] == set(), key
    lenient = by_id[biased["raters"]["lenient"].id]
    assert lenient.tally.evaluations == 12 and lenient.tally.ratees == 12  # the open evaluation is left out
    assert "96%" in lenient.assessment.findings[0].text  # 23 of 24 ratings "Di Atas Ekspektasi"
    assert lenient.opd_name == "Dinas Kesehatan"
    # flagged first, the strongest departure first
    ordered = services.sort_rows(analysis.rows)
    assert [r.flagged for r in ordered] == sorted([r.flagged for r in ordered], reverse=True)
    assert ordered[0].assessment.departure >= ordered[1].assessment.departure


def test_list_page_csv_and_api_for_pengelola(client, db, org, biased):
    login(client, org.username("analis"))
    with count_queries(db) as q:
        page = client.get(f"/rater-bias/?year={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-rater="{biased["raters"]["lenient"].id}" data-flags="LENIENT"' in html
    assert "Cara penilai dibandingkan" in html and "0.8" in html
    assert len(q) <= 12
    csv = client.get(f"/rater-bias/export.csv?year={YEAR}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert biased["raters"]["lenient"].nip in csv.get_data(as_text=True)
    flagged = client.get(f"/api/v1/rater_bias/?year={YEAR}&flagged=1").get_json()
    assert flagged["count"] == 5 and {r["flags"][0] for r in flagged["result"]} == {
        "LENIENT", "SEVERE", "CENTRAL", "IDENTICAL", "SELF_GAP"}
    assert client.get("/api/v1/rater_bias/?year=abc").status_code == 400
    assert client.get(f"/api/v1/rater_bias/?year={YEAR}&sort=x").status_code == 400
    show = client.get(f"/rater-bias/{biased['raters']['lenient'].id}?year={YEAR}")
    assert show.status_code == 200 and "<svg" in show.get_data(as_text=True)
    chart = client.get(f"/rater-bias/{biased['raters']['lenient'].id}/chart/hasil.csv?year={YEAR}")
    assert chart.status_code == 200 and "Di Atas Ekspektasi" in chart.get_data(as_text=True)
    assert client.get(f"/rater-bias/{biased['raters']['lenient'].id}/chart/nope.csv?year={YEAR}").status_code == 404
    assert client.get("/rater-bias/?year=2025&period=999999").status_code == 404
    assert client.get("/rater-bias/?year=2025&unit=abc").status_code == 404


def _visible(client, rater_id):
    """(in the list, rater page status, in the CSV, API status) for the signed-in user."""
    listing = client.get(f"/rater-bias/?year={YEAR}")
    in_list = listing.status_code == 200 and f'data-rater="{rater_id}"' in listing.get_data(as_text=True)
    show = client.get(f"/rater-bias/{rater_id}?year={YEAR}").status_code
    csv = client.get(f"/rater-bias/export.csv?year={YEAR}")
    api = client.get(f"/api/v1/rater_bias/{rater_id}?year={YEAR}").status_code
    return in_list, show, csv, api


@pytest.mark.parametrize("who, sees", [
    ("admin", True), ("analis", True),  # Admin, Pengelola Kinerja
    ("kadis", True),  # the rater's supervisor and Pimpinan of Dinas Kesehatan
    ("kapus", False),  # a peer (same supervisor), Atasan
    ("kadisdik", False),  # an unrelated Pimpinan
    ("sub", False),  # a subordinate who is Pimpinan of the rater's own unit
    ("kabid", False),  # the rater herself
])
def test_scope_of_a_rater(client, org, biased, who, sees):
    rater = biased["raters"]["lenient"]
    username = biased["sub"].nip if who == "sub" else org.username(who)
    login(client, username)
    in_list, show, csv, api = _visible(client, rater.id)
    assert in_list is sees
    assert show == (200 if sees else 404)
    assert api == (200 if sees else 404)
    assert csv.status_code == 200 and (rater.nip in csv.get_data(as_text=True)) is sees


def test_pegawai_has_no_access(client, org, biased):
    login(client, org.username("staff1"))
    assert client.get(f"/rater-bias/?year={YEAR}").status_code in (302, 403)
    assert client.get(f"/api/v1/rater_bias/?year={YEAR}").status_code in (401, 403)


def test_pimpinan_sees_the_raters_of_the_subtree_only(client, org, biased):
    login(client, org.username("kadis"))
    data = client.get(f"/api/v1/rater_bias/?year={YEAR}&page_size=500").get_json()
    assert data["count"] == len(biased["raters"])  # every rater of the constructed data is in Dinas Kesehatan
    # the unit filter: a unit of the own subtree only
    p2p, disdik = org.units["p2p"].id, org.units["disdik"].id
    assert client.get(f"/api/v1/rater_bias/?year={YEAR}&unit={p2p}").get_json()["count"] == 1  # Siti
    assert client.get(f"/rater-bias/?year={YEAR}&unit={p2p}").status_code == 200
    assert client.get(f"/rater-bias/?year={YEAR}&unit={disdik}").status_code == 404
    assert client.get(f"/api/v1/rater_bias/?year={YEAR}&unit={disdik}").status_code == 404
    logout(client)
    login(client, org.username("kadisdik"))
    assert client.get(f"/api/v1/rater_bias/?year={YEAR}").get_json()["count"] == 0
    logout(client)
    login(client, org.username("kabid"))  # an Atasan: no unit filter
    assert 'name="unit"' not in client.get(f"/rater-bias/?year={YEAR}").get_data(as_text=True)
    assert client.get(f"/rater-bias/?year={YEAR}&unit={p2p}").status_code == 404


# --- the employee's own ratings in the self-assessment (what the gap is measured on) ---------------------------

def test_self_assessment_takes_the_employees_own_ratings(client, db, org):
    """The self-assessment form and service take the employee's own ratings (optional, both or neither); a bad
    or half-given pair is refused with a sentence and nothing is saved."""
    import test_performance_evaluation as T
    from app.core.errors import DomainValidationError
    from app.performance import services as PS
    from app.performance.models import Evaluation, Period

    q1 = Period(year=T.YEAR, kind="QUARTERLY", number=1, code=f"{T.YEAR}-Q1", starts_on=date(T.YEAR, 1, 1),
                ends_on=date(T.YEAR, 3, 31), is_open=True)
    db.session.add(q1)
    db.session.commit()
    ev = T.open_evaluation(db, org, q1, "staff1", "kabid")
    with pytest.raises(DomainValidationError) as exc:
        PS.save_self_assessment(db.session, T.ctx(org, "staff1"), ev, "Target tercapai.", ev.version,
                                self_hasil="DI_ATAS")
    assert "self_perilaku_rating" in exc.value.errors
    with pytest.raises(DomainValidationError) as exc:
        PS.save_self_assessment(db.session, T.ctx(org, "staff1"), ev, "Target tercapai.", ev.version,
                                self_hasil="SANGAT", self_perilaku="SESUAI")
    assert "self_hasil_rating" in exc.value.errors
    db.session.expire_all()
    assert db.session.get(Evaluation, ev.id).status == "DIBUKA"
    # through the screen
    login(client, org.username("staff1"))
    page = f"/evaluations/{ev.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'name="self_hasil_rating"' in html and 'name="self_perilaku_rating"' in html
    r = T.post(client, f"{page}/self-assessment", page, self_assessment="Target tercapai",
               self_hasil_rating="DI_ATAS", self_perilaku_rating="SESUAI", version=str(ev.version))
    assert r.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Evaluation, ev.id)
    assert (saved.status, saved.self_hasil_rating, saved.self_perilaku_rating) == ("PENILAIAN_DIRI", "DI_ATAS",
                                                                                   "SESUAI")


def test_default_year_is_that_of_the_period_that_ended_last(db, biased):
    from app.analytics import services
    from app.performance.models import Period

    db.session.add(Period(year=YEAR + 1, kind="ANNUAL", number=1, code=str(YEAR + 1), starts_on=date(YEAR + 1, 1, 1),
                          ends_on=date(YEAR + 1, 12, 31)))
    db.session.commit()
    assert services.years(db.session, today=date(YEAR + 1, 6, 1)) == ([YEAR + 1, YEAR], YEAR)
    assert services.years(db.session, today=date(YEAR, 6, 1)) == ([YEAR + 1, YEAR], YEAR + 1)  # nothing ended yet
