"""The REST lists of plans, evaluations and objections (app/performance/api.py ``_ListInterface``): the count and
the page in one statement on PostgreSQL (for a row scope sorting narrow rows, ``app.core.lists.narrow_page``; a
wide scope resolved inside it, ``scope.IN_STATEMENT``), the page without the plan, period and employee rows it
does not show. For every person: the count is the number of rows in the scope, paging through the list shows each
of them exactly once (the statements that resolved the plan ids first gave an unordered page whose plan changed
with the offset: a row on two pages, another on none), every filter and order narrow and sort as FAB's (the same
ids in the same order, the primary key breaking ties), past the last page the count stays."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.performance import scope as PS
from app.performance.models import Evaluation, Objection
from app.security.scope import build_scope
from conftest import count_queries, login, logout
from test_performance_evaluation import _plans_of_everyone, period  # noqa: F401  (fixture)


def _scope_of(org, key):
    person, names = org.employees.get(key), {r.name for r in org.users[key].roles}
    return build_scope(names | ({"Pegawai"} if person else set()), person and person.id, person and person.unit_id)


def _get(client, name, q):
    r = client.get(f"/api/v1/{name}/?q={q}")
    assert r.status_code == 200, (name, q, r.status_code)
    return r.get_json()


def test_rest_lists_page_through_every_row_in_scope_once(client, db, org, period):
    _plans_of_everyone(db, org, period)
    models = {"evaluation": (Evaluation, PS.evaluation_clause), "objection": (Objection, PS.objection_clause)}
    wide = 0
    for key in org.users:
        client.application.appbuilder.sm.limiter.reset()  # a login per person: more than the rate limit allows
        assert login(client, org.username(key)).status_code == 302, key
        scope = _scope_of(org, key)
        for name, (model, clause) in models.items():
            if client.get(f"/api/v1/{name}/?q=(page_size:1)").status_code == 403:
                continue  # an account without the permission (the Pelatih)
            expected = set(db.session.scalars(sa.select(model.id).where(clause(scope))))
            seen = []
            for page in range(len(expected) // 2 + 1):
                body = _get(client, name, f"(page_size:2,page:{page})")
                assert body["count"] == len(expected), (key, name, page)
                seen += body["ids"]
            assert len(seen) == len(set(seen)) and set(seen) == expected, (key, name)
            after = _get(client, name, f"(page_size:2,page:{len(expected) // 2 + 5})")
            assert after["count"] == len(expected) and after["result"] == [], (key, name)
            # a filter narrows the count and the rows; an order sorts them (the primary key breaks ties)
            status = "DIBUKA" if name == "evaluation" else "DIAJUKAN"
            filtered = _get(client, name, f"(page_size:100,filters:!((col:status,opr:eq,value:{status})))")
            chosen = set(db.session.scalars(sa.select(model.id).where(clause(scope), model.status == status)))
            assert filtered["count"] == len(chosen) and set(filtered["ids"]) == chosen, (key, name)
            column = "period_id" if name == "evaluation" else "filed_at"
            ordered = _get(client, name, f"(page_size:100,order_column:{column},order_direction:desc)")
            assert set(ordered["ids"]) == expected and ordered["count"] == len(expected), (key, name)
            values = [row[column] for row in ordered["result"]]
            assert values == sorted(values, reverse=True), (key, name)
            wide += bool(expected) and PS.resolves_plans(scope)
        logout(client)
    assert wide  # an Atasan or a Pimpinan saw rows through the one-statement form


def test_rest_list_is_one_statement_and_loads_no_related_rows(client, db, org, period):
    """Kadis (head of the Dinas: the supervisor chain and the unit subtree): the evaluations and objections
    listed without loading their plans, periods or employees (3-4 statements less); on PostgreSQL the count
    and the page are one statement."""
    _plans_of_everyone(db, org, period)
    assert login(client, org.username("kadis")).status_code == 302
    postgresql = db.engine.dialect.name == "postgresql"
    for name, table in (("evaluation", "evaluation"), ("objection", "objection")):
        _get(client, name, "(page_size:25)")  # warm: the permission caches
        with count_queries(db) as statements:
            body = _get(client, name, "(page_size:25)")
        assert body["count"] > 0 and len(body["ids"]) == body["count"], name
        flat = [" ".join(s.split()) for s in statements]
        assert not [s for s in flat if s.startswith(("SELECT skp.", "SELECT period.", "SELECT employee.id AS "
                                                                                     "employee_id"))], flat
        if name == "objection":
            assert not [s for s in flat if s.startswith("SELECT evaluation.")], flat
        listing = [s for s in flat if f"FROM {table} " in s or f"FROM {table}" == s[-len(table) - 5:]]
        assert len(listing) == (1 if postgresql else 2), flat
    logout(client)


def test_every_rest_list_asked_without_an_order_is_ordered_by_its_primary_key(client, db, org, period):
    """A REST list asked without ``order_column`` comes in primary-key order: without an ORDER BY the database
    may return each page in any order (PostgreSQL chose a plan per offset), so a client paging through it could
    see a row twice and miss another. Checked for every ModelRestApi list of the portal, as Admin."""
    from app.core.views import PortalRestApi

    _plans_of_everyone(db, org, period)
    login(client, org.username("admin"))
    names = sorted({view.resource_name for view in client.application.appbuilder.baseviews
                    if isinstance(view, PortalRestApi)})
    assert {"unit", "employee", "skp", "evaluation", "objection", "training_participant"} <= set(names)
    checked = 0
    for name in names:
        body = _get(client, name, "(page_size:100)")
        ids = body["ids"]
        assert ids == sorted(ids), name
        if len(ids) > 1:
            pages = [_get(client, name, f"(page_size:2,page:{page})")["ids"] for page in range((len(ids) + 1) // 2)]
            assert [i for page in pages for i in page] == ids, name
            checked += 1
    assert checked >= 5


def _varied_plans(db, org, period):
    """Plans of two years (some with a second revision), in every SKP state; evaluations of two periods in two
    states; objections in two states with filing times that tie: the sort columns of the three lists have
    repeated values (the primary key breaks the ties) and the filters something to choose."""
    from datetime import datetime

    from app.performance.models import Period, Skp

    q2 = Period(year=period.year, kind="QUARTERLY", number=2, code=f"{period.year}-Q2",
                starts_on=period.starts_on.replace(month=4), ends_on=period.ends_on.replace(month=6, day=30),
                is_open=True)
    db.session.add(q2)
    e = org.employees
    states = ["DRAFT", "DIAJUKAN", "DISETUJUI", "DIKEMBALIKAN"]
    plans = []
    for n, key in enumerate(sorted(e)):
        person = e[key]
        rater = person.supervisor

        def plan(year, revision=1, current=True, unit_id=person.unit_id, status=states[n % 4]):
            plans.append(Skp(employee_id=person.id, unit_id=unit_id, year=year, revision=revision, status=status,
                             is_current=current, rater_id=rater.id if rater else None,
                             rater_supervisor_id=rater.supervisor_id if rater else None))

        plan(period.year - 1, status="DISETUJUI")
        if n % 3 == 0:  # a second revision this year
            plan(period.year, current=False, status="DIKEMBALIKAN")
            plan(period.year, revision=2)
        else:
            plan(period.year)
    plans.append(Skp(employee_id=e["guru"].id, unit_id=org.units["pkm"].id, year=period.year - 2,
                     status="DISETUJUI", rater_id=e["kapus"].id, rater_supervisor_id=e["kadis"].id))
    db.session.add_all(plans)
    db.session.flush()
    evaluations = []
    for n, skp in enumerate(plans):
        evaluations.append(Evaluation(skp_id=skp.id, period_id=period.id, status="DIBUKA"))
        if n % 2:
            evaluations.append(Evaluation(skp_id=skp.id, period_id=q2.id, status="PENILAIAN_DIRI"))
    db.session.add_all(evaluations)
    db.session.flush()
    db.session.add_all([Objection(evaluation_id=ev.id, reasons="Nilai tidak sesuai.",
                                  status="DIAJUKAN" if n % 3 else "DIJELASKAN",
                                  explanation=None if n % 3 else "Sudah sesuai.",
                                  filed_at=datetime(period.year, 4, 1 + n % 4, 9, 0))
                        for n, ev in enumerate(evaluations[::2])])
    db.session.commit()


# per list: (model, scope clause, order columns, filters as (rison, the same condition on the model))
def _lists():
    from app.performance.models import Skp

    return {
        "skp": (Skp, PS.skp_clause, ["year", "status", "revision"], [
            ("(col:status,opr:eq,value:DIAJUKAN)", lambda: Skp.status == "DIAJUKAN"),
            ("(col:year,opr:gt,value:2025)", lambda: Skp.year > 2025),
            ("(col:is_current,opr:eq,value:!t)", lambda: Skp.is_current.is_(True))]),
        "evaluation": (Evaluation, PS.evaluation_clause, ["period_id", "status"], [
            ("(col:status,opr:eq,value:PENILAIAN_DIRI)", lambda: Evaluation.status == "PENILAIAN_DIRI"),
            ("(col:status,opr:neq,value:PENILAIAN_DIRI)", lambda: Evaluation.status != "PENILAIAN_DIRI")]),
        "objection": (Objection, PS.objection_clause, ["filed_at", "status"], [
            ("(col:status,opr:eq,value:DIJELASKAN)", lambda: Objection.status == "DIJELASKAN")]),
    }


def _expected(db, model, clause, scope, column=None, direction="", condition=None):
    """The ids FAB's query gives: the scope (its plain form) and the filter, ordered by the column (descending
    unless "asc", as FAB) with the primary key as the tie breaker in the same direction; no column: the primary
    key ascending (``PortalRestApi``)."""
    query = sa.select(model.id).where(clause(scope))
    if condition is not None:
        query = query.where(condition())
    if column is None:
        query = query.order_by(model.id.asc())
    else:
        way = sa.asc if direction == "asc" else sa.desc
        query = query.order_by(way(getattr(model, column)), way(model.id))
    return list(db.session.scalars(query))


def test_rest_lists_same_rows_order_and_count_for_every_order_and_filter(client, db, org, period):
    """Every person, each of the three lists: with no order, each order column in both directions (and without a
    direction: descending, as FAB), with and without each filter, the whole list (one page of 100) is the rows of
    FAB's query in its order with its count, and a middle page and the last page are the matching slices. On
    PostgreSQL a person with a row scope is answered by the one statement that sorts narrow rows
    (``app.core.lists.narrow_page``, asserted below), everyone else by the unchanged paths."""
    _varied_plans(db, org, period)
    checked = 0
    for key in org.users:
        client.application.appbuilder.sm.limiter.reset()
        assert login(client, org.username(key)).status_code == 302, key
        scope = _scope_of(org, key)
        for name, (model, clause, columns, filters) in _lists().items():
            if client.get(f"/api/v1/{name}/?q=(page_size:1)").status_code == 403:
                continue  # an account without the permission (the Pelatih)
            orders = [(None, "")] + [(c, d) for c in columns for d in ("asc", "desc", "")]
            for column, direction in orders:
                order = f"order_column:{column},order_direction:{direction}," if column else ""
                if column and not direction:
                    order = f"order_column:{column},"
                for rison, condition in [(None, None)] + filters:
                    expected = _expected(db, model, clause, scope, column, direction, condition)
                    where = f"filters:!({rison})," if rison else ""
                    body = _get(client, name, f"({order}{where}page_size:100)")
                    assert body["ids"] == expected and body["count"] == len(expected), (key, name, column,
                                                                                         direction, rison)
                    checked += bool(expected)
                expected = _expected(db, model, clause, scope, column, direction)
                last = max(0, (len(expected) - 1) // 3)
                for page in {1, last}:
                    body = _get(client, name, f"({order}page_size:3,page:{page})")
                    assert body["ids"] == expected[page * 3:page * 3 + 3], (key, name, column, direction, page)
                    assert body["count"] == len(expected), (key, name, column, direction, page)
        logout(client)
    assert checked > 100


def test_rest_lists_of_a_scope_sort_narrow_rows_in_one_statement(client, db, org, period):
    """PostgreSQL: the lists of a person with a row scope (Kadis: the supervisor chain and the unit subtree; a
    staff member: own plans) are one statement that collects the ids in scope once (``list_ids`` in primary-key
    order, ``list_rows`` with a sort column), loads the page's rows only, and no plan's employee; the whole city's
    lists (Pengelola) keep their paths (no ``list_ids``/``list_rows``)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the narrow one-statement lists are PostgreSQL's (SQLite keeps FAB's two statements)")
    _varied_plans(db, org, period)
    for key, narrow in (("kadis", True), ("staff1", True), ("analis", False)):
        client.application.appbuilder.sm.limiter.reset()
        assert login(client, org.username(key)).status_code == 302, key
        for name, table, column in (("skp", "skp", "year"), ("evaluation", "evaluation", "period_id"),
                                    ("objection", "objection", "filed_at")):
            for order, form in (("", "list_ids"), (f"order_column:{column},", "list_rows")):
                _get(client, name, f"({order}page_size:25)")  # warm: the permission caches
                with count_queries(db) as statements:
                    body = _get(client, name, f"({order}page_size:25)")
                assert body["count"] > 0, (key, name)
                flat = [" ".join(s.split()) for s in statements]
                listing = [s for s in flat if f"FROM {table}" in s]
                assert not [s for s in flat if s.startswith("SELECT employee.id AS employee_id")], (key, name, flat)
                if narrow:
                    assert len(listing) == 1 and form in listing[0], (key, name, order, listing)
                else:
                    assert not [s for s in listing if "list_ids" in s or "list_rows" in s], (key, name, listing)
        logout(client)
