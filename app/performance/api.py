"""REST API of the performance cycle: /api/v1/skp, /api/v1/evaluation, /api/v1/objection.

Read-only generic verbs (``GET /`` and ``GET /<pk>``) with the row scope of ``app.performance.scope``, plus
one POST endpoint per transition. Every transition takes a JSON object with the record's ``version`` (the
optimistic check) and its own fields, calls the service (which checks the workflow, the person's capacity
and the input) and answers:

* 200 ``{"id", "status", "status_label", "version", ...}`` with the new state;
* 400 when the body is not a JSON object; 404 outside the scope (never data); 409 on a version conflict;
* 422 ``{"message": "...", "error_code": "..."}`` for an illegal transition (skipping a state, a final record, the
  wrong person), or ``{"message": {field: [messages]}}`` for bad input.

The plan's content, as the planning screens write it (app/performance/planning_views.py), through the same
services and with the same answers:

* ``POST /skp/start`` ``{"year", "approach"?}``: the signed-in employee's own plan for a year (``start_plan``);
* ``GET /skp/<pk>/plan`` and ``PUT /skp/<pk>/plan``: the content (approach, RHKs with their indicators and the
  supervisor's RHK each supports, behaviour expectations) in the shape of the plan form (``plan_as_form``),
  saved with the version check (``save_plan``);
* ``POST /skp/<pk>/progress``: realisasi with an optional evidence file and/or link, all or nothing
  (``record_progress``); a JSON object, or multipart/form-data when a file goes with it (with the browser
  session the form must carry the page's CSRF token: a cross-site form can send multipart, not JSON);
* ``POST /skp/<pk>/feedback``: a message in the feedback thread of an RHK or a core value (``add_feedback``);
* ``GET /skp/<pk>/timeline``: the plan's transitions, oldest first.

Permissions: ``can_read`` for the GETs, ``can_write`` for the transitions and writes, on "Skp", "Evaluation"
and "Objection"; every employee role has both (roles.py), the services and the scope decide what each person
may do. ``request_context()`` builds the services' ``ActorContext`` for the signed-in person (the screens
use it too).
"""
from __future__ import annotations

import math
import re

import yaml
from flask import current_app, g, has_request_context, request, url_for
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import validate_csrf
from sqlalchemy.orm import lazyload
from wtforms import ValidationError

from app.core.errors import ConflictError, DomainValidationError, OutOfScope
from app.core.lists import narrow_page, narrow_page_applies
from app.core.rowcount import count_of as row_count_of
from app.core.uploads import DEFAULT_MAX_BYTES, FileStore
from app.core.views import API_PERMISSIONS, READ, WRITE, PortalRestApi, current_scope
from app.extensions import db
from app.organisation.models import Employee

from . import scope as PS
from . import services
from .models import Approach, Aspect, CoreValue, Evaluation, Objection, RhkKind, Skp, TransitionEntity, ValueSource
from .workflow import EVALUATION_MACHINE, OBJECTION_MACHINE, SKP_MACHINE, TransitionError


def request_context() -> services.ActorContext:
    """The signed-in person as the services' ActorContext (account, employee record, role names)."""
    sm = current_app.appbuilder.sm
    user = g.user
    employee_id, _unit_id = sm.current_employee()
    names = {r.name for r in sm.get_user_roles(user)}
    display = " ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username
    return services.ActorContext(user_id=user.id, user_name=display, employee_id=employee_id, role_names=names)


_PK = {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}


def _ref(code):
    return {"$ref": f"#/components/responses/{code}"}


def _object(fields: dict, required=()) -> dict:
    """A JSON object schema; a field is a type name ("integer", "string") or a schema of its own."""
    schema = {"type": "object", "properties": {name: {"type": kind} if isinstance(kind, str) else kind
                                               for name, kind in fields.items()}}
    if required:
        schema["required"] = list(required)
    return schema


