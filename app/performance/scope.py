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
"""
from __future__ import annotations

from sqlalchemy import false, or_, select, true

from app.security.scope import Scope, employee_clause

from .models import Evaluation, Evidence, Objection, Progress, Rhk, Skp


def skp_clause(scope: Scope):
    """WHERE clause on ``Skp`` rows for this scope."""
    if scope.everything:
        return true()
    parts = [employee_clause(scope, Skp.employee_id, Skp.unit_id)]
    if scope.employee_id:
        parts += [Skp.rater_id == scope.employee_id, Skp.rater_supervisor_id == scope.employee_id]
    return or_(*parts) if not scope.empty else false()


def skp_ids(scope: Scope):
    """SELECT of the ids of the plans in the scope (for subqueries)."""
    return select(Skp.id).where(skp_clause(scope))


def evaluation_clause(scope: Scope):
    """WHERE clause on ``Evaluation`` rows: those of a plan in the scope."""
    if scope.everything:
        return true()
    return Evaluation.skp_id.in_(skp_ids(scope))


def objection_clause(scope: Scope):
    """WHERE clause on ``Objection`` rows: those against an evaluation of a plan in the scope."""
    if scope.everything:
        return true()
    return Objection.evaluation_id.in_(select(Evaluation.id).where(Evaluation.skp_id.in_(skp_ids(scope))))


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
