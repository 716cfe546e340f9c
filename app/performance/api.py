"""REST API of the performance cycle: /api/v1/skp, /api/v1/evaluation, /api/v1/objection.

Read-only generic verbs (``GET /`` and ``GET /<pk>``) with the row scope of ``app.performance.scope``, plus
one POST endpoint per transition. Every transition takes a JSON object with the record's ``version`` (the
optimistic check) and its own fields, calls the service (which checks the workflow, the person's capacity
and the input) and answers:

* 200 ``{"id", "status", "status_label", "version", ...}`` with the new state;
* 400 when the body is not a JSON object; 404 outside the scope (never data); 409 on a version conflict;
* 422 ``{"message": "...", "error_code": "..."}`` for an illegal transition (skipping a state, a final record, the
  wrong person), or ``{"message": {field: [messages]}}`` for bad input.

Permissions: ``can_read`` for the GETs, ``can_write`` for the transitions, on "Skp", "Evaluation" and
"Objection"; every employee role has both (roles.py), the services and the scope decide what each person
may do. ``request_context()`` builds the services' ``ActorContext`` for the signed-in person (the screens
use it too).
"""
from __future__ import annotations

import yaml
from flask import current_app, g, request
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l

from app.core.errors import ConflictError, DomainValidationError, OutOfScope
from app.core.views import API_PERMISSIONS, WRITE, PortalRestApi, has_nul
from app.extensions import db

from . import scope as PS
from . import services
from .models import Evaluation, Objection, Skp
from .workflow import EVALUATION_MACHINE, OBJECTION_MACHINE, SKP_MACHINE, TransitionError


def request_context() -> services.ActorContext:
    """The signed-in person as the services' ActorContext (account, employee record, role names)."""
    sm = current_app.appbuilder.sm
    user = g.user
    employee_id, _unit_id = sm.current_employee()
    names = {r.name for r in sm.get_user_roles(user)}
    display = " ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username
    return services.ActorContext(user_id=user.id, user_name=display, employee_id=employee_id, role_names=names)


