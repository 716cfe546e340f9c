"""The employee's and the supervisor's planning screens (issue 4, "Screens"): the SKP in one page.

* ``/my-plan/``                — "Rencana Kinerja Saya": the signed-in employee's plan for a year (the newest
                                 revision; start one when there is none), written in one form (RHKs with
                                 their indicators and the supervisor's RHK they support), saved and submitted;
* ``/plans/<pk>``              — the same page for any plan in the viewer's scope (404 outside): read-only,
                                 with the buttons the workflow allows the viewer (approve, return with notes,
                                 withdraw, request a change), progress with evidence, feedback threads and the
                                 timeline;
* ``/plan-inbox/``             — the plans the signed-in person rates that wait for a decision;
* ``/my-plan/<pk>/pdf``        — the SKP as a PDF (attachment), for whoever may see the plan;
* ``/evidence/<pk>``           — a piece of evidence (attachment, never inline), scope-checked.

Every write goes through ``services`` (the rules, the workflow and the version check live there); this
module only turns the form into the services' ``data`` and their errors into messages beside the fields.
Permissions: ``can_read`` / ``can_write`` on "Skp" (every employee role has both, roles.py); the row
scope (``scope.skp_visible`` for one plan, ``scope.skp_clause`` for lists) and the services decide per
record.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from types import SimpleNamespace
from typing import Optional

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.core.errors import ConflictError, DomainValidationError
from app.core.uploads import DEFAULT_MAX_BYTES, FileStore, send_stored
from app.core.views import current_scope
from app.extensions import db
from app.organisation.models import Employee
from app.survey import services as survey_services

from . import services
from .api import request_context
from .documents import load_skp_for_document, skp_pdf
from .models import (YEAR_MAX, YEAR_MIN, Approach, Aspect, BehaviourExpectation, CoreValue, CoreValueGuide, Feedback,
                     Progress, Rhk, RhkKind, Skp, TransitionEntity)
from .scope import skp_clause, skp_visible
from .workflow import SKP_MACHINE, Actor, SkpState, TransitionError, allowed_steps, can_edit

CATEGORY = "Kinerja"

RHK_KIND_LABELS = {RhkKind.UTAMA.value: _l("Main (Utama)"), RhkKind.TAMBAHAN.value: _l("Additional (Tambahan)")}
ASPECT_LABELS = {Aspect.KUANTITAS.value: _l("Quantity"), Aspect.KUALITAS.value: _l("Quality"),
                 Aspect.WAKTU.value: _l("Time"), Aspect.BIAYA.value: _l("Cost")}
APPROACH_LABELS = {Approach.KUANTITATIF.value: _l("Quantitative"), Approach.KUALITATIF.value: _l("Qualitative")}
STATUS_CLASSES = {SkpState.DRAFT.value: "default", SkpState.DIAJUKAN.value: "info",
                  SkpState.DISETUJUI.value: "success", SkpState.DIKEMBALIKAN.value: "warning"}

_RHK_FIELD = re.compile(r"^rhks-(\d{1,3})-(id|kind|text|perspective|parent_rhk_id)$")
_IND_FIELD = re.compile(r"^rhks-(\d{1,3})-indicators-(\d{1,3})-"
                        r"(id|aspect|text|target_value|target_unit|target_text|ikm_unit_id)$")


# --- form <-> services -------------------------------------------------------------------------------------

def parse_plan_form(form) -> dict:
    """The posted plan form (``rhks-0-text``, ``rhks-0-indicators-1-target_value`` …) as ``save_plan`` data.
    Rows are taken in the order of their numbers and renumbered from 0, so that the services' error paths
    name the rows as the page shows them again."""
    rhks: dict = defaultdict(lambda: {"indicators": defaultdict(dict)})
    for key in form.keys():
        value = form.get(key, "")
        match = _RHK_FIELD.match(key)
        if match:
            rhks[int(match.group(1))][match.group(2)] = value
            continue
        match = _IND_FIELD.match(key)
        if match:
            rhks[int(match.group(1))]["indicators"][int(match.group(2))][match.group(3)] = value
    result = []
    for i in sorted(rhks):
        raw = rhks[i]
        item = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items() if k != "indicators"}
        for key in ("id", "parent_rhk_id", "perspective"):
            if not item.get(key):
                item[key] = None
        item.setdefault("kind", RhkKind.UTAMA.value)
        item.setdefault("text", "")
        item["indicators"] = []
        for j in sorted(raw["indicators"]):
            ind = {k: v.strip() for k, v in raw["indicators"][j].items()}
            for key in ("id", "target_value", "target_unit", "target_text"):
                if not ind.get(key):
                    ind[key] = None
            if "ikm_unit_id" in ind:  # the value source select: empty is reported progress, a unit its IKM
                ind["ikm_unit_id"] = ind["ikm_unit_id"] or None
            ind.setdefault("aspect", Aspect.KUANTITAS.value)
            ind.setdefault("text", "")
            item["indicators"].append(ind)
        result.append(item)
    return {"approach": (form.get("approach") or "").strip() or Approach.KUANTITATIF.value, "rhks": result}


def _plain(value) -> str:
    if value is None:
        return ""
    text = format(value, "f") if hasattr(value, "as_tuple") else str(value)
    if "." in text and hasattr(value, "as_tuple"):
        text = text.rstrip("0").rstrip(".")
    return text


def plan_as_form(skp: Skp) -> dict:
    """The stored plan in the shape of ``parse_plan_form`` (what the form shows first)."""
    return {"approach": skp.approach, "rhks": [
        {"id": r.id, "kind": r.kind, "text": r.text, "perspective": r.perspective, "parent_rhk_id": r.parent_rhk_id,
         "indicators": [{"id": i.id, "aspect": i.aspect, "text": i.text, "target_value": _plain(i.target_value),
                         "target_unit": i.target_unit, "target_text": i.target_text,
                         "value_source": i.value_source, "ikm_unit_id": i.ikm_unit_id} for i in r.indicators]}
        for r in skp.rhks]}


# --- loading -------------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _plan_statements(newest: bool) -> SimpleNamespace:
    """The statements of ``load_plan`` / ``load_newest_plan``, built once with bound parameters (see there)."""
    if newest:
        where = Skp.id == (select(Skp.id).where(Skp.employee_id == bindparam("employee_id"),
                                                Skp.year == bindparam("year"))
                           .order_by(Skp.revision.desc()).limit(1).scalar_subquery())
    else:
        where = Skp.id == bindparam("pk")
    fresh = {"populate_existing": True}  # a write handler reloads the plan it changed: the stored values win
    return SimpleNamespace(
        plan=select(Skp).where(where).options(
            joinedload(Skp.employee).lazyload("*"), joinedload(Skp.rater).lazyload("*"),
            joinedload(Skp.position).lazyload("*"), joinedload(Skp.unit).lazyload("*"),
            lazyload(Skp.rhks), lazyload(Skp.expectations), lazyload(Skp.feedback)).execution_options(**fresh),
        # in the order of the relationships (Skp.rhks, Rhk.progress, Skp.feedback; indicators and evidence by theirs)
        rhks=select(Rhk).where(Rhk.skp_id == bindparam("skp_id")).order_by(Rhk.kind.desc(), Rhk.sort_order, Rhk.id)
        .options(joinedload(Rhk.indicators), lazyload(Rhk.parent), lazyload(Rhk.progress)).execution_options(**fresh),
        parents=select(Rhk).where(Rhk.id.in_(bindparam("ids", expanding=True)))
        .options(lazyload(Rhk.indicators), lazyload(Rhk.parent)).execution_options(**fresh),
        progress=select(Progress).where(Progress.rhk_id.in_(bindparam("ids", expanding=True)))
        .order_by(Progress.rhk_id, Progress.achieved_on, Progress.id)
        .options(joinedload(Progress.evidence), lazyload(Progress.indicator)).execution_options(**fresh),
        expectations=select(BehaviourExpectation).where(BehaviourExpectation.skp_id == bindparam("skp_id"))
        .execution_options(**fresh),
        feedback=select(Feedback).where(Feedback.skp_id == bindparam("skp_id")).order_by(Feedback.created_on)
        .execution_options(**fresh),
    )


def _load(newest: bool, params: dict) -> Optional[Skp]:
    """The plan with everything the page shows, in six queries whatever its size: the plan joined with its
    employee, rater, position and unit; its RHKs joined with their indicators; the supervisor's RHKs they
    support (their text only); the progress joined with its evidence; the expectations; the feedback.
    What the page does not show (the people's rank, unit and supervisor, the parent RHK's own indicators and
    parent) stays lazy: the services that need it still load it.

    Each query is a statement built once (``_plan_statements``) whose results are set as the loaded collections
    (``set_committed_value``, as the ORM's own loaders do): the same objects and queries as ``selectinload`` of
    each relationship, without building the statement and its loader options again on every request and
    working out their cache keys (4-7 ms of CPU per plan page on PostgreSQL, 3 ms on SQLite: a third of the page)."""
    statements, session = _plan_statements(newest), db.session
    skp = session.scalars(statements.plan, params).unique().one_or_none()
    if skp is None:
        return None
    rhks = session.scalars(statements.rhks, {"skp_id": skp.id}).unique().all()
    set_committed_value(skp, "rhks", rhks)
    parent_ids = sorted({r.parent_rhk_id for r in rhks if r.parent_rhk_id is not None})
    parents = {r.id: r for r in session.scalars(statements.parents, {"ids": parent_ids})} if parent_ids else {}
    indicators = {}
    for rhk in rhks:
        set_committed_value(rhk, "parent", parents.get(rhk.parent_rhk_id))
        for indicator in rhk.indicators:
            indicators[indicator.id] = indicator
    progress = defaultdict(list)
    if rhks:
        for entry in session.scalars(statements.progress, {"ids": [r.id for r in rhks]}).unique():
            progress[entry.rhk_id].append(entry)
            if entry.indicator_id is None or entry.indicator_id in indicators:  # else: loaded when read
                set_committed_value(entry, "indicator", indicators.get(entry.indicator_id))
    for rhk in rhks:
        set_committed_value(rhk, "progress", progress.get(rhk.id, []))
    set_committed_value(skp, "expectations", session.scalars(statements.expectations, {"skp_id": skp.id}).all())
    set_committed_value(skp, "feedback", session.scalars(statements.feedback, {"skp_id": skp.id}).all())
    return skp


def _in_scope(skp: Optional[Skp], scope) -> Optional[Skp]:
    """The scope is checked on the loaded plan (``scope.skp_visible``: a walk up from its employee and unit, not
    the set of everyone below the viewer)."""
    return skp if skp is not None and skp_visible(db.session, scope, skp) else None


def load_plan(pk: int, scope) -> Optional[Skp]:
    """The plan with everything the page shows, in a constant number of queries (``_load``); None outside the
    scope."""
    return _in_scope(_load(False, {"pk": pk}), scope)


def load_newest_plan(employee_id: int, year: int, scope) -> Optional[Skp]:
    """The newest revision of the employee's plan for ``year`` (as ``load_plan``, in the same query); None if
    there is none (or it is outside the scope)."""
    return _in_scope(_load(True, {"employee_id": employee_id, "year": year}), scope)


def supervisor_rhks(skp: Skp) -> list:
    """The RHKs this plan's RHKs may support: those of the rater's plan in force for the same year."""
    if not skp.rater_id:
        return []
    return list(db.session.execute(
        select(Rhk.id, Rhk.kind, Rhk.text).join(Skp, Skp.id == Rhk.skp_id)
        .where(Skp.employee_id == skp.rater_id, Skp.year == skp.year, Skp.is_current)
        .order_by(Rhk.sort_order, Rhk.id)).all())


@lru_cache(maxsize=None)
def _core_values_statement():
    return (select(CoreValue.id, CoreValue.name, CoreValueGuide.text)
            .outerjoin(CoreValueGuide, CoreValueGuide.core_value_id == CoreValue.id)
            .order_by(CoreValue.sort_order, CoreValueGuide.sort_order))


def _core_values() -> list:
    """The 7 core values with their guides, in one query: plain rows (``id``, ``name``, ``guides`` with their
    ``text``, in their order), what the page shows of them (as objects they cost half a millisecond a page)."""
    values: dict = {}
    for value_id, name, text in db.session.execute(_core_values_statement()):
        value = values.get(value_id)
        if value is None:
            value = values[value_id] = SimpleNamespace(id=value_id, name=name, guides=[])
        if text is not None:
            value.guides.append(SimpleNamespace(text=text))
    return list(values.values())


def _year_arg() -> int:
    raw = (request.args.get("year") or "").strip()
    if raw.isascii() and raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    return services.today_wib().year


def _errors(exc: DomainValidationError) -> dict:
    return {key: str(message) for key, message in exc.errors.items()}


class PlanningView(BaseView):
    """Rencana Kinerja: the employee's plan, the supervisor's inbox, progress, evidence and feedback."""

    route_base = ""
    class_permission_name = "Skp"
    method_permission_name = {"my_plan": "read", "inbox": "read", "show": "read", "pdf": "read",
                              "evidence": "read", "start": "write", "save": "write", "step": "write",
                              "progress": "write", "feedback": "write"}
    default_view = "my_plan"

    # --- pages -------------------------------------------------------------------------------------------
    @expose("/my-plan/")
    @has_access
    def my_plan(self):
        year = _year_arg()
        employee_id, _unit = self.appbuilder.sm.current_employee()
        if not employee_id:
            return self.render_template("portal/no_employee.html", title=_l("My performance plan"))
        skp = load_newest_plan(employee_id, year, current_scope())  # one's own plan is always in scope
        if skp is None:
            employee = db.session.get(Employee, employee_id)
            return self.render_template("portal/performance/plan_start.html", title=_l("My performance plan"),
                                        year=year, employee=employee, approaches=APPROACH_LABELS, errors={})
        return self._render_plan(skp, my_page=True)

    @expose("/plans/<int:pk>")
    @has_access
    def show(self, pk):
        skp = load_plan(pk, current_scope())
        if skp is None:
            abort(404)
        return self._render_plan(skp)

    @expose("/plan-inbox/")
    @has_access
    def inbox(self):
        employee_id, _unit = self.appbuilder.sm.current_employee()
        plans = []
        if employee_id:
            plans = list(db.session.scalars(
                select(Skp).where(Skp.rater_id == employee_id, Skp.status == SkpState.DIAJUKAN.value)
                .order_by(Skp.submitted_at, Skp.id).options(selectinload(Skp.employee))))
        return self.render_template("portal/performance/inbox.html", title=_l("Plans to approve"), plans=plans,
                                    has_employee=bool(employee_id))

    @expose("/my-plan/<int:pk>/pdf")
    @has_access
    def pdf(self, pk):
        if db.session.scalar(select(Skp.id).where(Skp.id == pk, skp_clause(current_scope()))) is None:
            abort(404)
        skp = load_skp_for_document(db.session, pk)
        data = skp_pdf(skp, printed_on=services.today_wib())
        name = f"SKP-{skp.year}-{skp.employee.nip}-r{skp.revision}.pdf"
        response = Response(data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/evidence/<int:pk>")
    @has_access
    def evidence(self, pk):
        item = services.evidence_for_download(db.session, current_scope(), pk)
        if item is None:
            abort(404)
        if item.kind != "FILE" or not item.stored_name:
            return redirect(item.url) if item.url else abort(404)
        try:
            return send_stored(self._store(), item)
        except (FileNotFoundError, OSError):
            abort(404)

    # --- writes ------------------------------------------------------------------------------------------
    @expose("/my-plan/start", methods=["POST"])
    @has_access
    def start(self):
        employee_id, _unit = self.appbuilder.sm.current_employee()
        raw_year = (request.form.get("year") or "").strip()
        year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() and len(raw_year) <= 4 else None
        if not employee_id:
            flash(_("This account is not linked to an employee record. Ask the administrator to link it."),
                  "danger")
            return redirect(url_for("PlanningView.my_plan"))
        employee = db.session.get(Employee, employee_id)
        approach = request.form.get("approach") or Approach.KUANTITATIF.value
        try:
            if year is None:
                raise DomainValidationError({"year": _l("Year must be between %(min)d and %(max)d.",
                                                        min=YEAR_MIN, max=YEAR_MAX)})
            services.start_plan(db.session, request_context(), employee, year, approach)
        except DomainValidationError as exc:
            db.session.rollback()
            return self.render_template("portal/performance/plan_start.html", title=_l("My performance plan"),
                                        year=year or services.today_wib().year, employee=employee,
                                        approaches=APPROACH_LABELS, errors=_errors(exc))
        except TransitionError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        return redirect(url_for("PlanningView.my_plan", year=year))

    @expose("/plans/<int:pk>/save", methods=["POST"])
    @has_access
    def save(self, pk):
        """Save the plan form (the owner); with ``action=submit`` also submit it to the rater."""
        skp = load_plan(pk, current_scope())
        if skp is None:
            abort(404)
        ctx = request_context()
        data = parse_plan_form(request.form)
        submit = request.form.get("action") == "submit"
        try:
            services.save_plan(db.session, ctx, skp, data, request.form.get("version"))
        except DomainValidationError as exc:
            db.session.rollback()
            return self._render_plan(self._reload(pk), form_data=data, errors=_errors(exc),
                                     version=request.form.get("version"))
        except ConflictError as exc:
            db.session.rollback()
            return self._render_plan(self._reload(pk), form_data=data, conflict=str(exc.message),
                                     version=request.form.get("version"), status=409)
        except TransitionError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("PlanningView.show", pk=pk))
        if submit:
            try:
                services.submit_plan(db.session, ctx, skp, skp.version)
            except DomainValidationError as exc:
                db.session.rollback()
                flash(_("The plan was saved but not submitted."), "warning")
                return self._render_plan(self._reload(pk), errors=_errors(exc))
            except (TransitionError, ConflictError) as exc:
                db.session.rollback()
                flash(str(exc.message), "danger")
                return redirect(url_for("PlanningView.show", pk=pk))
            flash(_("The plan was submitted to your rater."), "success")
        else:
            flash(_("The plan was saved."), "success")
        return redirect(url_for("PlanningView.show", pk=pk))

    @expose("/plans/<int:pk>/step", methods=["POST"])
    @has_access
    def step(self, pk):
        """A workflow step on the plan: approve, return (with notes), withdraw, revise (request a change)."""
        skp = load_plan(pk, current_scope())
        if skp is None:
            abort(404)
        ctx = request_context()
        name = request.form.get("step")
        version = request.form.get("version")
        target = pk
        try:
            if name == "approve":
                services.approve_plan(db.session, ctx, skp, version)
                flash(_("The plan was approved."), "success")
            elif name == "return":
                notes = (request.form.get("notes") or "").strip()
                if not notes:
                    raise DomainValidationError({"notes": _l("Write the notes for the employee.")})
                services.return_plan(db.session, ctx, skp, notes, version)
                flash(_("The plan was returned to the employee."), "success")
            elif name == "withdraw":
                services.withdraw_plan(db.session, ctx, skp, version)
                flash(_("The plan was withdrawn; you can edit it again."), "success")
            elif name == "revise":
                new = services.revise_plan(db.session, ctx, skp, version)
                target = new.id
                flash(_("A new revision of the plan was started."), "success")
            else:
                abort(400)
        except DomainValidationError as exc:
            db.session.rollback()
            for message in _errors(exc).values():
                flash(message, "danger")
        except (TransitionError, ConflictError) as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        return redirect(url_for("PlanningView.show", pk=target))

    @expose("/plans/<int:pk>/progress", methods=["POST"])
    @has_access
    def progress(self, pk):
        """Realisasi on one RHK (the owner, approved plan), with an optional evidence file and/or link."""
        skp = load_plan(pk, current_scope())
        if skp is None:
            abort(404)
        ctx = request_context()
        form = request.form
        rhk = next((r for r in skp.rhks if str(r.id) == (form.get("rhk") or "")), None)
        if rhk is None:
            flash(_("Choose the RHK the progress is about."), "danger")
            return redirect(url_for("PlanningView.show", pk=pk))
        indicator = next((i for i in rhk.indicators if str(i.id) == (form.get("indicator") or "")), None)
        upload = request.files.get("file")
        try:
            # the entry goes with its evidence: nothing is kept of a refused report (services.record_progress)
            services.record_progress(
                db.session, ctx, rhk, indicator, form.get("value"), form.get("description"), form.get("achieved_on"),
                upload=(upload.stream, upload.filename) if upload is not None and upload.filename else None,
                url=form.get("url"), store=self._store(),
                max_bytes=current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))
        except DomainValidationError as exc:
            db.session.rollback()
            values = {k: form.get(k, "") for k in ("value", "description", "achieved_on", "url", "indicator")}
            return self._render_plan(self._reload(pk), progress_form={"rhk_id": rhk.id, "values": values,
                                                                      "errors": _errors(exc)})
        except TransitionError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("PlanningView.show", pk=pk))
        flash(_("The progress was recorded."), "success")
        return redirect(url_for("PlanningView.show", pk=pk, _anchor=f"rhk-{rhk.id}"))

    @expose("/plans/<int:pk>/feedback", methods=["POST"])
    @has_access
    def feedback(self, pk):
        """A message in the feedback thread of one RHK or one core value (the rater or the owner)."""
        skp = load_plan(pk, current_scope())
        if skp is None:
            abort(404)
        rhk = next((r for r in skp.rhks if str(r.id) == (request.form.get("rhk") or "")), None)
        core_value = None
        raw_cv = (request.form.get("core_value") or "").strip()
        if raw_cv.isascii() and raw_cv.isdigit() and len(raw_cv) < 10:
            core_value = db.session.get(CoreValue, int(raw_cv))
        try:
            services.add_feedback(db.session, request_context(), skp, request.form.get("text"), rhk=rhk,
                                  core_value=core_value)
            flash(_("The feedback was posted."), "success")
        except DomainValidationError as exc:
            db.session.rollback()
            for message in _errors(exc).values():
                flash(message, "danger")
        except TransitionError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        anchor = f"rhk-{rhk.id}" if rhk is not None else (f"cv-{core_value.id}" if core_value else None)
        return redirect(url_for("PlanningView.show", pk=pk, _anchor=anchor))

    # --- helpers -----------------------------------------------------------------------------------------
    @staticmethod
    def _store() -> FileStore:
        return FileStore(current_app.config["UPLOAD_DIR"])

    @staticmethod
    def _reload(pk) -> Skp:
        skp = load_plan(pk, current_scope())
        if skp is None:  # pragma: no cover - it was in scope a moment ago
            abort(404)
        return skp

    def _render_plan(self, skp: Skp, *, my_page=False, form_data=None, errors=None, conflict=None, version=None,
                     progress_form=None, status=200):
        ctx = request_context()
        roles = services.actor_roles(ctx, skp)
        is_owner = Actor.OWNER in roles
        is_rater = Actor.RATER in roles
        state = SkpState.DRAFT if (skp.status == SkpState.DIKEMBALIKAN and is_owner) else skp.status
        editable = is_owner and can_edit(SKP_MACHINE, state, roles)
        steps = {str(s.target) + ":" + str(s.source) for s in allowed_steps(SKP_MACHINE, skp.status, roles)}
        approved = skp.status == SkpState.DISETUJUI
        # the other revisions of the year (one query): the next newer one, and the one in force
        revisions = db.session.execute(select(Skp.id, Skp.revision, Skp.is_current).where(
            Skp.employee_id == skp.employee_id, Skp.year == skp.year, Skp.id != skp.id)
            .order_by(Skp.revision)).all()
        newer = next((r.id for r in revisions if r.revision > skp.revision), None)
        in_force = None if skp.is_current else next((r.id for r in revisions if r.is_current), None)
        feedback_by_rhk, feedback_by_cv = defaultdict(list), defaultdict(list)
        for item in sorted(skp.feedback, key=lambda f: (f.created_on, f.id)):
            if item.rhk_id is not None:
                feedback_by_rhk[item.rhk_id].append(item)
            elif item.core_value_id is not None:
                feedback_by_cv[item.core_value_id].append(item)
        expectations = {e.core_value_id: e.text for e in skp.expectations}
        parents = supervisor_rhks(skp) if editable else []
        # the value source select of each indicator: the service units, the plan's own OPD first (app/survey)
        ikm_units = survey_services.service_unit_choices(db.session, skp.unit_id) if editable else []
        buttons = SimpleNamespace(
            approve=f"{SkpState.DISETUJUI}:{SkpState.DIAJUKAN}" in steps,
            ret=f"{SkpState.DIKEMBALIKAN}:{SkpState.DIAJUKAN}" in steps,
            withdraw=f"{SkpState.DRAFT}:{SkpState.DIAJUKAN}" in steps,
            revise=is_owner and approved and skp.is_current and newer is None,
        )
        return self.render_template(
            "portal/performance/plan.html", title=_l("My performance plan") if my_page else _l("Performance plan"),
            skp=skp, my_page=my_page, year=skp.year, editable=editable, is_owner=is_owner, is_rater=is_rater,
            approved=approved, buttons=buttons, newer=newer, in_force=in_force,
            plan=form_data if form_data is not None else plan_as_form(skp),
            errors=errors or {}, conflict=conflict, version=version if version is not None else skp.version,
            parents=parents, parent_ids=[str(p.id) for p in parents],
            ikm_groups=[(label, rows) for label, rows in (
                (_("IKM of a service unit of your OPD"), [u for u in ikm_units if u[3]]),
                (_("IKM of another service unit"), [u for u in ikm_units if not u[3]])) if rows],
            ikm_unit_ids={str(u[0]) for u in ikm_units},
            core_values=_core_values(), expectations=expectations,
            feedback_by_rhk=feedback_by_rhk, feedback_by_cv=feedback_by_cv,
            can_feedback=approved and (is_owner or is_rater),
            progress_form=progress_form or {}, today=services.today_wib().isoformat(),
            timeline=services.timeline(db.session, TransitionEntity.SKP, skp.id),
            status_label=SKP_MACHINE.label_of(skp.status), status_class=STATUS_CLASSES.get(skp.status, "default"),
            kind_labels=RHK_KIND_LABELS, aspect_labels=ASPECT_LABELS, approach_labels=APPROACH_LABELS,
            state_label=SKP_MACHINE.label_of, show_perspective=bool(skp.position and skp.position.position_type == "JPT"),
            evidence_max_mb=current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES) // (1024 * 1024),
        ), status


def register(appbuilder):
    """Menus and views of the planning screens (called by app.performance.register)."""
    appbuilder.add_view(PlanningView, "My Plan", label=_l("My performance plan"), icon="fa-tasks",
                        category=CATEGORY, category_label=_l("My performance"), category_icon="fa-bullseye")
    appbuilder.add_link("Plans to approve", href="/plan-inbox/", label=_l("Plans to approve"), icon="fa-inbox",
                        category=CATEGORY)
