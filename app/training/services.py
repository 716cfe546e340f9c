"""Training and socialization on the database: sessions, invitations with the waiting list, attendance and
self check-in, scores and certificates, closing, participant feedback, external trainings, the JP ledger
(training needs from the evaluations and the effect of training: ``needs``).

No web imports: every function takes the SQLAlchemy session and (for changes) an ``ActorContext`` (who acts,
the same as the performance cycle's), and is called alike by the screens, the REST API and the demo. The
rules themselves are the pure functions of ``rules``.

Errors (the callers turn them into messages beside fields, flashes or HTTP answers):

* ``DomainValidationError({field: message})`` — bad input (paths like ``entries-2-post_score``);
* ``rules.TrainingRuleError`` — a refused action (wrong person, closed session, a wrong/expired/reused code…).

The row scope (404 outside it) is applied by the callers when they load the records (``scope``).

Every change is one transaction (``app.core.transactions.atomic``): a bulk invitation or a bulk attendance is
written completely or not at all. The number of places is checked with the session row locked (``FOR
UPDATE`` on PostgreSQL; SQLite serialises writers), so two invitations at once cannot overfill a session.

Decisions where the brief is silent (documented for the screens):

* Sessions, invitations and trainer assignments are made by the Admin and the Pengelola Kinerja (the
  organisers at BKPSDM); a Pelatih runs the sessions they train: attendance, scores, certificates, the
  check-in code and closing the attendance.
* Inviting someone already invited (or on the waiting list) is refused when they are named one by one;
  inviting a unit or a position skips them and says how many were skipped. A cancelled invitation is
  renewed by inviting again (the same row: one row per employee and session).
* A place frees when an invitation is cancelled (by the organiser, or declined by the employee before the
  session starts); the oldest entry of the waiting list takes it. Raising the capacity promotes as many
  as fit; the capacity cannot drop below the places held.
* Attendance "present" is recorded from the start of the session on (excused/absent also before); attendance
  is recorded for invited participants only. Closing the attendance (from the start of the session on)
  marks every invited participant without attendance as absent; after closing nothing of the roster
  changes. JP count for present participants of closed sessions, in the year the session ends.
* A closed attendance is reopened by the Pengelola Kinerja (and the Admin), never by a trainer, with a reason
  of at least 10 characters; the closing and the reopening are kept in ``TrainingSessionEvent`` (the session's
  history on the roster) and in the audit trail. While reopened the session's JP do not count; those marked
  absent by the closing stay absent until the roster is corrected; closing again counts the JP again.
* Self check-in: 5 wrong codes in a row lock the participant's check-in for that session for 10 minutes
  (stored on the participant row, so every gunicorn worker sees it; the count is committed before the refusal
  is raised); while locked even the right code is refused, with the minutes to wait; a lock that has run out
  starts the count again. Only a wrong code counts (not a check-in before the start or after the end).
* External trainings by REST (``record_external``): the same checks as the form; the certificate file is
  optional there (JSON has none; multipart may carry one, checked by its content) — the certificate number is
  required either way, and the Pengelola sees on verification whether a file is attached.
* Feedback: once per participant who was present, after the session has ended (or its attendance closed).
* External trainings recorded by the employee wait for verification by the Pengelola Kinerja; those the
  Pengelola (or Admin) record are verified at once; only verified ones count towards the JP.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterable, Optional, Sequence
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, any_, bindparam, case, func, literal, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from app.core.errors import DomainValidationError
from app.core.transactions import atomic
from app.core.uploads import DEFAULT_MAX_BYTES, FileStore, UploadError
from app.core.validation import clean_text as _text
from app.organisation.models import Employee, Position, Unit
from app.performance.services import ActorContext, now_wib, today_wib  # noqa: F401 - re-exported
from app.security import roles as R

from . import rules
from .models import (ExternalTraining, JpTarget, TrainingFeedback, TrainingSessionEvent, TrainingParticipant,
                     TrainingSession, TrainingTopic, training_session_trainer)
from .rules import (Attendance, CheckInMethod, EnrollmentSource, EnrollmentStatus, ExternalStatus, ParticipantLabels,
                    SessionStatus, TrainingRuleError)
from .scope import Viewer, _among, employee_rows, participant_clause, subtree_ids as unit_subtree_ids

MAX_INVITE = 5000  # employees per invitation (a whole Dinas Pendidikan fits; a typo of a root unit does not)
CERTIFICATE_KINDS = ("pdf", "jpg", "png")
ACTIVE = "AKTIF"


# --- who acts -------------------------------------------------------------------------------------------

def manages(ctx: ActorContext) -> bool:
    """Admin and Pengelola Kinerja organise the city's trainings."""
    return bool(ctx.role_names & R.GLOBAL_SCOPE_ROLES)


def trains(ctx: ActorContext, training_session: TrainingSession) -> bool:
    return bool(ctx.user_id) and R.PELATIH in ctx.role_names and \
        any(u.id == ctx.user_id for u in training_session.trainers)


def runs(ctx: ActorContext, training_session: TrainingSession) -> bool:
    """May this person manage the roster of the session (attendance, scores, code, closing)?"""
    return manages(ctx) or trains(ctx, training_session)


def _require_manager(ctx: ActorContext) -> None:
    if not manages(ctx):
        raise TrainingRuleError(_l("Only the training organisers (Pengelola Kinerja) invite participants."),
                                "WRONG_ACTOR")


def _require_runner(ctx: ActorContext, training_session: TrainingSession) -> None:
    if not runs(ctx, training_session):
        raise TrainingRuleError(_l("Only the session's trainers and the training organisers manage its roster."),
                                "WRONG_ACTOR")


def _require_open(training_session: TrainingSession) -> None:
    if training_session.status == SessionStatus.DITUTUP:
        raise TrainingRuleError(_l("The attendance of this session is closed: its roster can no longer change."),
                                "CLOSED")


# --- input helpers --------------------------------------------------------------------------------------



def _score(errors: dict, key: str, value) -> Optional[Decimal]:
    """A test score from a form or JSON: blank → None; a number 0-100 with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[key] = _l("A score must be a number from 0 to 100.")
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors[key] = _l("A score must be a number from 0 to 100.")
        return None
    if not number.is_finite():
        errors[key] = _l("A score must be a number from 0 to 100.")
        return None
    problem = rules.score_problem(number)
    if problem:
        errors[key] = problem
        return None
    return number.quantize(Decimal("0.01"))


_URL_BAD = re.compile(r"[\s<>\"'\\\x00-\x1f\x7f]")


def _url(errors: dict, key: str, value) -> Optional[str]:
    text = _text(errors, key, value, rules.URL_MAX, required=False, label=_l("Online link"))
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or _URL_BAD.search(text):
        errors[key] = _l("The link must be a web address starting with http:// or https://.")
        return None
    return text


def as_int(value) -> Optional[int]:
    """An id or count from a form or JSON (digits only), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 9:
        return int(value.strip())
    return None


def _name(employee) -> str:
    return employee.full_name if hasattr(employee, "full_name") else str(employee)


# --- sessions ---------------------------------------------------------------------------------------------

def places_taken(db, session_id: int) -> int:
    return db.scalar(select(func.count()).select_from(TrainingParticipant).where(
        TrainingParticipant.session_id == session_id,
        TrainingParticipant.status == EnrollmentStatus.DIUNDANG.value)) or 0


def validate_session(db, item: TrainingSession) -> None:
    """Check a session before it is saved (forms and the REST API); fills a missing check-in code.
    Raises DomainValidationError({field: message})."""
    errors = {}
    item.title = _text(errors, "title", item.title, rules.TITLE_MAX, label=_l("Title"))
    item.organiser = _text(errors, "organiser", item.organiser, rules.ORGANISER_MAX, label=_l("Organiser"))
    item.place = _text(errors, "place", item.place, rules.PLACE_MAX, required=False, label=_l("Place"))
    item.description = _text(errors, "description", item.description, rules.DESCRIPTION_MAX, required=False,
                             label=_l("Description"))
    if "online_url" not in errors:
        item.online_url = _url(errors, "online_url", item.online_url)
    if item.kind not in rules.SessionKind.__members__:
        errors["kind"] = _l("Choose training or socialization.")
    errors.update({k: v for k, v in rules.session_problems(item.starts_at, item.ends_at, item.jp, item.capacity,
                                                          item.online_url, item.place, item.method).items()
                   if k not in errors})
    for trainer in item.trainers or []:
        if not any(r.name == R.PELATIH for r in trainer.roles):
            errors["trainers"] = _l("%(name)s does not hold the Pelatih role.", name=trainer.username)
            break
    if item.topic is not None and not item.topic.active and item.id is None:
        errors.setdefault("topic", _l("This topic is no longer active in the catalogue."))
    if item.id is not None and "capacity" not in errors:
        problem = rules.capacity_problem(item.capacity, places_taken(db, item.id))
        if problem:
            errors["capacity"] = problem
    if item.status not in (None, *SessionStatus.__members__):
        errors["status"] = _l("Unknown status.")
    if errors:
        raise DomainValidationError(errors)
    if not item.checkin_code:
        item.checkin_code = rules.make_code()
    if item.status is None:
        item.status = SessionStatus.DIBUKA.value


