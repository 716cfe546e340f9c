#!/usr/bin/env python
"""Load scenario of the e-Kinerja portal: gunicorn on loopback, locust with a realistic mix of roles.

1. prepares a database (temporary SQLite file, or --database-url): migrations, roles, generated data
   (`app.demo.generator`, default 15,000 employees in 250 units) with accounts for unit heads (Atasan)
   and staff (Pegawai), the Pimpinan role for some OPD heads, and bench Admin accounts;
2. starts `gunicorn -w 2 -b 127.0.0.1:<free port>` serving the app (the login rate limit raised, see
   --auth-rate-limit);
3. runs bench/locustfile.py headless, bounded in users and time (default 20 users for 60 s);
4. stops gunicorn and reports throughput (req/s), p50/p95 per endpoint and the errors, as text and as
   JSON in bench/out/ (load-<time>.txt / .json; locust's own CSV files beside them).

    python bench/load.py                                  # 15,000 employees, 20 users, 60 s, SQLite
    python bench/load.py --employees 2000 --users 10 --run-time 30
    python bench/load.py --database-url postgresql+psycopg://bench:bench@127.0.0.1/bench_load

Only loopback is ever contacted; the run stops by itself (locust --run-time, then a hard timeout).
See bench/README-load.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_AUTH_RATE_LIMIT = "100000 per minute"


def wsgi_app():
    """The app gunicorn serves (``bench.load:wsgi_app()``): run.py's ``create_app()`` plus the login rate
    limit from LOAD_AUTH_RATE_LIMIT. config.py fixes AUTH_RATE_LIMIT at "10 per 5 minutes" per client
    address with no environment variable for it, and every simulated person comes from 127.0.0.1."""
    sys.path.insert(0, str(ROOT))
    from app import create_app

    overrides = {"AUTH_RATE_LIMIT": os.environ.get("LOAD_AUTH_RATE_LIMIT", DEFAULT_AUTH_RATE_LIMIT)}
    return create_app({"PORTAL_CONFIG": os.environ.get("PORTAL_CONFIG", "development"), **overrides})


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default="", help="default: a new SQLite file in a temp directory")
    p.add_argument("--employees", type=int, default=15000)
    p.add_argument("--units", type=int, default=250)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--staff-accounts", type=int, default=60, help="Pegawai accounts (staff) besides the heads")
    p.add_argument("--users", type=int, default=20, help="simulated people (locust users)")
    p.add_argument("--spawn-rate", type=float, default=5, help="people started per second")
    p.add_argument("--run-time", type=int, default=60, help="seconds of load (after which locust stops)")
    p.add_argument("--wait", default="0.2,1.0", help="think time per person between requests: min,max s")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--auth-rate-limit", default=DEFAULT_AUTH_RATE_LIMIT,
                   help="login rate limit while loading (the production value is '10 per 5 minutes')")
    p.add_argument("--out", default=str(OUT))
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, instance: str, args) -> dict:
    """Migrate, generate, make the accounts; returns the data the locustfile needs (with the password)."""
    os.environ.update(DATABASE_URL=url, INSTANCE_PATH=instance)
    sys.path.insert(0, str(ROOT))
    from flask import g
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import create_app
    from app.accounts.services import sync_roles
    from app.demo.generator import generate
    from app.extensions import db
    from app.organisation.models import Employee, Unit
    from app.security import roles as R
    from app.security.scope import unit_subtree_ids

    app = create_app({"PORTAL_CONFIG": "development", "SQLALCHEMY_DATABASE_URI": url})
    password = "Beban" + secrets.token_hex(6) + "7"
    rng = random.Random(args.seed)
    with app.app_context():
        g.actor = "bench:load"
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
        sm = app.appbuilder.sm
        sync_roles(sm)
        n_units = db.session.execute(select(func.count()).select_from(Unit)).scalar()
        result = generate(db.session, employees=args.employees, units=args.units, seed=args.seed,
                          accounts=args.units + args.staff_accounts, password=password, reset=n_units > 0)
        accounts = {"Pegawai": [], "Atasan": [], "Pimpinan": [], "Admin": []}
        rows = db.session.execute(select(Employee.id, Employee.nip, Employee.unit_id, Employee.user_id)
                                  .where(Employee.user_id.is_not(None))).all()
        for employee_id, nip, unit_id, user_id in rows:
            user = sm.get_user_by_id(user_id)
            names = {r.name for r in user.roles}
            if R.ATASAN in names:
                subs = db.session.execute(select(Employee.id).where(Employee.supervisor_id == employee_id)
                                          .limit(50)).scalars().all()
                accounts["Atasan"].append({"username": nip, "employee_id": employee_id, "in_scope": subs})
            else:
                accounts["Pegawai"].append({"username": nip, "employee_id": employee_id, "in_scope": []})
        # Pimpinan: the heads of the OPDs (unit type OPD) that have an account; the role is added to theirs.
        opd_heads = db.session.execute(
            select(Employee.id, Employee.nip, Employee.user_id, Unit.id).join(Unit, Unit.head_position_id ==
                                                                              Employee.position_id)
            .where(Unit.unit_type == "OPD", Employee.user_id.is_not(None)).order_by(Employee.nip).limit(5)).all()
        pimpinan_role = sm.find_role(R.PIMPINAN)
        for employee_id, nip, user_id, unit_id in opd_heads:
            user = sm.get_user_by_id(user_id)
            if pimpinan_role not in user.roles:
                user.roles.append(pimpinan_role)
            scope = db.session.execute(select(Employee.id).where(Employee.unit_id.in_(unit_subtree_ids(unit_id)))
                                       .limit(200)).scalars().all()
            accounts["Pimpinan"].append({"username": nip, "employee_id": employee_id, "in_scope": scope})
        for i in range(1, 4):
            name = f"load-admin-{i}"
            if sm.find_user(username=name) is None:
                sm.add_user(name, "Load", f"Admin {i}", f"{name}@bench.example", [sm.find_role(R.ADMIN)],
                            password=password)
            accounts["Admin"].append({"username": name, "employee_id": None, "in_scope": []})
        db.session.commit()
        all_ids = db.session.execute(select(Employee.id)).scalars().all()
        names = db.session.execute(select(Employee.name).limit(500)).scalars().all()
        unit_names = db.session.execute(select(Unit.name).limit(200)).scalars().all()
        dialect = db.engine.dialect.name
        hash_method = app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt (werkzeug default)")
    for role, items in accounts.items():
        if not items:
            raise SystemExit(f"no {role} account could be prepared")
    words = sorted({w.lower()[:4] for n in names for w in n.split() if len(w) >= 4})
    unit_words = sorted({w.lower()[:5] for n in unit_names for w in n.split() if len(w) >= 5})
    return {
        "password": password, "employees": result.employees, "units": result.units, "dialect": dialect,
        "password_hash": str(hash_method),
        "accounts": accounts,
        "sample_employee_ids": rng.sample(all_ids, min(500, len(all_ids))),
        "search_terms": rng.sample(words, min(40, len(words))),
        "unit_terms": rng.sample(unit_words, min(20, len(unit_words))),
    }


def wait_ready(url: str, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(proc, timeout=15):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_results(prefix: str) -> tuple[list, dict, list]:
    endpoints, total = [], {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            item = {
                "method": row["Type"], "name": row["Name"], "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]), "rps": _num(row["Requests/s"]),
                "p50_ms": _num(row["50%"]), "p95_ms": _num(row["95%"]), "p99_ms": _num(row["99%"]),
                "max_ms": _num(row["Max Response Time"]), "avg_ms": _num(row["Average Response Time"]),
                "avg_bytes": _num(row["Average Content Size"]),
            }
            if row["Name"] == "Aggregated":
                total = item
            else:
                endpoints.append(item)
    errors = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                errors.append({"method": row["Method"], "name": row["Name"], "error": row["Error"],
                               "occurrences": int(row["Occurrences"])})
    return endpoints, total, errors


def report_text(meta: dict, endpoints: list, total: dict, errors: list) -> str:
    def ms(v):
        return "-" if v is None else f"{v:.0f}"

    lines = [
        f"e-Kinerja load scenario, {meta['started']}",
        f"  data: {meta['employees']} employees, {meta['units']} units on {meta['dialect']}; password hash "
        f"{meta['password_hash']}",
        f"  server: gunicorn -w {meta['workers']} (sync) on 127.0.0.1; login rate limit {meta['auth_rate_limit']}",
        f"  load: {meta['users']} users (spawn {meta['spawn_rate']}/s), {meta['run_time']} s, think time "
        f"{meta['wait']} s; machine {meta['machine']}",
        "",
        f"{'endpoint':<36} {'reqs':>6} {'err':>4} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}",
    ]
    for e in sorted(endpoints, key=lambda e: -e["requests"]):
        lines.append(f"{e['name'][:36]:<36} {e['requests']:>6} {e['failures']:>4} {e['rps'] or 0:>6.1f} "
                     f"{ms(e['p50_ms']):>7} {ms(e['p95_ms']):>7} {ms(e['max_ms']):>7}")
    if total:
        lines += ["", f"{'TOTAL':<36} {total['requests']:>6} {total['failures']:>4} {total['rps'] or 0:>6.1f} "
                      f"{ms(total['p50_ms']):>7} {ms(total['p95_ms']):>7} {ms(total['max_ms']):>7}"]
        rate = total["failures"] / total["requests"] * 100 if total["requests"] else 0
        lines.append(f"throughput {total['rps'] or 0:.1f} req/s; errors {total['failures']} ({rate:.2f} %)")
    if errors:
        lines += ["", "errors:"] + [f"  {e['occurrences']:>5} × {e['method']} {e['name']}: {e['error']}"
                                     for e in errors]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    tmp = tempfile.mkdtemp(prefix="kinerja-load-")
    url = args.database_url or f"sqlite:///{tmp}/load.db"
    secret = secrets.token_hex(32)
    t = time.perf_counter()
    print(f"==> preparing the database ({args.employees} employees, {args.units} units)", flush=True)
    data = prepare(url, tmp, args)
    print(f"    ready in {time.perf_counter() - t:.1f} s; accounts: "
          + ", ".join(f"{k} {len(v)}" for k, v in data["accounts"].items()), flush=True)
    accounts_path = Path(tmp) / "accounts.json"  # holds the password: temp dir only, never bench/out
    accounts_path.write_text(json.dumps(data))
    accounts_path.chmod(0o600)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE_URL=url, INSTANCE_PATH=tmp, SECRET_KEY=secret, PORTAL_CONFIG="development",
               LOAD_AUTH_RATE_LIMIT=args.auth_rate_limit, PYTHONUNBUFFERED="1")
    gunicorn_log = open(out / f"load-{stamp}-gunicorn.log", "w")
    print(f"==> gunicorn -w {args.workers} -b 127.0.0.1:{port} 'bench.load:wsgi_app()'", flush=True)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b",
                               f"127.0.0.1:{port}", "--access-logfile", "-", "--timeout", "120",
                               "bench.load:wsgi_app()"],
                              cwd=ROOT, env=env, stdout=gunicorn_log, stderr=subprocess.STDOUT)
    prefix = str(out / f"load-{stamp}")
    try:
        wait_ready(base, server)
        print(f"==> locust: {args.users} users, {args.run_time} s", flush=True)
        lenv = dict(env, LOAD_ACCOUNTS=str(accounts_path), LOAD_WAIT=args.wait)
        cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.run_time}s", "--host", base,
               "--csv", prefix, "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
               "--exit-code-on-error", "0"]
        locust = subprocess.run(cmd, cwd=ROOT, env=lenv, timeout=args.run_time + 120,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        (out / f"load-{stamp}-locust.log").write_text(locust.stdout)
        if locust.returncode != 0:
            print(locust.stdout[-3000:])
            raise SystemExit(f"locust failed with exit code {locust.returncode}")
    finally:
        stop(server)
        gunicorn_log.close()

    endpoints, total, errors = read_results(prefix)
    server_errors = sum(1 for line in open(out / f"load-{stamp}-gunicorn.log", errors="replace")
                        if '" 5' in line and "HTTP/1" in line)
    meta = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "employees": data["employees"],
        "units": data["units"], "dialect": data["dialect"], "password_hash": data["password_hash"],
        "workers": args.workers, "auth_rate_limit": args.auth_rate_limit, "users": args.users,
        "spawn_rate": args.spawn_rate, "run_time": args.run_time, "wait": args.wait,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "accounts": {k: len(v) for k, v in data["accounts"].items()},
    }
    text = report_text(meta, endpoints, total, errors)
    text += f"5xx answers in the gunicorn access log: {server_errors}\n"
    (out / f"load-{stamp}.txt").write_text(text)
    (out / f"load-{stamp}.json").write_text(json.dumps(
        {"meta": meta, "total": total, "endpoints": endpoints, "errors": errors, "server_5xx": server_errors},
        indent=2))
    print()
    print(text)
    print(f"written: {out}/load-{stamp}.txt, .json (locust CSV: {prefix}_*.csv; logs beside them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
