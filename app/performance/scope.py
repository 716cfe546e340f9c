"""Row scope of the performance records, as SQL clauses (no web imports).

An SKP is seen by (domain.md, "Who uses the system"):

* its employee (own record);
* an Atasan above the employee in the supervisor chain (``subordinate_ids``);
* a Pimpinan whose unit subtree holds the plan's unit (``Skp.unit_id``: the unit at the time of the plan,
  so a plan stays with the unit it was written in);
* the plan's rater (*pejabat penilai*, ``Skp.rater_id``) and the rater's supervisor (*atasan pejabat
  penilai*, ``Skp.rater_supervisor_id``), who may no longer be in the chain (acting officials, moves) but
  must still approve, rate and decide objections;
* Admin and Pengelola Kinerja: everything.

Evaluations, objections and evidence follow their plan through a subquery on the plan's ids (one SQL
statement, no query per row). An empty scope (no employee record, no whole-city role) sees nothing.

The REST lists on PostgreSQL pass ``arrays=True``: over a wide scope (a Pimpinan's OPD: 5,000 plans and
20,000 evaluations over five years) the recursive subqueries inside an OR leave PostgreSQL no index to use
(it scans every plan and evaluation, twice a page: the count and the rows); written ``= ANY(ARRAY(subquery))``
each subquery runs once and its ids become index conditions (a BitmapOr of the plan indexes). The rows are
the same. SQLite plans the ``IN (subquery)`` form well and has no arrays. In that form the supervisor chain is
``subordinate_array``: level by level, one index scan per level (the recursive join of ``subordinate_ids`` hashes
the whole employee table: 3-7 ms for a head of an OPD, 1 ms this way).

The evaluation and objection lists of a wide scope (an Atasan, a Pimpinan) on PostgreSQL go one step further
(``arrays=IN_STATEMENT``), inside the one statement that answers the count and the page (``api._ListInterface``):
the evaluations' plan ids are resolved once per request in it (``scope_plans``, a MATERIALIZED CTE; before, they
were read first, one query, and bound by FAB's two statements: 5,400 ids sent back twice and estimated one by one
at each planning); the objections, few, have each their plan tested (``_objection_each_plan``).

The clauses are SQL expressions without a database: they are built once per scope (``lru_cache``; a scope is a
frozen dataclass) instead of twice per list request (1.4 ms each for a Pimpinan's evaluations).
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import ARRAY, Integer, any_, cast, false, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from app.organisation.models import Employee, Unit
from app.security.scope import Scope, employee_clause, unit_subtree_ids

from .models import Evaluation, Evidence, Objection, Progress, Rhk, Skp


def _among(column, ids_select, arrays: bool):
    """``column IN (ids_select)``; with ``arrays`` (PostgreSQL) ``column = ANY(ARRAY(ids_select))``: the
    subquery runs once, before the scan, and its ids become an index condition."""
    if arrays:
        return column == any_(func.array(ids_select.scalar_subquery()))
    return column.in_(ids_select)


# A supervisor chain deeper than this is not an organisation chart; the limit only ends a corrupted, looping
# chain in ``subordinate_array`` (every person of a chain up to this depth is found, as by ``subordinate_ids``).
CHAIN_DEPTH_LIMIT = 100

_CACHE = 2048  # scopes whose clauses are kept (two or three small expressions each)


def subordinate_array(supervisor_id: int):
    """PostgreSQL: an ``integer[]`` of every employee below ``supervisor_id`` in the supervisor chain, the same
    people as ``app.security.scope.subordinate_ids``. Found level by level: each level is one index scan
    (``supervisor_id = ANY(the level above)``); the recursive join of ``subordinate_ids`` hashes all 15,000
    employees instead (the planner expects a huge chain). A looping chain repeats its levels until
    ``CHAIN_DEPTH_LIMIT`` and adds no one new (``DISTINCT``)."""
    return func.array(subordinate_rows(supervisor_id).scalar_subquery())


def subordinate_rows(supervisor_id: int):
    """PostgreSQL: SELECT of the people of ``subordinate_array``, one row each (for an ``IN`` that PostgreSQL answers
    from a hash of them: ``_plan_row_clause``)."""
    below = _aliases()[2]
    levels = select(func.array(select(Employee.id).where(Employee.supervisor_id == supervisor_id)
                               .scalar_subquery()).label("ids"),
                    literal(1).label("depth")).cte("subordinate_levels", recursive=True)
    nxt = select(below.id).where(below.supervisor_id == any_(levels.c.ids)).scalar_subquery()
    levels = levels.union_all(select(func.array(nxt), levels.c.depth + 1)
                              .where(func.cardinality(levels.c.ids) > 0, levels.c.depth < CHAIN_DEPTH_LIMIT))
    return select(func.unnest(levels.c.ids)).distinct()


@lru_cache(maxsize=_CACHE)
def skp_clause(scope: Scope, arrays: bool = False):
    """WHERE clause on ``Skp`` rows for this scope (``arrays``: the same rows, in the PostgreSQL list form)."""
    if scope.everything:
        return true()
    if scope.empty:
        return false()
    if not arrays:
        parts = [employee_clause(scope, Skp.employee_id, Skp.unit_id)]
    else:
        parts = [Skp.employee_id == scope.employee_id] if scope.employee_id else []
        if scope.subordinates_of:
            parts.append(Skp.employee_id == any_(subordinate_array(scope.subordinates_of)))
        if scope.unit_root_id:
            parts.append(_among(Skp.unit_id, unit_subtree_ids(scope.unit_root_id), True))
    if scope.employee_id:
        parts += [Skp.rater_id == scope.employee_id, Skp.rater_supervisor_id == scope.employee_id]
    return or_(*parts) if parts else false()


def skp_ids(scope: Scope, arrays: bool = False):
    """SELECT of the ids of the plans in the scope (for subqueries)."""
    return select(Skp.id).where(skp_clause(scope, arrays))


# ``arrays`` value of ``evaluation_clause``/``objection_clause`` for the one-statement REST lists of a wide scope
# (``scope_plans``, ``_objection_each_plan``)
IN_STATEMENT = "in_statement"


def resolves_plans(scope: Scope) -> bool:
    """Is the scope wide enough for ``scope_plans``: someone below the person (Atasan) or a unit subtree
    (Pimpinan)? Everyone else's plans are one index look-up each (own, as rater)."""
    return not scope.everything and bool(scope.subordinates_of or scope.unit_root_id)


