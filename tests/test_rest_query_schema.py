"""The ``q`` argument of the REST lists and gets is validated against FAB's JSON schemas with validators made
once (app/core/views.py ``_CheckedSchemas``), not by ``jsonschema.validate`` re-checking the schema itself on
every request: the answers (200, or 400 with FAB's message) must stay exactly the same."""
from __future__ import annotations

import jsonschema
import prison
import pytest
from flask_appbuilder.api.schemas import get_item_schema, get_list_schema

from tests.conftest import login

BAD = [
    ("/api/v1/employee/", "(page_size:'x')", get_list_schema),
    ("/api/v1/employee/", "(order_direction:sideways)", get_list_schema),
    ("/api/v1/employee/", "(filters:!((col:name,opr:ct)))", get_list_schema),
    ("/api/v1/employee/", "(columns:!(1,2))", get_list_schema),
    ("/api/v1/skp/", "(page:'1')", get_list_schema),
    ("/api/v1/evaluation/", "(keys:!(nope))", get_list_schema),
]


def fab_message(q, schema) -> str:
    """The 400 message FAB gives for ``q`` with jsonschema.validate (what it did before)."""
    try:
        jsonschema.validate(instance=prison.loads(q), schema=schema)
    except jsonschema.ValidationError as e:
        return f"Not a valid rison schema {str(e).split(chr(10), 1)[0]}"
    raise AssertionError(f"{q} is valid")


@pytest.mark.parametrize("url, q, schema", BAD)
def test_invalid_query_arguments_get_fabs_own_400(client, org, url, q, schema):
    login(client, org.username("admin"))
    response = client.get(url, query_string={"q": q})
    assert response.status_code == 400
    assert response.get_json()["message"] == fab_message(q, schema)


def test_invalid_item_query_argument(client, org):
    login(client, org.username("admin"))
    pk = org.employees["kadis"].id
    q = "(columns:'name')"
    response = client.get(f"/api/v1/employee/{pk}", query_string={"q": q})
    assert response.status_code == 400
    assert response.get_json()["message"] == fab_message(q, get_item_schema)


def test_valid_arguments_still_work_and_the_schema_is_checked_once(app, client, org, monkeypatch):
    import flask_appbuilder.api as fab_api

    login(client, org.username("admin"))
    checked = []
    real = jsonschema.validators.validator_for(get_list_schema).check_schema
    shim = fab_api.jsonschema
    monkeypatch.setattr(shim, "_validators", {})
    monkeypatch.setattr(jsonschema.validators.validator_for(get_list_schema), "check_schema",
                        classmethod(lambda cls, schema, **kw: (checked.append(id(schema)), real(schema, **kw))[1]))
    for _ in range(3):
        response = client.get("/api/v1/employee/", query_string={"q": "(page_size:2,order_column:name,"
                                                                      "order_direction:asc)"})
        assert response.status_code == 200
        assert len(response.get_json()["result"]) == 2
    assert checked == [id(get_list_schema)]