def _spec(method: str, summary: str, body=None, multipart=None, pk=True, answer="The record in its new state",
          conflict=True, extra=None) -> str:
    """OpenAPI text for one operation (FAB reads the YAML after '---' in the docstring): the JSON body (and/or
    a multipart form) it takes, and every answer it gives."""
    operation = {"summary": summary}
    if pk:
        operation["parameters"] = [_PK]
    if body is not None or multipart is not None:
        content = {}
        if body is not None:
            content["application/json"] = {"schema": body}
        if multipart is not None:
            content["multipart/form-data"] = {"schema": multipart}
        operation["requestBody"] = {"required": True, "content": content}
    responses = {200: {"description": answer, "content": {"application/json": {"schema": {"type": "object"}}}}}
    if body is not None or multipart is not None:
        responses[400] = _ref(400)
    responses.update({401: _ref(401), 403: _ref(403)})
    if pk:
        responses[404] = _ref(404)
    if conflict:
        responses[409] = {"description": "Someone else saved the record first (version conflict)"}
    if body is not None or multipart is not None:
        responses[422] = _ref(422)
    responses.update(extra or {})
    operation["responses"] = responses
    return f"{summary}\n---\n{yaml.safe_dump({method: operation}, sort_keys=False)}"


def _transition_spec(summary: str, fields: dict, required=("version",)) -> str:
    """OpenAPI text for a transition endpoint: a POST of a JSON object with these fields."""
    return _spec("post", summary, _object(fields, required))


def _doc(summary, fields, required=("version",)):
    def decorate(func):
        func.__doc__ = _transition_spec(summary, fields, required)
        return func
    return decorate


def _doc_spec(method, summary, **kwargs):
    def decorate(func):
        func.__doc__ = _spec(method, summary, **kwargs)
        return func
    return decorate


# The request bodies of the plan's content, in the shape of the plan form (planning_views.plan_as_form).
_NUMBER = {"anyOf": [{"type": "number"}, {"type": "string"}], "description": "a number, or decimal text"}
_ID = {"type": "integer", "nullable": True}
_APPROACH = {"type": "string", "enum": [a.value for a in Approach]}
_INDICATOR = _object({"id": _ID, "aspect": {"type": "string", "enum": [a.value for a in Aspect]},
                      "text": "string", "target_value": _NUMBER, "target_unit": "string", "target_text": "string",
                      "value_source": {"type": "string", "enum": [v.value for v in ValueSource],
                                       "description": "MANUAL: reported progress; IKM: the public satisfaction index "
                                       "of the service unit ikm_unit_id (left out: IKM when a unit is given)"},
                      "ikm_unit_id": {"type": "integer", "nullable": True,
                                      "description": "a public-service unit (app/survey); null: reported progress. "
                                      "Both left out: the indicator's value source is not changed"}},
                     ("text",))
_RHK = _object({"id": _ID, "kind": {"type": "string", "enum": [k.value for k in RhkKind]}, "text": "string",
                "perspective": "string", "parent_rhk_id": _ID,
                "indicators": {"type": "array", "items": _INDICATOR}}, ("text",))
_PLAN_BODY = _object({
    "version": "integer",
    "approach": _APPROACH,
    "rhks": {"type": "array", "items": _RHK, "description": "every RHK of the plan: those with an id are kept "
             "and updated, the others created, those left out deleted"},
    "expectations": {"type": "array", "items": _object({"core_value_id": "integer", "text": "string"},
                                                       ("core_value_id", "text"))},
}, ("version",))
_PROGRESS_FIELDS = {"rhk": "integer", "indicator": _ID, "value": _NUMBER, "description": "string",
                    "achieved_on": {"type": "string", "format": "date"},
                    "url": {"type": "string", "description": "a link as evidence (http or https)"}}
_PROGRESS_BODY = _object(_PROGRESS_FIELDS, ("rhk", "description", "achieved_on"))
_PROGRESS_FORM = _object(dict(_PROGRESS_FIELDS, indicator="integer", value="string",
                              file={"type": "string", "format": "binary",
                                    "description": "an evidence file: pdf, jpg, png, docx or xlsx"},
                              csrf_token={"type": "string", "description": "the page's CSRF token (browser "
                                          "session only; not needed with a JWT)"}),
                         ("rhk", "description", "achieved_on"))
_FEEDBACK_BODY = _object({"rhk": _ID, "core_value": _ID, "text": "string"}, ("text",))

_SURROGATE = re.compile("[\ud800-\udfff]")


