"""Row scope of the survey results (no Flask imports): Admin and Pengelola Kinerja see every service unit;
a Pimpinan the service units in their unit subtree; the head of a unit (the employee holding the unit's head
position, an Atasan) their own unit."""
from __future__ import annotations

from sqlalchemy import false, or_, select, true

from app.organisation.models import Employee, Unit
from app.security.scope import Scope, unit_subtree_ids

from .models import SurveyService


def headed_unit_ids(employee_id: int):
    """SELECT of the ids of the units whose head position this employee holds."""
    return (select(Unit.id).join(Employee, Employee.position_id == Unit.head_position_id)
            .where(Employee.id == employee_id))


def service_unit_clause(scope: Scope, unit_column=SurveyService.unit_id):
    """WHERE clause on a unit id column (a service unit, a campaign's unit) for this scope."""
    if scope.everything:
        return true()
    parts = []
    if scope.unit_root_id:
        parts.append(unit_column.in_(unit_subtree_ids(scope.unit_root_id)))
    if scope.employee_id:
        parts.append(unit_column.in_(headed_unit_ids(scope.employee_id)))
    return or_(*parts) if parts else false()
