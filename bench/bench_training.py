#!/usr/bin/env python
"""Benchmark of the training, socialization and award screens at Palembang scale (a script, not a test).

Builds (or reuses) the data of ``bench_pages.py --years N`` (15,000 employees in 250 units, N years of the
performance cycle), adds the training data of ``app.demo.training_generator`` (2,000 sessions, 150,000
participant rows, feedback, external trainings, material with versions and acknowledgements, award
decisions), links bench accounts to real records and measures every screen and REST list of the three areas
as the person who uses it, with the measuring functions of ``bench_pages.py`` (imported, not copied).

Budgets (from the issue): every screen at most 15 SQL queries and a median of at most 25 ms; the JP ledger of
the whole city at most 200 ms. Rows over budget are flagged with "!"; the exit status is 1 when any is.

    python bench/bench_training.py --database-url sqlite:////tmp/ktrain/bench.db            # generate, keep
    python bench/bench_training.py --database-url sqlite:////tmp/ktrain/bench.db --reuse    # again
    python bench/bench_training.py --database-url postgresql://bench2:bench2@localhost/bench2tr --reuse \\
        --json bench/out/training-postgresql.json
    python bench/bench_training.py … --reuse --only "candidates" --show-queries

See bench/README.md ("Training, socialization and awards").
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
MEDIAN_BUDGET_MS = 25.0
LEDGER_CITY_BUDGET_MS = 200.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default="", help="default: a new SQLite file in a temp directory")
    p.add_argument("--employees", type=int, default=15000)
    p.add_argument("--units", type=int, default=250)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--years", type=int, default=5, help="years of the performance cycle and of training data")
    p.add_argument("--sessions", type=int, default=2000)
    p.add_argument("--participants", type=int, default=150000)
    p.add_argument("--runs", type=int, default=30, help="timed requests per page (after 2 warm-up requests)")
    p.add_argument("--json", dest="json_path", default="", help="write the results as JSON to this file")
    p.add_argument("--show-queries", action="store_true", help="print the SQL of one request per page")
    p.add_argument("--reuse", action="store_true",
                   help="keep the data already generated when its size matches (skip the generators)")
    p.add_argument("--only", default="", help="regular expression: benchmark only the pages whose name matches")
    return p.parse_args(argv)


def prepare_training(app, args, facts) -> None:
    """Generate the training data (unless reusable) and pick the records and accounts of the screens."""
    from flask import g
    from sqlalchemy import func, select

    from app.awards.models import AwardDecision
    from app.demo.training_generator import generate_training
    from app.extensions import db
    from app.organisation.models import Employee, Unit
    from app.socialization.models import Material, MaterialAcknowledgement, MaterialVersion
    from app.training.models import (ExternalTraining, TrainingFeedback, TrainingParticipant, TrainingSession,
                                     training_session_trainer)

    with app.app_context():
        g.actor = "bench"
        sm = app.appbuilder.sm
        n_sessions = db.session.scalar(select(func.count()).select_from(TrainingSession))
        n_participants = db.session.scalar(select(func.count()).select_from(TrainingParticipant))
        fresh = facts["generate"] != "reused"
        if args.reuse and not fresh and (n_sessions, n_participants) == (args.sessions, args.participants):
            facts["generate_training"] = "reused"
        else:
            print(f"generating {args.sessions} sessions, {args.participants} participants, material, awards...",
                  flush=True)
            result = generate_training(db.session, seed=args.seed, years=args.years, sessions=args.sessions,
                                       participants=args.participants)
            facts["generate_training"] = {"seconds": round(result.seconds, 2),
                                          "timings": {k: round(v, 2) for k, v in result.timings.items()}}
        password = facts["password"]
        # the trainer of the most sessions (a generated Pelatih account), with the bench password
        trainer_id, n_trained = db.session.execute(
            select(training_session_trainer.c.user_id, func.count()).group_by(training_session_trainer.c.user_id)
            .order_by(func.count().desc(), training_session_trainer.c.user_id).limit(1)).one()
        trainer = sm.get_user_by_id(trainer_id)
        sm.reset_password(trainer.id, password)
        facts.update(pelatih_username=trainer.username, pelatih_sessions=n_trained)
        size = func.count(TrainingParticipant.id)
        facts["large_session_id"], facts["large_session_participants"] = db.session.execute(
            select(TrainingParticipant.session_id, size).group_by(TrainingParticipant.session_id)
            .order_by(size.desc(), TrainingParticipant.session_id).limit(1)).one()
        facts["trainer_large_session_id"], facts["trainer_large_session_participants"] = db.session.execute(
            select(TrainingParticipant.session_id, size)
            .join(training_session_trainer, training_session_trainer.c.session_id == TrainingParticipant.session_id)
            .where(training_session_trainer.c.user_id == trainer_id).group_by(TrainingParticipant.session_id)
            .order_by(size.desc(), TrainingParticipant.session_id).limit(1)).one()
        # the material for everyone with the most versions (reader, reach, unread)
        facts["material_id"] = db.session.scalar(
            select(Material.id).where(Material.audience == "ALL")
            .order_by(Material.current_number.desc(), Material.id).limit(1))
        # the award candidates' default year is last year: count what the page computes
        facts["root_unit_id"] = facts.get("root_unit_id") or db.session.scalar(
            select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1))
        counts = {}
        for model in (TrainingSession, TrainingParticipant, TrainingFeedback, ExternalTraining, Material,
                      MaterialVersion, MaterialAcknowledgement, AwardDecision):
            counts[model.__tablename__] = db.session.scalar(select(func.count()).select_from(model))
        facts["training_rows"] = counts
        # bench-pegawai (a staff member of bench_pages) may also be a participant; the Pimpinan needs no change
        facts["pegawai_participations"] = db.session.scalar(select(func.count()).select_from(TrainingParticipant)
                                                            .where(TrainingParticipant.employee_id
                                                                   == facts["pegawai_employee_id"]))
        facts["pegawai_nip"] = db.session.scalar(select(Employee.nip).where(Employee.id == facts["pegawai_employee_id"]))
        db.session.commit()


def refresh_times(app, facts) -> None:
    """The stored training needs (of the screens' default year) and effect of training are refreshed on the first
    request after their inputs changed (app/training/derived.py): the pages' warm-up requests cover it and the
    timed requests measure the steady state. Here each refresh of the whole city is timed on its own (wall and
    CPU ms), with the fingerprint query a screen runs at most every DERIVED_CHECK_SECONDS."""
    from datetime import datetime

    from app.extensions import db
    from app.training import derived

    def timed(fn):
        c, t = time.process_time(), time.perf_counter()
        fn()
        return round((time.perf_counter() - t) * 1000, 1), round((time.process_time() - c) * 1000, 1)

    year = facts["year"] - 1
    with app.app_context():
        out = {}
        for name, fn in ((f"refresh training needs {year} (city)", lambda: derived.refresh_needs(db.session, year,
                                                                                                 datetime.now())),
                         ("refresh training effect (city)", lambda: derived.refresh_effect(db.session,
                                                                                           now=datetime.now())),
                         (f"fingerprint training needs {year}", lambda: derived.needs_fingerprint(db.session, year)),
                         ("fingerprint training effect", lambda: derived.effect_fingerprint(db.session))):
            out[name] = timed(fn)
            db.session.rollback()
            print(f"  {name:48} {out[name][0]:9.1f} ms wall {out[name][1]:8.1f} ms CPU", flush=True)
        facts["derived_refresh_ms"] = out


def training_pages(facts):
    """{user: [Page]}: the screens and REST lists of training, socialization and awards."""
    q, ms = QUERY_BUDGET, MEDIAN_BUDGET_MS

    def screen(name, url, budget_ms=ms):
        return B.Page(name, url, q, budget_ms)

    big, mine = facts["large_session_id"], facts["trainer_large_session_id"]
    m, largest, year = facts["material_id"], facts["pimpinan_unit_id"], facts["year"]
    last = year - 1
    pengelola = [
        screen("session list", "/trainingsessionview/list/"),
        screen(f"roster, largest session ({facts['large_session_participants']})", f"/training-sessions/{big}"),
        screen("participant list", "/trainingparticipantview/list/"),
        screen("JP ledger city", f"/jp-ledger/?year={last}", LEDGER_CITY_BUDGET_MS),
        screen("JP ledger city, below target", f"/jp-ledger/?year={last}&below=1", LEDGER_CITY_BUDGET_MS),
        screen("JP ledger largest OPD", f"/jp-ledger/?year={last}&unit={largest}"),
        screen("training needs largest OPD", f"/training-needs/?unit={largest}&year={last}"),
        screen("training effect city", "/training-needs/effect"),
        screen("training effect largest OPD", f"/training-needs/effect?unit={largest}"),
        screen("feedback summary", "/training-feedback/"),
        screen("external training list", "/externaltrainingview/list/"),
        screen("topic list", "/trainingtopicview/list/"),
        screen("need rule list", "/trainingneedruleview/list/"),
        screen("material admin list", "/material-admin/"),
        screen("material admin show", f"/material-admin/{m}"),
        screen("reach list", "/material-reach/"),
        screen("reach city", f"/material-reach/{m}"),
        screen("unread city", f"/material-reach/{m}/unread"),
        screen("award candidates city", "/award-candidates/"),
        screen("award candidates city, Satyalancana 10", "/award-candidates/?kind=SATYALANCANA_10"),
        screen("award candidates largest OPD", f"/award-candidates/?unit={largest}"),
        screen("awards list", "/awards/"),
        screen("REST training_session 25", "/api/v1/training_session/?q=(page_size:25)"),
        screen("REST training_session 100", "/api/v1/training_session/?q=(page_size:100)"),
        screen("REST training_participant 25", "/api/v1/training_participant/?q=(page_size:25)"),
        screen("REST training_participant 100", "/api/v1/training_participant/?q=(page_size:100)"),
        screen("REST external_training 25", "/api/v1/external_training/?q=(page_size:25)"),
        screen("REST jp_ledger city", f"/api/v1/jp_ledger/?year={last}", LEDGER_CITY_BUDGET_MS),
        screen("REST jp_ledger city 500", f"/api/v1/jp_ledger/?year={last}&page_size=500", LEDGER_CITY_BUDGET_MS),
        screen("REST material", "/api/v1/material/?q=(page_size:100)"),
        screen("REST award 25", "/api/v1/award/?q=(page_size:25)"),
        screen("REST award candidates", f"/api/v1/award/candidates?year={last}"),
    ]
    admin = [
        screen("session list", "/trainingsessionview/list/"),
        screen("topic list", "/trainingtopicview/list/"),
        screen("external training list", "/externaltrainingview/list/"),
        screen("JP ledger city", f"/jp-ledger/?year={last}", LEDGER_CITY_BUDGET_MS),
        screen("material admin list", "/material-admin/"),
        screen("award candidates city", "/award-candidates/"),
        screen("awards list", "/awards/"),
    ]
    pelatih = [
        screen(f"my sessions ({facts['pelatih_sessions']})", "/my-sessions/"),
        screen(f"roster, own largest ({facts['trainer_large_session_participants']})", f"/training-sessions/{mine}"),
        screen("session list (own)", "/trainingsessionview/list/"),
        screen("participant list (own)", "/trainingparticipantview/list/"),
        screen("feedback summary (own)", "/training-feedback/"),
        screen("REST training_session 25 (own)", "/api/v1/training_session/?q=(page_size:25)"),
        screen("REST training_participant 25 (own)", "/api/v1/training_participant/?q=(page_size:25)"),
        screen("materials (reader list)", "/materials/"),
    ]
    pimpinan = [
        screen("session list (scope)", "/trainingsessionview/list/"),
        screen("participant list (scope)", "/trainingparticipantview/list/"),
        screen("JP ledger own OPD", f"/jp-ledger/?year={last}"),
        screen("training needs own OPD", f"/training-needs/?year={last}"),
        screen("training effect own OPD", "/training-needs/effect"),
        screen("external training list (scope)", "/externaltrainingview/list/"),
        screen("reach own OPD", f"/material-reach/{m}"),
        screen("unread own OPD", f"/material-reach/{m}/unread"),
        screen("award candidates own OPD", "/award-candidates/"),
        screen("awards list (scope)", "/awards/"),
        screen("my training", "/my-training/"),
        screen("REST training_participant 25 (scope)", "/api/v1/training_participant/?q=(page_size:25)"),
        screen("REST jp_ledger own OPD", f"/api/v1/jp_ledger/?year={last}"),
        screen("REST award 25 (scope)", "/api/v1/award/?q=(page_size:25)"),
    ]
    pegawai = [
        screen(f"my training ({facts['pegawai_participations']} sessions)", "/my-training/"),
        screen("my external trainings", "/externaltrainingview/list/"),
        screen("materials (reader list)", "/materials/"),
        screen("material reader page", f"/materials/{m}"),
        screen("my awards", "/my-awards/"),
        screen("REST training_participant 25 (own)", "/api/v1/training_participant/?q=(page_size:25)"),
        screen("REST external_training 25 (own)", "/api/v1/external_training/?q=(page_size:25)"),
        screen("REST material (own)", "/api/v1/material/?q=(page_size:100)"),
    ]
    return {"bench-pengelola": pengelola, "bench-admin": admin, facts["pelatih_username"]: pelatih,
            "bench-pimpinan": pimpinan, "bench-pegawai": pegawai}


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="kinerja-bench-training-")
    url = B.normalise_url(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.db"
    app = B.build_app(url, tmp)
    t = time.perf_counter()
    facts = B.prepare(app, B.page_args(args))
    prepare_training(app, args, facts)
    facts["prepare_s"] = round(time.perf_counter() - t, 2)
    print(f"prepared in {facts['prepare_s']} s (generate: {facts['generate']}; training: "
          f"{facts['generate_training']})", flush=True)
    only = re.compile(args.only) if args.only else None
    if not only or only.search("training needs") or only.search("training effect"):
        refresh_times(app, facts)
    results = []
    for user, items in training_pages(facts).items():
        client = app.test_client()
        B.login(client, user, facts["password"])
        for page in items:
            if only and not only.search(page.name):
                continue
            results.append(B.measure(app, client, page, user, args.runs, args.show_queries))
            print(f"  {user:17} {page.name:42} {results[-1].median_ms:8.1f} ms {results[-1].queries_max:3d} queries",
                  flush=True)
    B.print_table(results, facts)
    print("training data: " + ", ".join(f"{k}: {v}" for k, v in facts["training_rows"].items())
          + f"; Pelatih {facts['pelatih_username']} trains {facts['pelatih_sessions']} sessions; largest session "
          f"{facts['large_session_participants']} participants")
    return B.report(results, facts, args, {"queries": QUERY_BUDGET, "median_ms": MEDIAN_BUDGET_MS,
                                           "jp_ledger_city_median_ms": LEDGER_CITY_BUDGET_MS})


if __name__ == "__main__":
    sys.exit(main())