def after_session_saved(db, item: TrainingSession) -> int:
    """After a save (the capacity may have grown): promote from the waiting list; returns how many."""
    if item.id is None or item.status == SessionStatus.DITUTUP:
        return 0
    with atomic(db):
        return _promote(db, item)


def _lock(db, training_session: TrainingSession) -> None:
    """Lock the session row for the rest of the transaction (PostgreSQL; a no-op clause on SQLite)."""
    db.execute(select(TrainingSession.id).where(TrainingSession.id == training_session.id).with_for_update())


def _promote(db, training_session: TrainingSession) -> int:
    taken = places_taken(db, training_session.id)
    waiting = db.scalars(select(TrainingParticipant).where(
        TrainingParticipant.session_id == training_session.id,
        TrainingParticipant.status == EnrollmentStatus.DAFTAR_TUNGGU.value)
        .order_by(TrainingParticipant.invited_at, TrainingParticipant.id)).all()
    promoted = rules.promotions(training_session.capacity, taken, waiting)
    for row in promoted:
        row.status = EnrollmentStatus.DIUNDANG.value
    return len(promoted)


def regenerate_code(db, ctx: ActorContext, training_session: TrainingSession) -> str:
    _require_runner(ctx, training_session)
    _require_open(training_session)
    with atomic(db):
        training_session.checkin_code = rules.make_code()
    return training_session.checkin_code


def create_session(db, ctx: ActorContext, data: dict, trainers: Sequence = (), units: Sequence = (),
                   employee_ids: Sequence[int] = (), source: str = EnrollmentSource.KEBUTUHAN.value):
    """A new session and (optionally) its first participants, in one transaction (the training-needs page:
    "create a session with these employees invited"). ``data`` holds the session's columns. Returns
    (session, InviteResult)."""
    _require_manager(ctx)
    item = TrainingSession(kind=data.get("kind") or rules.SessionKind.PELATIHAN.value,
                           method=data.get("method") or rules.Method.KLASIKAL.value,
                           title=data.get("title"), topic_id=data.get("topic_id"), organiser=data.get("organiser"),
                           place=data.get("place"), online_url=data.get("online_url"),
                           starts_at=data.get("starts_at"), ends_at=data.get("ends_at"), jp=data.get("jp"),
                           capacity=data.get("capacity"), description=data.get("description"),
                           created_by_id=ctx.user_id)
    with db.no_autoflush:
        item.topic = db.get(TrainingTopic, item.topic_id) if item.topic_id else None
        item.trainers = list(trainers)
        item.units = list(units)
        validate_session(db, item)
    with atomic(db):
        db.add(item)
        db.flush()
        result = invite(db, ctx, item, employee_ids=employee_ids, source=source, commit=False) if employee_ids \
            else InviteResult()
    return item, result


# --- invitations and the waiting list --------------------------------------------------------------------------

@dataclass
class InviteResult:
    invited: list = field(default_factory=list)  # employee ids given a place
    waitlisted: list = field(default_factory=list)  # employee ids on the waiting list
    skipped: list = field(default_factory=list)  # employee ids already registered (unit/position invitations)

    @property
    def total(self) -> int:
        return len(self.invited) + len(self.waitlisted)


def _candidates(db, employee_ids, unit_id, include_subunits, position_id) -> tuple[list, str, dict]:
    """(employees, source, errors): the active employees the invitation names, in order."""
    errors = {}
    if employee_ids:
        ids = []
        for i, raw in enumerate(employee_ids):
            pk = as_int(raw)
            if pk is None:
                errors["employees"] = _l("Invalid employee.")
                return [], EnrollmentSource.DAFTAR.value, errors
            if pk not in ids:
                ids.append(pk)
        if len(ids) > MAX_INVITE:
            errors["employees"] = _l("At most %(max)d employees per invitation.", max=MAX_INVITE)
            return [], EnrollmentSource.DAFTAR.value, errors
        found = {e.id: e for e in db.scalars(select(Employee).where(Employee.id.in_(ids))).unique()}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            errors["employees"] = _l("Invalid choice: the record does not exist or is outside your access")
        inactive = [found[pk] for pk in ids if pk in found and found[pk].status != ACTIVE]
        if inactive:
            errors["employees"] = _l("Not active, cannot be invited: %(names)s",
                                     names=", ".join(_name(e) for e in inactive[:10]))
        return [found[pk] for pk in ids if pk in found], EnrollmentSource.DAFTAR.value, errors
    if unit_id:
        unit = db.get(Unit, unit_id) if as_int(unit_id) else None
        if unit is None:
            return [], EnrollmentSource.UNIT.value, {"unit": _l("Choose a unit.")}
        where = Employee.unit_id.in_(unit_subtree_ids(unit.id)) if include_subunits else Employee.unit_id == unit.id
        rows = db.scalars(select(Employee).where(where, Employee.status == ACTIVE).order_by(Employee.name, Employee.id)
                          .limit(MAX_INVITE + 1)).unique().all()
        if len(rows) > MAX_INVITE:
            return [], EnrollmentSource.UNIT.value, {"unit": _l("At most %(max)d employees per invitation.",
                                                                max=MAX_INVITE)}
        if not rows:
            return [], EnrollmentSource.UNIT.value, {"unit": _l("This unit has no active employees.")}
        return list(rows), EnrollmentSource.UNIT.value, errors
    if position_id:
        position = db.get(Position, position_id) if as_int(position_id) else None
        if position is None:
            return [], EnrollmentSource.JABATAN.value, {"position": _l("Choose a position.")}
        rows = db.scalars(select(Employee).where(Employee.position_id == position.id, Employee.status == ACTIVE)
                          .order_by(Employee.name, Employee.id)).unique().all()
        if not rows:
            return [], EnrollmentSource.JABATAN.value, {"position": _l("Nobody active holds this position.")}
        return list(rows), EnrollmentSource.JABATAN.value, errors
    return [], EnrollmentSource.DAFTAR.value, {"employees": _l("Choose employees, a unit or a position to invite.")}


def invite(db, ctx: ActorContext, training_session: TrainingSession, employee_ids: Sequence = (),
           unit_id=None, include_subunits: bool = False, position_id=None, source: Optional[str] = None,
           commit: bool = True, now: Optional[datetime] = None) -> InviteResult:
    """Invite employees (one by one, a unit — with its sub-units when asked — or the holders of a position).
    Places are given in order while they last; the overflow goes to the waiting list. One transaction."""
    _require_manager(ctx)
    _require_open(training_session)
    people, default_source, errors = _candidates(db, employee_ids, unit_id, include_subunits, position_id)
    if errors:
        raise DomainValidationError(errors)
    source = source or default_source
    if source not in EnrollmentSource.__members__:
        raise DomainValidationError({"source": _l("Unknown source.")})
    explicit = bool(employee_ids)
    result = InviteResult()
    with atomic(db, commit):
        _lock(db, training_session)
        existing = {p.employee_id: p for p in db.scalars(select(TrainingParticipant).where(
            TrainingParticipant.session_id == training_session.id,
            TrainingParticipant.employee_id.in_([e.id for e in people])))}
        already = [e for e in people if e.id in existing and existing[e.id].status != EnrollmentStatus.DIBATALKAN]
        if already and explicit:
            raise DomainValidationError({"employees": _l(
                "Already registered for this session (invited or on the waiting list): %(names)s",
                names=", ".join(_name(e) for e in already[:10]))})
        result.skipped = [e.id for e in already]
        fresh = [e for e in people if e not in already]
        n_invited, _ = rules.allocate(training_session.capacity, places_taken(db, training_session.id), len(fresh))
        moment = now or now_wib()
        for i, employee in enumerate(fresh):
            status = EnrollmentStatus.DIUNDANG if i < n_invited else EnrollmentStatus.DAFTAR_TUNGGU
            row = existing.get(employee.id)
            if row is None:
                db.add(TrainingParticipant(session_id=training_session.id, employee_id=employee.id,
                                           unit_id=employee.unit_id, status=status.value, source=source,
                                           invited_at=moment))
            else:  # a cancelled invitation, renewed
                row.status, row.source, row.invited_at, row.unit_id = status.value, source, moment, employee.unit_id
                row.attendance = row.checked_in_at = row.checkin_method = None
            (result.invited if status == EnrollmentStatus.DIUNDANG else result.waitlisted).append(employee.id)
    return result


def cancel(db, ctx: ActorContext, participant: TrainingParticipant, now: Optional[datetime] = None) -> int:
    """Cancel an invitation (the organisers), or decline one's own before the session starts (the employee).
    The freed place goes to the waiting list. Returns how many were promoted."""
    training_session = participant.session
    own = bool(ctx.employee_id) and participant.employee_id == ctx.employee_id
    if not (manages(ctx) or own):
        raise TrainingRuleError(_l("Only the training organisers cancel invitations."), "WRONG_ACTOR")
    _require_open(training_session)
    if participant.status == EnrollmentStatus.DIBATALKAN:
        raise TrainingRuleError(_l("This invitation is already cancelled."), "ALREADY")
    if participant.attendance is not None:
        raise TrainingRuleError(_l("The attendance is already recorded: the invitation cannot be cancelled."),
                                "ATTENDED")
    if own and not manages(ctx) and (now or now_wib()) >= training_session.starts_at:
        raise TrainingRuleError(_l("The session has started: ask the organisers to cancel your invitation."),
                                "STARTED")
    with atomic(db):
        _lock(db, training_session)
        participant.status = EnrollmentStatus.DIBATALKAN.value
        db.flush()
        return _promote(db, training_session)


