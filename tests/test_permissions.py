"""Permissions per role and per view, scope on writes, validation messages that name the field.

The table ACCESS below is the specification: for each endpoint, the status each role gets. Refusals
never carry data (no other employee's name or NIP in the body)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from conftest import csrf_token, login, make_nip

# The person who stands for each role in the `org` fixture.
ACTORS = {
    "Admin": "admin",  # Admin only, no employee record
    "Pengelola": "analis",  # Pengelola Kinerja (+ Pegawai)
    "Pimpinan": "kadis",  # Pimpinan of Dinas Kesehatan (+ Atasan + Pegawai)
    "Atasan": "kabid",  # Atasan of staff1 and staff2 (+ Pegawai)
    "Pegawai": "staff1",  # Pegawai only
    "Pelatih": "pelatih",  # Pelatih only, no employee record
    "anonymous": None,
}
ROLES = list(ACTORS)

# Endpoints: (method, url template, body kind). {staff1}/{staff2} are employee ids.
ENDPOINTS = {
    "employee list": ("GET", "/employeeview/list/", None),
    "employee show": ("GET", "/employeeview/show/{staff1}", None),
    "employee add form": ("GET", "/employeeview/add", None),
    "employee add": ("POST", "/employeeview/add", "employee_form_new"),
    "employee edit form": ("GET", "/employeeview/edit/{staff1}", None),
    "employee edit": ("POST", "/employeeview/edit/{staff1}", "employee_form_staff1"),
    "employee delete": ("POST", "/employeeview/delete/{staff2}", "csrf"),
    "employee export": ("GET", "/employeeview/export/csv/", None),
    "unit list": ("GET", "/unitview/list/", None),
    "unit add form": ("GET", "/unitview/add", None),
    "position list": ("GET", "/positionview/list/", None),
    "position add form": ("GET", "/positionview/add", None),
    "rank list": ("GET", "/rankview/list/", None),
    "rank add form": ("GET", "/rankview/add", None),
    "unit tree": ("GET", "/unit-tree/", None),
    "audit trail": ("GET", "/auditlogview/list/", None),
    "audit trail delete": ("POST", "/auditlogview/delete/1", "csrf"),
    "users list": ("GET", "/users/list/", None),
    "roles list": ("GET", "/roles/list/", None),
    "import": ("GET", "/import/", None),
    "api employee list": ("GET", "/api/v1/employee/", None),
    "api employee get": ("GET", "/api/v1/employee/{staff1}", None),
    "api employee post": ("POST", "/api/v1/employee/", "employee_json_new"),
    "api employee put": ("PUT", "/api/v1/employee/{staff1}", "employee_json_phone"),
    "api employee delete": ("DELETE", "/api/v1/employee/{staff2}", None),
    "api unit list": ("GET", "/api/v1/unit/", None),
    "api unit post": ("POST", "/api/v1/unit/", "unit_json_new"),
    "lookup employee": ("GET", "/lookup/employee?q=", None),
    "my profile": ("GET", "/my-profile/", None),
}

L = "login"  # anonymous on a page: 302 to the login page
_ = None
#                          Admin Pengelola Pimpinan Atasan Pegawai Pelatih anonymous
ACCESS = {
    "employee list":       (200, 200, 200, 200, 200, 200, L),
    "employee show":       (200, 200, 200, 200, 200, 404, L),  # Pelatih: no record in scope
    "employee add form":   (200, 403, 403, 403, 403, 403, L),
    "employee add":        (302, 403, 403, 403, 403, 403, L),
    "employee edit form":  (200, 403, 403, 403, 403, 403, L),
    "employee edit":       (302, 403, 403, 403, 403, 403, L),
    "employee delete":     (302, 403, 403, 403, 403, 403, L),
    "employee export":     (200, 200, 200, 200, 403, 403, L),
    "unit list":           (200, 200, 200, 403, 403, 403, L),
    "unit add form":       (200, 403, 403, 403, 403, 403, L),
    "position list":       (200, 200, 200, 403, 403, 403, L),
    "position add form":   (200, 403, 403, 403, 403, 403, L),
    "rank list":           (200, 200, 200, 403, 403, 403, L),
    "rank add form":       (403, 403, 403, 403, 403, 403, L),  # reference data: nobody adds ranks
    "unit tree":           (200, 200, 200, 403, 403, 403, L),
    "audit trail":         (200, 403, 403, 403, 403, 403, L),
    "audit trail delete":  (403, 403, 403, 403, 403, 403, L),  # the audit trail is read-only, even for Admin
    "users list":          (200, 403, 403, 403, 403, 403, L),
    "roles list":          (200, 403, 403, 403, 403, 403, L),
    "import":              (200, 403, 403, 403, 403, 403, L),
    "api employee list":   (200, 200, 200, 200, 200, 200, 401),
    "api employee get":    (200, 200, 200, 200, 200, 404, 401),
    "api employee post":   (201, 403, 403, 403, 403, 403, 401),
    "api employee put":    (200, 403, 403, 403, 403, 403, 401),
    "api employee delete": (200, 403, 403, 403, 403, 403, 401),
    "api unit list":       (200, 200, 200, 403, 403, 403, 401),
    "api unit post":       (201, 403, 403, 403, 403, 403, 401),
    "lookup employee":     (200, 200, 200, 200, 403, 403, 401),
    "my profile":          (200, 302, 302, 302, 302, 200, L),  # 302 to the person's own record
}
assert set(ACCESS) == set(ENDPOINTS)

NEW_BIRTH = date(1996, 4, 5)
NEW_NIP = make_nip(NEW_BIRTH, (2021, 3), 2, 5)


def _route_exists(app, url):
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(url.split("?")[0], method="GET")
        return True
    except Exception:  # noqa: BLE001 - NotFound / MethodNotAllowed / RequestRedirect
        return False


def _employee_form(org, **overrides):
    data = {"nip": NEW_NIP, "front_title": "", "name": "Nur Hasanah", "back_title": "", "gender": "P",
            "birth_place": "Palembang", "birth_date": NEW_BIRTH.isoformat(), "asn_type": "PNS", "status": "AKTIF",
            "rank": "", "unit": str(org.units["p2p"].id), "position": str(org.positions["staff"].id),
            "supervisor": "", "email": "", "phone": ""}
    data.update(overrides)
    return data


def _staff1_form(org, **overrides):
    e = org.employees["staff1"]
    return _employee_form(org, nip=e.nip, name="Budi Santoso Diubah", gender="L",
                          birth_date=e.birth_date.isoformat(), **overrides)


def _employee_json(org, **overrides):
    data = {"nip": NEW_NIP, "name": "Nur Hasanah", "gender": "P", "birth_date": NEW_BIRTH.isoformat(),
            "asn_type": "PNS", "status": "AKTIF", "unit": org.units["p2p"].id,
            "position": org.positions["staff"].id}
    data.update(overrides)
    return data


def _body(kind, org, token):
    if kind is None:
        return {}
    if kind == "csrf":
        return {"data": {"csrf_token": token}}
    if kind == "employee_form_new":
        return {"data": dict(_employee_form(org), csrf_token=token)}
    if kind == "employee_form_staff1":
        return {"data": dict(_staff1_form(org), csrf_token=token)}
    if kind == "employee_json_new":
        return {"json": _employee_json(org)}
    if kind == "employee_json_phone":
        return {"json": {"phone": "0711-999999"}}
    if kind == "unit_json_new":
        return {"json": {"code": "DISHUB", "name": "Dinas Perhubungan", "unit_type": "OPD",
                         "parent": org.units["city"].id, "active": True}}
    raise AssertionError(kind)


def _secrets(org, viewer_key):
    """Names and NIPs that a refusal must never show (the viewer's own may appear in the navbar)."""
    out = set()
    for key, e in org.employees.items():
        if key != viewer_key:
            out |= {e.name, e.nip}
    return out


def _any_token(client, logged_in: bool):
    # Every signed-in role can open its own password form; anonymous users get the login form.
    return csrf_token(client, "/resetmypassword/form" if logged_in else "/login/")


def _state(db, org):
    from app.organisation.models import Employee, Unit

    db.session.expire_all()
    staff1 = db.session.get(Employee, org.employees["staff1"].id)
    return {
        "employees": db.session.execute(select(func.count()).select_from(Employee)).scalar(),
        "units": db.session.execute(select(func.count()).select_from(Unit)).scalar(),
        "staff1": (staff1.name, staff1.phone),
    }


def _check(app, client, db, org, role, endpoint):
    """Run one cell of the matrix on a client already signed in as ``role``; return a problem or None."""
    method, template, kind = ENDPOINTS[endpoint]
    url = template.format(staff1=org.employees["staff1"].id, staff2=org.employees["staff2"].id)
    expected = ACCESS[endpoint][ROLES.index(role)]
    actor = ACTORS[role]
    token = _any_token(client, bool(actor)) if kind else None
    before = _state(db, org)

    r = client.open(url, method=method, **_body(kind, org, token))

    body = r.get_data(as_text=True)
    if expected == L:
        if r.status_code != 302 or "/login/" not in r.headers.get("Location", ""):
            return f"{role:9} {endpoint:20} expected redirect to login, got {r.status_code}"
    elif r.status_code != expected:
        return f"{role:9} {endpoint:20} expected {expected}, got {r.status_code}: {body[:200]!r}"
    allowed = expected in (200, 201) or (expected == 302 and method != "GET") or \
        (endpoint == "my profile" and expected == 302)
    if allowed:
        return None
    # refused: no data in the answer, nothing changed
    for secret in _secrets(org, actor):
        if secret in body:
            return f"{role:9} {endpoint:20} refusal shows {secret!r}"
    if _state(db, org) != before:
        return f"{role:9} {endpoint:20} refused but the data changed"
    return None


def _login_as(client, org, role):
    actor = ACTORS[role]
    if actor:
        r = login(client, org.username(actor))
        assert r.status_code == 302 and "/login/" not in r.headers["Location"], f"{actor} could not log in"


READS = [name for name, (method, _t, _k) in ENDPOINTS.items() if method == "GET" and name != "import"]
WRITES = [name for name, (method, _t, _k) in ENDPOINTS.items() if method != "GET"]


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_reads(app, client, db, org, role):
    """Every GET row of the matrix for one role (one sign-in); all mismatches are reported together."""
    _login_as(client, org, role)
    problems = [p for p in (_check(app, client, db, org, role, name) for name in READS) if p]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_writes(app, client, db, org, role, endpoint):
    """Each write row on fresh data (an allowed write changes what the next one would see)."""
    _login_as(client, org, role)
    problem = _check(app, client, db, org, role, endpoint)
    assert problem is None, problem


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_import(app, client, db, org, role):
    if not _route_exists(app, ENDPOINTS["import"][1]):
        pytest.skip("/import/ is not registered in this build (the import screen is added separately)")
    _login_as(client, org, role)
    problem = _check(app, client, db, org, role, "import")
    assert problem is None, problem


def test_access_matrix_allowed_writes_really_write(app, client, db, org):
    """The Admin rows of the matrix that say 'allowed' for a write really change the data."""
    from app.organisation.models import Employee

    login(client, "admin")
    token = csrf_token(client, "/employeeview/add")
    r = client.post("/employeeview/add", data=dict(_employee_form(org), csrf_token=token))
    assert r.status_code == 302
    nur = db.session.execute(select(Employee).where(Employee.nip == NEW_NIP)).unique().scalar_one()
    assert nur.supervisor_id == org.employees["kabid"].id  # derived from the position tree
    r = client.post(f"/employeeview/edit/{org.employees['staff1'].id}",
                    data=dict(_staff1_form(org), csrf_token=token))
    assert r.status_code == 302
    r = client.put(f"/api/v1/employee/{org.employees['staff2'].id}", json={"phone": "0711-1"})
    assert r.status_code == 200, r.get_json()
    r = client.post(f"/employeeview/delete/{nur.id}", data={"csrf_token": token})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, org.employees["staff1"].id).name == "Budi Santoso Diubah"
    assert db.session.get(Employee, org.employees["staff2"].id).phone == "0711-1"
    assert db.session.get(Employee, nur.id) is None


