"""Dashboards (*dasbor*) for Pimpinan, Pengelola Kinerja and Admin: compliance with the deadlines of the
performance cycle, the predikat distribution against the curve of the organisation rating and its trend,
training (JP coverage, attendance, sessions per topic) and socialization reach, and public satisfaction (IKM).
Every chart is server-rendered SVG (app.core.charts) with its table and a CSV download: nothing is loaded from
another host and no JavaScript is needed.

* ``rules``    — pure helpers (branches of the unit tree, rates, years);
* ``services`` — the aggregate queries (GROUP BY unit; a handful per page, none per row);
* ``panels``   — the sections as charts (shared by the screens, the CSV downloads and the API);
* ``views``    — the screens /dashboards/<section>/ and /dashboards/<section>/<chart>.csv;
* ``api``      — GET /api/v1/dashboard/<section> (the charts' tables as JSON).
"""


def register(appbuilder):
    """Menu, screens and REST API of the dashboards (called by the app factory)."""
    from . import api, views

    views.register(appbuilder)
    api.register(appbuilder)
