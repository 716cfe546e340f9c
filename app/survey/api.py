"""REST API of the survey.

* ``/api/v1/survey_campaign/`` — campaigns (admin: Pengelola Kinerja and Admin; GET, POST, PUT, DELETE).
  ``service`` is the id of the service unit record (survey_service); the public ``token`` is generated.
* ``/api/v1/survey_result/`` — the service units in the scope (GET list / one), and
  ``GET /api/v1/survey_result/ikm?year=<yyyy>[&unit_id=<id>]`` — per service unit in the scope: respondents,
  NRR per element, IKM and grade of the year (numbers as strings with their decimals, null without answers).

Row scope as the screens (``scope.service_unit_clause``): outside it 404 / not listed.
"""
from __future__ import annotations

import yaml
from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.views import API_PERMISSIONS, PortalRestApi, current_scope
from app.core.web import is_record_id
from app.extensions import db
from app.organisation.models import Unit

from . import rules, services
from .models import SurveyCampaign, SurveyService
from .scope import service_unit_clause

_REF = lambda code: {"$ref": f"#/components/responses/{code}"}  # noqa: E731
_NUM = {"type": "string", "nullable": True}
IKM_DOC = {"get": {
    "summary": "IKM per service unit in the scope for a year",
    "parameters": [
        {"in": "query", "name": "year", "required": True, "schema": {"type": "integer", "minimum": 2000,
                                                                       "maximum": 2100}},
        {"in": "query", "name": "unit_id", "required": False, "schema": {"type": "integer", "minimum": 1}},
    ],
    "responses": {
        200: {"description": "The results", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "year": {"type": "integer"}, "count": {"type": "integer"},
                "result": {"type": "array", "items": {"type": "object", "properties": {
                    "unit_id": {"type": "integer"}, "unit_name": {"type": "string"},
                    "service_name": {"type": "string"}, "year": {"type": "integer"},
                    "respondents": {"type": "integer"}, "ikm": _NUM, "grade": _NUM,
                    "nrr": {"type": "object", "additionalProperties": _NUM}}}}}}}}},
        400: _REF(400), 401: _REF(401), 403: _REF(403), 422: _REF(422),
    },
}}


def _doc(text: str, operation: dict):
    def decorate(func):
        func.__doc__ = f"{text}\n---\n{yaml.safe_dump(operation, sort_keys=False)}"
        return func
    return decorate


def _num(value):
    return None if value is None else str(value)


class SurveyCampaignApi(PortalRestApi):
    resource_name = "survey_campaign"
    datamodel = SQLAInterface(SurveyCampaign)
    class_permission_name = "SurveyCampaign"
    list_columns = ["id", "unit_id", "year", "opens_on", "closes_on", "active", "token"]
    show_columns = list_columns + ["created_at"]
    add_columns = edit_columns = ["service", "year", "opens_on", "closes_on", "active"]
    search_columns = ["unit_id", "year", "active"]
    order_columns = ["year", "opens_on"]

    def scope_clause_for(self, scope):
        return service_unit_clause(scope, SurveyCampaign.unit_id)

    def validate_item(self, item, is_new):
        if item.service is not None:
            item.unit_id = item.service.unit_id
        services.validate_campaign(db.session, item)


class SurveyResultApi(PortalRestApi):
    resource_name = "survey_result"
    datamodel = SQLAInterface(SurveyService)
    class_permission_name = "SurveyResult"
    include_route_methods = {"get", "get_list", "ikm"}
    method_permission_name = dict(API_PERMISSIONS, ikm="read")
    list_columns = ["id", "unit_id", "service_name", "active"]
    show_columns = list_columns
    search_columns = ["unit_id", "active"]
    order_columns = ["service_name"]

    def scope_clause_for(self, scope):
        return service_unit_clause(scope)

    @expose("/ikm", methods=["GET"])
    @protect()
    @_doc("IKM per service unit in the scope", IKM_DOC)
    def ikm(self):
        raw_year = request.args.get("year", "")
        if not (raw_year.isascii() and raw_year.isdigit() and 2000 <= int(raw_year) <= 2100):
            return self.response_422(message={"year": [str(_l("The year must lie between %(min)d and %(max)d.",
                                                              min=2000, max=2100))]})
        year = int(raw_year)
        stmt = (select(SurveyService.unit_id, SurveyService.service_name, Unit.name)
                .join(Unit, Unit.id == SurveyService.unit_id).where(service_unit_clause(current_scope()))
                .order_by(Unit.name, Unit.id))
        raw_unit = request.args.get("unit_id")
        if raw_unit is not None:
            if not is_record_id(raw_unit):
                return self.response_422(message={"unit_id": [str(_l("Invalid input."))]})
            stmt = stmt.where(SurveyService.unit_id == int(raw_unit))
        units = db.session.execute(stmt).all()
        results = services.unit_year_results(db.session, [u.unit_id for u in units], [year]) if units else {}
        empty = rules.ikm_result(0, {})
        out = []
        for u in units:
            r = results.get((u.unit_id, year), empty)
            out.append({"unit_id": u.unit_id, "unit_name": u.name, "service_name": u.service_name, "year": year,
                        "respondents": r.respondents, "ikm": _num(r.ikm), "grade": r.grade_code,
                        "nrr": {key: _num(r.nrr[key]) for key in rules.ELEMENT_KEYS}})
        return self.response(200, year=year, count=len(out), result=out)


def register(appbuilder) -> None:
    appbuilder.add_api(SurveyCampaignApi)
    appbuilder.add_api(SurveyResultApi)
