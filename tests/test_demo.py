"""Demo data (`flask portal demo`) and benchmark data (`flask portal generate`)."""
import re

import pytest
from sqlalchemy import func, select, text

from conftest import PASSWORD, login, logout


def _run(app, *args, password=PASSWORD):
    runner = app.test_cli_runner()
    return runner.invoke(args=["portal", *args], env={"DEMO_PASSWORD": password})


def _employees(db):
    from app.organisation.models import Employee

    return db.session.execute(select(Employee.id, Employee.nip, Employee.asn_type, Employee.gender,
                                     Employee.birth_date, Employee.supervisor_id, Employee.position_id,
                                     Employee.status, Employee.supervisor_override)).all()


def _assert_sound(db, rows):
    """Valid NIPs consistent with birth date and gender, unique; supervisor chains without loops; the
    supervisor is the holder of the parent position unless set by hand."""
    from app.demo.bulk import supervisor_loops
    from app.organisation import rules
    from app.organisation.models import Position

    assert len({r.nip for r in rows}) == len(rows)
    for r in rows:
        assert rules.identity_problems(r.nip, r.asn_type, r.gender, r.birth_date) == {}, r.nip
    assert supervisor_loops({r.id: r.supervisor_id for r in rows}) == []
    parent = dict(db.session.execute(select(Position.id, Position.parent_id)).all())
    first_active = {}
    for r in sorted(rows, key=lambda r: r.nip):
        if r.status == "AKTIF":
            first_active.setdefault(r.position_id, r.id)
    for r in rows:
        if not r.supervisor_override:
            expected = first_active.get(parent.get(r.position_id))
            assert r.supervisor_id == (expected if expected != r.id else None), r.nip


def test_demo_loads_with_every_role_and_is_idempotent(app, db, client):
    from app.organisation.models import Employee, Unit
    from app.security import roles as R

    result = _run(app, "demo")
    assert result.exit_code == 0, result.output
    assert "(DEMO_PASSWORD)" in result.output

    units = dict(db.session.execute(select(Unit.unit_type, func.count()).group_by(Unit.unit_type)).all())
    assert units["KECAMATAN"] == 18
    assert units["KELURAHAN"] == 107
    assert units["OPD"] >= 20 and units["SEKOLAH"] >= 20 and units["PUSKESMAS"] >= 20
    rows = _employees(db)
    assert 1800 <= len(rows) <= 2300
    assert {r.asn_type for r in rows} == {"PNS", "PPPK", "CPNS"}
    assert sum(r.status == "AKTIF" for r in rows) > 0.95 * len(rows)
    _assert_sound(db, rows)
    assert sum(r.supervisor_id is None for r in rows) <= 3  # the Sekretaris Daerah (and nobody else)

    sm = app.appbuilder.sm
    roles_seen = set()
    linked = dict(db.session.execute(select(Employee.user_id, Employee.id).where(Employee.user_id.is_not(None))).all())
    usernames = [u for u in re.findall(r"^\| (?:[^|]+?) +\| (\S+) +\|", result.output, re.M) if u != "Username"]
    assert "admin" in usernames and len(usernames) == 6
    for username in usernames:
        user = sm.find_user(username=username)
        assert user is not None
        roles_seen |= {r.name for r in user.roles}
        if username != "admin":
            assert username.isdigit() and user.id in linked
        response = login(client, username)
        assert response.status_code == 302 and "/login" not in response.headers["Location"], username
        assert client.get("/my-profile/").status_code in (200, 302)
        logout(client)
    assert roles_seen >= set(R.ALL_ROLES)

    again = _run(app, "demo")
    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert len(_employees(db)) == len(rows)


