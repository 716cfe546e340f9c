"""The generated authorization matrix (rows: tests/access_matrix.py) and CSRF on every web write.

1. Coverage: every endpoint of ``app.url_map`` (every method but HEAD/OPTIONS), every list action of every
   view and every lookup kind has a row in access_matrix.ACCESS, and every row still exists.
2. Per role (one test each, one sign-in): every cell of the table as a real request on the `org` city;
   reads first, then writes (which act on disposable "twin" records of the kind, so later cells see the
   city unchanged), then what ends the session. All mismatches are collected and reported together.
3. CSRF: every state-changing route of the web UI refuses a POST without a token (400, nothing written,
   no audit row); the session-cookie API refuses anything that is not JSON (what a cross-site form sends).
"""
from __future__ import annotations

import io
from datetime import date
from itertools import count

import pytest
from sqlalchemy import func, select

import access_performance
import access_socialization
from access_matrix import ACCESS, ACTORS, RECORDS, ROLES
from conftest import PASSWORD, csrf_token, login, make_nip

KINDS = ("own", "in", "out")
SKIP_METHODS = {"HEAD", "OPTIONS"}
NEW_PASSWORD = "Rahasia12345Baru"
_seq = count(1)


# --- 1. the table covers exactly what the app registers ------------------------------------------------

def _views_by_class_name(app):
    return {v.__class__.__name__: v for v in app.appbuilder.baseviews}


def registered_keys(app) -> set:
    """Row keys for everything the app registers (routes × methods, list actions, lookup kinds)."""
    from app.core.lookups import _REGISTRY

    views = _views_by_class_name(app)
    keys = set()
    for rule in app.url_map.iter_rules():
        view_name, _, method_name = rule.endpoint.partition(".")
        for method in sorted(rule.methods - SKIP_METHODS):
            key = f"{rule.endpoint} {method}"
            view = views.get(view_name)
            if method_name in ("action", "action_post") and view is not None and getattr(view, "actions", None):
                for name in view.actions:
                    if method_name == "action" and method != "GET":
                        continue
                    keys.add(f"{key}:{name}")
                if method_name == "action" and method != "GET":
                    keys.add(key)  # POST /<view>/action/<name>/<pk> (FAB's own): one row, any name
            elif rule.endpoint == "LookupView.lookup":
                keys |= {f"{key}:{kind}" for kind in _REGISTRY}
            else:
                keys.add(key)
    return keys


def test_every_registered_endpoint_has_a_row_and_every_row_exists(app):
    registered = registered_keys(app)
    missing = sorted(registered - set(ACCESS))
    stale = sorted(set(ACCESS) - registered)
    problems = [f"new endpoint {k}: add it to tests/access_matrix.py" for k in missing]
    problems += [f"endpoint {k} no longer exists: remove it from tests/access_matrix.py" for k in stale]
    assert not problems, "\n".join(problems)


# --- the records -------------------------------------------------------------------------------------------