def unusable(value) -> bool:
    """Is there anything in this JSON value that no column can hold: NUL or a lone surrogate in a text (the
    database refuses both), or a number that is not finite (``NaN``, ``Infinity``)?"""
    if isinstance(value, str):
        return "\x00" in value or _SURROGATE.search(value) is not None
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(unusable(k) or unusable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(unusable(v) for v in value)
    return False


class _ListInterface(SQLAInterface):
    """SQLAInterface of the performance REST lists (``get_list``, ``g.performance_list``):

    * the page loads only its own rows: ``options`` are ``lazyload`` of the ``selectin`` relationships the list
      does not show (an evaluation's plan and period, a plan's employee: 1-4 statements per page); a single
      record (``get``) and the transitions keep the models' loading;
    * a person with a row scope, on PostgreSQL (``g.performance_narrow``): the count and the page in ONE
      statement that sorts narrow rows (``app.core.lists.narrow_page``): the ids in scope (an evaluation's from
      ``ix_evaluation_skp_period_id`` alone) are collected once, counted and sorted, and only the page's rows are
      read; a wide scope is resolved once inside it (``scope.IN_STATEMENT``). A page in primary-key order
      (``PortalRestApi``'s default) sorted the whole rows in scope before (a Pimpinan's 20,800 evaluations:
      17 → 39 ms); in that order the ids are one array (``narrow_page(arrays=True)``). SQLite keeps FAB's two
      statements (within budget there);
    * the whole city on PostgreSQL (``g.performance_arrays``, ``count_inside``): the count is a scalar subquery
      of the page's statement (ONE statement instead of FAB's two). Past the last page (no row to carry the count)
      the count is asked alone. Otherwise FAB's query.

    The same filters, order and page as FAB's (``tests/test_performance_rest_lists.py``)."""

    def __init__(self, obj, options=(), count_inside=True, **kwargs):
        super().__init__(obj, **kwargs)
        self._options = tuple(options)
        self._count_inside = count_inside

    @staticmethod
    def _in_list() -> bool:
        return has_request_context() and bool(g.get("performance_list"))

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*self._options) if self._options and self._in_list() else query

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        if page_size and self._in_list() and g.get("performance_narrow") \
                and narrow_page_applies(self, filters, order_column, select_columns):
            return narrow_page(self, filters, order_column, order_direction, page, page_size, select_columns,
                               self._options, arrays=True)
        if not (page_size and self._count_inside and self._in_list() and g.get("performance_arrays")):
            return super().query(filters, order_column, order_direction, page, page_size, select_columns,
                                 outer_default_load)
        counted = self._apply_inner_all(self.session.query(self.obj), filters, select_columns=select_columns,
                                        aliases_mapping={})
        total = row_count_of(self.session, counted).label("list_total")  # the whole table: kept count (rowcount)
        query = self.apply_all(self.session.query(self.obj, total), filters, order_column, order_direction, page,
                               page_size, select_columns, outer_default_load)
        found = query.all()
        if not found:
            return self.query_count(self.session.query(self.obj), filters, select_columns), []
        return int(found[0][1]), [row[0] for row in found]


