"""The REST lists of evaluations and objections (app/performance/api.py ``_ListInterface``): the count and the
page in one statement on PostgreSQL (a wide scope's plans resolved inside it, ``scope.scope_plans``), the page
without the plan, period and employee rows it does not show. For every person: the count is the number of rows
in the scope, paging through the list shows each of them exactly once (the statements that resolved the plan
ids first gave an unordered page whose plan changed with the offset: a row on two pages, another on none), a
filter and an order narrow and sort as FAB's, past the last page the count stays."""
from __future__ import annotations

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