def test_demo_pimpinan_sees_dinas_kesehatan_subtree(app, db, client):
    from app.organisation.models import Employee, Unit
    from app.security.scope import unit_subtree_ids

    assert _run(app, "demo", "--size", "small").exit_code == 0
    dinkes = db.session.execute(select(Unit).where(Unit.code == "PLG.DINKES")).unique().scalar_one()
    head = db.session.execute(select(Employee).where(Employee.position_id == dinkes.head_position_id)) \
        .unique().scalar_one()
    assert head.user is not None
    expected = db.session.execute(select(func.count()).select_from(Employee).where(
        Employee.unit_id.in_(unit_subtree_ids(dinkes.id)))).scalar()
    assert login(client, head.nip).status_code == 302
    response = client.get("/api/v1/employee/?q=(page_size:1)")
    assert response.status_code == 200
    assert response.get_json()["count"] == expected


def test_demo_generated_passwords_printed_once_and_reset_is_deterministic(app, db, client):
    first = _run(app, "demo", "--size", "small", password=None)
    assert first.exit_code == 0, first.output
    match = re.search(r"^\| Admin +\| admin +\| [^|]+\| (\S+) +\|", first.output, re.M)
    assert match
    assert login(client, "admin", match.group(1)).status_code == 302
    logout(client)
    nips = {r.nip for r in _employees(db)}

    second = _run(app, "demo", "--size", "small", "--reset")
    assert second.exit_code == 0, second.output
    assert {r.nip for r in _employees(db)} == nips  # same demo every time
    from app.extensions import db as _db
    from flask_appbuilder import Model

    users = Model.metadata.tables["ab_user"]
    assert _db.session.execute(select(func.count()).select_from(users)).scalar() == 6
    links = Model.metadata.tables["ab_user_role"]
    assert _db.session.execute(select(func.count()).select_from(links).where(
        links.c.user_id.not_in(select(users.c.id)) | links.c.user_id.is_(None))).scalar() == 0


def test_demo_refuses_weak_password_and_foreign_data(app, db, org):
    from app.organisation.models import Unit

    weak = _run(app, "demo", password="123456789012345678")
    assert weak.exit_code != 0
    assert "DEMO_PASSWORD" in weak.output
    before = db.session.execute(select(func.count()).select_from(Unit)).scalar()
    other = _run(app, "demo")
    assert other.exit_code != 0
    assert "--reset" in other.output
    assert db.session.execute(select(func.count()).select_from(Unit)).scalar() == before


def test_generator_500_employees(app, db, client):
    from app.demo.generator import generate
    from app.organisation.models import Unit

    result = generate(db.session, employees=500, units=40, seed=7, accounts=10, password=PASSWORD)
    assert (result.employees, result.units, result.accounts) == (500, 40, 10)
    rows = _employees(db)
    assert len(rows) == 500
    _assert_sound(db, rows)
    assert sum(r.supervisor_id is None for r in rows) == 1  # the root head only
    assert db.session.execute(select(func.count()).select_from(Unit)).scalar() == 40
    heads = db.session.execute(select(func.count()).select_from(Unit).where(
        Unit.head_position_id.is_not(None))).scalar()
    assert heads == 40
    root_head = next(r for r in rows if r.supervisor_id is None)
    assert login(client, root_head.nip).status_code == 302
    assert client.get(f"/employeeview/show/{root_head.id}").status_code == 200

    runner = app.test_cli_runner()
    refused = runner.invoke(args=["portal", "generate", "--employees", "100", "--units", "10"])
    assert refused.exit_code != 0
    again = runner.invoke(args=["portal", "generate", "--employees", "100", "--units", "10", "--reset"])
    assert again.exit_code == 0, again.output
    assert len(_employees(db)) == 100


@pytest.mark.parametrize("units", [2, 13])
def test_generator_small_trees(app, db, units):
    from app.demo.generator import generate

    generate(db.session, employees=units * 3, units=units, seed=1)
    rows = _employees(db)
    assert len(rows) == units * 3
    _assert_sound(db, rows)


# --- performance-cycle data (app.demo.performance) ----------------------------------------------------

DEMO_TODAY = "2026-11-20"