# --- attendance, scores, certificates ---------------------------------------------------------------------------

def record_roster(db, ctx: ActorContext, training_session: TrainingSession, entries: Sequence[dict],
                  now: Optional[datetime] = None) -> int:
    """Bulk attendance, scores and certificate numbers: each entry names the employee (``employee_id``) and
    any of ``attendance`` (HADIR/IZIN/TIDAK_HADIR, or "" to clear), ``pre_score``, ``post_score``,
    ``certificate_number``; keys left out are not changed. All entries or none. Returns the number of rows
    changed."""
    _require_runner(ctx, training_session)
    _require_open(training_session)
    if not isinstance(entries, (list, tuple)) or not entries:
        raise DomainValidationError({"entries": _l("Choose the participants to record.")})
    if len(entries) > rules.CAPACITY_MAX:
        raise DomainValidationError({"entries": _l("Too many entries.")})
    moment = now or now_wib()
    rows = {p.employee_id: p for p in db.scalars(select(TrainingParticipant).where(
        TrainingParticipant.session_id == training_session.id)).all()}
    names = {}
    errors, plan = {}, []
    for i, entry in enumerate(entries):
        p = f"entries-{i}"
        if not isinstance(entry, dict):
            errors[p] = _l("Invalid entry.")
            continue
        employee_id = as_int(entry.get("employee_id"))
        row = rows.get(employee_id) if employee_id is not None else None
        if row is None or row.status == EnrollmentStatus.DIBATALKAN:
            if employee_id is not None and employee_id not in names:
                employee = db.get(Employee, employee_id)
                names[employee_id] = _name(employee) if employee is not None else str(employee_id)
            errors[f"{p}-employee_id"] = _l("%(name)s is not registered for this session: attendance is recorded "
                                            "for invited participants only.", name=names.get(employee_id, "?"))
            continue
        if row.status == EnrollmentStatus.DAFTAR_TUNGGU:
            errors[f"{p}-employee_id"] = _l("%(name)s is on the waiting list: attendance is recorded for invited "
                                            "participants only.", name=_name(row.employee))
            continue
        change = {}
        if "attendance" in entry:
            value = entry.get("attendance") or None
            if value is not None and value not in Attendance.__members__:
                errors[f"{p}-attendance"] = _l("Attendance must be present, excused or absent.")
            elif value == Attendance.HADIR and moment < training_session.starts_at:
                errors[f"{p}-attendance"] = _l("Presence can be recorded once the session has started.")
            else:
                change["attendance"] = value
        for key in ("pre_score", "post_score"):
            if key in entry:
                change[key] = _score(errors, f"{p}-{key}", entry.get(key))
        if "certificate_number" in entry:
            change["certificate_number"] = _text(errors, f"{p}-certificate_number", entry.get("certificate_number"),
                                                 rules.CERTIFICATE_MAX, required=False, label=_l("Certificate number"))
        if change.get("certificate_number") and (change.get("attendance", row.attendance) != Attendance.HADIR):
            errors[f"{p}-certificate_number"] = _l("A certificate is given to participants who were present.")
        plan.append((row, change))
    if errors:
        raise DomainValidationError(errors)
    changed = 0
    with atomic(db):
        for row, change in plan:
            before = (row.attendance, row.pre_score, row.post_score, row.certificate_number)
            if "attendance" in change and change["attendance"] != row.attendance:
                row.attendance = change["attendance"]
                if row.attendance is None:
                    row.checked_in_at = row.checkin_method = None
                elif row.checkin_method != CheckInMethod.KODE or row.attendance != Attendance.HADIR:
                    row.checkin_method = CheckInMethod.PELATIH.value
                    row.checked_in_at = moment if row.attendance == Attendance.HADIR else None
            for key in ("pre_score", "post_score", "certificate_number"):
                if key in change:
                    setattr(row, key, change[key])
            if (row.attendance, row.pre_score, row.post_score, row.certificate_number) != before:
                changed += 1
    return changed


def mark(db, ctx: ActorContext, training_session: TrainingSession, employee_ids: Iterable, attendance: str,
         now: Optional[datetime] = None) -> int:
    """Bulk present / excused / absent for the chosen participants (the roster's buttons)."""
    ids = [as_int(e) for e in employee_ids or []]
    if any(i is None for i in ids):
        raise DomainValidationError({"entries": _l("Invalid employee.")})
    return record_roster(db, ctx, training_session, [{"employee_id": i, "attendance": attendance} for i in ids],
                         now=now)


def close_attendance(db, ctx: ActorContext, training_session: TrainingSession, now: Optional[datetime] = None) -> int:
    """Close the attendance: every invited participant without attendance is absent; the session's JP now
    count for those present. Returns how many were marked absent."""
    _require_runner(ctx, training_session)
    _require_open(training_session)
    moment = now or now_wib()
    if moment < training_session.starts_at:
        raise TrainingRuleError(_l("The attendance can be closed once the session has started."), "NOT_STARTED")
    with atomic(db):
        _lock(db, training_session)
        missing = db.scalars(select(TrainingParticipant).where(
            TrainingParticipant.session_id == training_session.id,
            TrainingParticipant.status == EnrollmentStatus.DIUNDANG.value,
            TrainingParticipant.attendance.is_(None))).all()
        for row in missing:
            row.attendance = Attendance.TIDAK_HADIR.value
            row.checkin_method = CheckInMethod.PELATIH.value
        training_session.status = SessionStatus.DITUTUP.value
        training_session.closed_at = moment
        db.add(TrainingSessionEvent(session_id=training_session.id, kind=rules.SessionEventKind.DITUTUP.value,
                                    user_id=ctx.user_id, created_on=moment))
    return len(missing)


def reopen_attendance(db, ctx: ActorContext, training_session: TrainingSession, reason,
                      now: Optional[datetime] = None) -> None:
    """Reopen a closed attendance (the Pengelola Kinerja and the Admin, not the trainers) with a required
    reason, kept in the session's history (and the audit trail). The roster can change again; the JP of the
    session stop counting until the attendance is closed again (the ledger reads closed sessions only).
    Those marked absent by the closing stay absent until the roster is corrected."""
    if not manages(ctx):
        raise TrainingRuleError(_l("Only the Pengelola Kinerja can reopen a closed attendance."), "WRONG_ACTOR")
    if training_session.status != SessionStatus.DITUTUP:
        raise TrainingRuleError(_l("The attendance of this session is not closed."), "NOT_CLOSED")
    problem = rules.reopen_problem(reason)
    if problem:
        raise DomainValidationError({"reason": problem})
    errors: dict = {}
    text = _text(errors, "reason", reason, rules.REOPEN_REASON_MAX, label=_l("Reason"))
    if errors:
        raise DomainValidationError(errors)
    moment = now or now_wib()
    with atomic(db):
        _lock(db, training_session)
        training_session.status = SessionStatus.DIBUKA.value
        training_session.closed_at = None
        db.add(TrainingSessionEvent(session_id=training_session.id, kind=rules.SessionEventKind.DIBUKA_KEMBALI.value,
                                    reason=text, user_id=ctx.user_id, created_on=moment))


def session_history(db, session_id: int) -> list:
    """The closings and reopenings of a session's attendance, oldest first (with who: one statement)."""
    return db.scalars(select(TrainingSessionEvent).where(TrainingSessionEvent.session_id == session_id)
                      .order_by(TrainingSessionEvent.created_on, TrainingSessionEvent.id)).all()


def own_participation(db, employee_id: Optional[int], session_id: int) -> Optional[TrainingParticipant]:
    if not employee_id:
        return None
    return db.scalar(select(TrainingParticipant).where(TrainingParticipant.session_id == session_id,
                                                       TrainingParticipant.employee_id == employee_id))


def check_in(db, ctx: ActorContext, training_session: TrainingSession, code, now: Optional[datetime] = None) \
        -> TrainingParticipant:
    """Self check-in with the session's code: accepted once, while the session runs, for invited
    participants. Refusals raise TrainingRuleError with the reason (``rules.check_in_refusal``)."""
    moment = now or now_wib()
    row = own_participation(db, ctx.employee_id, training_session.id)
    if row is not None:  # locked out after too many wrong codes: not even a right code is tried
        locked = rules.checkin_lock_refusal(row.checkin_locked_until, moment)
        if locked is not None:
            raise locked
    refusal = rules.check_in_refusal(code, training_session.checkin_code, moment, training_session.starts_at,
                                     training_session.ends_at, training_session.status == SessionStatus.DITUTUP,
                                     row.status if row is not None else None,
                                     row is not None and row.attendance == Attendance.HADIR)
    if refusal is not None:
        if refusal.code == "WRONG_CODE" and row is not None:
            _count_wrong_code(db, row, moment)
            locked = rules.checkin_lock_refusal(row.checkin_locked_until, moment)
            if locked is not None:  # this was the last try allowed
                raise locked
        raise refusal
    with atomic(db):
        row.attendance = Attendance.HADIR.value
        row.checked_in_at = moment
        row.checkin_method = CheckInMethod.KODE.value
        row.checkin_failures, row.checkin_locked_until = 0, None
    return row