# --- scope on writes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["kabid", "kadis"])
def test_atasan_and_pimpinan_cannot_create_or_edit_even_in_their_scope(client, db, org, who):
    from app.organisation.models import Employee

    login(client, org.username(who))
    token = csrf_token(client, "/resetmypassword/form")
    staff1 = org.employees["staff1"]  # a subordinate of both
    before = _state(db, org)
    assert client.post("/employeeview/add", data=dict(_employee_form(org), csrf_token=token)).status_code == 403
    assert client.post(f"/employeeview/edit/{staff1.id}",
                       data=dict(_staff1_form(org), csrf_token=token)).status_code == 403
    assert client.post("/api/v1/employee/", json=_employee_json(org)).status_code == 403
    assert client.put(f"/api/v1/employee/{staff1.id}", json={"name": "X"}).status_code == 403
    assert client.delete(f"/api/v1/employee/{staff1.id}").status_code == 403
    assert client.post("/employeeview/action_post", data={"action": "create_accounts", "rowid": str(staff1.id),
                                                          "csrf_token": token}).status_code == 403
    assert _state(db, org) == before
    assert db.session.execute(select(Employee).where(Employee.nip == NEW_NIP)).first() is None


def test_pegawai_gets_404_for_another_record_by_url_and_api(client, org):
    login(client, org.username("staff1"))
    other = org.employees["staff2"]
    for url in (f"/employeeview/show/{other.id}", f"/api/v1/employee/{other.id}"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert other.name not in r.get_data(as_text=True) and other.nip not in r.get_data(as_text=True)
    r = client.get("/api/v1/employee/")
    assert [row["id"] for row in r.get_json()["result"]] == [org.employees["staff1"].id]
    r = client.get("/employeeview/list/")
    assert other.name not in r.get_data(as_text=True)


def test_atasan_sees_exactly_own_and_subordinates(client, org):
    login(client, org.username("kabid"))
    e = org.employees
    html = client.get("/employeeview/list/").get_data(as_text=True)
    for key in ("kabid", "staff1", "staff2"):
        assert e[key].nip in html
    for key in ("kadis", "kapus", "perawat", "kadisdik", "guru", "analis"):
        assert e[key].nip not in html
        assert client.get(f"/employeeview/show/{e[key].id}").status_code == 404


def _as(app, username, path="/", method="GET", data=None):
    """A request context signed in as ``username`` (to call view internals directly)."""
    from flask import g
    from flask_login import current_user, login_user

    ctx = app.test_request_context(path, method=method, data=data)
    ctx.push()
    login_user(app.appbuilder.sm.find_user(username=username))
    g.user = current_user
    return ctx


def _view(app, name):
    return next(v for v in app.appbuilder.baseviews if v.__class__.__name__ == name)


def test_lookup_for_atasan_returns_only_scope(client, org):
    login(client, org.username("kabid"))
    results = client.get("/lookup/employee?q=").get_json()["results"]
    assert {r["id"] for r in results} == {org.employees[k].id for k in ("kabid", "staff1", "staff2")}
    # searching by the name of someone outside the scope finds nothing
    assert client.get("/lookup/employee?q=Rina").get_json()["results"] == []
    assert client.get(f"/lookup/employee?q={org.employees['guru'].nip}").get_json()["results"] == []
    # units and positions: an Atasan has no unit scope
    assert client.get("/lookup/unit?q=").status_code in (200, 403)
    r = client.get("/lookup/unit?q=")
    if r.status_code == 200:
        assert r.get_json()["results"] == []


def test_forged_out_of_scope_id_in_ajax_field_is_refused(app, org):
    """The picker field re-checks the submitted id against the person's scope (kabid: perawat is out)."""
    perawat, staff2 = org.employees["perawat"], org.employees["staff2"]
    view = _view(app, "EmployeeView")
    for forged, ok in ((perawat.id, False), (999999, False), ("1 OR 1=1", False), (staff2.id, True)):
        ctx = _as(app, org.username("kabid"), "/employeeview/add", "POST", data={"supervisor": str(forged)})
        try:
            form = view.add_form.refresh()
            form.validate()
            errors = form.supervisor.errors
            if ok:
                assert not errors and form.supervisor.data.id == staff2.id
            else:
                assert errors, forged
                assert form.supervisor.data is None
        finally:
            ctx.pop()


def test_forged_nonexistent_id_on_admin_form_names_the_field(client, db, org):
    from app.organisation.models import Employee

    login(client, "admin")
    client.get("/lang/en")
    token = csrf_token(client, "/employeeview/add")
    r = client.post("/employeeview/add", data=dict(_employee_form(org, supervisor="999999",
                                                                  supervisor_override="y"), csrf_token=token))
    assert r.status_code == 200
    assert _field_errors(r.get_data(as_text=True), "supervisor")
    assert db.session.execute(select(Employee).where(Employee.nip == NEW_NIP)).first() is None


def test_list_action_on_out_of_scope_ids_is_404(app, client, db, org, monkeypatch):
    """Actions re-load their rows through the scope: give an Atasan the action permission for this test
    and post out-of-scope ids (alone and mixed with in-scope ones) → 404 and nothing created."""
    sm = app.appbuilder.sm
    original = sm.has_access

    def has_access(permission, view):
        if view == "Employee" and permission == "can_write":
            return True
        return original(permission, view)

    monkeypatch.setattr(sm, "has_access", has_access)
    login(client, org.username("kabid"))
    token = csrf_token(client, "/resetmypassword/form")
    e = org.employees
    accounts_before = db.session.execute(select(func.count()).select_from(sm.user_model)).scalar()
    for rowids in ([e["perawat"].id], [e["staff1"].id, e["perawat"].id], [999999], ["abc"]):
        r = client.post("/employeeview/action_post",
                        data={"action": "create_accounts", "rowid": [str(x) for x in rowids], "csrf_token": token})
        assert r.status_code == 404, rowids
        assert e["perawat"].name not in r.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(sm.user_model)).scalar() == accounts_before


