"""REST API of training and socialization, with the row scope and rules of the screens:

* ``/api/v1/training_session/`` — sessions: list/get (scoped), create/update/delete (the organisers), plus
  ``POST /<id>/invite`` (employees, unit or position), ``/<id>/attendance`` (bulk entries: attendance, scores,
  certificate numbers), ``/<id>/close``, ``/<id>/reopen`` (the Pengelola Kinerja, with a reason),
  ``/<id>/check-in`` (the participant's code; 5 wrong codes lock it for 10 minutes: 422 ``LOCKED``) and
  ``/<id>/feedback``;
* ``/api/v1/training_participant/`` — participants (read, scoped);
* ``/api/v1/external_training/`` — external trainings (read, scoped) and ``POST /`` (create: a JSON object, or
  multipart/form-data with the certificate as ``file``, content-checked; 201 with the new record);
* ``/api/v1/jp_ledger/`` — the JP ledger of a year (``?year=2026&unit=<id>&below=1&page=1``), scoped.

Answers: 200 with the new state; 400 when the body is not a JSON object; 404 outside the scope (never data);
422 ``{"message": "...", "error_code": "..."}`` for a refused action (a wrong, expired or reused check-in code,
not the person's session…) or ``{"message": {field: [messages]}}`` for bad input.

Permissions on "TrainingSession": ``can_read`` (GETs), ``can_write`` (create, update, delete, invite: the
organisers), ``can_roster`` (attendance and closing: the organisers and the Pelatih, who must train the
session), ``can_participate`` (check-in and feedback: every employee, for their own participation).
"""
from __future__ import annotations

import yaml
from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import lazyload

from app.core.errors import DomainValidationError, OutOfScope
from app.core.views import API_PERMISSIONS, READ, WRITE, PortalRestApi, has_nul
from app.core.web import query_int
from app.extensions import db

from . import rules, services
from .models import ExternalTraining, TrainingParticipant, TrainingSession
from .rules import TrainingRuleError
from .scope import external_clause, session_clause
from .views import ListInterface, ParticipantListInterface, participant_scope, scoped_list
from .web import current_viewer, request_context

ROSTER, PARTICIPATE = "roster", "participate"