def _count_wrong_code(db, row: TrainingParticipant, moment: datetime) -> None:
    """One more wrong check-in code of this participant, committed at once (the refusal that follows rolls
    back nothing of it). The row is read again locked (``FOR UPDATE`` on PostgreSQL; SQLite serialises
    writers), so two workers counting at once cannot lose a try."""
    with atomic(db):
        db.refresh(row, attribute_names=["checkin_failures", "checkin_locked_until"], with_for_update=True)
        row.checkin_failures, row.checkin_locked_until = rules.after_wrong_code(
            row.checkin_failures, row.checkin_locked_until, moment)


def give_feedback(db, ctx: ActorContext, training_session: TrainingSession, rating, comment,
                  now: Optional[datetime] = None) -> TrainingFeedback:
    """The participant's feedback (1-5 and a comment) on a session they attended, once, after it ended."""
    row = own_participation(db, ctx.employee_id, training_session.id)
    if row is None or row.status != EnrollmentStatus.DIUNDANG:
        raise TrainingRuleError(_l("Only participants of the session give feedback on it."), "NOT_ENROLLED")
    if row.attendance != Attendance.HADIR:
        raise TrainingRuleError(_l("Feedback is given by participants who were present."), "NOT_PRESENT")
    moment = now or now_wib()
    if moment < training_session.ends_at and training_session.status != SessionStatus.DITUTUP:
        raise TrainingRuleError(_l("Feedback can be given once the session has ended."), "NOT_ENDED")
    if db.scalar(select(TrainingFeedback.id).where(TrainingFeedback.participant_id == row.id)) is not None:
        raise TrainingRuleError(_l("You have already given your feedback on this session."), "ALREADY")
    errors = {}
    value = as_int(rating) if not isinstance(rating, int) or isinstance(rating, bool) else rating
    problem = rules.rating_problem(value)
    if problem:
        errors["rating"] = problem
    text = _text(errors, "comment", comment, rules.COMMENT_MAX, required=False, label=_l("Comment"))
    if errors:
        raise DomainValidationError(errors)
    with atomic(db):
        item = TrainingFeedback(participant_id=row.id, session_id=training_session.id, rating=value, comment=text)
        db.add(item)
    return item


# --- external trainings ----------------------------------------------------------------------------------------

def validate_external(db, ctx: ActorContext, item: ExternalTraining, is_new: bool) -> None:
    """Check an external training (forms); the certificate file is checked when it is stored."""
    errors = {}
    item.title = _text(errors, "title", item.title, rules.TITLE_MAX, label=_l("Title"))
    item.organiser = _text(errors, "organiser", item.organiser, rules.ORGANISER_MAX, label=_l("Organiser"))
    item.certificate_number = _text(errors, "certificate_number", item.certificate_number, rules.CERTIFICATE_MAX,
                                    label=_l("Certificate number"))
    item.notes = _text(errors, "notes", item.notes, rules.NOTES_MAX, required=False, label=_l("Notes"))
    if item.method not in rules.Method.__members__:
        errors["method"] = _l("Choose classroom or one of the non-classical channels.")
    if not isinstance(item.started_on, date):
        errors["started_on"] = _l("The start date is required.")
    if not isinstance(item.ended_on, date):
        errors["ended_on"] = _l("The end date is required.")
    if isinstance(item.started_on, date) and isinstance(item.ended_on, date):
        if item.ended_on < item.started_on:
            errors["ended_on"] = _l("The end date cannot be before the start date.")
        elif item.ended_on > today_wib():
            errors["ended_on"] = _l("Record a training once it has ended.")
        elif item.started_on.year < rules.YEAR_MIN:
            errors["started_on"] = _l("The dates must lie between %(min)d and %(max)d.", min=rules.YEAR_MIN,
                                      max=rules.YEAR_MAX)
    if item.jp is None or isinstance(item.jp, bool) or not isinstance(item.jp, int) or item.jp <= 0:
        errors["jp"] = _l("JP must be greater than zero.")
    elif item.jp > rules.JP_MAX:
        errors["jp"] = _l("JP cannot be more than %(max)d.", max=rules.JP_MAX)
    employee_id = item.employee.id if item.employee is not None else item.employee_id
    if not employee_id:
        errors["employee"] = _l("Choose the employee.")
    if errors:
        raise DomainValidationError(errors)
    if is_new:
        item.recorded_by_id = ctx.user_id
        if manages(ctx):
            item.status = ExternalStatus.DISETUJUI.value
            item.verified_by_id, item.verified_at = ctx.user_id, now_wib()
        else:
            item.status = ExternalStatus.DIAJUKAN.value
    elif not manages(ctx):
        if item.status != ExternalStatus.DIAJUKAN:
            raise TrainingRuleError(_l("A verified or rejected record is changed by the Pengelola Kinerja only."),
                                    "NOT_EDITABLE")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(errors: dict, key: str, value) -> Optional[date]:
    """A date from JSON or a form: "YYYY-MM-DD" (blank → None, left to the checks that require it)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[key] = _l("Enter the date as YYYY-MM-DD.")
    return None


def record_external(db, ctx: ActorContext, data: dict, stream=None, filename: str = "",
                    store: Optional[FileStore] = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ExternalTraining:
    """A new external training from the REST API (a JSON object, or the fields of a multipart form with the
    certificate as ``file``): the same checks as the screen (``validate_external``; the file checked by its
    content by ``store_certificate``). An employee records their own (waiting for verification); the
    organisers record anyone's (verified at once). ``employee_id`` may be left out for one's own.
    DomainValidationError({field: message}) on bad input; nothing is kept then (not the file either)."""
    errors: dict = {}
    raw_employee = data.get("employee_id")
    employee_id = as_int(raw_employee) if raw_employee not in (None, "") else ctx.employee_id
    invalid = _l("Invalid choice: the record does not exist or is outside your access")
    employee = db.get(Employee, employee_id) if employee_id else None
    if raw_employee not in (None, "") and (employee is None or (not manages(ctx) and employee.id != ctx.employee_id)):
        errors["employee_id"] = invalid
        employee = None
    elif employee is None:
        errors["employee_id"] = _l("Choose the employee.")
    topic = None
    raw_topic = data.get("topic_id")
    if raw_topic not in (None, ""):
        topic = db.get(TrainingTopic, as_int(raw_topic)) if as_int(raw_topic) else None
        if topic is None:
            errors["topic_id"] = invalid
    method = data.get("method")
    if method in (None, ""):
        method = rules.Method.KLASIKAL.value
    elif not isinstance(method, str):
        method = "?"  # refused by validate_external with its message
    jp = data.get("jp")
    if isinstance(jp, str):
        jp = as_int(jp) if as_int(jp) is not None else jp
    item = ExternalTraining(employee=employee, employee_id=employee.id if employee else None, title=data.get("title"),
                            organiser=data.get("organiser"),
                            method=method, topic=topic,
                            started_on=_iso_date(errors, "started_on", data.get("started_on")),
                            ended_on=_iso_date(errors, "ended_on", data.get("ended_on")),
                            jp=jp, certificate_number=data.get("certificate_number"), notes=data.get("notes"))
    with db.no_autoflush:
        try:
            validate_external(db, ctx, item, is_new=True)
        except DomainValidationError as exc:
            errors = {**{k: v for k, v in exc.errors.items() if k != "employee"}, **errors}
            if "employee" in exc.errors and "employee_id" not in errors:
                errors["employee_id"] = exc.errors["employee"]
    if errors:
        raise DomainValidationError(errors)
    if stream is not None:
        if store is None:
            raise ValueError("a FileStore is needed to keep the certificate")
        store_certificate(item, stream, filename, store, max_bytes)
    try:
        with atomic(db):
            db.add(item)
    except Exception:
        if item.stored_name and store is not None:
            store.delete(item.stored_name)  # the row was refused: do not keep its file
        raise
    return item


def store_certificate(item: ExternalTraining, stream, filename: str, store: FileStore,
                      max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Keep the certificate (PDF, JPG or PNG, checked by content) and put its details on ``item``.
    DomainValidationError on a refused file."""
    try:
        stored = store.save(stream, filename or "", allowed=CERTIFICATE_KINDS, max_bytes=max_bytes)
    except UploadError as exc:
        raise DomainValidationError({"file": exc.message}) from None
    item.original_name, item.stored_name = stored.original_name, stored.stored_name
    item.content_type, item.size_bytes, item.sha256 = stored.content_type, stored.size_bytes, stored.sha256


def verify_external(db, ctx: ActorContext, items: Sequence[ExternalTraining], accept: bool) -> int:
    if not manages(ctx):
        raise TrainingRuleError(_l("External trainings are verified by the Pengelola Kinerja."), "WRONG_ACTOR")
    with atomic(db):
        for item in items:
            item.status = (ExternalStatus.DISETUJUI if accept else ExternalStatus.DITOLAK).value
            item.verified_by_id, item.verified_at = ctx.user_id, now_wib()
    return len(items)


