"""Query-count guard: list pages cost the same number of queries with 25 and with 100 rows (no N+1),
and the employee list, show and edit pages stay within a small fixed budget."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import count_queries, login, make_nip

BUDGET = 10  # queries for the employee list, show page and edit form


@pytest.fixture
def many(db, org):
    """~120 employees (with supervisors, positions, ranks), 110 extra units and 110 extra positions."""
    from app.organisation.models import Employee, Position, Rank, Unit

    ranks = db.session.query(Rank).filter_by(asn_type="PNS").all()
    units, positions = [], []
    for i in range(110):
        unit = Unit(code=f"U-{i:03d}", name=f"Unit Uji {i:03d}", unit_type="BIDANG",
                    parent=org.units["dinkes" if i % 2 else "disdik"], active=True)
        units.append(unit)
        positions.append(Position(name=f"Jabatan Uji {i:03d}", position_type="PELAKSANA", level="OPERATOR",
                                  grade=1 + i % 17, unit=unit, parent=org.positions["kabid"]))
    db.session.add_all(units + positions)
    db.session.flush()
    for i in range(120):
        birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        db.session.add(Employee(
            nip=make_nip(birth, (birth.year + 25, 1 + i % 12), 1 + i % 2, i + 10), name=f"Pegawai Uji {i:03d}",
            gender="L" if i % 2 == 0 else "P", birth_date=birth, asn_type="PNS", status="AKTIF",
            rank=ranks[i % len(ranks)], position=positions[i % len(positions)], unit=units[i % len(units)],
            supervisor=org.employees[("kabid", "kapus", "kadis", "staff1")[i % 4]], supervisor_override=True))
    db.session.commit()
    return org


def _count(client, db, url):
    client.get(url)  # warm caches (templates, permissions) so both runs are comparable
    with count_queries(db) as statements:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return list(statements), r.get_data(as_text=True)


def _explain(statements):
    return "\n".join(f"{i + 1:2d}. {s[:160]}" for i, s in enumerate(statements))


@pytest.mark.parametrize("view, psize_arg, marker", [
    ("employeeview", "psize_EmployeeView", "/employeeview/show/"),
    ("unitview", "psize_UnitView", "/unitview/show/"),
    ("positionview", "psize_PositionView", "/positionview/show/"),
])
def test_list_queries_do_not_grow_with_rows(client, db, many, view, psize_arg, marker):
    login(client, "admin")
    q25, html25 = _count(client, db, f"/{view}/list/?{psize_arg}=25")
    q100, html100 = _count(client, db, f"/{view}/list/?{psize_arg}=100")
    assert html25.count(marker) >= 25 and html100.count(marker) >= 100  # the pages really hold the rows
    assert len(q25) == len(q100), f"25 rows:\n{_explain(q25)}\n100 rows:\n{_explain(q100)}"
    if view == "employeeview":
        assert len(q100) <= BUDGET, _explain(q100)


@pytest.mark.parametrize("who", ["kabid", "kadis", "staff1"])
def test_scoped_list_queries_do_not_grow_with_rows(client, db, many, who):
    """The scope's recursive queries are part of the list query, not one query per row."""
    login(client, many.username(who))
    q25, _ = _count(client, db, "/employeeview/list/?psize_EmployeeView=25")
    q100, _ = _count(client, db, "/employeeview/list/?psize_EmployeeView=100")
    assert len(q25) == len(q100), f"25:\n{_explain(q25)}\n100:\n{_explain(q100)}"
    assert len(q100) <= BUDGET, _explain(q100)


def test_employee_show_and_edit_within_budget(client, db, many):
    login(client, "admin")
    kabid = many.employees["kabid"]  # many subordinates: the related list must not cost a query per row
    statements, html = _count(client, db, f"/employeeview/show/{kabid.id}")
    assert "Pegawai Uji" in html
    assert len(statements) <= BUDGET, _explain(statements)
    statements, _ = _count(client, db, f"/employeeview/edit/{kabid.id}")
    assert len(statements) <= BUDGET, _explain(statements)


def test_export_queries_do_not_grow_with_rows(client, db, many):
    login(client, "admin")
    few, _ = _count(client, db, "/employeeview/export/csv/?_flt_0_name=Pegawai Uji 00")
    all_rows, body = _count(client, db, "/employeeview/export/csv/")
    assert body.count("\n") > 120
    assert len(few) == len(all_rows), f"few:\n{_explain(few)}\nall:\n{_explain(all_rows)}"


def test_api_list_queries_do_not_grow_with_rows(client, db, many):
    login(client, "admin")
    q25, _ = _count(client, db, "/api/v1/employee/?q=(page_size:25)")
    q100, _ = _count(client, db, "/api/v1/employee/?q=(page_size:100)")
    assert len(q25) == len(q100), f"25:\n{_explain(q25)}\n100:\n{_explain(q100)}"
