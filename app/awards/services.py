"""Awards: the rules that need the database (no web imports; the session is passed in).

* ``gather(session, year, on, scope)`` — every candidate of a year in a constant number of queries whatever
  the number of employees: the final annual predikat of the year and the year before (one query), the
  active PNS/CPNS who may have served 10 years (one query, pre-filtered in SQL on the NIP's start month),
  the Satyalancana already approved (one query) and the decisions of the year (one query). The pure
  ``rules.candidates`` does the rest.
* ``employee_rows`` — name, NIP, unit and position of one page of candidates (one query).
* ``decide`` — record one decision for many candidates (the Pengelola's bulk action) in one transaction;
  an employee outside the scope refuses everything (``OutOfScope``: 404); a key that is not a candidate
  (and has no decision of the year yet) refuses everything with a message.
* ``decisions_query`` / ``my_awards`` — the decisions in a scope, and one employee's approved awards.

The scope of awards is by unit: the whole city (Admin, Pengelola Kinerja) or a Pimpinan's unit subtree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, case, cast, exists, func, literal, null, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.core.errors import DomainValidationError, OutOfScope
from app.core.transactions import atomic
from app.organisation.models import Employee, Position, Unit
from app.performance.deadlines import PeriodKind
from app.performance.models import Evaluation, Period, Skp
from app.performance.rating import FOLLOW_UP_TWO_YEARS, Predikat
from app.performance.workflow import EvaluationState
from app.security import scope as S

from . import rules
from .models import AwardDecision
from .rules import SATYALANCANA, AwardKind, Decision

ACTIVE = "AKTIF"
SERVICE_ASN_TYPES = ("PNS", "CPNS")

def chosen_subtree_ids(root_id: int):
    """SELECT of the ids of a chosen unit and every unit below it: like ``scope.unit_subtree_ids`` under a
    CTE name of its own, so that it can be combined with the scope's own subtree clause."""
    tree = select(Unit.id).where(Unit.id == root_id).cte("award_subtree", recursive=True)
    child = aliased(Unit)
    tree = tree.union(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)



def award_scope_clause(scope, unit_column=Employee.unit_id):
    """WHERE clause on employees whose awards a viewer may see: whole city, or a Pimpinan's subtree."""
    return S.unit_clause(scope, unit_column)


def _in_scope_employees(scope, unit_id: Optional[int] = None, employee_ids: Optional[Iterable[int]] = None):
    query = select(Employee.id).where(award_scope_clause(scope))
    if unit_id is not None:
        query = query.where(Employee.unit_id.in_(chosen_subtree_ids(unit_id)))
    if employee_ids is not None:
        query = query.where(Employee.id.in_(sorted(set(employee_ids))))
    return query


@dataclass
class CandidateList:
    year: int
    on: date
    candidates: list = field(default_factory=list)  # rules.Candidate
    decisions: dict = field(default_factory=dict)  # (employee_id, kind) -> AwardDecision of the year

    def by_kind(self, kind: Optional[str]) -> list:
        if kind in AwardKind.__members__:
            return [c for c in self.candidates if c.kind == kind]
        return list(self.candidates)

    def counts(self) -> dict:
        result = {k: 0 for k in AwardKind}
        for c in self.candidates:
            result[c.kind] += 1
        return result


def annual_rows(session, years: Iterable[int], employees):
    """(employee_id, year, predikat, finalised_at) of the FINAL evaluations of ANNUAL periods of ``years`` for
    the active employees selected by ``employees``: one query."""
    return session.execute(
        select(Skp.employee_id, Period.year, Evaluation.predikat, Evaluation.finalised_at)
        .select_from(Evaluation)
        .join(Skp, Skp.id == Evaluation.skp_id)
        .join(Period, Period.id == Evaluation.period_id)
        .join(Employee, Employee.id == Skp.employee_id)
        .where(Period.kind == PeriodKind.ANNUAL.value, Period.year.in_(sorted(set(years))),
               Evaluation.status == EvaluationState.FINAL.value, Evaluation.predikat.is_not(None),
               Employee.status == ACTIVE, Skp.employee_id.in_(employees))).all()


