"""The fewer, cheaper statements of "Sesi Saya", the roster and the JP ledger give the same figures and rows as the
functions they replace on those screens (issue 5, round 5):

* ``services.trainer_overview`` (the number of sessions a Pelatih trains and the feedback on them, one statement)
  against the two statements it replaced (``_trainer_session_count``, ``_trainer_rating`` below);
* ``services.roster_counts`` (places, attendance and the ratings in one statement) against ``counts`` and
  ``session_feedback``;
* a roster page as plain rows (``RosterRow``, its statement built once per viewer and session) against the
  participants loaded as ORM objects, field by field, for every role;
* the ledger statement built once (``_overview_statement``, the page bound) against the full ledger, page by page,
  for several years and units in a row (a cached statement never answers for another year, unit or viewer).

Run on SQLite and on PostgreSQL (``TEST_DATABASE_URL``)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from access_training import enroll, external, make_session, now

ROLES = ["analis", "admin", "kadis", "kabid", "kapus", "staff1", "perawat", "pelatih", "guru", "kadisdik"]


def _feedback(db, participant, rating):
    from app.training.models import TrainingFeedback

    db.session.add(TrainingFeedback(session_id=participant.session_id, participant_id=participant.id, rating=rating))
    db.session.commit()


def _trainer_rating(db, user_id: int):
    """(user id, name, sessions, answers, average) of the feedback on the Pelatih's sessions, or None: the plain join
    "Sesi Saya" used before ``trainer_overview``."""
    from sqlalchemy import func, select

    from app.training import services
    from app.training.models import TrainingFeedback, training_session_trainer as t

    row = db.execute(select(func.count(func.distinct(TrainingFeedback.session_id)).label("sessions"),
                            func.count(TrainingFeedback.id).label("n"), func.avg(TrainingFeedback.rating).label("avg"))
                     .select_from(TrainingFeedback).join(t, t.c.session_id == TrainingFeedback.session_id)
                     .where(t.c.user_id == user_id)).one()
    if not row.n:
        return None
    return user_id, "", int(row.sessions), int(row.n), services._avg(row.avg)


def _trainer_session_count(db, user_id: int) -> int:
    from sqlalchemy import func, select

    from app.training.models import training_session_trainer as t

    return db.scalar(select(func.count()).select_from(t).where(t.c.user_id == user_id)) or 0


def test_trainer_overview_matches_the_count_and_the_rating(db, org):
    from app.training import services

    uid = org.users["pelatih"].id
    # no session yet: nothing, no rating
    assert services.trainer_overview(db.session, uid) == (0, None) == \
        (_trainer_session_count(db.session, uid), _trainer_rating(db.session, uid))
    start = now() - timedelta(days=5)
    quiet = make_session(db, org, starts_at=start)  # trained, no feedback
    assert services.trainer_overview(db.session, uid) == (1, None)
    rated = make_session(db, org, starts_at=start)
    other = make_session(db, org, starts_at=start, trainers=())  # not theirs: its feedback does not count
    for key, rating in [("staff1", 5), ("staff2", 4), ("kabid", 4)]:
        _feedback(db, enroll(db, org, rated, key, attendance="HADIR"), rating)
    _feedback(db, enroll(db, org, other, "perawat", attendance="HADIR"), 1)
    third = make_session(db, org, starts_at=start)
    _feedback(db, enroll(db, org, third, "guru", attendance="HADIR"), 2)
    enroll(db, org, quiet, "kapus", attendance="HADIR")  # a participant without feedback
    found = services.trainer_overview(db.session, uid)
    assert found == (_trainer_session_count(db.session, uid), _trainer_rating(db.session, uid))
    assert found == (3, (uid, "", 2, 4, Decimal("3.8")))  # (5 + 4 + 4 + 2) / 4 = 3.75, rounded half up
    assert services.trainer_overview(db.session, org.users["analis"].id) == (0, None)


def test_roster_counts_match_the_counts_and_the_feedback(db, org):
    from app.training import services

    s = make_session(db, org, capacity=3, starts_at=now() - timedelta(days=2))
    rows = {}
    for key, status, attendance in [("staff1", "DIUNDANG", "HADIR"), ("staff2", "DIUNDANG", "IZIN"),
                                    ("kabid", "DIUNDANG", None), ("perawat", "DAFTAR_TUNGGU", None),
                                    ("guru", "DIBATALKAN", None), ("kapus", "DIUNDANG", "HADIR")]:
        rows[key] = enroll(db, org, s, key, status=status, attendance=attendance)
    _feedback(db, rows["staff1"], 5)
    _feedback(db, rows["kapus"], 2)
    _feedback(db, rows["staff2"], 2)
    expected = services.counts(db.session, [s.id]).get(s.id, {})
    assert services.roster_counts(db.session, s.id, True) == (expected, services.session_feedback(db.session, s.id))
    assert services.roster_counts(db.session, s.id, False) == (expected, None)
    assert expected == {"DIUNDANG": 4, "DAFTAR_TUNGGU": 1, "DIBATALKAN": 1, "HADIR": 2}
    empty = make_session(db, org)
    assert services.roster_counts(db.session, empty.id, True) == ({}, services.session_feedback(db.session, empty.id))
    assert services.roster_counts(db.session, empty.id, True)[1].count == 0


@pytest.mark.parametrize("who", ROLES)
def test_roster_page_rows_match_the_participants(db, org, who):
    """Every field the roster shows, from the plain rows of the page, equals the participant's (ORM) record; the
    same ids in the same order as the unpaged roster, page after page."""
    from test_training_scope import _viewer

    from app.training import services
    from app.training.models import TrainingParticipant

    s = make_session(db, org, capacity=4)
    base = now() - timedelta(days=2)
    keys = ["staff1", "staff2", "kabid", "perawat", "kapus", "guru", "kadisdik", "analis"]
    for i, key in enumerate(keys):
        status = "DIUNDANG" if i < 4 else ("DAFTAR_TUNGGU" if i < 7 else "DIBATALKAN")
        row = enroll(db, org, s, key, status=status, attendance="HADIR" if i in (0, 2) else None,
                     at=base + timedelta(minutes=(7 - i) if status == "DAFTAR_TUNGGU" else i))
        if i == 0:
            row.pre_score, row.post_score, row.certificate_number, row.checkin_method = \
                Decimal("55.5"), Decimal("80"), "SERT/01", "KODE"
    db.session.commit()
    viewer = _viewer(org, who, db.engine.dialect.name == "postgresql")
    everyone = services.roster(db.session, viewer, s)
    shown = []
    for page in range(1, 5):
        shown += services.roster(db.session, viewer, s, page, 3)
    assert [p.id for p in shown] == [p.id for p in everyone]
    for row in shown:
        item = db.session.get(TrainingParticipant, row.id)
        assert (row.status, row.attendance, row.checkin_method, row.pre_score, row.post_score,
                row.certificate_number, row.employee_id, row.employee.id, row.employee.nip,
                row.employee.full_name, row.unit.name if row.unit else None,
                str(row.status_label), str(row.attendance_label)) == \
            (item.status, item.attendance, item.checkin_method, item.pre_score, item.post_score,
             item.certificate_number, item.employee_id, item.employee.id, item.employee.nip,
             item.employee.full_name, item.unit.name if item.unit else None,
             str(item.status_label), str(item.attendance_label)), (who, row.id)
    if who in ("analis", "admin", "pelatih"):
        assert len(shown) == len(keys)


@pytest.mark.parametrize("who", ["analis", "kadis", "kabid", "staff1"])
def test_ledger_statement_built_once_answers_each_page_year_and_unit(db, org, who):
    """The ledger's statement is built once per viewer, year, unit and form (the page bound): asked page after
    page, for two years and two units in turn, every page is that slice of the whole ledger of that year and
    unit, and its count and per-unit summary are the whole ledger's."""
    from test_training_scope import _viewer

    from app.training import services

    year = now().year
    for y, jp in ((year, 3), (year - 1, 5)):
        for i, key in enumerate(["staff1", "perawat", "kadis", "guru", "kapus"]):
            s = make_session(db, org, starts_at=datetime(y, 3, 10 + i, 8), hours=8, jp=jp + i)
            for other in ("staff1", "perawat", "kadis", "guru", "kabid", "kapus")[i:]:
                enroll(db, org, s, other, attendance="HADIR")
            s.status, s.closed_at = "DITUTUP", s.ends_at
    db.session.commit()
    external(db, org, "guru", jp=5, ended_on=date(year, 3, 20))
    viewer = _viewer(org, who, db.engine.dialect.name == "postgresql")
    checked = 0
    for _ in range(2):  # the second round reads the statements built in the first
        for y in (year, year - 1):
            for unit in (None, org.units["dinkes"].id):
                for below in (False, True):
                    whole, total, units = services.ledger_overview(db.session, viewer, y, unit, below, 1, 1000,
                                                                   by_unit=True)
                    for page in range(1, 5):
                        rows, n, per_unit = services.ledger_overview(db.session, viewer, y, unit, below, page, 2,
                                                                     by_unit=True)
                        assert (rows, n, per_unit) == (whole[(page - 1) * 2: page * 2], total, units), \
                            (who, y, unit, below, page)
                        checked += len(rows)
    assert checked
    # the two years differ (the cached statements are not shared between them)
    this = services.ledger_all(db.session, viewer, year)
    last = services.ledger_all(db.session, viewer, year - 1)
    assert [r.jp_sessions for r in this] != [r.jp_sessions for r in last] or not any(r.jp_sessions for r in this)
