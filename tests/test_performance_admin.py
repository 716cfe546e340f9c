"""The Pengelola Kinerja screens (app/performance/admin_views.py): periods, organisation ratings, the
"Penetapan Predikat" distribution screen and the cascade tree.

- periods: "generate a year" makes 1 + 4 (+ 12) periods with the calendar dates of ``deadlines`` in one
  transaction and skips existing ones; the add form derives the dates and names the faulty field; the
  open/close actions;
- organisation ratings: unique per unit and period (a field error, not a 500); Pimpinan read their subtree;
- the distribution screen: counts and shares per predikat over the unit subtree, the warnings of
  ``distribution.check_distribution`` for each organisation rating (never blocking), the sub-unit table,
  the scope (another OPD → 404) and a constant number of queries (5 vs 50 evaluations);
- the cascade tree: supporting RHKs nested under their parents, unsupported ones flagged; Atasan see
  their own team.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from conftest import count_queries, csrf_token, login, make_nip

YEAR = 2026


# --- helpers ---------------------------------------------------------------------------------------------

def _periods(db):
    from app.performance.models import Period

    return {p.code: p for p in db.session.scalars(select(Period))}


def _annual_and_q1(db):
    from app.performance.admin_views import generate_periods

    generate_periods(db.session, YEAR)
    periods = _periods(db)
    return periods[str(YEAR)], periods[f"{YEAR}-Q1"]


def _rating_pair(predikat):
    """(hasil, perilaku) ratings that the matrix turns into ``predikat`` (the check constraint insists)."""
    from app.performance.rating import PREDIKAT_MATRIX

    return next(pair for pair, result in PREDIKAT_MATRIX.items() if result == predikat)


_nip_seq = iter(range(100, 10_000))


def _staff(db, org, unit_key, n, supervisor=None):
    """``n`` employees in the unit (no accounts)."""
    from app.organisation.models import Employee

    unit = org.units[unit_key]
    rows = []
    for _ in range(n):
        seq = next(_nip_seq)
        birth = date(1990, 1, 1 + seq % 28)
        rows.append(Employee(nip=make_nip(birth, (2015, 3), 1, seq), name=f"Pegawai {unit_key} {seq}", gender="L",
                             birth_date=birth, asn_type="PNS", status="AKTIF", unit_id=unit.id,
                             supervisor_id=supervisor.id if supervisor else None))
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _evaluate(db, employees, period, predikats, status="FINAL", year=YEAR):
    """A current plan of ``year`` for each employee and an evaluation of ``period`` with the predikat."""
    from app.performance.models import Evaluation, Skp

    skps = [Skp(employee_id=e.id, unit_id=e.unit_id, year=year, status="DISETUJUI") for e in employees]
    db.session.add_all(skps)
    db.session.flush()
    for skp, p in zip(skps, predikats):
        hasil, perilaku = _rating_pair(p) if p else (None, None)
        db.session.add(Evaluation(skp_id=skp.id, period_id=period.id, status=status if p else "DIBUKA",
                                  hasil_rating=hasil, perilaku_rating=perilaku, predikat=p))
    db.session.flush()


def _rate_org(db, unit, period, rating, achievement=None):
    from app.performance.models import OrganisationRating

    r = OrganisationRating(unit_id=unit.id, period_id=period.id, rating=rating, achievement=achievement)
    db.session.add(r)
    db.session.flush()
    return r


def _count_class(html, css_class):
    return len(re.findall(rf'class="[^"]*\b{css_class}\b', html))


# --- periods ------------------------------------------------------------------------------------------------

def test_generate_periods_creates_the_year_once(client, db, org):
    from app.performance import deadlines

    login(client, org.username("analis"))
    token = csrf_token(client, "/periodview/generate/")
    r = client.post("/periodview/generate/", data={"year": str(YEAR), "csrf_token": token})
    assert r.status_code == 302
    periods = _periods(db)
    assert sorted(periods) == sorted([str(YEAR)] + [f"{YEAR}-Q{n}" for n in range(1, 5)])
    for q in deadlines.quarters(YEAR):
        stored = periods[q.code]
        assert (stored.kind, stored.number, stored.starts_on, stored.ends_on, stored.is_open) == \
            ("QUARTERLY", q.number, q.start, q.end, False)
    assert periods[str(YEAR)].ends_on == date(YEAR, 12, 31)

    # again, with the months: only the 12 months are new, the 5 others are skipped
    r = client.post("/periodview/generate/", data={"year": str(YEAR), "months": "y", "csrf_token": token},
                    follow_redirects=True)
    assert r.status_code == 200
    periods = _periods(db)
    assert len(periods) == 17
    assert periods[f"{YEAR}-M02"].ends_on == date(YEAR, 2, 28)
    assert f"{YEAR}-Q4" in r.get_data(as_text=True)  # the "left unchanged" message names them

    # a year out of range: a field error, nothing written
    r = client.post("/periodview/generate/", data={"year": "1999", "csrf_token": token})
    assert r.status_code == 200 and "has-error" in r.get_data(as_text=True)
    assert len(_periods(db)) == 17


def test_generate_periods_is_one_transaction(db, org):
    """A failure half-way (here: a clashing code, stored for another year) leaves no new period behind."""
    from sqlalchemy.exc import IntegrityError

    from app.performance.admin_views import generate_periods
    from app.performance.models import Period

    db.session.add(Period(year=YEAR + 1, kind="QUARTERLY", number=2, code=f"{YEAR}-Q2",
                          starts_on=date(YEAR + 1, 4, 1), ends_on=date(YEAR + 1, 6, 30)))
    db.session.commit()
    with pytest.raises(IntegrityError):
        generate_periods(db.session, YEAR)
    assert sorted(_periods(db)) == [f"{YEAR}-Q2"]


def _add_period(client, token, **values):
    data = {"year": str(YEAR), "kind": "QUARTERLY", "number": "1", "opens_on": "", "closes_on": "",
            "csrf_token": token}
    data.update(values)
    return client.post("/periodview/add", data=data)


def _field_error(html, field_id):
    """The error text shown beside a form field (FAB's form widget), or ''."""
    start = html.find(f'id="{field_id}"')
    if start < 0:
        return ""
    end = html.find("<label", start)
    segment = html[start:end if end > 0 else None]
    errors = re.search(r'<div class="alert alert-danger">([\s\S]*?)</div>', segment)
    return errors.group(1).strip() if errors else ""


def test_period_add_derives_the_dates_and_names_the_faulty_field(client, db, org):
    login(client, org.username("analis"))
    token = csrf_token(client, "/periodview/add")

    r = _add_period(client, token, number="5")
    assert r.status_code == 200
    assert "1" in _field_error(r.get_data(as_text=True), "number") and "4" in _field_error(
        r.get_data(as_text=True), "number")

    r = _add_period(client, token, opens_on=f"{YEAR}-04-10", closes_on=f"{YEAR}-04-01")
    assert r.status_code == 200 and _field_error(r.get_data(as_text=True), "closes_on")

    r = _add_period(client, token, closes_on=f"{YEAR - 1}-12-01")
    assert r.status_code == 200 and _field_error(r.get_data(as_text=True), "closes_on")
    assert _periods(db) == {}

    r = _add_period(client, token, kind="MONTHLY", number="2", opens_on=f"{YEAR}-03-01",
                    closes_on=f"{YEAR}-03-15")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    p = _periods(db)[f"{YEAR}-M02"]
    assert (p.starts_on, p.ends_on, p.opens_on, p.closes_on) == (date(YEAR, 2, 1), date(YEAR, 2, 28),
                                                                 date(YEAR, 3, 1), date(YEAR, 3, 15))

    r = _add_period(client, token, kind="MONTHLY", number="2")
    assert r.status_code == 200 and f"{YEAR}-M02" in _field_error(r.get_data(as_text=True), "number")
    assert len(_periods(db)) == 1


def test_validate_period_checks_the_calendar(db, org):
    from app.core.errors import DomainValidationError
    from app.performance.admin_views import validate_period
    from app.performance.models import Period

    ok = Period(year=YEAR, kind="QUARTERLY", number=2)
    validate_period(db.session, ok)
    assert (ok.code, ok.starts_on, ok.ends_on) == (f"{YEAR}-Q2", date(YEAR, 4, 1), date(YEAR, 6, 30))
    cases = [
        (dict(year=YEAR, kind="ANNUAL", number=2), "number"),
        (dict(year=YEAR, kind="WEEKLY", number=1), "kind"),
        (dict(year=1900, kind="ANNUAL", number=1), "year"),
        (dict(year=YEAR, kind="QUARTERLY", number=1, starts_on=date(YEAR, 1, 2), ends_on=date(YEAR, 3, 31)),
         "starts_on"),
        (dict(year=YEAR, kind="QUARTERLY", number=1, starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 3, 30)),
         "ends_on"),
        (dict(year=YEAR, kind="QUARTERLY", number=1, starts_on=date(YEAR, 3, 1), ends_on=date(YEAR, 2, 1)),
         "ends_on"),
        (dict(year=YEAR, kind="QUARTERLY", number=1, opens_on=date(YEAR, 5, 1), closes_on=date(YEAR, 4, 1)),
         "closes_on"),
        (dict(year=YEAR, kind="QUARTERLY", number=1, closes_on=date(YEAR + 2, 1, 1)), "closes_on"),
    ]
    for values, field in cases:
        with pytest.raises(DomainValidationError) as exc:
            validate_period(db.session, Period(**values))
        assert list(exc.value.errors) == [field], values


