#!/usr/bin/env python
"""Benchmark of the rater-bias analytics (/rater-bias/, issue 6) at Palembang scale (a script, not a test).

Reuses the data of ``bench_pages.py --years N`` (15,000 employees in 250 units, N years of the performance
cycle: 60,000 final evaluations a year — one annual and three quarterly per employee) and its bench accounts,
and measures the rater-bias screens, CSV and REST list as the people who use them, with the measuring
functions of ``bench_pages.py`` (imported, not copied).

Budgets (from the issue): every page at most 200 ms median and at most 15 SQL queries (the figures are one
GROUP BY statement per page, no query per rater). Rows over budget are flagged with "!"; the exit status is 1
when any is.

    python bench/bench_rater_bias.py --database-url postgresql://bench:bench@localhost/bench --reuse
    python bench/bench_rater_bias.py --database-url sqlite:////tmp/kbench/sqlite.db --reuse \\
        --json bench/out/rater-bias-sqlite.json
    python bench/bench_rater_bias.py … --reuse --only "city" --show-queries

See bench/README.md ("Rater-bias analytics").
"""
from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages as B  # noqa: E402  (adds the repository root to sys.path)

QUERY_BUDGET = 15
MEDIAN_BUDGET_MS = 200.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default="", help="default: a new SQLite file in a temp directory")
    p.add_argument("--employees", type=int, default=15000)
    p.add_argument("--units", type=int, default=250)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--runs", type=int, default=20, help="timed requests per page (after 2 warm-up requests)")
    p.add_argument("--json", dest="json_path", default="", help="write the results as JSON to this file")
    p.add_argument("--show-queries", action="store_true", help="print the SQL of one request per page")
    p.add_argument("--reuse", action="store_true",
                   help="keep the data already generated when its size matches (skip the generators)")
    p.add_argument("--only", default="", help="regular expression: benchmark only the pages whose name matches")
    return p.parse_args(argv)


def prepare_rater_bias(app, facts) -> None:
    """The rater of a final evaluation of last year in the Pimpinan's OPD (for the detail page), a quarter of
    last year, and how many raters and final evaluations last year has."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.organisation.models import Employee
    from app.performance.models import Evaluation, Period, Skp
    from app.security.scope import unit_subtree_ids

    last = facts["year"] - 1
    with app.app_context():
        facts["rb_year"] = last
        facts["rb_quarter_id"] = db.session.scalar(
            select(Period.id).where(Period.year == last, Period.kind == "QUARTERLY").order_by(Period.number).limit(1))
        n = func.count(Skp.id)
        facts["rb_rater_id"], facts["rb_rater_plans"] = db.session.execute(
            select(Skp.rater_id, n).join(Employee, Employee.id == Skp.rater_id)
            .where(Skp.year == last, Skp.rater_id.is_not(None),
                   Employee.unit_id.in_(unit_subtree_ids(facts["pimpinan_unit_id"])),
                   Skp.rater_id != facts["pimpinan_employee_id"])
            .group_by(Skp.rater_id).order_by(n.desc(), Skp.rater_id).limit(1)).one()
        facts["rb_final_evaluations"] = db.session.scalar(
            select(func.count()).select_from(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
            .where(Skp.year == last, Evaluation.status == "FINAL"))
        facts["rb_raters"] = db.session.scalar(
            select(func.count(Skp.rater_id.distinct())).where(Skp.year == last))


def rater_bias_pages(facts):
    """{user: [Page]}: the rater-bias screens, CSV and REST list."""
    q, ms = QUERY_BUDGET, MEDIAN_BUDGET_MS
    y, quarter, rater, opd = facts["rb_year"], facts["rb_quarter_id"], facts["rb_rater_id"], facts["pimpinan_unit_id"]

    def page(name, url):
        return B.Page(name, url, q, ms)

    pengelola = [
        page("rater bias city, year", f"/rater-bias/?year={y}"),
        page("rater bias city, one quarter", f"/rater-bias/?year={y}&period={quarter}"),
        page("rater bias city, flagged only", f"/rater-bias/?year={y}&flagged=1"),
        page("rater bias city, by name, page 3", f"/rater-bias/?year={y}&sort=name&page=3"),
        page("rater bias largest OPD", f"/rater-bias/?year={y}&unit={opd}"),
        page("rater bias one rater", f"/rater-bias/{rater}?year={y}"),
        page("rater bias CSV city", f"/rater-bias/export.csv?year={y}"),
        page("rater bias API city", f"/api/v1/rater_bias/?year={y}&page_size=100"),
        page("rater bias API one rater", f"/api/v1/rater_bias/{rater}?year={y}"),
    ]
    pimpinan = [
        page("rater bias own OPD, year", f"/rater-bias/?year={y}"),
        page("rater bias one rater", f"/rater-bias/{rater}?year={y}"),
        page("rater bias API own OPD", f"/api/v1/rater_bias/?year={y}"),
    ]
    atasan = [
        page("rater bias own chain, year", f"/rater-bias/?year={y}"),
    ]
    return {"bench-pengelola": pengelola, "bench-pimpinan": pimpinan, "bench-rater": atasan}


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="kinerja-bench-rater-bias-")
    url = B.normalise_url(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.db"
    app = B.build_app(url, tmp)
    t = time.perf_counter()
    facts = B.prepare(app, B.page_args(args))
    prepare_rater_bias(app, facts)
    facts["prepare_s"] = round(time.perf_counter() - t, 2)
    print(f"prepared in {facts['prepare_s']} s (generate: {facts['generate']}); year {facts['rb_year']}: "
          f"{facts['rb_final_evaluations']} final evaluations, {facts['rb_raters']} raters", flush=True)
    only = re.compile(args.only) if args.only else None
    results = []
    for user, items in rater_bias_pages(facts).items():
        client = app.test_client()
        B.login(client, user, facts["password"])
        for item in items:
            if only and not only.search(item.name):
                continue
            results.append(B.measure(app, client, item, user, args.runs, args.show_queries))
            r = results[-1]
            print(f"  {user:17} {item.name:36} {r.median_ms:8.1f} ms {r.cpu_median_ms:8.1f} cpu ms "
                  f"{r.queries_max:3d} queries", flush=True)
    B.print_table(results, facts)
    return B.report(results, facts, args, {"queries": QUERY_BUDGET, "median_ms": MEDIAN_BUDGET_MS}, 600)


if __name__ == "__main__":
    sys.exit(main())