def service_rows(session, on: date, employees):
    """(id, nip, asn_type) of the active PNS/CPNS who may have 10 years of service on ``on`` (the NIP's
    start month pre-filters in SQL; the exact rule runs in Python): one query."""
    latest = rules.earliest_start_for(on)
    return session.execute(
        select(Employee.id, Employee.nip, Employee.asn_type)
        .where(Employee.status == ACTIVE, Employee.asn_type.in_(SERVICE_ASN_TYPES),
               func.substr(Employee.nip, 9, 6) <= latest, Employee.id.in_(employees))).all()


def gather(session, year: int, on: date, scope, unit_id: Optional[int] = None,
           employee_ids: Optional[Iterable[int]] = None) -> CandidateList:
    """Every candidate of ``year`` in the scope (and under ``unit_id``; among ``employee_ids`` when given), with
    the decisions of the year: four queries whatever the number of employees. The reference computation (the
    pure rules over the rows); the screens page through ``candidate_page``, which gives the same candidates in
    SQL (tests/test_awards_sql.py proves it)."""
    employees = _in_scope_employees(scope, unit_id, employee_ids)
    predikat = rules.annual_predikat(annual_rows(session, (year - 1, year), employees))
    starts = {row.id: rules.service_start(row.nip, row.asn_type) for row in service_rows(session, on, employees)}
    approved: dict = {}
    for employee_id, y, kind in session.execute(
            select(AwardDecision.employee_id, AwardDecision.year, AwardDecision.kind)
            .where(AwardDecision.decision == Decision.APPROVED.value,
                   AwardDecision.kind.in_(sorted(k.value for k in SATYALANCANA)),
                   AwardDecision.employee_id.in_(employees))):
        approved.setdefault(employee_id, set()).add((y, AwardKind(kind)))
    decisions = {(d.employee_id, d.kind): d for d in session.scalars(
        select(AwardDecision).where(AwardDecision.year == year, AwardDecision.employee_id.in_(employees)))}
    return CandidateList(year, on, rules.candidates(year, on, predikat, starts, approved), decisions)


# --- the candidates in SQL (the screens: counts and one page, whatever the number of employees) ----------------

PREDIKAT_AWARDS = {p.value: rules.FOLLOW_UP_AWARDS[f].value for p, f in FOLLOW_UP_TWO_YEARS.items()}
KIND_ORDER = {k.value: i for i, k in enumerate(rules.AWARD_ORDER)}
MILESTONE_YEARS = {k.value: y for y, k in rules.SERVICE_MILESTONES.items()}


def _follow_up_select(year: int, employees):
    """(employee_id, kind, previous, current, months) of the follow-up candidates of ``year``: the predikat of
    the final annual evaluation finalised last of each year (``rules.annual_predikat``: the later finalisation,
    then the larger code), equal in ``year`` - 1 and ``year`` and one of the predikat with a follow-up."""
    ranked = (select(Skp.employee_id.label("employee_id"), Period.year.label("year"),
                     Evaluation.predikat.label("predikat"),
                     func.row_number().over(partition_by=(Skp.employee_id, Period.year),
                                            order_by=(Evaluation.finalised_at.desc().nulls_last(),
                                                      Evaluation.predikat.desc())).label("rn"))
              .select_from(Evaluation)
              .join(Period, Period.id == Evaluation.period_id)
              .join(Skp, Skp.id == Evaluation.skp_id)
              .join(Employee, Employee.id == Skp.employee_id)
              # the two annual periods first (ix_evaluation_period_status), then their evaluations
              .where(Evaluation.period_id.in_(select(Period.id).where(Period.kind == PeriodKind.ANNUAL.value,
                                                                      Period.year.in_((year - 1, year)))),
                     Evaluation.status == EvaluationState.FINAL.value,
                     Evaluation.predikat.in_(sorted(Predikat.__members__)),
                     Employee.status == ACTIVE, *_employee_filter(Skp.employee_id, employees))
              .subquery("annual_ranked"))
    # one pass (no self-join): per employee the predikat of each year, equal in both and with a follow-up
    previous = func.max(case((ranked.c.year == year - 1, ranked.c.predikat), else_=None))
    current = func.max(case((ranked.c.year == year, ranked.c.predikat), else_=None))
    kind = case(PREDIKAT_AWARDS, value=current)
    return (select(ranked.c.employee_id.label("employee_id"), kind.label("kind"), previous.label("previous"),
                   current.label("current"), cast(null(), Integer).label("months"))
            .where(ranked.c.rn == 1).group_by(ranked.c.employee_id)
            .having(and_(previous == current, current.in_(sorted(PREDIKAT_AWARDS)))))


