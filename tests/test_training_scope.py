"""Row scope of the training records (app/training/scope.py), role by role, as SQL on the `org` city."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from access_training import ctx_for, enroll, external, make_session, now
from app.training.models import ExternalTraining, TrainingParticipant, TrainingSession
from app.training.scope import Viewer, external_clause, participant_clause, roster_session_clause, session_clause


def _viewer(org, key, arrays=False):
    from app.security.scope import build_scope

    ctx = ctx_for(org, key)
    employee = org.employees.get(key)
    return Viewer(build_scope(ctx.role_names, ctx.employee_id, employee.unit_id if employee else None), ctx.user_id,
                  frozenset(ctx.role_names), arrays)


def _arrays(db, form):
    """The PostgreSQL list form (``= ANY(ARRAY(...))``) is tested where it runs; SQLite has no arrays."""
    if form == "arrays" and db.engine.dialect.name != "postgresql":
        pytest.skip("the arrays form of the scope is PostgreSQL's")
    return form == "arrays"


@pytest.fixture
def city(db, org):
    """Budi's session (trained by the Pelatih), Yuni's session (Dinas Pendidikan, no trainer), a session aimed at
    Puskesmas Sukarami with nobody invited yet; Rina's and Yuni's external trainings."""
    budi = make_session(db, org, title="Sesi Budi")
    enroll(db, org, budi, "staff1")
    yuni = make_session(db, org, title="Sesi Yuni", trainers=())
    enroll(db, org, yuni, "guru")
    aimed = make_session(db, org, title="Sesi Puskesmas", trainers=(), units=("pkm",),
                         starts_at=now() + timedelta(days=5))
    external(db, org, "perawat")
    external(db, org, "guru")
    return {"budi": budi.id, "yuni": yuni.id, "aimed": aimed.id}


def _sessions(db, viewer):
    return {t for (t,) in db.session.execute(select(TrainingSession.title).where(session_clause(viewer)))}


def _participants(db, viewer, org):
    keys = {e.id: k for k, e in org.employees.items()}
    return {keys[e] for (e,) in db.session.execute(select(TrainingParticipant.employee_id)
                                                   .where(participant_clause(viewer)))}


def _externals(db, viewer, org):
    keys = {e.id: k for k, e in org.employees.items()}
    return {keys[e] for (e,) in db.session.execute(select(ExternalTraining.employee_id).where(external_clause(viewer)))}


@pytest.mark.parametrize("who, sessions, participants, externals", [
    ("analis", {"Sesi Budi", "Sesi Yuni", "Sesi Puskesmas"}, {"staff1", "guru"}, {"perawat", "guru"}),
    ("kadis", {"Sesi Budi", "Sesi Puskesmas"}, {"staff1"}, {"perawat"}),  # Pimpinan: Dinas Kesehatan subtree
    ("kabid", {"Sesi Budi"}, {"staff1"}, set()),  # Atasan: Budi and Dewi
    ("kapus", set(), set(), {"perawat"}),  # Atasan of Rina (the session aimed at the puskesmas: not his as Atasan)
    ("staff1", {"Sesi Budi"}, {"staff1"}, set()),  # Pegawai: own
    ("staff2", set(), set(), set()),
    ("pelatih", {"Sesi Budi"}, {"staff1"}, set()),  # Pelatih: the session they train and its roster
    ("guru", {"Sesi Yuni"}, {"guru"}, {"guru"}),
])
@pytest.mark.parametrize("form", ["in", "arrays"])
def test_scope_per_role(db, org, city, who, sessions, participants, externals, form):
    viewer = _viewer(org, who, _arrays(db, form))
    assert _sessions(db, viewer) == sessions
    assert _participants(db, viewer, org) == participants
    assert _externals(db, viewer, org) == externals


def test_roster_is_managed_by_organisers_and_the_sessions_own_trainers(db, org, city):
    def managed(who):
        return {t for (t,) in db.session.execute(select(TrainingSession.title)
                                                 .where(roster_session_clause(_viewer(org, who))))}
    assert managed("analis") == {"Sesi Budi", "Sesi Yuni", "Sesi Puskesmas"}
    assert managed("pelatih") == {"Sesi Budi"}
    assert managed("kadis") == managed("staff1") == set()


def test_pelatih_role_removed_sees_nothing(db, org, city):
    viewer = _viewer(org, "pelatih")
    stripped = Viewer(viewer.scope, viewer.user_id, frozenset())
    assert _sessions(db, stripped) == set() and _participants(db, stripped, org) == set()