class _PerformanceApi(PortalRestApi):
    """Read-only generic verbs plus explicit transitions (and, on the plan, its content: ``reads``, ``writes``)."""

    transitions: tuple = ()
    reads: tuple = ()  # further GET endpoints (can_read)
    machine = None

    def __init__(self, **kwargs):
        self.include_route_methods = {"get", "get_list", *self.transitions, *self.reads}
        perms = dict(API_PERMISSIONS)
        perms.update({name: WRITE for name in self.transitions})
        perms.update({name: READ for name in self.reads})
        self.method_permission_name = perms
        super().__init__(**kwargs)

    def _state(self, item) -> dict:
        return {"id": item.id, "status": item.status, "status_label": str(self.machine.label_of(item.status)),
                "version": item.version}

    def get_list_headless(self, **kwargs):
        """FAB's list, with the scope clause in its PostgreSQL list form (``scope`` module, ``arrays``): the
        count and the page then use the plan indexes; for a person with a row scope, in one statement that sorts
        narrow rows (``_ListInterface``). Single records keep the plain form."""
        g.performance_arrays = db.session.get_bind().dialect.name == "postgresql"
        g.performance_narrow = g.performance_arrays and not current_scope().everything
        g.performance_list = True
        try:
            return super().get_list_headless(**kwargs)
        finally:
            g.pop("performance_arrays", None)
            g.pop("performance_narrow", None)
            g.pop("performance_list", None)

    @staticmethod
    def _arrays() -> bool:
        """True while answering a list on PostgreSQL (``get_list_headless``)."""
        return bool(g.get("performance_arrays"))

    @classmethod
    def _list_arrays(cls, scope):
        """The ``arrays`` form of the evaluation and objection clauses: in a list on PostgreSQL for a wide scope
        (``scope.resolves_plans``) the scope is resolved inside the one statement that answers the count and the
        page (``scope.IN_STATEMENT``, ``_ListInterface``); else ``_arrays()``."""
        if cls._arrays() and PS.resolves_plans(scope):
            return PS.IN_STATEMENT
        return cls._arrays()

    def _body(self):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        return body

    def _load(self, pk):
        """The record through the scope, or None (an id that is not one, or outside the scope: 404)."""
        from app.core.web import is_record_id

        if not is_record_id(pk):
            return None
        return self.datamodel.get(int(pk), self._base_filters)

    def _act(self, pk, action, needs_version=True, state=None, body=None):
        """Load the record through the scope, run ``action(item, body, ctx)``, answer with the new state.
        ``body``: the request's JSON object unless given (a multipart form)."""
        from app.core.web import is_record_id

        if body is None:
            body = self._body()
            if body is None:
                return self.response_400(message=str(_l("The request body must be a JSON object.")))
        if not is_record_id(pk):
            return self.response_404()
        if unusable(body):
            return self.response_422(message={"body": [str(_l("Invalid input."))]})
        if needs_version and body.get("version") is None:
            return self.response_422(message={"version": [str(_l("The record's version is required."))]})
        item = self._load(pk)
        if item is None:
            return self.response_404()
        return self._answer(lambda: action(item, body, request_context()), state or self._state, item)

    def _answer(self, call, state, item=None):
        """Run the service call; its errors as answers (409, 422, 404), else 200 with ``state(result)``."""
        session = self.datamodel.session
        try:
            result = call()
        except ConflictError as exc:
            session.rollback()
            return self.response(409, message=str(exc.message))
        except DomainValidationError as exc:
            session.rollback()
            return self.response_422(message={k: [str(v)] for k, v in exc.errors.items()})
        except TransitionError as exc:
            session.rollback()
            return self.response(422, message=str(exc.message), error_code=exc.code)
        except OutOfScope:
            session.rollback()
            return self.response_404()
        return self.response(200, **state(result if result is not None else item))


def _objection_state(objection) -> dict:
    return {"id": objection.id, "status": objection.status, "version": objection.version,
            "status_label": str(OBJECTION_MACHINE.label_of(objection.status)), "evaluation_id": objection.evaluation_id}


def _text(body, key):
    value = body.get(key)
    return value if value is None or isinstance(value, str) else str(value)


def _child(items, raw):
    """The item of ``items`` (RHKs, indicators) whose id is ``raw`` (a number or its text), or None."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        return None
    text = str(raw).strip()
    return next((item for item in items if str(item.id) == text), None)


# The fields of the plan's content that save_plan reads, per list (planning_views.parse_plan_form's shape).
_PLAN_FIELDS = {"rhks": ("id", "kind", "text", "perspective", "parent_rhk_id"),
                "indicators": ("id", "aspect", "text", "target_value", "target_unit", "target_text", "value_source",
                               "ikm_unit_id"),
                "expectations": ("core_value_id", "text")}


def _rows(value, key: str, path: str, errors: dict):
    """A JSON list of objects as save_plan's list of dicts: the known fields only, each a plain value (text,
    number, true/false or null; an object or a list there is refused at its path, e.g. ``rhks-0-text``).
    Anything else is handed on as it is: the service says what is wrong with it."""
    if not isinstance(value, list):
        return value
    rows = []
    for i, raw in enumerate(value):
        if not isinstance(raw, dict):
            rows.append(raw)
            continue
        row = {}
        for field in _PLAN_FIELDS[key]:
            if field not in raw:
                continue
            if isinstance(raw[field], (dict, list)):
                errors[f"{path}-{i}-{field}"] = _l("Invalid input.")
            else:
                row[field] = raw[field]
        if key == "rhks" and "indicators" in raw:
            row["indicators"] = _rows(raw["indicators"], "indicators", f"{path}-{i}-indicators", errors)
        rows.append(row)
    return rows


def plan_data(body: dict) -> dict:
    """The JSON body of ``PUT /skp/<pk>/plan`` as ``services.save_plan``'s data (keys left out: unchanged)."""
    data, errors = {}, {}
    if "approach" in body:
        data["approach"] = _text(body, "approach")
    for key in ("rhks", "expectations"):
        if key in body:
            data[key] = _rows(body[key], key, key, errors)
    if errors:
        raise DomainValidationError(errors)
    return data


