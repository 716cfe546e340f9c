"""The performance cycle on the database: plans, progress, feedback, evaluations, objections, reminders.

No web imports: every function takes the SQLAlchemy session and an ``ActorContext`` (who acts), and is
called alike by the screens, the REST API and the CLI. The rules themselves live in the pure modules and
are only applied here: who may move a record from which state to which (``workflow.check_transition``),
the predikat (``rating.predikat``), the objection window (``workflow.check_can_file_objection`` /
``deadlines``), the submission and decision deadlines (``deadlines``).

Errors (the callers turn them into messages beside fields, flashes or HTTP answers):

* ``DomainValidationError({field path: message})`` — bad input; paths like ``rhks-0-indicators-1-target_value``;
* ``workflow.TransitionError`` — an illegal transition (wrong state, skipping, final record, wrong person);
* ``ConflictError`` — the optimistic version check failed (``expected_version`` differs from the record's
  ``version``, or another transaction saved it between our read and our write: SQLAlchemy's
  ``StaleDataError``); nothing of this call is saved.

Every write is one transaction (``_unit_of_work``: all or nothing, then commit); every transition writes a
``TransitionLog`` row and the notifications of ``notify`` in that transaction; queued e-mails go out after
the commit.

Decisions (documented here for the screens):

* Revisions: ``revise_plan`` on an approved, current plan creates revision n+1 in Draft, copying the RHKs
  (with the supervisor's RHK each supports), indicators and behaviour expectations, with the employee's
  current supervisor as rater and the employee's current unit and position. The approved revision stays
  in force (``is_current``) until the new revision is approved; at that moment ``is_current`` moves to it.
  Progress, feedback and coaching notes stay on the revision they were recorded on. One open revision at a
  time.
* A returned plan (Dikembalikan) is reopened to Draft by its owner with ``reopen_plan``; ``save_plan`` by
  the owner on a returned plan reopens it first (the reopening is logged).
* ``save_plan`` by the owner (Draft) may change the approach, the RHKs and the behaviour expectations; by
  the rater (while the plan is submitted) only the behaviour expectations (*ekspektasi khusus pimpinan*).
  RHKs and indicators carrying an ``id`` are updated in place (so the RHKs of subordinates that support
  them keep their link); the others are created; those left out are deleted.
* ``submit_plan`` needs at least one RHK Utama and at least one indicator per RHK.
* Progress (realisasi) is reported on an approved plan by its owner, with its evidence all or nothing
  (``record_progress``: the screen and the REST API alike): a refused file or link saves nothing.
* Feedback is written on an approved plan by its rater or its owner (a thread); coaching notes by the rater.
* ``rate`` by the rater moves an open (or self-assessed) evaluation to Dinilai, and may change the ratings
  again while it is Dinilai; the predikat is always computed.
* An objection decided DIUBAH changes the evaluation's ratings and predikat in the same transaction; the
  evaluation stays Final.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Optional
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import ConflictError, DomainValidationError
from app.core.transactions import atomic
from app.core.uploads import DEFAULT_MAX_BYTES, EVIDENCE_KINDS, FileStore, UploadError, check_upload
from app.core.validation import clean_text as _text
from app.organisation.models import Employee
from app.security import roles as R
from app.security.scope import Scope

from . import notify
from .deadlines import (DEFAULT_DECISION_DAYS, DEFAULT_OBJECTION_DAYS, as_date, decision_deadline,
                        skp_submission_deadline)
from .models import (YEAR_MAX, YEAR_MIN, Approach, Aspect, BehaviourExpectation, CoachingKind, CoachingNote,
                     CoreValue, Evaluation, Evidence, EvidenceKind, Feedback, Indicator, Notification, Objection,
                     OrganisationRating, Period, Progress, Rhk, RhkKind, Skp, TransitionEntity, TransitionLog,
                     ValueSource)
from .rating import RatingError, as_rating, predikat
from .scope import evidence_clause
from .workflow import (EVALUATION_MACHINE, OBJECTION_MACHINE, SKP_MACHINE, Actor, EvaluationState, ObjectionDecision,
                       ObjectionState, SkpState, TransitionError, can_edit, check_can_file_objection,
                       check_objection_decision, check_transition, make_transition, needs_new_revision)

WIB = timezone(timedelta(hours=7), "WIB")  # Asia/Jakarta: no daylight saving time

# Bounds on free text and on the size of a plan (the columns' lengths, or generous limits for Text).
RHK_TEXT_MAX = 1000
PERSPECTIVE_MAX = 100
INDICATOR_TEXT_MAX = 1000
TARGET_UNIT_MAX = 50
TARGET_TEXT_MAX = 500
EXPECTATION_TEXT_MAX = 1000
NOTES_MAX = 4000
FEEDBACK_MAX = 2000
PROGRESS_TEXT_MAX = 4000
URL_MAX = 500
MAX_RHKS = 50
MAX_INDICATORS = 20
MAX_EVIDENCE = 20
TARGET_MAX = Decimal("999999999999.99")  # Numeric(14, 2)

# Notification kinds (Notification.kind).
PLAN_SUBMITTED = "plan.submitted"
PLAN_RETURNED = "plan.returned"
PLAN_APPROVED = "plan.approved"
EVALUATION_READY = "evaluation.ready"
OBJECTION_FILED = "objection.filed"
OBJECTION_EXPLAINED = "objection.explained"
OBJECTION_DECIDED = "objection.decided"
REMIND_SKP = "reminder.skp"
REMIND_EVALUATION = "reminder.evaluation"
REMIND_OBJECTION = "reminder.objection"
OBJECTION_REMIND_DAYS = 3  # remind when the decision deadline is this close (or past)


def now_wib() -> datetime:
    """The city's wall-clock time (WIB), naive like the DateTime columns."""
    return datetime.now(WIB).replace(tzinfo=None)


def today_wib() -> date:
    return now_wib().date()


# --- who acts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorContext:
    """The person acting: account (id, name for the timeline), employee record and role names."""

    user_id: Optional[int]
    user_name: str
    employee_id: Optional[int] = None
    role_names: frozenset = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "role_names", frozenset(self.role_names or ()))

    @property
    def whole_city(self) -> bool:
        return bool(self.role_names & R.GLOBAL_SCOPE_ROLES)


def actor_roles(ctx: ActorContext, skp: Skp) -> set:
    """The capacities (workflow.Actor) in which ``ctx`` acts on this plan and its evaluations/objections."""
    roles = set()
    me = ctx.employee_id
    if me:
        if skp.employee_id == me:
            roles.add(Actor.OWNER)
        if skp.rater_id == me:
            roles.add(Actor.RATER)
        if skp.rater_supervisor_id == me:
            roles.add(Actor.RATERS_SUPERVISOR)
    if R.PENGELOLA in ctx.role_names:
        roles.add(Actor.PENGELOLA)
    if R.ADMIN in ctx.role_names:
        roles.add(Actor.ADMIN)
    return roles


# --- plumbing ----------------------------------------------------------------------------------------

@contextmanager
def _unit_of_work(session: Session):
    """One transaction (all or nothing, committed); a concurrent save (StaleDataError) is a ConflictError;
    notifications' e-mails are sent after the commit, dropped on rollback."""
    try:
        with atomic(session):
            yield session
    except StaleDataError:
        notify.discard(session)
        raise ConflictError() from None
    except BaseException:
        notify.discard(session)
        raise
    notify.deliver(session)


def _check_version(record, expected_version) -> None:
    if expected_version is None:
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise DomainValidationError({"version": _l("The version must be a whole number.")}) from None
    if expected != record.version:
        raise ConflictError()


def _log(session, ctx: ActorContext, entity: TransitionEntity, entity_id: int, transition, at: datetime):
    session.add(TransitionLog(entity=entity.value, entity_id=entity_id, from_state=transition.from_state,
                              to_state=transition.to_state, actor_user_id=ctx.user_id,
                              actor_name=(ctx.user_name or "")[:150] or None,
                              actor_kind=transition.actor_kind.value if transition.actor_kind else None,
                              at=at, comment=transition.comment))


