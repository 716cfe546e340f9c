"""Search-as-you-type lookups for organisation records."""

from app.core.lookups import Lookup, register_lookup
from app.security import scope as S

from .models import Employee, Position, Unit


def register():
    register_lookup(Lookup(
        kind="employee", model=Employee, search_columns=[Employee.name, Employee.nip],
        scope_clause=S.employee_clause, label=lambda e: f"{e.full_name} — {e.nip}", order_by=Employee.name,
    ))
    register_lookup(Lookup(
        kind="unit", model=Unit, search_columns=[Unit.name, Unit.code], scope_clause=S.unit_clause,
        label=lambda u: f"{u.name} ({u.code})", order_by=Unit.name,
    ))
    register_lookup(Lookup(
        kind="position", model=Position, search_columns=[Position.name], scope_clause=S.position_clause,
        label=lambda p: f"{p.name} — {p.unit.name}", order_by=Position.name,
    ))