def test_open_and_close_actions(client, db, org):
    annual, q1 = _annual_and_q1(db)
    ids = [annual.id, q1.id]
    login(client, org.username("analis"))
    token = csrf_token(client, "/periodview/list/")
    r = client.post("/periodview/action_post", data={"action": "open_periods", "rowid": [str(i) for i in ids],
                                                     "csrf_token": token})
    assert r.status_code == 302
    db.session.expire_all()
    assert {p.code: p.is_open for p in _periods(db).values() if p.id in ids} == {str(YEAR): True, f"{YEAR}-Q1": True}
    r = client.post("/periodview/action_post", data={"action": "close_periods", "rowid": str(q1.id),
                                                     "csrf_token": token})
    db.session.expire_all()
    assert _periods(db)[f"{YEAR}-Q1"].is_open is False and _periods(db)[str(YEAR)].is_open is True


def test_only_pengelola_and_admin_manage_periods(client, db, org):
    _annual_and_q1(db)
    for who, status in (("admin", 200), ("analis", 200), ("kadis", 403), ("kabid", 403), ("staff1", 403)):
        login(client, org.username(who))
        assert client.get("/periodview/list/").status_code == status, who
        assert client.get("/periodview/generate/").status_code == status, who
        client.get("/logout/")


# --- organisation ratings -----------------------------------------------------------------------------------

