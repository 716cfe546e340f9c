"""app.core.charts: server-rendered SVG charts with the table and CSV of the same numbers."""
import csv
import io
import re
from decimal import Decimal

import pytest

from app.core.charts import PALETTE, bar_chart, contrast_ratio, line_chart, stacked_bar_chart


def _csv_rows(data: bytes):
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_bar_chart_table_and_csv_carry_the_same_numbers():
    c = bar_chart("JP", ["Dinas A", "Dinas B"], [("Coverage", [Decimal("82.50"), 40]), ("Other", [None, 3])],
                  unit="%", reference=("Target", 100), category_label="Unit")
    assert c.headers == ["Unit", "Coverage", "Other", "Target"]
    assert c.rows == [["Dinas A", 82.5, None, 100], ["Dinas B", 40, 3, 100]]
    assert _csv_rows(c.csv()) == [["Unit", "Coverage", "Other", "Target"], ["Dinas A", "82.5", "", "100"],
                                  ["Dinas B", "40", "3", "100"]]
    svg = str(c.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    # one bar per non-empty value, with its value and a tooltip
    assert re.findall(r'data-value="([^"]+)"', svg) == ["82.5", "40", "3"]
    assert re.search(r"Dinas A — Coverage: 82[.,]5%", svg)  # locale decimal separator
    assert 'data-reference="100"' in svg


def test_values_and_labels_are_escaped():
    c = bar_chart("<b>x</b>", ["<script>alert(1)</script>"], [("=cmd", [1])])
    svg = str(c.svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg
    assert _csv_rows(c.csv())[0][1] == "'=cmd"  # formula injection guarded by app.core.export


def test_stacked_percent_and_per_category_reference():
    c = stacked_bar_chart("Predikat", ["A", "B"], [("Good", [3, 0]), ("Poor", [1, 4])], percent=True,
                          reference=("Curve", [50, 50]))
    svg = str(c.svg)
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="[^"]+" fill="#', svg)[1:]]
    # A: 75 % + 25 %, B: 100 % -> same total length for both bars
    assert abs((widths[0] + widths[1]) - widths[2]) < 0.2
    assert svg.count("data-reference=") == 2
    assert c.rows == [["A", 3, 1, 50], ["B", 0, 4, 50]]


def test_line_chart_leaves_gaps_for_missing_values():
    c = line_chart("IKM", [2022, 2023, 2024, 2025], [("Unit", [80, None, 82.25, 83])], y_min=0, y_max=100)
    svg = str(c.svg)
    assert svg.count("<circle cx") - 1 == 3  # minus the legend marker
    assert svg.count("<polyline") == 1  # 2022 alone, then 2024-2025
    assert c.headers[1:] == ["Unit"] and c.rows[1] == ["2023", None]


def test_empty_chart_says_so():
    c = bar_chart("Nothing", ["A"], [("x", [None])])
    from flask_babel import gettext

    assert c.empty and gettext("No data for this selection.") in str(c.svg)  # in the UI language
    assert not bar_chart("Some", ["A"], [("x", [0])]).empty


def test_series_length_must_match():
    with pytest.raises(ValueError):
        bar_chart("x", ["A", "B"], [("s", [1])])


def test_palette_contrast_against_white():
    assert all(contrast_ratio(c) >= 3 for c in PALETTE)
    assert len(set(PALETTE)) == len(PALETTE)
