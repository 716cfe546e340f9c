"""Rater-bias analytics (app/analytics) in the generated access matrix (tests/test_access_matrix.py).

Record kind ``rater``: a rater (pejabat penilai), keyed by the employee who rates, with one final evaluation of
2025 of a ratee. Own / in scope / out of scope per role:

* Admin, Pengelola Kinerja: Siti (kabid) — every rater;
* Pimpinan (Ahmad, kadis, head of Dinas Kesehatan): own = Ahmad as a rater (a rater never sees their own
  figures), in = Siti (below him, in his subtree), out = Hendra (kadisdik, another OPD);
* Atasan (Siti, kabid): own = Siti as a rater, in = Budi (staff1, below her, rating Dewi), out = Rudi (kapus, her
  peer: same supervisor);
* Pegawai, Pelatih: no permission; anonymous: sign in.

The pages show a rater as ``data-rater="<id>"`` (the navigation bar shows the signed-in user's NIP, so the
HTML pages are checked on the row marker), the CSV and the API by the rater's NIP.

``add_rows(ACCESS, RECORDS)`` is called at the end of tests/access_matrix.py; ``install(namespace)`` at the end
of tests/test_access_matrix.py.
"""
from __future__ import annotations

from datetime import date, datetime
from itertools import count

from sqlalchemy import select

YEAR = 2025
_seq = count(1)
RATEE_OF = {"kabid": "staff2", "kadisdik": "guru", "kadis": "kabid", "staff1": "staff2", "kapus": "perawat"}

_RATERS = {"Admin": (None, "kabid", None), "Pengelola Kinerja": (None, "kabid", None),
           "Pimpinan": ("kadis", "kabid", "kadisdik"), "Atasan": ("kabid", "staff1", "kapus"),
           "Pegawai": (None, None, "kabid"), "Pelatih": (None, None, "kabid"), "anonymous": (None, None, "kabid")}

LIST = ("-A-", "-A-", "HAH", "HAH", "F", "F", "L")
SHOW = ("-A-", "-A-", "NAN", "NAN", "F", "F", "L")
API_LIST = ("-A-", "-A-", "HAH", "HAH", "F", "F", "L")
API_GET = ("-A-", "-A-", "NAN", "NAN", "F", "F", "L")

ROWS = {
    "RaterBiasView.index GET": LIST,
    "RaterBiasView.export GET": LIST,
    "RaterBiasView.show GET": SHOW,
    "RaterBiasView.chart_csv GET": SHOW,
    "RaterBiasApi.get_list GET": API_LIST,
    "RaterBiasApi.get_rater GET": API_GET,
}
MODEL_OF_VIEW = {"RaterBiasView": "rater", "RaterBiasApi": "rater"}
MODELS = {"rater", "rater_nip"}


def add_rows(access: dict, records: dict) -> None:
    for role, people in _RATERS.items():
        records[role]["rater"] = people
    access.update(ROWS)


def rated_by(db, org, key):
    """A final 2025 evaluation whose plan is rated by employee ``key`` (the rater's record for the matrix)."""
    from app.performance.models import Evaluation, Period, Skp

    period = db.session.scalar(select(Period).where(Period.code == str(YEAR)))
    if period is None:
        period = Period(year=YEAR, kind="ANNUAL", number=1, code=str(YEAR), starts_on=date(YEAR, 1, 1),
                        ends_on=date(YEAR, 12, 31))
        db.session.add(period)
        db.session.flush()
    rater, ratee = org.employees[key], org.employees[RATEE_OF[key]]
    skp = Skp(employee_id=ratee.id, unit_id=ratee.unit_id, rater_id=rater.id, year=YEAR, status="DISETUJUI",
              revision=900 + next(_seq), is_current=False)
    db.session.add(skp)
    db.session.flush()
    db.session.add(Evaluation(skp_id=skp.id, period_id=period.id, status="FINAL", hasil_rating="SESUAI",
                              perilaku_rating="SESUAI", predikat="BAIK", finalised_at=datetime(YEAR + 1, 1, 20)))
    db.session.commit()
    return rater


def _obj(world, key):
    cache = world.__dict__.setdefault("_rater_records", {})
    if key not in cache:
        cache[key] = rated_by(world.db, world.org, key)
    return cache[key]


def _identity(model, record) -> str:
    return record.nip if model == "rater_nip" else f'data-rater="{record.id}"'


def _build(world, case_class, key, role, kind):
    from access_matrix import RECORDS

    endpoint, _, _rest = key.partition(" ")
    view, _, handler = endpoint.partition(".")
    rec_key = RECORDS[role]["rater"][("own", "in", "out").index(kind)] if kind else None
    rater = _obj(world, rec_key) if rec_key else None
    pk = rater.id if rater is not None else 999999
    if view == "RaterBiasApi":
        if handler == "get_list":
            return case_class("GET", f"/api/v1/rater_bias/?year={YEAR}&page_size=500", target_model="rater_nip",
                              target=rater, listing=True)
        return case_class("GET", f"/api/v1/rater_bias/{pk}?year={YEAR}", target_model="rater_nip", target=rater)
    if handler == "index":
        return case_class("GET", f"/rater-bias/?year={YEAR}", target_model="rater", target=rater, listing=True)
    if handler == "export":
        return case_class("GET", f"/rater-bias/export.csv?year={YEAR}", target_model="rater_nip", target=rater,
                          listing=True)
    if handler == "show":
        return case_class("GET", f"/rater-bias/{pk}?year={YEAR}", target_model="rater", target=rater)
    if handler == "chart_csv":  # the chart's numbers carry no name: the status is what is checked
        return case_class("GET", f"/rater-bias/{pk}/chart/hasil.csv?year={YEAR}")
    raise AssertionError(key)


def install(namespace: dict) -> None:
    """Hook the rater-bias rows into tests/test_access_matrix.py (its World, build and view → kind map)."""
    from access_hooks import hook_area

    hook_area(namespace, model_of_view=MODEL_OF_VIEW, models=MODELS,
              build=lambda world, case_class, key, role, kind, token: _build(world, case_class, key, role, kind),
              identity=lambda world, model, record: _identity(model, record))