@lru_cache(maxsize=_CACHE)
def scope_plans(scope: Scope):
    """PostgreSQL: a MATERIALIZED CTE of one row, ``ids``: the ``integer[]`` of the plans in the scope (the array
    form of ``skp_clause``). The REST lists of a wide scope answer their count and their page in ONE statement
    (``api._ListInterface``): both read this CTE, so the scope is resolved once, in the database, and no id
    travels to Python and back (read first and bound, 5,400 ids went back twice and were estimated one by one
    when each statement was planned: 1 ms each)."""
    return select(func.array(skp_ids(scope, True).scalar_subquery()).label("ids")) \
        .cte("scope_plans").prefix_with("MATERIALIZED")


@lru_cache(maxsize=_CACHE)
def _evaluation_in_plans(scope: Scope):
    """``evaluation.skp_id = ANY(the scope_plans array)``: an index condition on ``ix_evaluation_skp_period_id``
    (the list's ids are read from that index alone, ``app.core.lists.narrow_page``)."""
    plans = scope_plans(scope)
    return Evaluation.skp_id == any_(cast(select(plans.c.ids).scalar_subquery(), ARRAY(Integer)))


@lru_cache(maxsize=_CACHE)
def _plan_row_clause(scope: Scope):
    """PostgreSQL: ``skp_clause`` for a few plan rows tested one by one: the supervisor chain and the unit subtree
    each an ``IN`` of a subquery that, inside the OR, PostgreSQL answers from a hash built once (a hashed SubPlan;
    an ``= ANY`` of an array would compare each plan with every one of a thousand people)."""
    parts = [Skp.employee_id == scope.employee_id] if scope.employee_id else []
    if scope.subordinates_of:
        parts.append(Skp.employee_id.in_(subordinate_rows(scope.subordinates_of)))
    if scope.unit_root_id:
        parts.append(Skp.unit_id.in_(unit_subtree_ids(scope.unit_root_id)))
    if scope.employee_id:
        parts += [Skp.rater_id == scope.employee_id, Skp.rater_supervisor_id == scope.employee_id]
    return or_(*parts) if parts else false()