def test_organisation_rating_unique_per_unit_and_period(client, db, org):
    from app.performance.models import OrganisationRating

    _, q1 = _annual_and_q1(db)
    db.session.commit()
    login(client, org.username("analis"))
    token = csrf_token(client, "/organisationratingview/add")
    data = {"unit": str(org.units["dinkes"].id), "period": str(q1.id), "rating": "BAIK", "achievement": "97.5",
            "notes": "", "csrf_token": token}
    r = client.post("/organisationratingview/add", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    r = client.post("/organisationratingview/add", data=dict(data, rating="ISTIMEWA"))
    assert r.status_code == 200
    assert _field_error(r.get_data(as_text=True), "unit")
    r = client.post("/organisationratingview/add", data=dict(data, unit=str(org.units["disdik"].id),
                                                               achievement="250"))
    assert r.status_code == 200 and _field_error(r.get_data(as_text=True), "achievement")
    rows = db.session.execute(select(OrganisationRating.unit_id, OrganisationRating.rating)).all()
    assert rows == [(org.units["dinkes"].id, "BAIK")]


def test_pimpinan_reads_ratings_of_their_subtree_only(client, db, org):
    _, q1 = _annual_and_q1(db)
    mine = _rate_org(db, org.units["p2p"], q1, "BAIK")
    other = _rate_org(db, org.units["disdik"], q1, "KURANG")
    db.session.commit()
    login(client, org.username("kadis"))
    html = client.get("/organisationratingview/list/").get_data(as_text=True)
    assert org.units["p2p"].name in html and org.units["disdik"].name not in html
    assert client.get(f"/organisationratingview/show/{mine.id}").status_code == 200
    assert client.get(f"/organisationratingview/show/{other.id}").status_code == 404
    assert client.get("/organisationratingview/add").status_code == 403
    # filterable by period (the link from the distribution screen)
    assert client.get(f"/organisationratingview/list/?period={q1.id}").status_code == 200


# --- Penetapan Predikat -------------------------------------------------------------------------------------

SB, B, BP, K, SK = "SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"

# (organisation rating, predikat of 10 staff that fit the curve, predikat of 10 staff that depart from it)
CURVES = [
    ("ISTIMEWA", [SB] * 7 + [B] * 3, [SB] * 8 + [B] * 2),
    ("BAIK", [B] * 7 + [BP, SB, SK], [B] * 8 + [SB] * 2),
    ("BUTUH_PERBAIKAN", [BP] * 6 + [SB, B, K, SK], [BP] * 5 + [SB] * 2 + [B] * 3),
    ("KURANG", [K] * 6 + [BP, SB, B, SK], [K] * 5 + [SB] * 2 + [B] * 3),
    ("SANGAT_KURANG", [SK] * 6 + [K, BP, B, B], [SK] * 5 + [SB, B, B, B, B]),
]


@pytest.mark.parametrize("org_rating,fits,departs", CURVES, ids=[c[0] for c in CURVES])
def test_distribution_screen_counts_and_warnings(client, db, org, org_rating, fits, departs):
    from app.performance import distribution
    from app.performance.rating import PREDIKAT_ORDER, Predikat

    _, q1 = _annual_and_q1(db)
    _rate_org(db, org.units["dinkes"], q1, org_rating)
    # the fitting distribution in the puskesmas, the departing one in bidang P2P
    _evaluate(db, _staff(db, org, "pkm", 10), q1, fits)
    _evaluate(db, _staff(db, org, "p2p", 10), q1, departs)
    # not counted: an evaluation that is not final, one of another OPD, one of another period
    _evaluate(db, _staff(db, org, "p2p", 1), q1, [SB], status="DINILAI")
    _evaluate(db, _staff(db, org, "disdik", 3), q1, [SB] * 3)
    db.session.commit()

    login(client, org.username("analis"))
    html = client.get(f"/predikat-distribution/?unit={org.units['dinkes'].id}&period={q1.id}").get_data(as_text=True)
    everything = distribution.count_predikat(fits + departs)
    expected = distribution.check_distribution(org_rating, everything)
    total_row = re.search(r'class="portal-distribution-total">([\s\S]*?)</tr>', html).group(1)
    numbers = [int(n) for n in re.findall(r'<td class="text-right">(?:<strong>)?(\d+)', total_row)]
    assert numbers == [everything.get(p, 0) for p in PREDIKAT_ORDER] + [20]
    assert _count_class(html, "portal-distribution-warning") == len(expected)
    assert len(distribution.describe_rules(org_rating)) == len(
        re.findall(r"<li>", re.search(r'class="portal-expected">([\s\S]*?)</dd>', html).group(1)))
    # the sub-unit table: no warning for the puskesmas (its inherited curve fits), warnings for P2P
    rows = dict(re.findall(r'<tr data-unit="(\d+)">([\s\S]*?)</tr>', html))
    pkm, p2p = rows[str(org.units["pkm"].id)], rows[str(org.units["p2p"].id)]
    assert _count_class(pkm, "portal-subunit-warning") == 0
    assert _count_class(p2p, "portal-subunit-warning") == len(
        distribution.check_distribution(org_rating, distribution.count_predikat(departs))) > 0
    assert f">{departs.count(Predikat.SANGAT_BAIK)} <small" in p2p or departs.count(SB) == 0


def test_distribution_counts_by_branch_in_one_query(db, org):
    from app.performance.admin_views import counts_by_branch, predikat_counts
    from app.performance.rating import Predikat

    annual, q1 = _annual_and_q1(db)
    kadis = org.employees["kadis"]
    _evaluate(db, [kadis], q1, [B])  # staff of dinkes itself
    _evaluate(db, _staff(db, org, "p2p", 3), q1, [SB, B, B])
    _evaluate(db, _staff(db, org, "pkm", 2), q1, [K, None])  # one not rated yet
    _evaluate(db, _staff(db, org, "pkm", 2), annual, [SB, SB])  # another period
    _evaluate(db, _staff(db, org, "pkm", 1), q1, [SB], year=YEAR - 1)  # a plan of another year
    units = [org.units[k].id for k in ("dinkes", "p2p", "pkm")]
    with count_queries(db) as q:
        counts = predikat_counts(db.session, units, q1.id, YEAR)
    assert len(q) == 1
    parent_of = {u.id: u.parent_id for u in org.units.values()}
    assert counts_by_branch(counts, org.units["city"].id, parent_of) == {
        org.units["dinkes"].id: {Predikat.BAIK: 3, Predikat.SANGAT_BAIK: 1, Predikat.KURANG: 1}}
    assert counts == {org.units["dinkes"].id: {Predikat.BAIK: 1},
                      org.units["p2p"].id: {Predikat.SANGAT_BAIK: 1, Predikat.BAIK: 2},
                      org.units["pkm"].id: {Predikat.KURANG: 1}}
    # a long list of units (the whole city: SQLite tests the list per row, not per index probe) counts the same
    from app.performance import admin_views

    many = units + [10_000 + i for i in range(admin_views.SQLITE_IN_PROBE_LIMIT + 5)]  # no such units
    with count_queries(db) as q:
        assert predikat_counts(db.session, many, q1.id, YEAR) == counts
    assert len(q) == 1


def test_distribution_without_rating_or_evaluations_warns_nothing(client, db, org):
    _, q1 = _annual_and_q1(db)
    db.session.commit()
    login(client, org.username("analis"))
    r = client.get(f"/predikat-distribution/?unit={org.units['p2p'].id}&period={q1.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert _count_class(html, "portal-distribution-warning") == 0
    assert org.units["p2p"].name in html
    # a sub-unit inherits the nearest rating up the tree
    _rate_org(db, org.units["dinkes"], q1, "BUTUH_PERBAIKAN")
    _evaluate(db, _staff(db, org, "p2p", 2), q1, [SB, SB])
    db.session.commit()
    html = client.get(f"/predikat-distribution/?unit={org.units['p2p'].id}&period={q1.id}").get_data(as_text=True)
    assert org.units["dinkes"].name in re.search(r'class="portal-org-rating">([\s\S]*?)</dd>', html).group(1)
    assert _count_class(html, "portal-distribution-warning") == 2  # at least 60 % BP, at most 10 % SB


def test_distribution_scope(client, db, org):
    _, q1 = _annual_and_q1(db)
    db.session.commit()
    login(client, org.username("kadis"))  # Pimpinan of Dinas Kesehatan
    r = client.get(f"/predikat-distribution/?period={q1.id}")  # defaults to their own unit
    assert r.status_code == 200 and org.units["dinkes"].name in r.get_data(as_text=True)
    assert client.get(f"/predikat-distribution/?unit={org.units['pkm'].id}&period={q1.id}").status_code == 200
    assert client.get(f"/predikat-distribution/?unit={org.units['disdik'].id}&period={q1.id}").status_code == 404
    assert client.get(f"/predikat-distribution/?unit={org.units['city'].id}").status_code == 404
    assert client.get("/predikat-distribution/?unit=999999").status_code == 404
    assert client.get("/predikat-distribution/?unit=abc").status_code == 404
    assert client.get(f"/predikat-distribution/?unit={org.units['pkm'].id}&period=999999").status_code == 404
    client.get("/logout/")
    for who in ("kabid", "staff1"):
        login(client, org.username(who))
        assert client.get("/predikat-distribution/").status_code == 403
        client.get("/logout/")


def test_distribution_queries_do_not_grow_with_the_evaluations(client, db, org):
    _, q1 = _annual_and_q1(db)
    _rate_org(db, org.units["disdik"], q1, "BAIK")
    _evaluate(db, _staff(db, org, "disdik", 5), q1, [SB, B, B, BP, K])
    db.session.commit()
    login(client, org.username("kadisdik"))
    url = f"/predikat-distribution/?unit={org.units['disdik'].id}&period={q1.id}"
    client.get(url)
    with count_queries(db) as few:
        assert client.get(url).status_code == 200
    _evaluate(db, _staff(db, org, "disdik", 45), q1, ([SB, B, B, BP, K, SK, B, B, B] * 5)[:45])
    db.session.commit()
    client.get(url)  # the test's commit expired the signed-in user in the shared session: warm up again
    with count_queries(db) as many:
        html = client.get(url).get_data(as_text=True)
    assert len(many) == len(few) <= 15, many
    assert "<strong>50</strong>" in html


# --- the cascade tree -----------------------------------------------------------------------------------------

@pytest.fixture
def cascade(db, org):
    """Plans of YEAR in Dinas Kesehatan: kadis (head) → kabid → staff1; staff2 supports nothing; kapus →
    perawat supports nothing; an old revision of staff1's plan is not shown."""
    from app.performance.models import Rhk, Skp

    e = org.employees

    def plan(key, *rhks, current=True, revision=1):
        skp = Skp(employee_id=e[key].id, unit_id=e[key].unit_id, year=YEAR, status="DISETUJUI",
                  is_current=current, revision=revision, rater_id=e[key].supervisor_id)
        for i, (text, parent) in enumerate(rhks):
            skp.rhks.append(Rhk(kind="UTAMA", sort_order=i, text=text, parent_rhk_id=parent.id if parent else None))
        db.session.add(skp)
        db.session.flush()
        return skp.rhks

    head = plan("kadis", ("Meningkatnya derajat kesehatan masyarakat", None), ("Terkendalinya penyakit menular", None))
    kabid = plan("kabid", ("Menurunnya kasus DBD", head[1]))
    staff1 = plan("staff1", ("Laporan surveilans DBD mingguan", kabid[0]))
    plan("staff1", ("Rencana lama yang diganti", kabid[0]), current=False, revision=2)
    plan("staff2", ("Arsip tertata", None))
    kapus = plan("kapus", ("Pelayanan puskesmas sesuai standar", head[0]))
    plan("perawat", ("Asuhan keperawatan", None), ("Edukasi pasien", kapus[0]))
    plan("guru", ("Pembelajaran kelas 5", None))  # another OPD
    db.session.commit()
    return {"head": head, "kabid": kabid, "staff1": staff1, "kapus": kapus}


def _li_path(html, text):
    """The texts of the RHKs enclosing ``text`` in the nested lists (outermost first)."""
    html = html[max(html.find('class="portal-tree'), 0):]
    pos = html.index(text)
    stack = []
    for match in re.finditer(r'<li class="portal-rhk[^"]*" data-rhk="\d+">|</li>|<span class="portal-rhk-text">([^<]*)',
                             html[:pos]):
        token = match.group(0)
        if token.startswith("<li"):
            stack.append(None)
        elif token == "</li>":
            stack.pop()
        elif stack:
            stack[-1] = match.group(1)
    return stack[:-1]  # the last one is the RHK itself


def _cascade(client, url):
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def _subunit_row(html, unit):
    """(plans, unsupported) of a sub-unit in the table of sub-units."""
    row = html[html.index(f'<tr data-unit="{unit.id}">'):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'<td class="text-right">(.*?)</td>', row, re.S)
    return int(cells[0]), int(re.sub(r"<[^>]+>", "", cells[1]).strip())


def test_cascade_unit_level_shows_the_head_and_the_sub_unit_heads(client, db, org, cascade):
    """A unit's level: the head's RHKs with the RHKs of the sub-unit heads that support them, each linking to
    its sub-unit's level; the staff of the sub-units stay below."""
    login(client, org.username("analis"))
    dinkes, p2p, pkm = org.units["dinkes"], org.units["p2p"], org.units["pkm"]
    html = _cascade(client, f"/cascade/?unit={dinkes.id}&year={YEAR}")
    tree = html[html.index("portal-cascade-tree"):]
    assert _li_path(html, "Menurunnya kasus DBD") == ["Terkendalinya penyakit menular"]
    assert _li_path(html, "Pelayanan puskesmas sesuai standar") == ["Meningkatnya derajat kesehatan masyarakat"]
    assert "Siti Aminah" in tree and "Rudi Hartono" in tree
    # a sub-unit head's RHK links to that sub-unit's level
    assert re.search(rf'class="portal-rhk-more" href="/cascade/\?unit={p2p.id}&amp;year={YEAR}"[^>]*>'
                     rf'<i class="fa fa-level-down"></i> {p2p.name}</a>', tree)
    assert f'class="portal-rhk-more" href="/cascade/?unit={pkm.id}&amp;year={YEAR}"' in tree
    for below in ("Laporan surveilans DBD mingguan", "Arsip tertata", "Asuhan keperawatan", "Edukasi pasien"):
        assert below not in html  # the staff of the sub-units are on their own levels
    assert _count_class(html, "portal-rhk-flag") == 0
    # the sub-units: plans of their subtree and the RHKs there that support nothing
    assert _subunit_row(html, p2p) == (3, 1) and _subunit_row(html, pkm) == (2, 1)
    assert "Rencana lama yang diganti" not in html and "Pembelajaran kelas 5" not in html


def test_cascade_drills_down_to_a_sub_unit_and_flags_the_unsupported(client, db, org, cascade):
    login(client, org.username("analis"))
    dinkes, p2p, pkm = org.units["dinkes"], org.units["p2p"], org.units["pkm"]
    html = _cascade(client, f"/cascade/?unit={p2p.id}&year={YEAR}")
    assert _li_path(html, "Laporan surveilans DBD mingguan") == ["Menurunnya kasus DBD"]
    assert "Budi Santoso" in html[html.index("portal-cascade-tree"):]
    unsupported = html[html.index("portal-cascade-unsupported"):]
    assert "Arsip tertata" in unsupported and _count_class(html, "portal-rhk-flag") == 1
    assert "Rencana lama yang diganti" not in html  # an old revision
    assert "Terkendalinya penyakit menular" not in html  # the level above
    assert f'href="/cascade/?unit={dinkes.id}&amp;year={YEAR}"' in html  # the way back up
    html = _cascade(client, f"/cascade/?unit={pkm.id}&year={YEAR}")
    assert _li_path(html, "Edukasi pasien") == ["Pelayanan puskesmas sesuai standar"]
    assert "Asuhan keperawatan" in html[html.index("portal-cascade-unsupported"):]
    assert "portal-cascade-subunits" not in html  # no sub-units below a puskesmas


def test_cascade_pages_the_staff_of_a_level(client, db, org, cascade, monkeypatch):
    from app.performance import admin_views
    from app.performance.models import Rhk, Skp

    monkeypatch.setattr(admin_views, "CASCADE_PAGE_SIZE", 3)
    people = _staff(db, org, "pkm", 5, supervisor=org.employees["kapus"])
    for person in people:
        skp = Skp(employee_id=person.id, unit_id=person.unit_id, year=YEAR, status="DISETUJUI",
                  rater_id=person.supervisor_id)
        skp.rhks.append(Rhk(kind="UTAMA", text=f"RHK {person.name}", parent_rhk_id=cascade["kapus"][0].id))
        db.session.add(skp)
    db.session.commit()
    login(client, org.username("analis"))
    url = f"/cascade/?unit={org.units['pkm'].id}&year={YEAR}"
    seen = []
    for page in (1, 2):
        html = _cascade(client, f"{url}&page={page}")
        assert "portal-cascade-pager" in html and ("1-3 " if page == 1 else "4-6 ") in html
        seen += re.findall(r'portal-rhk-text">(RHK [^<]+|Edukasi pasien|Asuhan keperawatan)<', html)
        assert "Pelayanan puskesmas sesuai standar" in html  # the head's RHKs on every page
    assert sorted(seen) == sorted([f"RHK {p.name}" for p in people] + ["Edukasi pasien", "Asuhan keperawatan"])
    last = _cascade(client, f"{url}&page=99")  # past the end: the last page
    assert re.search(r'<li class="active"><a href="/cascade/\?page=2&amp;', last) and "4-6 " in last


def test_cascade_scope(client, db, org, cascade):
    login(client, org.username("kadis"))  # Pimpinan of Dinas Kesehatan: their subtree, from its top
    html = _cascade(client, f"/cascade/?year={YEAR}")
    assert "Menurunnya kasus DBD" in html and "Laporan surveilans DBD mingguan" not in html
    assert "Laporan surveilans DBD mingguan" in _cascade(client, f"/cascade/?unit={org.units['p2p'].id}&year={YEAR}")
    assert "Pemerintah Kota Palembang" not in html  # no way up out of the scope
    assert client.get(f"/cascade/?unit={org.units['disdik'].id}&year={YEAR}").status_code == 404
    client.get("/logout/")

    login(client, org.username("kabid"))  # Atasan: their own team, from their own plan
    html = _cascade(client, f"/cascade/?year={YEAR}")
    assert _li_path(html, "Laporan surveilans DBD mingguan") == ["Menurunnya kasus DBD"]
    assert "Arsip tertata" in html and _count_class(html, "portal-rhk-flag") == 1
    assert "Pelayanan puskesmas sesuai standar" not in html and "Asuhan keperawatan" not in html
    assert client.get(f"/cascade/?unit={org.units['p2p'].id}&year={YEAR}").status_code == 200
    assert client.get(f"/cascade/?unit={org.units['pkm'].id}&year={YEAR}").status_code == 404
    # a team below someone else's: not found
    assert client.get(f"/cascade/?unit={org.units['p2p'].id}&lead={org.employees['perawat'].id}&year={YEAR}"
                      ).status_code == 404
    client.get("/logout/")

    login(client, org.username("staff1"))
    assert client.get("/cascade/").status_code == 403


def test_cascade_team_drills_down_to_the_team_of_a_report(client, db, org, cascade):
    """An Atasan's level: their RHKs with the direct reports'; a report who leads a team has a link to it."""
    from app.performance.models import Rhk, Skp

    staff1 = org.employees["staff1"]
    helper = _staff(db, org, "p2p", 1, supervisor=staff1)[0]
    skp = Skp(employee_id=helper.id, unit_id=helper.unit_id, year=YEAR, status="DISETUJUI", rater_id=staff1.id)
    skp.rhks.append(Rhk(kind="UTAMA", text="Rekap data kasus harian", parent_rhk_id=cascade["staff1"][0].id))
    db.session.add(skp)
    db.session.commit()
    login(client, org.username("kabid"))
    p2p = org.units["p2p"]
    html = _cascade(client, f"/cascade/?year={YEAR}")
    assert "Rekap data kasus harian" not in html  # a level further down
    links = set(re.findall(rf'href="(/cascade/\?[^"]*\blead={staff1.id}\b[^"]*)"', html))
    assert len(links) == 1 and html.count(next(iter(links))) == 2  # on the RHK, and in the teams below
    team_url = next(iter(links)).replace("&amp;", "&")
    assert f"unit={p2p.id}" in team_url and f"year={YEAR}" in team_url
    html = _cascade(client, team_url)
    assert _li_path(html, "Rekap data kasus harian") == ["Laporan surveilans DBD mingguan"]
    assert "Arsip tertata" not in html and "Menurunnya kasus DBD" not in html
    assert f'href="/cascade/?unit={p2p.id}&amp;year={YEAR}"' in html  # back up to the Atasan's own team


def test_cascade_queries_are_constant(client, db, org, cascade):
    from app.performance.models import Rhk, Skp

    login(client, org.username("analis"))
    urls = [f"/cascade/?unit={org.units[u].id}&year={YEAR}" for u in ("dinkes", "pkm")]
    few = {}
    for url in urls:
        client.get(url)
        with count_queries(db) as few[url]:
            client.get(url)
    people = _staff(db, org, "pkm", 20, supervisor=org.employees["kapus"])
    for person in people:
        skp = Skp(employee_id=person.id, unit_id=person.unit_id, year=YEAR, status="DISETUJUI",
                  rater_id=org.employees["kapus"].id)
        skp.rhks.append(Rhk(kind="UTAMA", text=f"RHK {person.name}", parent_rhk_id=cascade["kapus"][0].id))
        skp.rhks.append(Rhk(kind="TAMBAHAN", text=f"Tambahan {person.name}"))
        db.session.add(skp)
    db.session.commit()
    for url in urls:
        client.get(url)
        with count_queries(db) as many:
            html = client.get(url).get_data(as_text=True)
        assert len(many) == len(few[url]) <= 15, many
    assert _li_path(html, f"RHK {people[0].name}") == ["Pelayanan puskesmas sesuai standar"]
    assert _count_class(html, "portal-rhk-flag") == 21
    dinkes = _cascade(client, urls[0])
    assert _subunit_row(dinkes, org.units["pkm"]) == (22, 21)


def test_build_cascade_cuts_loops_and_keeps_every_rhk_once():
    from app.performance.admin_views import build_cascade

    def R(id, text, kind, parent_rhk_id, employee_id, employee_name):  # noqa: N802 - a row, by position
        return (id, text, kind, parent_rhk_id, employee_id, employee_name)

    rows = [R(id=1, text="a", kind="UTAMA", parent_rhk_id=None, employee_id=1, employee_name="Head"),
            R(id=2, text="b", kind="UTAMA", parent_rhk_id=1, employee_id=2, employee_name="X"),
            R(id=3, text="c", kind="UTAMA", parent_rhk_id=4, employee_id=3, employee_name="Y"),
            R(id=4, text="d", kind="UTAMA", parent_rhk_id=3, employee_id=4, employee_name="Z"),
            R(id=5, text="e", kind="TAMBAHAN", parent_rhk_id=99, employee_id=3, employee_name="Y"),
            R(id=6, text="f", kind="UTAMA", parent_rhk_id=None, employee_id=4, employee_name="Z")]
    tree = build_cascade(rows, [1])
    assert [n.id for n in tree.roots] == [1] and [c.id for c in tree.roots[0].children] == [2]
    assert [n.id for n in tree.unsupported] == [6] and tree.unsupported[0].flagged
    seen = []

    def walk(nodes):
        for n in nodes:
            seen.append(n.id)
            walk(n.children)

    walk(tree.roots + tree.unsupported + tree.detached)
    assert sorted(seen) == [1, 2, 3, 4, 5, 6]
    assert not tree.roots[0].flagged


def test_tree_html_nests_escapes_and_flags():
    """The cascade's RHK lists are built as HTML in Python (``tree_html``): nested as the RHKs support each
    other, every text escaped, the flag and the link down where they belong."""
    from app.performance.admin_views import build_cascade, tree_html

    rows = [(1, "Kepala <b>utama</b>", "UTAMA", None, 1, "Head & Co"),
            (2, "Staf \"A\"", "UTAMA", 1, 2, "X<script>"),
            (3, "Cucu", "TAMBAHAN", 2, 3, "Y"),
            (4, "Lepas", "UTAMA", None, 2, "X<script>")]
    tree = build_cascade(rows, [1])
    kinds = {"UTAMA": "Utama", "TAMBAHAN": "Tambahan"}
    drill = {2: ("/cascade/?unit=5&year=2026", "Bidang <P2P>")}
    html = str(tree_html(tree.roots, kinds, "flag <!>", drill, "Down"))
    assert "<b>" not in html and "Kepala &lt;b&gt;utama&lt;/b&gt;" in html and "X&lt;script&gt;" in html
    assert html.count("<li ") == html.count("</li>") == 3 and html.count("<ul>") == html.count("</ul>") == 2
    assert _li_path('<ul class="portal-tree">' + html, "Cucu") == ["Kepala &lt;b&gt;utama&lt;/b&gt;",
                                                                   "Staf &#34;A&#34;"]
    assert ('<a class="portal-rhk-more" href="/cascade/?unit=5&amp;year=2026" title="Down">'
            '<i class="fa fa-level-down"></i> Bidang &lt;P2P&gt;</a>') in html
    assert "portal-rhk-flag" not in html and 'label-primary">Utama<' in html and 'label-default">Tambahan<' in html
    flagged = str(tree_html(tree.unsupported, kinds, "flag <!>", drill, "Down"))
    assert 'class="portal-rhk portal-rhk-unsupported" data-rhk="4"' in flagged
    # the flag follows the person's name and comes before the link down
    assert re.search(r"X&lt;script&gt;</small><span class=\"label label-warning portal-rhk-flag\">.*flag &lt;!&gt;"
                     r"</span><a class=\"portal-rhk-more\"", flagged)
    assert str(tree_html([], kinds, "f", {}, "d")) == ""


def test_cascade_of_the_city_counts_every_unit_without_a_list_of_units(client, db, org, cascade):
    """The sub-unit table of the city's root: its subtree is every unit, so the counts are taken without a list
    of unit ids (``_subunit_counts_statement(every=True)``); the same counts as with the list, and on the page
    each OPD's plans and unsupported RHKs over its whole subtree."""
    import sqlalchemy as sa

    from app.organisation.models import Unit
    from app.performance import admin_views as AV

    postgresql = db.engine.dialect.name == "postgresql"
    units = sorted(db.session.scalars(sa.select(Unit.id)))
    counts = [sorted(db.session.execute(AV._subunit_counts_statement(every, postgresql), params).all())
              for every, params in ((True, {"year": YEAR}), (False, {"year": YEAR, "units": units}))]
    assert counts[0] == counts[1] and counts[0]
    login(client, org.username("analis"))
    html = _cascade(client, f"/cascade/?unit={org.units['city'].id}&year={YEAR}")
    # Dinas Kesehatan: kadis, kabid, staff1 (current revision), staff2, kapus, perawat; unsupported: the head's
    # two RHKs, staff2's and the nurse's first one. Dinas Pendidikan: the teacher's one plan and RHK.
    assert _subunit_row(html, org.units["dinkes"]) == (6, 4)
    assert _subunit_row(html, org.units["disdik"]) == (1, 1)