def test_scoped_items_helper(app, org):
    from werkzeug.exceptions import NotFound

    view = _view(app, "EmployeeView")
    e = org.employees
    ctx = _as(app, org.username("kabid"), "/employeeview/action_post", "POST")
    try:
        assert {i.id for i in view._scoped_items([e["staff1"].id, e["staff2"].id])} == {e["staff1"].id,
                                                                                      e["staff2"].id}
        for pks in ([e["perawat"].id], [e["staff1"].id, e["guru"].id], ["x"]):
            with pytest.raises(NotFound):
                view._scoped_items(pks)
    finally:
        ctx.pop()


# --- export -------------------------------------------------------------------------------------------

def test_export_respects_scope(client, org):
    login(client, org.username("kabid"))
    body = client.get("/employeeview/export/csv/").get_data(as_text=True)
    e = org.employees
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    assert sorted(row[0] for row in rows) == sorted(e[k].nip for k in ("kabid", "staff1", "staff2"))
    # only kabid's own supervisor (kadis) may appear, in the supervisor column of kabid's own row
    for key in ("kapus", "perawat", "kadisdik", "guru", "analis"):
        assert e[key].nip not in body and e[key].name not in body


def test_export_respects_the_current_filter(client, org):
    login(client, org.username("kabid"))
    body = client.get("/employeeview/export/csv/?_flt_0_name=Budi").get_data(as_text=True)
    rows = [line for line in body.splitlines()[1:] if line.strip()]
    assert len(rows) == 1 and org.employees["staff1"].nip in rows[0]
    # a filter cannot widen the scope
    body = client.get("/employeeview/export/csv/?_flt_0_name=Rina").get_data(as_text=True)
    assert [line for line in body.splitlines()[1:] if line.strip()] == []


