"""Organisation screens end to end: forms with derived supervisors, show pages with related lists, the
unit tree, roles that follow the employee record, and the audit trail."""
import json
import re
from datetime import date

from sqlalchemy import select

from conftest import csrf_token, login, make_nip


def _add_employee(client, org, **overrides):
    token = csrf_token(client, "/employeeview/add")
    birth = date(1995, 3, 14)
    data = {
        "csrf_token": token, "nip": make_nip(birth, (2020, 1), 2, 7), "name": "Maya Sari", "front_title": "",
        "back_title": "S.Kep.", "gender": "P", "birth_place": "Palembang", "birth_date": "1995-03-14",
        "asn_type": "PNS", "status": "AKTIF", "rank": "", "unit": str(org.units["pkm"].id),
        "position": str(org.positions["perawat"].id), "supervisor": "", "email": "", "phone": "",
    }
    data.update(overrides)
    return client.post("/employeeview/add", data=data)


def test_admin_adds_employee_supervisor_derived_from_position_tree(client, org, db):
    from app.organisation.models import Employee

    login(client, "admin")
    response = _add_employee(client, org)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    maya = db.session.execute(select(Employee).where(Employee.name == "Maya Sari")).scalar_one()
    assert maya.supervisor_id == org.employees["kapus"].id
    assert maya.full_name == "Maya Sari, S.Kep."


def test_form_shows_field_errors_and_saves_nothing(client, org, db):
    from app.organisation.models import Employee

    login(client, "admin")
    response = _add_employee(client, org, gender="L")  # NIP says female
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "digit 15" in html or "digit ke-15" in html.lower()
    assert db.session.execute(select(Employee).where(Employee.name == "Maya Sari")).first() is None


def test_forged_out_of_scope_choice_is_refused(client, org, db):
    from app.organisation.models import Employee

    login(client, "admin")
    response = _add_employee(client, org, unit="999999")
    assert response.status_code == 200
    assert db.session.execute(select(Employee).where(Employee.name == "Maya Sari")).first() is None


def test_show_pages_list_related_records(client, org):
    login(client, "admin")
    html = client.get(f"/employeeview/show/{org.employees['kabid'].id}").get_data(as_text=True)
    assert "Budi Santoso" in html and "Dewi Lestari" in html  # subordinates
    html = client.get(f"/unitview/show/{org.units['dinkes'].id}").get_data(as_text=True)
    assert "Puskesmas Sukarami" in html and "Ahmad Fauzi" in html  # sub-unit and staff
    more = client.get(f"/employeeview/list/?supervisor={org.employees['kabid'].id}").get_data(as_text=True)
    assert "Budi Santoso" in more and "Rina Marlina" not in more


def test_unit_tree_whole_city_for_admin_and_subtree_for_pimpinan(client, org):
    login(client, "admin")
    html = client.get("/unit-tree/").get_data(as_text=True)
    assert "Dinas Pendidikan" in html and "Puskesmas Sukarami" in html
    client.get("/logout/")
    login(client, org.username("kadis"))
    html = client.get("/unit-tree/").get_data(as_text=True)
    assert "Puskesmas Sukarami" in html and "Dinas Pendidikan" not in html


def test_roles_follow_employee_record(client, org, db, app):
    """An account holding only Pegawai becomes an Atasan as soon as someone reports to them."""
    sm = app.appbuilder.sm
    user = org.users["staff1"]
    user.roles = [sm.find_role("Pegawai")]
    db.session.commit()
    login(client, org.username("staff1"))
    ids = {r["id"] for r in client.get("/api/v1/employee/").get_json()["result"]}
    assert ids == {org.employees["staff1"].id}
    org.employees["perawat"].supervisor = org.employees["staff1"]
    org.employees["perawat"].supervisor_override = True
    db.session.commit()
    ids = {r["id"] for r in client.get("/api/v1/employee/").get_json()["result"]}
    assert ids == {org.employees["staff1"].id, org.employees["perawat"].id}


def test_export_respects_scope_and_filters(client, org):
    login(client, org.username("kabid"))
    body = client.get("/employeeview/export/csv/").get_data(as_text=True)
    assert "Budi Santoso" in body and "Siti Aminah" in body and "Rina Marlina" not in body
    body = client.get("/employeeview/export/csv/?_flt_2_name=Budi").get_data(as_text=True)
    assert "Budi Santoso" in body and "Dewi Lestari" not in body
    xlsx = client.get("/employeeview/export/xlsx/")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "attachment" in xlsx.headers["Content-Disposition"]


def test_audit_trail_records_who_and_old_new_values(client, org, db):
    from app.core.audit import AuditLog

    login(client, "admin")
    staff = org.employees["staff2"]
    token = csrf_token(client, f"/employeeview/edit/{staff.id}")
    form = client.get(f"/employeeview/edit/{staff.id}").get_data(as_text=True)
    assert "Dewi Lestari" in form
    response = client.put(f"/api/v1/employee/{staff.id}", json={"phone": "0711-123456"})
    assert response.status_code == 200, response.get_json()
    row = db.session.execute(
        select(AuditLog).where(AuditLog.table_name == "employee", AuditLog.record_id == str(staff.id),
                               AuditLog.action == "UPDATE").order_by(AuditLog.id.desc())).scalars().first()
    assert row is not None and row.username == "admin"
    assert row.changes_dict["phone"] == [None, "0711-123456"]
    assert token  # the edit form carries a CSRF token
    html = client.get("/auditlogview/list/").get_data(as_text=True)
    assert "0711-123456" in html


def test_lookup_is_scoped_and_searches_name_and_nip(client, org):
    login(client, org.username("kabid"))
    results = client.get("/lookup/employee?q=").get_json()["results"]
    assert {r["id"] for r in results} == {org.employees[k].id for k in ("kabid", "staff1", "staff2")}
    nip = org.employees["staff2"].nip
    results = client.get(f"/lookup/employee?q={nip[:10]}").get_json()["results"]
    assert [r["id"] for r in results] == [org.employees["staff2"].id]
    assert client.get("/lookup/nothing?q=a").status_code == 404


def test_position_show_lists_its_holders(client, org):
    login(client, "admin")
    html = client.get(f"/positionview/show/{org.positions['staff'].id}").get_data(as_text=True)
    assert "Budi Santoso" in html and "Dewi Lestari" in html and "Rina Marlina" not in html
