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
the same. SQLite plans the ``IN (subquery)`` form well and has no arrays.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import any_, false, func, or_, select, true
from sqlalchemy.orm import aliased

from app.organisation.models import Employee, Unit
from app.security.scope import Scope, employee_clause, subordinate_ids, unit_subtree_ids

from .models import Evaluation, Evidence, Objection, Progress, Rhk, Skp


def _among(column, ids_select, arrays: bool):
    """``column IN (ids_select)``; with ``arrays`` (PostgreSQL) ``column = ANY(ARRAY(ids_select))``: the
    subquery runs once, before the scan, and its ids become an index condition."""
    if arrays:
        return column == any_(func.array(ids_select.scalar_subquery()))
    return column.in_(ids_select)


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
            parts.append(_among(Skp.employee_id, subordinate_ids(scope.subordinates_of), True))
        if scope.unit_root_id:
            parts.append(_among(Skp.unit_id, unit_subtree_ids(scope.unit_root_id), True))
    if scope.employee_id:
        parts += [Skp.rater_id == scope.employee_id, Skp.rater_supervisor_id == scope.employee_id]
    return or_(*parts) if parts else false()


def skp_ids(scope: Scope, arrays: bool = False):
    """SELECT of the ids of the plans in the scope (for subqueries)."""
    return select(Skp.id).where(skp_clause(scope, arrays))


def evaluation_clause(scope: Scope, arrays: bool = False):
    """WHERE clause on ``Evaluation`` rows: those of a plan in the scope. With ``arrays`` the plan ids are
    collected first and the evaluations reached through their plan index: as a semi-join PostgreSQL hashes
    every evaluation of the city to find a Pimpinan's 20,000."""
    if scope.everything:
        return true()
    return _among(Evaluation.skp_id, skp_ids(scope, arrays), arrays)


def objection_clause(scope: Scope, arrays: bool = False):
    """WHERE clause on ``Objection`` rows: those against an evaluation of a plan in the scope.

    The subquery starts from the objections (few: about 1 % of the annual evaluations) and reaches their
    evaluations and plans by primary key before testing the plan's scope, instead of collecting every
    evaluation of a wide scope (a Pimpinan's OPD over five years: 20,000 evaluations) to find the few that were
    objected to."""
    if scope.everything:
        return true()
    objected = aliased(Objection)
    return Objection.evaluation_id.in_(
        select(Evaluation.id).join(objected, objected.evaluation_id == Evaluation.id)
        .join(Skp, Skp.id == Evaluation.skp_id).where(skp_clause(scope, arrays)))


def rhk_clause(scope: Scope):
    """WHERE clause on ``Rhk`` rows: those of a plan in the scope."""
    if scope.everything:
        return true()
    return Rhk.skp_id.in_(skp_ids(scope))


def progress_clause(scope: Scope):
    """WHERE clause on ``Progress`` rows: those of an RHK of a plan in the scope."""
    if scope.everything:
        return true()
    return Progress.rhk_id.in_(select(Rhk.id).where(Rhk.skp_id.in_(skp_ids(scope))))


def evidence_clause(scope: Scope):
    """WHERE clause on ``Evidence`` rows: evidence of progress on a plan in the scope."""
    if scope.everything:
        return true()
    return Evidence.progress_id.in_(
        select(Progress.id).join(Rhk, Rhk.id == Progress.rhk_id).where(Rhk.skp_id.in_(skp_ids(scope))))


@lru_cache(maxsize=None)
def _aliases():
    """The aliases of ``plan_visible``, made once (not at import: the mappers are configured by then)."""
    return aliased(Employee, name="above"), aliased(Unit, name="parent_unit")


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
