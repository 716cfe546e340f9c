#!/usr/bin/env python
"""Survey submission throughput: gunicorn on loopback, PostgreSQL, a load generator in other processes.

1. prepares the database (``--database-url``, default a database ``dbench_survey`` of the test server, created
   fresh unless ``--reuse``): migrations, one public-service unit and an open campaign (token printed);
2. starts ``gunicorn -w <workers> --worker-class gthread --threads <worker-threads> -b 127.0.0.1:<port>`` with
   ``PROXY_FIX_HOPS=1``: the app trusts one reverse proxy, so the client address of the per-IP limit is the
   X-Forwarded-For the load generator sends (a distinct address per simulated phone, as citizens behind a
   real reverse proxy have). Nothing else is relaxed: CSRF, device cookie, honeypot and both limits apply
   (device limit 3 per campaign per day, IP limit 60 per 10 minutes, the defaults);
3. ``--procs`` client processes with ``--threads`` threads each, for ``--seconds``: every simulated phone
   GETs the form (CSRF token in the page, session and device cookies), then POSTs one complete answer with
   its cookies and expects 302 to the thank-you page (the thank-you page itself is not fetched);
4. stops gunicorn, counts the rows stored, and reports: submissions/s (302 answers per second), requests/s
   (GET + POST), latency p50/p95 of the POST, errors by kind, and rows stored == accepted submissions.

    python bench/bench_survey.py                      # gunicorn -w 2 gthread ×32, 2×16 client threads, 20 s
    python bench/bench_survey.py --workers 4 --worker-threads 8 --seconds 30 --runs 3 --json bench/out/survey.json

Exit status 1 when rows are lost (stored != accepted) or the median submissions/s of the runs is below
``--target`` (default 200). Only loopback is contacted.

``--pages`` measures the managers' screens instead (in process, with bench/bench_pages.py's ``measure``: SQL
statements, median wall and CPU ms): 15,000 generated employees in 250 units (``bench_pages.prepare``: accounts
bench-admin and bench-pimpinan) and five years of survey data (``app.demo.survey.generate_survey``), then the
results list of the city, a unit's detail, the CSV export and the REST ``ikm`` list as bench-admin, the results
list of the own OPD as bench-pimpinan. ``--reuse`` keeps the data.

    python bench/bench_survey.py --pages --database-url sqlite:////tmp/dsurvey/pages.db --reuse --runs 11
    python bench/bench_survey.py --pages --database-url postgresql://kinerja:kinerja-ci@127.0.0.1/dbench_survey_pages
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://kinerja:kinerja-ci@127.0.0.1:5432/dbench_survey"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def wsgi_app():
    """The app gunicorn serves: run.py's create_app() (PROXY_FIX_HOPS and DATABASE_URL from the environment)."""
    sys.path.insert(0, str(ROOT))
    from app import create_app

    return create_app({"PORTAL_CONFIG": os.environ.get("PORTAL_CONFIG", "production")})


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--reuse", action="store_true", help="keep the database (no drop/create), add a campaign")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (processes): one per core")
    p.add_argument("--worker-threads", type=int, default=32,
                   help="threads per gunicorn worker (gthread worker class; 1 = the sync worker class)")
    p.add_argument("--procs", type=int, default=2, help="load-generator processes")
    p.add_argument("--threads", type=int, default=16, help="threads per load-generator process")
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--target", type=float, default=200.0, help="submissions per second to sustain")
    p.add_argument("--json", default="", help="write the results here as JSON")
    p.add_argument("--pages", action="store_true", help="measure the results screens instead (see above)")
    return p.parse_args(argv)