def test_export_for_pimpinan_is_the_unit_subtree(client, org):
    login(client, org.username("kadis"))
    body = client.get("/employeeview/export/csv/").get_data(as_text=True)
    e = org.employees
    for key in ("kadis", "kabid", "staff1", "staff2", "kapus", "perawat"):
        assert e[key].nip in body
    for key in ("kadisdik", "guru", "analis"):
        assert e[key].nip not in body


def test_page_size_is_capped(app, client, db, org):
    from app.organisation.models import Employee

    rank = org.employees["staff1"].rank_id
    for i in range(110):
        birth = date(1980 + i % 20, 1 + i % 12, 1 + i % 28)
        db.session.add(Employee(nip=make_nip(birth, (2010, 1), 1, 100 + i), name=f"Pegawai {i:03d}", gender="L",
                                birth_date=birth, asn_type="PNS", status="AKTIF", rank_id=rank,
                                unit_id=org.units["disdik"].id))
    db.session.commit()
    login(client, "admin")
    html = client.get("/employeeview/list/?psize_EmployeeView=100000").get_data(as_text=True)
    assert html.count("/employeeview/show/") <= app.config["PAGE_SIZE_MAX"] * 2
    r = client.get("/api/v1/employee/?q=(page_size:100000)")
    assert r.status_code == 400 or len(r.get_json()["result"]) <= app.config["FAB_API_MAX_PAGE_SIZE"]