def _spec(summary: str, fields: dict, required=(), with_pk=True) -> str:
    """OpenAPI text for a custom endpoint (FAB reads the YAML after '---' in the docstring)."""
    ref = lambda code: {"$ref": f"#/components/responses/{code}"}  # noqa: E731
    schema = {"type": "object", "properties": fields}
    if required:
        schema["required"] = list(required)
    operation = {"post": {
        "summary": summary,
        "parameters": [{"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}]
        if with_pk else [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": {
            200: {"description": "What was done, with the session's state",
                  "content": {"application/json": {"schema": {"type": "object"}}}},
            400: ref(400), 401: ref(401), 403: ref(403), 404: ref(404), 422: ref(422),
        },
    }}
    return f"{summary}\n---\n{yaml.safe_dump(operation, sort_keys=False)}"


def _doc(summary, fields, required=()):
    def decorate(func):
        func.__doc__ = _spec(summary, fields, required)
        return func
    return decorate


_INT = {"type": "integer"}
_STR = {"type": "string"}
_ENTRY = {"type": "object", "properties": {
    "employee_id": _INT, "attendance": {"type": "string", "enum": [a.value for a in rules.Attendance] + [""]},
    "pre_score": {"type": "number"}, "post_score": {"type": "number"}, "certificate_number": _STR}}


class TrainingSessionApi(PortalRestApi):
    resource_name = "training_session"
    # the REST list holds the columns of the session only (topic_id, not the topic)
    datamodel = ListInterface(TrainingSession, [lazyload(TrainingSession.topic), lazyload(TrainingSession.trainers),
                                                lazyload(TrainingSession.units)], one_statement=scoped_list)
    class_permission_name = "TrainingSession"
    method_permission_name = dict(API_PERMISSIONS, invite=WRITE, attendance=ROSTER, close=ROSTER, reopen=WRITE,
                                  check_in=PARTICIPATE, feedback=PARTICIPATE)
    list_columns = ["id", "title", "kind", "method", "topic_id", "organiser", "starts_at", "ends_at", "jp", "capacity",
                    "status"]
    show_columns = list_columns + ["place", "online_url", "description", "closed_at"]
    # trainers are assigned on the session's form (a choice among the Pelatih accounts)
    add_columns = edit_columns = ["title", "kind", "method", "topic", "organiser", "place", "online_url", "starts_at",
                                  "ends_at", "jp", "capacity", "description", "units"]
    search_columns = ["title", "kind", "method", "status", "starts_at", "topic_id"]
    order_columns = ["starts_at", "title", "jp"]

    def scope_clause(self):
        return session_clause(current_viewer())

    def can_create_in_scope(self, item, scope):
        return current_viewer().manages

    def validate_item(self, item, is_new):
        if is_new:
            item.created_by_id = current_viewer().user_id
        services.validate_session(db.session, item)

    def post_update(self, item):
        services.after_session_saved(db.session, item)

    def pre_delete(self, item):
        if item.status == rules.SessionStatus.DITUTUP:
            raise DomainValidationError({"status": _l("A session whose attendance is closed is history: it cannot "
                                                      "be deleted.")})

    def _state(self, item, **extra) -> dict:
        counts = services.counts(db.session, [item.id]).get(item.id, {})
        return dict({"id": item.id, "status": item.status, "capacity": item.capacity,
                     "invited": counts.get("DIUNDANG", 0), "waiting": counts.get("DAFTAR_TUNGGU", 0),
                     "present": counts.get("HADIR", 0)}, **extra)

    def _act(self, pk, action):
        """Load the session through the scope, run ``action(session, body, ctx)`` (a dict of extra answer
        fields), answer with the session's state."""
        from app.core.web import is_record_id

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=str(_l("The request body must be a JSON object.")))
        if not is_record_id(pk):
            return self.response_404()
        if has_nul(body):
            return self.response_422(message={"body": [str(_l("Invalid input."))]})
        item = self.datamodel.get(int(pk), self._base_filters)
        if item is None:
            return self.response_404()
        try:
            extra = action(item, body, request_context()) or {}
        except DomainValidationError as exc:
            db.session.rollback()
            return self.response_422(message={k: [str(v)] for k, v in exc.errors.items()})
        except TrainingRuleError as exc:
            db.session.rollback()
            return self.response(422, message=str(exc.message), error_code=exc.code)
        except OutOfScope:
            db.session.rollback()
            return self.response_404()
        return self.response(200, **self._state(item, **extra))

    @expose("/<pk>/invite", methods=["POST"])
    @protect()
    @_doc("Invite employees (a list, a unit or a position); the overflow goes to the waiting list",
          {"employee_ids": {"type": "array", "items": _INT}, "unit_id": _INT, "include_subunits": {"type": "boolean"},
           "position_id": _INT})
    def invite(self, pk):
        def action(item, body, ctx):
            ids = body.get("employee_ids") or []
            if not isinstance(ids, list):
                raise DomainValidationError({"employee_ids": _l("Invalid employee.")})
            result = services.invite(db.session, ctx, item, employee_ids=ids,
                                     unit_id=None if ids else services.as_int(body.get("unit_id")),
                                     include_subunits=body.get("include_subunits") is True,
                                     position_id=None if ids else services.as_int(body.get("position_id")))
            return {"invited_ids": result.invited, "waitlisted_ids": result.waitlisted, "skipped_ids": result.skipped}
        return self._act(pk, action)

    @expose("/<pk>/attendance", methods=["POST"])
    @protect()
    @_doc("Record attendance (present, excused, absent), test scores and certificate numbers: all or nothing",
          {"entries": {"type": "array", "items": _ENTRY}}, ("entries",))
    def attendance(self, pk):
        def action(item, body, ctx):
            return {"changed": services.record_roster(db.session, ctx, item, body.get("entries"))}
        return self._act(pk, action)

    @expose("/<pk>/close", methods=["POST"])
    @protect()
    @_doc("Close the attendance (participants without attendance become absent)", {})
    def close(self, pk):
        def action(item, body, ctx):
            return {"marked_absent": services.close_attendance(db.session, ctx, item)}
        return self._act(pk, action)

    @expose("/<pk>/reopen", methods=["POST"])
    @protect()
    @_doc("Reopen a closed attendance (the Pengelola Kinerja, not the trainers) with the reason; the JP of the "
          "session stop counting until it is closed again", {"reason": _STR}, ("reason",))
    def reopen(self, pk):
        def action(item, body, ctx):
            services.reopen_attendance(db.session, ctx, item, body.get("reason"))
            return {}
        return self._act(pk, action)

    @expose("/<pk>/check-in", methods=["POST"])
    @protect()
    @_doc("Check in to the session with its code (once, while it runs)", {"code": _STR}, ("code",))
    def check_in(self, pk):
        def action(item, body, ctx):
            row = services.check_in(db.session, ctx, item, body.get("code"))
            return {"attendance": row.attendance}
        return self._act(pk, action)

    @expose("/<pk>/feedback", methods=["POST"])
    @protect()
    @_doc("Give feedback on a session one attended (rating 1-5 and a comment)", {"rating": _INT, "comment": _STR},
          ("rating",))
    def feedback(self, pk):
        def action(item, body, ctx):
            services.give_feedback(db.session, ctx, item, body.get("rating"),
                                   body.get("comment") if isinstance(body.get("comment"), str) else None)
            return {}
        return self._act(pk, action)


class TrainingParticipantApi(PortalRestApi):
    resource_name = "training_participant"
    datamodel = ParticipantListInterface(TrainingParticipant, [lazyload(TrainingParticipant.session),
                                                               lazyload(TrainingParticipant.employee)])  # ids only
    class_permission_name = "TrainingParticipant"
    include_route_methods = {"get", "get_list"}
    list_columns = ["id", "session_id", "employee_id", "unit_id", "status", "source", "invited_at", "attendance",
                    "checked_in_at", "pre_score", "post_score", "certificate_number"]
    show_columns = list_columns + ["checkin_method"]
    search_columns = ["session_id", "employee_id", "status", "attendance"]
    order_columns = ["invited_at", "status"]

    def scope_clause(self):
        return participant_scope()


class ExternalTrainingApi(PortalRestApi):
    resource_name = "external_training"
    datamodel = ListInterface(ExternalTraining, [lazyload(ExternalTraining.employee), lazyload(ExternalTraining.topic)],
                              one_statement=scoped_list)
    class_permission_name = "ExternalTraining"
    include_route_methods = {"get", "get_list", "create"}
    method_permission_name = dict(API_PERMISSIONS, create=WRITE)
    list_columns = ["id", "employee_id", "title", "organiser", "method", "topic_id", "started_on", "ended_on", "jp",
                    "certificate_number", "status"]
    show_columns = list_columns + ["original_name", "verified_at", "notes"]
    search_columns = ["employee_id", "status", "ended_on"]
    order_columns = ["ended_on", "jp"]

    def scope_clause(self):
        return external_clause(current_viewer())

    @expose("/", methods=["POST"])
    @protect()
    def create(self):
        """Record an external training
        ---
        post:
          summary: Record an external training (your own; the organisers record anybody)
          description: >-
            A JSON object, or multipart/form-data with the same fields and the certificate as "file" (PDF, JPG
            or PNG, checked by its content). A record made by the employee waits for verification by the
            Pengelola Kinerja; one made by the organisers is verified at once. Leave employee_id out for your
            own.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/ExternalTrainingCreate'
              multipart/form-data:
                schema:
                  allOf:
                  - $ref: '#/components/schemas/ExternalTrainingCreate'
                  - type: object
                    properties:
                      file: {type: string, format: binary}
          responses:
            201:
              description: The new record
              content:
                application/json:
                  schema: {type: object, properties: {id: {type: integer}, result: {type: object}}}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            422:
              $ref: '#/components/responses/422'
        """
        from flask import current_app

        from app.core.uploads import DEFAULT_MAX_BYTES, FileStore

        upload = None
        if request.mimetype == "multipart/form-data":
            data = request.form.to_dict()
            upload = request.files.get("file")
            if upload is not None and not upload.filename:
                upload = None
        else:
            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                return self.response_400(message=str(_l("The request body must be a JSON object.")))
        if has_nul(data) or (upload is not None and has_nul(upload.filename)):
            return self.response_422(message={"body": [str(_l("Invalid input."))]})
        unknown = sorted(k for k in data if k not in _EXTERNAL_FIELDS)
        if unknown:
            return self.response_422(message={k: [str(_l("Unknown field."))] for k in unknown[:10]})
        store = FileStore(current_app.config["UPLOAD_DIR"])
        try:
            item = services.record_external(
                db.session, request_context(), data, stream=upload.stream if upload else None,
                filename=upload.filename if upload else "", store=store,
                max_bytes=current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))
        except DomainValidationError as exc:
            db.session.rollback()
            return self.response_422(message={k: [str(v)] for k, v in exc.errors.items()})
        except TrainingRuleError as exc:
            db.session.rollback()
            return self.response(422, message=str(exc.message), error_code=exc.code)
        result = {c: getattr(item, c) for c in self.show_columns}
        for key in ("started_on", "ended_on", "verified_at"):
            result[key] = result[key].isoformat() if result[key] is not None else None
        return self.response(201, id=item.id, result=result)

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        if "ExternalTrainingCreate" not in api_spec.components.schemas:
            api_spec.components.schema("ExternalTrainingCreate", _EXTERNAL_CREATE)