def _move(session, ctx, machine, entity, record, roles, target, comment=None, at=None):
    """Check and apply a transition of ``record`` (its ``status``), and log it."""
    at = at or now_wib()
    transition = make_transition(machine, record.status, target, roles, ctx.user_name, at, comment)
    record.status = target
    _log(session, ctx, entity, record.id, transition, at)
    return transition


def _decimal(errors: dict, key: str, value, label) -> Optional[Decimal]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[key] = _l("%(field)s must be a number.", field=label)
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors[key] = _l("%(field)s must be a number.", field=label)
        return None
    if not number.is_finite() or abs(number) > TARGET_MAX:
        errors[key] = _l("%(field)s is out of range.", field=label)
        return None
    return number.quantize(Decimal("0.01"))


def _int_or_none(value) -> Optional[int]:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    return int(value)


# --- plans (SKP) -----------------------------------------------------------------------------------

def current_plan(session, employee_id: int, year: int) -> Optional[Skp]:
    return session.scalar(select(Skp).where(Skp.employee_id == employee_id, Skp.year == year, Skp.is_current))


def start_plan(session, ctx: ActorContext, employee: Employee, year: int,
               approach: str = Approach.KUANTITATIF.value) -> Skp:
    """A new plan (revision 1, Draft) for ``employee`` and ``year``, written by the employee. The rater is
    the employee's supervisor, the rater's supervisor the supervisor's supervisor; unit and position are the
    employee's now. Refused when the employee already has a plan in force for the year."""
    errors = {}
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = _l("Year must be between %(min)d and %(max)d.", min=YEAR_MIN, max=YEAR_MAX)
    if approach not in Approach.__members__:
        errors["approach"] = _l("Approach must be quantitative or qualitative.")
    if errors:
        raise DomainValidationError(errors)
    owner = {Actor.OWNER} if ctx.employee_id and ctx.employee_id == employee.id else set()
    roles = owner | ({Actor.PENGELOLA} if R.PENGELOLA in ctx.role_names else set()) | \
        ({Actor.ADMIN} if R.ADMIN in ctx.role_names else set())
    check_transition(SKP_MACHINE, None, SkpState.DRAFT, roles)
    if session.scalar(select(exists().where(Skp.employee_id == employee.id, Skp.year == year))):
        raise DomainValidationError({"year": _l("There is already a performance plan for %(year)d. Open it, or "
                                                "start a revision of the approved plan.", year=year)})
    supervisor = employee.supervisor
    with _unit_of_work(session):
        skp = Skp(employee_id=employee.id, unit_id=employee.unit_id, position_id=employee.position_id,
                  rater_id=supervisor.id if supervisor else None,
                  rater_supervisor_id=supervisor.supervisor_id if supervisor else None,
                  year=year, approach=approach, status=SkpState.DRAFT.value, revision=1, is_current=True)
        session.add(skp)
        session.flush()
        at = now_wib()
        transition = make_transition(SKP_MACHINE, None, SkpState.DRAFT, roles, ctx.user_name, at)
        _log(session, ctx, TransitionEntity.SKP, skp.id, transition, at)
    return skp


def _supportable_rhk_ids(session, skp: Skp) -> set:
    """Ids of the RHKs an RHK of ``skp`` may support: those of the rater's plan in force for the year."""
    if not skp.rater_id:
        return set()
    return set(session.scalars(select(Rhk.id).join(Skp, Skp.id == Rhk.skp_id).where(
        Skp.employee_id == skp.rater_id, Skp.year == skp.year, Skp.is_current)))


def _validate_rhks(session, skp: Skp, approach: str, rhks) -> tuple[list, dict]:
    """Clean RHK dicts (with their indicators) and errors keyed by field path."""
    errors: dict = {}
    if not isinstance(rhks, list):
        return [], {"rhks": _l("The RHKs must be a list.")}
    if len(rhks) > MAX_RHKS:
        return [], {"rhks": _l("A plan has at most %(max)d RHKs.", max=MAX_RHKS)}
    supportable = None
    clean = []
    ikm_units: dict = {}
    for i, raw in enumerate(rhks):
        p = f"rhks-{i}"
        if not isinstance(raw, dict):
            errors[p] = _l("Invalid RHK.")
            continue
        item = {"id": None, "indicators": []}
        try:
            item["id"] = _int_or_none(raw.get("id"))
        except (TypeError, ValueError):
            errors[f"{p}-id"] = _l("Invalid RHK.")
        kind = raw.get("kind") or RhkKind.UTAMA.value
        if kind not in RhkKind.__members__:
            errors[f"{p}-kind"] = _l("RHK kind must be Utama or Tambahan.")
        item["kind"] = kind
        item["text"] = _text(errors, f"{p}-text", raw.get("text"), RHK_TEXT_MAX, label=_l("RHK"))
        item["perspective"] = _text(errors, f"{p}-perspective", raw.get("perspective"), PERSPECTIVE_MAX,
                                    required=False, label=_l("Perspective"))
        try:
            parent_id = _int_or_none(raw.get("parent_rhk_id"))
        except (TypeError, ValueError):
            parent_id = -1
        if parent_id is not None:
            if supportable is None:
                supportable = _supportable_rhk_ids(session, skp)
            if parent_id not in supportable:
                errors[f"{p}-parent_rhk_id"] = _l("The supported RHK must be one of the RHKs in your rater's "
                                                  "current plan for %(year)d.", year=skp.year)
        item["parent_rhk_id"] = parent_id
        indicators = raw.get("indicators") or []
        if not isinstance(indicators, list):
            errors[f"{p}-indicators"] = _l("The indicators must be a list.")
            indicators = []
        if len(indicators) > MAX_INDICATORS:
            errors[f"{p}-indicators"] = _l("An RHK has at most %(max)d indicators.", max=MAX_INDICATORS)
            indicators = []
        for j, raw_ind in enumerate(indicators):
            q = f"{p}-indicators-{j}"
            if not isinstance(raw_ind, dict):
                errors[q] = _l("Invalid indicator.")
                continue
            ind = {}
            try:
                ind["id"] = _int_or_none(raw_ind.get("id"))
            except (TypeError, ValueError):
                errors[f"{q}-id"] = _l("Invalid indicator.")
                ind["id"] = None
            aspect = raw_ind.get("aspect") or Aspect.KUANTITAS.value
            if aspect not in Aspect.__members__:
                errors[f"{q}-aspect"] = _l("Aspect must be Kuantitas, Kualitas, Waktu or Biaya.")
            ind["aspect"] = aspect
            ind["text"] = _text(errors, f"{q}-text", raw_ind.get("text"), INDICATOR_TEXT_MAX, label=_l("Indicator"))
            target = _decimal(errors, f"{q}-target_value", raw_ind.get("target_value"), _l("Target"))
            if target is not None and target <= 0:
                errors[f"{q}-target_value"] = _l("Target must be greater than zero.")
            ind["target_value"] = target
            ind["target_unit"] = _text(errors, f"{q}-target_unit", raw_ind.get("target_unit"), TARGET_UNIT_MAX,
                                       required=False, label=_l("Target unit"))
            ind["target_text"] = _text(errors, f"{q}-target_text", raw_ind.get("target_text"), TARGET_TEXT_MAX,
                                       required=False, label=_l("Target description"))
            if f"{q}-target_value" not in errors and target is None:
                if approach == Approach.KUANTITATIF.value:
                    errors[f"{q}-target_value"] = _l("A quantitative plan needs a numeric target greater than "
                                                     "zero.")
                elif ind["target_text"] is None and f"{q}-target_text" not in errors:
                    errors[f"{q}-target_text"] = _l("Give a target (a number or a description).")
            _value_source(errors, q, raw_ind, ind, ikm_units)
            item["indicators"].append(ind)
        clean.append(item)
    _check_ikm_units(session, skp, clean, ikm_units, errors)
    return clean, errors


