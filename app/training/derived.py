"""The training needs of a year and the effect of training as stored results (app/core/derived.py).

Both are computed by the live SQL of ``needs`` (proven equal to the pure ``rules`` by
tests/test_training_needs_sql.py) over the whole city and stored; the screens read the stored rows with the unit
filter and the viewer's row scope applied to the stored unit, in the stored order (same rows, same order, same
scope as the live SQL: tests/test_training_snapshot.py).

* ``TrainingNeedSnapshot`` (kind ``training_needs``, per year): each recommended (employee, topic) of the active
  employees, with the employee's unit, the rules that fired (in rule order) and the employee's place in the
  order (name, id). Who of a topic is already invited or trained is read live (``_trained``: one indexed
  statement): invitations must show at once and must not make the year's needs stale.
* ``TrainingEffectSnapshot`` (kind ``training_effect``, ``year`` 0: every year): each present participant of a
  closed session with a topic, with the results before and after and its place in the order (topic, unit,
  name, start, participant); ``TrainingEffectSummary`` the same counted per (topic, before, after) for the
  whole city (the Admin's and Pengelola's counts without a unit: ~750 rows instead of 118,645);
  ``TrainingEffectUnitSummary`` counted per unit too (a unit subtree whose every row the viewer sees: the largest
  OPD sums 2,140 rows instead of counting 9,154 participants).

The stored rows are written in the screens' order (needs: topic, unit, name; effect: ``ord``), so the rows a screen
reads lie on a few pages, and on PostgreSQL the tables are vacuumed after the refresh's commit (``derived.vacuum``):
without it the deleted rows stay in the indexes and no page is all-visible until autovacuum comes by.

``*_fingerprint`` is one statement of counts, maxima and sums over the inputs (hashed: the state keeps 255
characters): the final evaluations (count, latest finalisation, predikat lengths) and decided objections, the
year's feedback (count, latest) and progress (count, largest id: both are only ever added), the year's plans
(approved current ones, latest approval), the need rules, the topics, the employees (``changed_on`` and sums over
unit, status and name); for the effect every final evaluation, the sessions (closed ones, latest closing,
topics), the participants (count, largest id: attendance changes only while a session is open) and the units'
names. A closed session's dates edited in place are not seen (the next refresh, "Hitung ulang" or the nightly
``refresh-derived`` brings them). ``ensure_*`` — what a screen
calls: refresh when there is no result or its fingerprint changed (the fingerprint at most every
``check_every`` seconds per process), like the award candidates. ``refresh_*`` recompute in ONE transaction
(delete, insert, state row): a failed refresh keeps the old rows. A need rule saved by the Pengelola refreshes
the stored years at once (``rules_changed``).
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Optional

from sqlalchemy import and_, case, delete, false, func, insert, or_, select, text, true
from sqlalchemy.exc import IntegrityError, OperationalError

from app.core import derived
from app.core.transactions import atomic
from app.organisation.models import Employee, Position, Unit
from app.performance.models import Evaluation, Feedback, Objection, Period, Progress, Skp

from . import needs, rules
from .models import (TrainingEffectSnapshot as Effect, TrainingEffectSummary as Summary,
                     TrainingEffectUnitSummary as UnitSummary, TrainingNeedRule, TrainingNeedSnapshot as Need,
                     TrainingParticipant, TrainingSession, TrainingTopic)
from .rules import EnrollmentStatus, SessionStatus
from .scope import Viewer, _among, employee_rows, subtree_ids as unit_subtree_ids, trained_session_ids

NEEDS = "training_needs"
EFFECT = "training_effect"
EFFECT_YEAR = 0  # the effect is of every year: one state row


def _analyze(session, *tables) -> None:
    """Refresh the planner's statistics of the rewritten tables in the refresh's transaction (PostgreSQL and SQLite
    both): without them the first readers get plans made for an empty table (a nested loop over every participant
    of a topic: 25 ms instead of 3)."""
    for table in tables:
        session.execute(text(f"ANALYZE {table.__tablename__}"))


def _side_by_side(*subqueries):
    """One statement of one-row aggregates side by side (each table read once)."""
    joined = subqueries[0]
    for sub in subqueries[1:]:
        joined = joined.join(sub, true())
    return select(*subqueries).select_from(joined)


def _employees_fp():
    return (select(func.count().label("p_n"), func.max(Employee.id).label("p_id"),
                   func.max(Employee.changed_on).label("p_at"), func.sum(Employee.unit_id).label("p_unit"),
                   func.sum(case((Employee.status == needs.ACTIVE, Employee.id), else_=0)).label("p_active"),
                   func.sum(func.length(Employee.name)).label("p_name"))
            .subquery("fp_employee"))


def _objections_fp():
    return (select(func.count(Objection.decided_at).label("o_n"), func.max(Objection.decided_at).label("o_at"))
            .subquery("fp_objection"))


def _topics_fp():
    return (select(func.count().label("t_n"), func.max(TrainingTopic.id).label("t_id"),
                   func.sum(func.length(TrainingTopic.name)).label("t_name")).subquery("fp_topic"))


# --- training needs of a year ---------------------------------------------------------------------------------------------

def needs_fingerprint(session, year: int) -> str:
    """A fingerprint of everything the training needs of ``year`` are computed from (one statement)."""
    periods = select(Period.id).where(Period.year == year)
    plans = select(Skp.id).where(Skp.year == year)
    evaluations = (select(func.count().label("e_n"), func.max(Evaluation.finalised_at).label("e_at"),
                          func.sum(func.length(Evaluation.predikat)).label("e_p"))
                   .where(Evaluation.period_id.in_(periods), Evaluation.status == needs.FINAL)
                   .subquery("fp_evaluation"))
    # feedback is only ever added (or deleted with its plan): count and latest, from the (skp_id, created_on) index
    feedback = (select(func.count().label("f_n"), func.max(Feedback.created_on).label("f_at"))
                .where(Feedback.skp_id.in_(plans)).subquery("fp_feedback"))
    skp = (select(func.count().label("s_n"), func.max(Skp.id).label("s_id"),
                  func.sum(case((and_(Skp.is_current.is_(True), Skp.status == "DISETUJUI"), Skp.id), else_=0))
                  .label("s_ok"), func.max(Skp.approved_at).label("s_at"))
           .where(Skp.year == year).subquery("fp_skp"))
    # progress is only ever added (a failed upload removes it again at once); its date lies in the plan's year:
    # count and largest id of the year's, from the (achieved_on, id) index alone
    progress = (select(func.count().label("g_n"), func.max(Progress.id).label("g_id"))
                .where(Progress.achieved_on >= date(year, 1, 1), Progress.achieved_on <= date(year, 12, 31))
                .subquery("fp_progress"))
    need_rules = (select(func.count().label("r_n"), func.max(TrainingNeedRule.id).label("r_id"),
                         func.sum(case((TrainingNeedRule.active.is_(True), TrainingNeedRule.id), else_=0)).label("r_a"),
                         func.sum(TrainingNeedRule.topic_id).label("r_t"),
                         func.sum(func.coalesce(TrainingNeedRule.min_missed, 0)
                                  + func.coalesce(TrainingNeedRule.core_value_id, 0)
                                  + func.coalesce(func.length(TrainingNeedRule.predikat), 0)).label("r_p"))
                  .subquery("fp_rule"))
    row = session.execute(_side_by_side(evaluations, _objections_fp(), feedback, skp, progress, need_rules,
                                        _topics_fp(), _employees_fp())).one()
    return hashlib.sha1(derived.joined_text(row).encode()).hexdigest()


def refresh_needs(session, year: int, now: datetime, fingerprint_value: Optional[str] = None,
                  force: bool = True) -> derived.DerivedResultState:
    """Recompute and store the training needs of ``year`` (the whole city, the active rules), all or nothing;
    commits. Without ``force`` a refresh that finds the state already matching does nothing."""
    fingerprint_value = fingerprint_value or needs_fingerprint(session, year)
    with atomic(session):
        row = derived.state(session, NEEDS, year, lock=True)
        if not force and row is not None and row.fingerprint == fingerprint_value:
            return row
        session.execute(delete(Need).where(Need.year == year))
        need_rules = needs.active_rules(session)
        query = needs.fired_query(need_rules, select(Employee.id).where(Employee.status == needs.ACTIVE), year)
        values = []
        if query is not None:
            fired = query.subquery("need_fired")
            found = session.execute(select(fired.c.employee_id, fired.c.rule_id, fired.c.topic_id, Employee.name,
                                           Employee.unit_id)
                                    .join(Employee, Employee.id == fired.c.employee_id)).all()
            rule_order = {r.id: i for i, r in enumerate(need_rules)}
            found.sort(key=lambda r: (r.name, r.employee_id, rule_order.get(r.rule_id, 0)))
            order: dict = {}
            grouped: dict = {}
            for r in found:
                order.setdefault(r.employee_id, len(order))
                key = (r.topic_id, r.employee_id)
                if key not in grouped:
                    grouped[key] = {"year": year, "topic_id": r.topic_id, "employee_id": r.employee_id,
                                    "unit_id": r.unit_id, "rule_ids": [], "ord": order[r.employee_id]}
                grouped[key]["rule_ids"].append(str(r.rule_id))
            for item in grouped.values():
                item["rule_ids"] = ",".join(item["rule_ids"])
                values.append(item)
        # stored in the screens' order (topic, unit, name): a unit's rows of a topic lie on a few pages (the largest
        # OPD's 708 of the first topic: 14 pages instead of 594 read by who-is-trained)
        values.sort(key=lambda item: (item["topic_id"], item["unit_id"], item["ord"]))
        if values:
            session.execute(insert(Need), values)
        _analyze(session, Need)
        row = derived.record(session, NEEDS, year, fingerprint_value, "", len(values), now, row)
    derived.vacuum(session, Need.__tablename__)
    return row


def _ensure(session, kind: str, year: int, fingerprint, refresh, now: datetime,
            check_every: float = 0) -> Optional[datetime]:
    """Refresh the stored result of (kind, year) when it is missing or its inputs changed; the time it was
    computed (None when a concurrent first refresh won a race and this one could not read it yet)."""
    row = derived.state(session, kind, year)
    if row is not None and derived.recently_checked(session, kind, year, "", check_every):
        return row.computed_at
    current = fingerprint(session, year)
    if row is not None and row.fingerprint == current:
        derived.mark_checked(session, kind, year, "")
        return row.computed_at
    try:
        row = refresh(session, year, now, current, force=False)
    except (IntegrityError, OperationalError):  # a concurrent refresh came first: use its rows
        session.rollback()
        row = derived.state(session, kind, year)
        return row.computed_at if row is not None else None
    derived.mark_checked(session, kind, year, "")
    return row.computed_at


def ensure_needs(session, year: int, now: datetime, check_every: float = 0) -> Optional[datetime]:
    return _ensure(session, NEEDS, year, needs_fingerprint, refresh_needs, now, check_every)


def rules_changed(session, now: datetime) -> None:
    """A need rule was added, changed or deleted: recompute the newest stored year now (the year the page opens
    on: the next page view shows it); older stored years are made stale and recompute on their next view (each
    year takes seconds at city scale: saving a rule does not wait for all of them). A year that cannot be
    recomputed loses its state row, so the next view recomputes it."""
    stored = derived.states(session, NEEDS)
    if not stored:
        return
    newest, older = stored[0].year, stored[1:]
    if older:
        with atomic(session):
            derived.mark_stale(session, older)
    try:
        refresh_needs(session, newest, now)
    except (IntegrityError, OperationalError):
        session.rollback()
        with atomic(session):
            session.execute(delete(derived.DerivedResultState).where(
                derived.DerivedResultState.kind == NEEDS, derived.DerivedResultState.year == newest))


def _subtree(session, unit_id: int) -> list:
    """The ids of the unit and every unit below it, as a list (one small statement): the planners then know how
    few stored rows they read (behind the recursive subtree PostgreSQL guesses thousands of units and joins every
    participant of a topic row by row)."""
    return list(session.scalars(unit_subtree_ids(unit_id)))


def _within_scope(session, viewer: Viewer, unit_id: int, units: list) -> bool:
    """True when every unit of ``units`` (the subtree of ``unit_id``) lies in the viewer's unit subtree: the rows of
    those units pass the row scope anyway (it is an OR of parts, the unit subtree one of them), so the scope's
    clause is left out (a Pimpinan's own OPD: no supervisor chain of 1,000 employees walked per statement)."""
    root = viewer.scope.unit_root_id
    if not root:
        return False
    return root == unit_id or set(units) <= set(_subtree(session, root))


def _need_where(session, viewer: Viewer, unit_id: int, year: int) -> list:
    units = _subtree(session, unit_id)
    clauses = [Need.year == year, Need.unit_id.in_(units)]
    if not viewer.everything and not _within_scope(session, viewer, unit_id, units):
        clauses.append(employee_rows(viewer, Need.employee_id, Need.unit_id) if not viewer.scope.empty else false())
    return clauses


def _trained(session, where: list, topic_id: int, year: int) -> set:
    """The employees of the stored rows (``where``) of ``topic_id`` already invited to or trained on it since
    ``year`` began (one statement). Read from the topic's sessions, each participant then looked up among the
    stored rows (EXISTS: SQLite would otherwise start from the ~700 recommended employees and read every
    training of each)."""
    return set(session.scalars(_trained_query(where, topic_id, year)))


def _trained_query(where: list, topic_id: int, year: int):
    """SELECT DISTINCT employee_id of ``_trained``."""
    stored = select(Need.employee_id).where(*where, Need.topic_id == topic_id,
                                            Need.employee_id == TrainingParticipant.employee_id)
    return (select(TrainingParticipant.employee_id).distinct()
            .join(TrainingSession, TrainingSession.id == TrainingParticipant.session_id)
            .where(TrainingSession.topic_id == topic_id, TrainingSession.ends_at >= datetime(year, 1, 1),
                   TrainingParticipant.status != EnrollmentStatus.DIBATALKAN.value, stored.exists()))


def need_page(session, viewer: Viewer, unit_id: int, year: int, topic_id: Optional[int] = None, page: int = 1,
              page_size: int = needs.NEED_PAGE_SIZE, need_rules: Optional[list] = None) -> needs.NeedPage:
    """``needs.need_page`` read from the stored needs of ``year`` (call ``ensure_needs`` first): the counts per
    topic, then one page with the people, who of them and how many of the topic are already invited or trained.
    Two statements (and the unit's subtree)."""
    from app.organisation.rules import full_name

    need_rules = needs.active_rules(session) if need_rules is None else need_rules
    where = _need_where(session, viewer, unit_id, year)
    counts = dict(session.execute(select(Need.topic_id, func.count()).where(*where).group_by(Need.topic_id)).all())
    topics: dict = {}
    for r in need_rules:  # the topics in the order of their first rule, loaded with the rules
        if r.topic is not None:
            topics.setdefault(r.topic_id, r.topic)
    listed = [needs.TopicNeed(topic, counts[t]) for t, topic in topics.items() if counts.get(t)]
    result = needs.NeedPage(listed, page_size=page_size)
    if not listed:
        return result
    chosen = next((t for t in listed if t.topic.id == topic_id), listed[0])
    result.topic, result.total = chosen.topic, chosen.count
    result.pages = max(1, -(-chosen.count // page_size))
    result.page = min(max(page, 1), result.pages)
    # the page's rows first, then their people, whether each is already invited or trained and how many of the
    # topic's are (who is trained read once, as a CTE: one statement instead of two)
    trained = _trained_query(where, chosen.topic.id, year).cte("need_trained")
    shown = (select(Need.employee_id, Need.rule_ids, Need.ord).where(*where, Need.topic_id == chosen.topic.id)
             .order_by(Need.ord).offset((result.page - 1) * page_size).limit(page_size).subquery("need_shown"))
    rows = session.execute(
        select(shown.c.employee_id, shown.c.rule_ids, Employee.nip, Employee.name, Employee.front_title,
               Employee.back_title, Unit.name.label("unit_name"), Position.name.label("position_name"),
               shown.c.employee_id.in_(select(trained.c.employee_id)).label("trained"),
               select(func.count()).select_from(trained).scalar_subquery().label("n_trained"))
        .select_from(shown).join(Employee, Employee.id == shown.c.employee_id)
        .join(Unit, Unit.id == Employee.unit_id).outerjoin(Position, Position.id == Employee.position_id)
        .order_by(shown.c.ord)).all()
    n_trained = rows[0].n_trained if rows else len(_trained(session, where, chosen.topic.id, year))
    result.untrained = chosen.count - n_trained
    by_rule = {r.id: r for r in need_rules}
    for r in rows:
        reasons = tuple(by_rule[i] for i in (int(x) for x in r.rule_ids.split(",") if x) if i in by_rule)
        result.rows.append(needs.NeedRow(r.employee_id, r.nip, full_name(r.name, r.front_title, r.back_title),
                                         r.unit_name, r.position_name or "", reasons, bool(r.trained)))
    return result


def topic_employee_ids(session, viewer: Viewer, unit_id: int, year: int, topic_id: int,
                       untrained_only: bool = True) -> list:
    """``needs.topic_employee_ids`` from the stored needs: every recommended employee of the topic (without those
    already invited or trained, with ``untrained_only``), in the screen's order."""
    where = _need_where(session, viewer, unit_id, year)
    ids = list(session.scalars(select(Need.employee_id).where(*where, Need.topic_id == topic_id).order_by(Need.ord)))
    if untrained_only and ids:
        trained = _trained(session, where, topic_id, year)
        ids = [e for e in ids if e not in trained]
    return ids


def stored_needs(session, year: int) -> dict:
    """{topic id: [(employee id, (rule ids))]} of every stored need of ``year`` in the stored order (tests)."""
    out: dict = {}
    for t, e, ids in session.execute(select(Need.topic_id, Need.employee_id, Need.rule_ids).where(Need.year == year)
                                     .order_by(Need.topic_id, Need.ord)):
        out.setdefault(t, []).append((e, tuple(int(x) for x in ids.split(",") if x)))
    return out


# --- the effect of training -------------------------------------------------------------------------------------------------

def effect_fingerprint(session, year: int = EFFECT_YEAR) -> str:
    """A fingerprint of everything the effect of training is computed from (one statement)."""
    evaluations = (select(func.count().label("e_n"), func.max(Evaluation.finalised_at).label("e_at"))
                   .where(Evaluation.status == needs.FINAL).subquery("fp_evaluation"))
    sessions = (select(func.count().label("s_n"), func.max(TrainingSession.id).label("s_id"),
                       func.sum(case((TrainingSession.status == SessionStatus.DITUTUP.value, TrainingSession.id),
                                     else_=0)).label("s_closed"),
                       func.max(TrainingSession.closed_at).label("s_at"),
                       func.sum(func.coalesce(TrainingSession.topic_id, 0)).label("s_topic"))
                .subquery("fp_session"))
    # attendance changes only while a session is open: closing (and reopening) changes the sessions' sums and
    # latest closing; participants are counted (an index alone) for the rest
    participants = (select(func.count().label("q_n"), func.max(TrainingParticipant.id).label("q_id"))
                    .subquery("fp_participant"))
    units = (select(func.count().label("u_n"), func.max(Unit.id).label("u_id"),
                    func.sum(func.length(Unit.name)).label("u_name")).subquery("fp_unit"))
    row = session.execute(_side_by_side(evaluations, _objections_fp(), sessions, participants, units, _topics_fp(),
                                        _employees_fp())).one()
    return hashlib.sha1(derived.joined_text(row).encode()).hexdigest()


def refresh_effect(session, year: int = EFFECT_YEAR, now: Optional[datetime] = None,
                   fingerprint_value: Optional[str] = None, force: bool = True) -> derived.DerivedResultState:
    """Recompute and store the effect of training of every present participant of a closed session (the SQL of
    ``needs.effect_page``, INSERT … SELECT), all or nothing; commits."""
    from app.security.scope import Scope

    now = now or datetime.now()
    fingerprint_value = fingerprint_value or effect_fingerprint(session)
    with atomic(session):
        row = derived.state(session, EFFECT, EFFECT_YEAR, lock=True)
        if not force and row is not None and row.fingerprint == fingerprint_value:
            return row
        session.execute(delete(Effect))
        session.execute(delete(Summary))
        session.execute(delete(UnitSummary))
        everyone = Viewer(Scope(everything=True))
        pairs = needs._effect_pairs(needs._effect_conditions(everyone, None, None))
        p = TrainingParticipant
        order = func.row_number().over(order_by=(TrainingTopic.name, Unit.name, Employee.name,
                                                 TrainingSession.starts_at, p.id)).label("ord")
        source = (select(pairs.c.pid, p.employee_id, p.session_id, pairs.c.topic_id, p.unit_id, pairs.c.before,
                         pairs.c.after, order)
                  .select_from(pairs).join(p, p.id == pairs.c.pid)
                  .join(TrainingSession, TrainingSession.id == p.session_id)
                  .join(TrainingTopic, TrainingTopic.id == pairs.c.topic_id)
                  .join(Unit, Unit.id == p.unit_id).join(Employee, Employee.id == p.employee_id)
                  .subquery("effect_source"))
        # stored in the order of the screen (``ord``): a page's rows lie on a few pages of the table
        session.execute(insert(Effect).from_select(
            ["participant_id", "employee_id", "session_id", "topic_id", "unit_id", "result_before", "result_after",
             "ord"], select(source).order_by(source.c.ord)))
        session.execute(insert(Summary).from_select(
            ["topic_id", "result_before", "result_after", "participants"],
            select(Effect.topic_id, Effect.result_before, Effect.result_after, func.count())
            .group_by(Effect.topic_id, Effect.result_before, Effect.result_after)))
        # per unit too, stored unit by unit (a subtree's rows lie together)
        per_unit = (Effect.unit_id, Effect.topic_id, Effect.result_before, Effect.result_after)
        session.execute(insert(UnitSummary).from_select(
            ["unit_id", "topic_id", "result_before", "result_after", "participants"],
            select(*per_unit, func.count()).group_by(*per_unit).order_by(*per_unit)))
        rows = session.scalar(select(func.count()).select_from(Effect)) or 0
        _analyze(session, Effect, Summary, UnitSummary)
        row = derived.record(session, EFFECT, EFFECT_YEAR, fingerprint_value, "", rows, now, row)
    derived.vacuum(session, Effect.__tablename__, Summary.__tablename__, UnitSummary.__tablename__)
    return row


def ensure_effect(session, now: datetime, check_every: float = 0) -> Optional[datetime]:
    return _ensure(session, EFFECT, EFFECT_YEAR, effect_fingerprint,
                   lambda s, y, n, f, force: refresh_effect(s, y, n, f, force), now, check_every)


def _effect_where(session, viewer: Viewer, topic_id: Optional[int], unit_id: Optional[int]) -> list:
    """The stored rows of ``needs._effect_conditions``: the participant scope on the stored columns."""
    return _effect_filter(session, viewer, topic_id, unit_id)[0]


def _effect_filter(session, viewer: Viewer, topic_id: Optional[int], unit_id: Optional[int]) -> tuple:
    """(``_effect_where``'s clauses, the units of ``unit_id``'s subtree when the viewer may see every row of them —
    their counts may then be read from ``TrainingEffectUnitSummary`` — else None)."""
    clauses = []
    units = _subtree(session, unit_id) if unit_id else None
    if unit_id:
        clauses.append(Effect.unit_id.in_(units))
    whole = bool(unit_id) and (viewer.everything or _within_scope(session, viewer, unit_id, units))
    if not viewer.everything and not whole:
        parts = []
        if not viewer.scope.empty:
            parts.append(employee_rows(viewer, Effect.employee_id, Effect.unit_id))
        if viewer.is_trainer:
            parts.append(_among(viewer, Effect.session_id, trained_session_ids(viewer.user_id)))
        clauses.append(or_(*parts) if parts else false())
    if topic_id:
        clauses.append(Effect.topic_id == topic_id)
    return clauses, (units if whole else None)


def effect_page(session, viewer: Viewer, topic_id: Optional[int] = None, unit_id: Optional[int] = None,
                page: int = 1, page_size: int = needs.EFFECT_PAGE_SIZE) -> needs.EffectPage:
    """``needs.effect_page`` read from the stored effect (call ``ensure_effect`` first): the counts grouped by
    (topic, before, after) and one page in the stored order. Two statements."""
    from app.organisation.rules import full_name

    where, whole_units = _effect_filter(session, viewer, topic_id, unit_id)
    if viewer.everything and not unit_id:  # the whole city: the stored counts
        counted = (select(Summary.topic_id.label("topic_id"), Summary.result_before.label("before"),
                          Summary.result_after.label("after"), Summary.participants.label("n"))
                   .where(Summary.topic_id == topic_id if topic_id else true()).subquery("effect_counted"))
    elif whole_units is not None:  # every row of the units is seen: their stored counts summed
        counted = (select(UnitSummary.topic_id.label("topic_id"), UnitSummary.result_before.label("before"),
                          UnitSummary.result_after.label("after"), func.sum(UnitSummary.participants).label("n"))
                   .where(UnitSummary.unit_id.in_(whole_units),
                          UnitSummary.topic_id == topic_id if topic_id else true())
                   .group_by(UnitSummary.topic_id, UnitSummary.result_before, UnitSummary.result_after)
                   .subquery("effect_counted"))
    else:  # counted first (from the index on the unit), named after
        counted = (select(Effect.topic_id.label("topic_id"), Effect.result_before.label("before"),
                          Effect.result_after.label("after"), func.count().label("n")).where(*where)
                   .group_by(Effect.topic_id, Effect.result_before, Effect.result_after).subquery("effect_counted"))
    grouped = session.execute(select(counted.c.topic_id, TrainingTopic.name, counted.c.before, counted.c.after,
                                     counted.c.n).join(TrainingTopic, TrainingTopic.id == counted.c.topic_id)).all()
    summary, by_topic, effects = rules.EffectSummary(), {}, {}
    for topic, name, before, after, n in grouped:  # (topic, before, after): ~750 rows for a large OPD
        effect = effects.get((before, after))
        if effect is None:
            effect = effects[(before, after)] = rules.training_effect(before, after)
        summary.counts[effect] += n
        item = by_topic.get(topic)
        if item is None:
            item = by_topic[topic] = needs.TopicEffect(topic, name, rules.EffectSummary())
        item.summary.counts[effect] += n
    total = sum(summary.counts.values())
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    result = needs.EffectPage(summary, sorted(by_topic.values(), key=lambda t: (t.topic_name, t.topic_id)), [],
                              total, page, pages, page_size)
    if not total:
        return result
    # the page's rows first (from an index alone), then their names
    shown = (select(Effect.participant_id, Effect.ord).where(*where).order_by(Effect.ord)
             .offset((page - 1) * page_size).limit(page_size).subquery("effect_shown"))
    rows = session.execute(
        select(Effect.employee_id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
               Unit.name.label("unit_name"), Effect.session_id, TrainingSession.title, TrainingSession.ends_at,
               TrainingTopic.name.label("topic_name"), Effect.result_before, Effect.result_after)
        .select_from(shown).join(Effect, Effect.participant_id == shown.c.participant_id)
        .join(TrainingSession, TrainingSession.id == Effect.session_id)
        .join(TrainingTopic, TrainingTopic.id == Effect.topic_id)
        .join(Employee, Employee.id == Effect.employee_id).join(Unit, Unit.id == Effect.unit_id)
        .order_by(shown.c.ord)).all()
    for r in rows:
        result.rows.append(needs.EffectRow(r.employee_id, r.nip, full_name(r.name, r.front_title, r.back_title),
                                           r.unit_name, r.session_id, r.title, r.topic_name, r.ends_at.date(),
                                           r.result_before, r.result_after,
                                           rules.training_effect(r.result_before, r.result_after)))
    return result


def effect_overview(session, viewer: Viewer) -> list:
    """``needs.effect_overview`` from the stored effect: [(topic id, topic name, participants)] (one statement)."""
    if viewer.everything:
        counted = (select(Summary.topic_id.label("topic_id"), func.sum(Summary.participants).label("n"))
                   .group_by(Summary.topic_id).subquery("effect_counted"))
    else:
        counted = (select(Effect.topic_id.label("topic_id"), func.count().label("n"))
                   .where(*_effect_where(session, viewer, None, None)).group_by(Effect.topic_id)
                   .subquery("effect_counted"))
    return [(t, name, int(n)) for t, name, n in session.execute(
        select(counted.c.topic_id, TrainingTopic.name, counted.c.n)
        .join(TrainingTopic, TrainingTopic.id == counted.c.topic_id)
        .order_by(TrainingTopic.name, counted.c.topic_id)).all()]
