"""Socialization material (app/socialization) and awards (app/awards) in the generated access matrix
(tests/test_access_matrix.py): their record kinds, the records each cell acts on, the expected outcome of
every endpoint for every role, and the request of each cell.

Hooked in with two lines: ``extend(ACCESS, RECORDS)`` at the end of tests/access_matrix.py, and
``install(globals())`` at the end of tests/test_access_matrix.py (which wraps the World's record methods and
the module's ``build`` so that the kinds and views below are handled here first).

Record kinds:
* ``material`` — a material published to a unit ("dinkes": Dinas Kesehatan and below; "disdik": Dinas
  Pendidikan) or to a role ("pelatih"), each with a PDF attached; identity: its unique title (HTML and JSON).
  Writes (acknowledge, new version, settings) act on a fresh twin with the same audience.
* ``award`` — an approved award decision (2019, competence development) of the employee; identity:
  ``data-decision="<id>"`` on pages, ``"id":<id>,`` in JSON.
* ``award_candidate`` — the employee as a candidate of the default year (Satyalancana from the NIP); identity:
  ``data-employee="<id>"`` on pages, ``"employee_id":<id>,`` in JSON.
"""
from __future__ import annotations

import io
from datetime import date, timedelta
from itertools import count

from sqlalchemy import func, select

_seq = count(1)
KINDS = ("own", "in", "out")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

MODEL_OF_VIEW = {
    "MaterialView": "material", "MaterialAdminView": "material", "MaterialReachView": "material",
    "MaterialApi": "material", "AwardDecisionView": "award", "AwardApi": "award", "MyAwardsView": "award",
    "AwardCandidateView": "award_candidate",
}
MODELS = {"material", "award", "award_candidate", "acknowledgement", "material_state", "award_of"}

# (own, in scope, out of scope) per role.
_MATERIAL = {"Admin": (None, "disdik", None), "Pengelola Kinerja": (None, "disdik", None),
             "Pimpinan": (None, "dinkes", "disdik"), "Atasan": (None, "dinkes", "disdik"),
             "Pegawai": (None, "dinkes", "disdik"), "Pelatih": (None, "pelatih", "disdik"),
             "anonymous": (None, None, "dinkes")}
_AWARD = {"Admin": (None, "staff1", None), "Pengelola Kinerja": ("analis", "staff1", None),
          "Pimpinan": ("kadis", "staff1", "guru"), "Atasan": ("kabid", None, "staff1"),
          "Pegawai": ("staff1", None, "staff2"), "Pelatih": (None, None, "staff1"),
          "anonymous": (None, None, "staff1")}
_CANDIDATE = {"Admin": (None, "staff1", None), "Pengelola Kinerja": ("analis", "staff1", None),
              "Pimpinan": ("kadis", "staff1", "guru"), "Atasan": (None, None, "staff1"),
              "Pegawai": (None, None, "staff1"), "Pelatih": (None, None, "staff1"),
              "anonymous": (None, None, "staff1")}

MANAGERS = ("A", "A", "F", "F", "F", "F", "L")  # Admin and Pengelola Kinerja
MANAGE_RECORD = ("-A-", "-A-", "F", "F", "F", "F", "L")
READER_SHOW = ("-A-", "-A-", "-AN", "-AN", "-AN", "-AN", "L")  # managers open everything; readers their audience
REACH_SHOW = ("-A-", "-A-", "-AN", "F", "F", "F", "L")  # Pimpinan: material that reaches their subtree
AWARD_LIST = ("-A-", "AA-", "AAH", "F", "F", "F", "L")  # Pimpinan: their subtree, read-only