def _value_source(errors: dict, q: str, raw: dict, ind: dict, ikm_units: dict) -> None:
    """The indicator's value source (``value_source`` MANUAL or IKM, ``ikm_unit_id`` the service unit whose IKM
    is the realised value; ck_indicator_ikm_unit). Neither key given: left as it is (a new indicator: MANUAL).
    ``value_source`` left out: IKM when a unit is given, else MANUAL."""
    if "value_source" not in raw and "ikm_unit_id" not in raw:
        return
    try:
        unit_id = _int_or_none(raw.get("ikm_unit_id"))
    except (TypeError, ValueError):
        errors[f"{q}-ikm_unit_id"] = _l("Choose the service unit from the list.")
        return
    if unit_id is not None and not 0 < unit_id < 2 ** 31:
        errors[f"{q}-ikm_unit_id"] = _l("This unit does not exist.")
        return
    source = raw.get("value_source")
    if source is None or source == "":
        source = ValueSource.IKM.value if unit_id is not None else ValueSource.MANUAL.value
    if not isinstance(source, str) or source not in ValueSource.__members__:
        errors[f"{q}-value_source"] = _l("The value source must be MANUAL (reported progress) or IKM (the public "
                                         "satisfaction index of a service unit).")
        return
    if source == ValueSource.IKM.value and unit_id is None:
        errors[f"{q}-ikm_unit_id"] = _l("Choose the service unit whose IKM is the realised value of this "
                                        "indicator.")
        return
    if source == ValueSource.MANUAL.value and unit_id is not None:
        errors[f"{q}-ikm_unit_id"] = _l("An indicator with reported progress takes no IKM unit: leave the service "
                                        "unit empty, or choose the IKM as the value source.")
        return
    ind["value_source"], ind["ikm_unit_id"] = source, unit_id
    if unit_id is not None:
        ikm_units[q] = (ind, unit_id)


def _check_ikm_units(session, skp: Skp, clean: list, ikm_units: dict, errors: dict) -> None:
    """The IKM units chosen must be public-service units (app/survey), in one query. A service unit switched
    off since stays on the indicators that already had it."""
    if not ikm_units:
        return
    from app.survey.services import service_unit_states

    states = service_unit_states(session, {unit_id for _ind, unit_id in ikm_units.values()})
    kept = None
    for q, (ind, unit_id) in ikm_units.items():
        state = states.get(unit_id)
        if state == "unknown":
            errors[f"{q}-ikm_unit_id"] = _l("This unit does not exist.")
        elif state == "not-service":
            errors[f"{q}-ikm_unit_id"] = _l("This unit is not a public-service unit: it has no satisfaction survey, "
                                            "so it has no IKM.")
        elif state == "inactive":
            if kept is None:
                kept = {(i.id, i.ikm_unit_id) for r in skp.rhks for i in r.indicators}
            if (ind.get("id"), unit_id) not in kept:
                errors[f"{q}-ikm_unit_id"] = _l("This public-service unit no longer runs its satisfaction survey: "
                                                "choose another one.")


def _validate_expectations(session, expectations) -> tuple[list, dict]:
    if not isinstance(expectations, list):
        return [], {"expectations": _l("The behaviour expectations must be a list.")}
    known = set(session.scalars(select(CoreValue.id)))
    errors, clean, seen = {}, [], set()
    for i, raw in enumerate(expectations):
        p = f"expectations-{i}"
        if not isinstance(raw, dict):
            errors[p] = _l("Invalid behaviour expectation.")
            continue
        try:
            core_value_id = _int_or_none(raw.get("core_value_id"))
        except (TypeError, ValueError):
            core_value_id = None
        if core_value_id not in known:
            errors[f"{p}-core_value_id"] = _l("Choose one of the BerAKHLAK core values.")
        elif core_value_id in seen:
            errors[f"{p}-core_value_id"] = _l("Each core value has one expectation.")
        seen.add(core_value_id)
        text = _text(errors, f"{p}-text", raw.get("text"), EXPECTATION_TEXT_MAX, label=_l("Expectation"))
        clean.append({"core_value_id": core_value_id, "text": text})
    return clean, errors


def _apply_rhks(session, skp: Skp, clean: list) -> None:
    existing = {r.id: r for r in skp.rhks}
    errors = {}
    for i, item in enumerate(clean):
        if item["id"] is not None and item["id"] not in existing:
            errors[f"rhks-{i}-id"] = _l("This RHK is not part of the plan (reload the page).")
        elif item["id"] is not None:
            known = {ind.id for ind in existing[item["id"]].indicators}
            for j, ind in enumerate(item["indicators"]):
                if ind["id"] is not None and ind["id"] not in known:
                    errors[f"rhks-{i}-indicators-{j}-id"] = _l("This indicator is not part of the RHK "
                                                              "(reload the page).")
    if errors:
        raise DomainValidationError(errors)
    kept = []
    for order, item in enumerate(clean, start=1):
        rhk = existing.get(item["id"]) if item["id"] is not None else None
        if rhk is None:
            rhk = Rhk()
            skp.rhks.append(rhk)
        rhk.kind, rhk.text, rhk.perspective = item["kind"], item["text"], item["perspective"]
        rhk.parent_rhk_id, rhk.sort_order = item["parent_rhk_id"], order
        old = {ind.id: ind for ind in rhk.indicators}
        keep_ind = []
        for n, ind_item in enumerate(item["indicators"], start=1):
            ind = old.get(ind_item["id"]) if ind_item["id"] is not None else None
            if ind is None:
                ind = Indicator()
                rhk.indicators.append(ind)
            for key in ("aspect", "text", "target_value", "target_unit", "target_text"):
                setattr(ind, key, ind_item[key])
            if "value_source" in ind_item:  # left out: the value source stays as it is
                ind.value_source, ind.ikm_unit_id = ind_item["value_source"], ind_item["ikm_unit_id"]
            ind.sort_order = n
            keep_ind.append(ind)
        for ind in list(rhk.indicators):
            if ind not in keep_ind:
                rhk.indicators.remove(ind)
        kept.append(rhk)
    for rhk in list(skp.rhks):
        if rhk not in kept:
            skp.rhks.remove(rhk)


def _apply_expectations(skp: Skp, clean: list) -> None:
    by_value = {e.core_value_id: e for e in skp.expectations}
    wanted = {item["core_value_id"] for item in clean}
    for expectation in list(skp.expectations):
        if expectation.core_value_id not in wanted:
            skp.expectations.remove(expectation)
    for item in clean:
        row = by_value.get(item["core_value_id"])
        if row is None:
            skp.expectations.append(BehaviourExpectation(core_value_id=item["core_value_id"], text=item["text"]))
        else:
            row.text = item["text"]


def save_plan(session, ctx: ActorContext, skp: Skp, data: dict, expected_version) -> Skp:
    """Replace the content of a plan in one transaction (see the module docstring for who edits what).

    ``data``: ``{"approach": ..., "rhks": [{"id"?, "kind", "text", "parent_rhk_id"?, "perspective"?,
    "indicators": [{"id"?, "aspect", "text", "target_value"?, "target_unit"?, "target_text"?, "value_source"?,
    "ikm_unit_id"?}]}],
    "expectations": [{"core_value_id", "text"}]}``; keys left out are not changed.
    """
    if not isinstance(data, dict):
        raise DomainValidationError({"rhks": _l("Invalid plan.")})
    roles = actor_roles(ctx, skp)
    _check_version(skp, expected_version)
    reopen = skp.status == SkpState.DIKEMBALIKAN and Actor.OWNER in roles
    state = SkpState.DRAFT if reopen else skp.status
    if not can_edit(SKP_MACHINE, state, roles):
        if needs_new_revision(skp.status):
            raise TransitionError(_l("The plan is approved and frozen: start a revision to change it."),
                                  "FINAL", skp.status, skp.status)
        raise TransitionError(_l("You cannot change this plan while it is %(state)s.",
                                 state=SKP_MACHINE.label_of(skp.status)), "NOT_ALLOWED", skp.status, skp.status)
    as_owner = Actor.OWNER in roles
    if not as_owner and ("rhks" in data or "approach" in data):
        raise DomainValidationError({"rhks": _l("Only the employee changes the RHKs of the plan; the rater "
                                                "writes the behaviour expectations.")})
    errors = {}
    approach = data.get("approach", skp.approach)
    if approach not in Approach.__members__:
        errors["approach"] = _l("Approach must be quantitative or qualitative.")
    with session.no_autoflush:
        rhks, rhk_errors = _validate_rhks(session, skp, approach, data["rhks"]) if "rhks" in data else (None, {})
        if rhks is None and approach == Approach.KUANTITATIF.value and approach != skp.approach:
            current = [{"id": r.id, "kind": r.kind, "text": r.text, "parent_rhk_id": r.parent_rhk_id,
                        "perspective": r.perspective,
                        "indicators": [{"id": i.id, "aspect": i.aspect, "text": i.text,
                                        "target_value": i.target_value, "target_unit": i.target_unit,
                                        "target_text": i.target_text} for i in r.indicators]} for r in skp.rhks]
            _, rhk_errors = _validate_rhks(session, skp, approach, current)
        expectations, exp_errors = _validate_expectations(session, data["expectations"]) \
            if "expectations" in data else (None, {})
    errors.update(rhk_errors)
    errors.update(exp_errors)
    if errors:
        raise DomainValidationError(errors)
    with _unit_of_work(session):
        with session.no_autoflush:
            if reopen:
                _move(session, ctx, SKP_MACHINE, TransitionEntity.SKP, skp, roles, SkpState.DRAFT)
            skp.approach = approach
            if rhks is not None:
                _apply_rhks(session, skp, rhks)
            if expectations is not None:
                _apply_expectations(skp, expectations)
            skp.changed_on = now_wib()  # the version moves even when only children changed
    return skp