class World:
    """The `org` city plus what the matrix needs: ids per record kind, twins, fingerprints."""

    def __init__(self, app, db, org):
        from app.core.audit import AuditLog
        from app.organisation.models import Rank

        self.app, self.db, self.org, self.sm = app, db, org, app.appbuilder.sm
        group = self.sm.group_model(name="grup-uji", label="Grup Uji")
        db.session.add(group)
        db.session.commit()
        self.group_id = group.id
        self.role_id = self.sm.find_role("Pegawai").id
        self.rank_id = db.session.execute(select(Rank.id).where(Rank.code == "III/a", Rank.asn_type == "PNS")).scalar()
        self.audit_id = db.session.execute(select(func.min(AuditLog.id))).scalar()
        assert self.audit_id, "the org fixture writes audit rows"
        # Names and NIPs a refusal must never show (the viewer's own may appear in the navbar).
        self.people = {key: (e.name, e.nip) for key, e in org.employees.items()}

    # records by (model, key) ---------------------------------------------------------------------------
    def obj(self, model, key):
        o = self.org
        if model == "employee":
            return o.employees[key]
        if model == "unit":
            return o.units[key]
        if model == "position":
            return o.positions[key]
        if model == "user":
            return o.users[key]
        if model in ("period", "orgrating"):
            return self.performance_obj(model, key)
        if model in access_performance.MODELS:  # SKP, evaluations, objections (their API)
            return access_performance.obj(self, model, key)
        raise AssertionError(model)

    # performance records (app/performance/admin_views.py), made when a cell first needs them ------------
    def period(self):
        """The evaluation period the performance cells use (2026-Q1)."""
        from app.performance.models import Period

        found = self.db.session.execute(select(Period).where(Period.code == "2026-Q1")).scalar()
        if found is None:
            found = Period(year=2026, kind="QUARTERLY", number=1, code="2026-Q1", starts_on=date(2026, 1, 1),
                           ends_on=date(2026, 3, 31))
            self.db.session.add(found)
            self.db.session.commit()
        return found

    def spare_period(self):
        """A new annual period of an unused year (for twins and add forms)."""
        from app.performance.models import Period

        used = set(self.db.session.execute(select(Period.year)).scalars())
        year = next(y for y in range(2030, 2101) if y not in used)
        p = Period(year=year, kind="ANNUAL", number=1, code=str(year), starts_on=date(year, 1, 1),
                   ends_on=date(year, 12, 31))
        self.db.session.add(p)
        self.db.session.commit()
        return p

    def performance_obj(self, model, key):
        from app.performance.models import OrganisationRating

        period = self.period()
        if model == "period":  # one period for everyone: periods have no row scope
            return period
        unit = self.org.units[key]
        found = self.db.session.execute(select(OrganisationRating).where(
            OrganisationRating.unit_id == unit.id, OrganisationRating.period_id == period.id)).scalar()
        if found is None:
            found = OrganisationRating(unit_id=unit.id, period_id=period.id, rating="BAIK")
            self.db.session.add(found)
            self.db.session.commit()
        return found

    def identity(self, model, obj) -> str:
        """The text that shows the record is in an answer."""
        if model in access_performance.MODELS:
            return access_performance.identity(model, obj)
        return {"employee": lambda: obj.nip, "unit": lambda: obj.name, "position": lambda: obj.name,
                "user": lambda: obj.username, "period": lambda: obj.code,
                "orgrating": lambda: obj.unit.name}[model]()

    def twin(self, model, key):
        """A disposable record with the same scope as ``key`` (same unit / parent / supervisor)."""
        from app.organisation.models import Employee, Position, Unit

        n = next(_seq)
        db = self.db
        if model == "employee":
            e = self.org.employees[key]
            t = Employee(nip=make_nip(e.birth_date, (e.birth_date.year + 24, 3), 1 if e.gender == "L" else 2,
                                      100 + n), name=f"Kembar Pegawai {n}", gender=e.gender,
                         birth_date=e.birth_date, asn_type="PNS", status="AKTIF", rank_id=e.rank_id,
                         position_id=e.position_id, unit_id=e.unit_id, supervisor_id=e.supervisor_id)
        elif model == "unit":
            u = self.org.units[key]
            t = Unit(code=f"KEMBAR-{n}", name=f"Unit Kembar {n}", unit_type=u.unit_type, parent_id=u.parent_id,
                     active=True)
        elif model == "position":
            p = self.org.positions[key]
            t = Position(name=f"Jabatan Kembar {n}", position_type=p.position_type, level=p.level, grade=p.grade,
                         unit_id=p.unit_id, parent_id=p.parent_id)
        elif model == "user":
            t = self.sm.add_user(f"kembar{n}", "Kembar", f"Pengguna{n}", f"kembar{n}@test.invalid",
                                 [self.sm.find_role("Pegawai")], password=PASSWORD)
            t.fail_login_count = 5
            self.sm.update_user(t)
            return t
        elif model == "period":
            return self.spare_period()
        elif model == "orgrating":
            from app.performance.models import OrganisationRating

            t = OrganisationRating(unit_id=self.org.units[key].id, period_id=self.spare_period().id, rating="BAIK")
        else:
            raise AssertionError(model)
        db.session.add(t)
        db.session.commit()
        return t

    def fingerprint(self, model, pk):
        from app.core.audit import AuditLog
        from app.organisation.models import Employee, Position, Rank, Unit
        from app.performance.models import OrganisationRating, Period

        if model in access_performance.MODELS:
            return access_performance.fingerprint(self, model, pk)
        self.db.session.expire_all()
        cls = {"employee": Employee, "unit": Unit, "position": Position, "rank": Rank, "audit": AuditLog,
               "user": self.sm.user_model, "role": self.sm.role_model, "group": self.sm.group_model,
               "period": Period, "orgrating": OrganisationRating}[model]
        if pk is None:  # a whole table
            return self.db.session.execute(select(func.count()).select_from(cls)).scalar()
        row = self.db.session.get(cls, pk)
        if row is None:
            return None
        fields = {"employee": ("name", "phone", "user_id"), "unit": ("code", "name"), "position": ("name",),
                  "rank": ("name",), "audit": ("changes",), "role": ("name",), "group": ("name", "label"),
                  "user": ("first_name", "fail_login_count", "password", "active"),
                  "period": ("opens_on", "closes_on", "is_open"), "orgrating": ("rating", "achievement", "notes")}[model]
        return tuple(getattr(row, f) for f in fields)


