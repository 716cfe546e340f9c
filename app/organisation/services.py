"""Organisation rules that need the database (validation, supervisor derivation, trees).
No web imports: used by the views, the REST API, the importer and the CLI alike."""
from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.core.errors import DomainValidationError

from . import rules
from .models import Employee, Position, Rank, Unit


def _parent_lookup(session: Session, column_id, column_parent):
    def parent_of(node_id):
        return session.execute(select(column_parent).where(column_id == node_id)).scalar()
    return parent_of


def validate_unit(session: Session, unit: Unit) -> None:
    errors = {}
    code = (unit.code or "").strip()
    if not code:
        errors["code"] = _l("Unit code is required")
    elif session.execute(select(exists().where(Unit.code == code, Unit.id != (unit.id or 0)))).scalar():
        errors["code"] = _l("Unit code %(code)s is already used by another unit", code=code)
    if not (unit.name or "").strip():
        errors["name"] = _l("Unit name is required")
    if unit.unit_type not in rules.UNIT_TYPES:
        errors["unit_type"] = _l("Choose a valid unit type")
    parent_id = unit.parent.id if unit.parent is not None else unit.parent_id
    if unit.id and parent_id and rules.creates_cycle(unit.id, parent_id,
                                                     _parent_lookup(session, Unit.id, Unit.parent_id)):
        errors["parent"] = _l("A unit cannot be placed under itself or one of its own sub-units")
    head = unit.head_position
    if head is not None and unit.id and head.unit_id != unit.id:
        errors["head_position"] = _l("The head position must belong to this unit")
    if errors:
        raise DomainValidationError(errors)
    unit.code = code


def validate_position(session: Session, position: Position) -> None:
    errors = {}
    if not (position.name or "").strip():
        errors["name"] = _l("Position name is required")
    if position.position_type not in rules.POSITION_TYPES:
        errors["position_type"] = _l("Choose a valid position type")
    else:
        levels = rules.POSITION_LEVELS[position.position_type]
        if levels is None and position.level:
            errors["level"] = _l("This position type has no level")
        elif levels is not None and position.level not in levels:
            errors["level"] = _l("Choose a level that fits the position type")
    if position.grade is None or not rules.GRADE_MIN <= int(position.grade) <= rules.GRADE_MAX:
        errors["grade"] = _l("Position class (kelas jabatan) must be between %(a)d and %(b)d",
                             a=rules.GRADE_MIN, b=rules.GRADE_MAX)
    if position.unit is None and not position.unit_id:
        errors["unit"] = _l("Unit is required")
    parent_id = position.parent.id if position.parent is not None else position.parent_id
    if position.id and parent_id and rules.creates_cycle(
            position.id, parent_id, _parent_lookup(session, Position.id, Position.parent_id)):
        errors["parent"] = _l("A position cannot report to itself or to a position below it")
    if errors:
        raise DomainValidationError(errors)


def derive_supervisor(session: Session, employee: Employee) -> Optional[Employee]:
    """The holder of the parent position (the first active one, by NIP), or None."""
    position = employee.position
    if position is None or position.parent_id is None:
        return None
    return session.execute(
        select(Employee).where(Employee.position_id == position.parent_id, Employee.status == "AKTIF",
                               Employee.id != (employee.id or 0)).order_by(Employee.nip).limit(1)
    ).scalars().first()


def validate_employee(session: Session, employee: Employee) -> None:
    """Check an employee before saving; fill the supervisor from the position tree unless overridden."""
    errors = {}
    employee.nip = (employee.nip or "").strip()
    errors.update(rules.identity_problems(employee.nip, employee.asn_type, employee.gender,
                                          employee.birth_date))
    if "nip" not in errors and session.execute(
            select(exists().where(Employee.nip == employee.nip, Employee.id != (employee.id or 0)))).scalar():
        errors["nip"] = _l("NIP %(nip)s is already registered to another employee", nip=employee.nip)
    if not (employee.name or "").strip():
        errors["name"] = _l("Name is required")
    if employee.asn_type not in rules.ASN_TYPES:
        errors["asn_type"] = _l("Choose a valid ASN type")
    if employee.status not in rules.EMPLOYEE_STATUSES:
        errors["status"] = _l("Choose a valid status")
    if employee.unit is None and not employee.unit_id:
        errors["unit"] = _l("Unit is required")
    if employee.email and not rules.is_email(employee.email):
        errors["email"] = _l("Invalid e-mail address")
    if employee.phone and not rules.is_phone(employee.phone):
        errors["phone"] = _l("Phone may contain digits, spaces, +, - and brackets only")
    rank = employee.rank
    if rank is not None and employee.asn_type in rules.ASN_TYPES:
        expected = "PPPK" if employee.asn_type == "PPPK" else "PNS"
        if rank.asn_type != expected:
            errors["rank"] = _l("This rank does not fit the ASN type (PPPK use golongan I-XVII)")
    if employee.position is not None and employee.unit is not None \
            and employee.position.unit_id != employee.unit.id:
        errors["position"] = _l("The position belongs to another unit than the employee")
    if not employee.supervisor_override:
        employee.supervisor = derive_supervisor(session, employee)
    supervisor = employee.supervisor
    if supervisor is not None and employee.id:
        if supervisor.id == employee.id or rules.creates_cycle(
                employee.id, supervisor.id, _parent_lookup(session, Employee.id, Employee.supervisor_id)):
            errors["supervisor"] = _l("This supervisor would create a loop in the supervisor chain")
    if errors:
        raise DomainValidationError(errors)


def has_subordinates(session: Session, employee_id: int) -> bool:
    return bool(session.execute(select(exists().where(Employee.supervisor_id == employee_id))).scalar())


def rank_by_code(session: Session, asn_type: str, code: str) -> Optional[Rank]:
    kind = "PPPK" if asn_type == "PPPK" else "PNS"
    return session.execute(select(Rank).where(Rank.asn_type == kind, Rank.code == code)).scalars().first()


def unit_tree(session: Session):
    """All units as nested dicts {unit, children}, roots first, in one query."""
    units = session.execute(select(Unit).order_by(Unit.code)).unique().scalars().all()
    nodes = {u.id: {"unit": u, "children": []} for u in units}
    roots = []
    for u in units:
        node = nodes[u.id]
        if u.parent_id and u.parent_id in nodes:
            nodes[u.parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots
