"""Server-rendered SVG charts (no JavaScript, no request to another host).

FAB's chart views load Google's code from the internet and are not used. A chart here is plain data turned
into inline SVG on the server, together with the table of the same numbers and its CSV, so every chart
works offline, without JavaScript, for a screen reader and in print.

API (stable; used by the dashboards and the rater-bias pages)::

    from app.core.charts import bar_chart, stacked_bar_chart, line_chart

    c = bar_chart(_("JP coverage"), ["Dinas A", "Dinas B"], [(_("Coverage"), [82.5, 40])],
                  unit="%", reference=(_("Target"), 100), category_label=_("Unit"))
    c.svg        # Markup: <svg role="img" ...> with <title>, <desc>, a <title> per bar (tooltip)
    c.headers    # ["Unit", "Coverage", "Target"]
    c.rows       # [["Dinas A", 82.5, 100], ["Dinas B", 40, 100]]
    c.csv()      # bytes, UTF-8 with BOM (app.core.export.to_csv): exactly headers + rows
    c.empty      # True when there is no number to draw (the macro shows a sentence instead)

- ``series`` is a list of ``(name, values)`` pairs (or a dict name -> values), one value per category;
  a value may be ``None`` (no data: drawn as nothing, shown as an empty cell).
- ``bar_chart``: horizontal grouped bars (category labels on the left, so long unit names fit).
  ``reference`` is ``(label, number)`` for one reference line across the chart, or ``(label, [numbers])``
  for a marker per category (e.g. the expected share of the curve). ``max_value`` fixes the scale end
  (e.g. 100 for percentages).
- ``stacked_bar_chart``: horizontal stacked bars; ``percent=True`` scales every bar to 100 %% (the table
  keeps the counts and adds nothing). ``reference`` as for ``bar_chart`` but per category only.
- ``line_chart``: categories on the x axis (years, periods), one line per series, ``y_min``/``y_max`` fix the
  scale.
- ``title``, series names and ``category_label`` are given already translated (``_()``) by the caller;
  the chart's own words (legend, "no data") go through Babel too.

Colours: every series colour has a contrast ratio of at least 3:1 against the white background (WCAG 1.4.11,
non-text contrast) and the palette stays distinguishable for the common colour-vision deficiencies; the
legend, the per-bar tooltips and the table carry the same information without colour.
Presentation attributes only, no script (the CSP allows no inline script; the one inline ``style`` lets the chart
shrink on a phone, which the CSP's style-src allows). Nothing refers to another file or host.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Sequence

from markupsafe import Markup, escape

from app.core.export import to_csv

# Dark, saturated colours: each >= 3:1 against white (tests/unit/test_charts.py checks it).
PALETTE = (
    "#1f5fa8",  # blue
    "#c2410c",  # dark orange
    "#047857",  # green
    "#7e22ce",  # purple
    "#b91c1c",  # red
    "#0e7490",  # teal
    "#854d0e",  # brown
    "#4b5563",  # grey
)
TEXT = "#1f2937"
GRID = "#d1d5db"
REFERENCE = "#111827"

WIDTH = 760  # natural width in CSS pixels; narrower screens scale the chart down (max-width: 100%)
FONT = 12
_ids = itertools.count(1)


def _t(key: str) -> str:
    """The chart's own words in the UI language (gettext works outside a request too: English then)."""
    from flask_babel import gettext as _

    words = {
        "category": lambda: _("Category"),
        "desc": lambda: _("Chart; the same numbers are in the table below it."),
        "empty": lambda: _("No data for this selection."),
    }
    return words[key]()


