"""Account rules with database access but no web imports."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from app.organisation.models import Employee
from app.security import roles as R


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
    users = {u.id: u for u in session.execute(select(sm.user_model).where(
        sm.user_model.id.in_([r[0] for r in rows]))).scalars()} if rows else {}
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