# --- no input produces a 500 -------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["page_EmployeeView=abc", "psize_EmployeeView=abc", "psize_EmployeeView=-5",
                                   "page_EmployeeView=99999999999999999999"])
def test_malformed_paging_is_400(client, org, query):
    login(client, "admin")
    assert client.get(f"/employeeview/list/?{query}").status_code == 400
    assert client.get(f"/employeeview/export/csv/?{query}").status_code == 400


@pytest.mark.parametrize("column", ["zzz", "supervisor.user.password", "user", "birth_date"])
def test_ordering_only_by_listed_columns(client, org, column):
    """Sorting by an arbitrary column was a 500 (and by a related password hash, an oracle)."""
    login(client, "admin")
    query = f"_oc_EmployeeView={column}&_od_EmployeeView=asc"
    assert client.get(f"/employeeview/list/?{query}").status_code == 200
    assert client.get(f"/employeeview/export/csv/?{query}").status_code == 200


HUGE = "99999999999999999999999"


@pytest.mark.parametrize("url", [f"/employeeview/show/{HUGE}", f"/employeeview/edit/{HUGE}", f"/api/v1/employee/{HUGE}",
                                 "/employeeview/show/0", "/employeeview/show/abc",
                                 "/unitview/show/-1", f"/users/show/{HUGE}"])
