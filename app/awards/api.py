"""REST API of the awards: /api/v1/award.

* ``GET /api/v1/award/`` and ``GET /api/v1/award/<pk>`` — the decisions in the scope (whole city, or a
  Pimpinan's unit subtree; outside it 404);
* ``GET /api/v1/award/candidates?year=<yyyy>&on=<yyyy-mm-dd>&kind=<kind>&page=<n>&page_size=<n>`` — one page
  (default 50, at most 500) of the candidates of a year in the scope (sorted by award, then employee id), with
  the decision already taken (if any); ``count`` is the number of every candidate of the selection, ``counts``
  per award; ``computed_at`` when the stored candidates were computed (null for a reference date other than
  the year's default: computed live);
* ``POST /api/v1/award/decide`` ``{"year", "on", "candidates": ["<employee id>:<kind>", …], "decision",
  "decree_number", "decree_date", "notes"}`` — one decision for all the chosen candidates, all or nothing:
  200 ``{"created", "updated"}``; 422 with the field messages; 404 when a candidate is outside the scope.

Permission "Award": ``can_read`` for the GETs, ``can_write`` for the decision (roles.py).
"""
from __future__ import annotations

from datetime import date

import yaml
from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import DomainValidationError, OutOfScope
from app.core.views import API_PERMISSIONS, PortalRestApi, has_nul
from app.extensions import db
from app.organisation.models import Employee

from . import rules, services
from .models import AwardDecision
from .views import _now, _today, candidate_page, default_year, reference_date

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_REF = lambda code: {"$ref": f"#/components/responses/{code}"}  # noqa: E731
_CANDIDATE = {"type": "object", "properties": {
    "key": {"type": "string"}, "employee_id": {"type": "integer"}, "nip": {"type": "string"},
    "name": {"type": "string"}, "unit": {"type": "string"}, "kind": {"type": "string"},
    "previous_predikat": {"type": "string", "nullable": True}, "predikat": {"type": "string", "nullable": True},
    "service_years": {"type": "integer", "nullable": True}, "service_months": {"type": "integer", "nullable": True},
    "decision": {"type": "string", "nullable": True}}}


def _doc(text: str, operation: dict):
    def decorate(func):
        func.__doc__ = f"{text}\n---\n{yaml.safe_dump(operation, sort_keys=False)}"
        return func
    return decorate


CANDIDATES_DOC = {"get": {
    "summary": "The award candidates of a year in the scope",
    "parameters": [
        {"in": "query", "name": "year", "required": False, "schema": {"type": "integer", "minimum": rules.YEAR_MIN,
                                                                        "maximum": rules.YEAR_MAX}},
        {"in": "query", "name": "on", "required": False, "schema": {"type": "string", "format": "date"}},
        {"in": "query", "name": "kind", "required": False, "schema": {"type": "string",
                                                                        "enum": [k.value for k in rules.AwardKind]}},
        {"in": "query", "name": "page", "required": False, "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {"in": "query", "name": "page_size", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}},
    ],
    "responses": {
        200: {"description": "The candidates", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"year": {"type": "integer"}, "on": {"type": "string"},
                                             "count": {"type": "integer"}, "page": {"type": "integer"},
                                             "page_size": {"type": "integer"},
                                             "computed_at": {"type": "string", "nullable": True},
                                             "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                                             "result": {"type": "array", "items": _CANDIDATE}}}}}},
        400: _REF(400), 401: _REF(401), 403: _REF(403), 422: _REF(422),
    },
}}
DECIDE_DOC = {"post": {
    "summary": "Record one decision for the chosen candidates (all or nothing)",
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["year", "candidates", "decision"],
        "properties": {"year": {"type": "integer"}, "on": {"type": "string", "format": "date"},
                       "candidates": {"type": "array", "items": {"type": "string"}},
                       "decision": {"type": "string", "enum": [d.value for d in rules.Decision]},
                       "decree_number": {"type": "string"}, "decree_date": {"type": "string", "format": "date"},
                       "notes": {"type": "string"}}}}}},
    "responses": {
        200: {"description": "Saved", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"created": {"type": "integer"}, "updated": {"type": "integer"}}}}}},
        400: _REF(400), 401: _REF(401), 403: _REF(403), 404: _REF(404), 422: _REF(422),
    },
}}


def _date_value(value, field: str):
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DomainValidationError({field: _l("Enter the date as YYYY-MM-DD.")})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainValidationError({field: _l("Enter the date as YYYY-MM-DD.")}) from None


def _text_value(value, field: str):
    if value is None or isinstance(value, str):
        return value
    raise DomainValidationError({field: _l("Invalid input.")})


