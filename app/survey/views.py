"""FAB screens of the survey.

* ``/surveyservice/…``  — service units (unit layanan publik) and their service name: CRUD, Pengelola Kinerja;
* ``/surveycampaign/…`` — campaigns (periode survei) per service unit and year: CRUD, Pengelola Kinerja; the
  public token is generated on creation and never typed;
* ``/survey-results/?year=`` — IKM per service unit in the scope (respondents, IKM, grade); ``/export/csv``;
* ``/survey-results/<unit_id>/<year>`` — NRR per element, respondent profile, the unit's campaigns with their
  public link and QR code; ``…/pdf`` the printable report;
* ``/survey-results/qr/<campaign_id>.svg`` and ``/survey-results/poster/<campaign_id>`` — the QR code (SVG,
  made with segno) and a printable A4 page for the counter.

Permissions: "SurveyCampaign" (``can_read``, ``can_write``, ``can_export``: services and campaigns) and
"SurveyResult" (``can_read``, ``can_export``). Results follow ``scope.service_unit_clause``: Admin and
Pengelola the whole city, a Pimpinan their subtree, the head of a unit their unit; a unit or campaign outside
the scope is 404.
"""
from __future__ import annotations

import io
from datetime import date

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from app.core.export import to_csv
from app.core.views import PortalModelView, current_scope
from app.core.web import record_id_or_404
from app.extensions import db
from app.organisation.models import Unit

from . import documents, rules, services
from .models import SurveyCampaign, SurveyService
from .scope import service_unit_clause

LABELS = {
    "unit": _l("Unit"), "service_name": _l("Service"), "active": _l("Active"), "service": _l("Service unit"),
    "year": _l("Year"), "opens_on": _l("Opens on"), "closes_on": _l("Closes on"), "token": _l("Public code"),
    "created_at": _l("Created at"),
}


def _today() -> date:
    from app.performance.services import today_wib

    return today_wib()


class SurveyServiceView(PortalModelView):
    datamodel = SQLAInterface(SurveyService)
    class_permission_name = "SurveyCampaign"
    export_name = "unit-layanan-survei"
    list_title = _l("Service units (survey)")
    show_title = _l("Service unit")
    add_title = _l("Add service unit")
    edit_title = _l("Edit service unit")
    label_columns = LABELS
    list_columns = show_columns = ["unit", "service_name", "active"]
    add_columns = edit_columns = ["unit", "service_name", "active"]
    search_columns = ["service_name", "active"]
    order_columns = ["service_name"]
    base_order = ("service_name", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "service_name": StringField(_l("Service"), validators=[DataRequired(), Length(max=200)],
                                    widget=BS3TextFieldWidget(),
                                    description=_l("The service citizens are asked about, e.g. \"Pelayanan KTP\".")),
    }

    def scope_clause_for(self, scope):
        return service_unit_clause(scope)


class SurveyCampaignView(PortalModelView):
    datamodel = SQLAInterface(SurveyCampaign)
    class_permission_name = "SurveyCampaign"
    export_name = "periode-survei"
    list_title = _l("Survey campaigns")
    show_title = _l("Survey campaign")
    add_title = _l("Add survey campaign")
    edit_title = _l("Edit survey campaign")
    label_columns = LABELS
    list_columns = ["service", "year", "opens_on", "closes_on", "active"]
    show_columns = ["service", "year", "opens_on", "closes_on", "active", "token", "created_at"]
    add_columns = edit_columns = ["service", "year", "opens_on", "closes_on", "active"]
    search_columns = ["year", "active", "opens_on"]
    order_columns = ["year", "opens_on"]
    base_order = ("opens_on", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "year": IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)],
                             widget=BS3TextFieldWidget()),
        "opens_on": DateField(_l("Opens on"), validators=[DataRequired()], widget=DatePickerWidget()),
        "closes_on": DateField(_l("Closes on"), validators=[DataRequired()], widget=DatePickerWidget()),
    }

    def scope_clause_for(self, scope):
        return service_unit_clause(scope, SurveyCampaign.unit_id)

    def validate_item(self, item, is_new):
        if item.service is not None:
            item.unit_id = item.service.unit_id
        services.validate_campaign(db.session, item)


def _campaign_in_scope(campaign_id) -> SurveyCampaign:
    campaign = db.session.scalar(select(SurveyCampaign).where(
        SurveyCampaign.id == record_id_or_404(campaign_id),
        service_unit_clause(current_scope(), SurveyCampaign.unit_id)))
    if campaign is None:
        abort(404)
    return campaign


def _service_in_scope(unit_id) -> SurveyService:
    service = db.session.scalar(select(SurveyService).where(
        SurveyService.unit_id == record_id_or_404(unit_id), service_unit_clause(current_scope())))
    if service is None:
        abort(404)
    return service