def test_malformed_ids_in_urls_are_404(client, org, url):
    login(client, "admin")
    assert client.get(url).status_code == 404


def test_malformed_ids_in_writes_are_refused(client, db, org):
    login(client, "admin")
    before = _state(db, org)
    token = csrf_token(client, "/employeeview/add")
    assert client.put(f"/api/v1/employee/{HUGE}", json={"name": "x"}).status_code == 404
    assert client.delete(f"/api/v1/employee/{HUGE}").status_code == 404
    r = client.post("/employeeview/action_post", data={"action": "create_accounts", "rowid": HUGE,
                                                       "csrf_token": token})
    assert r.status_code == 404
    r = client.post("/employeeview/add", data=dict(_employee_form(org, unit=HUGE), csrf_token=token))
    assert r.status_code == 200 and _field_errors(r.get_data(as_text=True), "unit")
    r = client.post("/api/v1/employee/", json=_employee_json(org, unit=int(HUGE)))
    assert r.status_code == 422 and "unit" in r.get_json()["message"]
    r = client.put(f"/api/v1/employee/{org.employees['staff1'].id}", json={"position": -1})
    assert r.status_code in (400, 422)
    assert _state(db, org) == before


# --- validation: the field is named, nothing is saved ---------------------------------------------------

def _field_errors(html, field):
    """Error texts rendered in the form row of ``field``."""
    for row in html.split("<tr>"):
        if f'name="{field}"' in row:
            return [re.sub(r"\s+", " ", m).strip()
                    for m in re.findall(r'<div class="alert alert-danger">(.*?)</div>', row, re.S)]
    raise AssertionError(f"no field {field} in the form")