ROWS = {
    # --- socialization material: readers ------------------------------------------------------------------
    # the reader's list is "material published to me": managers too see only their own audience there
    "MaterialView.index GET":                   ("-H-", "-H-", "-AH", "-AH", "-AH", "-AH", "L"),
    "MaterialView.show GET":                    READER_SHOW,
    "MaterialView.download GET":                READER_SHOW,  # the PDF of the material, as an attachment
    # a manager outside the audience, or an account without an employee record: flash + redirect, nothing saved
    "MaterialView.acknowledge POST":            ("-R-", "-R-", "-AN", "-AN", "-AN", "-RN", "L"),
    "MaterialApi.get_list GET":                 ("-A-", "-A-", "-AH", "-AH", "-AH", "-AH", "L"),
    "MaterialApi.get GET":                      READER_SHOW,
    "MaterialApi.acknowledge POST":             ("-U-", "-U-", "-AN", "-AN", "-AN", "-UN", "L"),
    # --- socialization material: managers ----------------------------------------------------------------
    "MaterialAdminView.index GET":              MANAGE_RECORD,
    "MaterialAdminView.show GET":               MANAGE_RECORD,
    "MaterialAdminView.add GET":                MANAGERS,
    "MaterialAdminView.add POST":               MANAGERS,
    "MaterialAdminView.new_version GET":        MANAGE_RECORD,
    "MaterialAdminView.new_version POST":       MANAGE_RECORD,
    "MaterialAdminView.settings GET":           MANAGE_RECORD,
    "MaterialAdminView.settings POST":          MANAGE_RECORD,
    # --- reach: whole city for managers, a Pimpinan's subtree --------------------------------------------
    "MaterialReachView.index GET":              ("-A-", "-A-", "-AH", "F", "F", "F", "L"),
    "MaterialReachView.show GET":               REACH_SHOW,
    "MaterialReachView.unread GET":             REACH_SHOW,
    "MaterialReachView.export GET":             REACH_SHOW,  # CSV of who has not read
    # --- awards -------------------------------------------------------------------------------------------------
    "AwardCandidateView.index GET":             AWARD_LIST,
    "AwardCandidateView.decide POST":           ("-A-", "AA-", "F", "F", "F", "F", "L"),
    "AwardCandidateView.refresh POST":          ("A", "A", "F", "F", "F", "F", "L"),  # Hitung ulang: can_write
    "AwardDecisionView.index GET":              AWARD_LIST,
    "AwardDecisionView.export GET":             ("A", "A", "A", "F", "F", "F", "L"),  # scope: tests/test_awards.py
    "AwardApi.get_list GET":                    AWARD_LIST,
    "AwardApi.get GET":                         ("-A-", "AA-", "AAN", "F", "F", "F", "L"),
    "AwardApi.candidates GET":                  AWARD_LIST,
    "AwardApi.decide POST":                     ("-A-", "AA-", "F", "F", "F", "F", "L"),
    # Penghargaan Saya: my own approved awards only (Admin has no employee record; Pelatih no permission)
    "MyAwardsView.index GET":                   ("-H-", "AH-", "AHH", "A-H", "A-H", "F", "L"),
}
_CANDIDATE_KEYS = {"AwardCandidateView.index GET", "AwardCandidateView.decide POST", "AwardApi.candidates GET",
                   "AwardApi.decide POST", "AwardCandidateView.refresh POST"}


def extend(access: dict, records: dict) -> None:
    """Add the rows and the records of this area to tests/access_matrix.py's tables."""
    for key, row in ROWS.items():
        assert len(row) == 7 and all(len(c) in (1, 3) and set(c) <= set("AHNFLRMU-") for c in row), key
    access.update(ROWS)
    for role in records:
        records[role]["material"] = _MATERIAL[role]
        records[role]["award"] = _AWARD[role]
        records[role]["award_candidate"] = _CANDIDATE[role]


# --- records ------------------------------------------------------------------------------------------------

def _today():
    from app.performance.services import today_wib

    return today_wib()


def make_material(world, key, title=None):
    """A material published since yesterday to ``key``'s audience, with a PDF attached."""
    from app.core.uploads import FileStore
    from app.socialization import services

    audience = {"dinkes": ("UNITS", [world.org.units["dinkes"].id], []),
                "disdik": ("UNITS", [world.org.units["disdik"].id], []),
                "pelatih": ("ROLES", [], ["Pelatih"])}[key]
    data = services.MaterialInput(title=title or f"Materi Akses {key}", body=f"<p>Isi materi {key}.</p>",
                                  category="FAQ", audience=audience[0], unit_ids=audience[1], roles=audience[2],
                                  published_from=_today() - timedelta(days=1))
    return services.create_material(world.db.session, services.Reader(user_id=None, user_name="Matriks"), data,
                                    [(io.BytesIO(PDF), f"lampiran-{key}.pdf")],
                                    FileStore(world.app.config["UPLOAD_DIR"]))


