"""Demo data (`flask portal demo`) and benchmark data (`flask portal generate`)."""
import re

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, login, logout


def _run(app, *args, password=PASSWORD):
    runner = app.test_cli_runner()
    return runner.invoke(args=["portal", *args], env={"DEMO_PASSWORD": password})


def _employees(db):
    from app.organisation.models import Employee

    return db.session.execute(select(Employee.id, Employee.nip, Employee.asn_type, Employee.gender,
                                     Employee.birth_date, Employee.supervisor_id, Employee.position_id,
                                     Employee.status, Employee.supervisor_override)).all()


def _assert_sound(db, rows):
    """Valid NIPs consistent with birth date and gender, unique; supervisor chains without loops; the
    supervisor is the holder of the parent position unless set by hand."""
    from app.demo.bulk import supervisor_loops
    from app.organisation import rules
    from app.organisation.models import Position

    assert len({r.nip for r in rows}) == len(rows)
    for r in rows:
        assert rules.identity_problems(r.nip, r.asn_type, r.gender, r.birth_date) == {}, r.nip
    assert supervisor_loops({r.id: r.supervisor_id for r in rows}) == []
    parent = dict(db.session.execute(select(Position.id, Position.parent_id)).all())
    first_active = {}
    for r in sorted(rows, key=lambda r: r.nip):
        if r.status == "AKTIF":
            first_active.setdefault(r.position_id, r.id)
    for r in rows:
        if not r.supervisor_override:
            expected = first_active.get(parent.get(r.position_id))
            assert r.supervisor_id == (expected if expected != r.id else None), r.nip


def test_demo_loads_with_every_role_and_is_idempotent(app, db, client):
    from app.organisation.models import Employee, Unit
    from app.security import roles as R

    result = _run(app, "demo")
    assert result.exit_code == 0, result.output
    assert "(DEMO_PASSWORD)" in result.output

    units = dict(db.session.execute(select(Unit.unit_type, func.count()).group_by(Unit.unit_type)).all())
    assert units["KECAMATAN"] == 18
    assert units["KELURAHAN"] == 107
    assert units["OPD"] >= 20 and units["SEKOLAH"] >= 20 and units["PUSKESMAS"] >= 20
    rows = _employees(db)
    assert 1800 <= len(rows) <= 2300
    assert {r.asn_type for r in rows} == {"PNS", "PPPK", "CPNS"}
    assert sum(r.status == "AKTIF" for r in rows) > 0.95 * len(rows)
    _assert_sound(db, rows)
    assert sum(r.supervisor_id is None for r in rows) <= 3  # the Sekretaris Daerah (and nobody else)

    sm = app.appbuilder.sm
    roles_seen = set()
    linked = dict(db.session.execute(select(Employee.user_id, Employee.id).where(Employee.user_id.is_not(None))).all())
    usernames = [u for u in re.findall(r"^\| (?:[^|]+?) +\| (\S+) +\|", result.output, re.M) if u != "Username"]
    assert "admin" in usernames and len(usernames) == 6
    for username in usernames:
        user = sm.find_user(username=username)
        assert user is not None
        roles_seen |= {r.name for r in user.roles}
        if username != "admin":
            assert username.isdigit() and user.id in linked
        response = login(client, username)
        assert response.status_code == 302 and "/login" not in response.headers["Location"], username
        assert client.get("/my-profile/").status_code in (200, 302)
        logout(client)
    assert roles_seen >= set(R.ALL_ROLES)

    again = _run(app, "demo")
    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert len(_employees(db)) == len(rows)


def test_demo_pimpinan_sees_dinas_kesehatan_subtree(app, db, client):
    from app.organisation.models import Employee, Unit
    from app.security.scope import unit_subtree_ids

    assert _run(app, "demo", "--size", "small").exit_code == 0
    dinkes = db.session.execute(select(Unit).where(Unit.code == "PLG.DINKES")).unique().scalar_one()
    head = db.session.execute(select(Employee).where(Employee.position_id == dinkes.head_position_id)) \
        .unique().scalar_one()
    assert head.user is not None
    expected = db.session.execute(select(func.count()).select_from(Employee).where(
        Employee.unit_id.in_(unit_subtree_ids(dinkes.id)))).scalar()
    assert login(client, head.nip).status_code == 302
    response = client.get("/api/v1/employee/?q=(page_size:1)")
    assert response.status_code == 200
    assert response.get_json()["count"] == expected


def test_demo_generated_passwords_printed_once_and_reset_is_deterministic(app, db, client):
    first = _run(app, "demo", "--size", "small", password=None)
    assert first.exit_code == 0, first.output
    match = re.search(r"^\| Admin +\| admin +\| [^|]+\| (\S+) +\|", first.output, re.M)
    assert match
    assert login(client, "admin", match.group(1)).status_code == 302
    logout(client)
    nips = {r.nip for r in _employees(db)}

    second = _run(app, "demo", "--size", "small", "--reset")
    assert second.exit_code == 0, second.output
    assert {r.nip for r in _employees(db)} == nips  # same demo every time
    from app.extensions import db as _db
    from flask_appbuilder import Model

    users = Model.metadata.tables["ab_user"]
    assert _db.session.execute(select(func.count()).select_from(users)).scalar() == 6
    links = Model.metadata.tables["ab_user_role"]
    assert _db.session.execute(select(func.count()).select_from(links).where(
        links.c.user_id.not_in(select(users.c.id)) | links.c.user_id.is_(None))).scalar() == 0


def test_demo_refuses_weak_password_and_foreign_data(app, db, org):
    from app.organisation.models import Unit

    weak = _run(app, "demo", password="123456789012345678")
    assert weak.exit_code != 0
    assert "DEMO_PASSWORD" in weak.output
    before = db.session.execute(select(func.count()).select_from(Unit)).scalar()
    other = _run(app, "demo")
    assert other.exit_code != 0
    assert "--reset" in other.output
    assert db.session.execute(select(func.count()).select_from(Unit)).scalar() == before


def test_generator_500_employees(app, db, client):
    from app.demo.generator import generate
    from app.organisation.models import Unit

    result = generate(db.session, employees=500, units=40, seed=7, accounts=10, password=PASSWORD)
    assert (result.employees, result.units, result.accounts) == (500, 40, 10)
    rows = _employees(db)
    assert len(rows) == 500
    _assert_sound(db, rows)
    assert sum(r.supervisor_id is None for r in rows) == 1  # the root head only
    assert db.session.execute(select(func.count()).select_from(Unit)).scalar() == 40
    heads = db.session.execute(select(func.count()).select_from(Unit).where(
        Unit.head_position_id.is_not(None))).scalar()
    assert heads == 40
    root_head = next(r for r in rows if r.supervisor_id is None)
    assert login(client, root_head.nip).status_code == 302
    assert client.get(f"/employeeview/show/{root_head.id}").status_code == 200

    runner = app.test_cli_runner()
    refused = runner.invoke(args=["portal", "generate", "--employees", "100", "--units", "10"])
    assert refused.exit_code != 0
    again = runner.invoke(args=["portal", "generate", "--employees", "100", "--units", "10", "--reset"])
    assert again.exit_code == 0, again.output
    assert len(_employees(db)) == 100


@pytest.mark.parametrize("units", [2, 13])
def test_generator_small_trees(app, db, units):
    from app.demo.generator import generate

    generate(db.session, employees=units * 3, units=units, seed=1)
    rows = _employees(db)
    assert len(rows) == units * 3
    _assert_sound(db, rows)