def _check_complete(skp: Skp) -> None:
    errors = {}
    if not any(r.kind == RhkKind.UTAMA for r in skp.rhks):
        errors["rhks"] = _l("The plan needs at least one RHK Utama before it is submitted.")
    for i, rhk in enumerate(skp.rhks):
        if not rhk.indicators:
            errors[f"rhks-{i}-indicators"] = _l("Each RHK needs at least one indicator.")
    if errors:
        raise DomainValidationError(errors)


def submit_plan(session, ctx: ActorContext, skp: Skp, expected_version=None) -> Skp:
    """Draft → Diajukan (the owner); the rater is notified."""
    roles = actor_roles(ctx, skp)
    _check_version(skp, expected_version)
    check_transition(SKP_MACHINE, skp.status, SkpState.DIAJUKAN, roles)
    _check_complete(skp)
    if not skp.rater_id:
        raise DomainValidationError({"rater": _l("The plan has no rater: ask the administrator to set your "
                                                 "supervisor.")})
    with _unit_of_work(session):
        _move(session, ctx, SKP_MACHINE, TransitionEntity.SKP, skp, roles, SkpState.DIAJUKAN)
        skp.submitted_at = now_wib()
        notify.notify(session, [skp.rater_id], PLAN_SUBMITTED,
                      _l("Performance plan submitted for approval: %(name)s (%(year)s)",
                         name=skp.employee.full_name, year=skp.year),
                      link=notify.link_for("skp", skp.id))
    return skp


def approve_plan(session, ctx: ActorContext, skp: Skp, expected_version=None, comment: Optional[str] = None) -> Skp:
    """Diajukan → Disetujui (the rater); a revision becomes the plan in force; the owner is notified."""
    roles = actor_roles(ctx, skp)
    _check_version(skp, expected_version)
    comment = _clean_comment(comment)
    check_transition(SKP_MACHINE, skp.status, SkpState.DISETUJUI, roles, comment)
    with _unit_of_work(session):
        _move(session, ctx, SKP_MACHINE, TransitionEntity.SKP, skp, roles, SkpState.DISETUJUI, comment)
        skp.approved_at = now_wib()
        if not skp.is_current:  # a revision: it replaces the plan in force (one current plan at a time)
            for older in session.scalars(select(Skp).where(Skp.employee_id == skp.employee_id, Skp.year == skp.year,
                                                           Skp.is_current, Skp.id != skp.id)):
                older.is_current = False
            session.flush()
            skp.is_current = True
        notify.notify(session, [skp.employee_id], PLAN_APPROVED,
                      _l("Your performance plan %(year)s was approved", year=skp.year),
                      body=comment, link=notify.link_for("skp", skp.id))
    return skp


def return_plan(session, ctx: ActorContext, skp: Skp, notes: str, expected_version=None) -> Skp:
    """Diajukan → Dikembalikan with notes (the rater); the owner is notified."""
    roles = actor_roles(ctx, skp)
    _check_version(skp, expected_version)
    errors = {}
    notes = _text(errors, "notes", notes, NOTES_MAX, required=False, label=_l("Notes"))
    if errors:
        raise DomainValidationError(errors)
    check_transition(SKP_MACHINE, skp.status, SkpState.DIKEMBALIKAN, roles, notes)
    with _unit_of_work(session):
        _move(session, ctx, SKP_MACHINE, TransitionEntity.SKP, skp, roles, SkpState.DIKEMBALIKAN, notes)
        skp.return_notes = notes
        notify.notify(session, [skp.employee_id], PLAN_RETURNED,
                      _l("Your performance plan %(year)s was returned with notes", year=skp.year),
                      body=notes, link=notify.link_for("skp", skp.id))
    return skp


def withdraw_plan(session, ctx: ActorContext, skp: Skp, expected_version=None) -> Skp:
    """Diajukan → Draft (the owner takes the plan back before the rater decides)."""
    roles = actor_roles(ctx, skp)
    _check_version(skp, expected_version)
    check_transition(SKP_MACHINE, skp.status, SkpState.DRAFT, roles)
    with _unit_of_work(session):
        _move(session, ctx, SKP_MACHINE, TransitionEntity.SKP, skp, roles, SkpState.DRAFT)
    return skp


def reopen_plan(session, ctx: ActorContext, skp: Skp, expected_version=None) -> Skp:
    """Dikembalikan → Draft (the owner edits the returned plan again)."""
    return withdraw_plan(session, ctx, skp, expected_version)


def revise_plan(session, ctx: ActorContext, skp: Skp, expected_version=None, reason: Optional[str] = None) -> Skp:
    """A new revision (Draft) of an approved plan in force, copying its content (module docstring)."""
    roles = actor_roles(ctx, skp)
    _check_version(skp, expected_version)
    reason = _clean_comment(reason)
    if not needs_new_revision(skp.status) or not skp.is_current:
        raise TransitionError(_l("Only the approved plan in force can be revised."), "NOT_ALLOWED",
                              skp.status, SkpState.DRAFT)
    check_transition(SKP_MACHINE, None, SkpState.DRAFT, roles)
    pending = session.scalar(select(Skp.id).where(Skp.employee_id == skp.employee_id, Skp.year == skp.year,
                                                  Skp.revision > skp.revision))
    if pending is not None:
        raise TransitionError(_l("A revision of this plan is already open."), "NOT_ALLOWED", skp.status,
                              SkpState.DRAFT)
    employee = skp.employee
    supervisor = employee.supervisor
    with _unit_of_work(session):
        new = Skp(employee_id=skp.employee_id, unit_id=employee.unit_id, position_id=employee.position_id,
                  rater_id=supervisor.id if supervisor else None,
                  rater_supervisor_id=supervisor.supervisor_id if supervisor else None,
                  year=skp.year, approach=skp.approach, status=SkpState.DRAFT.value, revision=skp.revision + 1,
                  previous_id=skp.id, is_current=False)
        for rhk in skp.rhks:
            copy = Rhk(kind=rhk.kind, sort_order=rhk.sort_order, text=rhk.text, parent_rhk_id=rhk.parent_rhk_id,
                       perspective=rhk.perspective)
            for ind in rhk.indicators:
                copy.indicators.append(Indicator(aspect=ind.aspect, text=ind.text, target_value=ind.target_value,
                                                 target_unit=ind.target_unit, target_text=ind.target_text,
                                                 sort_order=ind.sort_order, value_source=ind.value_source,
                                                 ikm_unit_id=ind.ikm_unit_id))
            new.rhks.append(copy)
        for exp in skp.expectations:
            new.expectations.append(BehaviourExpectation(core_value_id=exp.core_value_id, text=exp.text))
        session.add(new)
        session.flush()
        at = now_wib()
        transition = make_transition(SKP_MACHINE, None, SkpState.DRAFT, roles, ctx.user_name, at,
                                     reason or str(_l("Revision %(n)d of the approved plan", n=new.revision)))
        _log(session, ctx, TransitionEntity.SKP, new.id, transition, at)
    return new


