"""Dashboard journeys in a real browser (see README.md): a Pimpinan opens the dashboards from the menu and every
chart of every section draws (server-rendered SVG: no failed request, no request to another host, no console
error — the `journey` fixture checks all three), the table view opens, the CSV downloads, and a unit outside the
Pimpinan's subtree is refused. A plain Pegawai has no dashboard menu and is refused.

Nothing is written: the journeys read the seeded city as it is.
"""
from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.browser

SECTIONS = ("compliance", "predikat", "training", "satisfaction")


def _charts_drawn(j) -> int:
    """Every chart of the page is an inline SVG with a title and a visible size; returns how many."""
    charts = j.page.locator("figure.portal-chart-figure svg.portal-chart")
    n = charts.count()
    for i in range(n):
        svg = charts.nth(i)
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 30, f"chart {i} not drawn: {box}"
        assert svg.locator("title").first.text_content().strip()
        assert svg.get_attribute("role") == "img"
    return n


def test_pimpinan_opens_every_dashboard_and_every_chart_draws(journey):
    j, city = journey, journey.city
    if not j.portal.has_endpoint("DashboardView.section"):
        pytest.skip("the dashboards are not part of this build")
    j.login("kadis")
    j.switch_language("en")
    j.menu("/dashboards/")
    assert j.page.url.rstrip("/").endswith("/dashboards/compliance") or "/dashboards/compliance/" in j.page.url
    for section in SECTIONS:
        j.visit(f"/dashboards/{section}/")
        assert _charts_drawn(j) >= 2, section
        text = j.text()
        assert "Dinas Kesehatan" in text
        assert not city.unit_names("disdik") & {line.strip() for line in text.splitlines()}
        j.shot(section)
    # the table view of a chart opens without script (a <details>)
    j.visit("/dashboards/compliance/")
    first = j.page.locator("figure.portal-chart-figure").first
    first.locator("details summary").click()
    rows = first.locator("details table tbody tr")
    assert rows.count() >= 1 and rows.first.is_visible()
    table = [[c.strip() for c in rows.nth(i).locator("th, td").all_inner_texts()] for i in range(rows.count())]
    j.shot("table")
    # the CSV download carries the same rows as the table
    link = first.locator("a.portal-chart-csv")
    assert link.get_attribute("download") is not None
    answer = j.page.request.get(j.portal.url(link.get_attribute("href")))  # the browser's session cookie
    assert answer.status == 200 and "attachment" in answer.headers["content-disposition"]
    body = answer.body().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1:] == table
    # a unit outside the subtree is refused (404), the filter form keeps working
    disdik = city.units["disdik"][0]
    j.visit(f"/dashboards/compliance/?unit={disdik}", status=404)
    j.visit("/dashboards/training/")
    j.click("form.portal-dashboard-filters button[type=submit]")
    assert _charts_drawn(j) >= 2


def test_pegawai_has_no_dashboard(journey):
    j = journey
    if not j.portal.has_endpoint("DashboardView.section"):
        pytest.skip("the dashboards are not part of this build")
    j.login("staff1")
    assert "/dashboards/" not in j.nav_hrefs()
    with j.expect_status(403):
        j.page.goto(j.portal.url("/dashboards/compliance/"))
