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
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import aliased

from app.organisation.models import Employee, Unit
from app.security import roles as R
from app.security.scope import Scope, employee_clause

from .models import (ExternalTraining, TrainingFeedback, TrainingParticipant, TrainingSession,
                     training_session_trainer, training_session_unit)


@dataclass(frozen=True)
class Viewer:
    scope: Scope
    user_id: Optional[int] = None
    role_names: frozenset = field(default_factory=frozenset)

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


def participant_clause(viewer: Viewer):
    """WHERE clause on ``TrainingParticipant`` rows."""
    if viewer.everything:
        return true()
    parts = []
    if not viewer.scope.empty:
        parts.append(employee_clause(viewer.scope, TrainingParticipant.employee_id, TrainingParticipant.unit_id))
    if viewer.is_trainer:
        parts.append(TrainingParticipant.session_id.in_(trained_session_ids(viewer.user_id)))
    return or_(*parts) if parts else false()


def session_clause(viewer: Viewer):
    """WHERE clause on ``TrainingSession`` rows."""
    if viewer.everything:
        return true()
    parts = []
    if not viewer.scope.empty:
        seen = select(TrainingParticipant.session_id).where(
            employee_clause(viewer.scope, TrainingParticipant.employee_id, TrainingParticipant.unit_id))
        parts.append(TrainingSession.id.in_(seen))
    if viewer.scope.unit_root_id:
        parts.append(TrainingSession.id.in_(select(training_session_unit.c.session_id).where(
            training_session_unit.c.unit_id.in_(subtree_ids(viewer.scope.unit_root_id, "target_unit_subtree")))))
    if viewer.is_trainer:
        parts.append(TrainingSession.id.in_(trained_session_ids(viewer.user_id)))
    return or_(*parts) if parts else false()


def roster_session_clause(viewer: Viewer):
    """Sessions whose whole roster (attendance, scores, code) the viewer manages: Admin/Pengelola, and the
    session's own trainers."""
    if viewer.manages:
        return true()
    if viewer.is_trainer:
        return TrainingSession.id.in_(trained_session_ids(viewer.user_id))
    return false()


def feedback_clause(viewer: Viewer):
    """WHERE clause on ``TrainingFeedback``: the feedback on sessions the viewer manages or trains."""
    if viewer.manages or viewer.everything:
        return true()
    if viewer.is_trainer:
        return TrainingFeedback.session_id.in_(trained_session_ids(viewer.user_id))
    return false()


def employee_ids_clause(viewer: Viewer, column):
    """``column`` (an employee id) among the employees the viewer's scope covers."""
    if viewer.everything:
        return true()
    if viewer.scope.empty:
        return false()
    return column.in_(select(Employee.id).where(employee_clause(viewer.scope)))


def external_clause(viewer: Viewer):
    """WHERE clause on ``ExternalTraining``: those of the employees in the viewer's scope."""
    return employee_ids_clause(viewer, ExternalTraining.employee_id)