def _replay_all(db, required=("skp", "evaluation", "objection")):
    """Every record's transition log is a legal path (workflow.replay) that ends in its stored status."""
    from flask_appbuilder import Model

    from app.performance.workflow import MACHINES, Transition, replay

    md = Model.metadata.tables
    log = md["transition_log"]
    timelines = {}
    for r in db.session.execute(select(log).order_by(log.c.entity, log.c.entity_id, log.c.at, log.c.id)):
        timelines.setdefault((r.entity, r.entity_id), []).append(
            Transition(r.from_state, r.to_state, r.actor_name, r.at, r.comment, r.actor_kind))
    for name in ("skp", "evaluation", "objection"):
        table = md[name]
        rows = db.session.execute(select(table.c.id, table.c.status)).all()
        assert rows or name not in required, name
        for rid, status in rows:
            entries = timelines.pop((name.upper(), rid))
            assert replay(MACHINES[name], entries) == status, (name, rid)
    assert timelines == {}  # no log row without its record


def _no_orphans(db):
    """Every child row points at an existing parent (also the log, which has no foreign key)."""
    checks = [("rhk", "skp_id", "skp"), ("rhk", "parent_rhk_id", "rhk"), ("indicator", "rhk_id", "rhk"),
              ("progress", "rhk_id", "rhk"), ("evidence", "progress_id", "progress"),
              ("feedback", "skp_id", "skp"), ("feedback", "rhk_id", "rhk"),
              ("behaviour_expectation", "skp_id", "skp"), ("evaluation", "skp_id", "skp"),
              ("evaluation", "period_id", "period"), ("objection", "evaluation_id", "evaluation"),
              ("skp", "employee_id", "employee"), ("skp", "rater_id", "employee"), ("skp", "previous_id", "skp")]
    for child, column, parent in checks:
        n = db.session.execute(text(
            f'SELECT COUNT(*) FROM "{child}" c WHERE c.{column} IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM "{parent}" p WHERE p.id = c.{column})')).scalar()
        assert n == 0, (child, column)


def _cascade_is_sound(db):
    """A supporting RHK points into the plan of the SKP's rater for the same year."""
    n = db.session.execute(text(
        "SELECT COUNT(*) FROM rhk r JOIN skp s ON s.id = r.skp_id JOIN rhk pr ON pr.id = r.parent_rhk_id "
        "JOIN skp ps ON ps.id = pr.skp_id WHERE ps.employee_id <> s.rater_id OR ps.year <> s.year "
        "OR r.kind <> 'UTAMA'")).scalar()
    assert n == 0
    linked, utama = db.session.execute(text(
        "SELECT SUM(CASE WHEN r.parent_rhk_id IS NOT NULL THEN 1 ELSE 0 END), COUNT(*) FROM rhk r "
        "JOIN skp s ON s.id = r.skp_id WHERE r.kind = 'UTAMA' AND r.perspective IS NULL")).one()
    assert utama and linked == utama  # every non-JPT RHK utama supports one of the supervisor's


def _matrix_holds(db):
    from app.performance.models import Evaluation, Objection
    from app.performance.rating import predikat

    rows = db.session.execute(select(Evaluation.status, Evaluation.hasil_rating, Evaluation.perilaku_rating,
                                     Evaluation.predikat, Evaluation.employee_nip)).all()
    for status, hasil, perilaku, value in (r[:4] for r in rows):
        if status in ("DINILAI", "FINAL"):
            assert value == predikat(hasil, perilaku)
        else:
            assert value is None
    assert all(r.employee_nip for r in rows if r.status == "FINAL")  # snapshots filled when final
    for o in db.session.execute(select(Objection.decision, Objection.new_hasil_rating, Objection.new_perilaku_rating,
                                       Objection.new_predikat)).all():
        if o.decision == "DIUBAH":
            assert o.new_predikat == predikat(o.new_hasil_rating, o.new_perilaku_rating)


