"""The faster list queries of the training and award screens return the same rows in the same order as the queries
they replace, for every role, page and order (issue 5, the list screens in scope):

* ``ListInterface`` with ``one_statement`` (the count and the page of a scoped list in one statement) against FAB's
  own count and page (``SQLAInterface.query``), for the session and external-training lists and their REST lists;
* the roster's page (the page's ids sorted on narrow rows, then those rows) against the single sorted query;
* the awards list (``decision_page``, ``decided_years``) against ``services.decisions_query`` / ``decided_years``.

Run on SQLite and on PostgreSQL (``TEST_DATABASE_URL``; the training scope takes its arrays form there)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import g
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import func, select

from access_training import enroll, external, make_session, now

ROLES = ["analis", "admin", "kadis", "kabid", "kapus", "staff1", "staff2", "perawat", "pelatih", "guru", "kadisdik"]


@pytest.fixture
def lists(db, org):
    """Sessions with equal start times and titles (ties: the primary key decides), aimed at units or not, trained by
    the Pelatih or not; participants across the city; external trainings with equal end dates."""
    start = now() - timedelta(days=3)
    people = ["staff1", "staff2", "kabid", "perawat", "kapus", "guru", "kadisdik", "analis"]
    for i in range(9):
        s = make_session(db, org, starts_at=start if i % 3 else start - timedelta(days=i), jp=2 + i % 3,
                         title="Sesi Sama" if i % 2 else f"Sesi {i}", trainers=("pelatih",) if i % 2 else (),
                         units=("pkm",) if i == 4 else ())
        for key in people[i % 4: i % 4 + 3]:
            enroll(db, org, s, key, attendance="HADIR" if i % 2 else None)
    for i, key in enumerate(people * 2):
        external(db, org, key, jp=1 + i % 4, ended_on=date.today() - timedelta(days=5 + i % 3))
    return org


def _view(app, cls):
    return next(v for v in app.appbuilder.baseviews if type(v) is cls)


def _as(app, org, key, path):
    """A request context of ``path`` signed in as ``key`` (the views' scope reads ``g.user``)."""
    ctx = app.test_request_context(path)
    ctx.push()
    g.user = org.users[key]
    return ctx


def _both(dm, filters, order_column, direction, page, page_size):
    """(FAB's count and ids, the one-statement count and ids)."""
    old_count, old_items = SQLAInterface.query(dm, filters, order_column, direction, page=page, page_size=page_size)
    new_count, new_items = dm.query(filters, order_column, direction, page=page, page_size=page_size)
    return (old_count, [i.id for i in old_items]), (new_count, [i.id for i in new_items])


@pytest.mark.parametrize("who", ROLES)
def test_one_statement_lists_match_fabs_count_and_page(app, db, lists, who):
    from app.training import api, views

    cases = [
        (views.TrainingSessionView, "/trainingsessionview/list/", ["starts_at", "title", "jp"], "title"),
        (api.TrainingSessionApi, "/api/v1/training_session/", ["starts_at", "title", "jp", ""], "title"),
        (views.ExternalTrainingView, "/externaltrainingview/list/", ["ended_on", "jp", "title"], "title"),
        (api.ExternalTrainingApi, "/api/v1/external_training/", ["ended_on", "jp", ""], "organiser"),
    ]
    for cls, path, orders, text_column in cases:
        view = _view(app, cls)
        dm = view.datamodel
        assert dm._one_statement is not None
        ctx = _as(app, lists, who, path)
        try:
            used = dm._one_statement_applies(None, "", 2, None)
            assert used == (who not in ("analis", "admin"))  # the whole city keeps FAB's two statements
            plain = dm.get_filters().add_filter_list(view.base_filters)
            searched = dm.get_filters().add_filter_list(view.base_filters)
            searched.add_filter(text_column, dm.FilterContains, "a")
            for filters in (plain, searched):
                for order_column in orders:
                    for direction in ("asc", "desc"):
                        total = None
                        for page in range(0, 6):
                            old, new = _both(dm, filters, order_column, direction, page, 2)
                            if order_column:
                                assert new == old, (cls.__name__, who, order_column, direction, page)
                            else:  # no order: FAB's rows come in the scan's order, undefined; the same count
                                assert new[0] == old[0] and len(new[1]) == len(old[1])
                            total = old[0]
                        if not order_column:  # every row once over all pages: one page holding them all
                            old, new = _both(dm, filters, "", "", 0, 100)
                            assert sorted(new[1]) == sorted(old[1]) and new[0] == old[0] == total
                        assert total is not None
        finally:
            ctx.pop()


def test_one_statement_list_screen_shows_the_same_rows(client, db, lists):
    """The session list of a Pimpinan through HTTP: one statement less, the same rows (the list's links)."""
    import re

    from app.training import views
    from conftest import count_queries, login

    login(client, lists.username("kadis"))
    dm = views.TrainingSessionView.datamodel
    pages = {}
    for on in (False, True):
        saved = dm._one_statement
        dm._one_statement = saved if on else None
        try:
            client.get("/trainingsessionview/list/")
            with count_queries(db) as statements:
                body = client.get("/trainingsessionview/list/?psize_TrainingSessionView=3&page_TrainingSessionView=1"
                                  "&_oc_TrainingSessionView=title&_od_TrainingSessionView=asc").get_data(as_text=True)
        finally:
            dm._one_statement = saved
        pages[on] = (re.findall(r"/trainingsessionview/show/(\d+)", body), len(statements))
    assert pages[True][0] == pages[False][0] and pages[True][0]
    assert pages[True][1] == pages[False][1] - 1


# --- the roster --------------------------------------------------------------------------------------------------------

def _old_roster_page(db, viewer, training_session, page, page_size):
    """The roster's page as one sorted query (before: every participant joined to its employee, sorted whole)."""
    from app.organisation.models import Unit
    from app.training import services
    from app.training.models import TrainingParticipant

    query = (services._roster_query(viewer, training_session)
             .outerjoin(Unit, Unit.id == TrainingParticipant.unit_id)
             .order_by(*services._roster_order()).offset((page - 1) * page_size).limit(page_size))
    return [p.id for p in db.session.scalars(query).unique().all()]


@pytest.mark.parametrize("who", ["analis", "pelatih", "kadis", "kabid", "staff1", "guru"])
def test_roster_pages_match_the_single_sorted_query(app, db, org, who):
    from test_training_scope import _viewer

    from app.training import services

    s = make_session(db, org, capacity=4)
    base = now() - timedelta(days=2)
    # invited, a waiting list in invitation order, a cancellation; two people of the same name
    for i, key in enumerate(["staff1", "staff2", "kabid", "perawat", "kapus", "guru", "kadisdik", "analis"]):
        status = "DIUNDANG" if i < 4 else ("DAFTAR_TUNGGU" if i < 7 else "DIBATALKAN")
        enroll(db, org, s, key, status=status, at=base + timedelta(minutes=(7 - i) if status == "DAFTAR_TUNGGU" else i))
    org.employees["kapus"].name = org.employees["staff2"].name
    db.session.commit()
    viewer = _viewer(org, who, db.engine.dialect.name == "postgresql")
    everyone = [p.id for p in services.roster(db.session, viewer, s)]
    assert everyone == _old_roster_page(db, viewer, s, 1, 100)
    for page_size in (1, 3):
        for page in range(1, 10):
            new = [p.id for p in services.roster(db.session, viewer, s, page, page_size)]
            assert new == _old_roster_page(db, viewer, s, page, page_size), (who, page_size, page)
    shown = services.roster(db.session, viewer, s, 1, 3)
    assert all(p.employee.nip and p.unit.name for p in shown)  # what the roster shows is loaded


def test_session_feedback_counts_per_rating(db, org):
    from decimal import Decimal

    from app.training import services
    from app.training.models import TrainingFeedback

    s = make_session(db, org, starts_at=now() - timedelta(days=2))
    for key, rating in [("staff1", 5), ("staff2", 4), ("kabid", 4), ("perawat", 1)]:
        row = enroll(db, org, s, key, attendance="HADIR")
        db.session.add(TrainingFeedback(session_id=s.id, participant_id=row.id, rating=rating))
    db.session.commit()
    summary = services.session_feedback(db.session, s.id)
    assert (summary.count, summary.average, summary.distribution) == (4, Decimal("3.5"), (1, 0, 0, 2, 1))
    assert services.session_feedback(db.session, s.id + 1000).count == 0


# --- the awards list ---------------------------------------------------------------------------------------------------

@pytest.fixture
def decisions(db, org):
    from app.awards.models import AwardDecision

    people = ["staff1", "staff2", "kabid", "perawat", "kapus", "guru", "kadisdik", "analis", "kadis"]
    for year in (2023, 2024):
        for i, key in enumerate(people):
            for kind in ("TALENT_POOL", "SATYALANCANA_10") if i % 2 else ("TALENT_POOL",):
                approved = (i + year) % 3 == 0
                db.session.add(AwardDecision(employee_id=org.employees[key].id, year=year, kind=kind,
                                             decision="DISETUJUI" if approved else "TIDAK_DISETUJUI",
                                             decree_number="800/1/2024" if approved else None,
                                             decree_date=date(2024, 8, 17) if approved else None))
    org.employees["guru"].name = org.employees["staff1"].name  # equal names: the id decides
    db.session.commit()
    return org


@pytest.mark.parametrize("who", ["analis", "admin", "kadis", "kadisdik", "kabid", "staff1"])
def test_award_decision_page_matches_the_decisions_query(app, db, decisions, who):
    from app.awards import services, views
    from app.awards.rules import AwardKind

    ctx = _as(app, decisions, who, "/awards/")
    try:
        scope = app.appbuilder.sm.current_scope()
        assert views.decided_years(scope) == services.decided_years(db.session, scope)
        kinds = [None] + list(AwardKind.__members__)[:3]
        for year in (None, 2023, 2024, 2020):
            for kind in kinds:
                for decision in (None, "DISETUJUI"):
                    query = services.decisions_query(scope, year, kind, decision)
                    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
                    for page in range(1, 5):
                        rows, counted = views.decision_page(scope, year, kind, decision, page, 4)
                        old = db.session.execute(query.offset((page - 1) * 4).limit(4)).all()
                        assert counted == total
                        assert [tuple(r)[:-1] for r in rows] == [tuple(r) for r in old], (who, year, kind, page)
    finally:
        ctx.pop()


# --- the JP ledger of an OPD or a scope (PostgreSQL) ---------------------------------------------------------------------

@pytest.mark.parametrize("who", ["analis", "kadis", "kabid", "staff1", "pelatih", "kadisdik"])
def test_ledger_restricted_to_its_employees_matches_the_city_totals(app, db, lists, monkeypatch, who):
    """The JP rows summed for the ledger's own employees only (``LEDGER_RESTRICT``, the arrays form) give the same
    ledger, page, count and per-unit summary as the city's totals joined to them."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the restriction is written in the arrays form of PostgreSQL")
    from datetime import datetime

    from test_training_scope import _viewer

    from app.training import services

    year = now().year
    for i, key in enumerate(["staff1", "perawat", "kadis", "guru"]):
        s = make_session(db, lists, starts_at=datetime(year, 1, 10 + i, 8), hours=8, jp=3 + i)
        for other in ("staff1", "perawat", "kadis", "guru", "kabid")[i:]:
            enroll(db, lists, s, other, attendance="HADIR" if other != "kabid" else "IZIN")
        s.status, s.closed_at = "DITUTUP", s.ends_at
    db.session.commit()
    external(db, lists, "perawat", jp=4, ended_on=date(year, 1, 20))
    viewer = _viewer(lists, who, True)
    for unit in (None, lists.units["dinkes"].id, lists.units["pkm"].id):
        for below in (False, True):
            for page in (1, 2):
                results = {}
                for restrict in (False, True):
                    monkeypatch.setattr(services, "LEDGER_RESTRICT", restrict)
                    results[restrict] = services.ledger_overview(db.session, viewer, year, unit, below, page, 2,
                                                                 by_unit=True)
                assert results[True] == results[False], (who, unit, below, page)


@pytest.mark.parametrize("who", ["analis", "kadis", "kabid", "staff1", "pelatih", "kadisdik"])
def test_ledger_people_found_once_matches_the_plain_scope(app, db, lists, monkeypatch, who):
    """The restricted ledger of PostgreSQL (the employees in scope found once, in a MATERIALIZED CTE read by the JP
    sums and the rows; the OPD's subtree as an array) gives the same page, order, count and per-unit summary as the
    plain form (the scope's ``IN`` subqueries, the city's totals joined): for each role, OPD or not, with or without
    the OPD's subunits, all rows or those below target."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the restriction is written in the arrays form of PostgreSQL")
    from datetime import datetime

    from test_training_scope import _viewer

    from app.training import services

    year = now().year
    for i, key in enumerate(["staff1", "perawat", "kadis", "guru", "kapus"]):
        s = make_session(db, lists, starts_at=datetime(year, 2, 10 + i, 8), hours=8, jp=2 + i)
        for other in ("staff1", "perawat", "kadis", "guru", "kabid", "kapus")[i:]:
            enroll(db, lists, s, other, attendance="HADIR" if other != "kabid" else "IZIN")
        s.status, s.closed_at = "DITUTUP", s.ends_at
    db.session.commit()
    external(db, lists, "guru", jp=5, ended_on=date(year, 2, 20))
    monkeypatch.setattr(services, "LEDGER_MODE", "group")
    checked = 0
    for unit in (None, lists.units["dinkes"].id, lists.units["pkm"].id):
        for subtree in (True, False):
            for below in (False, True):
                for page in (1, 2):
                    monkeypatch.setattr(services, "LEDGER_RESTRICT", True)
                    found_once = services.ledger_overview(db.session, _viewer(lists, who, True), year, unit, below,
                                                          page, 2, subtree, by_unit=True)
                    monkeypatch.setattr(services, "LEDGER_RESTRICT", False)
                    plain = services.ledger_overview(db.session, _viewer(lists, who, False), year, unit, below,
                                                     page, 2, subtree, by_unit=True)
                    assert found_once == plain, (who, unit, subtree, below, page)
                    checked += bool(plain[0])
    assert checked or who == "pelatih"  # some pages hold rows (a Pelatih's own ledger is empty here)


# --- the participants' count (a scope's disjoint parts) ----------------------------------------------------------------

@pytest.fixture
def participants(db, org):
    """Participants across the city; some invited while in another unit than their own now (``unit_id`` at the
    invitation), so that a subordinate's row may lie outside the Pimpinan's subtree and a subtree row may belong
    to someone outside the supervisor chain."""
    start = now() - timedelta(days=3)
    people = ["staff1", "staff2", "kabid", "perawat", "kapus", "guru", "kadisdik", "analis", "kadis"]
    units = sorted({e.unit_id for e in org.employees.values() if e.unit_id})
    for i in range(6):
        s = make_session(db, org, starts_at=start - timedelta(days=i), trainers=("pelatih",) if i % 2 else ())
        for j, key in enumerate(people[i % 3:]):
            row = enroll(db, org, s, key, attendance="HADIR" if j % 2 else None)
            if (i + j) % 4 == 0:
                row.unit_id = units[(i + j) % len(units)]
    db.session.commit()
    return org


@pytest.mark.parametrize("who", ROLES)
def test_participant_count_parts_match_the_scope_clause(app, db, participants, who, monkeypatch):
    """The participants list's count as the sum of the scope's disjoint parts (with the scope's ids read once and
    bound) equals FAB's count of the scope as one OR of subqueries (the clause before), with and without a search
    and a session filter, list screen and REST list; the pages too (PostgreSQL: the parts apply)."""
    from app.training import api, views
    from app.training.models import TrainingParticipant

    session_id = db.session.scalar(select(func.min(TrainingParticipant.session_id)))
    for cls, path in ((views.TrainingParticipantView, "/trainingparticipantview/list/"),
                      (api.TrainingParticipantApi, "/api/v1/training_participant/")):
        view = _view(app, cls)
        dm = view.datamodel
        for query_string in ("", f"?session={session_id}"):
            ctx = _as(app, participants, who, path + query_string)
            try:
                parts = views.participant_count_parts(views.current_viewer())
                if db.engine.dialect.name == "postgresql" and who in ("kadis", "kabid", "kapus", "kadisdik"):
                    assert parts and len(parts) >= 2, who
                plain = dm.get_filters().add_filter_list(view.base_filters)
                searched = dm.get_filters().add_filter_list(view.base_filters)
                searched.add_filter("status", dm.FilterEqual, "DIUNDANG")
                for filters in (plain, searched):
                    query = db.session.query(TrainingParticipant)
                    new = dm.query_count(query, filters)
                    new_pages = [[p.id for p in dm.query(filters, "invited_at", direction, page=page, page_size=3)[1]]
                                 for direction in ("asc", "desc") for page in range(3)]
                    with monkeypatch.context() as m:  # the clause before: the viewer's subqueries, one OR
                        m.setattr(views, "participant_viewer", views.current_viewer)
                        old = SQLAInterface.query_count(dm, query, filters)
                        old_pages = [[p.id for p in SQLAInterface.query(dm, filters, "invited_at", direction,
                                                                        page=page, page_size=3)[1]]
                                     for direction in ("asc", "desc") for page in range(3)]
                    assert new == old and new_pages == old_pages, (cls.__name__, who, query_string)
                    assert dm.query(filters, "invited_at", "desc", page=0, page_size=3)[0] == old
                no_scope = dm.get_filters()  # the scope filter missing: FAB's own count, not a sum of parts
                assert dm.query_count(db.session.query(TrainingParticipant), no_scope) == \
                    db.session.scalar(select(func.count()).select_from(TrainingParticipant))
            finally:
                ctx.pop()


@pytest.mark.parametrize("who", ["kadis", "kabid", "kapus", "kadisdik", "staff1", "pelatih"])
def test_participant_count_parts_are_disjoint_and_cover_the_scope(db, participants, who):
    """Each part's rows lie in the scope, no row in two parts, every row of the scope in one; also for a Pimpinan
    who trains sessions (the trainer's part outside the other three)."""
    from dataclasses import replace

    from test_training_scope import _viewer

    from app.security import roles as R
    from app.training.models import TrainingParticipant
    from app.training.scope import participant_clause, participant_count_parts, resolve_ids

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the parts are PostgreSQL's (the scope's arrays form)")
    trainer = participants.users["pelatih"].id
    viewers = [_viewer(participants, who, True)]
    if who != "pelatih":
        base = viewers[0]
        viewers.append(replace(base, user_id=trainer, role_names=base.role_names | {R.PELATIH}))
    for base in viewers:
        expected = set(db.session.scalars(select(TrainingParticipant.id).where(participant_clause(base))))
        resolved = resolve_ids(db.session, base)  # the ids read once, bound as arrays
        assert resolved.subtree_set or resolved.subordinate_set or who in ("staff1", "pelatih")
        assert set(db.session.scalars(select(TrainingParticipant.id).where(participant_clause(resolved)))) == expected
        for viewer in (base, resolved):
            parts = participant_count_parts(viewer)
            if parts is None:
                assert viewer.scope.empty or not (viewer.scope.unit_root_id or viewer.scope.subordinates_of)
                continue
            seen = []
            for part in parts:
                seen += db.session.scalars(select(TrainingParticipant.id).where(part)).all()
            assert len(seen) == len(set(seen)) and set(seen) == expected and expected, who