def external_for_download(db, viewer: Viewer, pk) -> Optional[ExternalTraining]:
    from .scope import external_clause

    pk = as_int(pk)
    if pk is None:
        return None
    return db.scalar(select(ExternalTraining).where(ExternalTraining.id == pk, external_clause(viewer),
                                                    ExternalTraining.stored_name.is_not(None)))


# --- JP targets -------------------------------------------------------------------------------------------------

def validate_jp_target(db, item: JpTarget) -> None:
    errors = rules.jp_target_problem(item.asn_type, item.target_jp)
    item.notes = _text(errors, "notes", item.notes, 500, required=False, label=_l("Notes"))
    if not errors and db.scalar(select(JpTarget.id).where(JpTarget.asn_type == item.asn_type,
                                                          JpTarget.id != (item.id or 0))) is not None:
        errors["asn_type"] = _l("This ASN type already has a target.")
    if errors:
        raise DomainValidationError(errors)


def stored_targets(db) -> dict:
    return dict(db.execute(select(JpTarget.asn_type, JpTarget.target_jp)).all())


def _target_column(asn_type=None):
    """The yearly target of the employee's ASN type (``asn_type``: that column, ``Employee.asn_type`` by default):
    the stored one, else the default (SQL CASE)."""
    default = case({k: v for k, v in rules.DEFAULT_JP_TARGETS.items()},
                   value=Employee.asn_type if asn_type is None else asn_type, else_=rules.DEFAULT_JP_TARGETS["PNS"])
    return func.coalesce(JpTarget.target_jp, default)


# --- the JP ledger (aggregate SQL: one statement, whatever the number of employees) --------------------------------

def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def jp_totals(year: int, employees=None):
    """Subquery (employee_id, jp_sessions, jp_external): the JP of ``year`` per employee, from attended
    sessions whose attendance is closed (in the year they end) and verified external trainings (in the year
    they end). GROUP BY in SQL: the JP ledger of the whole city. ``employees`` (a SELECT of employee ids, PostgreSQL
    only): the rows of those employees only, as ``= ANY(ARRAY(...))`` (an OPD's or a scope's ledger, see
    ``_ledger_base``)."""
    start, end = year_bounds(year)
    sessions = (select(TrainingParticipant.employee_id.label("employee_id"), TrainingSession.jp.label("jp"),
                       literal(1).label("own"))
                .join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
                .where(TrainingSession.ends_at >= start, TrainingSession.ends_at < end,
                       TrainingSession.status == SessionStatus.DITUTUP.value,
                       TrainingParticipant.attendance == Attendance.HADIR.value))
    external = (select(ExternalTraining.employee_id.label("employee_id"), ExternalTraining.jp.label("jp"),
                       literal(0).label("own"))
                .where(ExternalTraining.ended_on >= start.date(), ExternalTraining.ended_on < end.date(),
                       ExternalTraining.status == ExternalStatus.DISETUJUI.value))
    if employees is not None:  # only these employees' rows (a SELECT of employee ids)
        sessions = sessions.where(TrainingParticipant.employee_id == any_(func.array(employees.scalar_subquery())))
        external = external.where(ExternalTraining.employee_id == any_(func.array(employees.scalar_subquery())))
    both = union_all(sessions, external).subquery("jp_rows")
    return (select(both.c.employee_id,
                   func.sum(case((both.c.own == 1, both.c.jp), else_=0)).label("jp_sessions"),
                   func.sum(case((both.c.own == 0, both.c.jp), else_=0)).label("jp_external"))
            .group_by(both.c.employee_id).subquery("jp_totals"))


LEDGER_RESTRICT = True  # PostgreSQL, an OPD or a scope: group only its employees' rows (``_ledger_base``; tests)
LEDGER_MODE = None  # None: by the viewer (``_ledger_base``); "group" or "correlated": forced (benchmarks, tests)


def _ledger_mode(viewer: Viewer, limited: bool) -> str:
    if LEDGER_MODE:
        return LEDGER_MODE
    return "correlated" if limited and not viewer.arrays else "group"


def _employee_jp_columns(year: int):
    """(JP from sessions, JP external) of ``Employee`` in ``year`` as correlated scalar subqueries: the employee's
    attended sessions from ``ix_training_participant_employee_attendance`` (index only), each session by its
    key; the external trainings from ``ix_external_training_employee_ended_on``."""
    start, end = year_bounds(year)
    sessions = (select(func.coalesce(func.sum(TrainingSession.jp), 0))
                .select_from(TrainingParticipant)
                .join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
                .where(TrainingParticipant.employee_id == Employee.id,
                       TrainingParticipant.attendance == Attendance.HADIR.value,
                       TrainingSession.ends_at >= start, TrainingSession.ends_at < end,
                       TrainingSession.status == SessionStatus.DITUTUP.value)
                .correlate(Employee).scalar_subquery())
    external = (select(func.coalesce(func.sum(ExternalTraining.jp), 0))
                .where(ExternalTraining.employee_id == Employee.id,
                       ExternalTraining.ended_on >= start.date(), ExternalTraining.ended_on < end.date(),
                       ExternalTraining.status == ExternalStatus.DISETUJUI.value)
                .correlate(Employee).scalar_subquery())
    return sessions, external


def _ledger_scope(viewer: Viewer):
    """The viewer's employees (``employee_rows``); in the arrays form (PostgreSQL) the supervisor chain level by level
    (``app.performance.scope.subordinate_array``, one index scan per level: the recursive ``subordinate_ids`` hashes
    the city's 15,000 employees, ~3.5 of the Pimpinan's ~12 ms of ledger SQL). The same people."""
    scope = viewer.scope
    if not viewer.arrays or not scope.subordinates_of or viewer.subordinate_set is not None:
        return employee_rows(viewer, Employee.id, Employee.unit_id)
    from app.performance.scope import subordinate_array
    from app.security.scope import unit_subtree_ids as scope_subtree_ids

    parts = [Employee.id == scope.employee_id] if scope.employee_id else []
    parts.append(Employee.id == any_(subordinate_array(scope.subordinates_of)))
    if scope.unit_root_id:
        parts.append(_among(viewer, Employee.unit_id, scope_subtree_ids(scope.unit_root_id)))
    return or_(*parts)


def _ledger_base(viewer: Viewer, year: int, unit_id: Optional[int] = None, subtree: bool = True):
    """(totals subquery or None, JP from sessions, JP external, target, conditions on ``Employee``).

    The whole city (no scope, no unit) sums the year's attended rows once, GROUP BY employee ("group"). On
    SQLite an OPD or a scope (a Pimpinan's ~1,100 employees) sums per employee instead ("correlated": the
    employee's attended sessions from the ``(employee_id, attendance, session_id)`` index; the ledger SQL of the
    largest OPD ~28 → ~20 ms). On PostgreSQL a correlated sum per employee is far slower (a second per OPD) and
    the grouped city stays (the scope in its arrays form: ~95 → ~30 ms for a Pimpinan), grouping only the rows of
    the ledger's own employees (``LEDGER_RESTRICT``: their ids as an array, the participants read from the
    ``(employee_id, attendance, session_id)`` index; the city's 23,000 attended rows grouped for 1,100 people
    before: the statement 15-20 % shorter for a Pimpinan and the largest OPD, A/B in one process). The same rows
    (tests/test_training_list_queries.py)."""
    conditions = [Employee.status == ACTIVE]
    if not viewer.everything:
        conditions.append(_ledger_scope(viewer) if not viewer.scope.empty else literal(False))
    if unit_id:
        # arrays (PostgreSQL): the subtree's ids as an index condition (``ix_employee_unit_status``), not a hash join
        # over a scan of the city's employees
        conditions.append(_among(viewer, Employee.unit_id, unit_subtree_ids(unit_id)) if subtree
                          else Employee.unit_id == unit_id)
    mode = _ledger_mode(viewer, len(conditions) > 1)
    target = _target_column()
    if mode == "correlated":
        sessions_jp, external_jp = _employee_jp_columns(year)
        return None, sessions_jp, external_jp, target, conditions
    restrict = LEDGER_RESTRICT and mode == "group" and viewer.arrays and len(conditions) > 1
    if restrict:  # the ledger's employees once (``_ledger_cte``): a MATERIALIZED CTE read by the totals and the rows
        return "restrict", None, None, target, conditions
    totals = jp_totals(year)
    sessions_jp = func.coalesce(totals.c.jp_sessions, 0)
    external_jp = func.coalesce(totals.c.jp_external, 0)
    return totals, sessions_jp, external_jp, target, conditions