# --- 2. building one request per cell -----------------------------------------------------------------

MODEL_OF_VIEW = {"EmployeeView": "employee", "EmployeeApi": "employee", "UnitView": "unit", "UnitApi": "unit",
                 "PositionView": "position", "PositionApi": "position", "UnitTreeView": "unit",
                 "PortalUserView": "user", "ResetPasswordView": "user", "RankView": "rank", "RankApi": "rank",
                 "AuditLogView": "audit", "PortalRoleView": "role", "PortalGroupView": "group",
                 "PeriodView": "period", "OrganisationRatingView": "orgrating", "PredikatDistributionView": "unit",
                 "CascadeView": "unit"}
ROUTE_BASE = {"EmployeeView": "/employeeview", "UnitView": "/unitview", "PositionView": "/positionview",
              "RankView": "/rankview", "AuditLogView": "/auditlogview", "PortalUserView": "/users",
              "PortalRoleView": "/roles", "PortalGroupView": "/groups", "PeriodView": "/periodview",
              "OrganisationRatingView": "/organisationratingview"}
MODEL_OF_VIEW.update(access_performance.MODEL_OF_VIEW)
API_BASE = {"EmployeeApi": "/api/v1/employee", "UnitApi": "/api/v1/unit", "PositionApi": "/api/v1/position",
            "RankApi": "/api/v1/rank"}
LISTING = {"list", "export", "get_list", "tree", "lookup"}


class Case:
    """One concrete request: method, url, body; what to look for; what must (not) change."""

    def __init__(self, method, url, data=None, json=None, target_model=None, target=None, watch=None,
                 listing=False, writes=False):
        self.method, self.url, self.data, self.json = method, url, data, json
        self.target_model, self.target = target_model, target  # the record the cell is about
        self.watch = watch  # (model, pk or None) fingerprinted before/after
        self.listing, self.writes = listing, writes


def _employee_form(e, **overrides):
    data = {"nip": e.nip, "front_title": "", "name": e.name, "back_title": "", "gender": e.gender,
            "birth_place": "", "birth_date": e.birth_date.isoformat(), "asn_type": "PNS", "status": "AKTIF",
            "rank": str(e.rank_id or ""), "unit": str(e.unit_id), "position": str(e.position_id or ""),
            "supervisor": "", "email": "", "phone": ""}
    data.update(overrides)
    return data


def _new_employee(world):
    birth = date(1996, 4, 5)
    n = next(_seq)
    return {"nip": make_nip(birth, (2021, 3), 2, 500 + n), "name": f"Pegawai Baru {n}", "gender": "P",
            "birth_date": birth.isoformat(), "asn_type": "PNS", "status": "AKTIF",
            "unit": world.org.units["p2p"].id, "position": world.org.positions["staff"].id}


