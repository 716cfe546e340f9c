"""The cascade's links (app/performance/admin_views.py ``cascade_url_builder``) are the URLs ``url_for`` builds."""
from __future__ import annotations

from flask import url_for


def test_cascade_links_are_the_urls_url_for_builds(app):
    from app.performance.admin_views import cascade_url_builder

    for script_root in ("", "/kinerja"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
            url = cascade_url_builder(url_for("CascadeView.index"))
            for params in ({}, {"unit": 7, "year": 2026}, {"year": 2026, "unit": 7}, {"page": None, "unit": 3},
                           {"lead": 12, "unit": 4, "year": 2025}, {"lead": None, "unit": 4, "year": 2025},
                           {"page": 3, "unit": 4, "year": 2025, "lead": 9}, {"unit": 1, "year": 2026, "page": None}):
                assert url(**params) == url_for("CascadeView.index", **params), params
            assert url(unit=7, year=2026).startswith(f"{script_root}/cascade/?")
