"""The rater-bias screens (menu "Performance" → "Rating subjectivity", *subjektivitas penilaian*):

* ``RaterBiasView`` (/rater-bias/)           — the raters of a year (or one period) with their figures against
  their unit (OPD) and the city, flagged first and sorted by how far their pattern departs; filters: year,
  period, unit subtree, only flagged; paged. The method and thresholds are explained on the page.
* /rater-bias/<rater id>                     — one rater: the reasons, the distribution of the ratings given
  (hasil kerja, perilaku kerja, predikat) against the unit and the city as charts with their tables, CSV
  per chart.
* /rater-bias/export.csv                     — the list (every page) as CSV.

Permission "RaterBias" (can_read, can_export); the rows are the raters the viewer may see (``scope``):
outside it a rater's page is 404. All figures come from one aggregate query (``services.analyse``).
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Optional

from flask import Response, abort, current_app, g, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form

from app.core.charts import bar_chart
from app.core.export import to_csv
from app.core.fields import AjaxSelectField
from app.core.web import is_record_id, record_id_or_404
from app.extensions import db
from app.performance.admin_views import CATEGORY, period_label
from app.performance.rating import PREDIKAT_LABELS, PREDIKAT_ORDER, RATING_LABELS

from . import rules, services
from .rules import RATING_ORDER
from .scope import make_viewer

PAGE_SIZE = 50


def current_viewer():
    """The signed-in person for the rater scope (their chain above them read once per request)."""
    scope = current_app.appbuilder.sm.current_scope()
    cached = g.get("rater_bias_viewer")
    if cached is not None and cached.scope is scope:
        return cached
    g.rater_bias_viewer = make_viewer(db.session, scope)
    return g.rater_bias_viewer


class _UnitPicker(Form):
    unit = AjaxSelectField(_l("Unit"), kind="unit")


def _arg_int(name) -> Optional[int]:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not is_record_id(raw):
        abort(404)
    return int(raw)


def _year(default: Optional[int]) -> int:
    raw = (request.args.get("year") or "").strip()
    if raw.isascii() and raw.isdigit() and rules.YEAR_MIN <= int(raw) <= rules.YEAR_MAX:
        return int(raw)
    return default or date.today().year


def _sort() -> str:
    value = request.args.get("sort") or "departure"
    return value if value in services.SORTS else "departure"


def _page() -> int:
    raw = (request.args.get("page") or "1").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100000 else 1


class Filters:
    """The filters of the request, checked: an unknown period or unit is a 404."""

    def __init__(self, viewer):
        self.years, default_year = services.years(db.session)
        self.year = _year(default_year)
        self.periods = services.periods_of_year(db.session, self.year)
        self.period = None
        period_id = _arg_int("period")
        if period_id is not None:
            self.period = next((p for p in self.periods if p.id == period_id), None)
            if self.period is None:
                abort(404)
        self.unit_id = _arg_int("unit")
        self.flagged_only = request.args.get("flagged") == "1"
        self.sort = _sort()
        self.units = services.unit_tree(db.session)
        if self.unit_id is not None and not services.unit_allowed(self.units, viewer, self.unit_id):
            abort(404)
        self.viewer = viewer

    @property
    def can_pick_unit(self) -> bool:
        """The unit filter: the whole city, or a Pimpinan's subtree (an Atasan's raters are their chain)."""
        return self.viewer.everything or bool(self.viewer.scope.unit_root_id)

    @property
    def query(self) -> dict:
        return {"year": self.year, "period": self.period.id if self.period else None, "unit": self.unit_id,
                "flagged": "1" if self.flagged_only else None, "sort": self.sort if self.sort != "departure" else None}

    def picker(self):
        form = _UnitPicker(meta={"csrf": False})
        if self.unit_id is not None:
            form.unit.data = SimpleNamespace(id=self.unit_id, name=self.units[self.unit_id][0], code="")
        return form

    def analyse(self, rater_id=None):
        return services.analyse(db.session, self.viewer, self.year, self.period.id if self.period else None,
                                units=self.units, rater_id=rater_id)


def _pct(value) -> str:
    return rules.percent(value)


def _signed(value) -> str:
    return "–" if value is None else f"{value:+.2f}"


def flag_labels(row) -> str:
    return "; ".join(str(f.flag.label) for f in row.assessment.findings)


def csv_headers() -> list:
    return [_("NIP"), _("Rater"), _("Unit"), _("Unit (OPD)"), _("Employees rated"), _("Evaluations"),
            _("Mean rating"), _("Unit mean"), _("City mean"), _("Difference vs unit (d)"),
            _("Difference vs city (d)"), _("Di Atas Ekspektasi"), _("Sesuai Ekspektasi"), _("Di Bawah Ekspektasi"),
            _("Self-rated evaluations"), _("Gap with self-assessments"), _("Flags"), _("Reasons")]


def csv_row(row, city) -> list:
    t, a = row.tally, row.assessment

    def num(v, places=2):
        return "" if v is None else round(v, places)

    return [row.nip, row.name, row.unit_name, row.opd_name, t.ratees, t.evaluations, num(t.mean),
            num(row.unit_tally.mean if row.unit_tally else None), num(city.mean), num(a.d), num(row.d_city),
            _pct(t.share(RATING_ORDER[0])), _pct(t.share(RATING_ORDER[1])), _pct(t.share(RATING_ORDER[2])),
            t.self_rated, num(t.mean_gap), flag_labels(row), " ".join(f.text for f in a.findings)]


class RaterBiasView(BaseView):
    route_base = "/rater-bias"
    class_permission_name = "RaterBias"
    method_permission_name = {"index": "read", "show": "read", "export": "export", "chart_csv": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        f = Filters(current_viewer())
        analysis = f.analyse()
        rows = services.sort_rows(services.filter_rows(analysis.rows, f.units, f.unit_id, f.flagged_only), f.sort)
        total = len(rows)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(_page(), pages)
        flagged = sum(1 for r in rows if r.flagged)
        return self.render_template(
            "portal/analytics/rater_bias.html", title=_l("Rating subjectivity"), f=f, rows=rows[
                (page - 1) * PAGE_SIZE: page * PAGE_SIZE], total=total, flagged=flagged, page=page, pages=pages,
            city=analysis.city, method=rules.method_items(), period_label=period_label, pct=_pct, signed=_signed,
            can_export=self.appbuilder.sm.has_access("can_export", "RaterBias"), rating=RATING_ORDER,
            rating_labels=RATING_LABELS, sorts=_sort_labels())

    @expose("/export.csv")
    @has_access
    def export(self):
        f = Filters(current_viewer())
        analysis = f.analyse()
        rows = services.sort_rows(services.filter_rows(analysis.rows, f.units, f.unit_id, f.flagged_only), f.sort)
        body = to_csv(csv_headers(), [csv_row(r, analysis.city) for r in rows])
        return _download(body, f"subjektivitas-penilaian-{f.year}.csv")

    def _one(self, pk):
        rater_id = record_id_or_404(pk)
        f = Filters(current_viewer())
        analysis = f.analyse(rater_id=rater_id)
        if not analysis.rows:
            abort(404)
        return f, analysis, analysis.rows[0]

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        f, analysis, row = self._one(pk)
        charts = rater_charts(row, analysis.city)
        return self.render_template(
            "portal/analytics/rater_bias_show.html", title=_l("Rating subjectivity: %(name)s", name=row.name),
            f=f, row=row, city=analysis.city, charts=charts, method=rules.method_items(), pct=_pct,
            signed=_signed, period_label=period_label, rating=RATING_ORDER, rating_labels=RATING_LABELS,
            min_ratees=rules.MIN_RATEES)

    @expose("/<pk>/chart/<name>.csv")
    @has_access
    def chart_csv(self, pk, name):
        f, analysis, row = self._one(pk)
        charts = dict(rater_charts(row, analysis.city))
        if name not in charts:
            abort(404)
        return _download(charts[name].csv(), f"subjektivitas-{name}-{row.nip}-{f.year}.csv")


def _sort_labels() -> list:
    return [("departure", _l("Departure")), ("name", _l("Name")), ("ratees", _l("Employees rated")),
            ("mean", _l("Mean rating"))]


def rater_charts(row, city) -> list:
    """[(name, Chart)]: the shares of each hasil-kerja rating, perilaku rating and predikat given by the rater,
    their unit (OPD) and the city (percent of the evaluations)."""
    unit = row.unit_tally
    series_names = (_("This rater"), _("Unit (OPD)"), _("City"))
    tallies = (row.tally, unit, city)

    def shares(getter, keys):
        return [(name, [None if t is None or getter(t, k) is None else round(getter(t, k) * 100, 1) for k in keys])
                for name, t in zip(series_names, tallies)]

    def hasil(t, r):
        return t.hasil_share(r)

    def perilaku(t, r):
        n = sum(t.perilaku.get(x, 0) for x in RATING_ORDER)
        return t.perilaku.get(r, 0) / n if n else None

    def predikat(t, p):
        return t.predikat_share(p)

    return [
        ("hasil", bar_chart(_("Rating hasil kerja given"), [str(RATING_LABELS[r]) for r in RATING_ORDER],
                            shares(hasil, RATING_ORDER), unit="%", max_value=100, category_label=_("Rating"))),
        ("perilaku", bar_chart(_("Rating perilaku kerja given"), [str(RATING_LABELS[r]) for r in RATING_ORDER],
                               shares(perilaku, RATING_ORDER), unit="%", max_value=100, category_label=_("Rating"))),
        ("predikat", bar_chart(_("Predikat given"), [str(PREDIKAT_LABELS[p]) for p in PREDIKAT_ORDER],
                               shares(predikat, PREDIKAT_ORDER), unit="%", max_value=100,
                               category_label=_("Predikat"))),
    ]


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register(appbuilder):
    appbuilder.add_view(RaterBiasView, "Rater Bias", label=_l("Rating subjectivity"), icon="fa-balance-scale",
                        category=CATEGORY)
