"""Bulk account creation: user name = NIP, random policy-compliant password shown once, roles from the
employee record, skipped when an account exists, scope re-checked, and the CLI that writes a 0600 CSV."""
from __future__ import annotations

import csv
import os
import re
import stat
from datetime import date

from sqlalchemy import func, select

from conftest import count_queries, csrf_token, login, logout, make_nip


def _employee(db, org, name, birth, gender, pos_key, supervisor=None, seq=1, status="AKTIF", email=None):
    from app.organisation.models import Employee

    pos = org.positions[pos_key]
    e = Employee(nip=make_nip(birth, (birth.year + 23, 1), 1 if gender == "L" else 2, seq), name=name,
                 gender=gender, birth_date=birth, asn_type="PNS", status=status, position=pos, unit=pos.unit,
                 supervisor=supervisor, email=email)
    db.session.add(e)
    db.session.commit()
    return e


def _user_count(app, db):
    return db.session.execute(select(func.count()).select_from(app.appbuilder.sm.user_model)).scalar()


def _post_action(client, ids):
    token = csrf_token(client, "/employeeview/list/")
    return client.post("/employeeview/action_post",
                       data={"csrf_token": token, "action": "create_accounts", "rowid": [str(i) for i in ids]})


def _passwords(html):
    rows = re.findall(r"<tr><td>(\d{18})</td><td>[^<]*</td><td><code>([^<]+)</code></td></tr>", html)
    return dict(rows)


def test_action_creates_accounts_that_can_log_in(app, client, db, org):
    from app.security.passwords import password_problems

    sub = _employee(db, org, "Joko Widodo", date(1993, 3, 3), "L", "staff")
    head = _employee(db, org, "Sri Mulyani", date(1980, 8, 8), "P", "kabid", seq=2, email="sri@example.org")
    sub.supervisor = head
    db.session.commit()
    existing = org.employees["staff1"]
    login(client, "admin")
    users_before = _user_count(app, db)
    r = _post_action(client, [sub.id, head.id, existing.id])
    assert r.status_code == 200
    assert "no-store" in r.headers["Cache-Control"]
    html = r.get_data(as_text=True)
    passwords = _passwords(html)
    assert set(passwords) == {sub.nip, head.nip}
    assert all(not password_problems(p) for p in passwords.values())
    assert existing.nip in html and "portal-accounts-skipped" in html  # reported as skipped
    assert _user_count(app, db) == users_before + 2

    db.session.expire_all()
    sm = app.appbuilder.sm
    head_user = sm.find_user(username=head.nip)
    sub_user = sm.find_user(username=sub.nip)
    assert head.user_id == head_user.id and sub.user_id == sub_user.id
    assert head_user.email == "sri@example.org"
    assert sub_user.email == f"{sub.nip}@akun.kinerja.invalid"
    assert {r.name for r in head_user.roles} == {"Pegawai", "Atasan"}
    assert {r.name for r in sub_user.roles} == {"Pegawai"}
    assert (sub_user.first_name, sub_user.last_name) == ("Joko", "Widodo")
    assert passwords[sub.nip] not in (sub_user.password or "")

    logout(client)
    r = login(client, sub.nip, passwords[sub.nip])
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    assert client.get("/my-profile/").status_code == 302  # signed in: redirected to own record

    # A second run creates nothing: everyone selected already has an account.
    logout(client)
    login(client, "admin")
    r = _post_action(client, [sub.id, head.id])
    assert _passwords(r.get_data(as_text=True)) == {}
    assert _user_count(app, db) == users_before + 2


def test_used_email_and_inactive_employee(app, db, org):
    from app.accounts.services import create_accounts

    taken = _employee(db, org, "Email Dipakai", date(1990, 1, 1), "L", "guru",
                      email=org.users["staff1"].email.upper())
    retired = _employee(db, org, "Sudah Pensiun", date(1955, 1, 1), "L", "guru", status="PENSIUN")
    created = create_accounts(app.appbuilder.sm, [taken.id, retired.id])
    assert [(e.nip, u) for e, u, _p in created] == [(taken.nip, taken.nip)]
    assert taken.user.email == f"{taken.nip}@akun.kinerja.invalid"
    assert [e.nip for e, _r in created.skipped] == [retired.nip]
    assert retired.user_id is None