def test_demo_performance_cycle(app, db):
    from datetime import date, timedelta

    from app.organisation.models import Employee
    from app.performance.deadlines import can_object
    from app.performance.models import Evaluation, Evidence, Objection, OrganisationRating, Period, Skp
    from app.security import roles as R

    result = _run(app, "demo", "--size", "small", "--today", DEMO_TODAY)
    assert result.exit_code == 0, result.output
    assert "performance: skp" in result.output
    today = date.fromisoformat(DEMO_TODAY)
    this, last = today.year, today.year - 1

    periods = db.session.execute(select(Period.code, Period.is_open)).all()
    assert {c for c, _ in periods} == {f"{y}{q}" for y in (last, this) for q in ("", "-Q1", "-Q2", "-Q3", "-Q4")}
    assert not any(is_open for code, is_open in periods if code.startswith(str(last)))
    ratings = [r for (r,) in db.session.execute(select(OrganisationRating.rating))]
    assert ratings.count("BAIK") > len(ratings) / 2 and {"ISTIMEWA", "BUTUH_PERBAIKAN"} <= set(ratings)

    states = dict(db.session.execute(select(Skp.status, func.count()).where(Skp.year == this)
                                     .group_by(Skp.status)).all())
    assert set(states) == {"DRAFT", "DIAJUKAN", "DIKEMBALIKAN", "DISETUJUI"}
    assert db.session.execute(select(func.count()).select_from(Skp).where(
        Skp.status == "DIKEMBALIKAN", Skp.return_notes.is_(None))).scalar() == 0
    revised = db.session.execute(select(Skp.status, Skp.previous_id).where(Skp.revision == 2)).all()
    assert revised and all(s == "DIAJUKAN" and prev for s, prev in revised)
    last_states = dict(db.session.execute(select(Skp.status, func.count()).where(Skp.year == last)
                                          .group_by(Skp.status)).all())
    assert last_states["DISETUJUI"] > 0.9 * sum(last_states.values())

    annual = db.session.execute(select(Period.id).where(Period.code == str(last))).scalar()
    ev_last = dict(db.session.execute(select(Evaluation.status, func.count()).where(Evaluation.period_id == annual)
                                      .group_by(Evaluation.status)).all())
    assert {"FINAL", "DINILAI", "PENILAIAN_DIRI", "DIBUKA"} == set(ev_last)
    assert ev_last["FINAL"] > 0.75 * sum(ev_last.values())
    quarterly = db.session.execute(select(Period.code, Evaluation.status).select_from(Evaluation)
                                   .join(Evaluation.period)
                                   .where(Period.year == this)).all()
    assert {c for c, _ in quarterly} == {f"{this}-Q1", f"{this}-Q2", f"{this}-Q3"}
    assert {s for _, s in quarterly} == {"FINAL", "DINILAI", "PENILAIAN_DIRI", "DIBUKA"}
    _matrix_holds(db)

    objections = db.session.execute(select(Objection.status, Objection.decision, Objection.filed_at,
                                           Evaluation.finalised_at, Evaluation.predikat, Objection.new_predikat)
                                    .join(Objection.evaluation)).all()
    assert {(o.status, o.decision) for o in objections} == {("DIAJUKAN", None), ("DIJELASKAN", None),
                                                          ("DIPUTUS", "TETAP"), ("DIPUTUS", "DIUBAH")}
    for o in objections:
        assert can_object(o.finalised_at, o.filed_at), o
        if o.decision == "DIUBAH":
            assert o.predikat == o.new_predikat  # the decision is applied to the evaluation
    assert db.session.execute(select(func.count()).select_from(Evidence).where(Evidence.kind != "LINK")).scalar() == 0

    _cascade_is_sound(db)
    _no_orphans(db)
    _replay_all(db)

    # the demo accounts
    linked = {e.id: e for e in db.session.execute(select(Employee).where(Employee.user_id.is_not(None)))
              .unique().scalars()}
    by_role = {}
    for e in linked.values():
        names = {r.name for r in e.user.roles}
        key = (R.PIMPINAN if R.PIMPINAN in names else R.PENGELOLA if R.PENGELOLA in names else
               R.PELATIH if R.PELATIH in names else R.ATASAN if R.ATASAN in names else R.PEGAWAI)
        by_role[key] = e
    pegawai, atasan, pimpinan = by_role[R.PEGAWAI], by_role[R.ATASAN], by_role[R.PIMPINAN]
    plans = db.session.execute(select(Skp).where(Skp.employee_id == pegawai.id, Skp.year == this)
                               .order_by(Skp.revision)).unique().scalars().all()
    assert [(p.revision, p.status, p.is_current) for p in plans] == [(1, "DISETUJUI", False), (2, "DIAJUKAN", True)]
    assert plans[0].rater_id == atasan.id and plans[0].rater_supervisor_id == pimpinan.id
    final = db.session.execute(select(Evaluation).join(Evaluation.skp).where(
        Skp.employee_id == pegawai.id, Evaluation.period_id == annual)).unique().scalar_one()
    assert final.status == "FINAL" and final.finalised_at.date() == today - timedelta(days=10)
    assert can_object(final.finalised_at, today) and final.objection is None
    assert final.employee_nip == pegawai.nip and final.rater_nip == atasan.nip and final.predikat
    inbox = db.session.execute(select(func.count()).select_from(Skp).where(
        Skp.rater_id == atasan.id, Skp.status == "DIAJUKAN", Skp.year == this)).scalar()
    assert inbox >= 2
    pending = db.session.execute(select(Objection.status, Skp.rater_id, Skp.rater_supervisor_id)
                                 .join(Objection.evaluation).join(Evaluation.skp)
                                 .where(Objection.status != "DIPUTUS")).all()
    assert ("DIAJUKAN", atasan.id, pimpinan.id) in pending and ("DIJELASKAN", atasan.id, pimpinan.id) in pending

    counts = {t: db.session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
              for t in ("skp", "rhk", "evaluation", "transition_log")}
    again = _run(app, "demo", "--size", "small", "--today", DEMO_TODAY)
    assert "already loaded" in again.output
    reset = _run(app, "demo", "--size", "small", "--today", DEMO_TODAY, "--reset")
    assert reset.exit_code == 0, reset.output
    assert {t: db.session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in counts} == counts
    _replay_all(db)  # the reset left no stale log rows behind