def pages_main(args) -> int:
    """The results screens on Palembang-scale data (see the module docstring)."""
    import tempfile
    from argparse import Namespace

    sys.path.insert(0, str(ROOT / "bench"))
    import bench_pages as bp

    url = bp.normalise_url(args.database_url)
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    app = bp.build_app(url, tempfile.mkdtemp(prefix="bench-survey-"))
    facts = bp.prepare(app, Namespace(employees=15000, units=250, seed=42, reuse=args.reuse, years=0))
    from sqlalchemy import func, select

    from app.demo.survey import generate_survey
    from app.extensions import db
    from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService

    year = date.today().year
    with app.app_context():
        if not (args.reuse and db.session.scalar(select(func.count()).select_from(SurveyService))):
            done = generate_survey(db.session, seed=42, years=5)
            db.session.commit()
            print("survey data: " + ", ".join(f"{k} {v}" for k, v in done.counts.items())
                  + f" in {done.seconds:.1f} s", flush=True)
        counts = {"service units": db.session.scalar(select(func.count()).select_from(SurveyService)),
                  "campaigns": db.session.scalar(select(func.count()).select_from(SurveyCampaign)),
                  "responses": db.session.scalar(select(func.count()).select_from(SurveyResponse))}
        biggest = db.session.execute(
            select(SurveyCampaign.unit_id, func.count(SurveyResponse.id).label("n"))
            .join(SurveyResponse, SurveyResponse.campaign_id == SurveyCampaign.id)
            .where(SurveyCampaign.year == year).group_by(SurveyCampaign.unit_id)
            .order_by(func.count(SurveyResponse.id).desc()).limit(1)).first()
    print(f"{facts['dialect']}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), flush=True)
    admin, pimpinan = app.test_client(), app.test_client()
    with app.app_context():
        bp.login(admin, "bench-admin", facts["password"])
        bp.login(pimpinan, "bench-pimpinan", facts["password"])
    runs = max(args.runs, 5)
    screens = [
        (admin, "bench-admin", bp.Page("results, city", f"/survey-results/?year={year}", 15, 200)),
        (admin, "bench-admin", bp.Page("results, one unit", f"/survey-results/{biggest.unit_id}/{year}", 15, 200)),
        (admin, "bench-admin", bp.Page("results CSV, city", f"/survey-results/export/csv?year={year}", 15, 200)),
        (admin, "bench-admin", bp.Page("REST ikm, city", f"/api/v1/survey_result/ikm?year={year}", 15, 200)),
        (pimpinan, "bench-pimpinan", bp.Page("results, own OPD", f"/survey-results/?year={year}", 15, 200)),
    ]
    results = [bp.measure(app, client, page, user, runs, False) for client, user, page in screens]
    bp.print_table(results, facts)
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in results], default=str, indent=2))
    return 1 if any(r.over_budget for r in results) else 0


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def prepare(url: str, reuse: bool) -> str:
    """Migrated database with an open campaign; returns its public token."""
    import sqlalchemy as sa

    sys.path.insert(0, str(ROOT))
    if not reuse and url.startswith("postgresql"):
        base, _, name = url.rpartition("/")
        admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.organisation.models import Unit
    from app.survey.models import SurveyCampaign, SurveyService
    from app.survey.services import new_token

    app = create_app({"PORTAL_CONFIG": "production", "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "bench-survey-prepare"})
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
        unit = db.session.query(Unit).filter_by(code="BENCH-SURVEY").one_or_none()
        if unit is None:
            unit = Unit(code="BENCH-SURVEY", name="Mal Pelayanan Publik (bench)", unit_type="OPD", active=True)
            db.session.add(unit)
            db.session.flush()
        if db.session.query(SurveyService).filter_by(unit_id=unit.id).one_or_none() is None:
            db.session.add(SurveyService(unit_id=unit.id, service_name="Pelayanan perizinan", active=True))
            db.session.flush()
        year = date.today().year
        token = new_token()
        db.session.add(SurveyCampaign(unit_id=unit.id, year=year, opens_on=date(year, 1, 1),
                                      closes_on=date(year, 12, 31), active=True, token=token))
        db.session.commit()
    return token


def stored(url: str, token: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM survey_response r JOIN survey_campaign c "
                                 "ON c.id = r.campaign_id WHERE c.token = :t"), {"t": token}).scalar_one()
    engine.dispose()
    return n


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, token: str, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", f"/survei/{token}")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def _phone(port: int, token: str, ip: str, stats: dict) -> None:
    """One citizen: GET the form, POST the answers."""
    jar: dict = {}
    headers = {"X-Forwarded-For": ip, "User-Agent": "bench-survey"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", f"/survei/{token}", headers=headers)
        r = conn.getresponse()
        body = r.read().decode("utf-8", "replace")
        _cookies(r, jar)
        stats["requests"] += 1
        match = TOKEN_RE.search(body)
        if r.status != 200 or not match:
            stats["errors"][f"GET {r.status}"] = stats["errors"].get(f"GET {r.status}", 0) + 1
            return
        form = {f"u{i}": str(1 + (hash((ip, i)) % 4)) for i in range(1, 10)}
        form.update(csrf_token=match.group(1), gender="P", age_band="30_39", comment="")
        post_headers = dict(headers, Cookie="; ".join(f"{k}={v}" for k, v in jar.items()),
                            **{"Content-Type": "application/x-www-form-urlencoded"})
        t = time.perf_counter()
        conn.request("POST", f"/survei/{token}", body=urllib.parse.urlencode(form), headers=post_headers)
        r = conn.getresponse()
        r.read()
        stats["latencies"].append(time.perf_counter() - t)
        stats["requests"] += 1
        if r.status == 302:
            stats["accepted"] += 1
        else:
            stats["errors"][f"POST {r.status}"] = stats["errors"].get(f"POST {r.status}", 0) + 1
    except OSError as exc:
        stats["errors"][type(exc).__name__] = stats["errors"].get(type(exc).__name__, 0) + 1
    finally:
        conn.close()


def _client_process(port, token, threads, seconds, proc_index, queue):
    stop_at = time.monotonic() + seconds
    results = []

    def worker(t_index):
        stats = {"requests": 0, "accepted": 0, "errors": {}, "latencies": []}
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            # a distinct address per phone (about 16,000 per thread before one repeats)
            ip = f"10.{proc_index % 256}.{(t_index * 64 + n // 250) % 256}.{n % 250 + 1}"
            _phone(port, token, ip, stats)
        results.append(stats)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    total = {"requests": 0, "accepted": 0, "errors": {}, "latencies": [], "cpu": time.process_time()}
    for s in results:
        total["requests"] += s["requests"]
        total["accepted"] += s["accepted"]
        total["latencies"] += s["latencies"]
        for k, v in s["errors"].items():
            total["errors"][k] = total["errors"].get(k, 0) + v
    queue.put(total)


def _cpu_seconds(parent_pid: int) -> float:
    """User + system CPU time of the children of ``parent_pid`` (the gunicorn workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent_pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def one_run(args, url: str, token_holder: dict) -> dict:
    token = prepare(url, reuse=True) if token_holder.get("prepared") else prepare(url, reuse=args.reuse)
    token_holder["prepared"] = True
    before = stored(url, token)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32), PORTAL_CONFIG="production",
               PROXY_FIX_HOPS="1", PYTHONUNBUFFERED="1", SESSION_COOKIE_SECURE="0")
    worker = ["--worker-class", "gthread", "--threads", str(args.worker_threads)] if args.worker_threads > 1 else []
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), *worker,
                               "-b", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning",
                               "bench.bench_survey:wsgi_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_ready(port, token, server)
        for _ in range(3):  # warm-up: each worker's first requests
            _phone(port, token, "192.0.2.1", {"requests": 0, "accepted": 0, "errors": {}, "latencies": []})
        warm = stored(url, token)
        queue = mp.Queue()
        cpu0 = _cpu_seconds(server.pid)
        t0 = time.perf_counter()
        procs = [mp.Process(target=_client_process, args=(port, token, args.threads, args.seconds, i, queue))
                 for i in range(args.procs)]
        for p in procs:
            p.start()
        parts = [queue.get(timeout=args.seconds + 120) for _ in procs]
        for p in procs:
            p.join()
        wall = time.perf_counter() - t0
        server_cpu = _cpu_seconds(server.pid) - cpu0
        client_cpu = sum(p["cpu"] for p in parts)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, err = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
    accepted = sum(p["accepted"] for p in parts)
    requests = sum(p["requests"] for p in parts)
    errors: dict = {}
    latencies = sorted(x for p in parts for x in p["latencies"])
    for p in parts:
        for k, v in p["errors"].items():
            errors[k] = errors.get(k, 0) + v
    rows = stored(url, token) - warm
    server_errors = sum(1 for line in (err or "").splitlines() if "Traceback" in line)
    return {
        "seconds": round(wall, 2), "accepted": accepted, "rows_stored": rows, "lost": accepted - rows,
        "submissions_per_s": round(accepted / wall, 1), "requests_per_s": round(requests / wall, 1),
        "server_cpu_ms_per_submission": round(1000 * server_cpu / accepted, 2) if accepted else None,
        "client_cpu_ms_per_submission": round(1000 * client_cpu / accepted, 2) if accepted else None,
        "post_p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
        "post_p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 1) if latencies else None,
        "errors": errors, "server_tracebacks": server_errors, "rows_before": before,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.pages:
        return pages_main(args)
    url = _psycopg_url(args.database_url)
    holder: dict = {}
    runs = []
    for i in range(args.runs):
        result = one_run(args, url, holder)
        runs.append(result)
        print(f"run {i + 1}: {result['submissions_per_s']} submissions/s, {result['requests_per_s']} req/s, "
              f"POST p50 {result['post_p50_ms']} ms p95 {result['post_p95_ms']} ms, "
              f"CPU per submission (GET + POST): server {result['server_cpu_ms_per_submission']} ms, "
              f"load generator {result['client_cpu_ms_per_submission']} ms; accepted {result['accepted']}, "
              f"rows stored {result['rows_stored']}, errors {result['errors'] or 0}, "
              f"server tracebacks {result['server_tracebacks']}", flush=True)
    median = statistics.median(r["submissions_per_s"] for r in runs)
    lost = sum(r["lost"] for r in runs)
    print(f"median: {median} submissions/s over {len(runs)} run(s) (gunicorn -w {args.workers} "
          f"{'gthread ×' + str(args.worker_threads) if args.worker_threads > 1 else 'sync'}, "
          f"{args.procs}×{args.threads} client threads, {args.seconds:.0f} s); rows lost: {lost}")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "runs": runs, "median": median}, indent=2))
    return 0 if (lost == 0 and median >= args.target and not any(r["errors"] for r in runs)) else 1


if __name__ == "__main__":
    sys.exit(main())
