"""Dashboards (app/dashboards) in the generated access matrix (tests/test_access_matrix.py).

Record kind ``dunit``: the unit whose subtree the dashboard shows (``?unit=<id>``). Own / in scope / out of scope:
Admin and Pengelola Kinerja: Bidang P2P (the whole city is theirs); Pimpinan (Ahmad, head of Dinas Kesehatan):
own = Dinas Kesehatan, in = Bidang P2P, out = Dinas Pendidikan (404); Atasan, Pegawai, Pelatih: no permission
(403); anonymous: sign in. An answer shows the unit by its name (the first row is the unit's own staff, the
CSV and the API carry the same rows). Every section, every chart's CSV and the API are run.

``add_rows(ACCESS, RECORDS)`` is called at the end of tests/access_matrix.py; ``install(namespace)`` at the end
of tests/test_access_matrix.py.
"""
from __future__ import annotations

YEAR = 2025

_UNITS = {"Admin": (None, "p2p", None), "Pengelola Kinerja": (None, "p2p", None),
          "Pimpinan": ("dinkes", "p2p", "disdik"), "Atasan": (None, None, "p2p"), "Pegawai": (None, None, "p2p"),
          "Pelatih": (None, None, "p2p"), "anonymous": (None, None, "p2p")}

READERS = ("-A-", "-A-", "AAN", "F", "F", "F", "L")
ROWS = {
    "DashboardView.index GET": ("R", "R", "R", "F", "F", "F", "L"),  # → the first section
    "DashboardView.section GET": READERS,
    "DashboardView.csv GET": READERS,
    "DashboardApi.get_section GET": READERS,
}
MODEL_OF_VIEW = {"DashboardView": "dunit", "DashboardApi": "dunit"}
# the sections and their charts: every one is requested by the cell (each must answer the same)
SECTIONS = {"compliance": "plans", "predikat": "distribution", "training": "jp", "satisfaction": "ikm"}


def add_rows(access: dict, records: dict) -> None:
    for role, units in _UNITS.items():
        records[role]["dunit"] = units
    access.update(ROWS)


def _build(world, case_class, key, role, kind):
    from access_matrix import RECORDS

    endpoint, _, _rest = key.partition(" ")
    view, _, handler = endpoint.partition(".")
    rec_key = RECORDS[role]["dunit"][("own", "in", "out").index(kind)] if kind else None
    unit = world.org.units[rec_key] if rec_key else None
    query = f"year={YEAR}" + (f"&unit={unit.id}" if unit is not None else "")
    n = next(world.__dict__.setdefault("_dashboard_seq", iter(range(10 ** 6))))
    section = list(SECTIONS)[n % len(SECTIONS)]  # the cells go round the sections
    if handler == "index":
        return case_class("GET", f"/dashboards/?{query}")
    if handler == "section":
        return case_class("GET", f"/dashboards/{section}/?{query}", target_model="unit", target=unit)
    if handler == "csv":
        return case_class("GET", f"/dashboards/{section}/{SECTIONS[section]}.csv?{query}", target_model="unit",
                          target=unit if section != "satisfaction" else None)  # IKM rows: service units only
    if handler == "get_section":
        return case_class("GET", f"/api/v1/dashboard/{section}?{query}", target_model="unit",
                          target=unit if section != "satisfaction" else None)
    raise AssertionError(key)


def install(namespace: dict) -> None:
    """Hook the dashboard rows into tests/test_access_matrix.py (its build and view → kind map)."""
    from access_hooks import hook_area

    hook_area(namespace, model_of_view=MODEL_OF_VIEW,
              build=lambda world, case_class, key, role, kind, token: _build(world, case_class, key, role, kind))
