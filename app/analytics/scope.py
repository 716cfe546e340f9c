"""Row scope of the rater-bias analytics, as SQL clauses (no web imports).

A rater's figures are seen only by (issue 6, "visible only to Pengelola, Admin and the rater's own
leadership chain"):

* Admin and Pengelola Kinerja: every rater;
* an Atasan above the rater in the supervisor chain (``subordinate_ids``): the rater's supervisors up the
  chain;
* a Pimpinan whose unit subtree holds the rater's (current) unit — but never about themselves, about a
  rater above them in the supervisor chain (they would be judging their own supervisor) nor about a peer
  (a rater with the same direct supervisor).

Nobody else: not the rater themselves, not a peer, not a subordinate, not a Pimpinan of another subtree.
Roles add up. The clause is one SQL expression on the rater's ``Employee`` row (subqueries, no query per
rater); ``leadership`` reads the viewer's own chain upwards once (a handful of rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import aliased

from app.organisation.models import Employee
from app.security.scope import Scope, subordinate_ids, unit_subtree_ids


@dataclass(frozen=True)
class Viewer:
    """The person looking: the row ``Scope`` and the ids of their supervisors, nearest first."""

    scope: Scope
    above: tuple = ()

    @property
    def everything(self) -> bool:
        return self.scope.everything

    @property
    def supervisor_id(self) -> Optional[int]:
        return self.above[0] if self.above else None


def supervisors_above(session, employee_id: Optional[int]) -> tuple:
    """The ids of the supervisors above ``employee_id``, nearest first (a looping chain stops)."""
    if not employee_id:
        return ()
    chain, seen = [], {employee_id}
    up = select(Employee.supervisor_id.label("id"), Employee.id.label("below"), ) \
        .where(Employee.id == employee_id).cte("rater_bias_above", recursive=True)
    above = aliased(Employee)
    up = up.union(select(above.supervisor_id, above.id).where(above.id == up.c.id))
    below_of = {row.below: row.id for row in session.execute(select(up.c.id, up.c.below)) if row.id is not None}
    node = employee_id
    while node in below_of and below_of[node] not in seen:
        node = below_of[node]
        seen.add(node)
        chain.append(node)
    return tuple(chain)


def make_viewer(session, scope: Scope) -> Viewer:
    """The viewer of ``scope``: the chain above them is read only when the Pimpinan rule needs it."""
    if scope.everything or not scope.unit_root_id:
        return Viewer(scope)
    return Viewer(scope, supervisors_above(session, scope.employee_id))


def below_among(candidates, supervisor_id: int):
    """SELECT of the ids among ``candidates`` (rater ids) that have ``supervisor_id`` somewhere above them: the
    chains are walked *up* from the candidates (a few rows each) instead of collecting everyone below the
    supervisor (the head of the city has every employee below them). UNION stops a looping chain."""
    up = select(Employee.id.label("rater_id"), Employee.supervisor_id.label("above")) \
        .where(Employee.id.in_(candidates)).cte("rater_bias_chain", recursive=True)
    step = aliased(Employee)
    up = up.union(select(up.c.rater_id, step.supervisor_id).where(step.id == up.c.above))
    return select(up.c.rater_id).where(up.c.above == supervisor_id)


def rater_clause(viewer: Viewer, rater=Employee, candidates=None):
    """WHERE clause on the rater's ``Employee`` row (``rater``: the entity or an alias of it). ``candidates``:
    the rater ids the query is about (optional; lets the supervisor chain be walked up from them)."""
    scope = viewer.scope
    if scope.everything:
        return true()
    parts = []
    if scope.subordinates_of:
        parts.append(rater.id.in_(below_among(candidates, scope.subordinates_of) if candidates is not None
                                  else subordinate_ids(scope.subordinates_of)))
    if scope.unit_root_id:
        conditions = [rater.unit_id.in_(unit_subtree_ids(scope.unit_root_id))]
        if scope.employee_id:
            conditions.append(rater.id != scope.employee_id)
        if viewer.above:
            conditions.append(rater.id.not_in(viewer.above))
        if viewer.supervisor_id:
            conditions.append(or_(rater.supervisor_id.is_(None), rater.supervisor_id != viewer.supervisor_id))
        parts.append(and_(*conditions))
    return or_(*parts) if parts else false()