def _transition_spec(summary: str, fields: dict, required=("version",)) -> str:
    """OpenAPI text for a transition endpoint (FAB reads the YAML after '---' in the docstring)."""
    ref = lambda code: {"$ref": f"#/components/responses/{code}"}  # noqa: E731
    schema = {"type": "object", "properties": {name: {"type": kind} for name, kind in fields.items()}}
    if required:
        schema["required"] = list(required)
    operation = {"post": {
        "summary": summary,
        "parameters": [{"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": {
            200: {"description": "The record in its new state",
                  "content": {"application/json": {"schema": {"type": "object"}}}},
            400: ref(400), 401: ref(401), 403: ref(403), 404: ref(404),
            409: {"description": "Someone else saved the record first (version conflict)"},
            422: ref(422),
        },
    }}
    return f"{summary}\n---\n{yaml.safe_dump(operation, sort_keys=False)}"


def _doc(summary, fields, required=("version",)):
    def decorate(func):
        func.__doc__ = _transition_spec(summary, fields, required)
        return func
    return decorate


class _PerformanceApi(PortalRestApi):
    """Read-only generic verbs plus explicit transitions."""

    transitions: tuple = ()
    machine = None

    def __init__(self, **kwargs):
        self.include_route_methods = {"get", "get_list", *self.transitions}
        perms = dict(API_PERMISSIONS)
        perms.update({name: WRITE for name in self.transitions})
        self.method_permission_name = perms
        super().__init__(**kwargs)

    def _state(self, item) -> dict:
        return {"id": item.id, "status": item.status, "status_label": str(self.machine.label_of(item.status)),
                "version": item.version}

    def _body(self):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        return body

    def _act(self, pk, action, needs_version=True, state=None):
        """Load the record through the scope, run ``action(item, body, ctx)``, answer with the new state."""
        from app.core.web import is_record_id

        body = self._body()
        if body is None:
            return self.response_400(message=str(_l("The request body must be a JSON object.")))
        if not is_record_id(pk):
            return self.response_404()
        if has_nul(body):
            return self.response_422(message={"body": [str(_l("Invalid input."))]})
        if needs_version and body.get("version") is None:
            return self.response_422(message={"version": [str(_l("The record's version is required."))]})
        session = self.datamodel.session
        item = self.datamodel.get(int(pk), self._base_filters)
        if item is None:
            return self.response_404()
        try:
            result = action(item, body, request_context())
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
        return self.response(200, **(state or self._state)(result if result is not None else item))


def _objection_state(objection) -> dict:
    return {"id": objection.id, "status": objection.status, "version": objection.version,
            "status_label": str(OBJECTION_MACHINE.label_of(objection.status)), "evaluation_id": objection.evaluation_id}


def _text(body, key):
    value = body.get(key)
    return value if value is None or isinstance(value, str) else str(value)


class SkpApi(_PerformanceApi):
    resource_name = "skp"
    datamodel = SQLAInterface(Skp)
    class_permission_name = "Skp"
    machine = SKP_MACHINE
    transitions = ("submit", "approve", "return_plan", "withdraw", "reopen", "revise")
    list_columns = ["id", "employee_id", "year", "revision", "status", "is_current", "approach", "rater_id",
                    "unit_id", "version"]
    show_columns = list_columns + ["position_id", "rater_supervisor_id", "previous_id", "return_notes",
                                   "submitted_at", "approved_at"]
    search_columns = ["year", "status", "employee_id", "rater_id", "unit_id", "is_current"]
    order_columns = ["year", "status", "revision"]

    def scope_clause_for(self, scope):
        return PS.skp_clause(scope)

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


class EvaluationApi(_PerformanceApi):
    resource_name = "evaluation"
    datamodel = SQLAInterface(Evaluation)
    class_permission_name = "Evaluation"
    machine = EVALUATION_MACHINE
    transitions = ("rate", "finalise", "self_assessment", "file_objection")
    list_columns = ["id", "skp_id", "period_id", "status", "hasil_rating", "perilaku_rating", "predikat", "version"]
    show_columns = list_columns + [
        "self_assessment", "notes", "recommendation", "rated_at", "finalised_at", "employee_name", "employee_nip",
        "employee_rank", "employee_position", "employee_unit", "rater_name", "rater_nip", "rater_rank",
        "rater_position", "rater_unit", "rater_supervisor_name", "rater_supervisor_nip", "organisation_rating",
        "organisation_achievement"]
    search_columns = ["skp_id", "period_id", "status", "predikat"]
    order_columns = ["period_id", "status"]

    def scope_clause_for(self, scope):
        return PS.evaluation_clause(scope)

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
    @_doc("Submit the self-assessment (Opened to Self-assessed)", {"version": "integer", "self_assessment": "string"},
          ("version", "self_assessment"))
    def self_assessment(self, pk):
        return self._act(pk, lambda ev, body, ctx: services.save_self_assessment(
            db.session, ctx, ev, _text(body, "self_assessment"), body["version"]))

    @expose("/<pk>/objection", methods=["POST"])
    @protect()
    @_doc("File an objection against the final evaluation (answers with the new objection)",
          {"reasons": "string"}, ("reasons",))
    def file_objection(self, pk):
        return self._act(pk, lambda ev, body, ctx: services.file_objection(db.session, ctx, ev, _text(body, "reasons")),
                         needs_version=False, state=_objection_state)


class ObjectionApi(_PerformanceApi):
    resource_name = "objection"
    datamodel = SQLAInterface(Objection)
    class_permission_name = "Objection"
    machine = OBJECTION_MACHINE
    transitions = ("explain", "decide")
    list_columns = ["id", "evaluation_id", "status", "decision", "filed_at", "version"]
    show_columns = list_columns + ["reasons", "explanation", "explained_at", "decision_text", "decided_at",
                                   "new_hasil_rating", "new_perilaku_rating", "new_predikat"]
    search_columns = ["evaluation_id", "status", "decision"]
    order_columns = ["filed_at", "status"]

    def scope_clause_for(self, scope):
        return PS.objection_clause(scope)

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
