"""Query-count guard: list pages cost the same number of queries with 25 and with 100 rows (no N+1),
and the employee list, show and edit pages stay within a small fixed budget."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import count_queries, login, make_nip

BUDGET = 10  # queries for the employee list, show page and edit form


@pytest.fixture
def many(db, org):
    """~120 employees (with supervisors, positions, ranks), 110 extra units and 110 extra positions."""
    from app.organisation.models import Employee, Position, Rank, Unit

    ranks = db.session.query(Rank).filter_by(asn_type="PNS").all()
    units, positions = [], []
    for i in range(110):
        unit = Unit(code=f"U-{i:03d}", name=f"Unit Uji {i:03d}", unit_type="BIDANG",
                    parent=org.units["dinkes" if i % 2 else "disdik"], active=True)
        units.append(unit)
        positions.append(Position(name=f"Jabatan Uji {i:03d}", position_type="PELAKSANA", level="OPERATOR",
                                  grade=1 + i % 17, unit=unit, parent=org.positions["kabid"]))
    db.session.add_all(units + positions)
    db.session.flush()
    for i in range(120):
        birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        db.session.add(Employee(
            nip=make_nip(birth, (birth.year + 25, 1 + i % 12), 1 + i % 2, i + 10), name=f"Pegawai Uji {i:03d}",
            gender="L" if i % 2 == 0 else "P", birth_date=birth, asn_type="PNS", status="AKTIF",
            rank=ranks[i % len(ranks)], position=positions[i % len(positions)], unit=units[i % len(units)],
            supervisor=org.employees[("kabid", "kapus", "kadis", "staff1")[i % 4]], supervisor_override=True))
    db.session.commit()
    return org


def _count(client, db, url):
    client.get(url)  # warm caches (templates, permissions) so both runs are comparable
    with count_queries(db) as statements:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return list(statements), r.get_data(as_text=True)


def _explain(statements):
    return "\n".join(f"{i + 1:2d}. {s[:160]}" for i, s in enumerate(statements))


@pytest.mark.parametrize("view, psize_arg, marker", [
    ("employeeview", "psize_EmployeeView", "/employeeview/show/"),
    ("unitview", "psize_UnitView", "/unitview/show/"),
    ("positionview", "psize_PositionView", "/positionview/show/"),
])
def test_list_queries_do_not_grow_with_rows(client, db, many, view, psize_arg, marker):
    login(client, "admin")
    q25, html25 = _count(client, db, f"/{view}/list/?{psize_arg}=25")
    q100, html100 = _count(client, db, f"/{view}/list/?{psize_arg}=100")
    assert html25.count(marker) >= 25 and html100.count(marker) >= 100  # the pages really hold the rows
    assert len(q25) == len(q100), f"25 rows:\n{_explain(q25)}\n100 rows:\n{_explain(q100)}"
    if view == "employeeview":
        assert len(q100) <= BUDGET, _explain(q100)


@pytest.mark.parametrize("who", ["admin", "kadis"])
def test_employee_list_loads_no_supervisors_and_shows_the_same_page(client, db, many, monkeypatch, who):
    """The employee list page does not load the rows' supervisors (nor a position's unit, a unit's parent): one
    query less, and the same page as with the model's own loading."""
    import re

    from app.organisation.views import EmployeeListInterface

    login(client, "admin" if who == "admin" else many.username(who))
    url = "/employeeview/list/?psize_EmployeeView=100"
    lean, html = _count(client, db, url)
    monkeypatch.setattr(EmployeeListInterface, "LIST_OPTIONS", ())
    full, html_full = _count(client, db, url)
    assert len(lean) == len(full) - 1, f"lean:\n{_explain(lean)}\nfull:\n{_explain(full)}"
    volatile = re.compile(r'nonce="[^"]*"|name="csrf_token"[^>]*')
    assert volatile.sub("", html) == volatile.sub("", html_full)
    assert html.count("/employeeview/show/") >= (100 if who == "admin" else 20)


@pytest.mark.parametrize("who", ["kabid", "kadis", "staff1"])
def test_scoped_list_queries_do_not_grow_with_rows(client, db, many, who):
    """The scope's recursive queries are part of the list query, not one query per row."""
    login(client, many.username(who))
    q25, _ = _count(client, db, "/employeeview/list/?psize_EmployeeView=25")
    q100, _ = _count(client, db, "/employeeview/list/?psize_EmployeeView=100")
    assert len(q25) == len(q100), f"25:\n{_explain(q25)}\n100:\n{_explain(q100)}"
    assert len(q100) <= BUDGET, _explain(q100)


def test_employee_show_and_edit_within_budget(client, db, many):
    login(client, "admin")
    kabid = many.employees["kabid"]  # many subordinates: the related list must not cost a query per row
    statements, html = _count(client, db, f"/employeeview/show/{kabid.id}")
    assert "Pegawai Uji" in html
    assert len(statements) <= BUDGET, _explain(statements)
    statements, _ = _count(client, db, f"/employeeview/edit/{kabid.id}")
    assert len(statements) <= BUDGET, _explain(statements)