def _ledger_cte(viewer: Viewer, year: int, unit_id: Optional[int] = None, subtree: bool = True):
    """CTE ``ledger`` (id, nip, name, titles, asn_type, unit_id, jp_sessions, jp_external, jp_total, target,
    below): one row per active employee in the viewer's scope (and ``unit_id``'s subtree). The page, its count
    and the per-unit summary all read it, so the totals are computed once per statement."""
    totals, sessions_jp, external_jp, target, conditions = _ledger_base(viewer, year, unit_id, subtree)
    if totals == "restrict":
        # PostgreSQL, an OPD or a scope: the employees in it found once (the scope's test, the supervisor chain and
        # the unit subtree evaluated once, not three times), their ids then restricting the JP rows to sum
        people = (select(Employee.id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
                         Employee.asn_type, Employee.unit_id)
                  .where(*conditions).cte("ledger_people").prefix_with("MATERIALIZED"))
        totals = jp_totals(year, select(people.c.id))
        sessions_jp = func.coalesce(totals.c.jp_sessions, 0)
        external_jp = func.coalesce(totals.c.jp_external, 0)
        total_jp, target = sessions_jp + external_jp, _target_column(people.c.asn_type)
        return (select(people.c.id, people.c.nip, people.c.name, people.c.front_title, people.c.back_title,
                       people.c.asn_type, people.c.unit_id, sessions_jp.label("jp_sessions"),
                       external_jp.label("jp_external"), total_jp.label("jp_total"), target.label("target"),
                       case((total_jp < target, 1), else_=0).label("below"))
                .select_from(people)
                .outerjoin(totals, totals.c.employee_id == people.c.id)
                .outerjoin(JpTarget, JpTarget.asn_type == people.c.asn_type).cte("ledger"))
    if totals is None:
        # per employee (correlated subqueries): each sum once, in a MATERIALIZED CTE; the total and "below" read
        # its columns (written inline, SQLite would run each subquery three times per employee)
        people = (select(Employee.id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
                         Employee.asn_type, Employee.unit_id, sessions_jp.label("jp_sessions"),
                         external_jp.label("jp_external"), target.label("target"))
                  .select_from(Employee).outerjoin(JpTarget, JpTarget.asn_type == Employee.asn_type)
                  .where(*conditions).cte("ledger_people").prefix_with("MATERIALIZED"))
        total_jp = people.c.jp_sessions + people.c.jp_external
        return select(people.c.id, people.c.nip, people.c.name, people.c.front_title, people.c.back_title,
                      people.c.asn_type, people.c.unit_id, people.c.jp_sessions, people.c.jp_external,
                      total_jp.label("jp_total"), people.c.target,
                      case((total_jp < people.c.target, 1), else_=0).label("below")).cte("ledger")
    total_jp = sessions_jp + external_jp
    return (select(Employee.id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
                   Employee.asn_type, Employee.unit_id, sessions_jp.label("jp_sessions"),
                   external_jp.label("jp_external"), total_jp.label("jp_total"), target.label("target"),
                   case((total_jp < target, 1), else_=0).label("below"))
            .select_from(Employee)
            .outerjoin(totals, totals.c.employee_id == Employee.id)
            .outerjoin(JpTarget, JpTarget.asn_type == Employee.asn_type)
            .where(*conditions).cte("ledger"))


def ledger_overview(db, viewer: Viewer, year: int, unit_id: Optional[int] = None, below_only: bool = False,
                    page: int = 1, page_size: int = 50, subtree: bool = True, by_unit: bool = False) \
        -> tuple[list, int, list]:
    """(rows, total, units): one page of the ledger, how many rows it has in all, and (``by_unit``) the
    per-unit summary (``UnitLedger``, by unit name) — in ONE statement: the ledger CTE is computed once and
    read by the page, the count and the GROUP BY of the units (UNION ALL of the three parts)."""
    statement = _overview_statement(viewer, year, unit_id, subtree, below_only, by_unit, LEDGER_MODE, LEDGER_RESTRICT)
    rows, units, total = [], [], 0
    for r in db.execute(statement, {"ledger_offset": (max(page, 1) - 1) * page_size,
                                    "ledger_limit": page_size}).all():
        if r.part == 0:
            rows.append(r)
        elif r.part == 1:
            unit = UnitLedger(r.id, r.unit_name, r.unit_code, int(r.n), int(r.n_below or 0), int(r.jp_total or 0))
            units.append(unit)
            total += unit.below if below_only else unit.employees
        else:
            total = int(r.n or 0)
    rows.sort(key=lambda r: (r.name, r.id))
    units.sort(key=lambda u: (u.name, u.unit_id))
    return [LedgerRow.from_row(r) for r in rows], total, units


@lru_cache(maxsize=256)
def _overview_statement(viewer: Viewer, year: int, unit_id: Optional[int], subtree: bool, below_only: bool,
                        by_unit: bool, mode: Optional[str], restrict: bool):
    """The statement of ``ledger_overview``, built once per viewer (a frozen value: the scope and its ids), year,
    unit and form, the page bound as ``ledger_offset``/``ledger_limit``: building it (the CTEs, the scope's
    subqueries, the union) cost ~2.5 ms of CPU per request. ``mode``/``restrict``: ``LEDGER_MODE`` and
    ``LEDGER_RESTRICT`` (forced by tests and benchmarks) are part of the key."""
    ledger = _ledger_cte(viewer, year, unit_id, subtree)
    wanted = [ledger.c.below == 1] if below_only else []
    page_rows = (select(ledger).where(*wanted).order_by(ledger.c.name, ledger.c.id)
                 .offset(bindparam("ledger_offset", type_=Integer)).limit(bindparam("ledger_limit", type_=Integer))
                 .cte("ledger_page"))
    null_text, null_int = literal(None, String), literal(None, Integer)
    parts = [select(literal(0).label("part"), page_rows.c.id, page_rows.c.nip, page_rows.c.name,
                    page_rows.c.front_title, page_rows.c.back_title, page_rows.c.asn_type,
                    Unit.name.label("unit_name"), Unit.code.label("unit_code"), page_rows.c.jp_sessions,
                    page_rows.c.jp_external, page_rows.c.jp_total, page_rows.c.target,
                    null_int.label("n"), null_int.label("n_below"))
             .select_from(page_rows).join(Unit, Unit.id == page_rows.c.unit_id)]
    if by_unit:
        parts.append(select(literal(1), Unit.id, null_text, null_text, null_text, null_text, null_text, Unit.name,
                            Unit.code, null_int, null_int, func.sum(ledger.c.jp_total), null_int,
                            func.count(), func.sum(ledger.c.below))
                     .select_from(ledger).join(Unit, Unit.id == ledger.c.unit_id)
                     .group_by(Unit.id, Unit.name, Unit.code))
    else:
        parts.append(select(literal(2), null_int, null_text, null_text, null_text, null_text, null_text, null_text,
                            null_text, null_int, null_int, null_int, null_int, func.count(), null_int)
                     .select_from(ledger).where(*wanted))
    return union_all(*parts)


def ledger_page(db, viewer: Viewer, year: int, unit_id: Optional[int] = None, below_only: bool = False,
                page: int = 1, page_size: int = 50, subtree: bool = True) -> tuple[list, int]:
    """(rows, total) of one page of the ledger: employee, unit, JP from sessions and external trainings,
    total, target, shortfall. One statement (``ledger_overview``)."""
    rows, total, _ = ledger_overview(db, viewer, year, unit_id, below_only, page, page_size, subtree)
    return rows, total


def ledger_all(db, viewer: Viewer, year: int, unit_id: Optional[int] = None, below_only: bool = False) -> list:
    """Every row of the ledger (exports), one statement."""
    rows, _ = ledger_page(db, viewer, year, unit_id, below_only, page=1, page_size=10 ** 6)
    return rows


@dataclass
class LedgerRow:
    employee_id: int
    nip: str
    name: str
    asn_type: str
    unit_name: str
    jp_sessions: int
    jp_external: int
    jp_total: int
    target: int

    @classmethod
    def from_row(cls, r):
        from app.organisation.rules import full_name

        return cls(r.id, r.nip, full_name(r.name, r.front_title, r.back_title), r.asn_type, r.unit_name,
                   int(r.jp_sessions or 0), int(r.jp_external or 0), int(r.jp_total or 0), int(r.target or 0))

    @property
    def below(self) -> bool:
        return rules.below_target(self.jp_total, self.target)

    @property
    def shortfall(self) -> int:
        return rules.jp_shortfall(self.jp_total, self.target)


def ledger_by_unit(db, viewer: Viewer, year: int, unit_id: Optional[int] = None) -> list:
    """Per unit of the viewer's scope (or of ``unit_id``'s subtree): employees, how many are below target,
    the JP total. One GROUP BY statement (``ledger_overview``; the screen takes the page with it)."""
    return ledger_overview(db, viewer, year, unit_id, page_size=1, by_unit=True)[2]


@dataclass
class UnitLedger:
    unit_id: int
    name: str
    code: str
    employees: int
    below: int
    jp: int

    @property
    def reached(self) -> int:
        return self.employees - self.below