def _clean_comment(comment) -> Optional[str]:
    errors = {}
    text = _text(errors, "comment", comment, NOTES_MAX, required=False, label=_l("Comment"))
    if errors:
        raise DomainValidationError(errors)
    return text


# --- progress and evidence ------------------------------------------------------------------------

def _require_owner_of_approved(ctx, skp: Skp, what) -> None:
    if Actor.OWNER not in actor_roles(ctx, skp):
        raise TransitionError(_l("Only the employee records %(what)s on their own plan.", what=what),
                              "WRONG_ACTOR", skp.status, skp.status)
    if skp.status != SkpState.DISETUJUI:
        raise TransitionError(_l("Progress is recorded on an approved plan only."), "NOT_ALLOWED",
                              skp.status, skp.status)


def _progress_fields(ctx: ActorContext, rhk: Rhk, indicator: Optional[Indicator], value, description,
                     achieved_on, period: Optional[Period] = None, errors: Optional[dict] = None):
    """The checked ``(value, description, day)`` of a progress entry; raises TransitionError when ``ctx`` may
    not report on this plan, else DomainValidationError with every field error (``errors`` may already hold
    others, e.g. the evidence's: they are reported together)."""
    skp = rhk.skp
    _require_owner_of_approved(ctx, skp, _l("progress"))
    errors = {} if errors is None else errors
    if indicator is not None and indicator.rhk_id != rhk.id:
        errors["indicator"] = _l("The indicator does not belong to this RHK.")
    number = _decimal(errors, "value", value, _l("Value"))
    if number is not None and number < 0:
        errors["value"] = _l("Value cannot be negative.")
    elif number is not None and indicator is not None and indicator.value_source == ValueSource.IKM.value:
        # the realised value is what citizens said (app/survey): a typed number would compete with it
        errors["value"] = _l("The realised value of this indicator is the unit's IKM: leave the value empty and "
                             "describe the work.")
    text = _text(errors, "description", description, PROGRESS_TEXT_MAX, label=_l("Description"))
    day = None
    if "achieved_on" in errors:
        pass  # already refused by the caller (e.g. not a date at all)
    elif not isinstance(achieved_on, date):
        errors["achieved_on"] = _l("Date is required.")
    else:
        day = as_date(achieved_on)
        if day.year != skp.year:
            errors["achieved_on"] = _l("The date must lie in the plan's year %(year)d.", year=skp.year)
        elif period is not None and not period.starts_on <= day <= period.ends_on:
            errors["achieved_on"] = _l("The date must lie in the period (%(start)s to %(end)s).",
                                       start=period.starts_on.isoformat(), end=period.ends_on.isoformat())
    if period is not None and period.year != skp.year:
        errors["period"] = _l("The period must belong to the plan's year %(year)d.", year=skp.year)
    if errors:
        raise DomainValidationError(errors)
    return number, text, day


def add_progress(session, ctx: ActorContext, rhk: Rhk, indicator: Optional[Indicator], value, description: str,
                 achieved_on: date, period: Optional[Period] = None) -> Progress:
    """Realisasi on an RHK of the owner's approved plan: value ≥ 0 (optional), a description, a date in the
    plan's year (and in ``period`` when given)."""
    number, text, day = _progress_fields(ctx, rhk, indicator, value, description, achieved_on, period)
    with _unit_of_work(session):
        row = Progress(rhk_id=rhk.id, indicator_id=indicator.id if indicator is not None else None,
                       period_id=period.id if period is not None else None, value=number, description=text,
                       achieved_on=day, created_by_id=ctx.user_id)
        session.add(row)
    return row


def _check_evidence_room(session, ctx, progress: Progress) -> None:
    _require_owner_of_approved(ctx, progress.rhk.skp, _l("evidence"))
    count = session.scalar(select(func.count()).select_from(Evidence).where(Evidence.progress_id == progress.id))
    if count >= MAX_EVIDENCE:
        raise DomainValidationError({"file": _l("A progress entry has at most %(max)d pieces of evidence.",
                                                max=MAX_EVIDENCE)})


def add_evidence_file(session, ctx: ActorContext, progress: Progress, stream, filename: str, store: FileStore,
                      max_bytes: int = DEFAULT_MAX_BYTES) -> Evidence:
    """Bukti dukung as a file: checked by content (pdf, jpg, png, docx, xlsx) and size, stored under a
    random name outside the static folder; removed again if the database refuses the row."""
    _check_evidence_room(session, ctx, progress)
    try:
        stored = store.save(stream, filename or "", allowed=EVIDENCE_KINDS, max_bytes=max_bytes)
    except UploadError as exc:
        raise DomainValidationError({"file": exc.message}) from None
    try:
        with _unit_of_work(session):
            row = Evidence(progress_id=progress.id, kind=EvidenceKind.FILE.value, original_name=stored.original_name,
                           stored_name=stored.stored_name, content_type=stored.content_type,
                           size_bytes=stored.size_bytes, sha256=stored.sha256)
            session.add(row)
    except BaseException:
        store.delete(stored.stored_name)
        raise
    return row


_URL_BAD = re.compile(r"[\s<>\"'\\\x00-\x1f\x7f]")


def _clean_link(errors: dict, url) -> Optional[str]:
    """The link of a piece of evidence (http or https only, with a host, at most 500 characters), or None
    with the reason in ``errors["url"]``."""
    text = _text(errors, "url", url, URL_MAX, label=_l("Link"))
    if text is None:
        return None
    try:
        parts = urlsplit(text)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not _URL_BAD.search(text)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 address)
        valid = False
    if not valid:
        errors["url"] = _l("The link must be a web address starting with http:// or https://.")
        return None
    return text


def add_evidence_link(session, ctx: ActorContext, progress: Progress, url: str) -> Evidence:
    """Bukti dukung as a link: http or https only, with a host, at most 500 characters."""
    _check_evidence_room(session, ctx, progress)
    errors = {}
    text = _clean_link(errors, url)
    if errors:
        raise DomainValidationError(errors)
    with _unit_of_work(session):
        row = Evidence(progress_id=progress.id, kind=EvidenceKind.LINK.value, url=text)
        session.add(row)
    return row


