"""Account rules with database access but no web imports."""
from __future__ import annotations

from typing import Iterable, List, Tuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, selectinload
from werkzeug.security import generate_password_hash

from app.organisation.models import Employee
from app.core.transactions import atomic
from app.security import roles as R
from app.security.passwords import generate_password

# E-mail given to accounts whose employee has no (or an already used) e-mail address. The ".invalid"
# top-level domain is reserved (RFC 2606): nothing is ever sent there by mistake.
PLACEHOLDER_EMAIL_DOMAIN = "akun.kinerja.invalid"
IN_CHUNK = 900


def sync_roles(sm) -> tuple:
    """Ensure every portal role exists; give each linked account Pegawai, and Atasan exactly when the
    employee has subordinates. Returns (roles created, accounts changed)."""
    created = 0
    for name in R.ALL_ROLES + [sm.auth_role_public]:
        if sm.find_role(name) is None:
            sm.add_role(name)
            created += 1
    session = sm.session
    role_objs = {name: sm.find_role(name) for name in R.ALL_ROLES}
    sub = aliased(Employee)
    rows = session.execute(
        select(Employee.user_id, exists().where(sub.supervisor_id == Employee.id))
        .where(Employee.user_id.is_not(None))
    ).all()
    users = {}
    for chunk in _chunks([r[0] for r in rows]):
        users.update({u.id: u for u in session.execute(
            select(sm.user_model).where(sm.user_model.id.in_(chunk))
            .options(selectinload(sm.user_model.roles))).scalars()})
    changed = 0
    for user_id, has_subs in rows:
        user = users.get(user_id)
        if user is None:
            continue
        current = {r.name for r in user.roles}
        wanted = R.roles_for_employee(bool(has_subs), current)
        if wanted != current:
            user.roles = [role_objs[n] if n in role_objs else sm.find_role(n) for n in sorted(wanted)]
            changed += 1
    session.commit()
    return created, changed


def _chunks(items, size: int = IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class CreatedAccounts(list):
    """The accounts just created, as (employee, username, generated password) tuples, in NIP order.
    ``skipped`` lists (employee, reason) for the employees that got no new account."""

    def __init__(self, created=(), skipped=()):
        super().__init__(created)
        self.skipped: List[Tuple[Employee, object]] = list(skipped)


def split_name(name: str) -> Tuple[str, str]:
    """First and last name for the account from the employee's name (without titles)."""
    parts = (name or "").split()
    if not parts:
        return "-", "-"
    if len(parts) == 1:
        return parts[0][:64], parts[0][:64]  # a single name (common in Indonesia) fills both
    return " ".join(parts[:-1])[:64], parts[-1][:64]


def placeholder_email(nip: str) -> str:
    return f"{nip}@{PLACEHOLDER_EMAIL_DOMAIN}"


def create_accounts(sm, employee_ids: Iterable[int], commit: bool = True) -> CreatedAccounts:
    """Create a login (user name = NIP) for every listed employee that has none, in one transaction.

    Roles: Pegawai, plus Atasan when the employee has subordinates. E-mail: the employee's own when
    present and not used by another account, else ``<nip>@akun.kinerja.invalid``. The password is random
    and satisfies the policy; it is returned once (only its hash is stored). Employees that already have
    an account, whose NIP is already a user name, or who are not active are skipped with a reason.
    A handful of queries whatever the number of employees (plus the inserts).
    """
    session = sm.session
    user_model = sm.user_model
    ids = list(dict.fromkeys(int(i) for i in employee_ids))
    employees: List[Employee] = []
    for chunk in _chunks(ids):
        employees.extend(session.execute(select(Employee).where(Employee.id.in_(chunk)))
                         .unique().scalars().all())
    employees.sort(key=lambda e: e.nip)
    wanted = [e for e in employees if e.user_id is None and e.status == "AKTIF"]

    taken_usernames, used_emails, with_subordinates = set(), set(), set()
    nips = [e.nip for e in wanted]
    candidate_emails = {(e.email or "").strip().lower() for e in wanted if e.email} | \
        {placeholder_email(n) for n in nips}
    for chunk in _chunks(nips):
        taken_usernames.update(session.execute(
            select(user_model.username).where(user_model.username.in_(chunk))).scalars())
    for chunk in _chunks(candidate_emails):
        used_emails.update(e.lower() for e in session.execute(
            select(user_model.email).where(func.lower(user_model.email).in_(chunk))).scalars())
    for chunk in _chunks([e.id for e in wanted]):
        with_subordinates.update(session.execute(
            select(Employee.supervisor_id).where(Employee.supervisor_id.in_(chunk)).distinct()).scalars())

    role_objs = {}
    for name in (R.PEGAWAI, R.ATASAN):
        role_objs[name] = sm.find_role(name) or sm.add_role(name)

    method = current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
    salt_length = current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16)
    result = CreatedAccounts()
    with atomic(session, commit):
        for employee in employees:
            if employee.user_id is not None:
                result.skipped.append((employee, _l("already has an account")))
                continue
            if employee.status != "AKTIF":
                result.skipped.append((employee, _l("not active (%(status)s)", status=employee.status_label)))
                continue
            if employee.nip in taken_usernames:
                result.skipped.append((employee, _l("the user name %(nip)s is already taken by an account not "
                                                    "linked to this employee", nip=employee.nip)))
                continue
            email = (employee.email or "").strip()
            if not email or email.lower() in used_emails:
                email = placeholder_email(employee.nip)
                if email in used_emails:
                    result.skipped.append((employee, _l("the e-mail %(email)s is already used", email=email)))
                    continue
            used_emails.add(email.lower())
            password = generate_password()
            first, last = split_name(employee.name)
            user = user_model()
            user.username = employee.nip
            user.first_name, user.last_name = first, last
            user.email = email
            user.active = True
            role_names = R.roles_for_employee(employee.id in with_subordinates, set())
            user.roles = [role_objs[n] for n in sorted(role_names)]
            user.password = generate_password_hash(password, method=method, salt_length=salt_length)
            session.add(user)
            employee.user = user
            result.append((employee, employee.nip, password))
    return result


def employees_without_account(session, unit_id=None) -> List[int]:
    """Ids of active employees with no account, optionally within a unit and all units below it."""
    stmt = select(Employee.id).where(Employee.user_id.is_(None), Employee.status == "AKTIF")
    if unit_id is not None:
        from app.security.scope import unit_subtree_ids

        stmt = stmt.where(Employee.unit_id.in_(unit_subtree_ids(unit_id)))
    return list(session.execute(stmt.order_by(Employee.nip)).scalars())