def employee_jp_by_year(db, employee_id: int, years: Iterable[int]) -> list:
    """[(year, JP from sessions, JP external, target)] for one employee (the "Pelatihan Saya" summary): one
    statement for every year (the same rows as ``jp_totals``, grouped by year)."""
    asn_type = db.scalar(select(Employee.asn_type).where(Employee.id == employee_id))
    targets = stored_targets(db)
    wanted = sorted(set(years), reverse=True)
    if not wanted:
        return []
    start, end = year_bounds(min(wanted))[0], year_bounds(max(wanted))[1]
    sessions = (select(func.extract("year", TrainingSession.ends_at).label("year"),
                       func.sum(TrainingSession.jp).label("jp"), literal(1).label("own"))
                .join(TrainingParticipant, TrainingSession.id == TrainingParticipant.session_id)
                .where(TrainingParticipant.employee_id == employee_id,
                       TrainingSession.ends_at >= start, TrainingSession.ends_at < end,
                       TrainingSession.status == SessionStatus.DITUTUP.value,
                       TrainingParticipant.attendance == Attendance.HADIR.value)
                .group_by(func.extract("year", TrainingSession.ends_at)))
    external = (select(func.extract("year", ExternalTraining.ended_on).label("year"),
                       func.sum(ExternalTraining.jp).label("jp"), literal(0).label("own"))
                .where(ExternalTraining.employee_id == employee_id, ExternalTraining.ended_on >= start.date(),
                       ExternalTraining.ended_on < end.date(), ExternalTraining.status == ExternalStatus.DISETUJUI.value)
                .group_by(func.extract("year", ExternalTraining.ended_on)))
    found: dict = {}
    for year, jp, own in db.execute(union_all(sessions, external)).all():
        entry = found.setdefault(int(year), [0, 0])
        entry[0 if own == 1 else 1] += int(jp or 0)
    target = rules.jp_target(asn_type or "PNS", targets)
    return [(year, *found.get(year, (0, 0)), target) for year in wanted]


def employee_jp(db, employee_id: int, year: int) -> tuple[int, int]:
    """(JP from sessions, JP external) of one employee in ``year``: one statement."""
    totals = jp_totals(year)
    row = db.execute(select(totals.c.jp_sessions, totals.c.jp_external)
                     .where(totals.c.employee_id == employee_id)).first()
    return (int(row.jp_sessions or 0), int(row.jp_external or 0)) if row else (0, 0)


# --- participant feedback summaries -------------------------------------------------------------------------------

def session_feedback(db, session_id: int) -> rules.FeedbackSummary:
    """The summary of the session's feedback: the ratings counted per value in SQL (five rows from the
    ``(session_id, rating)`` index) instead of one row per answer (a city-wide webinar has ~900: 8-12 ms of
    row conversion on PostgreSQL for a sentence on the roster)."""
    return _ratings_summary(db.execute(select(TrainingFeedback.rating, func.count())
                                       .where(TrainingFeedback.session_id == session_id)
                                       .group_by(TrainingFeedback.rating)).all())


def _ratings_summary(rated) -> rules.FeedbackSummary:
    """``rules.summarise_ratings`` of (rating, how many) pairs counted in SQL."""
    from itertools import repeat

    return rules.summarise_ratings(r for rating, n in rated for r in repeat(rating, n))


def feedback_by_session(db, viewer: Viewer, limit: int = 200) -> list:
    """(session id, title, starts_at, count, average) of the sessions with feedback in the viewer's reach (the
    ``limit`` latest). The sessions are picked first (newest first, with any feedback), then only their
    feedback is counted, from the ``(session_id, rating)`` index: not every feedback row of the city."""
    from .scope import feedback_clause

    f = TrainingFeedback
    page = (select(TrainingSession.id, TrainingSession.title, TrainingSession.starts_at)
            .where(feedback_clause(viewer, TrainingSession.id),
                   select(f.id).where(f.session_id == TrainingSession.id).exists())
            .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()).limit(limit)
            .subquery("feedback_page"))
    # per session of the page, its count and average from the index (correlated: a join let PostgreSQL hash all
    # ~59,000 feedback rows of the city for the 200 sessions' ~6,000); every session of the page has feedback
    n = select(func.count()).where(f.session_id == page.c.id).scalar_subquery().label("n")
    avg = select(func.avg(f.rating)).where(f.session_id == page.c.id).scalar_subquery().label("avg")
    rows = db.execute(select(page.c.id, page.c.title, page.c.starts_at, n, avg)
                      .order_by(page.c.starts_at.desc(), page.c.id.desc())).all()
    return [(r.id, r.title, r.starts_at, int(r.n), _avg(r.avg)) for r in rows]


def feedback_by_trainer(db, viewer: Viewer) -> list:
    """(user id, name, sessions, count, average) per trainer, over the feedback in the viewer's reach. The
    feedback is summed per session first (from the ``(session_id, rating)`` index), then per trainer: no
    COUNT(DISTINCT) over every feedback row joined to its trainers."""
    from flask_appbuilder.security.sqla.models import User

    from .scope import feedback_clause

    t, f = training_session_trainer, TrainingFeedback
    per_session = (select(f.session_id, func.count().label("n"), func.sum(f.rating).label("total"))
                   .where(feedback_clause(viewer)).group_by(f.session_id).subquery("feedback_per_session"))
    rows = db.execute(
        select(User.id, User.first_name, User.last_name, func.count().label("sessions"),
               func.sum(per_session.c.n).label("n"), func.sum(per_session.c.total).label("total"))
        .select_from(per_session).join(t, t.c.session_id == per_session.c.session_id)
        .join(User, User.id == t.c.user_id)
        .where(or_(literal(viewer.manages or viewer.everything), User.id == viewer.user_id))
        .group_by(User.id, User.first_name, User.last_name)
        .order_by(User.first_name, User.last_name, User.id)).all()
    return [(r.id, " ".join(p for p in (r.first_name, r.last_name) if p), int(r.sessions), int(r.n),
             _avg(Decimal(int(r.total)) / Decimal(int(r.n)) if r.n else None)) for r in rows]


def _avg(value) -> Optional[Decimal]:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")


# --- the roster ----------------------------------------------------------------------------------------------------

def _roster_query(viewer: Viewer, training_session: TrainingSession):
    return (select(TrainingParticipant).join(Employee, Employee.id == TrainingParticipant.employee_id)
            .where(TrainingParticipant.session_id == training_session.id, participant_clause(viewer)))


def roster(db, viewer: Viewer, training_session: TrainingSession, page: Optional[int] = None,
           page_size: int = 100) -> list:
    """The participants of the session the viewer may see (all of them for its trainers and the organisers),
    invited first, then the waiting list in order, then cancelled; with employee, unit and feedback. With
    ``page``: that page of ``page_size`` rows only, as ``RosterRow`` (the screen; exports take every row)."""
    from app.organisation.models import Unit as _Unit

    if page is None:
        query = (_roster_query(viewer, training_session).outerjoin(_Unit, _Unit.id == TrainingParticipant.unit_id)
                 .options(*_roster_loads()).order_by(*_roster_order()))
        return db.scalars(query).unique().all()
    rows = db.execute(_roster_page_statement(viewer, training_session.id),
                      {"roster_offset": (max(page, 1) - 1) * page_size, "roster_limit": page_size}).all()
    return [RosterRow.from_row(r) for r in rows]


@lru_cache(maxsize=256)
def _roster_page_statement(viewer: Viewer, session_id: int):
    """The statement of a roster page (``roster``), built once per viewer and session, the page bound as
    ``roster_offset``/``roster_limit``. The page's ids first, sorted on narrow rows (the participant's status,
    date and id, the employee's name), then those rows: sorting every participant of a large session with its
    employee's whole row (a city-wide webinar: 2,141 rows of 1 KB) cost PostgreSQL 15-25 ms for 100 rows. Only the
    columns the roster shows, as plain rows (``RosterRow``): loading 100 participants with their employee and unit
    as ORM objects cost ~2 ms more CPU. One statement."""
    from app.organisation.models import Unit as _Unit

    p = TrainingParticipant
    ids = (select(p.id).join(Employee, Employee.id == p.employee_id)
           .where(p.session_id == session_id, participant_clause(viewer))
           .order_by(*_roster_order()).offset(bindparam("roster_offset", type_=Integer))
           .limit(bindparam("roster_limit", type_=Integer)).subquery("roster_page"))
    return (select(p.id, p.status, p.attendance, p.checkin_method, p.pre_score, p.post_score, p.certificate_number,
                   p.unit_id, Employee.id.label("employee_id"), Employee.nip, Employee.name, Employee.front_title,
                   Employee.back_title, _Unit.name.label("unit_name"))
            .join(ids, ids.c.id == p.id).join(Employee, Employee.id == p.employee_id)
            .outerjoin(_Unit, _Unit.id == p.unit_id).order_by(*_roster_order()))


@dataclass(frozen=True)
class RosterPerson:
    id: int
    nip: str
    full_name: str


@dataclass(frozen=True)
class RosterUnit:
    id: int
    name: str


@dataclass(frozen=True)
class RosterRow(ParticipantLabels):
    """A participant on a roster page: what the screen shows (the attributes of ``TrainingParticipant`` it reads)."""
    id: int
    status: str
    attendance: Optional[str]
    checkin_method: Optional[str]
    pre_score: Optional[Decimal]
    post_score: Optional[Decimal]
    certificate_number: Optional[str]
    employee: RosterPerson
    unit: Optional[RosterUnit]

    @classmethod
    def from_row(cls, r):
        from app.organisation.rules import full_name

        return cls(r.id, r.status, r.attendance, r.checkin_method, r.pre_score, r.post_score, r.certificate_number,
                   RosterPerson(r.employee_id, r.nip, full_name(r.name, r.front_title, r.back_title)),
                   RosterUnit(r.unit_id, r.unit_name) if r.unit_id is not None and r.unit_name is not None else None)

    @property
    def employee_id(self) -> int:
        return self.employee.id


def _roster_order() -> tuple:
    """Invited first, then the waiting list in order, then cancelled; by the employee's name."""
    order = case({EnrollmentStatus.DIUNDANG.value: 0, EnrollmentStatus.DAFTAR_TUNGGU.value: 1}, value=
                 TrainingParticipant.status, else_=2)
    return (order, case((TrainingParticipant.status == EnrollmentStatus.DAFTAR_TUNGGU.value,
                         TrainingParticipant.invited_at), else_=None), Employee.name, TrainingParticipant.id)


def _roster_loads() -> tuple:
    """The roster shows the employee's name and NIP and the participant's unit: employee and unit come with the
    rows (the join the scope needs anyway), the employee's rank, position, unit and supervisor are not loaded
    (the model loads them eagerly: three joins and a query per page)."""
    return (contains_eager(TrainingParticipant.employee).options(
                lazyload(Employee.rank), lazyload(Employee.position), lazyload(Employee.unit),
                lazyload(Employee.supervisor)),
            contains_eager(TrainingParticipant.unit),
            lazyload(TrainingParticipant.feedback),
            lazyload(TrainingParticipant.session))  # the session shown: in the identity map, no query


def invited_ids(db, training_session: TrainingSession) -> list:
    """The employee ids of every invited participant of the session (the roster's "all pages" actions)."""
    return list(db.scalars(select(TrainingParticipant.employee_id).where(
        TrainingParticipant.session_id == training_session.id,
        TrainingParticipant.status == EnrollmentStatus.DIUNDANG.value).order_by(TrainingParticipant.id)))


def roster_count(db, viewer: Viewer, training_session: TrainingSession) -> int:
    """How many participants of the session the viewer may see (one statement)."""
    return db.scalar(select(func.count()).select_from(_roster_query(viewer, training_session).subquery())) or 0


def roster_counts(db, session_id: int, with_feedback: bool) -> tuple[dict, Optional[rules.FeedbackSummary]]:
    """(``counts`` of the session, ``session_feedback`` of it or None): the places and attendance, and
    (``with_feedback``) the ratings counted per value, in ONE statement (UNION ALL of the two GROUP BYs; the roster
    ran them apart). The same figures."""
    p, f = TrainingParticipant, TrainingFeedback
    places = (select(literal(0).label("part"), p.status.label("status"), p.attendance.label("attendance"),
                     literal(None, Integer).label("rating"), func.count().label("n"))
              .where(p.session_id == session_id).group_by(p.status, p.attendance))
    if with_feedback:
        ratings = (select(literal(1), literal(None, String), literal(None, String), f.rating, func.count())
                   .where(f.session_id == session_id).group_by(f.rating))
        rows = db.execute(union_all(places, ratings)).all()
    else:
        rows = db.execute(places).all()
    out = _tally((session_id, status, attendance, n) for part, status, attendance, _, n in rows if part == 0)
    summary = _ratings_summary((rating, n) for part, _, _, rating, n in rows if part == 1) if with_feedback else None
    return out.get(session_id, {}), summary


def counts(db, session_ids: Sequence[int]) -> dict:
    """{session id: {status: n, "HADIR": n}} for many sessions in one GROUP BY."""
    if not session_ids:
        return {}
    rows = db.execute(select(TrainingParticipant.session_id, TrainingParticipant.status,
                             TrainingParticipant.attendance, func.count())
                      .where(TrainingParticipant.session_id.in_(list(session_ids)))
                      .group_by(TrainingParticipant.session_id, TrainingParticipant.status,
                                TrainingParticipant.attendance)).all()
    return _tally(rows)


def _tally(rows) -> dict:
    """{session id: {status: n, "HADIR": n}} from (session id, status, attendance, n) rows."""
    out: dict = {}
    for sid, status, attendance, n in rows:
        d = out.setdefault(sid, {"DIUNDANG": 0, "DAFTAR_TUNGGU": 0, "DIBATALKAN": 0, "HADIR": 0})
        d[status] = d.get(status, 0) + n
        if attendance == Attendance.HADIR:
            d["HADIR"] += n
    return out


# Training needs and the effect of training: app/training/needs.py


# --- "Pelatihan Saya" -------------------------------------------------------------------------------------------------

def my_participations(db, employee_id: int) -> list:
    """The employee's invitations and sessions, newest first: each with its session (from the same join) and the
    session's topic, and the feedback given (one more query). Not loaded: the participant's employee record (the
    person themselves), the sessions' trainers and target units ("Pelatihan Saya" shows neither)."""
    return db.scalars(
        select(TrainingParticipant).join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
        .where(TrainingParticipant.employee_id == employee_id)
        .options(contains_eager(TrainingParticipant.session).options(
                     joinedload(TrainingSession.topic), lazyload(TrainingSession.trainers),
                     lazyload(TrainingSession.units)),
                 lazyload(TrainingParticipant.employee), selectinload(TrainingParticipant.feedback))
        .order_by(TrainingSession.starts_at.desc(), TrainingParticipant.id.desc())).all()


def my_external(db, employee_id: int) -> list:
    """The employee's external trainings, newest first (without their employee and topic: not shown)."""
    return db.scalars(select(ExternalTraining).where(ExternalTraining.employee_id == employee_id)
                      .options(lazyload(ExternalTraining.employee), lazyload(ExternalTraining.topic))
                      .order_by(ExternalTraining.ended_on.desc(), ExternalTraining.id.desc())).all()


def trainer_sessions(db, user_id: int, page: Optional[int] = None, page_size: int = 50) -> list:
    """The sessions the Pelatih trains, newest first; with ``page``: that page only."""
    query = (select(TrainingSession).join(
        training_session_trainer, training_session_trainer.c.session_id == TrainingSession.id)
        .where(training_session_trainer.c.user_id == user_id)
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()))
    if page is not None:  # the "Sesi Saya" page shows neither topics, trainers nor units: do not load them
        query = (query.offset((max(page, 1) - 1) * page_size).limit(page_size)
                 .options(lazyload(TrainingSession.topic), lazyload(TrainingSession.trainers),
                          lazyload(TrainingSession.units)))
    return db.scalars(query).all()


def trainer_overview(db, user_id: int) -> tuple[int, Optional[tuple]]:
    """("Sesi Saya") (how many sessions this Pelatih trains, and (user id, "", sessions rated, answers, average) of
    the feedback on them, the figures of their row of ``feedback_by_trainer``; None without feedback) in ONE statement: the feedback of
    the trained sessions (``session_id IN (their sessions)``, from the ``(session_id, rating)`` index) counted and
    summed, the sessions counted in a scalar subquery. The two statements it replaced joined the trainer's sessions to the
    feedback and PostgreSQL hashed them against a scan of all ~59,000 feedback rows of the city; the count was a
    statement of its own (a Pelatih of 375 sessions, A/B in one process: PostgreSQL ~14 → ~5 ms, SQLite 3.6 → 2.0
    ms). The same figures: the average is the sum over the count, rounded like ``feedback_by_trainer``'s."""
    t, f = training_session_trainer, TrainingFeedback
    trained = select(t.c.session_id).where(t.c.user_id == user_id)
    sessions = select(func.count()).select_from(t).where(t.c.user_id == user_id).scalar_subquery()
    row = db.execute(select(sessions.label("sessions"), func.count(func.distinct(f.session_id)).label("rated"),
                            func.count().label("n"), func.sum(f.rating).label("total"))
                     .where(f.session_id.in_(trained))).one()
    total, n = int(row.sessions or 0), int(row.n or 0)
    if not n:
        return total, None
    return total, (user_id, "", int(row.rated), n, _avg(Decimal(int(row.total)) / Decimal(n)))


def session_summaries(db, session_ids: Sequence[int]) -> dict:
    """{session id: {"DIUNDANG", "DAFTAR_TUNGGU", "DIBATALKAN", "HADIR": n, "feedback": n, "rating": average}}
    for a page of sessions: the places, the attendance and the feedback in ONE GROUP BY (a feedback row
    belongs to one participant, so the join does not multiply the counts)."""
    if not session_ids:
        return {}
    p, f = TrainingParticipant, TrainingFeedback

    def n(condition):
        return func.sum(case((condition, 1), else_=0))

    rows = db.execute(
        select(p.session_id, n(p.status == EnrollmentStatus.DIUNDANG.value).label("invited"),
               n(p.status == EnrollmentStatus.DAFTAR_TUNGGU.value).label("waiting"),
               n(p.status == EnrollmentStatus.DIBATALKAN.value).label("cancelled"),
               n(p.attendance == Attendance.HADIR.value).label("present"),
               func.count(f.id).label("feedback"), func.avg(f.rating).label("rating"))
        .select_from(p)
        .outerjoin(f, and_(f.participant_id == p.id, f.session_id.in_(list(session_ids))))  # the feedback index
        .where(p.session_id.in_(list(session_ids))).group_by(p.session_id)).all()
    return {r.session_id: {"DIUNDANG": int(r.invited or 0), "DAFTAR_TUNGGU": int(r.waiting or 0),
                           "DIBATALKAN": int(r.cancelled or 0), "HADIR": int(r.present or 0),
                           "feedback": int(r.feedback or 0), "rating": _avg(r.rating)} for r in rows}