def build(world, key, role, kind, token) -> Case:
    """The request for the cell (key, role, kind); ``kind`` None for endpoints without a record."""
    o = world.org
    endpoint, _, rest = key.partition(" ")
    method, _, suffix = rest.partition(":")
    view, _, handler = endpoint.partition(".")
    model = MODEL_OF_VIEW.get(view)
    actor = ACTORS[role]
    form = lambda **d: dict(d, csrf_token=token)  # noqa: E731

    # which record: the role's record of this kind, or a disposable twin of it for writes
    target = None
    write = method in ("POST", "PUT", "DELETE") or handler == "delete"
    if model in RECORDS[role] and kind is not None:
        rec_key = RECORDS[role][model][KINDS.index(kind)]
        target = world.obj(model, rec_key)
        if write and kind != "own" and handler in ("edit", "delete", "put", "action_post", "this_form_post"):
            target = world.twin(model, rec_key)
    pk = target.id if target is not None else None

    if view in access_performance.MODEL_OF_VIEW:  # the performance-cycle API: fresh records per cell
        world.csrf_token = token  # the planning screens' forms (access_performance._build_planning)
        rec_key = RECORDS[role][model][KINDS.index(kind)] if kind is not None else None
        return access_performance.build(world, Case, key, role, kind, rec_key)
    if view in ROUTE_BASE:
        base = ROUTE_BASE[view]
        if model in ("rank", "audit", "role", "group"):
            pk = {"rank": world.rank_id, "audit": world.audit_id, "role": world.role_id,
                  "group": world.group_id}[model]
        watch = (model, pk)
        if handler == "list":
            return Case("GET", f"{base}/list/?psize_{view}=100", target_model=model, target=target,
                        listing=True)
        if handler == "export":
            return Case("GET", f"{base}/export/csv/", target_model=model, target=target, listing=True)
        if handler == "show":
            return Case("GET", f"{base}/show/{pk}", target_model=model, target=target)
        if handler == "download":
            return Case("GET", f"{base}/download/x.txt")
        if handler == "userinfo":
            return Case("GET", "/users/userinfo/")
        if handler == "generate":  # PeriodView: the periods of a year not used yet
            if method == "GET":
                return Case("GET", f"{base}/generate/")
            year = world.spare_period().year + 1
            return Case("POST", f"{base}/generate/", data=form(year=str(year)), watch=("period", None), writes=True)
        if handler == "add":
            if method == "GET":
                return Case("GET", f"{base}/add")
            return Case("POST", f"{base}/add", data=form(**_add_form(world, view)), watch=(model, None),
                        writes=True)
        if handler == "edit":
            if method == "GET":
                return Case("GET", f"{base}/edit/{pk}", target_model=model, target=target)
            return Case("POST", f"{base}/edit/{pk}", data=form(**_edit_form(world, view, target)), watch=watch,
                        writes=True)
        if handler == "delete":
            if method == "GET":
                return Case("GET", f"{base}/delete/{pk}", watch=watch)
            return Case("POST", f"{base}/delete/{pk}", data=form(), watch=watch, writes=True)
        if handler == "action":
            name = suffix or "nope"
            if method == "GET":
                return Case("GET", f"{base}/action/{name}/{pk or 1}", watch=watch)
            return Case("POST", f"{base}/action/{name}/{pk or 1}", data=form(), watch=watch)
        if handler == "action_post":
            if suffix == "unlock" and target is not None and kind == "own":
                target.fail_login_count = 3  # something for an unlock to change
                world.sm.update_user(target)
            if suffix == "close_periods" and target is not None:
                target.is_open = True  # something for a close to change
                world.db.session.commit()
            return Case("POST", f"{base}/action_post", data=form(action=suffix or "nope", rowid=str(pk or 1)),
                        watch=watch, writes=True)
    if view in API_BASE:
        base = API_BASE[view]
        if model == "rank":
            pk = world.rank_id
        if handler == "get_list":
            return Case("GET", f"{base}/?q=(page_size:100)", target_model=model, target=target, listing=True)
        if handler == "get":
            return Case("GET", f"{base}/{pk}", target_model=model, target=target)
        if handler == "info":
            return Case("GET", f"{base}/_info")
        if handler == "post":
            return Case("POST", f"{base}/", json=_api_new(world, view), watch=(model, None), writes=True)
        if handler == "put":
            change = {"phone": f"0711-{next(_seq)}"} if model == "employee" else {"name": f"Diubah {next(_seq)}"}
            return Case("PUT", f"{base}/{pk}", json=change, watch=(model, pk), writes=True)
        if handler == "delete":
            return Case("DELETE", f"{base}/{pk}", watch=(model, pk), writes=True)

    if view == "UnitTreeView":
        return Case("GET", "/unit-tree/", target_model="unit", target=target, listing=True)
    if view == "PredikatDistributionView":
        return Case("GET", f"/predikat-distribution/?unit={pk}&period={world.period().id}", target_model="unit",
                    target=target)
    if view == "CascadeView":
        return Case("GET", f"/cascade/?unit={pk}&year=2026", target_model="unit", target=target)
    if view == "LookupView":
        lk_target = None
        if kind is not None:
            lk_target = world.obj(suffix, RECORDS[role][suffix][KINDS.index(kind)])
        q = {"employee": lambda t: t.nip, "unit": lambda t: t.code, "position": lambda t: t.name}[suffix]
        return Case("GET", f"/lookup/{suffix}?q={q(lk_target) if lk_target else ''}", target_model=suffix,
                    target=lk_target, listing=True)
    if view == "ResetPasswordView":
        if method == "GET":
            return Case("GET", f"/resetpassword/form?pk={pk}")  # the form does not name the user
        return Case("POST", f"/resetpassword/form?pk={pk}",
                    data=form(password=NEW_PASSWORD, conf_password=NEW_PASSWORD), watch=("user", pk), writes=True)
    own_user = o.users[actor].id if actor else None
    simple = {
        "MyProfileView.me": "/my-profile/", "ImportView.template": "/import/template/employees/csv",
        "MenuApi.get_menu_data": "/api/v1/menu/", "OpenApi.get": "/api/v1/_openapi", "SwaggerView.show": "/swagger/v1",
        "PortalIndexView.index": "/", "PortalAuthDBView.logout": "/logout/", "LocaleView.index": "/lang/id",
        "UtilView.back": "/back", "static": "/static/css/portal.css",
        "appbuilder.static": "/static/appbuilder/css/ab.css", "favicon": "/favicon.ico",
        "UserStatsChartView.chart": "/userstatschartview/chart/",
        "ResetMyPasswordView.this_form_get": "/resetmypassword/form",
        "UserInfoEditView.this_form_get": "/userinfoeditview/form",
        "ImportView.form": "/import/", "PortalAuthDBView.login": "/login/",
    }
    if endpoint == "ImportView.form" and method == "POST":
        upload = (io.BytesIO("code,name,unit_type,parent_code\n".encode()), "kosong.csv")
        return Case("POST", "/import/", data=form(kind="units", file=upload), watch=("unit", None))
    if endpoint == "PortalAuthDBView.login" and method == "POST":
        return Case("POST", "/login/", data=form(username="nobody", password="Salah12345x"))
    if endpoint == "ResetMyPasswordView.this_form_post":
        return Case("POST", "/resetmypassword/form", data=form(password=NEW_PASSWORD, conf_password=NEW_PASSWORD),
                    watch=("user", own_user), writes=True)
    if endpoint == "UserInfoEditView.this_form_post":
        u = o.users[actor] if actor else None
        return Case("POST", "/userinfoeditview/form",
                    data=form(first_name=f"Nama{next(_seq)}", last_name=u.last_name if u else "x",
                              email=u.email if u else "x@test.invalid"),
                    watch=("user", own_user), writes=True)
    if endpoint == "SecurityApi.login":
        username = o.username(actor) if actor else "nobody"
        return Case("POST", "/api/v1/security/login",
                    json={"username": username, "password": PASSWORD if actor else "Salah12345x",
                          "provider": "db", "refresh": True})
    if endpoint == "SecurityApi.refresh":
        return Case("POST", "/api/v1/security/refresh", json={})
    if endpoint in simple:
        return Case(method, simple[endpoint])
    raise AssertionError(f"no request builder for {key}")