def test_export_queries_do_not_grow_with_rows(client, db, many):
    login(client, "admin")
    few, _ = _count(client, db, "/employeeview/export/csv/?_flt_0_name=Pegawai Uji 00")
    all_rows, body = _count(client, db, "/employeeview/export/csv/")
    assert body.count("\n") > 120
    assert len(few) == len(all_rows), f"few:\n{_explain(few)}\nall:\n{_explain(all_rows)}"


def test_api_list_queries_do_not_grow_with_rows(client, db, many):
    login(client, "admin")
    q25, _ = _count(client, db, "/api/v1/employee/?q=(page_size:25)")
    q100, _ = _count(client, db, "/api/v1/employee/?q=(page_size:100)")
    assert len(q25) == len(q100), f"25:\n{_explain(q25)}\n100:\n{_explain(q100)}"


# --- the performance cycle (issue 4: at most 15 queries per screen, whatever the number of rows) ---------------

PERF_BUDGET = 15
YEAR = 2026


def _team(db, org, n, start=0):
    """``n`` staff of bidang P2P reporting to kabid, each with an approved plan of YEAR rated by kabid (two RHKs,
    an indicator each, a progress entry with a link), a submitted revision waiting in kabid's inbox, an open
    Triwulan I evaluation, and for every third one a final annual evaluation with an objection."""
    from app.organisation.models import Employee
    from app.performance.models import (Evaluation, Evidence, Indicator, Objection, Period, Progress, Rhk, Skp)

    kabid = org.employees["kabid"]
    q1 = db.session.query(Period).filter_by(code=f"{YEAR}-Q1").one_or_none()
    if q1 is None:
        q1 = Period(year=YEAR, kind="QUARTERLY", number=1, code=f"{YEAR}-Q1", starts_on=date(YEAR, 1, 1),
                    ends_on=date(YEAR, 3, 31), is_open=True)
        annual = Period(year=YEAR, kind="ANNUAL", number=1, code=str(YEAR), starts_on=date(YEAR, 1, 1),
                        ends_on=date(YEAR, 12, 31), is_open=True)
        db.session.add_all([q1, annual])
        db.session.flush()
    annual = db.session.query(Period).filter_by(code=str(YEAR)).one()
    people = []
    for i in range(start, start + n):
        birth = date(1985 + i % 10, 1 + i % 12, 1 + i % 28)
        e = Employee(nip=make_nip(birth, (2012, 1 + i % 12), 1 + i % 2, 300 + i), name=f"Staf Uji {i:03d}",
                     gender="L", birth_date=birth, asn_type="PNS", status="AKTIF", unit_id=kabid.unit_id,
                     supervisor_id=kabid.id, supervisor_override=True)
        db.session.add(e)
        people.append(e)
    db.session.flush()
    for e in people:
        skp = Skp(employee_id=e.id, unit_id=e.unit_id, year=YEAR, status="DISETUJUI", rater_id=kabid.id,
                  rater_supervisor_id=kabid.supervisor_id, is_current=False)
        for k in range(2):
            rhk = Rhk(kind="UTAMA", sort_order=k, text=f"RHK {k} {e.name}")
            rhk.indicators.append(Indicator(aspect="KUANTITAS", text="Jumlah laporan", target_value=12,
                                            target_unit="dokumen"))
            skp.rhks.append(rhk)
        db.session.add(skp)
        db.session.flush()
        for rhk in skp.rhks:
            progress = Progress(rhk_id=rhk.id, indicator_id=rhk.indicators[0].id, value=3, description="Laporan",
                                achieved_on=date(YEAR, 2, 1))
            progress.evidence.append(Evidence(kind="LINK", url="https://contoh.invalid/bukti"))
            db.session.add(progress)
        db.session.add(Skp(employee_id=e.id, unit_id=e.unit_id, year=YEAR, status="DIAJUKAN", revision=2,
                           previous_id=skp.id, rater_id=kabid.id, submitted_at=datetime(YEAR, 2, 1, 9)))
        db.session.add(Evaluation(skp_id=skp.id, period_id=q1.id, status="DIBUKA"))
        if int(e.name[-3:]) % 3 == 0:
            final = Evaluation(skp_id=skp.id, period_id=annual.id, status="FINAL", hasil_rating="SESUAI",
                               perilaku_rating="SESUAI", predikat="BAIK", finalised_at=datetime(YEAR, 12, 20))
            db.session.add(final)
            db.session.flush()
            db.session.add(Objection(evaluation_id=final.id, reasons="Tidak sesuai"))
    db.session.commit()
    return people


