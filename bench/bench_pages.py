#!/usr/bin/env python
"""Page benchmark of the e-Kinerja portal on generated data (a script, not a test).

Builds (or reuses) a database, runs the migrations, generates N employees in U units
(`app.demo.generator`), creates an Admin and a Pimpinan-like scoped account, then requests the main
pages through the Flask test client and reports, per page: HTTP status, response size, SQL queries per
request (SQLAlchemy ``before_cursor_execute``) and the median / p95 server time over R runs.

With ``--years N`` the generator also writes N years of the performance cycle and the screens of the cycle
are measured too, each as the person who uses it (an employee with an approved plan, his rater, the rater
with the most subordinates, the Pengelola Kinerja, the head of Dinas Pendidikan / of the largest OPD).

Budgets (from the issues): employee list, show and edit pages at most 10 SQL queries whatever the page
size; the employee list page's median at most 15 ms. Every performance screen at most 15 queries and a
median of at most 25 ms; the Penetapan Predikat screen of the largest OPD (and of the whole city) at most
100 ms; the PDFs at most 15 queries (their time is reported, not budgeted: the budget is for screens).
Rows over budget are flagged with "!".

    python bench/bench_pages.py                                  # temp SQLite file, 15,000 employees
    python bench/bench_pages.py --years 5                        # + 5 years of the performance cycle
    python bench/bench_pages.py --database-url postgresql+psycopg://bench:bench@localhost/bench --years 5
    python bench/bench_pages.py --runs 50 --json bench/results-sqlite.json --show-queries

See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERY_BUDGET = 10
LIST_MEDIAN_BUDGET_MS = 15.0
BUDGETED_QUERIES = {"employee list 25", "employee list 100", "employee list 25, page 100", "employee show",
                    "employee edit form"}
BUDGETED_TIME = {"employee list 25", "employee list 100"}
# The performance cycle (issue 4): every screen, per request.
PERF_QUERY_BUDGET = 15
PERF_MEDIAN_BUDGET_MS = 25.0
PERF_LARGE_MEDIAN_BUDGET_MS = 100.0  # Penetapan Predikat of the largest OPD (and of the whole city)


@dataclass
class Result:
    name: str
    user: str
    url: str
    status: int
    bytes: int
    queries: int
    queries_max: int
    median_ms: float
    p95_ms: float
    min_ms: float
    cpu_median_ms: float  # process CPU time: a fairer figure on a busy machine
    sql_median_ms: float  # time spent inside cursor.execute (database + driver)
    runs: int
    budget_queries: Optional[int] = None
    budget_ms: Optional[float] = None
    over_budget: list = field(default_factory=list)
    statements: list = field(default_factory=list)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default="", help="default: a new SQLite file in a temp directory")
    p.add_argument("--employees", type=int, default=15000)
    p.add_argument("--units", type=int, default=250)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--years", type=int, default=0,
                   help="also generate this many years of the performance cycle and measure its screens")
    p.add_argument("--runs", type=int, default=30, help="timed requests per page (after 2 warm-up requests)")
    p.add_argument("--export-runs", type=int, default=3, help="timed runs of the full CSV export (slow by nature)")
    p.add_argument("--json", dest="json_path", default="", help="write the results as JSON to this file")
    p.add_argument("--show-queries", action="store_true", help="print the SQL of one request per page")
    p.add_argument("--reuse", action="store_true",
                   help="keep the data already generated when its size matches (skip the generator)")
    p.add_argument("--only", default="", help="regular expression: benchmark only the pages whose name matches")
    return p.parse_args(argv)


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def build_app(url: str, instance_dir: str):
    os.environ.setdefault("INSTANCE_PATH", instance_dir)
    from app import create_app

    return create_app({
        "PORTAL_CONFIG": "development",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": secrets.token_hex(16),
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,  # the benchmark logs in more often than a person would
        "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # the bench accounts only
        "UPLOAD_DIR": os.path.join(instance_dir, "uploads"),
    })


def prepare(app, args) -> dict:
    """Migrate, generate (unless reusable), create the two bench accounts. Returns facts for the report."""
    from flask import g
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app.accounts.services import sync_roles
    from app.demo.generator import ROOT_CODE, generate
    from app.extensions import db
    from app.organisation.models import Employee, Unit
    from app.security import roles as R
    from app.security.scope import unit_subtree_ids

    facts = {}
    with app.app_context():
        g.actor = "bench"
        t = time.perf_counter()
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
        facts["migrate_s"] = round(time.perf_counter() - t, 2)
        sm = app.appbuilder.sm
        sync_roles(sm)
        n_emp = db.session.execute(select(func.count()).select_from(Employee)).scalar()
        n_unit = db.session.execute(select(func.count()).select_from(Unit)).scalar()
        marker = db.session.execute(select(Unit.id).where(Unit.code == ROOT_CODE)).first()
        if args.reuse and marker and (n_emp, n_unit) == (args.employees, args.units) and _has_years(db, args.years):
            facts["generate"] = "reused"
        else:
            print(f"generating {args.employees} employees in {args.units} units"
                  + (f" with {args.years} years of the performance cycle" if args.years else "")
                  + " (a few minutes with --years 5)...", flush=True)
            result = generate(db.session, employees=args.employees, units=args.units, seed=args.seed,
                              reset=n_unit > 0, years=args.years)
            facts["generate"] = {"seconds": round(result.seconds, 2),
                                 "timings": {k: round(v, 2) for k, v in result.timings.items()}}
        password = "Bench" + secrets.token_hex(8) + "9"
        for name in ("bench-admin", "bench-pimpinan"):  # --reuse: accounts of an earlier run
            user = sm.find_user(username=name)
            if user is not None:
                db.session.execute(Employee.__table__.update().where(Employee.user_id == user.id)
                                   .values(user_id=None))
                sm.reset_password(user.id, password)
        if sm.find_user(username="bench-admin") is None:
            sm.add_user("bench-admin", "Bench", "Admin", "bench-admin@bench.example", [sm.find_role(R.ADMIN)],
                        password=password)
        # The Pimpinan: head of the OPD with the most employees in its subtree.
        opds = db.session.execute(select(Unit.id, Unit.head_position_id).where(Unit.unit_type == "OPD")).all()
        best, best_count = None, -1
        for unit_id, head_position_id in opds:
            count = db.session.execute(select(func.count()).select_from(Employee).where(
                Employee.unit_id.in_(unit_subtree_ids(unit_id)))).scalar()
            if count > best_count:
                best, best_count = (unit_id, head_position_id), count
        head = db.session.execute(select(Employee.id, Employee.nip).where(
            Employee.position_id == best[1]).order_by(Employee.nip).limit(1)).first()
        roles = [sm.find_role(n) for n in (R.PEGAWAI, R.ATASAN, R.PIMPINAN)]
        user = sm.find_user(username="bench-pimpinan")
        if user is None:
            user = sm.add_user("bench-pimpinan", "Bench", "Pimpinan", "bench-pimpinan@bench.example", roles,
                               password=password)
        db.session.execute(Employee.__table__.update().where(Employee.id == head.id).values(user_id=user.id))
        db.session.commit()
        facts.update(password=password, pimpinan_employee_id=head.id, pimpinan_unit_id=best[0],
                     pimpinan_scope_employees=best_count)
        # Pages to open: a mid-list employee with subordinates, an OPD unit.
        facts["sample_employee_id"] = db.session.execute(
            select(Employee.supervisor_id).where(Employee.supervisor_id.is_not(None))
            .order_by(Employee.nip).offset(args.employees // 2).limit(1)).scalar()
        facts["scoped_employee_id"] = db.session.execute(
            select(Employee.id).where(Employee.supervisor_id == head.id).order_by(Employee.nip).limit(1)).scalar()
        facts["sample_unit_id"] = best[0]
        facts["dialect"] = db.engine.dialect.name
        facts["server_version"] = ".".join(str(v) for v in (db.engine.dialect.server_version_info or ()))
        facts["employees"] = db.session.execute(select(func.count()).select_from(Employee)).scalar()
        facts["units"] = db.session.execute(select(func.count()).select_from(Unit)).scalar()
        facts["years"] = args.years
        if args.years:
            prepare_performance(app, db, sm, facts, password)
    return facts


def _has_years(db, years: int) -> bool:
    """The database holds ``years`` years of generated plans, ending with this year (what --reuse needs)."""
    from sqlalchemy import func, select

    from app.performance.models import Skp

    first, last, n = db.session.execute(select(func.min(Skp.year), func.max(Skp.year),
                                               func.count(func.distinct(Skp.year)))).one()
    if not years:
        return True
    return n == years and last == date.today().year and last - first + 1 == years


def _link(sm, db, username, employee_id, role_names, password):
    """The bench account ``username`` with these roles, linked to ``employee_id`` (None: no employee)."""
    from app.organisation.models import Employee

    roles = [sm.find_role(n) for n in role_names]
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username, "Bench", username.split("-", 1)[1].title(), f"{username}@bench.example",
                           roles, password=password)
    else:
        user.roles = roles
        sm.update_user(user)
        sm.reset_password(user.id, password)
        db.session.execute(Employee.__table__.update().where(Employee.user_id == user.id).values(user_id=None))
    if employee_id is not None:
        db.session.execute(Employee.__table__.update().where(Employee.id == employee_id).values(user_id=user.id))
    return user


def _head_of(db, unit_id):
    """(id, nip) of the holder of the unit's head position."""
    from sqlalchemy import select

    from app.organisation.models import Employee, Unit

    return db.session.execute(
        select(Employee.id, Employee.nip).join(Unit, Unit.head_position_id == Employee.position_id)
        .where(Unit.id == unit_id).order_by(Employee.nip).limit(1)).first()


