"""The dashboards' queries (*dasbor*): aggregates per unit in SQL (GROUP BY unit, never a query per row),
added up per branch of the chosen root in Python (``rules.branch_of``/``sum_by_branch``).

Every function takes the root (a unit id inside the viewer's scope, checked by the view, or None for the
whole city: Admin and Pengelola Kinerja only) and reads only the units under it, so the scope holds. The
per-unit queries filter on the list of unit ids of the subtree (read once, ``units``), not on a recursive CTE:
the planner then knows the size (as ``performance.admin_views.predikat_counts`` explains); for the city no
unit filter is needed at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import and_, case, func, literal, select, true
from sqlalchemy.orm import aliased

from app.organisation.models import Employee, Unit
from app.performance import deadlines
from app.performance.models import Evaluation, OrganisationRating, Period, Skp
from app.performance.rating import Predikat
from app.performance.workflow import EvaluationState, SkpState
from app.security.scope import unit_subtree_ids

from . import rules

ACTIVE = "AKTIF"  # Employee.status of an active employee (as app.training.services)


@dataclass
class Tree:
    """The units under the root: rows (id, name, code, parent_id), the branch of each unit, the branches in
    display order (the root's own staff first, then the sub-units by code)."""

    root_id: Optional[int]
    units: list
    branch: dict
    branches: list = field(default_factory=list)
    names: dict = field(default_factory=dict)
    head_id: Optional[int] = None  # the unit whose own staff is the first row (the root, or the single city unit)

    @property
    def unit_ids(self) -> Optional[list]:
        """The ids to filter on; None for the whole city (no filter)."""
        return None if self.root_id is None else sorted(self.branch)


def load_tree(session, root_id: Optional[int]) -> Tree:
    """One query: the units of the root's subtree (every unit for the city)."""
    query = select(Unit.id, Unit.name, Unit.code, Unit.parent_id)
    if root_id is not None:
        query = query.where(Unit.id.in_(unit_subtree_ids(root_id)))
    units = session.execute(query.order_by(Unit.code, Unit.id)).all()
    pairs = [(u.id, u.parent_id) for u in units]
    branch = rules.branch_of(pairs, root_id)
    head = root_id
    if root_id is None:
        tops = {b for b in branch.values()}
        if len(tops) == 1:  # one city unit (Pemerintah Kota) above every OPD: its OPDs are the rows
            head = tops.pop()
            branch = rules.branch_of(pairs, head)
    names = {u.id: u.name for u in units}
    order = ([head] if head is not None and head in names else []) + \
        [u.id for u in units if branch.get(u.id) == u.id and u.id != head]
    return Tree(root_id, units, branch, order, names, head)


def _plans_of_year(session, year: int):
    """The condition "the plan is of ``year``" for a join of a period's evaluations to their plans, which always
    holds (the evaluation service opens a period's evaluations on plans of its year). On PostgreSQL it lets the
    plans come from ``ix_skp_year_id`` alone (15,000 index entries instead of a scan of every year's 75,000 plans
    for the hash join: ~41 → ~9 ms); SQLite would then walk the plans first and look each evaluation up (~4x
    slower than reading the period's evaluations from their covering index and each plan by its key), so it
    gets no condition."""
    return true() if session.get_bind().dialect.name == "sqlite" else Skp.year == year


def _in_units(column, tree: Tree):
    ids = tree.unit_ids
    return column.in_(ids) if ids is not None else true()


# --- compliance ------------------------------------------------------------------------------------------------

@dataclass
class Compliance:
    employees: int = 0
    plans: int = 0  # current plans of the year, any state
    submitted: int = 0  # submitted at least (DIAJUKAN or DISETUJUI)
    on_time: int = 0  # submitted by the SKP deadline (end of January)
    approved: int = 0
    evaluations: int = 0  # evaluations of the period
    rated: int = 0  # rated or final
    final: int = 0
    final_on_time: int = 0  # final by the period's closing date (when the period has one)

    def as_list(self):
        return [self.employees, self.plans, self.submitted, self.on_time, self.approved, self.evaluations,
                self.rated, self.final, self.final_on_time]

    @classmethod
    def from_list(cls, values):
        return cls(*[int(v or 0) for v in values])


def compliance(session, tree: Tree, year: int, period) -> dict:
    """{branch id: Compliance} for plans of ``year`` and evaluations of ``period`` (a Period row or None).
    Three GROUP BY queries."""
    per_unit: dict = {}

    def add(unit_id, index, values):
        row = per_unit.setdefault(unit_id, [0] * 9)
        for i, v in enumerate(values):
            row[index + i] += int(v or 0)

    for unit_id, n in session.execute(
            select(Employee.unit_id, func.count()).where(Employee.status == ACTIVE, _in_units(Employee.unit_id, tree))
            .group_by(Employee.unit_id)).all():
        add(unit_id, 0, [n])
    deadline = deadlines.skp_submission_deadline(year)
    cutoff = datetime.combine(deadline + timedelta(days=1), datetime.min.time())
    submitted = Skp.status.in_([SkpState.DIAJUKAN.value, SkpState.DISETUJUI.value])
    for unit_id, n, sub, on_time, approved in session.execute(
            select(Skp.unit_id, func.count(),
                   func.sum(case((submitted, 1), else_=0)),
                   func.sum(case((and_(submitted, Skp.submitted_at < cutoff), 1), else_=0)),
                   func.sum(case((Skp.status == SkpState.DISETUJUI.value, 1), else_=0)))
            .where(Skp.year == year, Skp.is_current.is_(True), _in_units(Skp.unit_id, tree))
            .group_by(Skp.unit_id)).all():
        add(unit_id, 1, [n, sub, on_time, approved])
    if period is not None:
        closes = period.closes_on
        final = Evaluation.status == EvaluationState.FINAL.value
        if closes is not None:
            in_time = and_(final, Evaluation.finalised_at
                           < datetime.combine(closes + timedelta(days=1), datetime.min.time()))
        else:
            in_time = final
        for unit_id, n, rated, fin, fin_on_time in session.execute(
                select(Skp.unit_id, func.count(),
                       func.sum(case((Evaluation.status.in_([EvaluationState.DINILAI.value,
                                                             EvaluationState.FINAL.value]), 1), else_=0)),
                       func.sum(case((final, 1), else_=0)),
                       func.sum(case((in_time, 1), else_=0)))
                .select_from(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
                .where(Evaluation.period_id == period.id, _plans_of_year(session, period.year),
                       _in_units(Skp.unit_id, tree))
                .group_by(Skp.unit_id)).all():
            add(unit_id, 5, [n, rated, fin, fin_on_time])
    summed = rules.sum_by_branch(per_unit, tree.branch)
    return {b: Compliance.from_list(summed.get(b, [0] * 9)) for b in tree.branches}


# --- predikat distribution -------------------------------------------------------------------------------------

def predikat_by_branch(session, tree: Tree, period) -> dict:
    """{branch id: {Predikat: count}} of the final evaluations of ``period`` (plans of the period's year).
    One GROUP BY query."""
    if period is None:
        return {b: {} for b in tree.branches}
    rows = session.execute(
        select(Skp.unit_id, Evaluation.predikat, func.count())
        .select_from(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
        .where(Evaluation.period_id == period.id, Evaluation.status == EvaluationState.FINAL.value,
               Evaluation.predikat.is_not(None), Skp.year == period.year, _in_units(Skp.unit_id, tree))
        .group_by(Skp.unit_id, Evaluation.predikat)).all()
    per_unit: dict = {}
    for unit_id, code, n in rows:
        if code in Predikat.__members__:
            per_unit.setdefault(unit_id, {})[Predikat(code)] = int(n)
    summed = rules.sum_by_branch(per_unit, tree.branch)
    return {b: summed.get(b, {}) for b in tree.branches}


def org_ratings(session, tree: Tree, period) -> dict:
    """{branch id: organisation rating code or None} for ``period``: the branch unit's own rating, else the
    nearest rated unit above it (the root and its ancestors). One query (a recursive CTE for the ancestors)."""
    if period is None:
        return {b: None for b in tree.branches}
    wanted = set(tree.branches)
    ancestors: list = []
    if tree.root_id is not None:
        up = select(Unit.id.label("id"), Unit.parent_id.label("parent_id")).where(Unit.id == tree.root_id) \
            .cte("dashboard_unit_ancestors", recursive=True)
        parent = aliased(Unit)
        up = up.union(select(parent.id, parent.parent_id).where(parent.id == up.c.parent_id))
        rows = session.execute(
            select(up.c.id, up.c.parent_id, OrganisationRating.rating)
            .outerjoin(OrganisationRating, and_(OrganisationRating.unit_id == up.c.id,
                                                OrganisationRating.period_id == period.id))).all()
        by_id = {r.id: r for r in rows}
        node, seen = by_id.get(tree.root_id), set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            ancestors.append(node.rating)
            node = by_id.get(node.parent_id)
        wanted -= {tree.root_id}
    own = dict(session.execute(select(OrganisationRating.unit_id, OrganisationRating.rating)
                               .where(OrganisationRating.period_id == period.id,
                                      OrganisationRating.unit_id.in_(sorted(wanted)))).all()) if wanted else {}
    if tree.root_id is None:  # the city: a unit without its own rating takes the city unit's (head)
        head = own.get(tree.head_id)
        return {b: own.get(b) or head for b in tree.branches}
    inherited = next((r for r in ancestors if r is not None), None)
    return {b: (inherited if b == tree.root_id else own.get(b) or inherited) for b in tree.branches}


def predikat_trend(session, tree: Tree, years: list) -> dict:
    """{year: {Predikat: count}} of the final annual evaluations of the years under the root. One query."""
    query = (select(Period.year, Evaluation.predikat, func.count())
             .select_from(Evaluation).join(Period, Period.id == Evaluation.period_id)
             .where(Period.kind == deadlines.PeriodKind.ANNUAL.value, Period.year.in_(years),
                    Evaluation.status == EvaluationState.FINAL.value, Evaluation.predikat.is_not(None)))
    if tree.unit_ids is not None:
        query = query.join(Skp, Skp.id == Evaluation.skp_id).where(Skp.year == Period.year,
                                                                    Skp.unit_id.in_(tree.unit_ids))
    # the city: every final annual evaluation, read from the index of final ratings alone (no plan join: an
    # annual evaluation belongs to a plan of its own year, as the evaluation service opens it)
    rows = session.execute(query.group_by(Period.year, Evaluation.predikat)).all()
    out: dict = {y: {} for y in years}
    for year, code, n in rows:
        if code in Predikat.__members__:
            out[year][Predikat(code)] = int(n)
    return out


# --- training and socialization --------------------------------------------------------------------------------

def jp_coverage(session, tree: Tree, viewer, year: int) -> dict:
    """{branch id: (active employees, reaching their JP target, JP total)}: the JP ledger's own SQL
    (app.training.services.jp_totals and the target of the ASN type), grouped per unit in one statement. The
    ledger screen's ``ledger_by_unit`` also sorts a page of employees by name, which the dashboard does not need.
    ``viewer`` is kept for the ledger's row scope: the tree already limits the units to it."""
    from app.training import services as training
    from app.training.models import JpTarget

    totals = training.jp_totals(year)
    total_jp = func.coalesce(totals.c.jp_sessions, 0) + func.coalesce(totals.c.jp_external, 0)
    target = training._target_column()
    rows = session.execute(
        select(Employee.unit_id, func.count(), func.sum(case((total_jp >= target, 1), else_=0)), func.sum(total_jp))
        .select_from(Employee)
        .outerjoin(totals, totals.c.employee_id == Employee.id)
        .outerjoin(JpTarget, JpTarget.asn_type == Employee.asn_type)
        .where(Employee.status == ACTIVE, _in_units(Employee.unit_id, tree))
        .group_by(Employee.unit_id)).all()
    per_unit = {u: (int(n), int(r or 0), int(jp or 0)) for u, n, r, jp in rows}
    summed = rules.sum_by_branch(per_unit, tree.branch)
    return {b: tuple(summed.get(b, (0, 0, 0))) for b in tree.branches}


def attendance(session, tree: Tree, year: int) -> dict:
    """{branch id: (participants with an attendance, present, excused)} of the closed sessions ending in
    ``year``, by the participant's unit at the invitation. One GROUP BY query, read from the index
    (session_id, attendance, unit_id) for the year's sessions (an attendance is only ever set on an invited,
    not cancelled, participant: a check constraint)."""
    from app.training.models import TrainingParticipant, TrainingSession
    from app.training.rules import Attendance, SessionStatus

    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    closed = select(TrainingSession.id).where(TrainingSession.status == SessionStatus.DITUTUP.value,
                                              TrainingSession.ends_at >= start, TrainingSession.ends_at < end)
    rows = session.execute(
        select(TrainingParticipant.unit_id, func.count(),
               func.sum(case((TrainingParticipant.attendance == Attendance.HADIR.value, 1), else_=0)),
               func.sum(case((TrainingParticipant.attendance == Attendance.IZIN.value, 1), else_=0)))
        .where(TrainingParticipant.session_id.in_(closed), TrainingParticipant.attendance.is_not(None),
               _in_units(TrainingParticipant.unit_id, tree))
        .group_by(TrainingParticipant.unit_id)).all()
    per_unit = {u: (int(n), int(p or 0), int(e or 0)) for u, n, p, e in rows}
    summed = rules.sum_by_branch(per_unit, tree.branch)
    return {b: tuple(summed.get(b, (0, 0, 0))) for b in tree.branches}


def sessions_per_topic(session, tree: Tree, year: int) -> list:
    """[(topic name or None, kind, sessions, participants present)] of the sessions starting in ``year``; under a
    root, the sessions with a participant of the subtree, counting that subtree's participants. One statement:
    participants present per session first (from the index (session_id, attendance, unit_id) for the year's
    sessions), then sessions per topic (GROUP BY on a few hundred rows; no COUNT DISTINCT over participants)."""
    from app.training.models import TrainingParticipant, TrainingSession, TrainingTopic
    from app.training.rules import Attendance

    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    in_year = and_(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
    year_sessions = select(TrainingSession.id).where(in_year)
    per_session = (select(TrainingParticipant.session_id.label("session_id"),
                          func.sum(case((TrainingParticipant.attendance == Attendance.HADIR.value, 1), else_=0))
                          .label("present"))
                   .where(TrainingParticipant.session_id.in_(year_sessions),
                          _in_units(TrainingParticipant.unit_id, tree))
                   .group_by(TrainingParticipant.session_id).subquery("dashboard_session_present"))
    query = (select(TrainingTopic.name, TrainingSession.kind, func.count(TrainingSession.id),
                    func.sum(per_session.c.present))
             .select_from(TrainingSession)
             .outerjoin(TrainingTopic, TrainingTopic.id == TrainingSession.topic_id))
    if tree.unit_ids is None:  # the city: every session of the year, with or without participants
        query = query.outerjoin(per_session, per_session.c.session_id == TrainingSession.id)
    else:
        query = query.join(per_session, per_session.c.session_id == TrainingSession.id)
    rows = session.execute(query.where(in_year).group_by(TrainingTopic.name, TrainingSession.kind)).all()
    return sorted(((name, kind, int(n), int(p or 0)) for name, kind, n, p in rows),
                  key=lambda r: (-r[2], r[0] or ""))


def socialization_reach(session, tree: Tree, year: int) -> dict:
    """{branch id: (active employees, employees who confirmed reading at least one material in ``year``)}.
    One GROUP BY query: per active employee, whether an acknowledgement of the year EXISTS (a probe of
    ``ix_material_acknowledgement_employee_at``, index only), instead of collecting the distinct readers among
    all the year's acknowledgements (~99,000 at Palembang scale)."""
    from app.socialization.models import MaterialAcknowledgement as Ack

    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    # SELECT 1, not SELECT *: SQLite then reads the probe from the index alone
    read = select(literal(1)).where(Ack.employee_id == Employee.id, Ack.acknowledged_at >= start,
                                    Ack.acknowledged_at < end).exists()
    rows = session.execute(
        select(Employee.unit_id, func.count(), func.sum(case((read, 1), else_=0)))
        .where(Employee.status == ACTIVE, _in_units(Employee.unit_id, tree))
        .group_by(Employee.unit_id)).all()
    per_unit = {u: (int(n), int(r or 0)) for u, n, r in rows}
    summed = rules.sum_by_branch(per_unit, tree.branch)
    return {b: tuple(summed.get(b, (0, 0))) for b in tree.branches}


# --- public satisfaction ---------------------------------------------------------------------------------------

def satisfaction(session, tree: Tree, years: list) -> list:
    """The IKM series of the service units under the root (helper module app.survey, imported lazily so the
    dashboards work without it): list of dicts unit_id, unit_name, year, respondents, ikm, grade."""
    try:
        from app.survey.services import ikm_series
    except ImportError:  # pragma: no cover - the survey area is not installed
        return []
    return ikm_series(session, tree.unit_ids, years)


def periods_of_year(session, year: int) -> list:
    """The stored periods of ``year`` (annual first, then quarters, then months). One query."""
    order = case({deadlines.PeriodKind.ANNUAL.value: 0, deadlines.PeriodKind.QUARTERLY.value: 1},
                 value=Period.kind, else_=2)
    return session.scalars(select(Period).where(Period.year == year).order_by(order, Period.number)).all()

