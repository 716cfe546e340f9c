"""The performance-cycle API in the generated access matrix (tests/test_access_matrix.py): its record kinds
("skp", "evaluation", "objection"), the records each cell acts on, and the request of each cell.

Every transition cell acts on a fresh record of the role's own / in-scope / out-of-scope employee, put
directly in the state the transition starts from (so each cell is independent of the others); read cells
use one approved plan (with an opened evaluation and a filed objection) per employee. The records are
written straight to the tables: the matrix tests permissions and scope, tests/test_performance_services.py
tests the services that normally create them.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import count

from sqlalchemy import func, select

MODEL_OF_VIEW = {"SkpApi": "skp", "EvaluationApi": "evaluation", "ObjectionApi": "objection"}
MODELS = set(MODEL_OF_VIEW.values())
API_BASE = {"SkpApi": "/api/v1/skp", "EvaluationApi": "/api/v1/evaluation", "ObjectionApi": "/api/v1/objection"}
YEAR = 2026
_seq = count(1)

# handler -> (record kind, the state the record must be in, url suffix, body without the version, versioned)
TRANSITIONS = {
    ("SkpApi", "submit"): ("DRAFT", "submit", {}),
    ("SkpApi", "approve"): ("DIAJUKAN", "approve", {}),
    ("SkpApi", "return_plan"): ("DIAJUKAN", "return", {"notes": "Lengkapi indikator"}),
    ("SkpApi", "withdraw"): ("DIAJUKAN", "withdraw", {}),
    ("SkpApi", "reopen"): ("DIKEMBALIKAN", "reopen", {}),
    ("SkpApi", "revise"): ("DISETUJUI", "revise", {}),
    ("EvaluationApi", "self_assessment"): ("DIBUKA", "self-assessment", {"self_assessment": "Target tercapai"}),
    ("EvaluationApi", "rate"): ("DIBUKA", "rate", {"hasil_rating": "SESUAI", "perilaku_rating": "DI_ATAS"}),
    ("EvaluationApi", "finalise"): ("DINILAI", "finalise", {}),
    ("EvaluationApi", "file_objection"): ("FINAL", "objection", {"reasons": "Realisasi belum dihitung"}),
    ("ObjectionApi", "explain"): ("DIAJUKAN", "explain", {"explanation": "Sesuai bukti"}),
    ("ObjectionApi", "decide"): ("DIJELASKAN", "decide", {"decision": "TETAP", "decision_text": "Tetap"}),
}


def _classes():
    from app.performance import models as m

    return {"skp": m.Skp, "evaluation": m.Evaluation, "objection": m.Objection}


def make_skp(world, key, status="DISETUJUI", current=False):
    """A plan of employee ``key`` (rater and rater's supervisor from the supervisor chain) in ``status``."""
    from app.performance.models import Indicator, Rhk, Skp

    db = world.db
    employee = world.org.employees[key]
    boss = employee.supervisor
    n = next(_seq)
    if current:
        for older in db.session.scalars(select(Skp).where(Skp.employee_id == employee.id, Skp.year == YEAR,
                                                          Skp.is_current)):
            older.is_current = False
        db.session.flush()
    skp = Skp(employee_id=employee.id, unit_id=employee.unit_id, position_id=employee.position_id,
              rater_id=boss.id if boss else None, rater_supervisor_id=boss.supervisor_id if boss else None,
              year=YEAR, status=status, revision=100 + 10 * n, is_current=current)
    rhk = Rhk(kind="UTAMA", sort_order=1, text=f"RHK uji {n}")
    rhk.indicators.append(Indicator(aspect="KUANTITAS", text="Jumlah dokumen", target_value=Decimal(12),
                                    target_unit="dokumen"))
    skp.rhks.append(rhk)
    db.session.add(skp)
    db.session.commit()
    return skp


def make_evaluation(world, key, status="DIBUKA"):
    from app.performance.models import Evaluation

    skp = make_skp(world, key)
    evaluation = Evaluation(skp_id=skp.id, period_id=world.period().id, status=status)
    if status in ("DINILAI", "FINAL"):
        evaluation.hasil_rating, evaluation.perilaku_rating, evaluation.predikat = "SESUAI", "SESUAI", "BAIK"
    if status == "FINAL":
        from app.performance.services import now_wib

        evaluation.finalised_at = now_wib()
    world.db.session.add(evaluation)
    world.db.session.commit()
    return evaluation


def make_objection(world, key, status="DIAJUKAN"):
    from app.performance.models import Objection

    evaluation = make_evaluation(world, key, "FINAL")
    objection = Objection(evaluation_id=evaluation.id, status=status, reasons="Mohon ditinjau",
                          filed_at=datetime.now())
    if status == "DIJELASKAN":
        objection.explanation, objection.explained_at = "Sesuai bukti", datetime.now()
    world.db.session.add(objection)
    world.db.session.commit()
    return objection


def make(world, model, key, status):
    return {"skp": lambda: make_skp(world, key, status, current=status == "DISETUJUI"),
            "evaluation": lambda: make_evaluation(world, key, status),
            "objection": lambda: make_objection(world, key, status)}[model]()


def obj(world, model, key):
    """The record read cells look for: one per (kind, employee), made when first needed."""
    cache = world.__dict__.setdefault("_performance_records", {})
    if (model, key) not in cache:
        cache[(model, key)] = make(world, model, key, {"skp": "DISETUJUI", "evaluation": "DIBUKA",
                                                      "objection": "DIAJUKAN"}[model])
    return cache[(model, key)]


def identity(model, record) -> str:
    """The JSON text that shows the record is in an answer (its id, as FAB writes it)."""
    return f'"id":{record.id},'


def fingerprint(world, model, pk):
    cls = _classes()[model]
    world.db.session.expire_all()
    if pk is None:
        return world.db.session.execute(select(func.count()).select_from(cls)).scalar()
    row = world.db.session.get(cls, pk)
    return None if row is None else (row.status, row.version)


def build(world, case_class, key, role, kind, rec_key):
    """The request for one cell of a performance API row."""
    endpoint = key.split(" ")[0]
    view, _, handler = endpoint.partition(".")
    model = MODEL_OF_VIEW[view]
    base = API_BASE[view]
    if handler == "get_list":
        target = obj(world, model, rec_key) if rec_key else None
        return case_class("GET", f"{base}/?q=(page_size:100)", target_model=model, target=target, listing=True)
    if handler == "get":
        target = obj(world, model, rec_key) if rec_key else None
        return case_class("GET", f"{base}/{target.id if target else 1}", target_model=model, target=target)
    state, suffix, body = TRANSITIONS[(view, handler)]
    record = make(world, model, rec_key, state) if rec_key else None
    pk = record.id if record is not None else 1
    body = dict(body)
    if handler != "file_objection":
        body["version"] = record.version if record is not None else 1
    # a new row (a revision, an objection) or the record's own state
    watch = (model, None) if handler == "revise" else ("objection", None) if handler == "file_objection" \
        else (model, pk)
    return case_class("POST", f"{base}/{pk}/{suffix}", json=body, watch=watch, writes=True)


# --- the planning screens (app/performance/planning_views.py): web pages and forms on the same plans --------
# Their cells use the "skp" records of RECORDS; pages are found by the plan's id in the HTML ("plan"), form
# writes are watched on the plan (status, version) or on the rows they add (progress, feedback, new plans).
MODEL_OF_VIEW["PlanningView"] = "skp"
MODELS |= {"plan", "progress", "feedback"}
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_years = count(0)
_plan_prev_build, _plan_prev_identity, _plan_prev_fingerprint = build, identity, fingerprint


def identity(model, record) -> str:  # noqa: F811 - extends the API's
    if model == "plan":
        return f'data-skp-id="{record.id}"'
    return _plan_prev_identity(model, record)


def fingerprint(world, model, pk):  # noqa: F811
    if model in ("progress", "feedback"):
        from app.performance.models import Feedback, Progress

        world.db.session.expire_all()
        cls = {"progress": Progress, "feedback": Feedback}[model]
        return world.db.session.execute(select(func.count()).select_from(cls)).scalar()
    return _plan_prev_fingerprint(world, model, pk)


def _evidence(world, key):
    """A file of evidence on progress of an approved plan of ``key``."""
    import io

    from app.core.uploads import EVIDENCE_KINDS, FileStore
    from app.performance.models import Evidence, Progress

    skp = make_skp(world, key, "DISETUJUI")
    progress = Progress(rhk_id=skp.rhks[0].id, value=Decimal(1), description="Laporan",
                        achieved_on=datetime(YEAR, 2, 1).date())
    world.db.session.add(progress)
    world.db.session.flush()
    stored = FileStore(world.app.config["UPLOAD_DIR"]).save(io.BytesIO(_PDF), "bukti.pdf", allowed=EVIDENCE_KINDS,
                                                           max_bytes=1024 * 1024)
    item = Evidence(progress_id=progress.id, kind="FILE", original_name=stored.original_name,
                    stored_name=stored.stored_name, content_type=stored.content_type, size_bytes=stored.size_bytes,
                    sha256=stored.sha256)
    world.db.session.add(item)
    world.db.session.commit()
    return item


def _build_planning(world, case_class, key, role, kind, rec_key):
    handler = key.split(" ")[0].partition(".")[2]
    if handler in ("my_plan", "inbox"):
        return case_class("GET", "/my-plan/" if handler == "my_plan" else "/plan-inbox/")
    if handler in ("show", "pdf"):
        target = obj(world, "skp", rec_key) if rec_key else None
        pk = target.id if target is not None else 1
        if handler == "pdf":
            return case_class("GET", f"/my-plan/{pk}/pdf")
        return case_class("GET", f"/plans/{pk}", target_model="plan", target=target)
    if handler == "evidence":
        item = _evidence(world, rec_key) if rec_key else None
        return case_class("GET", f"/evidence/{item.id if item else 1}")
    form = {"csrf_token": getattr(world, "csrf_token", "")}  # set by tests/test_access_matrix.py build()
    if handler == "start":
        year = 2040 + next(_years) % 60
        return case_class("POST", "/my-plan/start", data=dict(form, year=str(year), approach="KUALITATIF"),
                          watch=("skp", None), writes=True)
    state = {"save": "DRAFT", "step": "DIAJUKAN", "progress": "DISETUJUI", "feedback": "DISETUJUI"}[handler]
    record = make(world, "skp", rec_key, state) if rec_key else None
    pk = record.id if record is not None else 1
    rhk_id = str(record.rhks[0].id) if record is not None else "1"
    version = str(record.version) if record is not None else "1"
    if handler == "save":
        data = dict(form, version=version, action="save", approach="KUANTITATIF", **{
            "rhks-0-kind": "UTAMA", "rhks-0-text": "RHK dari formulir", "rhks-0-indicators-0-aspect": "KUANTITAS",
            "rhks-0-indicators-0-text": "Jumlah dokumen", "rhks-0-indicators-0-target_value": "3",
            "rhks-0-indicators-0-target_unit": "dokumen"})
        return case_class("POST", f"/plans/{pk}/save", data=data, watch=("skp", pk), writes=True)
    if handler == "step":
        return case_class("POST", f"/plans/{pk}/step", data=dict(form, version=version, step="approve"),
                          watch=("skp", pk), writes=True)
    if handler == "progress":
        data = dict(form, rhk=rhk_id, value="2", description="Kemajuan triwulan", achieved_on=f"{YEAR}-03-01")
        return case_class("POST", f"/plans/{pk}/progress", data=data, watch=("progress", None), writes=True)
    data = dict(form, rhk=rhk_id, text="Umpan balik dari matriks")
    return case_class("POST", f"/plans/{pk}/feedback", data=data, watch=("feedback", None), writes=True)


def build(world, case_class, key, role, kind, rec_key):  # noqa: F811
    if key.startswith("PlanningView."):
        return _build_planning(world, case_class, key, role, kind, rec_key)
    return _plan_prev_build(world, case_class, key, role, kind, rec_key)


# --- the evaluation, rating and objection screens (app/performance/evaluation_views.py) -----------------------
# Record kinds "evaluation_page" / "objection_page" are the same records as "evaluation" / "objection", shown
# as HTML (identity: the data-evaluation / data-objection attribute of the page or list row). Form POSTs carry
# the CSRF token of the signed-in session; the notification cells act on a fresh notification of the actor.
_SCREEN_MODEL = {"evaluation_page": "evaluation", "objection_page": "objection"}
MODEL_OF_VIEW.update({"MyEvaluationsView": "evaluation_page", "RateListView": "evaluation_page",
                      "EvaluationView": "evaluation_page", "ObjectionView": "objection_page",
                      "NotificationView": None})
MODELS |= set(_SCREEN_MODEL) | {"notification"}
_SCREEN_STEPS = {  # web handler -> (API transition it mirrors, url suffix)
    ("EvaluationView", "self_assessment"): (("EvaluationApi", "self_assessment"), "self-assessment"),
    ("EvaluationView", "rate"): (("EvaluationApi", "rate"), "rate"),
    ("EvaluationView", "finalise"): (("EvaluationApi", "finalise"), "finalise"),
    ("EvaluationView", "file_objection"): (("EvaluationApi", "file_objection"), "objection"),
    ("ObjectionView", "explain"): (("ObjectionApi", "explain"), "explain"),
    ("ObjectionView", "decide"): (("ObjectionApi", "decide"), "decide"),
}
_before_screens_build, _before_screens_obj, _before_screens_identity, _before_screens_fingerprint = build, obj, identity, fingerprint


def obj(world, model, key):  # noqa: F811 - extends the API version
    return _before_screens_obj(world, _SCREEN_MODEL.get(model, model), key)


def identity(model, record) -> str:  # noqa: F811
    if model == "evaluation_page":
        return f'data-evaluation="{record.id}"'
    if model == "objection_page":
        return f'data-objection="{record.id}"'
    return _before_screens_identity(model, record)


def fingerprint(world, model, pk):  # noqa: F811
    if model == "notification":
        from app.performance.models import Notification

        world.db.session.expire_all()
        row = world.db.session.get(Notification, pk)
        return None if row is None else row.read_at
    return _before_screens_fingerprint(world, _SCREEN_MODEL.get(model, model), pk)


def _notification(world, role):
    from access_matrix import ACTORS

    from app.performance.models import Notification

    user = world.org.users[ACTORS[role] or "staff1"]
    row = Notification(user_id=user.id, kind="test", title=f"Notifikasi uji {next(_seq)}")
    world.db.session.add(row)
    world.db.session.commit()
    return row


def build(world, case_class, key, role, kind, rec_key):  # noqa: F811
    endpoint, _, rest = key.partition(" ")
    method = rest.split(":")[0]
    view, _, handler = endpoint.partition(".")
    if view not in ("MyEvaluationsView", "RateListView", "EvaluationView", "ObjectionView", "NotificationView"):
        return _before_screens_build(world, case_class, key, role, kind, rec_key)
    token = getattr(world, "csrf_token", "")  # set by tests/test_access_matrix.py build()
    model = MODEL_OF_VIEW[view]
    if view == "NotificationView":
        if method == "GET":
            return case_class("GET", "/notifications/")
        row = _notification(world, role)
        url = "/notifications/read-all" if handler == "read_all" else f"/notifications/{row.id}/read"
        return case_class("POST", url, data={"csrf_token": token}, watch=("notification", row.id), writes=True)
    if handler == "index":
        target = obj(world, model, rec_key) if rec_key else None
        url = {"MyEvaluationsView": "/my-evaluations/", "RateListView": "/rate/", "ObjectionView": "/objections/"}
        return case_class("GET", url[view], target_model=model, target=target, listing=True)
    if handler == "show":
        target = obj(world, model, rec_key) if rec_key else None
        base = "/evaluations" if view == "EvaluationView" else "/objections"
        return case_class("GET", f"{base}/{target.id if target else 1}", target_model=model,
                          target=target if view == "EvaluationView" else None)
    if handler == "pdf":  # the document of a final evaluation (a PDF: no identity text to look for)
        record = make(world, "evaluation", rec_key, "FINAL") if rec_key else None
        return case_class("GET", f"/evaluations/{record.id if record else 1}/pdf")
    (api_view, api_handler), suffix = _SCREEN_STEPS[(view, handler)]
    state, _, body = TRANSITIONS[(api_view, api_handler)]
    record_model = "evaluation" if view == "EvaluationView" else "objection"
    record = make(world, record_model, rec_key, state) if rec_key else None
    pk = record.id if record is not None else 1
    data = {k: str(v) for k, v in body.items()}
    data["csrf_token"] = token
    if handler != "file_objection":
        data["version"] = str(record.version if record is not None else 1)
    watch = ("objection", None) if handler == "file_objection" else (record_model, pk)
    base = "/evaluations" if view == "EvaluationView" else "/objections"
    return case_class("POST", f"{base}/{pk}/{suffix}", data=data, watch=watch, writes=True)


# --- the plan's content through the API (SkpApi: start, plan, save_plan, progress, feedback, timeline) --------
# The same records and people as the transitions; what the planning screens write, as JSON. Refusals by the
# workflow (not this person's plan or step) are 422 (U) and change nothing; outside the scope 404.
_PLAN_API = {"start", "plan", "save_plan", "progress", "feedback", "timeline"}
_before_plan_api_build = build


def _build_plan_api(world, case_class, handler, rec_key):
    base = API_BASE["SkpApi"]
    if handler == "start":  # the signed-in person's own plan, for a year nobody has one yet
        year = 2040 + next(_years) % 60
        return case_class("POST", f"{base}/start", json={"year": year, "approach": "KUALITATIF"},
                          watch=("skp", None), writes=True)
    if handler in ("plan", "timeline"):
        target = obj(world, "skp", rec_key) if rec_key else None
        return case_class("GET", f"{base}/{target.id if target else 1}/{handler}", target_model="skp", target=target)
    state = {"save_plan": "DRAFT", "progress": "DISETUJUI", "feedback": "DISETUJUI"}[handler]
    record = make(world, "skp", rec_key, state) if rec_key else None
    pk = record.id if record is not None else 1
    rhk_id = record.rhks[0].id if record is not None else 1
    if handler == "save_plan":
        body = {"version": record.version if record is not None else 1, "approach": "KUANTITATIF", "rhks": [
            {"kind": "UTAMA", "text": "RHK dari API", "indicators": [
                {"aspect": "KUANTITAS", "text": "Jumlah dokumen", "target_value": 3, "target_unit": "dokumen"}]}]}
        return case_class("PUT", f"{base}/{pk}/plan", json=body, watch=("skp", pk), writes=True)
    if handler == "progress":
        body = {"rhk": rhk_id, "value": 2, "description": "Kemajuan triwulan", "achieved_on": f"{YEAR}-03-01"}
        return case_class("POST", f"{base}/{pk}/progress", json=body, watch=("progress", None), writes=True)
    return case_class("POST", f"{base}/{pk}/feedback", json={"rhk": rhk_id, "text": "Umpan balik dari API"},
                      watch=("feedback", None), writes=True)


def build(world, case_class, key, role, kind, rec_key):  # noqa: F811
    view, _, handler = key.split(" ")[0].partition(".")
    if view == "SkpApi" and handler in _PLAN_API:
        return _build_plan_api(world, case_class, handler, rec_key)
    return _before_plan_api_build(world, case_class, key, role, kind, rec_key)


def _add_plan_api_rows():
    """The rows of these endpoints in the matrix (tests/access_matrix.py ACCESS)."""
    from access_matrix import ACCESS, OWNER_STEP, PERF_GET, ROLES

    rows = {
        # Admin has no employee record, hence no plan of their own to start (422); Pelatih no "Skp" permission
        "SkpApi.start POST":                     ("U", "A", "A", "A", "A", "F", "L"),
        "SkpApi.plan GET":                       PERF_GET,
        "SkpApi.timeline GET":                   PERF_GET,
        "SkpApi.save_plan PUT":                  OWNER_STEP,  # the employee, on their Draft
        "SkpApi.progress POST":                  OWNER_STEP,  # the employee, on their approved plan
        "SkpApi.feedback POST":                  ("-U-", "AU-", "AUN", "AAN", "A-N", "F", "L"),  # owner or rater
    }
    for key, row in rows.items():
        assert len(row) == len(ROLES) and all(len(c) in (1, 3) and set(c) <= set("AHNFLRMU-") for c in row), key
    ACCESS.update(rows)


_add_plan_api_rows()