def prepare_performance(app, db, sm, facts, password) -> None:
    """Accounts and sample records for the performance screens (``--years``): real rows of the generated data.

    * bench-pegawai: a staff member (no subordinates) with an approved plan of this year with progress;
    * bench-atasan: his rater (the rater of that plan);
    * bench-rater: the rater of the most plans of this year (the longest inbox and rating list);
    * bench-pengelola: Pengelola Kinerja (the whole city, no employee record);
    * bench-disdik: the head of Dinas Pendidikan (Pegawai, Atasan, Pimpinan), unless Dinas Pendidikan is the
      largest OPD, whose head is bench-pimpinan already.
    Plus 60 notifications (20 unread) for bench-pegawai."""
    from datetime import datetime, timedelta

    from sqlalchemy import and_, delete, func, insert, select

    from app.organisation.models import Employee, Unit
    from app.performance.models import Evaluation, Notification, Objection, Period, Progress, Rhk, Skp
    from app.security import roles as R
    from app.security.scope import unit_subtree_ids

    year = db.session.scalar(select(func.max(Skp.year)))
    facts["year"] = year
    taken = {facts["pimpinan_employee_id"]}
    disdik = db.session.execute(select(Unit.id, Unit.name).where(Unit.unit_type == "OPD",
                                                                 Unit.name == "Dinas Pendidikan")).first()
    facts["disdik_unit_id"] = disdik.id if disdik else facts["pimpinan_unit_id"]
    facts["disdik_scope_employees"] = db.session.scalar(select(func.count()).select_from(Employee).where(
        Employee.unit_id.in_(unit_subtree_ids(facts["disdik_unit_id"]))))
    disdik_head = _head_of(db, facts["disdik_unit_id"])
    facts["disdik_is_largest"] = facts["disdik_unit_id"] == facts["pimpinan_unit_id"]
    if not facts["disdik_is_largest"]:
        taken.add(disdik_head.id)
    facts["disdik_employee_id"] = disdik_head.id
    # the rater of the most plans of this year
    rater_id, n_plans = db.session.execute(
        select(Skp.rater_id, func.count()).where(Skp.year == year, Skp.is_current, Skp.rater_id.is_not(None),
                                                 Skp.rater_id.not_in(taken))
        .group_by(Skp.rater_id).order_by(func.count().desc(), Skp.rater_id).limit(1)).one()
    taken.add(rater_id)
    facts.update(rater_many_id=rater_id, rater_many_plans=n_plans)
    # a staff member with an approved plan of this year with progress, whose rater is someone else
    has_staff = select(Employee.id).where(Employee.supervisor_id == Skp.employee_id).exists()
    with_progress = select(Rhk.id).join(Progress, Progress.rhk_id == Rhk.id).where(Rhk.skp_id == Skp.id).exists()
    candidates = select(Skp.id).where(Skp.year == year, Skp.is_current, Skp.status == "DISETUJUI",
                                      Skp.rater_id.is_not(None), Skp.rater_id.not_in(taken),
                                      Skp.rater_supervisor_id.is_not(None), ~has_staff, with_progress)
    n = db.session.scalar(select(func.count()).select_from(candidates.subquery()))
    skp = db.session.execute(select(Skp.id, Skp.employee_id, Skp.rater_id).where(
        Skp.id == candidates.order_by(Skp.id).offset(n // 2).limit(1).scalar_subquery())).one()
    facts.update(plan_id=skp.id, pegawai_employee_id=skp.employee_id, atasan_employee_id=skp.rater_id)
    # its evaluations: one of this year not final yet (rated by bench-atasan) and last year's final annual one
    open_eval = db.session.execute(
        select(Evaluation.id, Evaluation.status).where(Evaluation.skp_id == skp.id)
        .order_by((Evaluation.status == "FINAL"), Evaluation.period_id.desc()).limit(1)).first()
    facts["evaluation_id"] = open_eval.id
    facts["evaluation_status"] = open_eval.status
    final = db.session.execute(
        select(Evaluation.id).join(Skp, Skp.id == Evaluation.skp_id).join(Period, Period.id == Evaluation.period_id)
        .where(Skp.employee_id == skp.employee_id, Skp.year == year - 1, Period.kind == "ANNUAL",
               Evaluation.status == "FINAL")).scalar()
    facts["final_evaluation_id"] = final or open_eval.id
    facts["annual_period_id"] = db.session.scalar(select(Period.id).where(Period.year == year - 1,
                                                                          Period.kind == "ANNUAL"))
    facts["objection_id"] = db.session.scalar(select(Objection.id).order_by(Objection.id).limit(1))
    # the sub-unit of the largest OPD with the most plans of this year, and a plan in the Pimpinan's scope
    facts["largest_subunit_id"] = db.session.scalar(
        select(Unit.id).join(Skp, and_(Skp.unit_id == Unit.id, Skp.year == year, Skp.is_current))
        .where(Unit.parent_id == facts["pimpinan_unit_id"]).group_by(Unit.id)
        .order_by(func.count().desc(), Unit.id).limit(1))
    facts["scoped_plan_id"] = db.session.scalar(
        select(Skp.id).where(Skp.unit_id == facts["largest_subunit_id"], Skp.year == year, Skp.is_current,
                             Skp.status == "DISETUJUI").order_by(Skp.id).limit(1))
    facts["root_unit_id"] = db.session.scalar(select(Unit.id).where(Unit.parent_id.is_(None), Unit.code == "BENCH"))
    # accounts
    _link(sm, db, "bench-pegawai", skp.employee_id, [R.PEGAWAI], password)
    _link(sm, db, "bench-atasan", skp.rater_id, [R.PEGAWAI, R.ATASAN], password)
    _link(sm, db, "bench-rater", rater_id, [R.PEGAWAI, R.ATASAN], password)
    _link(sm, db, "bench-pengelola", None, [R.PENGELOLA], password)
    if not facts["disdik_is_largest"]:
        _link(sm, db, "bench-disdik", disdik_head.id, [R.PEGAWAI, R.ATASAN, R.PIMPINAN], password)
    pegawai = sm.find_user(username="bench-pegawai")
    db.session.execute(delete(Notification).where(Notification.user_id == pegawai.id))
    now = datetime.now()
    db.session.execute(insert(Notification), [
        {"user_id": pegawai.id, "kind": "bench", "title": f"Notifikasi uji {i + 1}",
         "body": "Rencana kinerja Anda telah disetujui.", "link": f"/plans/{skp.id}",
         "created_on": now - timedelta(hours=i), "read_at": None if i < 20 else now} for i in range(60)])
    db.session.commit()
    counts = {}
    from app.performance.models import Evidence, Feedback, Indicator
    for model in (Skp, Rhk, Indicator, Progress, Evidence, Feedback, Evaluation, Objection):
        counts[model.__tablename__] = db.session.scalar(select(func.count()).select_from(model))
    facts["performance_rows"] = counts


def login(client, username, password):
    html = client.get("/login/").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token on the login page")
    r = client.post("/login/", data={"username": username, "password": password, "csrf_token": match.group(1)})
    if r.status_code != 302 or "/login" in r.headers.get("Location", ""):
        raise SystemExit(f"login of {username} failed ({r.status_code})")


@dataclass
class Page:
    name: str
    url: str
    budget_queries: Optional[int] = None
    budget_ms: Optional[float] = None


def organisation_pages(facts):
    """The organisation pages (issue 2) of bench-admin and bench-pimpinan, with their budgets."""
    e, u, s = facts["sample_employee_id"], facts["sample_unit_id"], facts["scoped_employee_id"]
    admin = [
        ("employee list 25", "/employeeview/list/?psize_EmployeeView=25"),
        ("employee list 100", "/employeeview/list/?psize_EmployeeView=100"),
        ("employee list 25, page 100", "/employeeview/list/?psize_EmployeeView=25&page_EmployeeView=100"),
        ("employee list, search name", "/employeeview/list/?_flt_2_name=Siti"),
        ("employee show", f"/employeeview/show/{e}"),
        ("employee edit form", f"/employeeview/edit/{e}"),
        ("unit list", "/unitview/list/"),
        ("unit show", f"/unitview/show/{u}"),
        ("unit tree", "/unit-tree/"),
        ("position list", "/positionview/list/"),
        ("REST employee list 25", "/api/v1/employee/?q=(page_size:25)"),
        ("REST employee list 100", "/api/v1/employee/?q=(page_size:100)"),
        ("REST employee get", f"/api/v1/employee/{e}"),
        ("lookup employee", "/lookup/employee?q=siti"),
        ("lookup unit", "/lookup/unit?q=bidang"),
        ("export CSV (all employees)", "/employeeview/export/csv/"),
    ]
    pimpinan = [
        ("employee list 25", "/employeeview/list/?psize_EmployeeView=25"),
        ("employee list 100", "/employeeview/list/?psize_EmployeeView=100"),
        ("employee show", f"/employeeview/show/{s}"),
        ("unit tree", "/unit-tree/"),
        ("REST employee list 25", "/api/v1/employee/?q=(page_size:25)"),
        ("lookup employee", "/lookup/employee?q=siti"),
        ("export CSV (scope)", "/employeeview/export/csv/"),
    ]

    def budgeted(items, user):
        return [Page(name, url, QUERY_BUDGET if name in BUDGETED_QUERIES else None,
                     LIST_MEDIAN_BUDGET_MS if user == "bench-admin" and name in BUDGETED_TIME else None)
                for name, url in items]

    return {"bench-admin": budgeted(admin, "bench-admin"), "bench-pimpinan": budgeted(pimpinan, "bench-pimpinan")}


def performance_pages(facts):
    """The screens of the performance cycle (``--years``), each as the person who uses it."""
    q, ms, large = PERF_QUERY_BUDGET, PERF_MEDIAN_BUDGET_MS, PERF_LARGE_MEDIAN_BUDGET_MS

    def screen(name, url, budget_ms=ms):
        return Page(name, url, q, budget_ms)

    def document(name, url):  # a PDF: queries budgeted, its time reported only (the budget is for screens)
        return Page(name, url, q, None)

    plan, ev, final = facts["plan_id"], facts["evaluation_id"], facts["final_evaluation_id"]
    year, annual = facts["year"], facts["annual_period_id"]
    largest, disdik, root = facts["pimpinan_unit_id"], facts["disdik_unit_id"], facts["root_unit_id"]
    pegawai = [
        screen("my plan", "/my-plan/"),
        screen("plan show (own)", f"/plans/{plan}"),
        screen("my evaluations", "/my-evaluations/"),
        screen("evaluation show (own, final)", f"/evaluations/{final}"),
        screen("objections", "/objections/"),
        screen("notifications", "/notifications/"),
        screen("REST skp list 25 (own)", "/api/v1/skp/?q=(page_size:25)"),
        screen("REST evaluation list 25 (own)", "/api/v1/evaluation/?q=(page_size:25)"),
        document("PDF SKP", f"/my-plan/{plan}/pdf"),
        document("PDF evaluation", f"/evaluations/{final}/pdf"),
    ]
    atasan = [
        screen("plan show (rater)", f"/plans/{plan}"),
        screen("plan inbox", "/plan-inbox/"),
        screen("rate list", "/rate/"),
        screen(f"evaluation show (rater, {facts['evaluation_status'].lower()})", f"/evaluations/{ev}"),
        screen("objections", "/objections/"),
        screen("cascade (own team)", f"/cascade/?year={year}"),
    ]
    rater = [
        screen("my plan", "/my-plan/"),
        screen("plan inbox", "/plan-inbox/"),
        screen("rate list", "/rate/"),
        screen("objections", "/objections/"),
        screen("cascade (own team)", f"/cascade/?year={year}"),
    ]
    pengelola = [
        screen("period list", "/periodview/list/"),
        screen("organisation rating list", "/organisationratingview/list/"),
        screen("organisation rating list, period", f"/organisationratingview/list/?period={annual}"),
        screen("distribution city", f"/predikat-distribution/?unit={root}&period={annual}", large),
        screen("distribution largest OPD", f"/predikat-distribution/?unit={largest}&period={annual}", large),
        screen("distribution default period", f"/predikat-distribution/?unit={largest}", large),
        screen("cascade city", f"/cascade/?unit={root}&year={year}"),
        screen("cascade largest OPD", f"/cascade/?unit={largest}&year={year}"),
        screen("plan show", f"/plans/{plan}"),
        screen("evaluation show", f"/evaluations/{final}"),
        screen("REST skp list 25", "/api/v1/skp/?q=(page_size:25)"),
        screen("REST skp list 100", "/api/v1/skp/?q=(page_size:100)"),
        screen("REST skp get", f"/api/v1/skp/{plan}"),
        screen("REST evaluation list 25", "/api/v1/evaluation/?q=(page_size:25)"),
        screen("REST evaluation get", f"/api/v1/evaluation/{final}"),
        screen("REST objection list 25", "/api/v1/objection/?q=(page_size:25)"),
    ]
    if facts.get("objection_id"):
        pengelola.append(screen("REST objection get", f"/api/v1/objection/{facts['objection_id']}"))
    if not facts["disdik_is_largest"]:
        pengelola.insert(4, screen("distribution Dinas Pendidikan", f"/predikat-distribution/?unit={disdik}"
                                   f"&period={annual}", large))
        pengelola.insert(9, screen("cascade Dinas Pendidikan", f"/cascade/?unit={disdik}&year={year}"))
    head = [  # the head of the largest OPD (bench-pimpinan), with the scope of a Pimpinan
        screen("my plan", "/my-plan/"),
        screen("plan inbox", "/plan-inbox/"),
        screen("rate list", "/rate/"),
        screen("objections", "/objections/"),
        screen("distribution own OPD", f"/predikat-distribution/?period={annual}", large),
        screen("cascade own OPD", f"/cascade/?year={year}"),
        screen("cascade own OPD, a sub-unit", f"/cascade/?year={year}&unit={facts['largest_subunit_id']}"),
        screen("plan show (scope)", f"/plans/{facts['scoped_plan_id']}"),
        screen("REST skp list 25 (scope)", "/api/v1/skp/?q=(page_size:25)"),
        screen("REST evaluation list 25 (scope)", "/api/v1/evaluation/?q=(page_size:25)"),
        screen("REST objection list 25 (scope)", "/api/v1/objection/?q=(page_size:25)"),
    ]
    result = {"bench-pegawai": pegawai, "bench-atasan": atasan, "bench-rater": rater, "bench-pengelola": pengelola,
              "bench-pimpinan": head}
    if not facts["disdik_is_largest"]:
        result["bench-disdik"] = [
            screen("distribution own OPD", f"/predikat-distribution/?period={annual}", large),
            screen("cascade own OPD", f"/cascade/?year={year}"),
            screen("rate list", "/rate/"),
        ]
    return result


def pages(facts):
    """{user: [Page]}: the organisation pages, then (``--years``) the performance screens."""
    result = organisation_pages(facts)
    if facts.get("years"):
        for user, items in performance_pages(facts).items():
            result.setdefault(user, []).extend(items)
    return result


def measure(app, client, page, user, runs, keep_statements):
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    statements = []
    sql_time = [0.0]
    started = {}

    def before(conn, cursor, statement, params, context, executemany):
        statements.append(statement)
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        sql_time[0] += time.perf_counter() - started.pop(id(cursor), time.perf_counter())

    name, url = page.name, page.url
    for _ in range(2):  # warm-up: template compilation, caches
        client.get(url)
    times, counts, cpu, sql = [], [], [], []
    status = size = 0
    first_statements = []
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for i in range(runs):
            statements.clear()
            sql_time[0] = 0.0
            c = time.process_time()
            t = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            sql.append(sql_time[0] * 1000)
            counts.append(len(statements))
            status, size = response.status_code, len(body)
            if i == 0:
                first_statements = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    result = Result(name, user, url, status, size, int(statistics.median(counts)), max(counts),
                    round(statistics.median(times), 2), round(p95, 2), round(times[0], 2),
                    round(statistics.median(cpu), 2), round(statistics.median(sql), 2), runs,
                    statements=first_statements if keep_statements else [])
    if status != 200:
        result.over_budget.append(f"HTTP {status}")
    result.budget_queries, result.budget_ms = page.budget_queries, page.budget_ms
    if page.budget_queries is not None and result.queries_max > page.budget_queries:
        result.over_budget.append(f"queries {result.queries_max} > {page.budget_queries}")
    if page.budget_ms is not None and result.median_ms > page.budget_ms:
        result.over_budget.append(f"median {result.median_ms} ms > {page.budget_ms} ms")
    return result


def print_table(results, facts):
    head = ("page", "user", "status", "KB", "queries", "median ms", "p95 ms", "min ms", "cpu ms", "sql ms",
            "budget")
    rows = [head]
    for r in results:
        rows.append((r.name, r.user.replace("bench-", ""), str(r.status), f"{r.bytes / 1024:.0f}",
                     str(r.queries) if r.queries == r.queries_max else f"{r.queries}-{r.queries_max}",
                     f"{r.median_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.min_ms:.1f}", f"{r.cpu_median_ms:.1f}",
                     f"{r.sql_median_ms:.1f}", "! " + "; ".join(r.over_budget) if r.over_budget
                     else "ok"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    print()
    print(f"database: {facts['dialect']} {facts.get('server_version', '')}; employees: {facts['employees']}; "
          f"units: {facts['units']}; Pimpinan scope: {facts['pimpinan_scope_employees']} employees")
    if facts.get("years"):
        rows_ = facts["performance_rows"]
        print(f"performance cycle: {facts['years']} years to {facts['year']}; " +
              ", ".join(f"{k}: {v}" for k, v in rows_.items()) +
              f"; bench-rater rates {facts['rater_many_plans']} plans of {facts['year']}; Dinas Pendidikan: "
              f"{facts['disdik_scope_employees']} employees" + (" (the largest OPD)" if facts["disdik_is_largest"]
                                                               else ""))
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) if j < 2 else c.rjust(w) if j < len(head) - 1 else c for j, (c, w) in
                        enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def report(results, facts, args, budgets: dict, statement_chars: int = 400) -> int:
    """The end of every bench script: the SQL of each page with ``--show-queries``, the JSON file with ``--json``
    (``budgets`` recorded in it), and the exit status (1 when a page is over its budget)."""
    if args.show_queries:
        for r in results:
            print(f"\n--- {r.name} ({r.user}): {len(r.statements)} statements")
            for i, s in enumerate(r.statements, 1):
                print(f"{i:3d}. {' '.join(s.split())[:statement_chars]}")
    if args.json_path:
        facts.pop("password", None)
        payload = {
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(), "machine": platform.machine(),
            "budgets": budgets,
            "facts": facts,
            "results": [{k: v for k, v in asdict(r).items() if k != "statements" or args.show_queries}
                        for r in results],
        }
        Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_path).write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
        print(f"\nJSON written to {args.json_path}")
    return 1 if any(r.over_budget for r in results) else 0


def page_args(args) -> argparse.Namespace:
    """This script's data options as bench_pages.py's arguments (for ``prepare``)."""
    return parse_args(["--employees", str(args.employees), "--units", str(args.units), "--seed", str(args.seed),
                       "--years", str(args.years)] + (["--reuse"] if args.reuse else []))


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="kinerja-bench-")
    url = normalise_url(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.db"
    app = build_app(url, tmp)
    t = time.perf_counter()
    facts = prepare(app, args)
    facts["prepare_s"] = round(time.perf_counter() - t, 2)
    print(f"prepared in {facts['prepare_s']} s (generate: {facts['generate']})", flush=True)
    only = re.compile(args.only) if args.only else None
    results = []
    for user, items in pages(facts).items():
        client = app.test_client()
        login(client, user, facts["password"])
        for page in items:
            if only and not only.search(page.name):
                continue
            runs = args.export_runs if page.name.startswith("export") else args.runs
            results.append(measure(app, client, page, user, runs, args.show_queries))
            print(f"  {user:15} {page.name:36} {results[-1].median_ms:8.1f} ms {results[-1].queries_max:3d} queries",
                  flush=True)
    print_table(results, facts)
    return report(results, facts, args, {
        "queries": QUERY_BUDGET, "list_median_ms": LIST_MEDIAN_BUDGET_MS, "performance_queries": PERF_QUERY_BUDGET,
        "performance_median_ms": PERF_MEDIAN_BUDGET_MS, "distribution_large_median_ms": PERF_LARGE_MEDIAN_BUDGET_MS})


if __name__ == "__main__":
    sys.exit(main())