EMPLOYEE_CASES = [
    # (case, form/json overrides, field named, words in the message)
    ("bad NIP", {"nip": "19960405202103250"}, "nip", "18"),
    ("bad NIP date", {"nip": "199602302021032005"}, "nip", "1-8"),
    ("NIP/birth date mismatch", {"birth_date": "1996-04-06"}, "birth_date", "1-8"),
    ("NIP/gender mismatch", {"gender": "L"}, "gender", "15"),
    ("duplicate NIP", "duplicate", "nip", "already"),
]


def _case_data(org, overrides):
    if overrides == "duplicate":
        e = org.employees["staff1"]
        return {"nip": e.nip, "gender": "L", "birth_date": e.birth_date.isoformat()}
    return overrides


@pytest.mark.parametrize("case, overrides, field, words", EMPLOYEE_CASES, ids=[c[0] for c in EMPLOYEE_CASES])
def test_employee_form_names_the_field(client, db, org, case, overrides, field, words):
    from app.organisation.models import Employee

    login(client, "admin")
    client.get("/lang/en")
    token = csrf_token(client, "/employeeview/add")
    before = _state(db, org)
    r = client.post("/employeeview/add", data=dict(_employee_form(org, **_case_data(org, overrides)),
                                                   csrf_token=token))
    assert r.status_code == 200
    errors = _field_errors(r.get_data(as_text=True), field)
    assert errors and any(words in e for e in errors), errors
    assert _state(db, org) == before
    assert db.session.execute(select(Employee).where(Employee.name == "Nur Hasanah")).first() is None


@pytest.mark.parametrize("case, overrides, field, words", EMPLOYEE_CASES, ids=[c[0] for c in EMPLOYEE_CASES])
def test_employee_api_names_the_field(client, db, org, case, overrides, field, words):
    login(client, "admin")
    client.get("/lang/en")
    before = _state(db, org)
    r = client.post("/api/v1/employee/", json=_employee_json(org, **_case_data(org, overrides)))
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["message"]
    assert field in message, message
    assert any(words in m for m in message[field]), message
    assert _state(db, org) == before


def test_supervisor_loop_refused_form_and_api(client, db, org):
    from app.organisation.models import Employee

    login(client, "admin")
    client.get("/lang/en")
    kabid, staff1 = org.employees["kabid"], org.employees["staff1"]
    token = csrf_token(client, f"/employeeview/edit/{kabid.id}")
    data = _employee_form(org, nip=kabid.nip, name=kabid.name, gender="P", birth_date=kabid.birth_date.isoformat(),
                          position=str(org.positions["kabid"].id), supervisor_override="y",
                          supervisor=str(staff1.id), csrf_token=token)
    r = client.post(f"/employeeview/edit/{kabid.id}", data=data)
    assert r.status_code == 200
    assert any("loop" in e for e in _field_errors(r.get_data(as_text=True), "supervisor"))
    r = client.put(f"/api/v1/employee/{kabid.id}", json={"supervisor_override": True, "supervisor": staff1.id})
    assert r.status_code == 422 and "supervisor" in r.get_json()["message"]
    # self as supervisor
    r = client.put(f"/api/v1/employee/{kabid.id}", json={"supervisor_override": True, "supervisor": kabid.id})
    assert r.status_code == 422 and "supervisor" in r.get_json()["message"]
    db.session.expire_all()
    fresh = db.session.get(Employee, kabid.id)
    assert fresh.supervisor_id == org.employees["kadis"].id and not fresh.supervisor_override