def _satyalancana_select(year: int, on: date, employees):
    """(employee_id, kind, previous, current, months) of the Satyalancana candidates on ``on``: the highest
    milestone reached by the months of service from the NIP's start month (``rules.service_months``: the start
    is the 1st, so whole months are the difference of the months), unless that milestone or a higher one was
    approved in another year. Like ``rules.service_start`` it reads the NIP of active PNS/CPNS; the NIPs in the
    database are valid (every write path validates them); the SQL re-checks their form, the start month, the
    gender digit and that service began after the 18th birthday (a real birth date it does not re-check)."""
    start_months = (cast(func.substr(Employee.nip, 9, 4), Integer) * 12
                    + cast(func.substr(Employee.nip, 13, 2), Integer))
    months = literal(on.year * 12 + on.month, Integer) - start_months
    reached = case(*[(months >= y * 12, y) for y in sorted(rules.SERVICE_MILESTONES, reverse=True)], else_=None)
    kind = case(*[(months >= y * 12, k.value) for y, k in sorted(rules.SERVICE_MILESTONES.items(), reverse=True)],
                else_=None)
    done = aliased(AwardDecision)
    done_years = case(MILESTONE_YEARS, value=done.kind, else_=0)
    awarded = exists().where(done.employee_id == Employee.id, done.decision == Decision.APPROVED.value,
                             done.kind.in_(sorted(MILESTONE_YEARS)), done.year != year, done_years >= reached)
    return (select(Employee.id.label("employee_id"), kind.label("kind"), cast(null(), String(20)).label("previous"),
                   cast(null(), String(20)).label("current"), months.label("months"))
            .where(Employee.status == ACTIVE, Employee.asn_type.in_(SERVICE_ASN_TYPES),
                   func.length(Employee.nip) == 18,
                   func.substr(Employee.nip, 9, 6) <= rules.earliest_start_for(on),
                   func.substr(Employee.nip, 13, 2).between("01", "12"),
                   func.substr(Employee.nip, 15, 1).in_(("1", "2")),
                   # like parse_nip: the start month is not before the month of the 18th birthday
                   start_months >= (cast(func.substr(Employee.nip, 1, 4), Integer) + 18) * 12
                   + cast(func.substr(Employee.nip, 5, 2), Integer),
                   *_employee_filter(Employee.id, employees), reached.is_not(None), ~awarded))


def _employee_filter(column, employees) -> list:
    """[column IN (employees)], or nothing for the whole city (an IN over every employee misleads the planners)."""
    return [] if employees is None else [column.in_(employees)]


def candidates_query(year: int, on: date, scope, unit_id: Optional[int] = None):
    """Subquery (employee_id, kind, kind_order, previous, current, months) of every candidate of ``year``."""
    employees = None if scope.everything and unit_id is None else _in_scope_employees(scope, unit_id)
    both = union_all(_follow_up_select(year, employees), _satyalancana_select(year, on, employees)).subquery("cand")
    return select(both.c.employee_id, both.c.kind, case(KIND_ORDER, value=both.c.kind).label("kind_order"),
                  both.c.previous, both.c.current, both.c.months).subquery("candidates")


def _candidate(row, year: int) -> rules.Candidate:
    kind = AwardKind(row.kind)
    if kind in SATYALANCANA:
        return rules.Candidate(row.employee_id, kind, year, service_years=row.months // 12,
                               service_months=row.months % 12)
    return rules.Candidate(row.employee_id, kind, year, row.previous, row.current)


@dataclass
class CandidatePage:
    year: int
    on: date
    counts: dict  # AwardKind -> n (every candidate, not only the page)
    total: int
    candidates: list  # rules.Candidate of the page, sorted by kind then employee id
    # (employee_id, kind) -> AwardDecision of the year, of the page's employees (``derived.candidate_page``: a
    # ``derived.DecisionRow``: decision, decree number and date)
    decisions: dict
    # {employee_id: row(id, nip, name, front_title, back_title, unit_name, position_name)} of the page, when read
    # with the page (the stored candidates: ``derived.candidate_page``); None: ask ``employee_rows``
    people: Optional[dict] = None


