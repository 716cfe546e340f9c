"""The workflows of the performance cycle as data: the SKP plan, the evaluation and the objection.

Each workflow is a ``Machine``: its states, the initial state, the final states and the allowed ``Step``
(from, to, which actors, whether a comment is required). ``check_transition`` is the one gate every
endpoint (form view, custom view, REST API, CLI) calls before changing a record's state; it refuses
skipping a state, acting on a final record and the wrong actor with a ``TransitionError`` whose lazy
message names both states. Every accepted transition is stored as a ``Transition`` (who, when, from, to,
comment) for the record's timeline.

Actors are relations between the signed-in person and the record, computed by the caller from the record
and the person's roles (a person can be several at once):

* OWNER             — the employee whose SKP / evaluation / objection it is (*pegawai yang dinilai*).
* RATER             — the record's *pejabat penilai* (normally the atasan langsung).
* RATERS_SUPERVISOR — the rater's own supervisor (*atasan pejabat penilai*), who decides objections.
* PENGELOLA         — *Pengelola Kinerja* (BKPSDM performance staff).
* ADMIN             — *Administrator Sistem*.

Decisions (documented here, changeable as data):

* SKP (*Sasaran Kinerja Pegawai*): the owner writes (creates) and submits (Draft -> Diajukan) the plan and
  may withdraw it while it waits (Diajukan -> Draft); the rater approves (-> Disetujui) or returns it with
  notes (-> Dikembalikan, comment required); the owner reopens a returned plan (Dikembalikan -> Draft) to
  edit it. Disetujui is final: the plan is frozen and any change is a new revision (``needs_new_revision``)
  that starts again at Draft. Admin and Pengelola have no step in a plan: a vacant or acting rater is
  solved in the master data (the employee's supervisor), not by bypassing the workflow.
* Evaluation (*penilaian kinerja*): Pengelola (or Admin) opens it for a period (-> Dibuka); the owner may
  submit a self-assessment (*penilaian diri*, optional: Dibuka -> Penilaian diri); the rater rates
  (Dibuka or Penilaian diri -> Dinilai); the rater finalises (Dinilai -> Final), and Pengelola may also
  finalise rated evaluations when a period closes. Final is final: after it the ratings change only through
  an objection decided DIUBAH, which the service applies in the same transaction.
* Objection (*keberatan*): the owner files it with reasons (-> Diajukan; only on a final evaluation and
  within the window, see ``check_can_file_objection``); the rater explains (-> Dijelaskan, *penjelasan
  pejabat penilai*); the rater's supervisor decides (-> Diputus, TETAP or DIUBAH). Diputus is final. The
  decision cannot skip the rater's explanation.
* Nobody acts on their own record in someone else's capacity: when the actor set contains OWNER, only
  steps open to the OWNER are allowed (a supervisor never approves or rates their own plan).

Pure functions and value objects only (no Flask app, no database).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.performance.deadlines import DEFAULT_OBJECTION_DAYS, as_date, can_object, objection_deadline
from app.performance.rating import Rating, as_rating

# --- actors -------------------------------------------------------------------------------------


class Actor(StrEnum):
    """The capacity in which a person acts on a record (see the module docstring)."""

    OWNER = "OWNER"
    RATER = "RATER"
    RATERS_SUPERVISOR = "RATERS_SUPERVISOR"
    PENGELOLA = "PENGELOLA"
    ADMIN = "ADMIN"

    @property
    def label(self):
        return ACTOR_LABELS[self]


ACTOR_LABELS = MappingProxyType({
    Actor.OWNER: _l("the employee"),
    Actor.RATER: _l("the rater (pejabat penilai)"),
    Actor.RATERS_SUPERVISOR: _l("the rater's supervisor (atasan pejabat penilai)"),
    Actor.PENGELOLA: _l("Pengelola Kinerja"),
    Actor.ADMIN: _l("the administrator"),
})

# When a person holds several capacities, the one recorded on the timeline is the first that applies.
ACTOR_PRECEDENCE = (Actor.OWNER, Actor.RATER, Actor.RATERS_SUPERVISOR, Actor.PENGELOLA, Actor.ADMIN)


def as_actors(actor_roles: Optional[Iterable]) -> frozenset:
    """The Actor members of ``actor_roles`` (members or codes); unknown values are ignored."""
    result = set()
    for value in actor_roles or ():
        try:
            result.add(Actor(value))
        except (ValueError, TypeError):
            continue
    return frozenset(result)


# --- errors -------------------------------------------------------------------------------------

class TransitionError(ValueError):
    """An illegal transition. ``message`` is a lazy, translatable string naming both states; ``code`` says
    why: UNKNOWN_STATE, SAME_STATE, FINAL, NOT_ALLOWED (skipping or going backwards), WRONG_ACTOR,
    OWN_RECORD, COMMENT_REQUIRED, NOT_FINAL, DEADLINE, ALREADY_FILED, INVALID_DECISION."""

    def __init__(self, message, code: str, current: Optional[str] = None, target: Optional[str] = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.current = current
        self.target = target


# --- machines -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """An allowed transition. ``source`` None means creating the record in state ``target``."""

    source: Optional[str]
    target: str
    actors: frozenset
    action: Any = None  # lazy button label, e.g. "Submit"
    requires_comment: bool = False

    def __post_init__(self):
        object.__setattr__(self, "actors", frozenset(Actor(a) for a in self.actors))
        if not self.actors:
            raise ValueError(f"step {self.source} -> {self.target} has no actor")


@dataclass(frozen=True)
class Machine:
    """A workflow: ``states`` (code -> lazy label, in display order), ``initial`` state, ``final`` states
    (no way out), allowed ``steps`` and ``editors`` (state -> actors who may edit the record's content in
    that state; absent: nobody)."""

    name: str
    label: Any
    states: Mapping[str, Any]
    initial: str
    final: frozenset
    steps: tuple
    editors: Mapping[str, frozenset] = field(default_factory=dict)

    def __post_init__(self):
        states = set(self.states)
        object.__setattr__(self, "final", frozenset(self.final))
        object.__setattr__(self, "editors", MappingProxyType(
            {s: frozenset(Actor(a) for a in actors) for s, actors in dict(self.editors).items()}))
        if self.initial not in states or not self.final <= states or not set(self.editors) <= states:
            raise ValueError(f"{self.name}: initial, final and editor states must be among the states")
        seen = set()
        for step in self.steps:
            if step.target not in states or (step.source is not None and step.source not in states):
                raise ValueError(f"{self.name}: step {step.source} -> {step.target} uses an unknown state")
            if step.source in self.final:
                raise ValueError(f"{self.name}: final state {step.source} cannot have a way out")
            if step.source is None and step.target != self.initial:
                raise ValueError(f"{self.name}: records are created in {self.initial}, not {step.target}")
            if (step.source, step.target) in seen:
                raise ValueError(f"{self.name}: duplicate step {step.source} -> {step.target}")
            seen.add((step.source, step.target))

    def label_of(self, state: Optional[str]):
        """The lazy label of a state ('' for None, the raw code when unknown)."""
        if state is None:
            return ""
        return self.states.get(state, state)

    def step(self, source: Optional[str], target: str) -> Optional[Step]:
        for step in self.steps:
            if step.source == source and step.target == target:
                return step
        return None

    def steps_from(self, source: Optional[str]) -> tuple:
        return tuple(step for step in self.steps if step.source == source)

    def is_final(self, state: str) -> bool:
        return state in self.final


# --- the SKP plan -------------------------------------------------------------------------------

class SkpState(StrEnum):
    """States of an SKP (*Sasaran Kinerja Pegawai*) revision."""

    DRAFT = "DRAFT"  # Draft: being written by the employee
    DIAJUKAN = "DIAJUKAN"  # Diajukan: submitted to the rater
    DISETUJUI = "DISETUJUI"  # Disetujui: approved by the rater; frozen
    DIKEMBALIKAN = "DIKEMBALIKAN"  # Dikembalikan: returned with notes


_O, _R, _RS, _P, _A = Actor.OWNER, Actor.RATER, Actor.RATERS_SUPERVISOR, Actor.PENGELOLA, Actor.ADMIN

SKP_MACHINE = Machine(
    name="skp",
    label=_l("performance plan (SKP)"),
    states=MappingProxyType({
        SkpState.DRAFT: _l("Draft"),
        SkpState.DIAJUKAN: _l("Submitted"),
        SkpState.DISETUJUI: _l("Approved"),
        SkpState.DIKEMBALIKAN: _l("Returned"),
    }),
    initial=SkpState.DRAFT,
    final=frozenset({SkpState.DISETUJUI}),
    steps=(
        Step(None, SkpState.DRAFT, {_O}, _l("Create")),
        Step(SkpState.DRAFT, SkpState.DIAJUKAN, {_O}, _l("Submit")),
        Step(SkpState.DIAJUKAN, SkpState.DRAFT, {_O}, _l("Withdraw")),
        Step(SkpState.DIAJUKAN, SkpState.DISETUJUI, {_R}, _l("Approve")),
        Step(SkpState.DIAJUKAN, SkpState.DIKEMBALIKAN, {_R}, _l("Return"), requires_comment=True),
        Step(SkpState.DIKEMBALIKAN, SkpState.DRAFT, {_O}, _l("Edit again")),
    ),
    # The owner writes the plan in Draft; while it is submitted the rater may write their own part
    # (ekspektasi khusus pimpinan) before approving. The view decides which fields each one edits.
    editors={SkpState.DRAFT: {_O}, SkpState.DIAJUKAN: {_R}},
)


def needs_new_revision(state: Union[SkpState, str], machine: Machine = SKP_MACHINE) -> bool:
    """True when a change to a plan in ``state`` must open a new revision (the plan is approved, frozen).

    Draft plans are edited in place; submitted and returned plans are neither edited nor revised (withdraw
    or reopen them first: see ``can_edit``).
    """
    return state in machine.final


# --- the evaluation -----------------------------------------------------------------------------

class EvaluationState(StrEnum):
    """States of an evaluation (*penilaian kinerja*) of one employee for one period."""

    DIBUKA = "DIBUKA"  # Dibuka: opened for the period
    PENILAIAN_DIRI = "PENILAIAN_DIRI"  # Penilaian diri: self-assessment submitted (optional)
    DINILAI = "DINILAI"  # Dinilai: rated by the pejabat penilai
    FINAL = "FINAL"  # Final: result delivered; the objection window starts


EVALUATION_MACHINE = Machine(
    name="evaluation",
    label=_l("performance evaluation"),
    states=MappingProxyType({
        EvaluationState.DIBUKA: _l("Opened"),
        EvaluationState.PENILAIAN_DIRI: _l("Self-assessed"),
        EvaluationState.DINILAI: _l("Rated"),
        EvaluationState.FINAL: _l("Final"),
    }),
    initial=EvaluationState.DIBUKA,
    final=frozenset({EvaluationState.FINAL}),
    steps=(
        Step(None, EvaluationState.DIBUKA, {_P, _A}, _l("Open")),
        Step(EvaluationState.DIBUKA, EvaluationState.PENILAIAN_DIRI, {_O}, _l("Submit self-assessment")),
        Step(EvaluationState.DIBUKA, EvaluationState.DINILAI, {_R}, _l("Rate")),
        Step(EvaluationState.PENILAIAN_DIRI, EvaluationState.DINILAI, {_R}, _l("Rate")),
        Step(EvaluationState.DINILAI, EvaluationState.FINAL, {_R, _P}, _l("Finalise")),
    ),
    # The owner writes the self-assessment while the evaluation is open; the rater enters and may revise
    # ratings and notes until it is final.
    editors={EvaluationState.DIBUKA: {_O, _R}, EvaluationState.PENILAIAN_DIRI: {_R}, EvaluationState.DINILAI: {_R}},
)


# --- the objection ------------------------------------------------------------------------------

class ObjectionState(StrEnum):
    """States of an objection (*keberatan*) against a final evaluation."""

    DIAJUKAN = "DIAJUKAN"  # Diajukan: filed by the employee with reasons
    DIJELASKAN = "DIJELASKAN"  # Penjelasan penilai: the rater has explained
    DIPUTUS = "DIPUTUS"  # Diputus: decided by the atasan pejabat penilai (TETAP / DIUBAH); final


class ObjectionDecision(StrEnum):
    """The decision of the *atasan pejabat penilai* on an objection."""

    TETAP = "TETAP"  # the result is kept
    DIUBAH = "DIUBAH"  # the result is changed

    @property
    def label(self):
        return OBJECTION_DECISION_LABELS[self]


OBJECTION_DECISION_LABELS = MappingProxyType({
    ObjectionDecision.TETAP: _l("Result kept"),
    ObjectionDecision.DIUBAH: _l("Result changed"),
})

OBJECTION_MACHINE = Machine(
    name="objection",
    label=_l("objection (keberatan)"),
    states=MappingProxyType({
        ObjectionState.DIAJUKAN: _l("Filed"),
        ObjectionState.DIJELASKAN: _l("Explained by the rater"),
        ObjectionState.DIPUTUS: _l("Decided"),
    }),
    initial=ObjectionState.DIAJUKAN,
    final=frozenset({ObjectionState.DIPUTUS}),
    steps=(
        Step(None, ObjectionState.DIAJUKAN, {_O}, _l("File objection"), requires_comment=True),
        Step(ObjectionState.DIAJUKAN, ObjectionState.DIJELASKAN, {_R}, _l("Explain"), requires_comment=True),
        Step(ObjectionState.DIJELASKAN, ObjectionState.DIPUTUS, {_RS}, _l("Decide"), requires_comment=True),
    ),
    editors={},
)

MACHINES = MappingProxyType({m.name: m for m in (SKP_MACHINE, EVALUATION_MACHINE, OBJECTION_MACHINE)})


# --- the gate -----------------------------------------------------------------------------------

def _join_actors(actors: Iterable[Actor]):
    ordered = [a for a in ACTOR_PRECEDENCE if a in set(actors)]

    def render():
        labels = [str(a.label) for a in ordered]
        if len(labels) <= 1:
            return "".join(labels)
        return str(_l("%(first)s or %(last)s", first=", ".join(labels[:-1]), last=labels[-1]))

    return LazyString(render)


def _state_list(machine: Machine, states: Iterable[str]):
    names = [machine.label_of(s) for s in states]
    return LazyString(lambda: ", ".join(str(n) for n in names))


def check_transition(machine: Machine, current_state: Optional[str], target_state: str,
                     actor_roles: Iterable, comment: Optional[str] = None) -> None:
    """Refuse an illegal transition with TransitionError; return None when it is allowed.

    ``current_state`` None means creating the record (only in the machine's initial state).
    ``actor_roles`` holds the Actor capacities (members or codes) of the person acting on this record.
    Checked in order: known states; not the same state; the current state is not final; the step exists
    (no skipping, no going back unless allowed); the actor may take it (and is not acting on their own
    record in another capacity); a comment when the step requires one. The error's ``code`` tells which.
    """
    current, target = current_state, target_state
    for state in (current, target):
        if state is not None and state not in machine.states:
            raise TransitionError(_l("Unknown state %(state)s for the %(record)s.", state=repr(state),
                                     record=machine.label), "UNKNOWN_STATE", current, target)
    cur_label, tgt_label = machine.label_of(current), machine.label_of(target)
    if current is None:
        if machine.step(None, target) is None:
            raise TransitionError(_l("A new %(record)s starts as %(initial)s, not %(target)s.",
                                     record=machine.label, initial=machine.label_of(machine.initial),
                                     target=tgt_label), "NOT_ALLOWED", current, target)
    elif current == target:
        raise TransitionError(_l("The %(record)s is already %(state)s.", record=machine.label, state=cur_label),
                              "SAME_STATE", current, target)
    elif machine.is_final(current):
        raise TransitionError(_l("The %(record)s is %(current)s, which is final: it cannot change to "
                                 "%(target)s.", record=machine.label, current=cur_label, target=tgt_label),
                              "FINAL", current, target)
    step = machine.step(current, target)
    if step is None:
        nexts = [s.target for s in machine.steps_from(current)]
        raise TransitionError(_l("The %(record)s cannot go from %(current)s to %(target)s; from %(current)s it "
                                 "can only go to %(allowed)s.", record=machine.label, current=cur_label,
                                 target=tgt_label, allowed=_state_list(machine, nexts)),
                              "NOT_ALLOWED", current, target)
    actors = as_actors(actor_roles)
    creating = current is None
    if not actors & step.actors:
        message = _l("Only %(actors)s may create the %(record)s.", actors=_join_actors(step.actors),
                     record=machine.label) if creating else \
            _l("Only %(actors)s may move the %(record)s from %(current)s to %(target)s.",
               actors=_join_actors(step.actors), record=machine.label, current=cur_label, target=tgt_label)
        raise TransitionError(message, "WRONG_ACTOR", current, target)
    if Actor.OWNER in actors and Actor.OWNER not in step.actors:
        message = _l("You cannot create your own %(record)s.", record=machine.label) if creating else \
            _l("You cannot move your own %(record)s from %(current)s to %(target)s.",
               record=machine.label, current=cur_label, target=tgt_label)
        raise TransitionError(message, "OWN_RECORD", current, target)
    if step.requires_comment and not (comment or "").strip():
        message = _l("Creating the %(record)s needs a comment.", record=machine.label) if creating else \
            _l("Moving the %(record)s from %(current)s to %(target)s needs a comment.",
               record=machine.label, current=cur_label, target=tgt_label)
        raise TransitionError(message, "COMMENT_REQUIRED", current, target)


def is_allowed(machine: Machine, current_state: Optional[str], target_state: str, actor_roles: Iterable,
               comment: Optional[str] = None) -> bool:
    """``check_transition`` as a boolean."""
    try:
        check_transition(machine, current_state, target_state, actor_roles, comment)
    except TransitionError:
        return False
    return True


def allowed_steps(machine: Machine, current_state: Optional[str], actor_roles: Iterable) -> list[Step]:
    """The steps this actor may take from ``current_state`` (the buttons to show; comments not checked)."""
    return [step for step in machine.steps_from(current_state)
            if is_allowed(machine, current_state, step.target, actor_roles, comment="-")]


def acting_as(machine: Machine, current_state: Optional[str], target_state: str,
              actor_roles: Iterable) -> Actor:
    """The capacity recorded for an allowed transition (the first of ACTOR_PRECEDENCE that the step admits).

    Raises TransitionError when the transition is not allowed for these actors.
    """
    check_transition(machine, current_state, target_state, actor_roles, comment="-")
    step = machine.step(current_state, target_state)
    actors = as_actors(actor_roles)
    return next(a for a in ACTOR_PRECEDENCE if a in actors and a in step.actors)


def can_edit(machine: Machine, state: str, actor_roles: Iterable) -> bool:
    """Whether this actor may edit the record's content (not its state) in ``state``.

    Nobody edits a record in a final state; the owner edits only where the OWNER is listed.
    """
    if state in machine.final:
        return False
    editors = machine.editors.get(state, frozenset())
    actors = as_actors(actor_roles)
    if Actor.OWNER in actors:
        return Actor.OWNER in editors
    return bool(actors & editors)


# --- timeline records -------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    """One entry of a record's timeline: who moved it from which state to which, when, and why.

    ``from_state`` is None for the creation. ``actor`` identifies the person (e.g. a user id or name);
    ``actor_kind`` the capacity they acted in. ``at`` is an aware datetime (or a date for imported history).
    """

    from_state: Optional[str]
    to_state: str
    actor: Any
    at: Union[datetime, date]
    comment: Optional[str] = None
    actor_kind: Optional[Actor] = None

    def describe(self, machine: Machine):
        """Lazy 'Submitted -> Approved' text for the timeline."""
        source, target = machine.label_of(self.from_state), machine.label_of(self.to_state)
        if self.from_state is None:
            return LazyString(lambda: str(target))
        return LazyString(lambda: f"{source} \u2192 {target}")


def make_transition(machine: Machine, current_state: Optional[str], target_state: str, actor_roles: Iterable,
                    actor: Any, at: Union[datetime, date], comment: Optional[str] = None) -> Transition:
    """Check a transition and return its timeline record (comment stripped; None when blank)."""
    check_transition(machine, current_state, target_state, actor_roles, comment)
    kind = acting_as(machine, current_state, target_state, actor_roles)
    text = (comment or "").strip() or None
    return Transition(current_state, target_state, actor, at, text, kind)


def _moment(value):
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def replay(machine: Machine, transitions: Sequence[Transition]) -> Optional[str]:
    """The state a timeline leads to, checking that it is a legal path.

    The timeline must start with the creation (from None) or from the initial state, each entry must
    start where the previous one ended, be allowed for its recorded ``actor_kind`` (when set), and not go
    back in time (naive and aware datetimes are not mixed). Returns None for an empty timeline.
    """
    state: Optional[str] = None
    previous_at = None
    for index, entry in enumerate(transitions):
        if index == 0 and entry.from_state is not None:
            if entry.from_state != machine.initial:
                raise TransitionError(_l("The timeline of the %(record)s must start at %(initial)s.",
                                         record=machine.label, initial=machine.label_of(machine.initial)),
                                      "NOT_ALLOWED", entry.from_state, entry.to_state)
            state = entry.from_state
        if entry.from_state != state:
            raise TransitionError(_l("The timeline is broken: an entry starts at %(current)s but the %(record)s "
                                     "was %(state)s.", current=machine.label_of(entry.from_state) or "-",
                                     record=machine.label, state=machine.label_of(state) or "-"),
                                  "NOT_ALLOWED", entry.from_state, entry.to_state)
        step = machine.step(entry.from_state, entry.to_state)
        if entry.actor_kind is not None:
            roles = {entry.actor_kind}
        else:  # capacity not recorded (imported history): check the path and the comment only
            roles = step.actors if step is not None else set()
            if Actor.OWNER in roles:
                roles = {Actor.OWNER}
        check_transition(machine, entry.from_state, entry.to_state, roles, entry.comment)
        if previous_at is not None and _moment(entry.at) < _moment(previous_at):
            raise TransitionError(_l("The timeline goes back in time at %(target)s.",
                                     target=machine.label_of(entry.to_state)),
                                  "NOT_ALLOWED", entry.from_state, entry.to_state)
        previous_at = entry.at
        state = entry.to_state
    return state


# --- objections -----------------------------------------------------------------------------------

def check_can_file_objection(evaluation_state: str, final_on: Optional[date], on: date,
                             existing_objection_state: Optional[str] = None,
                             days: int = DEFAULT_OBJECTION_DAYS) -> None:
    """Refuse filing an objection with TransitionError unless the evaluation is final, no objection was
    filed against it yet, and ``on`` lies in the window (``deadlines.can_object``: day 0 is ``final_on``,
    the last day is day ``days``). The actor (the OWNER) and the reasons are checked by
    ``check_transition(OBJECTION_MACHINE, None, ObjectionState.DIAJUKAN, ...)``.
    """
    if evaluation_state != EvaluationState.FINAL or final_on is None:
        raise TransitionError(_l("An objection can only be filed against a final evaluation."),
                              "NOT_FINAL", None, ObjectionState.DIAJUKAN)
    if existing_objection_state is not None:
        raise TransitionError(_l("An objection was already filed against this evaluation."),
                              "ALREADY_FILED", existing_objection_state, ObjectionState.DIAJUKAN)
    final_on, on = as_date(final_on), as_date(on)
    if on < final_on:
        raise TransitionError(_l("An objection cannot be dated before the evaluation became final (%(final)s).",
                                 final=final_on.isoformat()), "DEADLINE", None, ObjectionState.DIAJUKAN)
    if not can_object(final_on, on, days):
        raise TransitionError(_l("The objection period ended on %(deadline)s.",
                                 deadline=objection_deadline(final_on, days).isoformat()),
                              "DEADLINE", None, ObjectionState.DIAJUKAN)


def check_objection_decision(decision: Union[ObjectionDecision, str],
                             original: tuple[Union[Rating, str], Union[Rating, str]],
                             new: Optional[tuple[Union[Rating, str], Union[Rating, str]]] = None) -> None:
    """Check a decision against the (rating hasil kerja, rating perilaku kerja) before and after.

    TETAP keeps both ratings (``new`` None or equal to ``original``); DIUBAH needs ``new`` with at least
    one rating changed (the predikat is then recomputed from the matrix). TransitionError otherwise.
    """
    try:
        outcome = ObjectionDecision(decision)
    except ValueError:
        raise TransitionError(_l("Unknown decision %(value)s (expected TETAP or DIUBAH).", value=repr(decision)),
                              "INVALID_DECISION", ObjectionState.DIJELASKAN, ObjectionState.DIPUTUS) from None
    before = (as_rating(original[0]), as_rating(original[1]))
    after = before if new is None else (as_rating(new[0]), as_rating(new[1]))
    if outcome == ObjectionDecision.TETAP and after != before:
        raise TransitionError(_l("A decision to keep the result cannot change the ratings."),
                              "INVALID_DECISION", ObjectionState.DIJELASKAN, ObjectionState.DIPUTUS)
    if outcome == ObjectionDecision.DIUBAH and after == before:
        raise TransitionError(_l("A decision to change the result must change at least one rating."),
                              "INVALID_DECISION", ObjectionState.DIJELASKAN, ObjectionState.DIPUTUS)
