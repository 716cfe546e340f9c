#!/usr/bin/env python
"""Benchmark of the dashboards (/dashboards/…) at Palembang scale (a script, not a test).

Reuses the data of ``bench_training.py`` (15,000 employees in 250 units, N years of the performance cycle, the
training data, material and acknowledgements) and its accounts, and measures every dashboard section, a CSV
download and the REST API as the Pengelola Kinerja (the whole city, and the largest OPD) and as the Pimpinan
(head of the largest OPD: their own subtree), with the measuring functions of ``bench_pages.py`` (imported,
not copied).

Budgets (issue 6): every dashboard at most 200 ms median and at most 15 SQL queries. Rows over budget are flagged
with "!"; the exit status is 1 when any is.

    python bench/bench_dashboards.py --database-url postgresql://bench2:bench2@localhost/bench2tr --reuse
    python bench/bench_dashboards.py --database-url sqlite:////tmp/ktrain/bench.db --reuse
    python bench/bench_dashboards.py … --reuse --only "compliance" --show-queries --json bench/out/dash.json

See bench/README.md ("Dashboards").
"""
from __future__ import annotations

import logging
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages as B  # noqa: E402  (adds the repository root to sys.path)
import bench_training as T  # noqa: E402

QUERY_BUDGET = 15
MEDIAN_BUDGET_MS = 200.0
SECTIONS = ("compliance", "predikat", "training", "satisfaction")


def dashboard_pages(facts):
    """{user: [Page]}: every section for the city and the largest OPD, a CSV per section, the API."""
    q, ms = QUERY_BUDGET, MEDIAN_BUDGET_MS
    largest, year = facts["pimpinan_unit_id"], facts["year"]
    last = year - 1

    def page(name, url):
        return B.Page(name, url, q, ms)

    pengelola = []
    for s in SECTIONS:
        pengelola.append(page(f"{s} city {last}", f"/dashboards/{s}/?year={last}"))
    pengelola.append(page(f"compliance city {year}", f"/dashboards/compliance/?year={year}"))
    pengelola.append(page(f"training city {year}", f"/dashboards/training/?year={year}"))
    for s in SECTIONS:
        pengelola.append(page(f"{s} largest OPD {last}", f"/dashboards/{s}/?year={last}&unit={largest}"))
    pengelola += [page("CSV compliance plans city", f"/dashboards/compliance/plans.csv?year={last}"),
                  page("CSV predikat distribution city", f"/dashboards/predikat/distribution.csv?year={last}"),
                  page("CSV training jp city", f"/dashboards/training/jp.csv?year={last}"),
                  page("REST dashboard compliance city", f"/api/v1/dashboard/compliance?year={last}"),
                  page("REST dashboard training city", f"/api/v1/dashboard/training?year={last}")]
    pimpinan = [page(f"{s} own OPD {last}", f"/dashboards/{s}/?year={last}") for s in SECTIONS]
    pimpinan += [page(f"compliance own OPD {year}", f"/dashboards/compliance/?year={year}"),
                 page("CSV compliance plans own OPD", f"/dashboards/compliance/plans.csv?year={last}"),
                 page("REST dashboard predikat own OPD", f"/api/v1/dashboard/predikat?year={last}")]
    admin = [page(f"compliance city {last}", f"/dashboards/compliance/?year={last}")]
    return {"bench-pengelola": pengelola, "bench-pimpinan": pimpinan, "bench-admin": admin}


def main(argv=None):
    args = T.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="kinerja-bench-dashboards-")
    url = B.normalise_url(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.db"
    app = B.build_app(url, tmp)
    t = time.perf_counter()
    facts = B.prepare(app, B.page_args(args))
    T.prepare_training(app, args, facts)
    facts["prepare_s"] = round(time.perf_counter() - t, 2)
    print(f"prepared in {facts['prepare_s']} s (generate: {facts['generate']}; training: "
          f"{facts['generate_training']})", flush=True)
    only = re.compile(args.only) if args.only else None
    results = []
    for user, items in dashboard_pages(facts).items():
        client = app.test_client()
        B.login(client, user, facts["password"])
        client.get("/lang/en")
        for p in items:
            if only and not only.search(p.name):
                continue
            results.append(B.measure(app, client, p, user, args.runs, args.show_queries))
            print(f"  {user:17} {p.name:42} {results[-1].median_ms:8.1f} ms {results[-1].queries_max:3d} queries",
                  flush=True)
    B.print_table(results, facts)
    return B.report(results, facts, args, {"queries": QUERY_BUDGET, "median_ms": MEDIAN_BUDGET_MS})


if __name__ == "__main__":
    sys.exit(main())