def candidate_page(session, year: int, on: date, scope, unit_id: Optional[int] = None, kind: Optional[str] = None,
                   page: int = 1, page_size: int = 50) -> CandidatePage:
    """The counts per kind and one page of the candidates of ``year`` (two statements; the same candidates as
    ``gather``). The candidates are computed once, in SQL, as narrow rows; counting and paging them is cheap,
    running the computation again for the counts is not."""
    cand = candidates_query(year, on, scope, unit_id)
    every = session.execute(select(cand).order_by(cand.c.kind_order, cand.c.employee_id)).all()
    counts = {k: 0 for k in AwardKind}
    for row in every:
        counts[AwardKind(row.kind)] += 1
    if kind in AwardKind.__members__:
        every = [row for row in every if row.kind == kind]
    start = (max(page, 1) - 1) * page_size
    rows = every[start:start + page_size]
    shown = [_candidate(r, year) for r in rows]
    decisions = {}
    ids = sorted({c.employee_id for c in shown})
    if ids:
        decisions = {(d.employee_id, d.kind): d for d in session.scalars(
            select(AwardDecision).where(AwardDecision.year == year, AwardDecision.employee_id.in_(ids)))}
    return CandidatePage(year, on, counts, sum(counts.values()), shown, decisions)


def all_candidates(session, year: int, on: date, scope, unit_id: Optional[int] = None,
                   kind: Optional[str] = None) -> list:
    """Every candidate of ``year`` (rules.Candidate, sorted by kind then employee id), computed in SQL."""
    cand = candidates_query(year, on, scope, unit_id)
    query = select(cand)
    if kind in AwardKind.__members__:
        query = query.where(cand.c.kind == kind)
    return [_candidate(r, year) for r in session.execute(query.order_by(cand.c.kind_order, cand.c.employee_id))]


def decision_codes(session, year: int, scope) -> dict:
    """{(employee_id, kind): decision code} of the decisions of ``year`` in the scope (one statement)."""
    return {(e, k): d for e, k, d in session.execute(
        select(AwardDecision.employee_id, AwardDecision.kind, AwardDecision.decision)
        .where(AwardDecision.year == year, AwardDecision.employee_id.in_(_in_scope_employees(scope))))}