def _iso_day(errors: dict, value) -> Optional[date]:
    """A date given as a date or as ISO text (YYYY-MM-DD); None when blank (the caller's checks then ask for
    it), or None with the reason in ``errors["achieved_on"]``."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    errors["achieved_on"] = _l("Enter the date as YYYY-MM-DD.")
    return None


def record_progress(session, ctx: ActorContext, rhk: Rhk, indicator: Optional[Indicator], value, description,
                    achieved_on, *, upload=None, url=None, store: Optional[FileStore] = None,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> Progress:
    """Realisasi with its bukti dukung, all or nothing: what the progress form of the plan page and
    ``POST /api/v1/skp/<pk>/progress`` both do.

    ``achieved_on`` is a date or ISO text (YYYY-MM-DD); ``upload`` is ``(stream or bytes, file name)`` or None,
    stored in ``store``; ``url`` a link, or None / blank for none. The evidence is checked first (the file
    by its content and size, the link by its form) together with the entry's own fields, and every error is
    reported at once: a refused piece of evidence saves nothing. Then the entry is written (``add_progress``)
    and its evidence (``add_evidence_file``, ``add_evidence_link``); should one of those still fail, the
    entry is removed again with the evidence already stored (files included) and the error is raised:
    nothing of a refused report is kept.
    """
    errors: dict = {}
    day = _iso_day(errors, achieved_on)
    data = filename = None
    if upload is not None:
        if store is None:
            raise ValueError("an evidence file needs a FileStore")
        stream, filename = upload
        data = stream if isinstance(stream, bytes) else stream.read(max_bytes + 1)
        try:
            check_upload(data, filename or "", EVIDENCE_KINDS, max_bytes)
        except UploadError as exc:
            errors["file"] = exc.message
    link = None
    if url is not None and not (isinstance(url, str) and not url.strip()):
        link = _clean_link(errors, url)
    _progress_fields(ctx, rhk, indicator, value, description, day, errors=errors)  # raises on any error
    row = add_progress(session, ctx, rhk, indicator, value, description, day)
    progress_id = row.id
    try:
        if data is not None:
            add_evidence_file(session, ctx, row, data, filename or "", store, max_bytes=max_bytes)
        if link is not None:
            add_evidence_link(session, ctx, row, link)
    except BaseException:
        _discard_progress(session, progress_id, store)
        raise
    return row


def _discard_progress(session, progress_id: int, store: Optional[FileStore]) -> None:
    """Remove a progress entry again with its evidence rows and stored files (``record_progress``)."""
    session.rollback()
    saved = session.get(Progress, progress_id)
    if saved is None:
        return
    stored = [item.stored_name for item in saved.evidence if item.stored_name]
    with _unit_of_work(session):
        session.delete(saved)
    for name in stored:
        if store is not None:
            store.delete(name)


def evidence_for_download(session, scope: Scope, evidence_id) -> Optional[Evidence]:
    """The evidence when it exists and its plan is in ``scope``; None otherwise (answer 404)."""
    try:
        pk = int(evidence_id)
    except (TypeError, ValueError):
        return None
    return session.scalar(select(Evidence).where(Evidence.id == pk, evidence_clause(scope)))


# --- feedback and coaching -------------------------------------------------------------------------

def add_feedback(session, ctx: ActorContext, skp: Skp, text: str, rhk: Optional[Rhk] = None,
                 core_value: Optional[CoreValue] = None) -> Feedback:
    """Umpan balik on an RHK or a core value of an approved plan, by its rater or its owner (a thread)."""
    roles = actor_roles(ctx, skp)
    if not roles & {Actor.OWNER, Actor.RATER}:
        raise TransitionError(_l("Only the rater and the employee write in the feedback thread."), "WRONG_ACTOR",
                              skp.status, skp.status)
    if skp.status != SkpState.DISETUJUI:
        raise TransitionError(_l("Feedback is given on an approved plan."), "NOT_ALLOWED", skp.status, skp.status)
    errors = {}
    if rhk is None and core_value is None:
        errors["rhk"] = _l("Choose the RHK or the core value the feedback is about.")
    if rhk is not None and rhk.skp_id != skp.id:
        errors["rhk"] = _l("The RHK does not belong to this plan.")
    body = _text(errors, "text", text, FEEDBACK_MAX, label=_l("Feedback"))
    if errors:
        raise DomainValidationError(errors)
    author = session.get(Employee, ctx.employee_id)
    with _unit_of_work(session):
        row = Feedback(skp_id=skp.id, rhk_id=rhk.id if rhk is not None else None,
                       core_value_id=core_value.id if core_value is not None else None, author_id=ctx.employee_id,
                       author_name=(author.full_name if author else ctx.user_name)[:150], text=body)
        session.add(row)
    return row


def add_coaching_note(session, ctx: ActorContext, skp: Skp, kind: str, noted_on: date, text: str) -> CoachingNote:
    """Bimbingan kinerja (coaching, mentoring, counselling) on a plan, by its rater, dated in the plan's year."""
    if Actor.RATER not in actor_roles(ctx, skp) or Actor.OWNER in actor_roles(ctx, skp):
        raise TransitionError(_l("Only the rater records coaching notes."), "WRONG_ACTOR", skp.status, skp.status)
    errors = {}
    if kind not in CoachingKind.__members__:
        errors["kind"] = _l("Kind must be coaching, mentoring or counselling.")
    if not isinstance(noted_on, date):
        errors["noted_on"] = _l("Date is required.")
    elif as_date(noted_on).year != skp.year:
        errors["noted_on"] = _l("The date must lie in the plan's year %(year)d.", year=skp.year)
    body = _text(errors, "text", text, NOTES_MAX, label=_l("Note"))
    if errors:
        raise DomainValidationError(errors)
    with _unit_of_work(session):
        row = CoachingNote(skp_id=skp.id, kind=kind, noted_on=as_date(noted_on), text=body, author_id=ctx.employee_id)
        session.add(row)
    return row


# --- evaluations -----------------------------------------------------------------------------------

def open_evaluations(session, ctx: ActorContext, period: Period) -> int:
    """Open one evaluation for the period for every approved plan in force of the period's year that has
    none yet (Pengelola Kinerja or Admin). Returns how many were opened. A constant number of statements
    (the inserts are batched)."""
    roles = {Actor.PENGELOLA} if R.PENGELOLA in ctx.role_names else set()
    roles |= {Actor.ADMIN} if R.ADMIN in ctx.role_names else set()
    check_transition(EVALUATION_MACHINE, None, EvaluationState.DIBUKA, roles)
    has_one = exists().where(Evaluation.skp_id == Skp.id, Evaluation.period_id == period.id)
    skp_ids = list(session.scalars(select(Skp.id).where(
        Skp.year == period.year, Skp.is_current, Skp.status == SkpState.DISETUJUI.value, ~has_one).order_by(Skp.id)))
    if not skp_ids:
        return 0
    at = now_wib()
    with _unit_of_work(session):
        rows = [Evaluation(skp_id=skp_id, period_id=period.id, status=EvaluationState.DIBUKA.value)
                for skp_id in skp_ids]
        session.add_all(rows)
        session.flush()
        transition = make_transition(EVALUATION_MACHINE, None, EvaluationState.DIBUKA, roles, ctx.user_name, at)
        for row in rows:
            _log(session, ctx, TransitionEntity.EVALUATION, row.id, transition, at)
    return len(rows)


def save_self_assessment(session, ctx: ActorContext, evaluation: Evaluation, text: str,
                         expected_version=None, self_hasil=None, self_perilaku=None) -> Evaluation:
    """Penilaian diri by the owner: Dibuka → Penilaian diri. ``self_hasil`` / ``self_perilaku``: the employee's
    own ratings (optional, both or neither; the rater-bias analytics compare them with the rater's)."""
    roles = actor_roles(ctx, evaluation.skp)
    _check_version(evaluation, expected_version)
    check_transition(EVALUATION_MACHINE, evaluation.status, EvaluationState.PENILAIAN_DIRI, roles)
    errors = {}
    body = _text(errors, "self_assessment", text, NOTES_MAX, label=_l("Self-assessment"))
    own = {}
    given = {key: value for key, value in (("self_hasil_rating", self_hasil), ("self_perilaku_rating", self_perilaku))
             if not (value is None or (isinstance(value, str) and not value.strip()))}
    for key, value in given.items():
        try:
            own[key] = as_rating(value).value
        except (RatingError, TypeError) as exc:
            errors[key] = getattr(exc, "message", _l("Choose a rating."))
    if len(given) == 1:
        missing = "self_perilaku_rating" if "self_hasil_rating" in given else "self_hasil_rating"
        errors[missing] = _l("Give both of your own ratings, or neither.")
    if errors:
        raise DomainValidationError(errors)
    with _unit_of_work(session):
        _move(session, ctx, EVALUATION_MACHINE, TransitionEntity.EVALUATION, evaluation, roles,
              EvaluationState.PENILAIAN_DIRI)
        evaluation.self_assessment = body
        evaluation.self_hasil_rating = own.get("self_hasil_rating")
        evaluation.self_perilaku_rating = own.get("self_perilaku_rating")
    return evaluation


