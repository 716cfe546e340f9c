"""The dashboard screens (/dashboards/…): one page per section with its charts, each with its table and a CSV
download (/dashboards/<section>/<chart>.csv). Web code only; the figures come from ``panels``/``services``.

Who: Admin and Pengelola Kinerja (the whole city, or any unit's subtree) and Pimpinan (their own unit's subtree,
or a unit inside it). Permission "Dashboard" can_read (app/security/roles.py); the root unit is checked against
the row scope (app.security.scope.unit_clause), a unit outside it is a 404.
"""
from __future__ import annotations

from typing import Optional

from flask import Response, abort, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.organisation.models import Unit
from app.performance.deadlines import PeriodKind
from app.security import scope as S

from . import panels, rules, services

TITLES = {"compliance": _l("Compliance"), "predikat": _l("Predikat distribution"),
          "training": _l("Training and socialization"), "satisfaction": _l("Public satisfaction")}


def current_scope():
    from flask import current_app

    return current_app.appbuilder.sm.current_scope()


def _int_arg(name) -> Optional[int]:
    from app.core.web import id_arg

    return id_arg(name)


def default_year(section: str) -> int:
    """This year for compliance and training; last year (a completed cycle) for predikat and satisfaction."""
    from app.performance.services import today_wib

    year = today_wib().year
    return year - 1 if section in ("predikat", "satisfaction") else year


def resolve(section: str):
    """The filters of the request, checked against the scope: (Filters, Tree, periods, unit row or None).
    404 for a unit outside the scope or a period not of the year."""
    scope = current_scope()
    year = rules.valid_year(request.args.get("year"), default_year(section))
    unit_id = _int_arg("unit")
    if unit_id is None and not scope.everything:
        unit_id = scope.unit_root_id
        if unit_id is None:
            return None
    unit = None
    if unit_id is not None:
        unit = db.session.execute(select(Unit.id, Unit.name, Unit.code)
                                  .where(Unit.id == unit_id, S.unit_clause(scope))).first()
        if unit is None:
            abort(404)
    period = None
    periods = []
    if section in ("compliance", "predikat"):
        periods = services.periods_of_year(db.session, year)
        period_id = _int_arg("period")
        if period_id is not None:
            period = next((p for p in periods if p.id == period_id), None)
            if period is None:
                abort(404)
        else:
            period = next((p for p in periods if p.kind == PeriodKind.ANNUAL.value), periods[0] if periods else None)
    tree = services.load_tree(db.session, unit.id if unit else None)
    filters = panels.Filters(year=year, root_id=unit.id if unit else None,
                             root_name=unit.name if unit else str(_l("Whole city")), period=period)
    return filters, tree, periods, unit


def _viewer():
    from app.training.web import current_viewer

    return current_viewer()


class DashboardView(BaseView):
    """Dasbor: compliance, predikat distribution, training and public satisfaction of a unit subtree."""

    route_base = "/dashboards"
    class_permission_name = "Dashboard"
    method_permission_name = {"index": "read", "section": "read", "csv": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return redirect(url_for("DashboardView.section", name="compliance", **request.args.to_dict()))

    @expose("/<name>/")
    @has_access
    def section(self, name):
        if name not in panels.SECTIONS:
            abort(404)
        resolved = resolve(name)
        if resolved is None:
            return self.render_template("portal/dashboards/section.html", title=TITLES[name], name=name,
                                        titles=TITLES, sections=panels.SECTIONS, no_unit=True)
        filters, tree, periods, unit = resolved
        data = panels.build(name, db.session, tree, filters, _viewer())
        from app.performance.admin_views import _unit_choice, period_label

        args = {k: v for k, v in request.args.items() if k in ("year", "unit", "period") and v}
        return self.render_template(
            "portal/dashboards/section.html", title=TITLES[name], name=name, titles=TITLES,
            sections=panels.SECTIONS, data=data, filters=filters, periods=periods, period_label=period_label,
            picker=_unit_choice(unit.id, unit.name, unit.code) if unit else _unit_choice(None, None, None),
            everything=current_scope().everything, args=args, no_unit=False,
            years=list(range(default_year("compliance"), default_year("compliance") - 8, -1)))

    @expose("/<name>/<chart>.csv")
    @has_access
    def csv(self, name, chart):
        if name not in panels.SECTIONS:
            abort(404)
        resolved = resolve(name)
        if resolved is None:
            abort(404)
        filters, tree, _periods, unit = resolved
        data = panels.build(name, db.session, tree, filters, _viewer())
        if chart not in data.charts:
            abort(404)
        response = Response(data.charts[chart].csv(), mimetype="text/csv")
        where = f"unit{unit.id}" if unit else "city"
        response.headers["Content-Disposition"] = f'attachment; filename="dashboard-{name}-{chart}-{where}-{filters.year}.csv"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response


def register(appbuilder) -> None:
    appbuilder.add_view(DashboardView, "Dashboards", label=_l("Dashboards"), icon="fa-bar-chart",
                        category="Dashboards", category_label=_l("Dashboards"), category_icon="fa-bar-chart")
