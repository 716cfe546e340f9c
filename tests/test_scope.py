"""Row scope: each role sees exactly its records, by URL and by API; outside the scope is 404."""
import json

import pytest

from conftest import login


def _api_ids(client, resource):
    r = client.get(f"/api/v1/{resource}/?q=(page_size:100)")
    assert r.status_code == 200, r.data
    return {row["id"] for row in r.get_json()["result"]}


def test_pegawai_sees_only_own_record(client, org):
    login(client, org.username("staff1"))
    me = org.employees["staff1"]
    other = org.employees["staff2"]
    assert client.get(f"/employeeview/show/{me.id}").status_code == 200
    assert client.get(f"/employeeview/show/{other.id}").status_code == 404
    assert client.get(f"/api/v1/employee/{other.id}").status_code in (403, 404)


def test_atasan_sees_exactly_subordinates(client, org):
    login(client, org.username("kabid"))
    ids = _api_ids(client, "employee")
    e = org.employees
    assert ids == {e["kabid"].id, e["staff1"].id, e["staff2"].id}
    assert client.get(f"/api/v1/employee/{e['perawat'].id}").status_code == 404
    assert client.get(f"/employeeview/show/{e['kadis'].id}").status_code == 404


def test_pimpinan_sees_unit_subtree(client, org):
    login(client, org.username("kadis"))
    ids = _api_ids(client, "employee")
    e = org.employees
    assert ids == {e[k].id for k in ("kadis", "kabid", "staff1", "staff2", "kapus", "perawat")}
    assert client.get(f"/employeeview/show/{e['guru'].id}").status_code == 404
    unit_ids = _api_ids(client, "unit")
    u = org.units
    assert unit_ids == {u["dinkes"].id, u["p2p"].id, u["pkm"].id}


def test_pengelola_and_admin_see_everything(client, org):
    for key in ("analis", "admin"):
        login(client, org.username(key))
        assert _api_ids(client, "employee") == {e.id for e in org.employees.values()}
        client.get("/logout/")