def rate(session, ctx: ActorContext, evaluation: Evaluation, hasil, perilaku, notes: Optional[str] = None,
         recommendation: Optional[str] = None, expected_version=None) -> Evaluation:
    """The rater's two ratings (and notes, recommendation); the predikat follows from the matrix. Moves an
    open or self-assessed evaluation to Dinilai; a rated one may be rated again until it is final."""
    roles = actor_roles(ctx, evaluation.skp)
    _check_version(evaluation, expected_version)
    if evaluation.status == EvaluationState.DINILAI:
        if not can_edit(EVALUATION_MACHINE, evaluation.status, roles):
            raise TransitionError(_l("Only the rater changes the ratings."), "WRONG_ACTOR", evaluation.status,
                                  evaluation.status)
    else:
        check_transition(EVALUATION_MACHINE, evaluation.status, EvaluationState.DINILAI, roles)
    errors = {}
    ratings = {}
    for key, value in (("hasil_rating", hasil), ("perilaku_rating", perilaku)):
        try:
            ratings[key] = as_rating(value)
        except (RatingError, TypeError) as exc:
            errors[key] = getattr(exc, "message", _l("Choose a rating."))
    notes = _text(errors, "notes", notes, NOTES_MAX, required=False, label=_l("Notes"))
    recommendation = _text(errors, "recommendation", recommendation, NOTES_MAX, required=False,
                           label=_l("Recommendation"))
    if errors:
        raise DomainValidationError(errors)
    with _unit_of_work(session):
        if evaluation.status != EvaluationState.DINILAI:
            _move(session, ctx, EVALUATION_MACHINE, TransitionEntity.EVALUATION, evaluation, roles,
                  EvaluationState.DINILAI)
        evaluation.hasil_rating = ratings["hasil_rating"].value
        evaluation.perilaku_rating = ratings["perilaku_rating"].value
        evaluation.predikat = predikat(ratings["hasil_rating"], ratings["perilaku_rating"]).value
        evaluation.notes, evaluation.recommendation = notes, recommendation
        evaluation.rated_at = now_wib()
    return evaluation


def _rank_text(employee) -> Optional[str]:
    rank = employee.rank
    if rank is None:
        return None
    return f"{rank.code} {rank.name}"[:80] if rank.asn_type == "PNS" else f"PPPK {rank.code}"[:80]


def _snapshot(evaluation: Evaluation, prefix: str, person) -> None:
    """Copy a person's identity (name, NIP, rank, position, unit) onto the evaluation's ``<prefix>_*`` columns."""
    if person is None:
        return
    setattr(evaluation, f"{prefix}_name", person.full_name[:300])
    setattr(evaluation, f"{prefix}_nip", person.nip)
    setattr(evaluation, f"{prefix}_rank", _rank_text(person))
    setattr(evaluation, f"{prefix}_position", person.position.name[:200] if person.position else None)
    setattr(evaluation, f"{prefix}_unit", person.unit.name[:200] if person.unit else None)


def finalise(session, ctx: ActorContext, evaluation: Evaluation, expected_version=None) -> Evaluation:
    """Dinilai → Final (the rater, or Pengelola Kinerja): the identities of the employee, the rater and the
    rater's supervisor and the unit's organisation rating for the period are copied onto the evaluation;
    the employee is notified that the result is ready."""
    skp = evaluation.skp
    roles = actor_roles(ctx, skp)
    _check_version(evaluation, expected_version)
    check_transition(EVALUATION_MACHINE, evaluation.status, EvaluationState.FINAL, roles)
    people = {e.id: e for e in session.scalars(select(Employee).where(
        Employee.id.in_([i for i in (skp.employee_id, skp.rater_id, skp.rater_supervisor_id) if i])))}
    org_rating = session.scalar(select(OrganisationRating).where(OrganisationRating.unit_id == skp.unit_id,
                                                                 OrganisationRating.period_id == evaluation.period_id))
    with _unit_of_work(session):
        _move(session, ctx, EVALUATION_MACHINE, TransitionEntity.EVALUATION, evaluation, roles,
              EvaluationState.FINAL)
        evaluation.finalised_at = now_wib()
        _snapshot(evaluation, "employee", people.get(skp.employee_id))
        _snapshot(evaluation, "rater", people.get(skp.rater_id))
        boss = people.get(skp.rater_supervisor_id)
        if boss is not None:
            evaluation.rater_supervisor_name = boss.full_name[:300]
            evaluation.rater_supervisor_nip = boss.nip
        if org_rating is not None:
            evaluation.organisation_rating = org_rating.rating
            evaluation.organisation_achievement = org_rating.achievement
        notify.notify(session, [skp.employee_id], EVALUATION_READY,
                      _l("Your performance evaluation is ready: %(period)s", period=evaluation.period.code),
                      body=_l("Predikat: %(predikat)s. You may object within %(days)d days.",
                              predikat=evaluation.predikat_label, days=DEFAULT_OBJECTION_DAYS),
                      link=notify.link_for("evaluation", evaluation.id))
    return evaluation


# --- objections ----------------------------------------------------------------------------------------

def file_objection(session, ctx: ActorContext, evaluation: Evaluation, reasons: str, today: Optional[date] = None,
                   days: int = DEFAULT_OBJECTION_DAYS) -> Objection:
    """Keberatan by the employee against a final evaluation, within ``days`` of its finalisation (day 0 is
    the day it became final: day 14 accepted, day 15 refused). The rater and the rater's supervisor are
    notified."""
    skp = evaluation.skp
    roles = actor_roles(ctx, skp)
    today = as_date(today) if today is not None else today_wib()
    existing = session.scalar(select(Objection.status).where(Objection.evaluation_id == evaluation.id))
    check_can_file_objection(evaluation.status, evaluation.finalised_at.date() if evaluation.finalised_at else None,
                             today, existing, days)
    errors = {}
    text = _text(errors, "reasons", reasons, NOTES_MAX, required=False, label=_l("Reasons"))
    if errors:
        raise DomainValidationError(errors)
    check_transition(OBJECTION_MACHINE, None, ObjectionState.DIAJUKAN, roles, text)
    now = now_wib()
    at = now if today == now.date() else datetime.combine(today, now.time())
    with _unit_of_work(session):
        row = Objection(evaluation_id=evaluation.id, status=ObjectionState.DIAJUKAN.value, reasons=text, filed_at=at)
        session.add(row)
        session.flush()
        transition = make_transition(OBJECTION_MACHINE, None, ObjectionState.DIAJUKAN, roles, ctx.user_name, at, text)
        _log(session, ctx, TransitionEntity.OBJECTION, row.id, transition, at)
        notify.notify(session, [skp.rater_id, skp.rater_supervisor_id], OBJECTION_FILED,
                      _l("Objection filed against the evaluation of %(name)s (%(period)s)",
                         name=skp.employee.full_name, period=evaluation.period.code),
                      body=text, link=notify.link_for("objection", row.id))
    return row


def explain_objection(session, ctx: ActorContext, objection: Objection, text: str, expected_version=None) -> Objection:
    """Penjelasan pejabat penilai: Diajukan → Dijelaskan (the rater); the rater's supervisor and the
    employee are notified."""
    evaluation = objection.evaluation
    skp = evaluation.skp
    roles = actor_roles(ctx, skp)
    _check_version(objection, expected_version)
    errors = {}
    body = _text(errors, "explanation", text, NOTES_MAX, required=False, label=_l("Explanation"))
    if errors:
        raise DomainValidationError(errors)
    check_transition(OBJECTION_MACHINE, objection.status, ObjectionState.DIJELASKAN, roles, body)
    with _unit_of_work(session):
        _move(session, ctx, OBJECTION_MACHINE, TransitionEntity.OBJECTION, objection, roles,
              ObjectionState.DIJELASKAN, body)
        objection.explanation = body
        objection.explained_at = now_wib()
        notify.notify(session, [skp.rater_supervisor_id, skp.employee_id], OBJECTION_EXPLAINED,
                      _l("The rater explained the evaluation of %(name)s (%(period)s)",
                         name=skp.employee.full_name, period=evaluation.period.code),
                      link=notify.link_for("objection", objection.id))
    return objection