class AwardApi(PortalRestApi):
    resource_name = "award"
    datamodel = SQLAInterface(AwardDecision)
    class_permission_name = "Award"
    include_route_methods = {"get", "get_list", "candidates", "decide"}
    method_permission_name = dict(API_PERMISSIONS, candidates="read", decide="write")
    list_columns = ["id", "employee_id", "year", "kind", "decision", "decree_number", "decree_date", "decided_at"]
    show_columns = list_columns + ["notes", "reason", "decided_by_name"]
    search_columns = ["year", "kind", "decision", "employee_id"]
    order_columns = ["year", "kind", "decided_at"]

    def scope_clause_for(self, scope):
        return AwardDecision.employee_id.in_(select(Employee.id).where(services.award_scope_clause(scope)))

    @expose("/candidates", methods=["GET"])
    @protect()
    @_doc("The award candidates of a year", CANDIDATES_DOC)
    def candidates(self):
        from app.core.views import current_scope

        raw_year = request.args.get("year", "")
        year = default_year(_today())
        if raw_year:
            if not (raw_year.isascii() and raw_year.isdigit() and rules.YEAR_MIN <= int(raw_year) <= rules.YEAR_MAX):
                return self.response_422(message={"year": [str(_l("The year must lie between %(min)d and %(max)d.",
                                                                  min=rules.YEAR_MIN, max=rules.YEAR_MAX))]})
            year = int(raw_year)
        try:
            on = _date_value(request.args.get("on"), "on") or reference_date(year)
        except DomainValidationError as exc:
            return self.response_422(message={k: [str(v)] for k, v in exc.errors.items()})
        kind = request.args.get("kind")
        if kind and kind not in rules.AwardKind.__members__:
            return self.response_422(message={"kind": [str(_l("Unknown award."))]})
        paging = {}
        for name, default, high in (("page", 1, 10 ** 6), ("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)):
            raw = request.args.get(name, "")
            if raw == "":
                paging[name] = default
            elif raw.isascii() and raw.isdigit() and 1 <= int(raw) <= high:
                paging[name] = int(raw)
            else:
                return self.response_422(message={name: [str(_l("Give a whole number from 1 to %(max)d.", max=high))]})
        scope = current_scope()
        # the counts and one page, in SQL (the same candidates as gather()); the decisions of the page's employees
        found, computed_at = candidate_page(year, on, scope, kind=kind, page=paging["page"],
                                            page_size=paging["page_size"])
        people = found.people if found.people is not None else \
            services.employee_rows(db.session, [c.employee_id for c in found.candidates])
        result = []
        for c in found.candidates:
            p = people.get(c.employee_id)
            d = found.decisions.get((c.employee_id, c.kind.value))
            d = d.decision if d is not None else None
            result.append({"key": c.key, "employee_id": c.employee_id, "nip": p.nip if p else "",
                           "name": p.name if p else "", "unit": p.unit_name if p else "", "kind": c.kind.value,
                           "previous_predikat": c.previous_predikat, "predikat": c.predikat,
                           "service_years": c.service_years, "service_months": c.service_months,
                           "decision": d})
        count = found.counts.get(rules.AwardKind(kind), 0) if kind else found.total
        return self.response(200, year=year, on=on.isoformat(), count=count, page=paging["page"],
                             page_size=paging["page_size"], counts={k.value: n for k, n in found.counts.items()},
                             computed_at=computed_at.isoformat() if computed_at else None, result=result)

    @expose("/decide", methods=["POST"])
    @protect()
    @_doc("Record one decision for the chosen candidates", DECIDE_DOC)
    def decide(self):
        from flask import g

        from app.core.views import current_scope

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=str(_l("The request body must be a JSON object.")))
        if has_nul(body):
            return self.response_422(message={"body": [str(_l("Invalid input."))]})
        try:
            year = body.get("year")
            if isinstance(year, bool) or not isinstance(year, int):
                raise DomainValidationError({"year": _l("Choose a year.")})
            keys = body.get("candidates")
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise DomainValidationError({"candidates": _l("Invalid choice of candidates.")})
            if not rules.YEAR_MIN <= year <= rules.YEAR_MAX:
                raise DomainValidationError({"year": _l("The year must lie between %(min)d and %(max)d.",
                                                        min=rules.YEAR_MIN, max=rules.YEAR_MAX)})
            on = _date_value(body.get("on"), "on") or reference_date(year)
            decree_date = _date_value(body.get("decree_date"), "decree_date")
            user = g.user
            name = " ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username
            result = services.decide(
                db.session, year=year, on=on, keys=keys, decision=_text_value(body.get("decision"), "decision"),
                decree_number=_text_value(body.get("decree_number"), "decree_number"), decree_date=decree_date,
                notes=_text_value(body.get("notes"), "notes"), scope=current_scope(), today=_today(),
                user_id=user.id, user_name=name, now=_now())
        except DomainValidationError as exc:
            db.session.rollback()
            return self.response_422(message={k: [str(v)] for k, v in exc.errors.items()})
        except OutOfScope:
            db.session.rollback()
            return self.response_404()
        return self.response(200, created=result.created, updated=result.updated)


def register(appbuilder) -> None:
    appbuilder.add_api(AwardApi)