_EXTERNAL_FIELDS = ("employee_id", "title", "organiser", "method", "topic_id", "started_on", "ended_on", "jp",
                    "certificate_number", "notes")
_EXTERNAL_CREATE = {"type": "object", "required": ["title", "organiser", "started_on", "ended_on", "jp",
                                                   "certificate_number"],
                    "properties": {
                        "employee_id": _INT, "title": _STR, "organiser": _STR,
                        "method": {"type": "string", "enum": [m.value for m in rules.Method]}, "topic_id": _INT,
                        "started_on": {"type": "string", "format": "date"},
                        "ended_on": {"type": "string", "format": "date"}, "jp": _INT, "certificate_number": _STR,
                        "notes": _STR}}


LEDGER_MAX_PAGE_SIZE = 500
_LEDGER_ROW = {"type": "object", "properties": {
    "employee_id": _INT, "nip": _STR, "name": _STR, "asn_type": _STR, "unit": _STR, "jp_sessions": _INT,
    "jp_external": _INT, "jp_total": _INT, "target": _INT, "below_target": {"type": "boolean"}}}


class JpLedgerApi(BaseApi):
    """The JP ledger as JSON (the same rows and scope as the /jp-ledger/ screen)."""

    resource_name = "jp_ledger"
    class_permission_name = "JpLedger"
    method_permission_name = {"get_ledger": READ}
    allow_browser_login = True
    openapi_spec_tag = "JP ledger"

    @expose("/", methods=["GET"])
    @protect()
    def get_ledger(self):
        """The JP ledger of a year
        ---
        get:
          summary: The JP ledger of a year (employees in the caller's scope)
          parameters:
          - in: query
            name: year
            schema: {type: integer, minimum: 2000, maximum: 2100}
          - in: query
            name: unit
            schema: {type: integer, minimum: 1}
          - in: query
            name: below
            schema: {type: integer, enum: [0, 1]}
          - in: query
            name: page
            schema: {type: integer, minimum: 1}
          - in: query
            name: page_size
            schema: {type: integer, minimum: 1, maximum: 500}
          responses:
            200:
              description: One page of the ledger
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      year: {type: integer}
                      count: {type: integer}
                      result:
                        type: array
                        items:
                          $ref: '#/components/schemas/JpLedgerRow'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        from sqlalchemy import select

        from app.core.web import is_record_id
        from app.organisation.models import Unit
        from app.security import scope as S

        args = request.args

        def number(name, default, low, high):
            return query_int(args, name, default, low, high)

        try:
            year = number("year", services.today_wib().year, rules.YEAR_MIN, rules.YEAR_MAX)
            page = number("page", 1, 1, 10 ** 6)
            page_size = number("page_size", 50, 1, LEDGER_MAX_PAGE_SIZE)
            below = number("below", 0, 0, 1) == 1
        except ValueError as exc:
            return self.response_400(message=f"Not a valid argument: {exc}")
        viewer = current_viewer()
        unit_id = None
        raw_unit = args.get("unit")
        if raw_unit:
            if not is_record_id(raw_unit):
                return self.response_400(message="Not a valid argument: unit")
            unit_id = int(raw_unit)
            if db.session.scalar(select(Unit.id).where(Unit.id == unit_id, S.unit_clause(viewer.scope))) is None:
                return self.response_404()
        rows, total = services.ledger_page(db.session, viewer, year, unit_id, below, page, page_size)
        return self.response(200, year=year, count=total, result=[
            {"employee_id": r.employee_id, "nip": r.nip, "name": r.name, "asn_type": r.asn_type, "unit": r.unit_name,
             "jp_sessions": r.jp_sessions, "jp_external": r.jp_external, "jp_total": r.jp_total, "target": r.target,
             "below_target": r.below} for r in rows])

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        if "JpLedgerRow" not in api_spec.components.schemas:
            api_spec.components.schema("JpLedgerRow", _LEDGER_ROW)


def register(appbuilder) -> None:
    for api in (TrainingSessionApi, TrainingParticipantApi, ExternalTrainingApi, JpLedgerApi):
        appbuilder.add_api(api)