def _add_form(world, view):
    o = world.org
    n = next(_seq)
    if view == "EmployeeView":
        d = _new_employee(world)
        return dict(d, unit=str(d["unit"]), position=str(d["position"]), front_title="", back_title="",
                    birth_place="", rank="", supervisor="", email="", phone="")
    if view == "UnitView":
        return {"code": f"BARU-{n}", "name": f"Unit Baru {n}", "unit_type": "OPD", "parent": str(o.units["city"].id),
                "head_position": "", "active": "y"}
    if view == "PositionView":
        return {"name": f"Jabatan Baru {n}", "position_type": "PELAKSANA", "level": "KLEREK", "grade": "5",
                "unit": str(o.units["p2p"].id), "parent": ""}
    if view == "PortalUserView":
        return {"first_name": "Baru", "last_name": f"Pengguna{n}", "username": f"baru{n}",
                "email": f"baru{n}@test.invalid", "active": "y", "roles": str(world.role_id),
                "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD}
    if view == "PeriodView":
        year = world.spare_period().year + 1
        return {"year": str(year), "kind": "ANNUAL", "number": "1", "opens_on": "", "closes_on": ""}
    if view == "OrganisationRatingView":
        return {"unit": str(o.units["p2p"].id), "period": str(world.spare_period().id), "rating": "ISTIMEWA",
                "achievement": "101", "notes": f"baru {n}"}
    return {"name": f"baru{n}"}  # rank, audit, role, group: refused before the form is read


def _edit_form(world, view, target):
    n = next(_seq)
    if view == "EmployeeView":
        return _employee_form(target, phone=f"0711-{n}")
    if view == "UnitView":
        return {"code": target.code, "name": f"{target.name} {n}", "unit_type": target.unit_type,
                "parent": str(target.parent_id or ""), "head_position": "", "active": "y"}
    if view == "PositionView":
        return {"name": f"{target.name} {n}", "position_type": target.position_type, "level": target.level or "",
                "grade": str(target.grade), "unit": str(target.unit_id), "parent": str(target.parent_id or "")}
    if view == "PortalUserView":
        return {"first_name": f"Diubah{n}", "last_name": target.last_name, "username": target.username,
                "email": target.email, "active": "y", "roles": [str(r.id) for r in target.roles]}
    if view == "PeriodView":
        return {"opens_on": "", "closes_on": "", "is_open": "y"}
    if view == "OrganisationRatingView":
        return {"unit": str(target.unit_id), "period": str(target.period_id), "rating": "KURANG",
                "achievement": str(n % 200), "notes": f"diubah {n}"}
    return {"name": f"diubah{n}"}


def _api_new(world, view):
    n = next(_seq)
    o = world.org
    if view == "EmployeeApi":
        return _new_employee(world)
    if view == "UnitApi":
        return {"code": f"API-{n}", "name": f"Unit API {n}", "unit_type": "OPD", "parent": o.units["city"].id,
                "active": True}
    return {"name": f"Jabatan API {n}", "position_type": "PELAKSANA", "level": "KLEREK", "grade": 5,
            "unit": o.units["p2p"].id}


# --- running one cell ---------------------------------------------------------------------------------------

def _outcome(r, is_api) -> str:
    code = r.status_code
    location = r.headers.get("Location", "")
    if code in (200, 201):
        return "A"
    if code == 302:
        return "L" if "/login/" in location else "R"
    return {401: "L", 403: "F", 404: "N", 405: "M", 400: "B", 422: "U"}.get(code, str(code))


def run_cell(world, client, key, role, kind, expected, token):
    case = build(world, key, role, kind, token)
    before = world.fingerprint(*case.watch) if case.watch else None
    audit_before = world.fingerprint("audit", None)
    kwargs = {}
    if case.data is not None:
        kwargs["data"] = case.data
    if case.json is not None:
        kwargs["json"] = case.json
    r = client.open(case.url, method=case.method, **kwargs)
    body = r.get_data(as_text=True) if not r.mimetype.endswith(("sheet", "pdf")) else ""
    got = _outcome(r, case.url.startswith("/api/"))
    where = f"{role:17} {key:48} {kind or '':3} {case.method} {case.url}"
    after = world.fingerprint(*case.watch) if case.watch else None
    changed = case.watch is not None and before != after

    if expected == "H":
        if got != "A":
            return f"{where}: expected 200 without the record, got {r.status_code}"
        if case.target is not None and world.identity(case.target_model, case.target) in body:
            return f"{where}: out-of-scope record {world.identity(case.target_model, case.target)!r} is shown"
        return None
    if expected == "A":
        if got != "A" and not (got == "R" and case.method != "GET"):
            return f"{where}: expected allowed, got {r.status_code} {r.headers.get('Location', '')} {body[:150]!r}"
        if case.writes and not changed:
            return f"{where}: allowed but nothing was written ({r.status_code}: {body[:300]!r})"
        if case.method == "GET" and case.target is not None and \
                world.identity(case.target_model, case.target) not in body:
            return f"{where}: allowed but the record {world.identity(case.target_model, case.target)!r} is missing"
        return None
    if got != expected:
        return f"{where}: expected {expected}, got {got} ({r.status_code} {r.headers.get('Location', '')}) {body[:150]!r}"
    if changed:
        return f"{where}: refused ({expected}) but the data changed: {before} → {after}"
    if expected != "R" and world.fingerprint("audit", None) != audit_before:
        return f"{where}: refused ({expected}) but an audit row was written"
    if expected in "NFLM":
        viewer = ACTORS[role]
        for person, secrets in world.people.items():
            if person != viewer:
                for secret in secrets:
                    if secret in body:
                        return f"{where}: the refusal shows {secret!r} ({person})"
    return None


def _order(key):
    """Reads first, then writes, then what ends or changes the session."""
    if key.startswith("PortalAuthDBView.logout"):
        return 4
    if key.startswith(("ResetMyPasswordView.this_form_post", "ResetPasswordView.this_form_post")):
        return 3  # after the API login, which uses the password
    if key.startswith(("PortalAuthDBView.login", "SecurityApi")):
        return 2
    method = key.split(" ")[1].split(":")[0]
    return 1 if method != "GET" or ".delete " in key or ".action " in key else 0


def _cells(role):
    index = ROLES.index(role)
    for key in sorted(ACCESS, key=lambda k: (_order(k), k)):
        cell = ACCESS[key][index]
        endpoint = key.split(" ")[0]
        view = endpoint.split(".")[0]
        model = MODEL_OF_VIEW.get(view) or (key.split(":")[1] if view == "LookupView" else None)
        records = RECORDS[role].get(model) if model else None
        if records is None:
            yield key, None, cell[0] if len(cell) == 1 else cell[1]
            continue
        for i, kind in enumerate(KINDS):
            code = cell if len(cell) == 1 else cell[i]
            if code == "-" or records[i] is None:
                continue
            yield key, kind, code


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, db, org, role):
    world = World(app, db, org)
    actor = ACTORS[role]
    if actor:
        r = login(client, org.username(actor))
        assert r.status_code == 302 and "/login/" not in r.headers["Location"], f"{actor} could not log in"
        token = csrf_token(client, "/resetmypassword/form")
    else:
        token = csrf_token(client, "/login/")
    problems, ran = [], 0
    for key, kind, expected in _cells(role):
        ran += 1
        try:
            problem = run_cell(world, client, key, role, kind, expected, token)
        except Exception as exc:  # noqa: BLE001 - a 500 (PROPAGATE_EXCEPTIONS) is a finding too
            db.session.rollback()
            problem = f"{role:17} {key:48} {kind or '':3}: raised {exc.__class__.__name__}: {exc}"
        if problem:
            problems.append(problem)
    assert ran > 100
    assert not problems, f"{len(problems)} of {ran} cells differ from tests/access_matrix.py:\n" + "\n".join(problems)