def employee_rows(session, ids: Iterable[int]) -> dict:
    """{id: row(id, nip, name, front_title, back_title, unit_name, position_name)} of some employees (one
    query; callers pass one page of ids)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Employee.id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
               Unit.name.label("unit_name"), Position.name.label("position_name"))
        .join(Unit, Unit.id == Employee.unit_id).outerjoin(Position, Position.id == Employee.position_id)
        .where(Employee.id.in_(ids))).all()
    return {r.id: r for r in rows}


def parse_keys(raw_keys: Iterable[str]) -> list:
    """[(employee_id, AwardKind)] from "<employee id>:<kind>" strings; DomainValidationError on garbage."""
    from app.core.web import is_record_id

    result = []
    for raw in raw_keys:
        employee, _, kind = (raw or "").partition(":")
        if not is_record_id(employee) or kind not in AwardKind.__members__:
            raise DomainValidationError({"candidates": _l("Invalid choice of candidates.")})
        result.append((int(employee), AwardKind(kind)))
    if not result:
        raise DomainValidationError({"candidates": _l("Choose at least one candidate.")})
    return sorted(set(result))


@dataclass
class DecideResult:
    created: int = 0
    updated: int = 0


def decide(session, *, year: int, on: date, keys: Iterable[str], decision: str, decree_number: Optional[str],
           decree_date: Optional[date], notes: Optional[str], scope, today: date, user_id: Optional[int],
           user_name: str, now: Optional[datetime] = None) -> DecideResult:
    """Record ``decision`` (with its decree) for every chosen candidate of ``year``, all or nothing.

    Refused with DomainValidationError: bad fields, a key that is neither a candidate of the year nor
    decided already this year. Refused with OutOfScope (404): an employee outside the scope."""
    if not isinstance(year, int) or not rules.YEAR_MIN <= year <= rules.YEAR_MAX:
        raise DomainValidationError({"year": _l("The year must lie between %(min)d and %(max)d.",
                                                min=rules.YEAR_MIN, max=rules.YEAR_MAX)})
    chosen = parse_keys(keys)
    errors = rules.validate_decision(decision, decree_number, decree_date, notes, today)
    if errors:
        raise DomainValidationError(errors)
    ids = sorted({e for e, _ in chosen})
    in_scope = set(session.scalars(select(Employee.id).where(Employee.id.in_(ids), award_scope_clause(scope))))
    if in_scope != set(ids):
        raise OutOfScope()
    found = gather(session, year, on, scope, employee_ids=ids)  # the chosen employees only: the same rules
    by_key = {(c.employee_id, c.kind): c for c in found.candidates}
    missing = [(e, k) for e, k in chosen if (e, k) not in by_key and (e, k.value) not in found.decisions]
    if missing:
        names = employee_rows(session, [e for e, _ in missing])
        listed = ", ".join(f"{names[e].name} ({k.label})" if e in names else str(e) for e, k in missing[:5])
        raise DomainValidationError({"candidates": _l("Not a candidate of %(year)d: %(names)s.", year=year,
                                                      names=listed)})
    number = (decree_number or "").strip() or None
    text = (notes or "").strip() or None
    result = DecideResult()
    try:
        with atomic(session):
            for employee_id, kind in chosen:
                row = found.decisions.get((employee_id, kind.value))
                candidate = by_key.get((employee_id, kind))
                if row is None:
                    row = AwardDecision(employee_id=employee_id, year=year, kind=kind.value)
                    session.add(row)
                    result.created += 1
                else:
                    result.updated += 1
                row.decision = decision
                row.decree_number = number
                row.decree_date = decree_date
                row.notes = text
                if candidate is not None:
                    row.reason = rules.reason_text(candidate)
                row.decided_at = now or datetime.now()
                row.decided_by_id = user_id
                row.decided_by_name = (user_name or "")[:150] or None
    except IntegrityError:  # another save of the same candidate came first
        raise DomainValidationError({"candidates": _l("Someone else decided on these candidates at the same "
                                                      "time. Reload the list and try again.")}) from None
    return result


def decisions_query(scope, year: Optional[int] = None, kind: Optional[str] = None,
                    decision: Optional[str] = None, unit_id: Optional[int] = None):
    """SELECT of the decisions in the scope (with the employee's NIP, name, unit), newest year first."""
    query = (select(AwardDecision.id, AwardDecision.year, AwardDecision.kind, AwardDecision.decision,
                    AwardDecision.decree_number, AwardDecision.decree_date, AwardDecision.notes,
                    AwardDecision.reason, AwardDecision.decided_at, AwardDecision.decided_by_name,
                    Employee.id.label("employee_id"), Employee.nip, Employee.name, Employee.front_title,
                    Employee.back_title, Unit.name.label("unit_name"))
             .join(Employee, Employee.id == AwardDecision.employee_id)
             .join(Unit, Unit.id == Employee.unit_id)
             .where(award_scope_clause(scope)))
    if year is not None:
        query = query.where(AwardDecision.year == year)
    if kind in AwardKind.__members__:
        query = query.where(AwardDecision.kind == kind)
    if decision in Decision._value2member_map_:
        query = query.where(AwardDecision.decision == decision)
    if unit_id is not None:
        query = query.where(Employee.unit_id.in_(chosen_subtree_ids(unit_id)))
    return query.order_by(AwardDecision.year.desc(), AwardDecision.kind, Employee.name, AwardDecision.id)


def my_awards(session, employee_id: Optional[int]) -> list:
    """The approved awards of one employee, newest first (one query)."""
    if not employee_id:
        return []
    return session.scalars(select(AwardDecision).where(
        AwardDecision.employee_id == employee_id, AwardDecision.decision == Decision.APPROVED.value)
        .order_by(AwardDecision.year.desc(), AwardDecision.kind)).all()


def decided_years(session, scope) -> list:
    return list(session.scalars(select(AwardDecision.year).join(Employee, Employee.id == AwardDecision.employee_id)
                                .where(award_scope_clause(scope)).distinct().order_by(AwardDecision.year.desc())))


def annual_years(session) -> list:
    """The years that have an annual period, newest first."""
    return list(session.scalars(select(Period.year).where(Period.kind == PeriodKind.ANNUAL.value)
                                .distinct().order_by(Period.year.desc())))