def plan_content(skp: Skp) -> dict:
    """The plan's content in the shape of the plan form (what ``PUT /skp/<pk>/plan`` takes back)."""
    from .planning_views import plan_as_form  # late: the planning views import this module

    content = plan_as_form(skp)
    content["expectations"] = [{"core_value_id": e.core_value_id, "text": e.text} for e in skp.expectations]
    return content


def _decimal_text(value):
    return None if value is None else format(value, "f")


def _progress_state(row) -> dict:
    evidence = [{"id": e.id, "kind": e.kind, "url": e.url, "original_name": e.original_name,
                 "content_type": e.content_type, "size_bytes": e.size_bytes,
                 "download_url": url_for("PlanningView.evidence", pk=e.id) if e.kind == "FILE" else None}
                for e in row.evidence]
    return {"id": row.id, "skp_id": row.rhk.skp_id, "rhk_id": row.rhk_id, "indicator_id": row.indicator_id,
            "value": _decimal_text(row.value), "description": row.description,
            "achieved_on": row.achieved_on.isoformat(), "evidence": evidence}


def _feedback_state(row) -> dict:
    return {"id": row.id, "skp_id": row.skp_id, "rhk_id": row.rhk_id, "core_value_id": row.core_value_id,
            "author_name": row.author_name, "text": row.text,
            "created_on": row.created_on.isoformat() if row.created_on else None}


def _timeline_entry(log) -> dict:
    return {"at": log.at.isoformat() if log.at else None, "from_state": log.from_state,
            "from_label": str(SKP_MACHINE.label_of(log.from_state)) or None, "to_state": log.to_state,
            "to_label": str(SKP_MACHINE.label_of(log.to_state)), "actor_name": log.actor_name,
            "actor_kind": log.actor_kind, "comment": log.comment}


