"""The training screens (menu "Pelatihan") that are not plain CRUD:

* ``MyTrainingView``      (/my-training/)        — "Pelatihan Saya": the signed-in employee's invitations and
  sessions (with the waiting list), self check-in with the session's code while it runs, feedback after it,
  declining an invitation, the JP of this year against the target and of earlier years, external trainings.
  POST /my-training/<session>/{check-in,feedback,decline}.
* ``TrainerSessionsView`` (/my-sessions/)        — "Sesi Saya": the sessions the signed-in Pelatih trains.
* ``RosterView``          (/training-sessions/<id>) — a session's roster: participants with attendance,
  scores and certificates (bulk present / excused / absent; scores and certificate numbers per row), the
  check-in code (new code), closing the attendance, invitations by unit, position or list (organisers), the
  waiting list, feedback; the attendance list as PDF and CSV/XLSX.
* ``JpLedgerView``        (/jp-ledger/)          — the JP ledger of a year: per unit (who is below target) and
  per employee, CSV/XLSX export. Aggregate SQL only.
* ``TrainingNeedsView``   (/training-needs/)     — "Kebutuhan Pelatihan": per unit, the topics the rules (run in
  SQL, ``needs``) recommend with their numbers of employees, and one topic's recommended employees a page at a
  time (?topic=&page=); one form creates a session with the ticked employees of the page, or every
  recommended employee of the topic (not yet invited or trained, or all), invited; /training-needs/effect
  counts the effect of training per effect and topic in SQL and pages each participant's next evaluation
  result beside the earlier one.
* ``TrainingFeedbackView`` (/training-feedback/) — participant feedback summarised per trainer and session.

Every record is loaded through the row scope (``scope``): outside it the answer is 404. Every change goes
through ``services``; a refusal shows its message (flash, or beside the field) and changes nothing.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload, lazyload
from wtforms import Form

from app.core.errors import DomainValidationError
from app.core.export import to_csv, to_xlsx
from app.core.fields import AjaxSelectField
from app.extensions import db
from app.organisation.models import Employee, Unit
from app.security import scope as S

from . import documents, rules, services
from . import derived as training_derived
from . import needs as needs_service
from . import rows as training_rows
from .models import TrainingParticipant, TrainingSession, TrainingTopic
from .rules import (ATTENDANCE_LABELS, METHOD_LABELS, SESSION_KIND_LABELS, Attendance, SessionStatus,
                    TrainingRuleError)
from .scope import session_clause
from .views import CATEGORY, trainer_accounts
from app.core.web import record_id_or_404

from .web import current_viewer, request_context

LEDGER_PAGE_SIZE = 50
MY_SESSIONS_PAGE_SIZE = 50  # "Sesi Saya": a busy Pelatih trains hundreds of sessions over the years
ROSTER_PAGE_SIZE = 100  # the roster screen pages a large session (a city-wide webinar has thousands)
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _int_arg(name) -> Optional[int]:
    from app.core.web import id_arg

    return id_arg(name)


def _year_arg(default: int) -> int:
    from app.core.web import bounded_int

    year = bounded_int(request.args.get("year"), rules.YEAR_MIN, rules.YEAR_MAX)
    return default if year is None else year


def _page_arg() -> int:
    raw = (request.args.get("page") or "1").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100000 else 1


def _errors_text(exc: DomainValidationError) -> list:
    return [str(v) for v in exc.errors.values()]


def _flash_errors(exc: DomainValidationError) -> None:
    for message in _errors_text(exc):
        flash(message, "danger")


class _UnitPicker(Form):
    unit = AjaxSelectField(_l("Unit"), kind="unit")


class _InvitePickers(Form):
    unit = AjaxSelectField(_l("Unit"), kind="unit")
    position = AjaxSelectField(_l("Position"), kind="position")
    employee = AjaxSelectField(_l("Employee"), kind="employee")


def _unit_picker(unit):
    form = _UnitPicker(meta={"csrf": False})
    form.unit.data = unit
    return form


def _load_session(pk, roster: bool = False) -> TrainingSession:
    """The session in the viewer's scope, else 404. ``roster`` (the roster screen): its topic and trainers in the
    same statement, its target units not loaded (not shown): three queries fewer."""
    query = select(TrainingSession).where(TrainingSession.id == record_id_or_404(pk), session_clause(current_viewer()))
    if roster:
        query = query.options(joinedload(TrainingSession.topic), joinedload(TrainingSession.trainers),
                              lazyload(TrainingSession.units))
    item = db.session.execute(query).unique().scalar_one_or_none()
    if item is None:
        abort(404)
    return item


def _id_url(endpoint: str) -> str:
    """The URL of ``endpoint`` for a record without its id (``…/``): a table of many rows appends each row's id
    instead of building its URL (``url_for``, ~25 µs a row). The same URL: the route ends in ``/<pk>``."""
    url = url_for(endpoint, pk="0")
    if not url.endswith("/0"):  # not a route ending in the id: every row must build its URL
        raise ValueError(f"{endpoint}: {url}")
    return url[:-1]


def _label_map(labels) -> dict:
    """{code: label} translated once per page (not once per row); ``Markup`` as a lazy label was (Jinja writes a
    lazy string as markup: the same bytes)."""
    return {code: Markup(str(label)) for code, label in labels.items()}


def _session_label_maps() -> dict:
    return {"kind_labels": _label_map(SESSION_KIND_LABELS), "method_labels": _label_map(METHOD_LABELS),
            "status_labels": _label_map(rules.SESSION_STATUS_LABELS)}


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _table_download(fmt: str, name: str, headers: list, rows: list) -> Response:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filename = f"{name}-{date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return _download(to_csv(headers, rows), filename, "text/csv; charset=utf-8")
    return _download(to_xlsx(headers, rows, sheet_title=name),
                     filename, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- "Pelatihan Saya" -------------------------------------------------------------------------------------------

class MyTrainingView(BaseView):
    route_base = "/my-training"
    class_permission_name = "MyTraining"
    method_permission_name = {"index": "read", "check_in": "write", "feedback": "write", "decline": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        ctx = request_context()
        now = services.now_wib()
        this_year = now.year
        context = {"has_employee": False, "rows": [], "external": [], "years": [], "now": now,
                   "attendance_labels": ATTENDANCE_LABELS}
        if ctx.employee_id:  # the account's employee record (read with the account)
            rows = services.my_participations(db.session, ctx.employee_id)
            context.update(
                has_employee=True, rows=rows,
                external=services.my_external(db.session, ctx.employee_id),
                years=services.employee_jp_by_year(db.session, ctx.employee_id,
                                                   range(this_year - 2, this_year + 1)))
        return self.render_template("portal/training/my_training.html", title=_l("My training"), **context)

    def _act(self, pk, action, anchor=""):
        training_session = _load_session(pk)
        try:
            message = action(training_session, request_context())
        except DomainValidationError as exc:
            db.session.rollback()
            _flash_errors(exc)
        except TrainingRuleError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(str(message), "success")
        return redirect(url_for("MyTrainingView.index", _anchor=anchor or f"session-{training_session.id}"))

    @expose("/<pk>/check-in", methods=["POST"])
    @has_access
    def check_in(self, pk):
        def action(training_session, ctx):
            services.check_in(db.session, ctx, training_session, request.form.get("code"))
            return _("Your attendance is recorded. Welcome!")
        return self._act(pk, action)

    @expose("/<pk>/feedback", methods=["POST"])
    @has_access
    def feedback(self, pk):
        def action(training_session, ctx):
            services.give_feedback(db.session, ctx, training_session, request.form.get("rating"),
                                   request.form.get("comment"))
            return _("Thank you for your feedback.")
        return self._act(pk, action)

    @expose("/<pk>/decline", methods=["POST"])
    @has_access
    def decline(self, pk):
        def action(training_session, ctx):
            row = services.own_participation(db.session, ctx.employee_id, training_session.id)
            if row is None:
                raise TrainingRuleError(_l("You are not registered for this session."), "NOT_ENROLLED")
            services.cancel(db.session, ctx, row)
            return _("You declined the invitation.")
        return self._act(pk, action)


# --- "Sesi Saya" -------------------------------------------------------------------------------------------------

class TrainerSessionsView(BaseView):
    route_base = "/my-sessions"
    class_permission_name = "TrainerSessions"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        viewer = current_viewer()
        # how many sessions and the feedback on all of them: one statement
        total, mine = services.trainer_overview(db.session, viewer.user_id) if viewer.user_id else (0, None)
        pages = max(1, -(-total // MY_SESSIONS_PAGE_SIZE))
        page = min(_page_arg(), pages)
        sessions = services.trainer_sessions(db.session, viewer.user_id, page, MY_SESSIONS_PAGE_SIZE) \
            if total else []
        # places, attendance and feedback of the page's sessions: one GROUP BY
        counts = services.session_summaries(db.session, [s.id for s in sessions])
        ratings = {sid: (c["feedback"], c["rating"]) for sid, c in counts.items() if c["feedback"]}
        return self.render_template("portal/training/my_sessions.html", title=_l("My sessions"), sessions=sessions,
                                    counts=counts, ratings=ratings, mine=mine,
                                    now=services.now_wib(), page=page, pages=pages, total=total,
                                    roster_url=_id_url("RosterView.show"), **_session_label_maps())


# --- the roster of a session ---------------------------------------------------------------------------------------

class RosterView(BaseView):
    route_base = "/training-sessions"
    class_permission_name = "TrainingParticipant"
    method_permission_name = {"show": "read", "pdf": "read", "export": "export", "invite": "write",
                              "attendance": "write", "code": "write", "close": "write", "cancel": "write",
                              "reopen": "write"}
    default_view = "show"

    def _page(self, training_session, errors=None, form=None, status=200):
        viewer = current_viewer()
        ctx = request_context()
        runner = services.runs(ctx, training_session)
        manager = services.manages(ctx)
        # the places and attendance, and (trainers, organisers) the feedback's ratings: one statement
        counts, feedback = services.roster_counts(db.session, training_session.id, with_feedback=runner)
        # the trainers and organisers see every participant: the counts give the total (no second count)
        total = sum(n for k, n in counts.items() if k != "HADIR") if runner \
            else services.roster_count(db.session, viewer, training_session)
        pages = max(1, -(-total // ROSTER_PAGE_SIZE))
        page = min(_page_arg(), pages)
        participants = services.roster(db.session, viewer, training_session, page, ROSTER_PAGE_SIZE)
        pickers = _InvitePickers(meta={"csrf": False})
        return self.render_template(
            "portal/training/roster.html", title=_l("Session roster"), item=training_session,
            participants=participants, runner=runner, manager=manager, page=page, pages=pages, total=total,
            can_write=self.appbuilder.sm.has_access("can_write", "TrainingParticipant"),
            can_export=self.appbuilder.sm.has_access("can_export", "TrainingParticipant"),
            is_open=training_session.status == SessionStatus.DIBUKA, counts=counts,
            feedback=feedback, status_labels=_label_map(rules.ENROLLMENT_STATUS_LABELS),
            attendance_texts=_label_map(ATTENDANCE_LABELS),
            history=services.session_history(db.session, training_session.id),
            pickers=pickers, errors=errors or {}, form=form or {}, attendance_labels=ATTENDANCE_LABELS,
            now=services.now_wib()), status

    def _back(self, training_session):
        raw = (request.form.get("page") or "").strip()
        page = int(raw) if raw.isascii() and raw.isdigit() and 1 < int(raw) < 100000 else None
        return redirect(url_for("RosterView.show", pk=training_session.id, page=page))  # back to the same page

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        return self._page(_load_session(pk, roster=True))

    def _act(self, pk, action):
        training_session = _load_session(pk)
        try:
            message = action(training_session, request_context())
        except DomainValidationError as exc:
            db.session.rollback()
            return self._page(_load_session(pk), errors=exc.errors, form=request.form.to_dict(), status=422)
        except TrainingRuleError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return self._back(training_session)
        flash(str(message), "success")
        return self._back(training_session)

    @expose("/<pk>/invite", methods=["POST"])
    @has_access
    def invite(self, pk):
        def action(training_session, ctx):
            form = request.form
            employee_ids = [v for v in form.getlist("employees") if v.strip()]
            result = services.invite(db.session, ctx, training_session, employee_ids=employee_ids,
                                     unit_id=services.as_int(form.get("unit")) if not employee_ids else None,
                                     include_subunits=bool(form.get("subunits")),
                                     position_id=services.as_int(form.get("position"))
                                     if not employee_ids and not form.get("unit") else None)
            message = _("%(invited)d invited, %(waiting)d on the waiting list.", invited=len(result.invited),
                        waiting=len(result.waitlisted))
            if result.skipped:
                message += " " + _("%(n)d were already registered and were skipped.", n=len(result.skipped))
            return message
        return self._act(pk, action)

    @expose("/<pk>/attendance", methods=["POST"])
    @has_access
    def attendance(self, pk):
        def action(training_session, ctx):
            form = request.form
            mark = form.get("mark") or ""
            if mark:
                if mark not in Attendance.__members__:
                    raise DomainValidationError({"mark": _l("Attendance must be present, excused or absent.")})
                # the ticked rows of this page, or every invited participant of the session (all pages)
                chosen = services.invited_ids(db.session, training_session) if form.get("scope") == "all" \
                    else form.getlist("rowid")
                if not chosen:
                    raise DomainValidationError({"rowid": _l("Tick the participants first.")})
                n = services.mark(db.session, ctx, training_session, chosen, mark)
                return _("Attendance recorded for %(n)d participants.", n=n)
            entries = []
            for raw in form.getlist("row"):
                employee_id = services.as_int(raw)
                if employee_id is None:
                    raise DomainValidationError({"row": _l("Invalid employee.")})
                entry = {"employee_id": employee_id}
                for key in ("attendance", "pre_score", "post_score", "certificate_number"):
                    name = f"{key}-{employee_id}"
                    if name in form:
                        entry[key] = form.get(name)
                entries.append(entry)
            n = services.record_roster(db.session, ctx, training_session, entries)
            return _("%(n)d participants updated.", n=n)
        return self._act(pk, action)

    @expose("/<pk>/code", methods=["POST"])
    @has_access
    def code(self, pk):
        def action(training_session, ctx):
            code = services.regenerate_code(db.session, ctx, training_session)
            return _("New check-in code: %(code)s", code=code)
        return self._act(pk, action)

    @expose("/<pk>/close", methods=["POST"])
    @has_access
    def close(self, pk):
        def action(training_session, ctx):
            n = services.close_attendance(db.session, ctx, training_session)
            return _("The attendance is closed; %(n)d participants without attendance were marked absent.", n=n)
        return self._act(pk, action)

    @expose("/<pk>/reopen", methods=["POST"])
    @has_access
    def reopen(self, pk):
        def action(training_session, ctx):
            services.reopen_attendance(db.session, ctx, training_session, request.form.get("reason"))
            return _("The attendance is open again. The session's JP count again once it is closed.")
        return self._act(pk, action)

    @expose("/<pk>/cancel", methods=["POST"])
    @has_access
    def cancel(self, pk):
        def action(training_session, ctx):
            participant_id = services.as_int(request.form.get("participant"))
            row = db.session.get(TrainingParticipant, participant_id) if participant_id else None
            if row is None or row.session_id != training_session.id:
                raise DomainValidationError({"participant": _l("Choose a participant of this session.")})
            promoted = services.cancel(db.session, ctx, row)
            message = _("The invitation is cancelled.")
            if promoted:
                message += " " + _("%(n)d participants moved from the waiting list to the session.", n=promoted)
            return message
        return self._act(pk, action)

    @expose("/<pk>/pdf")
    @has_access
    def pdf(self, pk):
        training_session = _load_session(pk)
        participants = services.roster(db.session, current_viewer(), training_session)
        data = documents.attendance_pdf(training_session, participants, printed_on=services.today_wib())
        return _download(data, f"daftar-hadir-{training_session.id}.pdf", "application/pdf")

    @expose("/<pk>/export/<fmt>")
    @has_access
    def export(self, pk, fmt):
        training_session = _load_session(pk)
        participants = services.roster(db.session, current_viewer(), training_session)
        headers = [_("NIP"), _("Name"), _("Unit"), _("Status"), _("Attendance"), _("Checked in at"), _("Pre-test"),
                   _("Post-test"), _("Certificate number")]
        rows = [[p.employee.nip, p.employee.full_name, p.unit.name if p.unit else "", str(p.status_label),
                 str(p.attendance_label), p.checked_in_at, p.pre_score, p.post_score, p.certificate_number]
                for p in participants]
        return _table_download(fmt, f"peserta-sesi-{training_session.id}", headers, rows)


# --- the JP ledger -------------------------------------------------------------------------------------------------------

class JpLedgerView(BaseView):
    route_base = "/jp-ledger"
    class_permission_name = "JpLedger"
    method_permission_name = {"index": "read", "export": "export"}
    default_view = "index"

    def _filters(self):
        viewer = current_viewer()
        year = _year_arg(services.today_wib().year)
        unit_id = _int_arg("unit")
        unit = None
        if unit_id is not None:
            # the unit in the viewer's scope, in one statement (its parent, a "selectin" relationship, not read
            # here: loaded only if used)
            unit = db.session.scalar(select(Unit).options(lazyload(Unit.parent)).where(
                Unit.id == unit_id, *([] if viewer.everything else [S.unit_clause(viewer.scope)])))
            if unit is None:
                abort(404)
        return viewer, year, unit, request.args.get("below") == "1"

    @expose("/")
    @has_access
    def index(self):
        viewer, year, unit, below = self._filters()
        page = _page_arg()
        units_view = viewer.everything or bool(viewer.scope.unit_root_id)
        # the page, its count and the per-unit summary in one statement (the totals computed once)
        rows, total, by_unit = services.ledger_overview(db.session, viewer, year, unit.id if unit else None, below,
                                                        page, LEDGER_PAGE_SIZE, by_unit=units_view)
        return self.render_template(
            "portal/training/jp_ledger.html", title=_l("JP ledger"), year=year, unit=unit, below=below, rows=rows,
            total=total, page=page, pages=max(1, -(-total // LEDGER_PAGE_SIZE)), by_unit=by_unit,
            picker=_unit_picker(unit) if units_view else None, targets=services.stored_targets(db.session),
            default_targets=rules.DEFAULT_JP_TARGETS,
            # translated once, formatted per row (as ``_()`` in the template: markup, the number escaped)
            to_go=Markup(_("%(n)d JP to go")),
            can_export=self.appbuilder.sm.has_access("can_export", "JpLedger"))

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt):
        if fmt not in ("csv", "xlsx"):
            abort(404)
        viewer, year, unit, below = self._filters()
        rows = services.ledger_all(db.session, viewer, year, unit.id if unit else None, below)
        headers = [_("NIP"), _("Name"), _("ASN type"), _("Unit"), _("JP from sessions"), _("JP external"),
                   _("JP total"), _("Target"), _("Shortfall")]
        body = [[r.nip, r.name, r.asn_type, r.unit_name, r.jp_sessions, r.jp_external, r.jp_total, r.target,
                 r.shortfall] for r in rows]
        return _table_download(fmt, f"rekap-jp-{year}", headers, body)


# --- training needs ------------------------------------------------------------------------------------------------------

def _check_every() -> float:
    from flask import current_app

    return current_app.config.get("DERIVED_CHECK_SECONDS", 0)


def _parse_moment(value) -> Optional[datetime]:
    text = (value or "").strip()
    for fmt in (DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


class TrainingNeedsView(BaseView):
    route_base = "/training-needs"
    class_permission_name = "TrainingNeeds"
    method_permission_name = {"index": "read", "effect": "read", "create_session": "write", "refresh": "write"}
    default_view = "index"

    def _unit(self):
        viewer = current_viewer()
        unit_id = _int_arg("unit") or (viewer.scope.unit_root_id if not viewer.everything else None)
        if unit_id is None:
            return None
        query = select(Unit).where(Unit.id == unit_id)
        if not viewer.everything:
            query = query.where(S.unit_clause(viewer.scope))
        unit = db.session.scalar(query)  # one statement: the unit, within the scope
        if unit is None:
            abort(404)
        return unit

    @expose("/")
    @has_access
    def index(self):
        viewer = current_viewer()
        year = _year_arg(services.today_wib().year - 1)
        unit = self._unit()
        need_rules = needs_service.active_rules(db.session)
        computed_at = None
        if unit:  # the stored needs of the year (app/training/derived.py), refreshed first when their inputs changed
            computed_at = training_derived.ensure_needs(db.session, year, services.now_wib(), _check_every())
            found = training_derived.need_page(db.session, viewer, unit.id, year, _int_arg("topic"), _page_arg(),
                                               needs_service.NEED_PAGE_SIZE, need_rules)
        else:
            found = needs_service.NeedPage([])
        can_create = self.appbuilder.sm.has_access("can_write", "TrainingNeeds") and viewer.manages
        now = services.now_wib().replace(second=0, microsecond=0)
        return self.render_template(
            "portal/training/needs.html", title=_l("Training needs"), unit=unit, year=year, found=found,
            picker=_unit_picker(unit), can_create=can_create,
            trainers=needs_service.trainer_options(db.session) if can_create else [],
            kind_labels=SESSION_KIND_LABELS, method_labels=METHOD_LABELS,
            has_rules=bool(need_rules), default_start=now.strftime(DATETIME_INPUT), computed_at=computed_at,
            can_refresh=can_create, condition_texts={r.id: r.condition_text for r in need_rules},
            need_rows_html=training_rows.need_rows_html)

    @expose("/create-session", methods=["POST"])
    @has_access
    def create_session(self):
        form = request.form
        ctx = request_context()
        topic = db.session.get(TrainingTopic, services.as_int(form.get("topic")) or 0)
        back = url_for("TrainingNeedsView.index", unit=form.get("unit") or None, year=form.get("year") or None)
        if topic is None:
            flash(_("Choose the training topic."), "danger")
            return redirect(back)
        viewer = current_viewer()
        which = form.get("invite") or "ticked"
        if which in ("new", "all"):
            # every recommended employee of the topic (not only the page shown), computed again here, in scope
            unit_id, year = services.as_int(form.get("unit")), services.as_int(form.get("year"))
            if unit_id is None or year is None or not rules.YEAR_MIN <= year <= rules.YEAR_MAX:
                flash(_("Choose the unit and the year of the training needs."), "danger")
                return redirect(back)
            training_derived.ensure_needs(db.session, year, services.now_wib(), _check_every())
            ids = training_derived.topic_employee_ids(db.session, viewer, unit_id, year, topic.id,
                                                      untrained_only=which == "new")
            if not ids:
                flash(_("No recommended employees of this topic are left to invite."), "danger")
                return redirect(back)
            if len(ids) > services.MAX_INVITE:
                flash(_("At most %(n)d employees can be invited at once; choose a smaller unit.",
                        n=services.MAX_INVITE), "danger")
                return redirect(back)
        else:
            chosen = [v for v in form.getlist("rowid") if v.strip()]
            if not chosen:
                flash(_("Tick the employees to invite."), "danger")
                return redirect(back)
            ids = [services.as_int(v) for v in chosen]
            if any(i is None for i in ids) or len(ids) > services.MAX_INVITE:
                abort(400)
            # every employee must be in the viewer's scope (forged ids are refused as a whole)
            found = set(db.session.scalars(select(Employee.id).where(Employee.id.in_(ids),
                                                                      S.employee_clause(viewer.scope))))
            if found != set(ids):
                abort(404)
        trainers = [u for u in trainer_accounts() if str(u.id) in set(form.getlist("trainers"))]
        units = [db.session.get(Unit, services.as_int(form.get("unit")))] if services.as_int(form.get("unit")) else []
        data = {"kind": form.get("kind"), "method": form.get("method"), "title": form.get("title"),
                "topic_id": topic.id, "organiser": form.get("organiser"), "place": form.get("place") or None,
                "online_url": form.get("online_url") or None, "starts_at": _parse_moment(form.get("starts_at")),
                "ends_at": _parse_moment(form.get("ends_at")), "jp": services.as_int(form.get("jp")),
                "capacity": services.as_int(form.get("capacity")), "description": form.get("description") or None}
        try:
            item, result = services.create_session(db.session, ctx, data, trainers=trainers,
                                                   units=[u for u in units if u], employee_ids=ids)
        except DomainValidationError as exc:
            db.session.rollback()
            _flash_errors(exc)
            return redirect(back)
        except TrainingRuleError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(back)
        flash(_("The session was created: %(invited)d invited, %(waiting)d on the waiting list.",
                invited=len(result.invited), waiting=len(result.waitlisted)), "success")
        return redirect(url_for("RosterView.show", pk=item.id))

    @expose("/effect")
    @has_access
    def effect(self):
        viewer = current_viewer()
        unit = self._unit()
        topic_id = _int_arg("topic")
        topics = db.session.scalars(select(TrainingTopic).order_by(TrainingTopic.name)).all()
        if topic_id is not None and not any(t.id == topic_id for t in topics):
            abort(404)
        computed_at = training_derived.ensure_effect(db.session, services.now_wib(), _check_every())
        can_refresh = self.appbuilder.sm.has_access("can_write", "TrainingNeeds") and viewer.manages
        if topic_id is None and unit is None and request.args.get("all") != "1":
            # the whole city: the participants per topic first; the effect once a topic or a unit is chosen (or
            # asked for the whole city: every final result of 100,000+ participants is read)
            return self.render_template("portal/training/effect.html", title=_l("Effect of training"), unit=None,
                                        topics=topics, topic_id=None, found=None, rows=[], summary=None,
                                        overview=training_derived.effect_overview(db.session, viewer),
                                        picker=_unit_picker(None), effect_order=list(rules.Effect),
                                        predikat_label=_predikat_label, computed_at=computed_at,
                                        can_refresh=can_refresh, predikat_label_map=_predikat_label_map,
                                        effect_label_map=_effect_label_map)
        found = training_derived.effect_page(db.session, viewer, topic_id, unit.id if unit else None, _page_arg(),
                                             needs_service.EFFECT_PAGE_SIZE)
        return self.render_template("portal/training/effect.html", title=_l("Effect of training"), unit=unit,
                                    topics=topics, topic_id=topic_id, found=found, rows=found.rows,
                                    summary=found.summary, overview=None, picker=_unit_picker(unit),
                                    effect_order=list(rules.Effect), predikat_label=_predikat_label,
                                    whole_city=request.args.get("all") == "1", computed_at=computed_at,
                                    can_refresh=can_refresh, predikat_label_map=_predikat_label_map,
                                    effect_label_map=_effect_label_map, effect_rows_html=training_rows.effect_rows_html,
                                    effect_topic_rows_html=training_rows.effect_topic_rows_html)

    @expose("/refresh", methods=["POST"])
    @has_access
    def refresh(self):
        """Hitung ulang: recompute the stored training needs of a year (``what=needs``) or the stored effect of
        training (``what=effect``) now."""
        form = request.form
        unit = services.as_int(form.get("unit"))
        if form.get("what") == "effect":
            args = {"unit": unit, "topic": services.as_int(form.get("topic")), "all": "1" if form.get("all") else None}
            back = url_for("TrainingNeedsView.effect", **{k: v for k, v in args.items() if v})
            try:
                training_derived.refresh_effect(db.session, now=services.now_wib())
            except (IntegrityError, OperationalError):
                db.session.rollback()
                flash(_("The result is being recomputed by someone else. Reload the page in a moment."), "warning")
            else:
                flash(_("The effect of training was recomputed."), "success")
            return redirect(back)
        year = services.as_int(form.get("year"))
        if year is None or not rules.YEAR_MIN <= year <= rules.YEAR_MAX:
            flash(_("Choose the unit and the year of the training needs."), "danger")
            return redirect(url_for("TrainingNeedsView.index"))
        try:
            training_derived.refresh_needs(db.session, year, services.now_wib())
        except (IntegrityError, OperationalError):
            db.session.rollback()
            flash(_("The result is being recomputed by someone else. Reload the page in a moment."), "warning")
        else:
            flash(_("The training needs of %(year)d were recomputed.", year=year), "success")
        args = {"unit": unit, "year": year, "topic": services.as_int(form.get("topic"))}
        return redirect(url_for("TrainingNeedsView.index", **{k: v for k, v in args.items() if v}))


def _predikat_label(code):
    from app.performance.rating import Predikat

    return Predikat(code).label if code in Predikat.__members__ else "—"


def _predikat_label_map() -> dict:
    """{code: label} of every predikat, translated once per page (not once per cell)."""
    from app.performance.rating import Predikat

    return {p.value: str(p.label) for p in Predikat}


def _effect_label_map() -> dict:
    return {e: str(e.label) for e in rules.Effect}


# --- participant feedback ---------------------------------------------------------------------------------------------------

class TrainingFeedbackView(BaseView):
    route_base = "/training-feedback"
    class_permission_name = "TrainingFeedback"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        viewer = current_viewer()
        return self.render_template("portal/training/feedback.html", title=_l("Training feedback"),
                                    trainers=services.feedback_by_trainer(db.session, viewer),
                                    sessions=services.feedback_by_session(db.session, viewer))


def register_personal(appbuilder):
    """The personal entries of the menu: "Pelatihan Saya" and "Sesi Saya"."""
    cat_label = _l("Training")
    appbuilder.add_view(MyTrainingView, "My Training", label=_l("My training"), icon="fa-user",
                        category=CATEGORY, category_label=cat_label, category_icon="fa-graduation-cap")
    appbuilder.add_view(TrainerSessionsView, "My Sessions", label=_l("My sessions"), icon="fa-calendar",
                        category=CATEGORY, category_label=cat_label)


def register(appbuilder):
    """Menus of the other training screens (called by app.training.register)."""
    cat_label = _l("Training")
    appbuilder.add_view(JpLedgerView, "JP Ledger", label=_l("JP ledger"), icon="fa-list-ol", category=CATEGORY,
                        category_label=cat_label)
    appbuilder.add_view(TrainingNeedsView, "Training Needs", label=_l("Training needs"), icon="fa-lightbulb-o",
                        category=CATEGORY, category_label=cat_label)
    appbuilder.add_view(TrainingFeedbackView, "Training Feedback", label=_l("Training feedback"),
                        icon="fa-comments", category=CATEGORY, category_label=cat_label)
    appbuilder.add_view_no_menu(RosterView)
