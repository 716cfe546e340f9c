"""The stored award candidates (app/awards/derived.py): the snapshot equals the live SQL (itself proven equal to
the pure rules in tests/test_awards_sql.py) on the same generated data, for the whole city, a Pimpinan's scope and
a unit filter; a refresh is all or nothing; a finalised evaluation, an approved Satyalancana or a moved employee
makes the snapshot stale and the next read refreshes it; the screen shows "computed at" and the "Recompute"
button works for the Pengelola."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from test_awards import ON, YEAR, _evaluate
from test_awards_sql import crowd  # noqa: F401  (fixture: 120 employees with varied NIPs and evaluations)

NOW = datetime(2026, 1, 5, 8, 0)


def _everyone():
    from app.security.scope import Scope

    return Scope(everything=True)


def _stored_equals_live(db, scope=None, unit_id=None):
    from app.awards import derived, services

    scope = scope or _everyone()
    live = services.candidate_page(db.session, YEAR, ON, scope, unit_id, page=1, page_size=10000)
    stored = derived.candidate_page(db.session, YEAR, ON, scope, unit_id, page=1, page_size=10000)
    assert stored.candidates == live.candidates
    assert stored.counts == live.counts and stored.total == live.total
    return stored


def test_snapshot_equals_the_live_sql(db, crowd, org):  # noqa: F811
    from app.awards import derived, services
    from app.security.scope import Scope

    derived.refresh(db.session, YEAR, ON, NOW)
    stored = _stored_equals_live(db)
    assert stored.total > 20 and len({c.kind for c in stored.candidates}) == 5
    assert derived.all_stored(db.session, YEAR) == services.all_candidates(db.session, YEAR, ON, _everyone())
    kadis = org.employees["kadis"]
    _stored_equals_live(db, scope=Scope(employee_id=kadis.id, unit_root_id=org.units["dinkes"].id))
    _stored_equals_live(db, unit_id=org.units["p2p"].id)
    assert _stored_equals_live(db, scope=Scope(employee_id=kadis.id)).total == 0  # no unit: nothing
    # paging and the kind filter read the snapshot in the same order as the live SQL
    for kind, page, size in ((None, 2, 7), ("SATYALANCANA_10", 1, 5), ("TALENT_POOL", 2, 3)):
        live = services.candidate_page(db.session, YEAR, ON, _everyone(), kind=kind, page=page, page_size=size)
        stored = derived.candidate_page(db.session, YEAR, ON, _everyone(), kind=kind, page=page, page_size=size)
        assert stored.candidates == live.candidates and stored.decisions.keys() == live.decisions.keys()
    units = derived.unit_of(db.session, YEAR)
    from app.organisation.models import Employee

    assert all(db.session.get(Employee, e).unit_id == u for (e, _k), u in units.items())


def test_a_failed_refresh_keeps_the_old_rows(db, crowd, monkeypatch):  # noqa: F811
    from app.awards import derived
    from app.core import derived as core_derived

    derived.refresh(db.session, YEAR, ON, NOW)
    before = derived.all_stored(db.session, YEAR)
    state_before = core_derived.state(db.session, derived.KIND, YEAR).computed_at
    assert before

    def fail(*args, **kwargs):  # after the delete and the insert, before the state row: a crash mid-way
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(core_derived, "record", fail)
    with pytest.raises(RuntimeError):
        derived.refresh(db.session, YEAR, ON, datetime(2026, 2, 1))
    db.session.expire_all()
    assert derived.all_stored(db.session, YEAR) == before
    assert core_derived.state(db.session, derived.KIND, YEAR).computed_at == state_before


def test_stale_inputs_trigger_a_refresh(db, crowd, org):  # noqa: F811
    from app.awards import derived
    from app.awards.models import AwardDecision
    from app.core import derived as core_derived

    first = derived.ensure_fresh(db.session, YEAR, ON, NOW)
    assert first == NOW
    assert derived.ensure_fresh(db.session, YEAR, ON, datetime(2026, 1, 6)) == NOW  # nothing changed: no refresh
    # an evaluation finalised: staff2 is Baik two years running -> competence development
    staff = org.employees["staff2"]
    _evaluate(db, staff, YEAR - 1, "BAIK")
    _evaluate(db, staff, YEAR, "BAIK")
    # with a check interval, a fingerprint compared a moment ago (and found fresh) is not compared again yet
    assert derived.ensure_fresh(db.session, YEAR, ON, datetime(2026, 1, 7), check_every=3600) == NOW
    assert derived.ensure_fresh(db.session, YEAR, ON, datetime(2026, 1, 7)) == datetime(2026, 1, 7)
    assert ("COMPETENCE_DEVELOPMENT" in {c.kind.value for c in derived.all_stored(db.session, YEAR)
                                         if c.employee_id == staff.id})
    _stored_equals_live(db)
    # a Satyalancana approved in another year: that candidate goes away after the next read
    sat = next(c for c in derived.all_stored(db.session, YEAR) if c.kind.value == "SATYALANCANA_10")
    db.session.add(AwardDecision(employee_id=sat.employee_id, year=YEAR - 1, kind="SATYALANCANA_10",
                                 decision="DISETUJUI", decree_number="800/9/X", decree_date=date(YEAR - 1, 8, 17)))
    db.session.commit()
    assert derived.ensure_fresh(db.session, YEAR, ON, datetime(2026, 1, 8)) == datetime(2026, 1, 8)
    assert sat not in derived.all_stored(db.session, YEAR)
    _stored_equals_live(db)
    # an employee moved to another unit: the stored unit follows (the scope of the reads)
    from app.organisation.models import Employee

    moved = db.session.get(Employee, next(iter(derived.unit_of(db.session, YEAR)))[0])
    target = org.units["disdik"] if moved.unit_id != org.units["disdik"].id else org.units["p2p"]
    moved.unit_id = target.id
    db.session.commit()
    assert derived.ensure_fresh(db.session, YEAR, ON, datetime(2026, 1, 9)) == datetime(2026, 1, 9)
    assert {u for (e, _k), u in derived.unit_of(db.session, YEAR).items() if e == moved.id} == {target.id}
    # another reference date is a parameter of the snapshot: asking for it recomputes
    assert derived.ensure_fresh(db.session, YEAR, date(2025, 9, 1), datetime(2026, 1, 10)) == datetime(2026, 1, 10)
    assert core_derived.state(db.session, derived.KIND, YEAR).params == "2025-09-01"


def test_screen_reads_the_snapshot_and_the_pengelola_recomputes(app, db, client, org, crowd):  # noqa: F811
    from app.awards import derived
    from app.core import derived as core_derived
    from conftest import csrf_token, login

    login(client, org.username("analis"))
    page = client.get(f"/award-candidates/?year={YEAR}")
    assert page.status_code == 200
    state = core_derived.state(db.session, derived.KIND, YEAR)
    assert state is not None and state.rows == len(derived.all_stored(db.session, YEAR)) > 0
    body = page.get_data(as_text=True)
    assert "data-computed-at=" in body and "/award-candidates/refresh" in body
    # a live date: computed now, no snapshot
    other = client.get(f"/award-candidates/?year={YEAR}&on=2025-09-01").get_data(as_text=True)
    assert "data-computed-at=" not in other
    api = client.get(f"/api/v1/award/candidates?year={YEAR}").get_json()
    assert api["computed_at"] and api["count"] == state.rows
    # the button: recompute now (the access matrix checks the roles)
    token = csrf_token(client, "/resetmypassword/form")
    db.session.execute(core_derived.DerivedResultState.__table__.update().values(computed_at=datetime(2020, 1, 1)))
    db.session.commit()
    done = client.post("/award-candidates/refresh", data={"csrf_token": token, "year": str(YEAR),
                                                             "kind": "TALENT_POOL"})
    assert done.status_code == 302 and "kind=TALENT_POOL" in done.headers["Location"]
    db.session.expire_all()
    assert core_derived.state(db.session, derived.KIND, YEAR).computed_at > datetime(2020, 1, 1)
    assert client.post("/award-candidates/refresh", data={"csrf_token": token, "year": "abc"}).status_code == 302
    total = db.session.scalar(select(func.count()).select_from(core_derived.DerivedResultState))
    assert total == 1


def test_pimpinan_cannot_recompute(app, db, client, org):
    from app.awards import derived
    from app.core import derived as core_derived
    from conftest import csrf_token, login

    login(client, org.username("kadis"))
    page = client.get(f"/award-candidates/?year={YEAR}")
    assert page.status_code == 200 and "/award-candidates/refresh" not in page.get_data(as_text=True)
    before = core_derived.state(db.session, derived.KIND, YEAR).computed_at
    token = csrf_token(client, "/resetmypassword/form")
    response = client.post("/award-candidates/refresh", data={"csrf_token": token, "year": str(YEAR)})
    db.session.expire_all()
    assert core_derived.state(db.session, derived.KIND, YEAR).computed_at == before
    assert response.status_code in (302, 403) and "/award-candidates/?" not in response.headers.get("Location", "")
