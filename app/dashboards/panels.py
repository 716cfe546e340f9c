"""The dashboards' sections as charts (app.core.charts): the figures of ``services`` turned into titled,
translated charts. Shared by the screens (views.py), their CSV downloads and the REST API (api.py), so the
three always show the same numbers. No request handling here: the caller passes the filters.

Sections and their charts (keys are stable: they name the CSV downloads and the API's objects):

* ``compliance``: ``plans`` (SKP of the year submitted, on time, approved, % of active employees),
  ``evaluations`` (evaluations of the period rated, final, final by the period's closing date);
* ``predikat``: ``distribution`` (share of each predikat per unit, with the organisation rating; the
  departures from its curve are listed beside it), ``trend`` (share of each predikat per year);
* ``training``: ``jp`` (employees reaching their JP target), ``attendance`` (present / excused at closed
  sessions), ``topics`` (sessions and participants present per topic), ``reach`` (employees who confirmed
  reading socialization material);
* ``satisfaction``: ``ikm`` (IKM of the year per service unit), ``respondents`` (respondents and quality grade of
  the year), ``ikm_trend`` (IKM per year).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext as _

from app.core.charts import bar_chart, line_chart, stacked_bar_chart
from app.performance import distribution
from app.performance.rating import ORG_RATING_LABELS, PREDIKAT_ORDER, OrgRating

from . import rules, services

SECTIONS = ("compliance", "predikat", "training", "satisfaction")
IKM_TREND_MAX_UNITS = 8  # lines on the IKM trend chart (the units with the most respondents)


@dataclass
class Filters:
    year: int
    root_id: Optional[int]
    root_name: str
    period: object = None  # performance Period row (compliance, predikat)


@dataclass
class Section:
    name: str
    charts: dict  # key -> Chart, in display order
    notes: dict = field(default_factory=dict)  # key -> sentence under the chart
    extra: dict = field(default_factory=dict)  # section-specific tables for the template


def _names(tree: services.Tree) -> list:
    own = _("%(unit)s (own staff)")
    return [own % {"unit": tree.names[b]} if b == tree.head_id else tree.names[b] for b in tree.branches]


def _pct(values):
    return [None if v is None else float(v) for v in values]


def _cap(series_lists):
    """100 as the scale end unless a value is above it (plans of people who moved)."""
    top = max([v for s in series_lists for v in s if v is not None] or [0])
    return 100 if top <= 100 else None


def compliance(session, tree, f: Filters) -> Section:
    figures = services.compliance(session, tree, f.year, f.period)
    rows = [figures[b] for b in tree.branches]
    names = _names(tree)
    submitted = _pct([rules.rate(c.submitted, c.employees) for c in rows])
    on_time = _pct([rules.rate(c.on_time, c.employees) for c in rows])
    approved = _pct([rules.rate(c.approved, c.employees) for c in rows])
    plans = bar_chart(_("Performance plans (SKP) %(year)s", year=f.year), names,
                      [(_("Submitted"), submitted), (_("Submitted by the deadline"), on_time),
                       (_("Approved"), approved)], unit="%", category_label=_("Unit"),
                      max_value=_cap([submitted, on_time, approved]))
    rated = _pct([rules.rate(c.rated, c.evaluations) for c in rows])
    final = _pct([rules.rate(c.final, c.evaluations) for c in rows])
    final_on_time = _pct([rules.rate(c.final_on_time, c.evaluations) for c in rows])
    period_name = _period_label(f.period)
    evaluations = bar_chart(_("Evaluations %(period)s", period=period_name), names,
                            [(_("Rated"), rated), (_("Final"), final),
                             (_("Final by the closing date"), final_on_time)],
                            unit="%", category_label=_("Unit"), max_value=100)
    from app.performance.deadlines import skp_submission_deadline
    from flask_babel import format_date

    deadline = format_date(skp_submission_deadline(f.year), "d MMMM y")
    closes = format_date(f.period.closes_on, "d MMMM y") if f.period is not None and f.period.closes_on else None
    totals = services.Compliance.from_list([sum(v) for v in zip(*[c.as_list() for c in rows])] if rows else [])
    return Section("compliance", {"plans": plans, "evaluations": evaluations}, notes={
        "plans": _("Share of the active employees whose current plan of the year is submitted (or approved); "
                   "the deadline is %(deadline)s.", deadline=deadline),
        "evaluations": (_("Share of the evaluations opened for the period; the period closes on %(date)s.",
                          date=closes) if closes else
                        _("Share of the evaluations opened for the period; the period has no closing date."))},
        extra={"totals": totals, "figures": list(zip(names, rows))})


def _period_label(period) -> str:
    if period is None:
        return "—"
    from app.performance.admin_views import period_label

    return period_label(period)


def _rating_label(code) -> str:
    return str(ORG_RATING_LABELS[OrgRating(code)]) if code in OrgRating.__members__ else _("no rating")


def predikat(session, tree, f: Filters) -> Section:
    counts = services.predikat_by_branch(session, tree, f.period)
    ratings = services.org_ratings(session, tree, f.period)
    names = _names(tree)
    labels = [f"{n} · {_rating_label(ratings[b])}" for n, b in zip(names, tree.branches)]
    series = [(str(p.label), [counts[b].get(p, 0) for b in tree.branches]) for p in PREDIKAT_ORDER]
    dist = stacked_bar_chart(_("Predikat of the staff, %(period)s", period=_period_label(f.period)), labels,
                             series, percent=True, category_label=_("Unit · organisation rating"))
    curve = []
    for name, b in zip(names, tree.branches):
        total = sum(counts[b].values())
        warnings = [str(w) for w in distribution.check_distribution(ratings[b], counts[b])] if total else []
        curve.append({"unit": name, "rating": _rating_label(ratings[b]), "total": total, "warnings": warnings,
                      "expected": [str(d) for d in distribution.describe_rules(ratings[b])] if ratings[b] else []})
    years = rules.year_range(f.year)
    trend_counts = services.predikat_trend(session, tree, years)
    trend_series = []
    for p in PREDIKAT_ORDER:
        values = []
        for y in years:
            total = sum(trend_counts[y].values())
            values.append(None if not total else float(rules.rate(trend_counts[y].get(p, 0), total)))
        trend_series.append((str(p.label), values))
    trend = line_chart(_("Predikat over the years (annual evaluations)"), [str(y) for y in years], trend_series,
                       y_min=0, y_max=100, unit="%", category_label=_("Year"))
    return Section("predikat", {"distribution": dist, "trend": trend}, notes={
        "distribution": _("Final evaluations of the period; every bar is the whole of the unit's rated staff. The "
                          "list below compares each unit with the curve for its organisation rating."),
        "trend": _("Share of each predikat among the final annual evaluations of the year.")},
        extra={"curve": curve})


def training(session, tree, f: Filters, viewer) -> Section:
    names = _names(tree)
    jp = services.jp_coverage(session, tree, viewer, f.year)
    att = services.attendance(session, tree, f.year)
    reach = services.socialization_reach(session, tree, f.year)
    topics = services.sessions_per_topic(session, tree, f.year)
    coverage = _pct([rules.rate(jp[b][1], jp[b][0]) for b in tree.branches])
    average = [round(jp[b][2] / jp[b][0], 1) if jp[b][0] else None for b in tree.branches]
    jp_chart = bar_chart(_("JP coverage %(year)s", year=f.year), names,
                         [(_("Employees reaching their JP target"), coverage)], unit="%",
                         category_label=_("Unit"), max_value=100)
    jp_avg = bar_chart(_("JP per employee %(year)s", year=f.year), names, [(_("Average JP"), average)],
                       category_label=_("Unit"))
    present = _pct([rules.rate(att[b][1], att[b][0]) for b in tree.branches])
    excused = _pct([rules.rate(att[b][2], att[b][0]) for b in tree.branches])
    attendance = bar_chart(_("Attendance at closed sessions %(year)s", year=f.year), names,
                           [(_("Present"), present), (_("Excused"), excused)], unit="%",
                           category_label=_("Unit"), max_value=100)
    from app.training.rules import SessionKind

    def topic_name(name, kind):
        label = str(SessionKind(kind).label) if kind in SessionKind.__members__ else kind
        return f"{name or _('No topic')} ({label})"

    topic_chart = bar_chart(_("Sessions per topic %(year)s", year=f.year), [topic_name(n, k) for n, k, _s, _p in topics],
                            [(_("Sessions"), [s for _n, _k, s, _p in topics]),
                             (_("Participants present"), [p for _n, _k, _s, p in topics])],
                            category_label=_("Topic"))
    reach_chart = bar_chart(_("Socialization reach %(year)s", year=f.year), names,
                            [(_("Employees who confirmed reading material"),
                              _pct([rules.rate(reach[b][1], reach[b][0]) for b in tree.branches]))],
                            unit="%", category_label=_("Unit"), max_value=100)
    return Section("training", {"jp": jp_chart, "jp_average": jp_avg, "attendance": attendance,
                                "topics": topic_chart, "reach": reach_chart}, notes={
        "jp": _("Active employees whose JP of the year (attended sessions and verified external trainings) "
                "reaches the target of their ASN type."),
        "attendance": _("Participants of the sessions closed in the year, by their unit at the invitation."),
        "topics": _("Sessions starting in the year with their participants present."),
        "reach": _("Active employees who confirmed reading at least one socialization material in the year.")})


def satisfaction(session, tree, f: Filters) -> Section:
    years = rules.year_range(f.year)
    series = services.satisfaction(session, tree, years)
    by_unit: dict = {}
    for item in series:
        by_unit.setdefault(item["unit_id"], {"name": item["unit_name"], "years": {}})["years"][item["year"]] = item
    units = list(by_unit.values())
    names = [u["name"] for u in units]
    latest = bar_chart(_("Public satisfaction index (IKM) %(year)s", year=f.year), names,
                       [(_("IKM"), [u["years"].get(f.year, {}).get("ikm") for u in units])],
                       category_label=_("Service unit"), max_value=100)
    grades = bar_chart(_("Respondents %(year)s", year=f.year),
                       [f'{u["name"]} · {_("grade")} {u["years"].get(f.year, {}).get("grade") or "–"}' for u in units],
                       [(_("Respondents"), [u["years"].get(f.year, {}).get("respondents", 0) for u in units])],
                       category_label=_("Service unit · quality grade"))
    busiest = sorted(units, key=lambda u: (-sum(i["respondents"] for i in u["years"].values()), u["name"]))
    trend = line_chart(_("IKM over the years"), [str(y) for y in years],
                       [(u["name"], [u["years"].get(y, {}).get("ikm") for y in years])
                        for u in busiest[:IKM_TREND_MAX_UNITS]], y_min=0, y_max=100, category_label=_("Year"))
    return Section("satisfaction", {"ikm": latest, "respondents": grades, "ikm_trend": trend}, notes={
        "ikm": _("IKM = the mean of the nine elements' averages × 25 (quality grade A–D); service units only."),
        "ikm_trend": _("The service units with the most respondents (at most %(n)d).", n=IKM_TREND_MAX_UNITS)})


def build(name: str, session, tree, f: Filters, viewer) -> Section:
    if name == "compliance":
        return compliance(session, tree, f)
    if name == "predikat":
        return predikat(session, tree, f)
    if name == "training":
        return training(session, tree, f, viewer)
    if name == "satisfaction":
        return satisfaction(session, tree, f)
    raise KeyError(name)
