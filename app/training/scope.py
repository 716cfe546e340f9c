"""Row scope of the training records, as SQL clauses (no web imports).

Who sees what (the brief of this area, on top of app.security.scope):

* Admin and Pengelola Kinerja: everything;
* a Pelatih: the sessions they train (``training_session_trainer``) and every participant of them;
* a Pimpinan: the participants whose unit at the invitation lies in their unit subtree, and the sessions
  that have such a participant or target a unit of the subtree;
* an Atasan: their subordinates' participation (and the sessions it is in);
* a Pegawai: their own invitations, attendance, external trainings and JP ledger (and their sessions).

Roles add up. ``Viewer`` is the person: the employee-based ``Scope`` plus their account id and whether
they hold the Pelatih role (trainers are user accounts, with or without an employee record). Everything
is one SQL statement with subqueries: no query per row.

``Viewer.arrays`` (set on PostgreSQL by ``web.current_viewer``): the subqueries of the scope (supervisor chain,
unit subtree, a trainer's sessions, the sessions of the participants in scope) are written
``column = ANY(ARRAY(subquery))`` instead of ``column IN (subquery)``. Inside an OR, PostgreSQL turns ``IN`` into
a hashed subplan and filters every one of the 150,000 participant rows (a Pimpinan's lists: a Seq Scan for the
count and again for the page); as arrays each subquery runs once, first, and its ids become index conditions (a
BitmapOr of the employee and unit indexes). The rows are the same (tests/test_training_scope.py runs both forms
on PostgreSQL). SQLite plans ``IN (subquery)`` inside an OR as a MULTI-INDEX OR already, and has no arrays.
The sessions of the participants in scope are a UNION of one SELECT per part, each read from the index alone:
``(employee_id, attendance, session_id)`` and ``(unit_id, session_id)`` (migration 0016).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import any_, false, func, or_, select, true, union
from sqlalchemy.orm import aliased

from app.organisation.models import Employee, Unit
from app.security import roles as R
from app.security.scope import Scope, employee_clause, subordinate_ids, unit_subtree_ids

from .models import (ExternalTraining, TrainingFeedback, TrainingParticipant, TrainingSession,
                     training_session_trainer, training_session_unit)


@dataclass(frozen=True)
class Viewer:
    scope: Scope
    user_id: Optional[int] = None
    role_names: frozenset = field(default_factory=frozenset)
    arrays: bool = False  # PostgreSQL: the scope's subqueries as ``= ANY(ARRAY(...))`` (module docstring)

    @property
    def everything(self) -> bool:
        return self.scope.everything

    @property
    def is_trainer(self) -> bool:
        return bool(self.user_id) and R.PELATIH in self.role_names

    @property
    def manages(self) -> bool:
        """Admin and Pengelola Kinerja organise the city's trainings."""
        return bool(self.role_names & R.GLOBAL_SCOPE_ROLES)