def _num(value):
    """Numbers for the table/CSV: Decimal -> float/int, None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else round(value, 2)
    return value


def fmt(value, unit: str = "") -> str:
    """A number as shown in the chart (locale decimal separator when Babel is available)."""
    if value is None:
        return "–"
    value = _num(value)
    try:
        from flask_babel import format_decimal

        text = format_decimal(value, format="#,##0.##")
    except Exception:  # noqa: BLE001 - outside a request
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return f"{text} {unit}".strip() if unit and unit != "%" else f"{text}{unit}"


def _normalise_series(series) -> list[tuple[str, list]]:
    items = series.items() if isinstance(series, dict) else series
    return [(str(name), [_num(v) for v in values]) for name, values in items]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40] or "chart"


def _trim(label: str, limit: int) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    base = 10**exp
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base:
            return step * base
    return 10 * base


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    step = _nice_max(span / count)
    start = math.ceil(lo / step) * step
    out, v = [], start
    while v <= hi + step * 1e-9:
        out.append(round(v, 10))
        v += step
    return out


@dataclass
class Chart:
    kind: str
    title: str
    categories: list[str]
    series: list[tuple[str, list]]
    unit: str = ""
    category_label: str = ""
    reference: tuple | None = None
    options: dict = field(default_factory=dict)
    id: str = ""

    def __post_init__(self):
        self.categories = [str(c) for c in self.categories]
        for name, values in self.series:
            if len(values) != len(self.categories):
                raise ValueError(f"series {name!r} has {len(values)} values for {len(self.categories)} categories")
        if self.reference is not None:
            label, ref = self.reference
            if isinstance(ref, (list, tuple)):
                ref = [_num(v) for v in ref]
                if len(ref) != len(self.categories):
                    raise ValueError("reference has not one value per category")
            else:
                ref = _num(ref)
            self.reference = (str(label), ref)
        if not self.id:
            self.id = f"chart-{_slug(self.title)}-{next(_ids)}"

    # -- the table view (same numbers as the drawing) ---------------------------------------------------
    @property
    def headers(self) -> list[str]:
        head = [self.category_label or _t("category")] + [name for name, _ in self.series]
        if self.reference is not None:
            head.append(self.reference[0])
        return head

    @property
    def rows(self) -> list[list]:
        out = []
        for i, cat in enumerate(self.categories):
            row = [cat] + [values[i] for _, values in self.series]
            if self.reference is not None:
                ref = self.reference[1]
                row.append(ref[i] if isinstance(ref, list) else ref)
            out.append(row)
        return out

    def csv(self) -> bytes:
        return to_csv(self.headers, self.rows)

    @property
    def empty(self) -> bool:
        return not any(v is not None for _, values in self.series for v in values)

    # -- drawing ---------------------------------------------------------------------------------------
    @property
    def svg(self) -> Markup:
        if self.kind == "line":
            return _draw_line(self)
        return _draw_bars(self)

    def __html__(self):
        return self.svg


def _legend(chart: Chart, y: float, items: Sequence[tuple[str, str, str]]) -> tuple[list[str], float]:
    """items: (label, colour, shape 'box'|'line'|'ref'). Returns svg parts and the height used."""
    parts, x, line = [], 8.0, 0
    for label, colour, shape in items:
        w = 22 + len(label) * FONT * 0.55 + 14
        if x + w > WIDTH - 8 and x > 8:
            x, line = 8.0, line + 1
        yy = y + line * 18
        if shape == "box":
            parts.append(f'<rect x="{x:.1f}" y="{yy - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        elif shape == "ref":
            parts.append(f'<line x1="{x + 6:.1f}" y1="{yy - 12:.1f}" x2="{x + 6:.1f}" y2="{yy + 4:.1f}" '
                         f'stroke="{colour}" stroke-width="2" stroke-dasharray="4 2"/>')
        else:
            parts.append(f'<line x1="{x:.1f}" y1="{yy - 4:.1f}" x2="{x + 14:.1f}" y2="{yy - 4:.1f}" '
                         f'stroke="{colour}" stroke-width="3"/><circle cx="{x + 7:.1f}" cy="{yy - 4:.1f}" r="3" fill="{colour}"/>')
        parts.append(f'<text x="{x + 18:.1f}" y="{yy:.1f}" font-size="{FONT}" fill="{TEXT}">{escape(label)}</text>')
        x += w
    return parts, (line + 1) * 18


def _open(chart: Chart, height: float) -> list[str]:
    desc = _t("desc")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart portal-chart-{chart.kind}" id="{chart.id}" '
        f'role="img" aria-labelledby="{chart.id}-title {chart.id}-desc" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" style="max-width: 100%; height: auto" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" data-kind="{chart.kind}">',
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart.id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
    ]


def _empty_svg(chart: Chart) -> Markup:
    parts = _open(chart, 60)
    parts.append(f'<text x="{WIDTH / 2}" y="35" text-anchor="middle" font-size="{FONT + 1}" fill="{TEXT}">'
                 f'{escape(_t("empty"))}</text></svg>')
    return Markup("".join(parts))


def _draw_bars(chart: Chart) -> Markup:
    if chart.empty or not chart.categories:
        return _empty_svg(chart)
    stacked = chart.kind == "stacked"
    percent = stacked and chart.options.get("percent")
    n_series = len(chart.series)
    label_chars = min(34, max(len(c) for c in chart.categories))
    left = 10 + label_chars * FONT * 0.56
    right = 56
    plot_w = WIDTH - left - right
    band = 22 if (stacked or n_series == 1) else 8 + 12 * n_series
    top = 12
    legend_items = [(name, PALETTE[i % len(PALETTE)], "box") for i, (name, _) in enumerate(chart.series)]
    ref = chart.reference
    if ref is not None:
        legend_items.append((ref[0], REFERENCE, "ref"))
    show_legend = n_series > 1 or ref is not None
    plot_h = band * len(chart.categories)
    axis_y = top + plot_h

    # scale
    if percent:
        hi = 100.0
    elif stacked:
        hi = max(sum(v[i] or 0 for _, v in chart.series) for i in range(len(chart.categories)))
    else:
        hi = max((v or 0) for _, vals in chart.series for v in vals)
    if ref is not None and not percent:
        refs = ref[1] if isinstance(ref[1], list) else [ref[1]]
        hi = max([hi] + [r or 0 for r in refs])
    if chart.options.get("max_value") is not None:
        hi = float(chart.options["max_value"])
    elif not percent:
        hi = _nice_max(float(hi))
    scale = plot_w / hi if hi else 0

    legend_parts, legend_h = _legend(chart, axis_y + 40, legend_items) if show_legend else ([], 0)
    height = axis_y + 26 + (legend_h + 12 if show_legend else 6)
    parts = _open(chart, height)
    # grid + axis labels
    for t in _ticks(0, hi):
        x = left + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="{FONT - 1}" '
                     f'fill="{TEXT}">{escape(fmt(t, "%" if percent else chart.unit))}</text>')
    parts.append('<g class="portal-chart-bars">')
    for i, cat in enumerate(chart.categories):
        y0 = top + i * band
        parts.append(f'<g data-category="{escape(cat)}">')
        parts.append(f'<text x="{left - 6:.1f}" y="{y0 + band / 2 + 4:.1f}" text-anchor="end" font-size="{FONT}" '
                     f'fill="{TEXT}"><title>{escape(cat)}</title>{escape(_trim(cat, 34))}</text>')
        if stacked:
            total = sum(v[i] or 0 for _, v in chart.series)
            x = left
            for s, (name, values) in enumerate(chart.series):
                v = values[i]
                if not v:
                    continue
                share = (v / total * 100) if total else 0
                w = (share if percent else v) * scale
                tip = f"{cat} — {name}: {fmt(v, chart.unit)}" + (f" ({fmt(round(share, 1), '%')})" if percent else "")
                parts.append(f'<rect x="{x:.1f}" y="{y0 + 3:.1f}" width="{max(w, 0):.1f}" height="{band - 6:.1f}" '
                             f'fill="{PALETTE[s % len(PALETTE)]}" stroke="#ffffff" stroke-width="0.5" '
                             f'data-series="{escape(name)}" data-value="{v}"><title>{escape(tip)}</title></rect>')
                x += w
        else:
            bar_h = (band - 6) / n_series
            for s, (name, values) in enumerate(chart.series):
                v = values[i]
                if v is None:
                    continue
                w = max(v, 0) * scale
                y = y0 + 3 + s * bar_h
                tip = f"{cat} — {name}: {fmt(v, chart.unit)}"
                parts.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 1:.1f}" '
                             f'fill="{PALETTE[s % len(PALETTE)]}" data-series="{escape(name)}" data-value="{v}">'
                             f'<title>{escape(tip)}</title></rect>')
                parts.append(f'<text x="{left + w + 4:.1f}" y="{y + bar_h / 2 + 3:.1f}" font-size="{FONT - 2}" '
                             f'fill="{TEXT}" aria-hidden="true">{escape(fmt(v, chart.unit))}</text>')
        if ref is not None and isinstance(ref[1], list) and ref[1][i] is not None:
            x = left + min(ref[1][i], hi) * scale
            parts.append(f'<line x1="{x:.1f}" y1="{y0 + 1:.1f}" x2="{x:.1f}" y2="{y0 + band - 1:.1f}" '
                         f'stroke="{REFERENCE}" stroke-width="2" stroke-dasharray="4 2" data-reference="{ref[1][i]}">'
                         f'<title>{escape(cat)} — {escape(ref[0])}: {escape(fmt(ref[1][i], chart.unit))}</title></line>')
        parts.append("</g>")
    parts.append("</g>")
    if ref is not None and not isinstance(ref[1], list) and ref[1] is not None:
        x = left + min(ref[1], hi) * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y + 2}" stroke="{REFERENCE}" '
                     f'stroke-width="2" stroke-dasharray="6 3" data-reference="{ref[1]}">'
                     f'<title>{escape(ref[0])}: {escape(fmt(ref[1], chart.unit))}</title></line>')
    parts.append(f'<line x1="{left:.1f}" y1="{top}" x2="{left:.1f}" y2="{axis_y}" stroke="{TEXT}" stroke-width="1"/>')
    parts.extend(legend_parts)
    parts.append("</svg>")
    return Markup("".join(parts))


def _draw_line(chart: Chart) -> Markup:
    if chart.empty or not chart.categories:
        return _empty_svg(chart)
    values = [v for _, vals in chart.series for v in vals if v is not None]
    lo = chart.options.get("y_min")
    hi = chart.options.get("y_max")
    lo = float(min(0, min(values))) if lo is None else float(lo)
    hi = _nice_max(float(max(values))) if hi is None else float(hi)
    if hi <= lo:
        hi = lo + 1
    left, right, top = 56, 20, 14
    plot_h = 220
    plot_w = WIDTH - left - right
    axis_y = top + plot_h
    n = len(chart.categories)
    step = plot_w / max(n - 1, 1) if n > 1 else 0

    def px(i):
        return left + (i * step if n > 1 else plot_w / 2)

    def py(v):
        return axis_y - (min(max(v, lo), hi) - lo) / (hi - lo) * plot_h

    items = [(name, PALETTE[i % len(PALETTE)], "line") for i, (name, _) in enumerate(chart.series)]
    legend_parts, legend_h = _legend(chart, axis_y + 44, items)
    height = axis_y + 30 + legend_h + 12
    parts = _open(chart, height)
    for t in _ticks(lo, hi):
        y = py(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT - 1}" fill="{TEXT}">'
                     f'{escape(fmt(t, chart.unit))}</text>')
    every = max(1, math.ceil(n / 12))
    for i, cat in enumerate(chart.categories):
        if i % every == 0:
            parts.append(f'<text x="{px(i):.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="{FONT - 1}" '
                         f'fill="{TEXT}">{escape(_trim(cat, 14))}</text>')
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{WIDTH - right}" y2="{axis_y}" stroke="{TEXT}" stroke-width="1"/>')
    for s, (name, vals) in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        parts.append(f'<g data-series="{escape(name)}">')
        # a polyline per run of consecutive values (a gap where a value is missing)
        run: list[str] = []
        runs = []
        for i, v in enumerate(vals):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(f"{px(i):.1f},{py(v):.1f}")
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                parts.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, v in enumerate(vals):
            if v is None:
                continue
            tip = f"{name} — {chart.categories[i]}: {fmt(v, chart.unit)}"
            parts.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="4" '
                         f'fill="{colour}" data-value="{v}"><title>{escape(tip)}</title></circle>')
        parts.append("</g>")
    parts.extend(legend_parts)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title, categories: Iterable, series, unit: str = "", reference=None, *, category_label: str = "",
              max_value=None) -> Chart:
    """Horizontal grouped bars, one group per category (see the module docstring)."""
    return Chart("bar", str(title), list(categories), _normalise_series(series), unit=unit,
                 category_label=str(category_label), reference=reference, options={"max_value": max_value})


def stacked_bar_chart(title, categories: Iterable, series, unit: str = "", reference=None, *,
                      category_label: str = "", percent: bool = False) -> Chart:
    """Horizontal stacked bars; ``percent=True`` draws every bar as 100 % (the table keeps the numbers)."""
    return Chart("stacked", str(title), list(categories), _normalise_series(series), unit=unit,
                 category_label=str(category_label), reference=reference, options={"percent": percent})


def line_chart(title, categories: Iterable, series, y_min=None, y_max=None, *, unit: str = "",
               category_label: str = "") -> Chart:
    """One line per series over the categories (years, periods) on the x axis."""
    return Chart("line", str(title), list(categories), _normalise_series(series), unit=unit,
                 category_label=str(category_label), options={"y_min": y_min, "y_max": y_max})


def contrast_ratio(colour: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def lum(c):
        c = c.lstrip("#")
        rgb = [int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((lum(colour), lum(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