def decide_objection(session, ctx: ActorContext, objection: Objection, decision: str, new_hasil=None,
                     new_perilaku=None, text: Optional[str] = None, expected_version=None) -> Objection:
    """The final decision of the rater's supervisor: Dijelaskan → Diputus, TETAP (keep) or DIUBAH (change:
    the new ratings and the predikat from the matrix replace the evaluation's, in the same transaction).
    The employee and the rater are notified."""
    evaluation = objection.evaluation
    skp = evaluation.skp
    roles = actor_roles(ctx, skp)
    _check_version(objection, expected_version)
    errors = {}
    body = _text(errors, "decision_text", text, NOTES_MAX, required=False, label=_l("Decision"))
    if errors:
        raise DomainValidationError(errors)
    check_transition(OBJECTION_MACHINE, objection.status, ObjectionState.DIPUTUS, roles, body)
    new = None
    if new_hasil not in (None, "") or new_perilaku not in (None, ""):
        for key, value in (("new_hasil_rating", new_hasil), ("new_perilaku_rating", new_perilaku)):
            try:
                as_rating(value)
            except (RatingError, TypeError) as exc:
                errors[key] = getattr(exc, "message", _l("Choose a rating."))
        if errors:
            raise DomainValidationError(errors)
        new = (as_rating(new_hasil), as_rating(new_perilaku))
    try:
        check_objection_decision(decision, (evaluation.hasil_rating, evaluation.perilaku_rating), new)
    except TransitionError as exc:
        raise DomainValidationError({"decision": exc.message}) from None
    outcome = ObjectionDecision(decision)
    with _unit_of_work(session):
        _move(session, ctx, OBJECTION_MACHINE, TransitionEntity.OBJECTION, objection, roles,
              ObjectionState.DIPUTUS, body)
        objection.decision = outcome.value
        objection.decision_text = body
        objection.decided_at = now_wib()
        objection.decided_by_id = ctx.employee_id
        if outcome == ObjectionDecision.DIUBAH:
            result = predikat(*new)
            objection.new_hasil_rating, objection.new_perilaku_rating = new[0].value, new[1].value
            objection.new_predikat = result.value
            evaluation.hasil_rating, evaluation.perilaku_rating = new[0].value, new[1].value
            evaluation.predikat = result.value
        notify.notify(session, [skp.employee_id, skp.rater_id], OBJECTION_DECIDED,
                      _l("The objection against the evaluation of %(name)s (%(period)s) was decided: %(decision)s",
                         name=skp.employee.full_name, period=evaluation.period.code, decision=outcome.label),
                      body=body, link=notify.link_for("objection", objection.id))
    return objection


# --- timeline ------------------------------------------------------------------------------------------

def timeline(session, entity, entity_id: int) -> list[TransitionLog]:
    """The transitions of one record, oldest first (entity: TransitionEntity or its code, e.g. "SKP")."""
    code = TransitionEntity(entity).value
    return list(session.scalars(select(TransitionLog).where(TransitionLog.entity == code,
                                                            TransitionLog.entity_id == entity_id)
                                .order_by(TransitionLog.at, TransitionLog.id)))


# --- deadline reminders (cron) --------------------------------------------------------------------------

@dataclass
class ReminderResult:
    skp: int = 0
    evaluation: int = 0
    objection: int = 0
    emails: int = 0

    @property
    def total(self) -> int:
        return self.skp + self.evaluation + self.objection


def send_reminders(session, today: Optional[date] = None, decision_days: int = DEFAULT_DECISION_DAYS,
                   remind_days: int = OBJECTION_REMIND_DAYS) -> ReminderResult:
    """Deadline reminders as notifications (and e-mails when configured), at most once per person, subject
    and day (running twice the same day adds nothing):

    * after the end of January: every active employee with an account whose plan for the year is not
      submitted (no plan, Draft or Returned);
    * after a period closes (``closes_on``, else its end): the rater of every evaluation of it not yet final;
    * an objection not decided whose decision deadline is ``remind_days`` away or past: the rater while it
      waits for the explanation, the rater's supervisor once it is explained.
    """
    from flask_appbuilder.security.sqla.models import User

    today = as_date(today) if today is not None else today_wib()
    at = datetime.combine(today, now_wib().time())
    day_start, day_end = datetime.combine(today, time.min), datetime.combine(today + timedelta(days=1), time.min)
    result = ReminderResult()
    wanted: list[tuple[int, Optional[str], str, str, object, object]] = []  # user, email, kind, link, title, body

    # 1. plans not submitted by the deadline
    year = today.year
    deadline = skp_submission_deadline(year)
    if today > deadline:
        submitted = exists().where(Skp.employee_id == Employee.id, Skp.year == year,
                                   Skp.status.in_([SkpState.DIAJUKAN.value, SkpState.DISETUJUI.value]))
        rows = session.execute(select(Employee.user_id, Employee.email, User.email)
                               .join(User, User.id == Employee.user_id)
                               .where(Employee.status == "AKTIF", ~submitted)).all()
        for user_id, email, account_email in rows:
            wanted.append((user_id, email or account_email, REMIND_SKP, notify.LINKS["my_plans"],
                           _l("Your performance plan %(year)s is not submitted yet", year=year),
                           _l("The deadline was %(deadline)s. Submit your plan (SKP) to your supervisor.",
                              deadline=deadline.isoformat())))

    # 2. evaluations still pending after their period closed
    closed = func.coalesce(Period.closes_on, Period.ends_on) < today
    rater = Employee
    rows = session.execute(
        select(Evaluation.id, Period.code, rater.user_id, rater.email, User.email)
        .join(Period, Period.id == Evaluation.period_id)
        .join(Skp, Skp.id == Evaluation.skp_id)
        .join(rater, rater.id == Skp.rater_id)
        .join(User, User.id == rater.user_id)
        .where(closed, Evaluation.status != EvaluationState.FINAL.value)).all()
    for evaluation_id, period_code, user_id, email, account_email in rows:
        wanted.append((user_id, email or account_email, REMIND_EVALUATION, notify.link_for("evaluation", evaluation_id),
                       _l("An evaluation of %(period)s is still pending after the period closed", period=period_code),
                       None))

    # 3. objections close to (or past) their decision deadline
    rows = session.execute(
        select(Objection.id, Objection.status, Objection.filed_at, Skp.rater_id, Skp.rater_supervisor_id)
        .join(Evaluation, Evaluation.id == Objection.evaluation_id)
        .join(Skp, Skp.id == Evaluation.skp_id)
        .where(Objection.status != ObjectionState.DIPUTUS.value)).all()
    due = []
    for objection_id, status, filed_at, rater_id, boss_id in rows:
        deadline_day = decision_deadline(filed_at, decision_days)
        if (deadline_day - today).days <= remind_days:
            who = rater_id if status == ObjectionState.DIAJUKAN else boss_id
            if who:
                due.append((objection_id, who, deadline_day))
    if due:
        contacts = {user_id: email for user_id, email in notify.recipients(session, {d[1] for d in due})}
        user_of = dict(session.execute(select(Employee.id, Employee.user_id).where(
            Employee.id.in_({d[1] for d in due}), Employee.user_id.is_not(None))).all())
        for objection_id, who, deadline_day in due:
            user_id = user_of.get(who)
            if user_id in contacts:
                wanted.append((user_id, contacts[user_id], REMIND_OBJECTION,
                               notify.link_for("objection", objection_id),
                               _l("An objection awaits its decision (deadline %(deadline)s)",
                                  deadline=deadline_day.isoformat()), None))

    if not wanted:
        return result
    already = set(session.execute(select(Notification.user_id, Notification.kind, Notification.link).where(
        Notification.kind.in_([REMIND_SKP, REMIND_EVALUATION, REMIND_OBJECTION]),
        Notification.created_on >= day_start, Notification.created_on < day_end)).all())
    with _unit_of_work(session):
        for user_id, email, kind, link, title, body in wanted:
            if (user_id, kind, link) in already:
                continue
            already.add((user_id, kind, link))
            notify.add(session, user_id, email, kind, title, body, link, at=at)
            attribute = {REMIND_SKP: "skp", REMIND_EVALUATION: "evaluation", REMIND_OBJECTION: "objection"}[kind]
            setattr(result, attribute, getattr(result, attribute) + 1)
        result.emails = len(notify.pending(session))
    return result
