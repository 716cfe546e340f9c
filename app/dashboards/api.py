"""GET /api/v1/dashboard/<section>: the charts of a dashboard section as JSON (title, headers, rows: the same
numbers as the screen's tables and CSV downloads), with the same filters (year, unit, period) and scope."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from werkzeug.exceptions import NotFound

from app.extensions import db

from . import panels, rules


class DashboardApi(BaseApi):
    resource_name = "dashboard"
    class_permission_name = "Dashboard"
    method_permission_name = {"get_section": "read"}
    allow_browser_login = True
    openapi_spec_tag = "Dashboards"

    @expose("/<name>", methods=["GET"])
    @protect()
    def get_section(self, name):
        """The charts of a dashboard section
        ---
        get:
          summary: The charts of a dashboard section (compliance, predikat, training, satisfaction)
          parameters:
          - in: path
            name: name
            required: true
            schema: {type: string, enum: [compliance, predikat, training, satisfaction]}
          - in: query
            name: year
            schema: {type: integer, minimum: 2000, maximum: 2100}
          - in: query
            name: unit
            schema: {type: integer, minimum: 1}
          - in: query
            name: period
            schema: {type: integer, minimum: 1}
          responses:
            200:
              description: The section's charts
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/DashboardSection'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        from . import views

        if name not in panels.SECTIONS:
            return self.response_404()
        raw_year = request.args.get("year")
        if raw_year and rules.valid_year(raw_year, 0) == 0:
            return self.response_400(message="Not a valid argument: year")
        try:
            resolved = views.resolve(name)
        except NotFound:
            return self.response_404()
        if resolved is None:
            return self.response_404()
        filters, tree, _periods, _unit = resolved
        data = panels.build(name, db.session, tree, filters, views._viewer())

        def cell(v):
            return v if v is None or isinstance(v, (int, float, str)) else str(v)

        return self.response(200, section=name, year=filters.year, unit_id=filters.root_id,
                             period_id=filters.period.id if filters.period is not None else None,
                             charts={key: {"title": c.title, "headers": [str(h) for h in c.headers],
                                           "rows": [[cell(v) for v in row] for row in c.rows]}
                                     for key, c in data.charts.items()})


    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        if "DashboardSection" not in api_spec.components.schemas:
            api_spec.components.schema("DashboardSection", _SECTION)


_CELL = {"nullable": True, "oneOf": [{"type": "string"}, {"type": "number"}]}
_CHART = {"type": "object", "properties": {
    "title": {"type": "string"}, "headers": {"type": "array", "items": {"type": "string"}},
    "rows": {"type": "array", "items": {"type": "array", "items": _CELL}}}}
_SECTION = {"type": "object", "properties": {
    "section": {"type": "string"}, "year": {"type": "integer"},
    "unit_id": {"type": "integer", "nullable": True}, "period_id": {"type": "integer", "nullable": True},
    "charts": {"type": "object", "additionalProperties": _CHART}}}


def register(appbuilder) -> None:
    appbuilder.add_api(DashboardApi)
