#!/usr/bin/env python
"""Page benchmark of the e-Kinerja portal on generated data (a script, not a test).

Builds (or reuses) a database, runs the migrations, generates N employees in U units
(`app.demo.generator`), creates an Admin and a Pimpinan-like scoped account, then requests the main
pages through the Flask test client and reports, per page: HTTP status, response size, SQL queries per
request (SQLAlchemy ``before_cursor_execute``) and the median / p95 server time over R runs.

Budgets (from the issue): employee list, show and edit pages at most 10 SQL queries whatever the page
size; the employee list page's median at most 15 ms. Rows over budget are flagged with "!".

    python bench/bench_pages.py                                  # temp SQLite file, 15,000 employees
    python bench/bench_pages.py --database-url postgresql+psycopg://bench:bench@localhost/bench
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
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERY_BUDGET = 10
LIST_MEDIAN_BUDGET_MS = 15.0
BUDGETED_QUERIES = {"employee list 25", "employee list 100", "employee list 25, page 100", "employee show",
                    "employee edit form"}
BUDGETED_TIME = {"employee list 25", "employee list 100"}


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
    over_budget: list = field(default_factory=list)
    statements: list = field(default_factory=list)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default="", help="default: a new SQLite file in a temp directory")
    p.add_argument("--employees", type=int, default=15000)
    p.add_argument("--units", type=int, default=250)
    p.add_argument("--seed", type=int, default=42)
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
        if args.reuse and marker and (n_emp, n_unit) == (args.employees, args.units):
            facts["generate"] = "reused"
        else:
            result = generate(db.session, employees=args.employees, units=args.units, seed=args.seed,
                              reset=n_unit > 0)
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
    return facts


def login(client, username, password):
    html = client.get("/login/").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token on the login page")
    r = client.post("/login/", data={"username": username, "password": password, "csrf_token": match.group(1)})
    if r.status_code != 302 or "/login" in r.headers.get("Location", ""):
        raise SystemExit(f"login of {username} failed ({r.status_code})")


def pages(facts):
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
    return {"bench-admin": admin, "bench-pimpinan": pimpinan}


def measure(app, client, name, user, url, runs, keep_statements):
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
    if name in BUDGETED_QUERIES and result.queries_max > QUERY_BUDGET:
        result.over_budget.append(f"queries {result.queries_max} > {QUERY_BUDGET}")
    if user == "bench-admin" and name in BUDGETED_TIME and result.median_ms > LIST_MEDIAN_BUDGET_MS:
        result.over_budget.append(f"median {result.median_ms} ms > {LIST_MEDIAN_BUDGET_MS} ms")
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
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) if j < 2 else c.rjust(w) if j < len(head) - 1 else c for j, (c, w) in
                        enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


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
        for name, url_ in items:
            if only and not only.search(name):
                continue
            runs = args.export_runs if name.startswith("export") else args.runs
            results.append(measure(app, client, name, user, url_, runs, args.show_queries))
            print(f"  {user:15} {name:30} {results[-1].median_ms:8.1f} ms {results[-1].queries_max:3d} queries",
                  flush=True)
    print_table(results, facts)
    if args.show_queries:
        for r in results:
            print(f"\n--- {r.name} ({r.user}): {len(r.statements)} statements")
            for i, s in enumerate(r.statements, 1):
                print(f"{i:3d}. {' '.join(s.split())[:400]}")
    if args.json_path:
        facts.pop("password", None)
        payload = {
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(), "machine": platform.machine(),
            "budgets": {"queries": QUERY_BUDGET, "list_median_ms": LIST_MEDIAN_BUDGET_MS},
            "facts": facts,
            "results": [{k: v for k, v in asdict(r).items() if k != "statements" or args.show_queries}
                        for r in results],
        }
        Path(args.json_path).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        print(f"\nJSON written to {args.json_path}")
    return 1 if any(r.over_budget for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