class SkpApi(_PerformanceApi):
    resource_name = "skp"
    datamodel = _ListInterface(Skp, [lazyload(Skp.employee)], count_inside=False)
    class_permission_name = "Skp"
    machine = SKP_MACHINE
    transitions = ("submit", "approve", "return_plan", "withdraw", "reopen", "revise", "start", "save_plan",
                   "progress", "feedback")
    reads = ("plan", "timeline")
    list_columns = ["id", "employee_id", "year", "revision", "status", "is_current", "approach", "rater_id",
                    "unit_id", "version"]
    show_columns = list_columns + ["position_id", "rater_supervisor_id", "previous_id", "return_notes",
                                   "submitted_at", "approved_at"]
    search_columns = ["year", "status", "employee_id", "rater_id", "unit_id", "is_current"]
    order_columns = ["year", "status", "revision"]

    def scope_clause_for(self, scope):
        return PS.skp_clause(scope, self._arrays())

    def _state(self, item):
        return dict(super()._state(item), is_current=item.is_current, revision=item.revision)

    @expose("/<pk>/submit", methods=["POST"])
    @protect()
    @_doc("Submit the plan to the rater (Draft to Submitted)", {"version": "integer"})
    def submit(self, pk):
        return self._act(pk, lambda skp, body, ctx: services.submit_plan(db.session, ctx, skp, body["version"]))

    @expose("/<pk>/approve", methods=["POST"])
    @protect()
    @_doc("Approve the plan (Submitted to Approved)", {"version": "integer", "comment": "string"})
    def approve(self, pk):
        return self._act(pk, lambda skp, body, ctx: services.approve_plan(db.session, ctx, skp, body["version"],
                                                                         _text(body, "comment")))

    @expose("/<pk>/return", methods=["POST"])
    @protect()
    @_doc("Return the plan with notes (Submitted to Returned)", {"version": "integer", "notes": "string"},
          ("version", "notes"))
    def return_plan(self, pk):
        return self._act(pk, lambda skp, body, ctx: services.return_plan(db.session, ctx, skp, _text(body, "notes"),
                                                                        body["version"]))

    @expose("/<pk>/withdraw", methods=["POST"])
    @protect()
    @_doc("Withdraw the submitted plan (Submitted to Draft)", {"version": "integer"})
    def withdraw(self, pk):
        return self._act(pk, lambda skp, body, ctx: services.withdraw_plan(db.session, ctx, skp, body["version"]))

    @expose("/<pk>/reopen", methods=["POST"])
    @protect()
    @_doc("Edit a returned plan again (Returned to Draft)", {"version": "integer"})
    def reopen(self, pk):
        return self._act(pk, lambda skp, body, ctx: services.reopen_plan(db.session, ctx, skp, body["version"]))

    @expose("/<pk>/revise", methods=["POST"])
    @protect()
    @_doc("Start a new revision of the approved plan (answers with the new revision)",
          {"version": "integer", "reason": "string"})
    def revise(self, pk):
        return self._act(pk, lambda skp, body, ctx: services.revise_plan(db.session, ctx, skp, body["version"],
                                                                        _text(body, "reason")))

    # --- the plan's content, progress, feedback (what the planning screens write) -------------------------
    def _plan_answer(self, skp) -> dict:
        return dict(self._state(skp), **plan_content(skp))

    @expose("/start", methods=["POST"])
    @protect()
    @_doc_spec("post", "Start the signed-in employee's own plan for a year (revision 1, Draft)",
               body=_object({"year": "integer", "approach": _APPROACH}, ("year",)), pk=False, answer="The new plan",
               conflict=False)
    def start(self):
        body = self._body()
        if body is None:
            return self.response_400(message=str(_l("The request body must be a JSON object.")))
        if unusable(body):
            return self.response_422(message={"body": [str(_l("Invalid input."))]})
        employee_id, _unit = current_app.appbuilder.sm.current_employee()
        if not employee_id:
            return self.response(422, message=str(_l("This account is not linked to an employee record. Ask the "
                                                     "administrator to link it.")), error_code="NO_EMPLOYEE")
        employee = db.session.get(Employee, employee_id)
        approach = Approach.KUANTITATIF.value if body.get("approach") is None else _text(body, "approach")
        return self._answer(lambda: services.start_plan(db.session, request_context(), employee, body.get("year"),
                                                        approach), self._state)

    @expose("/<pk>/plan", methods=["GET"])
    @protect()
    @_doc_spec("get", "The plan's content: approach, RHKs with their indicators, expectations (the body of PUT)",
               answer="The plan's state and content", conflict=False)
    def plan(self, pk):
        item = self._load(pk)
        if item is None:
            return self.response_404()
        return self.response(200, **self._plan_answer(item))

    @expose("/<pk>/plan", methods=["PUT"])
    @protect()
    @_doc_spec("put", "Save the plan's content (the employee: approach and RHKs while Draft or Returned; the rater: "
               "the expectations while Submitted)", body=_PLAN_BODY, answer="The plan's new state and content")
    def save_plan(self, pk):
        return self._act(pk, lambda skp, body, ctx: services.save_plan(db.session, ctx, skp, plan_data(body),
                                                                      body["version"]), state=self._plan_answer)

    def _progress_input(self):
        """``(body, upload, refusal)``: the fields as a JSON object or a multipart form (with the browser
        session, a form needs the page's CSRF token), the evidence file or None; or the answer refusing them."""
        if request.mimetype == "multipart/form-data":
            # A cross-site page can post a multipart form with the session cookie, not a JSON body nor an
            # Authorization header: a form is taken with a JWT, or with the session and its CSRF token.
            if not request.headers.get("Authorization"):
                try:
                    validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
                except ValidationError:
                    return None, None, self.response_400(message=str(_l("Invalid CSRF Token.")))
            body = {key: value for key, value in request.form.items() if key != "csrf_token"}
            upload = request.files.get("file")
            return body, upload if upload is not None and upload.filename else None, None
        body = self._body()
        if body is None:
            return None, None, self.response_400(message=str(_l(
                "Send a JSON object, or multipart/form-data when an evidence file goes with it.")))
        return body, None, None

    @expose("/<pk>/progress", methods=["POST"])
    @protect()
    @_doc_spec("post", "Report progress (realisasi) on an RHK of one's own approved plan, with an optional evidence "
               "file and/or link: all or nothing", body=_PROGRESS_BODY, multipart=_PROGRESS_FORM,
               answer="The new progress entry with its evidence", conflict=False,
               extra={413: {"description": "The request is larger than the server accepts (MAX_CONTENT_LENGTH)"}})
    def progress(self, pk):
        body, upload, refusal = self._progress_input()
        if refusal is not None:
            return refusal

        def record(skp, body, ctx):
            rhk = _child(skp.rhks, body.get("rhk"))
            if rhk is None:
                raise DomainValidationError({"rhk": _l("Choose the RHK the progress is about.")})
            indicator = None
            if body.get("indicator") not in (None, ""):
                indicator = _child(rhk.indicators, body.get("indicator"))
                if indicator is None:
                    raise DomainValidationError({"indicator": _l("The indicator does not belong to this RHK.")})
            return services.record_progress(
                db.session, ctx, rhk, indicator, body.get("value"), body.get("description"), body.get("achieved_on"),
                upload=(upload.stream, upload.filename) if upload is not None else None, url=body.get("url"),
                store=FileStore(current_app.config["UPLOAD_DIR"]),
                max_bytes=current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))

        return self._act(pk, record, needs_version=False, state=_progress_state, body=body)

    @expose("/<pk>/feedback", methods=["POST"])
    @protect()
    @_doc_spec("post", "A message in the feedback thread of an RHK or a core value of an approved plan (its rater "
               "or its employee)", body=_FEEDBACK_BODY, answer="The new feedback message", conflict=False)
    def feedback(self, pk):
        def write(skp, body, ctx):
            rhk = core_value = None
            if body.get("rhk") not in (None, ""):
                rhk = _child(skp.rhks, body.get("rhk"))
                if rhk is None:
                    raise DomainValidationError({"rhk": _l("The RHK does not belong to this plan.")})
            if body.get("core_value") not in (None, ""):
                core_value = _child(db.session.query(CoreValue).all(), body.get("core_value"))
                if core_value is None:
                    raise DomainValidationError({"core_value": _l("Choose one of the BerAKHLAK core values.")})
            return services.add_feedback(db.session, ctx, skp, body.get("text"), rhk=rhk, core_value=core_value)

        return self._act(pk, write, needs_version=False, state=_feedback_state)

    @expose("/<pk>/timeline", methods=["GET"])
    @protect()
    @_doc_spec("get", "The plan's transitions, oldest first (who moved it from which state to which, when, why)",
               answer="The plan's id and its transitions", conflict=False)
    def timeline(self, pk):
        item = self._load(pk)
        if item is None:
            return self.response_404()
        entries = [_timeline_entry(log) for log in services.timeline(db.session, TransitionEntity.SKP, item.id)]
        return self.response(200, id=item.id, count=len(entries), result=entries)