def make_award(world, key):
    from app.awards.models import AwardDecision

    row = AwardDecision(employee_id=world.org.employees[key].id, year=2019, kind="COMPETENCE_DEVELOPMENT",
                        decision="DISETUJUI", decree_number=f"800/{key}/2019", decree_date=date(2019, 8, 17),
                        reason="Predikat 2018: Baik; 2019: Baik")
    world.db.session.add(row)
    world.db.session.commit()
    return row


def obj(world, model, key):
    cache = world.__dict__.setdefault("_socialization_records", {})
    if (model, key) not in cache:
        if model == "material":
            cache[(model, key)] = make_material(world, key)
        elif model == "award":
            cache[(model, key)] = make_award(world, key)
        elif model == "award_candidate":
            cache[(model, key)] = world.org.employees[key]
        else:
            raise AssertionError(model)
    return cache[(model, key)]


def identity(model, record, api=False) -> str:
    if model == "material":
        return record.current_version.title
    if model == "award":
        return f'"id":{record.id},' if api else f'data-decision="{record.id}"'
    if model == "award_candidate":
        return f'"employee_id":{record.id},' if api else f'data-employee="{record.id}"'
    raise AssertionError(model)


def fingerprint(world, model, pk):
    from app.awards.models import AwardDecision
    from app.socialization.models import Material, MaterialAcknowledgement

    session = world.db.session
    session.expire_all()
    if model == "acknowledgement":
        return session.scalar(select(func.count()).select_from(MaterialAcknowledgement))
    if model == "material" and pk is None:
        return session.scalar(select(func.count()).select_from(Material))
    if model in ("material", "material_state"):
        m = session.get(Material, pk)
        return None if m is None else (m.current_number, m.category, m.audience, m.published_from,
                                       m.published_until)
    if model == "award_of":  # every decision of one employee
        return tuple(session.execute(select(AwardDecision.year, AwardDecision.kind, AwardDecision.decision,
                                            AwardDecision.decree_number).where(AwardDecision.employee_id == pk)
                                     .order_by(AwardDecision.year, AwardDecision.kind)).all())
    if model == "award":
        return session.scalar(select(func.count()).select_from(AwardDecision)) if pk is None else \
            session.get(AwardDecision, pk)
    raise AssertionError(model)


# --- requests ---------------------------------------------------------------------------------------------------

def _default_year():
    return _today().year - 1