# --- 3. CSRF on every state-changing route of the web UI -----------------------------------------------------

def _web_write_keys(app):
    for key in sorted(registered_keys(app)):
        endpoint, _, rest = key.partition(" ")
        method = rest.split(":")[0]
        if method in ("POST", "PUT", "DELETE", "PATCH"):
            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            if not rule.rule.startswith("/api/"):
                yield key


def test_every_web_write_route_needs_a_csrf_token(app, client, db, org):
    """As Admin (who may do everything), every POST of the web UI without a token (and with a forged one)
    is a 400 and writes nothing: no row changes, no audit row."""
    world = World(app, db, org)
    login(client, "admin")
    token = csrf_token(client, "/resetmypassword/form")
    keys = list(_web_write_keys(app))
    assert len(keys) > 30, keys
    problems = []
    for key in keys:
        role, model = "Admin", MODEL_OF_VIEW.get(key.split(".")[0])
        kind = "in" if model in RECORDS["Admin"] else None
        case = build(world, key, role, kind, token)
        for forged in (None, "forged-token"):
            data = {k: v for k, v in (case.data or {}).items() if k != "csrf_token"}
            if forged:
                data["csrf_token"] = forged
            if "file" in data:
                data["file"] = (io.BytesIO(b"code,name\n"), "x.csv")
            before = world.fingerprint(*case.watch) if case.watch else None
            audit_before = world.fingerprint("audit", None)
            users_before = world.fingerprint("user", None)
            r = client.open(case.url, method=case.method, data=data)
            if r.status_code != 400:
                problems.append(f"{key} ({'forged' if forged else 'no'} token): {r.status_code}, expected 400")
            if case.watch and world.fingerprint(*case.watch) != before:
                problems.append(f"{key}: written without a valid token")
            if world.fingerprint("audit", None) != audit_before or world.fingerprint("user", None) != users_before:
                problems.append(f"{key}: an audit row or account was written without a valid token")
    assert not problems, "\n".join(problems)