def test_generator_performance_years(app, db):
    from datetime import date

    from app.demo.generator import generate
    from app.performance.models import Evaluation, Period, Skp

    today = date.fromisoformat(DEMO_TODAY)
    result = generate(db.session, employees=300, units=20, seed=3, years=2, today=today)
    perf = result.performance
    actual = {t: db.session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in perf}
    assert actual == perf
    assert perf["skp"] == 600  # one plan per employee and year
    assert 4 * 600 <= perf["rhk"] <= 8 * 600 and 5 * 600 <= perf["rhk"] <= 7 * 600
    assert 1.6 * perf["rhk"] <= perf["progress"] <= 2.2 * perf["rhk"]
    approved = db.session.execute(select(func.count()).select_from(Skp).where(Skp.status == "DISETUJUI")).scalar()
    assert perf["evaluation"] == 4 * approved and approved >= 0.85 * 600
    assert db.session.execute(select(func.count()).select_from(Period)).scalar() == 10
    years = dict(db.session.execute(select(Skp.year, func.count()).group_by(Skp.year)).all())
    assert years == {today.year - 1: 300, today.year: 300}
    past = db.session.execute(select(Evaluation.status).join(Evaluation.period).where(
        Period.year == today.year - 1)).scalars().all()
    assert set(past) == {"FINAL"}
    _matrix_holds(db)
    _cascade_is_sound(db)
    _no_orphans(db)
    _replay_all(db, ("skp", "evaluation"))

    runner = app.test_cli_runner()
    again = runner.invoke(args=["portal", "generate", "--employees", "60", "--units", "6", "--years", "1",
                                "--reset"])
    assert again.exit_code == 0, again.output
    assert "performance: skp 60" in again.output
    _no_orphans(db)
    _replay_all(db, ("skp", "evaluation"))
