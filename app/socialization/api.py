"""REST API of the socialization material: /api/v1/material.

* ``GET /api/v1/material/`` and ``GET /api/v1/material/<pk>`` — the materials the person may open (the same
  clause as the screens: managers every material, anyone else the published material whose audience
  includes them; outside it 404), with the current version's id, number, title, change note and sanitised
  HTML body;
* ``POST /api/v1/material/<pk>/acknowledge`` ``{"version_id": <id>}`` — "I have read and understood" the
  current version: 200 ``{"id", "version_id", "number", "recorded"}`` (``recorded`` false when it was
  confirmed already), 422 for an older version, a person without an employee record or a material not
  published to them, 404 outside what they may open.

Permission "Material": ``can_read`` for the GETs, ``can_acknowledge`` for the POST (every role, roles.py).
"""
from __future__ import annotations

import yaml
from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import DomainValidationError
from app.core.views import API_PERMISSIONS, PortalRestApi, has_nul
from app.core.web import is_record_id
from app.extensions import db

from . import rules, services
from .models import Material
from .views import _now, current_reader, today


def operation_doc(summary: str, fields: dict, required=(), ok_properties=None) -> str:
    """OpenAPI text for a custom POST endpoint on ``/<pk>/...`` (FAB reads the YAML after '---')."""
    ref = lambda code: {"$ref": f"#/components/responses/{code}"}  # noqa: E731
    schema = {"type": "object", "properties": {name: {"type": kind} for name, kind in fields.items()}}
    if required:
        schema["required"] = list(required)
    ok = {"type": "object"}
    if ok_properties:
        ok["properties"] = {name: {"type": kind} for name, kind in ok_properties.items()}
    operation = {"post": {
        "summary": summary,
        "parameters": [{"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": {
            200: {"description": "Done", "content": {"application/json": {"schema": ok}}},
            400: ref(400), 401: ref(401), 403: ref(403), 404: ref(404), 422: ref(422),
        },
    }}
    return f"{summary}\n---\n{yaml.safe_dump(operation, sort_keys=False)}"


def documented(summary, fields, required=(), ok_properties=None):
    def decorate(func):
        func.__doc__ = operation_doc(summary, fields, required, ok_properties)
        return func
    return decorate


class MaterialApi(PortalRestApi):
    resource_name = "material"
    datamodel = SQLAInterface(Material)
    class_permission_name = "Material"
    include_route_methods = {"get", "get_list", "acknowledge"}
    method_permission_name = dict(API_PERMISSIONS, acknowledge="acknowledge")
    list_columns = ["id", "category", "audience", "published_from", "published_until", "current_number",
                    "current_version.id", "current_version.title", "current_version.published_at"]
    show_columns = list_columns + ["current_version.change_note", "current_version.body_html"]
    search_columns = ["category", "audience", "published_from"]
    order_columns = ["published_from", "category", "current_number"]

    def scope_clause_for(self, scope):
        return services.visible_clause(current_reader(), today())

    @expose("/<pk>/acknowledge", methods=["POST"])
    @protect()
    @documented("Confirm having read and understood the current version", {"version_id": "integer"},
                ("version_id",), {"id": "integer", "version_id": "integer", "number": "integer",
                                  "recorded": "boolean"})
    def acknowledge(self, pk):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=str(_l("The request body must be a JSON object.")))
        if not is_record_id(pk):
            return self.response_404()
        if has_nul(body):
            return self.response_422(message={"version_id": [str(_l("Invalid input."))]})
        material = self.datamodel.get(int(pk), self._base_filters)
        if material is None or material.current_version is None:
            return self.response_404()
        reader = current_reader()
        in_audience = rules.is_published(material.published_from, material.published_until, today()) and \
            db.session.scalar(select(Material.id).where(Material.id == material.id,
                                                        services.audience_clause_for_reader(reader))) is not None
        if not in_audience:
            return self.response_422(message={"material": [str(_l("This material is not published to you: there "
                                                                  "is nothing to confirm."))]})
        version_id = body.get("version_id")
        if isinstance(version_id, bool) or not isinstance(version_id, (int, str)):
            version_id = None
        try:
            recorded = services.acknowledge(db.session, reader, material, version_id, _now())
        except DomainValidationError as exc:
            db.session.rollback()
            return self.response_422(message={k: [str(v)] for k, v in exc.errors.items()})
        version = material.current_version
        return self.response(200, id=material.id, version_id=version.id, number=version.number, recorded=recorded)


def register(appbuilder) -> None:
    appbuilder.add_api(MaterialApi)