@pytest.mark.parametrize("who, url", [
    ("kabid", "/rate/"),
    ("kabid", "/rate/?page=2"),
    ("kabid", "/plan-inbox/"),
    ("kabid", "/objections/"),
    ("kadis", "/objections/"),
    ("analis", "/api/v1/skp/?q=(page_size:100)"),
    ("analis", "/api/v1/evaluation/?q=(page_size:100)"),
    ("analis", "/api/v1/objection/?q=(page_size:100)"),
])
def test_performance_lists_do_not_grow_with_rows(client, db, org, who, url):
    """The lists of the cycle cost the same queries with 3 and with 33 people (rate list: two pages of 25)."""
    _team(db, org, 3)
    login(client, org.username(who))
    few, _ = _count(client, db, url)
    _team(db, org, 30, start=3)
    client.get(url)  # the commit expired the signed-in user: warm up again
    many, html = _count(client, db, url)
    assert len(few) == len(many) <= PERF_BUDGET, f"few:\n{_explain(few)}\nmany:\n{_explain(many)}"
    rows = {"/rate/": ("data-evaluation=", 25), "/rate/?page=2": ("data-evaluation=", 8),
            "/plan-inbox/": ("data-skp-id=", 33), "/objections/": ("data-objection=", 11)}
    if url in rows:  # the page really holds the rows (kabid rates all 33; kadis decides the 11 objections)
        marker, n = rows[url]
        assert html.count(marker) == n, (url, html.count(marker))


def test_my_evaluations_and_notifications_do_not_grow_with_rows(client, db, org):
    from app.performance.models import Evaluation, Notification, Period, Skp

    me = org.employees["staff1"]
    user = org.users["staff1"]
    login(client, org.username("staff1"))

    def add(n, offset):
        for i in range(offset, offset + n):
            period = Period(year=2000 + i, kind="ANNUAL", number=1, code=str(2000 + i), starts_on=date(2000 + i, 1, 1),
                            ends_on=date(2000 + i, 12, 31))
            skp = Skp(employee_id=me.id, unit_id=me.unit_id, year=2000 + i, status="DISETUJUI")
            db.session.add_all([period, skp])
            db.session.flush()
            db.session.add(Evaluation(skp_id=skp.id, period_id=period.id, status="DIBUKA"))
            db.session.add(Notification(user_id=user.id, kind="x", title=f"Pesan {i}", link="/my-evaluations/"))
        db.session.commit()

    add(2, 0)
    few = {url: _count(client, db, url)[0] for url in ("/my-evaluations/", "/notifications/")}
    add(20, 2)
    for url in few:
        client.get(url)
        many, _ = _count(client, db, url)
        assert len(few[url]) == len(many) <= PERF_BUDGET, f"{url}\nfew:\n{_explain(few[url])}\nmany:\n{_explain(many)}"


def test_plan_page_and_documents_do_not_grow_with_rows(client, db, org):
    """A plan with 2 RHKs and one with 10 (each with indicators, progress and evidence): the same queries for
    the plan page, the evaluation page and both PDFs."""
    from app.performance.models import Evaluation, Indicator, Progress, Rhk, Skp

    small, big = _team(db, org, 2)
    skp_big = db.session.query(Skp).filter_by(employee_id=big.id, revision=1).one()
    for k in range(8):
        rhk = Rhk(kind="TAMBAHAN", sort_order=10 + k, text=f"Tambahan {k}")
        rhk.indicators.append(Indicator(aspect="WAKTU", text="Tepat waktu", target_value=12, target_unit="bulan"))
        rhk.progress.append(Progress(value=1, description="Selesai", achieved_on=date(YEAR, 3, 1)))
        skp_big.rhks.append(rhk)
    db.session.commit()
    login(client, org.username("kabid"))
    counts = {}
    for person in (small, big):
        skp = db.session.query(Skp).filter_by(employee_id=person.id, revision=1).one()
        evaluation = db.session.query(Evaluation).filter_by(skp_id=skp.id).first()
        evaluation.status, evaluation.hasil_rating, evaluation.perilaku_rating = "FINAL", "SESUAI", "SESUAI"
        evaluation.predikat, evaluation.finalised_at = "BAIK", datetime(YEAR, 4, 10)
        db.session.commit()
        for url in (f"/plans/{skp.id}", f"/evaluations/{evaluation.id}", f"/my-plan/{skp.id}/pdf",
                    f"/evaluations/{evaluation.id}/pdf"):
            client.get(url)
            with count_queries(db) as statements:
                r = client.get(url)
            assert r.status_code == 200, url
            counts.setdefault(url.split("/")[1] + url.rsplit("/", 1)[-1].replace(str(skp.id), "").replace(
                str(evaluation.id), ""), []).append((len(statements), _explain(statements)))
    for name, ((a, qa), (b, qb)) in counts.items():
        assert a == b <= PERF_BUDGET, f"{name}: {a} vs {b}\n{qa}\n---\n{qb}"