def _api_write_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.methods & {"POST", "PUT"}:
            yield rule


def test_session_api_refuses_what_a_cross_site_form_can_send(app, client, db, org):
    """FAB's API blueprints are exempt from the form CSRF token (they take JWTs too). With the browser
    session they are still safe from cross-site forms: SameSite=Lax keeps the cookie off cross-site POSTs,
    a form can only send urlencoded / multipart / text/plain bodies (JSON needs a CORS preflight, which the
    portal never grants), and every API write refuses a body that is not application/json. Proven here for
    every API route that takes POST or PUT, as Admin."""
    world = World(app, db, org)
    login(client, "admin")
    staff2 = org.employees["staff2"]
    problems = []
    rules = list(_api_write_rules(app))
    assert len(rules) >= 8
    counts = lambda: [world.fingerprint(m, None) for m in ("employee", "unit", "position", "user", "audit")]  # noqa
    for rule in rules:
        for method in sorted(rule.methods & {"POST", "PUT"}):
            url = rule.rule.replace("<pk>", str(staff2.id) if "employee" in rule.rule else str(org.units["p2p"].id)
                                    if "unit" in rule.rule else str(org.positions["staff"].id))
            url = url.replace("<version>", "v1")
            before, staff2_before = counts(), world.fingerprint("employee", staff2.id)
            body = {"name": "Lintas Situs", "phone": "0711-1", "username": "admin", "password": PASSWORD,
                    "provider": "db"}
            for kwargs in ({"data": body},
                           {"data": '{"name": "Lintas Situs", "phone": "0711-1"}', "content_type": "text/plain"},
                           {"data": body, "content_type": "multipart/form-data"}):
                r = client.open(url, method=method, **kwargs)
                if r.status_code not in (400, 401, 405, 415, 422):
                    problems.append(f"{method} {url} {kwargs.get('content_type', 'urlencoded')}: {r.status_code}")
                if r.status_code == 200 and "access_token" in r.get_data(as_text=True):
                    problems.append(f"{method} {url}: issued a token for a non-JSON body")
            if counts() != before or world.fingerprint("employee", staff2.id) != staff2_before:
                problems.append(f"{method} {url}: a non-JSON body wrote data")
    assert not problems, "\n".join(problems)


def test_admin_twin_writes_are_really_made_and_audited(app, client, db, org):
    """Sanity check of the matrix machinery: an allowed Admin edit through the form is written and audited."""
    world = World(app, db, org)
    login(client, "admin")
    token = csrf_token(client, "/resetmypassword/form")
    case = build(world, "EmployeeView.edit POST", "Admin", "in", token)
    audit_before = world.fingerprint("audit", None)
    before = world.fingerprint(*case.watch)
    r = client.post(case.url, data=case.data)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert world.fingerprint(*case.watch) != before
    assert world.fingerprint("audit", None) > audit_before


access_socialization.install(globals())  # socialization material and awards (tests/access_socialization.py)
__import__("access_training").install(globals())  # training and socialization sessions (tests/access_training.py)
__import__("access_analytics").install(globals())  # rater-bias analytics (tests/access_analytics.py)
__import__("access_dashboards").install(globals())  # dashboards (tests/access_dashboards.py)
__import__("access_survey").install(globals())  # public satisfaction survey (tests/access_survey.py)