def build(world, case_class, key, role, kind, token):
    from access_matrix import RECORDS

    endpoint, _, rest = key.partition(" ")
    method = rest.split(":")[0]
    view, _, handler = endpoint.partition(".")
    model = "award_candidate" if key in _CANDIDATE_KEYS else MODEL_OF_VIEW[view]
    rec_key = RECORDS[role][model][KINDS.index(kind)] if kind is not None else None
    api = view.endswith("Api")
    form = {"csrf_token": token}

    def target():
        return obj(world, model, rec_key) if rec_key else None

    def case(verb, url, record=None, **kwargs):
        return case_class(verb, url, target_model=model if record is not None else None, target=record, **kwargs)

    # --- material ---------------------------------------------------------------------------------------------
    if model == "material":
        if handler in ("index", "get_list"):
            url = {"MaterialView": "/materials/", "MaterialAdminView": "/material-admin/",
                   "MaterialReachView": "/material-reach/", "MaterialApi": "/api/v1/material/?q=(page_size:100)"}[view]
            return case("GET", url, target(), listing=True)
        if handler == "add":
            if method == "GET":
                return case("GET", "/material-admin/new")
            data = dict(form, title=f"Materi Baru {next(_seq)}", body="<p>Isi</p>", category="FAQ", audience="ALL",
                        published_from=_today().isoformat(), published_until="")
            return case("POST", "/material-admin/new", data=data, watch=("material", None), writes=True)
        record = target()
        pk = record.id if record is not None else 1
        if method == "GET":
            url = {("MaterialView", "show"): f"/materials/{pk}",
                   ("MaterialView", "download"): None,
                   ("MaterialApi", "get"): f"/api/v1/material/{pk}",
                   ("MaterialAdminView", "show"): f"/material-admin/{pk}",
                   ("MaterialAdminView", "new_version"): f"/material-admin/{pk}/version",
                   ("MaterialAdminView", "settings"): f"/material-admin/{pk}/settings",
                   ("MaterialReachView", "show"): f"/material-reach/{pk}",
                   ("MaterialReachView", "unread"): f"/material-reach/{pk}/unread",
                   ("MaterialReachView", "export"): None}[(view, handler)]
            if handler == "download":  # a PDF: no identity to look for
                file_id = record.current_version.files[0].id if record is not None else 1
                return case("GET", f"/materials/{pk}/files/{file_id}")
            if handler == "export":
                return case("GET", f"/material-reach/{pk}/unread/export/csv")
            return case("GET", url, record)
        # writes act on a fresh twin with the same audience
        twin = make_material(world, rec_key, title=f"Materi Kembar {next(_seq)} {rec_key}") if rec_key else None
        pk = twin.id if twin is not None else 1
        version_id = twin.current_version.id if twin is not None else 1
        if handler == "acknowledge":
            if api:
                return case("POST", f"/api/v1/material/{pk}/acknowledge", json={"version_id": version_id},
                            watch=("acknowledgement", None), writes=True)
            return case("POST", f"/materials/{pk}/acknowledge", data=dict(form, version=str(version_id)),
                        watch=("acknowledgement", None), writes=True)
        if handler == "new_version":
            data = dict(form, title=f"Versi Baru {next(_seq)}", body="<p>Isi baru</p>", change_note="Perbaikan")
            return case("POST", f"/material-admin/{pk}/version", data=data, watch=("material_state", pk), writes=True)
        if handler == "settings":
            data = dict(form, category="OTHER", audience="ALL", published_from=_today().isoformat(),
                        published_until=(_today() + timedelta(days=30)).isoformat())
            return case("POST", f"/material-admin/{pk}/settings", data=data, watch=("material_state", pk), writes=True)
        raise AssertionError(key)

    # --- award candidates ------------------------------------------------------------------------------------
    if model == "award_candidate":
        employee = target()
        if handler == "index":
            return case("GET", "/award-candidates/", employee, listing=True)
        if handler == "candidates":
            return case_class("GET", "/api/v1/award/candidates",
                              target_model="award_candidate_api" if employee is not None else None, target=employee,
                              listing=True)
        if handler == "refresh":  # recompute the stored candidates of the default year: no record
            return case_class("POST", "/award-candidates/refresh", data=dict(form, year=str(_default_year())))
        employee_id = employee.id if employee is not None else 1
        number = f"800/{next(_seq)}/MATRIKS"
        body = {"year": _default_year(), "candidates": [f"{employee_id}:SATYALANCANA_10"], "decision": "DISETUJUI",
                "decree_number": number, "decree_date": (_today() - timedelta(days=1)).isoformat()}
        if api:
            return case_class("POST", "/api/v1/award/decide", json=body, watch=("award_of", employee_id), writes=True)
        data = dict(form, year=str(body["year"]), candidate=body["candidates"], decision="DISETUJUI",
                    decree_number=number, decree_date=body["decree_date"])
        return case_class("POST", "/award-candidates/decide", data=data, watch=("award_of", employee_id),
                          writes=True)

    # --- award decisions ----------------------------------------------------------------------------------------
    record = target()
    if handler in ("index", "get_list"):
        url = {"AwardDecisionView": "/awards/", "MyAwardsView": "/my-awards/",
               "AwardApi": "/api/v1/award/?q=(page_size:100)"}[view]
        return case_class("GET", url, target_model=("award_api" if api else "award") if record is not None else None,
                          target=record, listing=True)
    if handler == "export":
        return case_class("GET", "/awards/export/csv")
    if handler == "get":
        return case_class("GET", f"/api/v1/award/{record.id if record else 1}",
                          target_model="award_api" if record is not None else None, target=record)
    raise AssertionError(key)  # AwardApi.decide is a candidate cell (above)


# --- the hook into tests/test_access_matrix.py ---------------------------------------------------------------------

def install(namespace: dict) -> None:
    """Route this area's views and record kinds through this module (called at the end of
    tests/test_access_matrix.py with its globals())."""
    from access_hooks import hook_area

    api_models = {"award_api": "award", "award_candidate_api": "award_candidate"}
    hook_area(namespace, model_of_view=MODEL_OF_VIEW, build=build, models=MODELS, obj=obj, fingerprint=fingerprint,
              identity=lambda world, model, record: identity(model, record))
    hook_area(namespace, model_of_view={}, build=build, models=api_models,
              identity=lambda world, model, record: identity(api_models[model], record, api=True))
