"""REST API of the rater-bias analytics: /api/v1/rater_bias.

* ``GET /api/v1/rater_bias/?year=&period=&unit=&flagged=0|1&sort=&page=&page_size=`` — the raters the caller
  may see, flagged first, with their figures and reasons (the rows of the /rater-bias/ screen);
* ``GET /api/v1/rater_bias/<rater id>?year=&period=`` — one rater with the distribution of the ratings given
  against the unit (OPD) and the city; 404 outside the caller's scope.

Permission "RaterBias" ``can_read`` (roles.py). Bad arguments: 400 with a sentence; unknown period or unit: 404.
"""
from __future__ import annotations

from datetime import date

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from app.core.web import is_record_id, query_int
from app.extensions import db
from app.performance.rating import PREDIKAT_ORDER

from . import rules, services
from .rules import RATING_ORDER
from .views import current_viewer

MAX_PAGE_SIZE = 500


def _round(value, places=3):
    return None if value is None else round(value, places)


def tally_json(t) -> dict:
    if t is None:
        return None
    return {"evaluations": t.evaluations, "ratings": t.ratings, "mean": _round(t.mean), "sd": _round(t.sd),
            "hasil": {r.value: t.hasil.get(r, 0) for r in RATING_ORDER},
            "perilaku": {r.value: t.perilaku.get(r, 0) for r in RATING_ORDER},
            "predikat": {p.value: t.predikat.get(p, 0) for p in PREDIKAT_ORDER},
            "self_rated": t.self_rated, "mean_self_gap": _round(t.mean_gap)}


def row_json(row, detail=False) -> dict:
    a = row.assessment
    out = {"rater_id": row.rater_id, "nip": row.nip, "name": row.name, "unit_id": row.unit_id,
           "unit": row.unit_name, "opd_id": row.opd_id, "opd": row.opd_name, "ratees": row.tally.ratees,
           "evaluations": row.tally.evaluations, "mean": _round(row.tally.mean),
           "unit_mean": _round(row.unit_tally.mean if row.unit_tally else None), "d": _round(a.d),
           "d_city": _round(row.d_city), "reference": "city" if a.reference_is_city else "unit",
           "eligible": a.eligible, "departure": _round(a.departure), "flagged": a.flagged,
           "flags": [f.flag.value for f in a.findings], "reasons": [f.text for f in a.findings],
           "shares": {r.value: _round(row.tally.share(r)) for r in RATING_ORDER},
           "mean_self_gap": _round(row.tally.mean_gap), "self_rated": row.tally.self_rated}
    if detail:
        out.update(tally=tally_json(row.tally), unit_tally=tally_json(row.unit_tally))
    return out


class RaterBiasApi(BaseApi):
    """The rater-bias figures as JSON (the same rows and scope as the /rater-bias/ screen)."""

    resource_name = "rater_bias"
    class_permission_name = "RaterBias"
    method_permission_name = {"get_list": "read", "get_rater": "read"}
    allow_browser_login = True
    openapi_spec_tag = "Rater bias"

    def _filters(self):
        args = request.args

        def number(name, default, low, high):
            return query_int(args, name, default, low, high)

        _years, default_year = services.years(db.session)
        year = number("year", default_year or date.today().year, rules.YEAR_MIN, rules.YEAR_MAX)
        period_id = number("period", None, 1, 2 ** 31 - 1)
        unit_id = number("unit", None, 1, 2 ** 31 - 1)
        flagged = number("flagged", 0, 0, 1) == 1
        page = number("page", 1, 1, 10 ** 6)
        page_size = number("page_size", 50, 1, MAX_PAGE_SIZE)
        sort = args.get("sort") or "departure"
        if sort not in services.SORTS:
            raise ValueError("sort")
        return year, period_id, unit_id, flagged, page, page_size, sort

    @expose("/", methods=["GET"])
    @protect()
    def get_list(self):
        """The raters of a year with their figures and flags
        ---
        get:
          summary: The raters the caller may see, flagged first
          parameters:
          - {in: query, name: year, schema: {type: integer, minimum: 2000, maximum: 2100}}
          - {in: query, name: period, schema: {type: integer, minimum: 1}}
          - {in: query, name: unit, schema: {type: integer, minimum: 1}}
          - {in: query, name: flagged, schema: {type: integer, enum: [0, 1]}}
          - {in: query, name: sort, schema: {type: string, enum: [departure, name, ratees, mean]}}
          - {in: query, name: page, schema: {type: integer, minimum: 1}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 500}}
          responses:
            200:
              description: One page of raters
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      year: {type: integer}
                      count: {type: integer}
                      flagged: {type: integer}
                      result: {type: array, items: {type: object}}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        try:
            year, period_id, unit_id, flagged, page, page_size, sort = self._filters()
        except ValueError as exc:
            return self.response_400(message=f"Not a valid argument: {exc}")
        if period_id is not None and period_id not in {p.id for p in services.periods_of_year(db.session, year)}:
            return self.response_404()
        units = services.unit_tree(db.session)
        viewer = current_viewer()
        if unit_id is not None and not services.unit_allowed(units, viewer, unit_id):
            return self.response_404()
        analysis = services.analyse(db.session, viewer, year, period_id, units=units)
        rows = services.sort_rows(services.filter_rows(analysis.rows, units, unit_id, flagged), sort)
        chosen = rows[(page - 1) * page_size: page * page_size]
        return self.response(200, year=year, period=period_id, count=len(rows),
                             flagged=sum(1 for r in rows if r.flagged), city=tally_json(analysis.city),
                             result=[row_json(r) for r in chosen])

    @expose("/<pk>", methods=["GET"])
    @protect()
    def get_rater(self, pk):
        """One rater's figures against the unit and the city
        ---
        get:
          summary: One rater (404 outside the caller's scope)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: query, name: year, schema: {type: integer, minimum: 2000, maximum: 2100}}
          - {in: query, name: period, schema: {type: integer, minimum: 1}}
          responses:
            200:
              description: The rater
              content:
                application/json:
                  schema: {type: object}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        if not is_record_id(pk):
            return self.response_404()
        try:
            year, period_id, _unit, _flagged, _page, _size, _sort = self._filters()
        except ValueError as exc:
            return self.response_400(message=f"Not a valid argument: {exc}")
        if period_id is not None and period_id not in {p.id for p in services.periods_of_year(db.session, year)}:
            return self.response_404()
        analysis = services.analyse(db.session, current_viewer(), year, period_id, rater_id=int(pk))
        if not analysis.rows:
            return self.response_404()
        return self.response(200, year=year, period=period_id, city=tally_json(analysis.city),
                             result=row_json(analysis.rows[0], detail=True))


def register(appbuilder) -> None:
    appbuilder.add_api(RaterBiasApi)