def test_username_already_taken_is_skipped(app, db, org):
    from app.accounts.services import create_accounts

    e = _employee(db, org, "Nama Kembar", date(1991, 1, 1), "L", "guru")
    sm = app.appbuilder.sm
    sm.add_user(e.nip, "Orang", "Lain", "lain@test.invalid", sm.find_role("Pegawai"), password="Rahasia12345")
    created = create_accounts(sm, [e.id])
    assert list(created) == [] and len(created.skipped) == 1
    assert e.user_id is None  # never linked to someone else's account


def test_bulk_creation_uses_few_queries(app, db, org):
    from app.accounts.services import create_accounts

    ids = [_employee(db, org, f"Pegawai {i}", date(1990, 1, 1), "L", "guru", seq=10 + i).id for i in range(30)]
    with count_queries(db) as queries:
        created = create_accounts(app.appbuilder.sm, ids)
    assert len(created) == 30
    reads = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 10, reads


def test_out_of_scope_ids_are_refused(app, client, db, org):
    """A role that may write employees but whose scope is one unit cannot create accounts outside it."""
    sm = app.appbuilder.sm
    role = sm.add_role("Admin Unit Uji")
    for perm, view in (("can_write", "Employee"), ("can_read", "Employee")):
        pv = sm.add_permission_view_menu(perm, view)
        sm.add_permission_role(role, pv)
    user = org.users["kapus"]
    user.roles = list(user.roles) + [role]
    db.session.commit()
    outside = _employee(db, org, "Guru Baru", date(1992, 2, 2), "P", "guru")
    login(client, org.username("kapus"))
    users_before = _user_count(app, db)
    r = _post_action(client, [outside.id])
    assert r.status_code == 404
    assert _user_count(app, db) == users_before
    db.session.expire_all()
    assert outside.user_id is None
    # Inside the scope (a subordinate of kapus) the same person may.
    inside = _employee(db, org, "Perawat Baru", date(1997, 7, 7), "P", "perawat", seq=5,
                       supervisor=org.employees["kapus"])
    r = _post_action(client, [inside.id])
    assert r.status_code == 200 and inside.nip in _passwords(r.get_data(as_text=True))


def test_roles_without_write_get_403(client, db, org):
    e = _employee(db, org, "Staf Baru", date(1996, 6, 6), "L", "staff")
    login(client, org.username("kadis"))  # Pimpinan + Atasan: read only
    assert _post_action(client, [e.id]).status_code == 403


def test_action_without_csrf_is_refused(client, db, org):
    e = _employee(db, org, "Staf Baru", date(1996, 6, 6), "L", "staff")
    login(client, "admin")
    r = client.post("/employeeview/action_post", data={"action": "create_accounts", "rowid": [str(e.id)]})
    assert r.status_code == 400
    db.session.expire_all()
    assert e.user_id is None


def test_cli_writes_private_csv_and_never_prints_passwords(app, db, org, tmp_path):
    from werkzeug.security import check_password_hash

    a = _employee(db, org, "Perawat Baru", date(1995, 5, 5), "P", "perawat", seq=3)
    b = _employee(db, org, "Guru Baru", date(1994, 4, 4), "L", "guru", seq=4)
    out = tmp_path / "akun.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "create-accounts", "--unit", "DINKES", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["NIP", "name", "password"]
    assert [r[0] for r in rows[1:]] == [a.nip]  # only the DINKES subtree (the puskesmas is below it)
    password = rows[1][2]
    assert password not in result.output
    db.session.expire_all()
    assert check_password_hash(a.user.password, password)
    assert b.user_id is None

    # The file is never overwritten; --all picks up the rest.
    again = runner.invoke(args=["portal", "create-accounts", "--all", "--out", str(out)])
    assert again.exit_code != 0 and "already exists" in again.output
    out2 = tmp_path / "akun2.csv"
    result = runner.invoke(args=["portal", "create-accounts", "--all", "--out", str(out2)])
    assert result.exit_code == 0, result.output
    with open(out2, newline="", encoding="utf-8") as handle:
        assert [r[0] for r in list(csv.reader(handle))[1:]] == [b.nip]


def test_cli_needs_unit_or_all(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["portal", "create-accounts", "--out", str(tmp_path / "x.csv")]).exit_code != 0
    r = runner.invoke(args=["portal", "create-accounts", "--unit", "NOPE", "--out", str(tmp_path / "x.csv")])
    assert r.exit_code != 0 and "no unit" in r.output
    assert not (tmp_path / "x.csv").exists()
