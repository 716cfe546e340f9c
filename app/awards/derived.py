"""The award candidates of a year as a stored result (``AwardCandidateSnapshot``; app/core/derived.py).

* ``fingerprint(session, year)`` — one query over the inputs of the candidates: the final annual evaluations of
  the year and the year before (count, latest finalisation: from an index alone), the
  Satyalancana decisions (count, largest id, latest decision time) and the employees (count, largest id, sums
  over the unit, the status and the ASN type: a move, a retirement or a new NIP-bearing PNS changes it).
* ``refresh(session, year, on, now)`` — recompute the whole city's candidates with the SQL of
  ``services.candidates_query`` (INSERT … SELECT) in ONE transaction: delete the year's rows, insert, write the
  state row; any failure rolls everything back (the old rows stay). Refreshes of one year wait for each other
  (the state row is locked) and a refresh that finds the work already done does nothing.
* ``ensure_fresh`` — what a screen calls: refresh when there is no snapshot, its fingerprint or reference date
  changed; otherwise nothing (two small queries; the fingerprint at most every ``check_every`` seconds per
  process, the app's ``DERIVED_CHECK_SECONDS``).
* ``candidate_page`` — the counts per kind (GROUP BY on the snapshot) and one page, with the viewer's scope
  and the unit filter applied to the stored unit: the same ``CandidatePage`` as ``services.candidate_page``.

The snapshot is of the year's default reference date; another date is computed live (``services``).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple, Optional

from sqlalchemy import Integer, and_, case, delete, func, insert, literal, select, true
from sqlalchemy.exc import IntegrityError, OperationalError

from app.core import derived
from app.core.transactions import atomic
from app.organisation.models import Employee, Position, Unit
from app.performance.deadlines import PeriodKind
from app.performance.models import Evaluation, Period
from app.performance.workflow import EvaluationState
from app.security import scope as S

from . import services
from .models import AwardCandidateSnapshot as Snap
from .models import AwardDecision
from .rules import SATYALANCANA, AwardKind

KIND = "award_candidates"


def fingerprint(session, year: int) -> str:
    """A cheap fingerprint of everything the candidates of ``year`` are computed from (one statement)."""
    periods = select(Period.id).where(Period.kind == PeriodKind.ANNUAL.value, Period.year.in_((year - 1, year)))
    # count and latest finalisation only: both come from an index on (period_id, status, …, finalised_at)
    evaluations = (select(func.count().label("e_n"), func.max(Evaluation.finalised_at).label("e_at"))
                   .where(Evaluation.period_id.in_(periods), Evaluation.status == EvaluationState.FINAL.value)
                   .subquery("fp_evaluation"))
    decisions = (select(func.count().label("d_n"), func.max(AwardDecision.id).label("d_id"),
                        func.max(AwardDecision.decided_at).label("d_at"))
                 .where(AwardDecision.kind.in_(sorted(k.value for k in SATYALANCANA))).subquery("fp_decision"))
    employees = (select(func.count().label("p_n"), func.max(Employee.id).label("p_id"),
                        func.sum(Employee.unit_id).label("p_unit"),
                        func.sum(case((Employee.status == services.ACTIVE, Employee.id), else_=0)).label("p_active"),
                        func.sum(case((Employee.asn_type.in_(services.SERVICE_ASN_TYPES), Employee.id),
                                      else_=0)).label("p_type"),
                        func.sum(func.length(Employee.nip)).label("p_nip"))
                 .subquery("fp_employee"))
    # three one-row aggregates side by side (each table read once)
    row = session.execute(select(evaluations, decisions, employees).select_from(
        evaluations.join(decisions, true()).join(employees, true()))).one()
    return derived.fingerprint_text(row)


def refresh(session, year: int, on: date, now: datetime, fingerprint_value: Optional[str] = None,
            force: bool = True) -> derived.DerivedResultState:
    """Recompute and store the candidates of ``year`` on ``on`` (the whole city), all or nothing; commits.
    Without ``force`` a refresh that finds the state already matching (another request did it) does nothing."""
    from app.security.scope import Scope

    fingerprint_value = fingerprint_value or fingerprint(session, year)
    params = on.isoformat()
    with atomic(session):
        row = derived.state(session, KIND, year, lock=True)
        if not force and row is not None and row.fingerprint == fingerprint_value and row.params == params:
            return row
        session.execute(delete(Snap).where(Snap.year == year))
        cand = services.candidates_query(year, on, Scope(everything=True))
        source = (select(literal(year, Integer), cand.c.employee_id, cand.c.kind, cand.c.kind_order, Employee.unit_id,
                         cand.c.previous, cand.c.current, cand.c.months)
                  .join(Employee, Employee.id == cand.c.employee_id))
        # stored in the screen's order (kind, employee): a page's rows lie on a few pages of the table
        session.execute(insert(Snap).from_select(
            ["year", "employee_id", "kind", "kind_order", "unit_id", "previous", "current", "months"],
            source.order_by(cand.c.kind_order, cand.c.employee_id)))
        rows = session.scalar(select(func.count()).select_from(Snap).where(Snap.year == year)) or 0
        row = derived.record(session, KIND, year, fingerprint_value, params, rows, now, row)
    derived.vacuum(session, Snap.__tablename__)  # the counts per kind then come from an index alone
    return row


def ensure_fresh(session, year: int, on: date, now: datetime, check_every: float = 0) -> Optional[datetime]:
    """Refresh the snapshot of ``year`` when it is missing or its inputs or reference date changed; the time it
    was computed (None when a concurrent first refresh won a race and this one could not read it yet). With
    ``check_every`` (seconds) the fingerprint is compared at most that often by this process."""
    params = on.isoformat()
    row = derived.state(session, KIND, year)
    if row is not None and row.params == params and derived.recently_checked(session, KIND, year, params,
                                                                              check_every):
        return row.computed_at
    current = fingerprint(session, year)
    if row is not None and row.fingerprint == current and row.params == params:
        derived.mark_checked(session, KIND, year, params)
        return row.computed_at
    try:
        row = refresh(session, year, on, now, current, force=False)
    except (IntegrityError, OperationalError):  # a concurrent refresh of the same year came first: use its rows
        session.rollback()
        row = derived.state(session, KIND, year)
        return row.computed_at if row is not None else None
    derived.mark_checked(session, KIND, year, params)
    return row.computed_at


def _where(year: int, scope, unit_id: Optional[int]):
    clauses = [Snap.year == year]
    if not scope.everything:
        clauses.append(S.unit_clause(scope, Snap.unit_id))
    if unit_id is not None:
        clauses.append(Snap.unit_id.in_(services.chosen_subtree_ids(unit_id)))
    return and_(*clauses)


def candidate_page(session, year: int, on: date, scope, unit_id: Optional[int] = None, kind: Optional[str] = None,
                   page: int = 1, page_size: int = 50) -> services.CandidatePage:
    """The counts per kind and one page of the stored candidates of ``year`` in the scope (call ``ensure_fresh``
    first): the same result as ``services.candidate_page`` for the snapshot's reference date."""
    where = _where(year, scope, unit_id)
    counts = {k: 0 for k in AwardKind}
    for code, n in session.execute(select(Snap.kind, func.count()).where(where).group_by(Snap.kind)):
        counts[AwardKind(code)] = n
    query = select(Snap.employee_id, Snap.kind, Snap.previous, Snap.current, Snap.months, Snap.kind_order).where(where)
    if kind in AwardKind.__members__:
        query = query.where(Snap.kind == kind)
    start = (max(page, 1) - 1) * page_size
    shown_rows = query.order_by(Snap.kind_order, Snap.employee_id).offset(start).limit(page_size).subquery("shown")
    # the page with its people and their decisions of the year (one statement instead of three; an employee with
    # decisions of several kinds comes once per decision: the page's rows are taken once each, in order)
    found = session.execute(
        select(shown_rows.c.employee_id, shown_rows.c.kind, shown_rows.c.previous, shown_rows.c.current,
               shown_rows.c.months, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
               Unit.name.label("unit_name"), Position.name.label("position_name"),
               AwardDecision.id.label("decision_id"), AwardDecision.decision, AwardDecision.decree_number,
               AwardDecision.decree_date)
        .select_from(shown_rows)
        .outerjoin(Employee, Employee.id == shown_rows.c.employee_id)
        .outerjoin(Unit, Unit.id == Employee.unit_id).outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(AwardDecision, and_(AwardDecision.year == year,
                                       AwardDecision.employee_id == shown_rows.c.employee_id))
        .add_columns(AwardDecision.kind.label("decision_kind"))
        .order_by(shown_rows.c.kind_order, shown_rows.c.employee_id)).all()
    rows, seen, people, decisions = [], set(), {}, {}
    for r in found:
        if (r.employee_id, r.kind) not in seen:
            seen.add((r.employee_id, r.kind))
            rows.append(r)
        if r.nip is not None and r.employee_id not in people:
            people[r.employee_id] = PersonRow(r.employee_id, r.nip, r.name, r.front_title, r.back_title, r.unit_name,
                                              r.position_name)
        if r.decision_id is not None:
            decisions[(r.employee_id, r.decision_kind)] = DecisionRow(r.employee_id, r.decision_kind, r.decision,
                                                                      r.decree_number, r.decree_date)
    shown = [services._candidate(r, year) for r in rows]
    return services.CandidatePage(year, on, counts, sum(counts.values()), shown, decisions, people)


class PersonRow(NamedTuple):
    """The columns of ``services.employee_rows``."""

    id: int
    nip: str
    name: str
    front_title: Optional[str]
    back_title: Optional[str]
    unit_name: str
    position_name: Optional[str]


class DecisionRow(NamedTuple):
    """What the candidate screen and the REST list show of an ``AwardDecision``."""

    employee_id: int
    kind: str
    decision: str
    decree_number: Optional[str]
    decree_date: Optional[date]


def all_stored(session, year: int) -> list:
    """Every stored candidate of ``year`` (rules.Candidate, sorted by kind then employee id)."""
    return [services._candidate(r, year) for r in session.execute(
        select(Snap.employee_id, Snap.kind, Snap.previous, Snap.current, Snap.months).where(Snap.year == year)
        .order_by(Snap.kind_order, Snap.employee_id))]


def unit_of(session, year: int) -> dict:
    """{(employee_id, kind): unit_id} of the stored candidates of ``year`` (tests)."""
    return {(e, k): u for e, k, u in session.execute(
        select(Snap.employee_id, Snap.kind, Snap.unit_id).where(Snap.year == year))}