@lru_cache(maxsize=_CACHE)
def _objection_each_plan(scope: Scope):
    """The objections whose evaluation's plan is in the scope, each objection's plan tested on its own
    (``_plan_row_clause``: a correlated EXISTS, an evaluation and a plan read by primary key per objection). The
    objections are few (about 1 % of the annual evaluations: 618 in the city over five years), a wide scope's plans
    many: collecting the 5,400 plans of a Pimpinan's OPD (``scope_plans``) to find 47 objections cost more than
    testing the plans of the city's 618 objections (the list's statement on the bench data, medians of 30 in one
    session: 7.9 → 6.0 ms). The cost grows with the objections of the whole city (an evaluation and a plan read
    per objection), the former form's with the plans of the scope: on the bench data a small Atasan's list pays
    ~0.5 ms more, a Pimpinan's or a large rater's ~2-4 ms less."""
    return (select(literal(1)).select_from(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
            .where(Evaluation.id == Objection.evaluation_id, _plan_row_clause(scope)).exists())


def evaluation_clause(scope: Scope, arrays: bool = False):
    """WHERE clause on ``Evaluation`` rows: those of a plan in the scope. With ``arrays`` the plan ids are
    collected first and the evaluations reached through their plan index: as a semi-join PostgreSQL hashes
    every evaluation of the city to find a Pimpinan's 20,000. ``arrays=IN_STATEMENT``: through ``scope_plans``."""
    if scope.everything:
        return true()
    if arrays == IN_STATEMENT:
        return _evaluation_in_plans(scope)
    return _evaluation_clause(scope, arrays)


@lru_cache(maxsize=_CACHE)
def _evaluation_clause(scope: Scope, arrays: bool):
    return _among(Evaluation.skp_id, skp_ids(scope, arrays), arrays)


def objection_clause(scope: Scope, arrays: bool = False):
    """WHERE clause on ``Objection`` rows: those against an evaluation of a plan in the scope.

    The subquery starts from the objections (few: about 1 % of the annual evaluations) and reaches their
    evaluations and plans by primary key before testing the plan's scope, instead of collecting every
    evaluation of a wide scope (a Pimpinan's OPD over five years: 20,000 evaluations) to find the few that were
    objected to. ``arrays=IN_STATEMENT``: each objection's plan tested on its own (``_objection_each_plan``)."""
    if scope.everything:
        return true()
    if arrays == IN_STATEMENT:
        return _objection_each_plan(scope)
    return _objection_clause(scope, arrays)


@lru_cache(maxsize=_CACHE)
def _objection_clause(scope: Scope, arrays: bool):
    objected = _aliases()[3]
    return Objection.evaluation_id.in_(
        select(Evaluation.id).join(objected, objected.evaluation_id == Evaluation.id)
        .join(Skp, Skp.id == Evaluation.skp_id).where(skp_clause(scope, arrays)))


@lru_cache(maxsize=_CACHE)
def rhk_clause(scope: Scope):
    """WHERE clause on ``Rhk`` rows: those of a plan in the scope."""
    if scope.everything:
        return true()
    return Rhk.skp_id.in_(skp_ids(scope))


@lru_cache(maxsize=_CACHE)
def progress_clause(scope: Scope):
    """WHERE clause on ``Progress`` rows: those of an RHK of a plan in the scope."""
    if scope.everything:
        return true()
    return Progress.rhk_id.in_(select(Rhk.id).where(Rhk.skp_id.in_(skp_ids(scope))))


@lru_cache(maxsize=_CACHE)
def evidence_clause(scope: Scope):
    """WHERE clause on ``Evidence`` rows: evidence of progress on a plan in the scope."""
    if scope.everything:
        return true()
    return Evidence.progress_id.in_(
        select(Progress.id).join(Rhk, Rhk.id == Progress.rhk_id).where(Rhk.skp_id.in_(skp_ids(scope))))


@lru_cache(maxsize=None)
def _aliases():
    """The aliases of this module, made once (not at import: the mappers are configured by then)."""
    return (aliased(Employee, name="above"), aliased(Unit, name="parent_unit"), aliased(Employee, name="below"),
            aliased(Objection, name="objected"))


def plan_visible(session, scope: Scope, employee_id: int, unit_id: int, rater_id=None,
                 rater_supervisor_id=None) -> bool:
    """Is the plan of ``employee_id`` in ``unit_id`` (rated by ``rater_id``, whose supervisor is
    ``rater_supervisor_id``) in the scope? The test of ``skp_clause`` for one plan, answered by walking *up*
    from the plan's employee and unit (a handful of rows, at most one query) instead of collecting everything
    below the person: a head of an OPD has a thousand people below them, their own plan's page needs none of
    them. The single-record pages (plan, evaluation, documents) use it; lists keep ``skp_clause``."""
    if scope.everything:
        return True
    if scope.empty:
        return False
    me = scope.employee_id
    if me and me in (employee_id, rater_id, rater_supervisor_id):
        return True
    checks = []
    if scope.subordinates_of:
        # the supervisors above the plan's employee (UNION: a corrupted, looping chain stops)
        up = select(Employee.supervisor_id.label("id")).where(Employee.id == employee_id) \
            .cte("supervisors_above", recursive=True)
        above = _aliases()[0]
        up = up.union(select(above.supervisor_id).where(above.id == up.c.id))
        checks.append(select(up.c.id).where(up.c.id == scope.subordinates_of).exists())
    if scope.unit_root_id:
        # the plan's unit and the units above it
        units = select(Unit.id.label("id"), Unit.parent_id.label("parent_id")).where(Unit.id == unit_id) \
            .cte("units_above", recursive=True)
        parent = _aliases()[1]
        units = units.union(select(parent.id, parent.parent_id).where(parent.id == units.c.parent_id))
        checks.append(select(units.c.id).where(units.c.id == scope.unit_root_id).exists())
    if not checks:
        return False
    return bool(session.execute(select(or_(*checks))).scalar())


def skp_visible(session, scope: Scope, skp) -> bool:
    """``plan_visible`` for a loaded plan."""
    return plan_visible(session, scope, skp.employee_id, skp.unit_id, skp.rater_id, skp.rater_supervisor_id)