class EvaluationApi(_PerformanceApi):
    resource_name = "evaluation"
    datamodel = _ListInterface(Evaluation, [lazyload(Evaluation.skp), lazyload(Evaluation.period)])
    class_permission_name = "Evaluation"
    machine = EVALUATION_MACHINE
    transitions = ("rate", "finalise", "self_assessment", "file_objection")
    list_columns = ["id", "skp_id", "period_id", "status", "hasil_rating", "perilaku_rating", "predikat", "version"]
    show_columns = list_columns + [
        "self_assessment", "self_hasil_rating", "self_perilaku_rating", "notes", "recommendation", "rated_at",
        "finalised_at", "employee_name", "employee_nip",
        "employee_rank", "employee_position", "employee_unit", "rater_name", "rater_nip", "rater_rank",
        "rater_position", "rater_unit", "rater_supervisor_name", "rater_supervisor_nip", "organisation_rating",
        "organisation_achievement"]
    search_columns = ["skp_id", "period_id", "status", "predikat"]
    order_columns = ["period_id", "status"]

    def scope_clause_for(self, scope):
        return PS.evaluation_clause(scope, self._list_arrays(scope))

    def _state(self, item):
        return dict(super()._state(item), hasil_rating=item.hasil_rating, perilaku_rating=item.perilaku_rating,
                    predikat=item.predikat)

    @expose("/<pk>/rate", methods=["POST"])
    @protect()
    @_doc("Rate the evaluation (the predikat follows from the two ratings)",
          {"version": "integer", "hasil_rating": "string", "perilaku_rating": "string", "notes": "string",
           "recommendation": "string"}, ("version", "hasil_rating", "perilaku_rating"))
    def rate(self, pk):
        return self._act(pk, lambda ev, body, ctx: services.rate(
            db.session, ctx, ev, body.get("hasil_rating"), body.get("perilaku_rating"), _text(body, "notes"),
            _text(body, "recommendation"), body["version"]))

    @expose("/<pk>/finalise", methods=["POST"])
    @protect()
    @_doc("Finalise the rated evaluation (Rated to Final)", {"version": "integer"})
    def finalise(self, pk):
        return self._act(pk, lambda ev, body, ctx: services.finalise(db.session, ctx, ev, body["version"]))

    @expose("/<pk>/self-assessment", methods=["POST"])
    @protect()
    @_doc("Submit the self-assessment (Opened to Self-assessed); the employee's own ratings are optional (both or "
          "neither)", {"version": "integer", "self_assessment": "string", "self_hasil_rating": "string",
                       "self_perilaku_rating": "string"},
          ("version", "self_assessment"))
    def self_assessment(self, pk):
        return self._act(pk, lambda ev, body, ctx: services.save_self_assessment(
            db.session, ctx, ev, _text(body, "self_assessment"), body["version"],
            self_hasil=_text(body, "self_hasil_rating"), self_perilaku=_text(body, "self_perilaku_rating")))

    @expose("/<pk>/objection", methods=["POST"])
    @protect()
    @_doc("File an objection against the final evaluation (answers with the new objection)",
          {"reasons": "string"}, ("reasons",))
    def file_objection(self, pk):
        return self._act(pk, lambda ev, body, ctx: services.file_objection(db.session, ctx, ev, _text(body, "reasons")),
                         needs_version=False, state=_objection_state)