def _year_arg(default: int) -> int:
    from app.core.web import bounded_int

    year = bounded_int(request.args.get("year"), 2000, 2100)
    return default if year is None else year


def qr_svg(url: str, scale: int = 8) -> str:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=scale, border=2, xmldecl=False,
                                                  svgns=True, nl=False)
    return out.getvalue().decode("ascii")


class SurveyResultsView(BaseView):
    """IKM per service unit and year in the scope, the report per unit, the QR code for the counter."""

    route_base = "/survey-results"
    class_permission_name = "SurveyResult"
    method_permission_name = {"index": "read", "detail": "read", "pdf": "read", "qr": "read", "poster": "read",
                              "export": "export"}
    default_view = "index"

    def _rows(self, year):
        scope = current_scope()
        units = db.session.execute(
            select(SurveyService.unit_id, SurveyService.service_name, SurveyService.active, Unit.name, Unit.code)
            .join(Unit, Unit.id == SurveyService.unit_id).where(service_unit_clause(scope))
            .order_by(Unit.name, Unit.id)).all()
        results = services.unit_year_results(db.session, [u.unit_id for u in units], [year]) if units else {}
        empty = rules.ikm_result(0, {})
        return [(u, results.get((u.unit_id, year), empty)) for u in units]

    @expose("/")
    @has_access
    def index(self):
        year = _year_arg(_today().year)
        rows = self._rows(year)
        return self.render_template("portal/survey/results.html", title=_l("Public satisfaction (IKM)"), rows=rows,
                                    year=year, grades=rules.GRADES,
                                    can_export=self.appbuilder.sm.has_access("can_export", "SurveyResult"))

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt):
        if fmt != "csv":
            abort(404)
        year = _year_arg(_today().year)
        headers = [_("Year"), _("Unit code"), _("Unit"), _("Service"), _("Respondents"),
                   *[f"NRR {key.upper()}" for key in rules.ELEMENT_KEYS], "IKM", _("Grade")]
        body = to_csv(headers, [
            [year, u.code, u.name, u.service_name, r.respondents,
             *[r.nrr[key] for key in rules.ELEMENT_KEYS], r.ikm, r.grade_code]
            for u, r in self._rows(year)])
        response = Response(body, mimetype="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="ikm-{year}.csv"'
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/<unit_id>/<int:year>")
    @has_access
    def detail(self, unit_id, year):
        service = _service_in_scope(unit_id)
        result = services.unit_year_results(db.session, [service.unit_id], [year]).get(
            (service.unit_id, year), rules.ikm_result(0, {}))
        campaigns = db.session.scalars(select(SurveyCampaign).where(SurveyCampaign.unit_id == service.unit_id)
                                       .order_by(SurveyCampaign.year.desc(), SurveyCampaign.opens_on.desc())).all()
        from .public import public_url

        today = _today()
        links = [(c, public_url(c), c.is_open(today) and service.active) for c in campaigns]
        return self.render_template("portal/survey/detail.html", title=_l("Public satisfaction (IKM)"),
                                    service=service, year=year, result=result, rules=rules, campaigns=links,
                                    profile=services.profile_counts(db.session, service.unit_id, year))

    @expose("/<unit_id>/<int:year>/pdf")
    @has_access
    def pdf(self, unit_id, year):
        service = _service_in_scope(unit_id)
        result = services.unit_year_results(db.session, [service.unit_id], [year]).get(
            (service.unit_id, year), rules.ikm_result(0, {}))
        body = documents.ikm_pdf(service.unit.name, service.service_name, year, result, _today())
        response = Response(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="ikm-{service.unit.code}-{year}.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/qr/<campaign_id>.svg")
    @has_access
    def qr(self, campaign_id):
        from .public import public_url

        campaign = _campaign_in_scope(campaign_id)
        response = Response(qr_svg(public_url(campaign)), mimetype="image/svg+xml")
        response.headers["Content-Disposition"] = f'inline; filename="survei-{campaign.id}.svg"'
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/poster/<campaign_id>")
    @has_access
    def poster(self, campaign_id):
        from .public import public_url

        campaign = _campaign_in_scope(campaign_id)
        url = public_url(campaign)
        return self.render_template("portal/survey/poster.html", campaign=campaign, url=url,
                                    svg=Markup(qr_svg(url, scale=10)))


def register(appbuilder):
    cat_label = _l("Performance management")
    appbuilder.add_view(SurveyResultsView, "Survey Results", label=_l("Public satisfaction (IKM)"),
                        icon="fa-smile-o", category="Performance", category_label=cat_label)
    appbuilder.add_view(SurveyCampaignView, "Survey Campaigns", label=_l("Survey campaigns"),
                        icon="fa-bullhorn", category="Performance", category_label=cat_label)
    appbuilder.add_view(SurveyServiceView, "Survey Service Units", label=_l("Service units (survey)"),
                        icon="fa-building", category="Performance", category_label=cat_label)