def subtree_ids(root_id: int, name: str = "training_unit_subtree"):
    """SELECT of the ids of a unit and every unit below it (a recursive CTE named ``name``: one statement may
    hold app.security.scope's own "unit_subtree" CTE of the row scope beside this one)."""
    tree = select(Unit.id).where(Unit.id == root_id).cte(name, recursive=True)
    child = aliased(Unit)
    tree = tree.union(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def trained_session_ids(user_id: int):
    """SELECT of the ids of the sessions this account trains."""
    return select(training_session_trainer.c.session_id).where(training_session_trainer.c.user_id == user_id)


def _among(viewer: Viewer, column, ids_select):
    """``column IN (ids_select)``; for ``viewer.arrays`` (PostgreSQL) ``column = ANY(ARRAY(ids_select))``: the
    subquery runs once, before the scan, and its ids become an index condition. The same rows."""
    if viewer.arrays:
        return column == any_(func.array(ids_select.scalar_subquery()))
    return column.in_(ids_select)


def employee_rows(viewer: Viewer, id_column, unit_column):
    """``app.security.scope.employee_clause`` on rows keyed by an employee and a unit (own, subordinates, unit
    subtree), in the viewer's form (``_among``)."""
    scope = viewer.scope
    if not viewer.arrays:
        return employee_clause(scope, id_column, unit_column)
    parts = [id_column == scope.employee_id] if scope.employee_id else []
    if scope.subordinates_of:
        parts.append(_among(viewer, id_column, subordinate_ids(scope.subordinates_of)))
    if scope.unit_root_id:
        parts.append(_among(viewer, unit_column, unit_subtree_ids(scope.unit_root_id)))
    return or_(*parts) if parts else false()


def participant_clause(viewer: Viewer):
    """WHERE clause on ``TrainingParticipant`` rows."""
    if viewer.everything:
        return true()
    parts = []
    if not viewer.scope.empty:
        parts.append(employee_rows(viewer, TrainingParticipant.employee_id, TrainingParticipant.unit_id))
    if viewer.is_trainer:
        parts.append(_among(viewer, TrainingParticipant.session_id, trained_session_ids(viewer.user_id)))
    return or_(*parts) if parts else false()


def _scoped_session_ids(viewer: Viewer):
    """SELECT of the session ids of the participants in the viewer's employee scope: a UNION of one SELECT per
    part (own, subordinates, unit subtree), each read from its index alone, ~800 distinct ids for the largest
    OPD. Written as one SELECT with an OR, SQLite fetches every one of the ~12,000 participant rows and
    PostgreSQL (without arrays) filters all 150,000."""
    p, scope = TrainingParticipant, viewer.scope
    parts = [select(p.session_id).where(p.employee_id == scope.employee_id)] if scope.employee_id else []
    if scope.subordinates_of:
        parts.append(select(p.session_id).where(_among(viewer, p.employee_id, subordinate_ids(scope.subordinates_of))))
    if scope.unit_root_id:
        parts.append(select(p.session_id).where(_among(viewer, p.unit_id, unit_subtree_ids(scope.unit_root_id))))
    return union(*parts) if len(parts) > 1 else parts[0]


def session_clause(viewer: Viewer):
    """WHERE clause on ``TrainingSession`` rows. The sessions of the participants in scope are read from the
    ``(employee_id, attendance, session_id)`` and ``(unit_id, session_id)`` indexes (no participant row is fetched
    on SQLite)."""
    if viewer.everything:
        return true()
    parts = []
    if not viewer.scope.empty:
        parts.append(_among(viewer, TrainingSession.id, _scoped_session_ids(viewer)))
    if viewer.scope.unit_root_id:
        parts.append(_among(viewer, TrainingSession.id, select(training_session_unit.c.session_id).where(
            _among(viewer, training_session_unit.c.unit_id,
                   subtree_ids(viewer.scope.unit_root_id, "target_unit_subtree")))))
    if viewer.is_trainer:
        parts.append(_among(viewer, TrainingSession.id, trained_session_ids(viewer.user_id)))
    return or_(*parts) if parts else false()


def roster_session_clause(viewer: Viewer):
    """Sessions whose whole roster (attendance, scores, code) the viewer manages: Admin/Pengelola, and the
    session's own trainers."""
    if viewer.manages:
        return true()
    if viewer.is_trainer:
        return TrainingSession.id.in_(trained_session_ids(viewer.user_id))
    return false()


def feedback_clause(viewer: Viewer, session_column=None):
    """WHERE clause on ``TrainingFeedback``: the feedback on sessions the viewer manages or trains (or, with
    ``session_column``, on those sessions' ids, e.g. ``TrainingSession.id``)."""
    if viewer.manages or viewer.everything:
        return true()
    if viewer.is_trainer:
        column = TrainingFeedback.session_id if session_column is None else session_column
        return column.in_(trained_session_ids(viewer.user_id))
    return false()


def employee_ids_clause(viewer: Viewer, column):
    """``column`` (an employee id) among the employees the viewer's scope covers."""
    if viewer.everything:
        return true()
    if viewer.scope.empty:
        return false()
    return _among(viewer, column, select(Employee.id).where(employee_rows(viewer, Employee.id, Employee.unit_id)))


def external_clause(viewer: Viewer):
    """WHERE clause on ``ExternalTraining``: those of the employees in the viewer's scope."""
    return employee_ids_clause(viewer, ExternalTraining.employee_id)