class ObjectionApi(_PerformanceApi):
    resource_name = "objection"
    datamodel = _ListInterface(Objection, [lazyload(Objection.evaluation)])
    class_permission_name = "Objection"
    machine = OBJECTION_MACHINE
    transitions = ("explain", "decide")
    list_columns = ["id", "evaluation_id", "status", "decision", "filed_at", "version"]
    show_columns = list_columns + ["reasons", "explanation", "explained_at", "decision_text", "decided_at",
                                   "new_hasil_rating", "new_perilaku_rating", "new_predikat"]
    search_columns = ["evaluation_id", "status", "decision"]
    order_columns = ["filed_at", "status"]

    def scope_clause_for(self, scope):
        return PS.objection_clause(scope, self._list_arrays(scope))

    def _state(self, item):
        return dict(super()._state(item), decision=item.decision, new_predikat=item.new_predikat)

    @expose("/<pk>/explain", methods=["POST"])
    @protect()
    @_doc("The rater's explanation (Filed to Explained)", {"version": "integer", "explanation": "string"},
          ("version", "explanation"))
    def explain(self, pk):
        return self._act(pk, lambda ob, body, ctx: services.explain_objection(
            db.session, ctx, ob, _text(body, "explanation"), body["version"]))

    @expose("/<pk>/decide", methods=["POST"])
    @protect()
    @_doc("The final decision of the rater's supervisor (Explained to Decided: TETAP or DIUBAH)",
          {"version": "integer", "decision": "string", "new_hasil_rating": "string",
           "new_perilaku_rating": "string", "decision_text": "string"}, ("version", "decision", "decision_text"))
    def decide(self, pk):
        return self._act(pk, lambda ob, body, ctx: services.decide_objection(
            db.session, ctx, ob, _text(body, "decision"), body.get("new_hasil_rating"),
            body.get("new_perilaku_rating"), _text(body, "decision_text"), body["version"]))


def register(appbuilder) -> None:
    for api in (SkpApi, EvaluationApi, ObjectionApi):
        appbuilder.add_api(api)
