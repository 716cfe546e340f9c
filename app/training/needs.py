"""Training needs (kebutuhan pelatihan) from the evaluations, and the effect of training, on the database.

No web imports (like ``services``): every function takes the SQLAlchemy session and a ``Viewer`` (row scope).

Training needs — the rules of the Pengelola Kinerja (``TrainingNeedRule``) run in SQL: one statement gives the
narrow rows (employee, rule, topic) of every rule that fires for the active employees of a unit's subtree (in
the viewer's scope), whatever the number of employees; the screen counts them per topic and shows one topic's
recommended employees a page at a time (``need_page``). ``recommend_reference`` is the reference
computation (the outcomes of the year per employee, then the pure ``rules.recommend``);
tests/test_training_needs_sql.py proves both give the same recommendations on generated data.

The outcome of a year (as ``rules.EmployeeOutcome``):

* the predikat of the latest final, rated evaluation of the year's plans (latest period end; on the same
  period end the later evaluation);
* the core values their rater gave feedback on (feedback on the year's plans not written by the employee);
* the indicators of the approved current plan of the year whose realisation (the sum of the progress values
  recorded on it; progress recorded on the RHK without naming an indicator counts towards the RHK's first
  indicator) stayed below a numeric target.

Effect of training — each present participant of a closed session with a topic: the latest final result
whose period ended on or before the day the training started, beside the first whose period ended after the
day it ended (on the same period end, the later evaluation before, the earlier after). The summary (per
effect, and per topic) is counted in SQL over every such participant; the detail is paged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from app.core.errors import DomainValidationError
from app.core.validation import clean_text as _text
from app.organisation.models import Employee, Position, Unit
from app.performance.models import Evaluation, Feedback, Indicator, Period, Progress, Rhk, Skp
from app.performance.rating import PREDIKAT_RANK, Predikat
from app.performance.workflow import EvaluationState, SkpState
from app.security.scope import employee_clause

from . import rules
from .models import TrainingNeedRule, TrainingParticipant, TrainingSession, TrainingTopic
from .rules import Attendance, EnrollmentStatus, NeedOutcome, SessionStatus
from .scope import Viewer, participant_clause, subtree_ids as unit_subtree_ids

ACTIVE = "AKTIF"
NEED_PAGE_SIZE = 50
EFFECT_PAGE_SIZE = 50
EMPLOYEE_LIST_MAX = 5000  # employees passed as a list of ids to the rules' statements (a large OPD: ~1,100)
FINAL = EvaluationState.FINAL.value


# --- training needs ------------------------------------------------------------------------------------------------------

@dataclass
class NeedRow:
    employee_id: int
    nip: str
    name: str
    unit_name: str
    position_name: str
    reasons: tuple  # the TrainingNeedRule that fired, in rule order
    trained: bool  # already invited to or trained on the topic since the year began


@dataclass
class TopicNeed:
    topic: TrainingTopic
    count: int  # recommended employees


@dataclass
class NeedPage:
    topics: list  # TopicNeed, in the order of the topics' first rule
    topic: Optional[TrainingTopic] = None  # the topic shown
    rows: list = field(default_factory=list)  # NeedRow of the page
    total: int = 0  # recommended employees of the topic
    untrained: int = 0  # of them, not yet invited to or trained on the topic since the year began
    page: int = 1
    pages: int = 1
    page_size: int = NEED_PAGE_SIZE


def trainer_options(db) -> list:
    """The trainer choices of the create-session form: (id, first_name, last_name, username) of the active accounts
    holding the Pelatih role, in the order of ``views.trainer_accounts`` (one narrow statement, no ORM objects)."""
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    from app.security import roles as R

    return db.execute(select(User.id, User.first_name, User.last_name, User.username)
                      .join(assoc_user_role, assoc_user_role.c.user_id == User.id)
                      .join(Role, Role.id == assoc_user_role.c.role_id)
                      .where(Role.name == R.PELATIH, User.active.is_(True))
                      .order_by(User.first_name, User.last_name)).all()


def active_rules(db) -> list:
    """The active need rules with their topic and core value (not the core value's guides): one statement."""
    from app.performance.models import CoreValue

    return db.scalars(select(TrainingNeedRule).where(TrainingNeedRule.active.is_(True))
                      .options(joinedload(TrainingNeedRule.core_value).lazyload(CoreValue.guides),
                               joinedload(TrainingNeedRule.topic))
                      .order_by(TrainingNeedRule.topic_id, TrainingNeedRule.id)).unique().all()


def scoped_employees(viewer: Viewer, unit_id: int):
    """SELECT of the ids of the active employees of the unit's subtree within the viewer's scope."""
    conditions = [Employee.status == ACTIVE, Employee.unit_id.in_(unit_subtree_ids(unit_id))]
    if not viewer.everything:
        conditions.append(employee_clause(viewer.scope) if not viewer.scope.empty else literal(False))
    return select(Employee.id).where(*conditions)


def employee_set(db, viewer: Viewer, unit_id: int):
    """The employees of ``scoped_employees`` for the rules' statements: their ids as a list (one statement)
    when there are at most ``EMPLOYEE_LIST_MAX`` — the planners then know how few plans to read and use the
    indexes (behind the recursive subtree they guess thousands and scan every evaluation) — else the SELECT."""
    select_ids = scoped_employees(viewer, unit_id)
    ids = db.scalars(select_ids.limit(EMPLOYEE_LIST_MAX + 1)).all()
    return sorted(ids) if len(ids) <= EMPLOYEE_LIST_MAX else select_ids


def _plan_filter(year: int, employees) -> tuple:
    return (Skp.year == year, Skp.is_current.is_(True), Skp.status == SkpState.DISETUJUI.value,
            Skp.employee_id.in_(employees))


def _at_or_below(code: Optional[str]) -> list:
    if code not in Predikat.__members__:
        return []
    rank = PREDIKAT_RANK[Predikat(code)]
    return sorted(p.value for p, r in PREDIKAT_RANK.items() if r <= rank)


def fired_query(need_rules: Iterable, employees, year: int):
    """SELECT (employee_id, rule_id, topic_id) of every rule of ``need_rules`` that fires for an employee of
    ``employees`` (a SELECT of ids) on the outcomes of ``year``; None when no rule can fire."""
    need_rules = list(need_rules)
    latest = feedback = missed = None
    parts = []
    for rule in need_rules:
        rule_id, topic_id = literal(rule.id).label("rule_id"), literal(rule.topic_id).label("topic_id")
        if rule.outcome == NeedOutcome.PREDIKAT:
            codes = _at_or_below(rule.predikat)
            if not codes:
                continue
            if latest is None:
                latest = (select(Skp.employee_id.label("employee_id"), Evaluation.predikat.label("predikat"),
                                 func.row_number().over(partition_by=Skp.employee_id,
                                                        order_by=(Period.ends_on.desc(), Evaluation.id.desc()))
                                 .label("rn"))
                          .select_from(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
                          .join(Period, Period.id == Evaluation.period_id)
                          .where(Evaluation.status == FINAL, Evaluation.predikat.is_not(None), Skp.year == year,
                                 Skp.employee_id.in_(employees))
                          .cte("need_latest"))
            parts.append(select(latest.c.employee_id, rule_id, topic_id)
                         .where(latest.c.rn == 1, latest.c.predikat.in_(codes)))
        elif rule.outcome == NeedOutcome.PERILAKU:
            if rule.core_value_id is None:
                continue
            if feedback is None:
                feedback = (select(Skp.employee_id.label("employee_id"), Feedback.core_value_id.label("core_value_id"))
                            .join(Skp, Skp.id == Feedback.skp_id)
                            .where(Skp.year == year, Feedback.core_value_id.is_not(None),
                                   or_(Feedback.author_id.is_(None), Feedback.author_id != Skp.employee_id),
                                   Skp.employee_id.in_(employees))
                            .distinct().cte("need_feedback"))
            parts.append(select(feedback.c.employee_id, rule_id, topic_id)
                         .where(feedback.c.core_value_id == rule.core_value_id))
        elif rule.outcome == NeedOutcome.INDIKATOR:
            if missed is None:
                missed = _missed_cte(year, employees)
            parts.append(select(missed.c.employee_id, rule_id, topic_id)
                         .where(missed.c.n >= max(1, rule.min_missed or 1)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _missed_cte(year: int, employees):
    """CTE (employee_id, n): the indicators below target of each employee's approved current plan of ``year``."""
    plan = _plan_filter(year, employees)
    ind = (select(Skp.employee_id.label("employee_id"), Indicator.id.label("indicator_id"),
                  Indicator.rhk_id.label("rhk_id"), Indicator.target_value.label("target"),
                  func.row_number().over(partition_by=Indicator.rhk_id, order_by=(Indicator.sort_order, Indicator.id))
                  .label("pos"))
           .join(Rhk, Rhk.id == Indicator.rhk_id).join(Skp, Skp.id == Rhk.skp_id).where(*plan)
           .subquery("need_indicator"))
    progress = (select(Progress.rhk_id.label("rhk_id"), Progress.indicator_id.label("indicator_id"),
                       func.sum(Progress.value).label("total"))
                .join(Rhk, Rhk.id == Progress.rhk_id).join(Skp, Skp.id == Rhk.skp_id).where(*plan)
                .group_by(Progress.rhk_id, Progress.indicator_id).cte("need_progress"))
    own, loose = progress.alias("need_own"), progress.alias("need_loose")
    realised = func.coalesce(own.c.total, 0) + func.coalesce(loose.c.total, 0)
    return (select(ind.c.employee_id.label("employee_id"), func.count().label("n"))
            .select_from(ind.outerjoin(own, and_(own.c.rhk_id == ind.c.rhk_id, own.c.indicator_id == ind.c.indicator_id))
                         .outerjoin(loose, and_(loose.c.rhk_id == ind.c.rhk_id, loose.c.indicator_id.is_(None),
                                                ind.c.pos == 1)))
            .where(ind.c.target.is_not(None), realised < ind.c.target)
            .group_by(ind.c.employee_id).cte("need_missed"))


def _fired(db, need_rules: list, employees, year: int) -> dict:
    """{topic_id: {employee_id: [rule ids]}}: employees ordered by (name, id), topics in the order of their first
    rule, rule ids in rule order. One statement."""
    query = fired_query(need_rules, employees, year)
    if query is None:
        return {}
    fired = query.subquery("need_fired")
    rows = db.execute(select(fired.c.employee_id, fired.c.rule_id, fired.c.topic_id, Employee.name)
                      .join(Employee, Employee.id == fired.c.employee_id)).all()
    rule_order = {r.id: i for i, r in enumerate(need_rules)}
    topic_order: dict = {}
    for r in need_rules:
        topic_order.setdefault(r.topic_id, len(topic_order))
    rows.sort(key=lambda r: (r.name, r.employee_id, rule_order.get(r.rule_id, 0)))
    out: dict = {}
    for r in rows:
        out.setdefault(r.topic_id, {}).setdefault(r.employee_id, []).append(r.rule_id)
    return {t: out[t] for t in sorted(out, key=lambda t: topic_order.get(t, len(topic_order)))}


def _trained(db, topic_ids: list, employees, year: int) -> set:
    """{(employee_id, topic_id)} already invited to or trained on the topic since ``year`` began."""
    if not topic_ids:
        return set()
    return set(db.execute(
        select(TrainingParticipant.employee_id, TrainingSession.topic_id)
        .join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
        .where(TrainingSession.topic_id.in_(topic_ids), TrainingSession.ends_at >= datetime(year, 1, 1),
               TrainingParticipant.status != EnrollmentStatus.DIBATALKAN.value,
               TrainingParticipant.employee_id.in_(employees)).distinct()).all())


def _people(db, ids: Iterable[int]) -> dict:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {r.id: r for r in db.execute(
        select(Employee.id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
               Unit.name.label("unit_name"), Position.name.label("position_name"))
        .join(Unit, Unit.id == Employee.unit_id).outerjoin(Position, Position.id == Employee.position_id)
        .where(Employee.id.in_(ids))).all()}


def _rows(db, topic_id: int, employee_rules: list, by_rule: dict, trained: set) -> list:
    from app.organisation.rules import full_name

    people = _people(db, [e for e, _ in employee_rules])
    return [NeedRow(e, people[e].nip, full_name(people[e].name, people[e].front_title, people[e].back_title),
                    people[e].unit_name, people[e].position_name or "", tuple(by_rule[i] for i in rule_ids),
                    (e, topic_id) in trained)
            for e, rule_ids in employee_rules if e in people]


def need_page(db, viewer: Viewer, unit_id: int, year: int, topic_id: Optional[int] = None, page: int = 1,
              page_size: int = NEED_PAGE_SIZE, need_rules: Optional[list] = None) -> NeedPage:
    """The topics with their numbers of recommended employees, and one page of the recommended employees of
    ``topic_id`` (default: the first topic with any). Four statements whatever the size of the unit: the
    unit's employees, the rules in SQL, who of the topic is already invited or trained, the people of the page."""
    need_rules = active_rules(db) if need_rules is None else need_rules
    employees = employee_set(db, viewer, unit_id)
    fired = _fired(db, need_rules, employees, year)
    topics = {r.topic_id: r.topic for r in need_rules if r.topic is not None}  # loaded with the rules
    listed = [TopicNeed(topics[t], len(people)) for t, people in fired.items() if t in topics]
    result = NeedPage(listed, page_size=page_size)
    if not listed:
        return result
    chosen = next((t for t in listed if t.topic.id == topic_id), listed[0])
    recommended = list(fired[chosen.topic.id].items())
    trained = _trained(db, [chosen.topic.id], employees, year)
    result.topic, result.total = chosen.topic, len(recommended)
    result.untrained = sum(1 for e, _ in recommended if (e, chosen.topic.id) not in trained)
    result.pages = max(1, -(-len(recommended) // page_size))
    result.page = min(max(page, 1), result.pages)
    start = (result.page - 1) * page_size
    result.rows = _rows(db, chosen.topic.id, recommended[start:start + page_size], {r.id: r for r in need_rules},
                        trained)
    return result


def topic_employee_ids(db, viewer: Viewer, unit_id: int, year: int, topic_id: int, untrained_only: bool = True,
                       need_rules: Optional[list] = None) -> list:
    """The ids of every employee recommended for ``topic_id`` (without those already invited to or trained on
    it since the year began, with ``untrained_only``), in the screen's order: "invite all of the topic"."""
    need_rules = active_rules(db) if need_rules is None else need_rules
    employees = employee_set(db, viewer, unit_id)
    fired = _fired(db, [r for r in need_rules if r.topic_id == topic_id], employees, year)
    ids = list(fired.get(topic_id, {}))
    if untrained_only and ids:
        trained = _trained(db, [topic_id], employees, year)
        ids = [e for e in ids if (e, topic_id) not in trained]
    return ids


def training_needs(db, viewer: Viewer, unit_id: int, year: int, need_rules: Optional[list] = None) -> dict:
    """{topic: [NeedRow]} for the active employees of the unit's subtree (within the viewer's scope), every
    recommended employee of every topic (the rules in SQL; the screen pages with ``need_page``)."""
    need_rules = active_rules(db) if need_rules is None else need_rules
    employees = employee_set(db, viewer, unit_id)
    fired = _fired(db, need_rules, employees, year)
    topics = {r.topic_id: r.topic for r in need_rules if r.topic is not None}
    trained = _trained(db, list(fired), employees, year)
    by_rule = {r.id: r for r in need_rules}
    return {topics[t]: _rows(db, t, list(people.items()), by_rule, trained)
            for t, people in fired.items() if t in topics}


# --- the reference computation: outcomes per employee, then the pure rules ----------------------------------------------

def _latest_results(db, employee_select, year: Optional[int] = None) -> dict:
    """{employee id: [(period end, evaluation id, predikat, perilaku rating)]} of final, rated evaluations (of
    ``year``'s plans when given), sorted by period end then evaluation id. One statement."""
    q = (select(Skp.employee_id, Period.ends_on, Evaluation.id, Evaluation.predikat, Evaluation.perilaku_rating)
         .join(Skp, Skp.id == Evaluation.skp_id).join(Period, Period.id == Evaluation.period_id)
         .where(Evaluation.status == FINAL, Evaluation.predikat.is_not(None), Skp.employee_id.in_(employee_select)))
    if year is not None:
        q = q.where(Skp.year == year)
    out: dict = {}
    for employee_id, ends_on, evaluation_id, predikat, perilaku in db.execute(q).all():
        out.setdefault(employee_id, []).append((ends_on, evaluation_id, predikat, perilaku))
    for rows in out.values():
        rows.sort(key=lambda r: (r[0], r[1]))
    return out


def employee_outcomes(db, employee_select, year: int) -> dict:
    """{employee id: rules.EmployeeOutcome} for the employees of ``employee_select`` (a SELECT of ids), from
    their performance records of ``year`` (see the module's docstring). Four statements; the rows of every
    indicator and progress sum of the unit travel to Python: the reference, not the screen's path."""
    outcomes: dict = {}
    latest = {e: rows[-1] for e, rows in _latest_results(db, employee_select, year).items()}
    feedback: dict = {}
    for employee_id, core_value_id in db.execute(
            select(Skp.employee_id, Feedback.core_value_id).join(Skp, Skp.id == Feedback.skp_id)
            .where(Skp.year == year, Feedback.core_value_id.is_not(None),
                   or_(Feedback.author_id.is_(None), Feedback.author_id != Skp.employee_id),
                   Skp.employee_id.in_(employee_select)).distinct()).all():
        feedback.setdefault(employee_id, set()).add(core_value_id)
    plan_filter = _plan_filter(year, employee_select)
    indicators = db.execute(
        select(Skp.employee_id, Indicator.id, Indicator.rhk_id, Indicator.sort_order, Indicator.target_value)
        .join(Rhk, Rhk.id == Indicator.rhk_id).join(Skp, Skp.id == Rhk.skp_id).where(*plan_filter)).all()
    sums = {(rhk_id, indicator_id): value for rhk_id, indicator_id, value in db.execute(
        select(Progress.rhk_id, Progress.indicator_id, func.sum(Progress.value))
        .join(Rhk, Rhk.id == Progress.rhk_id).join(Skp, Skp.id == Rhk.skp_id).where(*plan_filter)
        .group_by(Progress.rhk_id, Progress.indicator_id)).all()}
    first = {}
    for employee_id, ind_id, rhk_id, order, _target in indicators:
        if rhk_id not in first or (order, ind_id) < first[rhk_id]:
            first[rhk_id] = (order, ind_id)
    missed: dict = {}
    for employee_id, ind_id, rhk_id, order, target in indicators:
        if target is None:
            continue
        realised = Decimal(str(sums.get((rhk_id, ind_id)) or 0))
        if first.get(rhk_id, (None, None))[1] == ind_id:
            realised += Decimal(str(sums.get((rhk_id, None)) or 0))
        if realised < Decimal(str(target)):
            missed[employee_id] = missed.get(employee_id, 0) + 1
    for employee_id in set(latest) | set(feedback) | set(missed):
        row = latest.get(employee_id)
        outcomes[employee_id] = rules.EmployeeOutcome(
            employee_id, predikat=row[2] if row else None,
            feedback_core_values=frozenset(feedback.get(employee_id, ())),
            missed_indicators=missed.get(employee_id, 0), perilaku_rating=row[3] if row else None)
    return outcomes


def recommend_reference(db, viewer: Viewer, unit_id: int, year: int, need_rules: Optional[list] = None) -> dict:
    """{topic id: [(employee id, (rule ids))]} by the pure rules (``rules.recommend``) over the outcomes of
    ``employee_outcomes``, employees ordered by (name, id): what ``need_page`` must show."""
    need_rules = active_rules(db) if need_rules is None else need_rules
    employees = employee_set(db, viewer, unit_id)
    outcomes = employee_outcomes(db, employees, year)
    names = dict(db.execute(select(Employee.id, Employee.name).where(Employee.id.in_(list(outcomes)))).all()) \
        if outcomes else {}
    ordered = sorted((o for o in outcomes.values() if o.employee_id in names),
                     key=lambda o: (names[o.employee_id], o.employee_id))
    recommended = rules.recommend([r.to_rule() for r in need_rules], ordered)
    return {t: [(r.employee_id, tuple(x.id for x in r.reasons)) for r in recs] for t, recs in recommended.items()}


def recommend_sql(db, viewer: Viewer, unit_id: int, year: int, need_rules: Optional[list] = None) -> dict:
    """The same as ``recommend_reference``, from the rules in SQL (what the screen uses)."""
    need_rules = active_rules(db) if need_rules is None else need_rules
    fired = _fired(db, need_rules, employee_set(db, viewer, unit_id), year)
    return {t: [(e, tuple(ids)) for e, ids in people.items()] for t, people in fired.items()}


def validate_need_rule(db, item: TrainingNeedRule) -> None:
    core_value_id = item.core_value.id if item.core_value is not None else item.core_value_id
    errors = rules.need_rule_problems(item.outcome, item.predikat, core_value_id, item.min_missed)
    topic = item.topic if item.topic is not None else (db.get(TrainingTopic, item.topic_id) if item.topic_id else None)
    if topic is None:
        errors["topic"] = _l("Choose the training topic.")
    item.notes = _text(errors, "notes", item.notes, 500, required=False, label=_l("Notes"))
    if errors:
        raise DomainValidationError(errors)
    # keep only the parameter the outcome uses
    if item.outcome != rules.NeedOutcome.PREDIKAT:
        item.predikat = None
    if item.outcome != rules.NeedOutcome.PERILAKU:
        item.core_value = None
        item.core_value_id = None
    if item.outcome != rules.NeedOutcome.INDIKATOR:
        item.min_missed = 1


# --- the effect of training ---------------------------------------------------------------------------------------------

@dataclass
class EffectRow:
    employee_id: int
    nip: str
    name: str
    unit_name: str
    session_id: int
    session_title: str
    topic_name: str
    ended_on: date
    before: Optional[str]
    after: Optional[str]
    effect: rules.Effect


@dataclass
class TopicEffect:
    topic_id: int
    topic_name: str
    summary: rules.EffectSummary


@dataclass
class EffectPage:
    summary: rules.EffectSummary
    topics: list  # TopicEffect, by topic name
    rows: list  # EffectRow of the page
    total: int
    page: int = 1
    pages: int = 1
    page_size: int = EFFECT_PAGE_SIZE


def _effect_conditions(viewer: Viewer, topic_id: Optional[int], unit_id: Optional[int]) -> list:
    conditions = [TrainingParticipant.attendance == Attendance.HADIR.value,
                  TrainingSession.status == SessionStatus.DITUTUP.value, participant_clause(viewer),
                  TrainingSession.topic_id.is_not(None)]
    if topic_id:
        conditions.append(TrainingSession.topic_id == topic_id)
    if unit_id:
        conditions.append(TrainingParticipant.unit_id.in_(unit_subtree_ids(unit_id)))
    return conditions


def _result_around(employee_column, day, before: bool):
    """Scalar subquery: the predikat of the employee's latest final result whose period ended on or before
    ``day`` (``before``), or of the first whose period ended after it."""
    query = (select(Evaluation.predikat).select_from(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
             .join(Period, Period.id == Evaluation.period_id)
             .where(Skp.employee_id == employee_column, Evaluation.status == FINAL, Evaluation.predikat.is_not(None)))
    if before:
        query = query.where(Period.ends_on <= day).order_by(Period.ends_on.desc(), Evaluation.id.desc())
    else:
        query = query.where(Period.ends_on > day).order_by(Period.ends_on, Evaluation.id)
    return query.limit(1).scalar_subquery()


def _effect_pairs(conditions):
    """Subquery (pid, topic_id, before, after) of every participant of ``conditions``, set-based: the participants'
    start (end) days put among their employees' final results in date order; a running count of the results
    numbers the stretches between two results, and the one result of a participant's stretch is the latest
    before (scanning backwards: the first after). Two window passes instead of two look-ups per participant."""
    part = (select(TrainingParticipant.id.label("pid"), TrainingParticipant.employee_id.label("employee_id"),
                   TrainingSession.topic_id.label("topic_id"), func.date(TrainingSession.starts_at).label("s_day"),
                   func.date(TrainingSession.ends_at).label("e_day"))
            .select_from(TrainingParticipant).join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
            .where(*conditions).cte("effect_part"))
    results = (select(Skp.employee_id.label("employee_id"), Period.ends_on.label("day"), Evaluation.id.label("seq"),
                      Evaluation.predikat.label("predikat"))
               .select_from(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
               .join(Period, Period.id == Evaluation.period_id)
               .where(Evaluation.status == FINAL, Evaluation.predikat.is_not(None),
                      Skp.employee_id.in_(select(part.c.employee_id)))
               .cte("effect_results"))
    no_text, no_id = cast(null(), String(20)), cast(null(), Integer)

    def side(day_column, result_kind: int, part_kind: int, descending: bool, name: str):
        events = union_all(
            select(results.c.employee_id, results.c.day, literal(result_kind).label("kind"), results.c.seq,
                   results.c.predikat, no_id.label("pid"), no_id.label("topic_id")),
            select(part.c.employee_id, day_column, literal(part_kind).label("kind"), part.c.pid.label("seq"),
                   no_text.label("predikat"), part.c.pid, part.c.topic_id)).subquery(f"{name}_events")
        order = (events.c.day.desc(), events.c.kind, events.c.seq.desc()) if descending else \
            (events.c.day, events.c.kind, events.c.seq)
        numbered = select(events.c.employee_id, events.c.pid, events.c.topic_id, events.c.predikat,
                          func.count(events.c.predikat).over(partition_by=events.c.employee_id, order_by=order)
                          .label("stretch")).subquery(f"{name}_numbered")
        found = select(numbered.c.pid, numbered.c.topic_id, func.max(numbered.c.predikat).over(
            partition_by=(numbered.c.employee_id, numbered.c.stretch)).label("predikat")).subquery(f"{name}_found")
        return found

    # before: results on the start day count (a result sorts before the participant on the same day)
    before = side(part.c.s_day, 0, 1, False, "effect_before")
    # after: scanning backwards, a result of the end day sorts after the participant (it does not count)
    after = side(part.c.e_day, 1, 0, True, "effect_after")
    # both sides of a participant side by side by grouping (not a join: the planners cannot estimate a join of
    # two window results and then plan for billions of rows; PostgreSQL even JIT-compiles for them)
    sides = union_all(
        select(before.c.pid, before.c.topic_id, before.c.predikat.label("before"), no_text.label("after"))
        .where(before.c.pid.is_not(None)),
        select(after.c.pid, after.c.topic_id, no_text.label("before"), after.c.predikat.label("after"))
        .where(after.c.pid.is_not(None))).subquery("effect_sides")
    return (select(sides.c.pid.label("pid"), func.max(sides.c.topic_id).label("topic_id"),
                   func.max(sides.c.before).label("before"),
                   func.max(sides.c.after).label("after"))
            .group_by(sides.c.pid).subquery("effect_pairs"))


def effect_page(db, viewer: Viewer, topic_id: Optional[int] = None, unit_id: Optional[int] = None, page: int = 1,
                page_size: int = EFFECT_PAGE_SIZE) -> EffectPage:
    """The effect of training counted per effect and per topic over every present participant of a closed
    session (of ``topic_id``; of ``unit_id``'s subtree), and one page of them. Two statements: the counts
    grouped by (topic, result before, result after) — at most topics × 36 rows, the pure ``rules.training_effect``
    names the effect of each — and the page, whose results are looked up for its rows only."""
    conditions = _effect_conditions(viewer, topic_id, unit_id)
    pairs = _effect_pairs(conditions)
    grouped = db.execute(select(pairs.c.topic_id, TrainingTopic.name, pairs.c.before, pairs.c.after, func.count())
                         .join(TrainingTopic, TrainingTopic.id == pairs.c.topic_id)
                         .group_by(pairs.c.topic_id, TrainingTopic.name, pairs.c.before, pairs.c.after)).all()
    summary, by_topic = rules.EffectSummary(), {}
    for topic, name, before, after, n in grouped:
        effect = rules.training_effect(before, after)
        summary.counts[effect] += n
        by_topic.setdefault(topic, TopicEffect(topic, name, rules.EffectSummary())).summary.counts[effect] += n
    total = sum(summary.counts.values())
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    result = EffectPage(summary, sorted(by_topic.values(), key=lambda t: (t.topic_name, t.topic_id)), [], total,
                        page, pages, page_size)
    if not total:
        return result
    from app.organisation.rules import full_name

    shown = (select(TrainingParticipant.employee_id, Employee.nip, Employee.name, Employee.front_title,
                    Employee.back_title, Unit.name.label("unit_name"), TrainingSession.id.label("session_id"),
                    TrainingSession.title, TrainingSession.starts_at, TrainingSession.ends_at,
                    TrainingTopic.name.label("topic_name"), TrainingParticipant.id.label("participant_id"))
             .join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
             .join(TrainingTopic, TrainingTopic.id == TrainingSession.topic_id)
             .join(Employee, Employee.id == TrainingParticipant.employee_id)
             .join(Unit, Unit.id == TrainingParticipant.unit_id)
             .where(*conditions)
             .order_by(TrainingTopic.name, Unit.name, Employee.name, TrainingSession.starts_at, TrainingParticipant.id)
             .offset((page - 1) * page_size).limit(page_size).subquery("effect_page"))
    rows = db.execute(select(shown, _result_around(shown.c.employee_id, func.date(shown.c.starts_at), True),
                             _result_around(shown.c.employee_id, func.date(shown.c.ends_at), False))
                      .order_by(shown.c.topic_name, shown.c.unit_name, shown.c.name, shown.c.starts_at,
                                shown.c.participant_id)).all()
    for r in rows:
        before, after = r[-2], r[-1]
        result.rows.append(EffectRow(r.employee_id, r.nip, full_name(r.name, r.front_title, r.back_title),
                                     r.unit_name, r.session_id, r.title, r.topic_name, r.ends_at.date(), before,
                                     after, rules.training_effect(before, after)))
    return result


def effect_overview(db, viewer: Viewer) -> list:
    """[(topic id, topic name, participants)]: the present participants of closed sessions per topic, without
    their results (one statement): what the screen shows for the whole city until a topic or a unit is chosen
    (counting the effect of every participant of the city reads every final result of every participant)."""
    return db.execute(select(TrainingSession.topic_id, TrainingTopic.name, func.count())
                      .select_from(TrainingParticipant)
                      .join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
                      .join(TrainingTopic, TrainingTopic.id == TrainingSession.topic_id)
                      .where(*_effect_conditions(viewer, None, None))
                      .group_by(TrainingSession.topic_id, TrainingTopic.name)
                      .order_by(TrainingTopic.name, TrainingSession.topic_id)).all()


def training_effect(db, viewer: Viewer, topic_id: Optional[int] = None, unit_id: Optional[int] = None,
                    limit: int = 500) -> tuple[list, rules.EffectSummary]:
    """The reference computation: each present participant of a closed session (the first ``limit``), with the
    pure ``rules.pick_results`` over every final result of the employee, and their summary."""
    from app.organisation.rules import full_name

    rows = db.execute(
        select(TrainingParticipant.employee_id, Employee.nip, Employee.name, Employee.front_title,
               Employee.back_title, Unit.name.label("unit_name"), TrainingSession.id.label("session_id"),
               TrainingSession.title, TrainingSession.starts_at, TrainingSession.ends_at,
               TrainingTopic.name.label("topic_name"))
        .join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
        .join(TrainingTopic, TrainingTopic.id == TrainingSession.topic_id)
        .join(Employee, Employee.id == TrainingParticipant.employee_id)
        .join(Unit, Unit.id == TrainingParticipant.unit_id)
        .where(*_effect_conditions(viewer, topic_id, unit_id))
        .order_by(TrainingTopic.name, Unit.name, Employee.name, TrainingSession.starts_at, TrainingParticipant.id)
        .limit(limit)).all()
    results = _latest_results(db, sorted({r.employee_id for r in rows})) if rows else {}
    summary = rules.EffectSummary()
    out = []
    for r in rows:
        before, after = rules.pick_results([(e, p) for e, _i, p, _ in results.get(r.employee_id, [])],
                                           r.starts_at.date(), r.ends_at.date())
        effect = rules.training_effect(before, after)
        summary.add(effect)
        out.append(EffectRow(r.employee_id, r.nip, full_name(r.name, r.front_title, r.back_title), r.unit_name,
                             r.session_id, r.title, r.topic_name, r.ends_at.date(), before, after, effect))
    return out, summary