def test_unit_loop_refused_form_and_api(client, db, org):
    from app.organisation.models import Unit

    login(client, "admin")
    client.get("/lang/en")
    dinkes, p2p = org.units["dinkes"], org.units["p2p"]
    token = csrf_token(client, f"/unitview/edit/{dinkes.id}")
    data = {"code": dinkes.code, "name": dinkes.name, "unit_type": "OPD", "parent": str(p2p.id),
            "head_position": "", "active": "y", "csrf_token": token}
    r = client.post(f"/unitview/edit/{dinkes.id}", data=data)
    assert r.status_code == 200
    assert _field_errors(r.get_data(as_text=True), "parent")
    for parent in (p2p.id, dinkes.id):
        r = client.put(f"/api/v1/unit/{dinkes.id}", json={"parent": parent})
        assert r.status_code == 422 and "parent" in r.get_json()["message"], r.get_json()
    db.session.expire_all()
    assert db.session.get(Unit, dinkes.id).parent_id == org.units["city"].id


POSITION_CASES = [
    ("level not fitting type", {"position_type": "ADMINISTRATOR", "level": "KLEREK"}, "level"),
    ("fungsional level on pelaksana", {"position_type": "PELAKSANA", "level": "AHLI_MUDA"}, "level"),
    ("missing JPT level", {"position_type": "JPT", "level": ""}, "level"),
    ("grade 0", {"grade": "0"}, "grade"),
    ("grade 18", {"grade": "18"}, "grade"),
]


@pytest.mark.parametrize("case, overrides, field", POSITION_CASES, ids=[c[0] for c in POSITION_CASES])
def test_position_rules_name_the_field(client, db, org, case, overrides, field):
    from app.organisation.models import Position

    login(client, "admin")
    client.get("/lang/en")
    count = lambda: db.session.execute(select(func.count()).select_from(Position)).scalar()  # noqa: E731
    before = count()
    token = csrf_token(client, "/positionview/add")
    data = {"name": "Jabatan Uji", "position_type": "PELAKSANA", "level": "KLEREK", "grade": "5",
            "unit": str(org.units["p2p"].id), "parent": "", "csrf_token": token}
    data.update(overrides)
    r = client.post("/positionview/add", data=data)
    assert r.status_code == 200
    assert _field_errors(r.get_data(as_text=True), field)
    body = {k: v for k, v in data.items() if k not in ("csrf_token", "parent")}
    body["unit"] = org.units["p2p"].id
    body["grade"] = int(body["grade"])
    body["level"] = body["level"] or None
    r = client.post("/api/v1/position/", json=body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["message"]
    db.session.expire_all()
    assert count() == before


def test_admin_creates_via_api_with_correct_data(client, db, org):
    from app.organisation.models import Employee

    login(client, "admin")
    r = client.post("/api/v1/employee/", json=_employee_json(org))
    assert r.status_code == 201, r.get_json()
    created = db.session.get(Employee, r.get_json()["id"])
    assert created.nip == NEW_NIP and created.supervisor_id == org.employees["kabid"].id
    r = client.put(f"/api/v1/employee/{created.id}", json={"name": "Nur Hasanah Putri"})
    assert r.status_code == 200, r.get_json()
    r = client.post("/api/v1/employee/", json=_employee_json(org, nip="x" * 18))
    assert r.status_code in (400, 422)


@pytest.mark.parametrize("payload", [
    {"birth_date": "not-a-date"}, {"unit": 999999}, {"unit": "abc"}, {"gender": "X"}, {"asn_type": "ASN"},
    {"status": "X"}, {"nip": None}, {"name": "x" * 500}, {"rank": 999999},
    {"supervisor_override": True, "supervisor": 999999}, {"unit": None}, {"name": ""},
    {"email": "not-an-email"}, {"phone": "call me"},
])
def test_bad_api_input_is_4xx_never_500(client, db, org, payload):
    login(client, "admin")
    before = _state(db, org)
    r = client.post("/api/v1/employee/", json=_employee_json(org, **payload))
    assert 400 <= r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:300])
    assert _state(db, org) == before
