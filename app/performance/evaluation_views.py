"""Screens of the evaluation, the rating and the objection (issue 4), menu "Kinerja" (My performance):

* ``MyEvaluationsView``  (/my-evaluations/)  — the signed-in employee's evaluations.
* ``RateListView``       (/rate/)            — evaluations of the people I rate (``Skp.rater_id``), not final.
* ``EvaluationView``     (/evaluations/<id>) — one evaluation: the plan's RHKs with indicators, progress,
  evidence and feedback; the self-assessment (owner); the two ratings with the predikat previewed as they
  are chosen (static/js/rating.js reads the matrix rendered from ``rating.PREDIKAT_MATRIX``; the server
  computes and stores the predikat); finalise; after final: the result, the PDF, the objection window and
  the timeline. POST /evaluations/<id>/{self-assessment,rate,finalise,objection}.
* ``ObjectionView``      (/objections/)      — objections concerning me (as the employee, the rater or the
  rater's supervisor); /objections/<id> opens the evaluation page at its objection;
  POST /objections/<id>/{explain,decide}.
* ``NotificationView``   (/notifications/)   — the signed-in user's in-app notifications, 25 a page;
  POST /notifications/<id>/read and /notifications/read-all.

Every record is loaded through the row scope (``scope.skp_visible`` on the evaluation's plan,
``objection_clause``; the lists filter by the person's own part): outside it the answer is 404. Every change goes through ``services`` (which check the workflow, the person's
capacity and the input): a refusal re-renders the page with the message (422), a version conflict with the
conflict message (409), both keeping what was typed. Which forms are shown follows
``workflow.allowed_steps`` for the person's capacities (``services.actor_roles``).
"""
from __future__ import annotations


from flask import abort, flash, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from app.core.errors import ConflictError, DomainValidationError
from app.core.web import record_id_or_404
from app.extensions import db
from app.organisation.models import Employee

from . import deadlines, documents, notify, services
from .api import request_context
from .models import CoreValue, Evaluation, Notification, Objection, Progress, Rhk, Skp, TransitionEntity
from .rating import PREDIKAT_MATRIX, RATING_LABELS, Predikat, Rating
from .scope import objection_clause, plan_visible, skp_visible
from .workflow import (EVALUATION_MACHINE, OBJECTION_DECISION_LABELS, OBJECTION_MACHINE, Actor,
                       EvaluationState, ObjectionDecision, ObjectionState, TransitionError, allowed_steps,
                       can_edit)

CATEGORY = "Kinerja"
PAGE_SIZE = 25
RATINGS = (Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH)


def _scope():
    from flask import current_app

    return current_app.appbuilder.sm.current_scope()


def matrix_data() -> dict:
    """The predikat matrix for rating.js: {"HASIL|PERILAKU": {"code", "label"}} (labels translated)."""
    return {f"{h.value}|{p.value}": {"code": v.value, "label": str(v.label)} for (h, p), v in PREDIKAT_MATRIX.items()}


def rating_choices() -> list:
    return [(r.value, str(RATING_LABELS[r])) for r in RATINGS]


def _rating_label(code):
    try:
        return RATING_LABELS[Rating(code)]
    except ValueError:
        return code or ""


def _predikat_label(code):
    try:
        return Predikat(code).label
    except ValueError:
        return code or ""


def _period_label(period):
    from .admin_views import period_label

    return period_label(period) if period is not None else ""


def _list_query():
    """Evaluations joined with their plan and the plan's employee (what every list row shows), the period and
    the objection one query each for the whole page."""
    return (select(Evaluation).join(Skp, Skp.id == Evaluation.skp_id)
            .options(contains_eager(Evaluation.skp).joinedload(Skp.employee).lazyload("*"),
                     selectinload(Evaluation.period), selectinload(Evaluation.objection).lazyload("*")))


def page_arg(name: str = "page") -> int:
    """The page number asked for (1 when missing or not a sensible number)."""
    raw = request.values.get(name, "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100000 else 1


def pager(page: int, total: int, size: int = PAGE_SIZE) -> dict:
    """Page ``page`` (moved into range) of ``total`` rows: its number, the number of pages, the offset and the
    page numbers to link (the first, the last and two either side of the current one; None for a gap)."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links, last = [], 0
    for n in shown:
        if n > last + 1:
            links.append(None)
        links.append(n)
        last = n
    return {"page": page, "pages": pages, "total": total, "offset": (page - 1) * size, "links": links}


# the rater's work first: self-assessed (to rate), then rated (to finalise), then opened
_RATE_ORDER = case({EvaluationState.PENILAIAN_DIRI.value: 0, EvaluationState.DINILAI.value: 1},
                   value=Evaluation.status, else_=2)


class _ListBase(BaseView):
    class_permission_name = "Evaluation"
    method_permission_name = {"index": "read"}
    default_view = "index"
    template = "portal/performance/evaluation_list.html"

    def _render(self, title, rows, empty, show_employee, paging=None):
        return self.render_template(self.template, title=title, rows=rows, empty=empty,
                                    show_employee=show_employee, period_label=_period_label,
                                    objection_label=OBJECTION_MACHINE.label_of, paging=paging)


class MyEvaluationsView(_ListBase):
    """The signed-in employee's own evaluations, newest period first."""

    route_base = "/my-evaluations"

    @expose("/")
    @has_access
    def index(self):
        me = request_context().employee_id
        rows = []
        if me:
            rows = db.session.scalars(_list_query().where(Skp.employee_id == me)
                                      .order_by(Evaluation.id.desc())).all()
        return self._render(_l("My evaluations"), rows, _l("You have no evaluations yet."), False)


class RateListView(_ListBase):
    """Evaluations of the people I rate (``Skp.rater_id`` is me) that are not final yet, 25 a page: those
    waiting for my rating first, then those waiting to be finalised, then the open ones."""

    route_base = "/rate"

    @expose("/")
    @has_access
    def index(self):
        me = request_context().employee_id
        rows, paging = [], None
        if me:
            # the status as a literal: SQLite uses the partial index of open evaluations only then
            where = and_(Skp.rater_id == me, Skp.employee_id != me,
                         Evaluation.status != literal(EvaluationState.FINAL.value, literal_execute=True))
            # the page's ids with the total, in one statement (the rater's plans are joined to the open
            # evaluations once, not once for the count and again for the page; from the index of open evaluations
            # alone): numbered in the list's order, the page past the last one moved back to the last one
            ranked = (select(Evaluation.id, func.count().over().label("total"),
                             func.row_number().over(order_by=(_RATE_ORDER, Evaluation.id)).label("n"))
                      .join(Skp, Skp.id == Evaluation.skp_id).where(where).subquery())
            last_start = ranked.c.total - 1 - (ranked.c.total - 1) % PAGE_SIZE
            offset = (page_arg() - 1) * PAGE_SIZE
            page = db.session.execute(
                select(ranked.c.id, ranked.c.total, ranked.c.n)
                .where(ranked.c.n > case((last_start < offset, last_start), else_=offset))
                .order_by(ranked.c.n).limit(PAGE_SIZE)).all()
            paging = pager((page[0].n - 1) // PAGE_SIZE + 1 if page else 1, page[0].total if page else 0, PAGE_SIZE)
            if page:  # then those 25 rows in full
                rows = db.session.scalars(_list_query().where(Evaluation.id.in_([r.id for r in page]))
                                          .order_by(_RATE_ORDER, Evaluation.id)).all()
        return self._render(_l("Evaluations to rate"), rows, _l("No evaluations wait for your rating."), True,
                            paging)


# The page shows the plan's three people by name and NIP only: their rank, position and unit (joined by
# default, four tables each) stay unloaded until something asks (the identity snapshot when finalising). The
# twenty-table join took PostgreSQL longer to plan than to run.
_NAME_ONLY = (lazyload(Employee.supervisor), lazyload(Employee.rank), lazyload(Employee.position),
              lazyload(Employee.unit))


def load_evaluation(scope, pk: int):
    """The evaluation in scope with everything the page shows, in four queries whatever the plan's size: the
    evaluation joined with its period, objection, plan and the plan's three people (names only, ``_NAME_ONLY``);
    the RHKs joined with their indicators; the progress joined with its evidence; the feedback. The scope is
    checked on the loaded plan (``scope.skp_visible``: a walk up from its employee and unit); None outside it."""
    evaluation = db.session.scalars(
        select(Evaluation).where(Evaluation.id == pk).options(
            joinedload(Evaluation.period),
            joinedload(Evaluation.objection).lazyload(Objection.evaluation),
            joinedload(Evaluation.skp).options(
                joinedload(Skp.employee).options(*_NAME_ONLY),
                joinedload(Skp.rater).options(*_NAME_ONLY),
                joinedload(Skp.rater_supervisor).options(*_NAME_ONLY),
                selectinload(Skp.rhks).options(
                    joinedload(Rhk.indicators),
                    lazyload(Rhk.parent),
                    selectinload(Rhk.progress).joinedload(Progress.evidence),
                ),
                selectinload(Skp.feedback),
            ),
        )).unique().one_or_none()
    return evaluation if evaluation is not None and skp_visible(db.session, scope, evaluation.skp) else None


def act_on_evaluation_page(view, evaluation_id, record, action, anchor=""):
    """Run ``action(record, ctx, form)`` (a service call) for the evaluation page: redirect with its message
    on success; on a refusal roll back and show the page again with the input kept (409 on a version
    conflict, 422 on invalid input or a refused transition)."""
    form = request.form.to_dict()
    try:
        message = action(record, request_context(), form)
    except ConflictError as exc:
        db.session.rollback()
        return view._page(view._get(evaluation_id), 409, form=form, message=exc.message)
    except DomainValidationError as exc:
        db.session.rollback()
        return view._page(view._get(evaluation_id), 422, errors=exc.errors, form=form,
                          message=_l("Check the fields marked below."))
    except TransitionError as exc:
        db.session.rollback()
        return view._page(view._get(evaluation_id), 422, form=form, message=exc.message)
    flash(str(message), "success")
    return redirect(url_for("EvaluationView.show", pk=evaluation_id) + anchor)


class EvaluationView(BaseView):
    """One evaluation and every step on it."""

    route_base = "/evaluations"
    class_permission_name = "Evaluation"
    method_permission_name = {"show": "read", "pdf": "read", "self_assessment": "write", "rate": "write",
                              "finalise": "write", "file_objection": "write"}
    default_view = "show"

    # --- loading -------------------------------------------------------------------------------------
    def _get(self, pk):
        evaluation = load_evaluation(_scope(), record_id_or_404(pk))
        if evaluation is None:
            abort(404)
        return evaluation

    def _page(self, evaluation, status=200, errors=None, form=None, message=None):
        """The evaluation page; ``errors`` {field: message}, ``form`` what was typed, ``message`` on top."""
        ctx = request_context()
        skp = evaluation.skp
        roles = services.actor_roles(ctx, skp)
        state = evaluation.status
        targets = {s.target for s in allowed_steps(EVALUATION_MACHINE, state, roles)}
        can_rate = (EvaluationState.DINILAI in targets or
                    (state == EvaluationState.DINILAI and can_edit(EVALUATION_MACHINE, state, roles)))
        today = services.today_wib()
        objection = evaluation.objection
        window = None
        if state == EvaluationState.FINAL and evaluation.finalised_at is not None:
            final_on = evaluation.finalised_at.date()
            window = {"deadline": deadlines.objection_deadline(final_on),
                      "days_left": deadlines.objection_days_left(final_on, today),
                      "open": deadlines.can_object(final_on, today)}
        can_object = (window is not None and window["open"] and objection is None and Actor.OWNER in roles)
        objection_targets = set()
        if objection is not None:
            objection_targets = {s.target for s in allowed_steps(OBJECTION_MACHINE, objection.status, roles)}
        feedback_by_rhk, feedback_by_value = {}, {}
        for item in sorted(skp.feedback, key=lambda f: (f.created_on, f.id)):
            if item.rhk_id:
                feedback_by_rhk.setdefault(item.rhk_id, []).append(item)
            elif item.core_value_id:
                feedback_by_value.setdefault(item.core_value_id, []).append(item)
        core_values = ({cv.id: cv for cv in db.session.scalars(select(CoreValue).options(lazyload(CoreValue.guides))
                                                               .order_by(CoreValue.sort_order))}
                       if feedback_by_value else {})
        history = services.timeline(db.session, TransitionEntity.EVALUATION, evaluation.id)
        objection_history = (services.timeline(db.session, TransitionEntity.OBJECTION, objection.id)
                             if objection is not None else [])
        form = form or {}
        context = dict(
            title=_l("Evaluation %(period)s: %(name)s", period=_period_label(evaluation.period),
                     name=evaluation.employee_name or skp.employee.full_name),
            evaluation=evaluation, skp=skp, objection=objection, roles=roles, errors=errors or {}, form=form,
            message=message, period_label=_period_label(evaluation.period),
            rhks=sorted(skp.rhks, key=lambda r: (r.kind != "UTAMA", r.sort_order, r.id)),
            feedback_by_rhk=feedback_by_rhk, feedback_by_value=feedback_by_value, core_values=core_values,
            can_self_assess=EvaluationState.PENILAIAN_DIRI in targets, can_rate=can_rate,
            can_finalise=EvaluationState.FINAL in targets, can_object=can_object, window=window,
            can_explain=ObjectionState.DIJELASKAN in objection_targets,
            can_decide=ObjectionState.DIPUTUS in objection_targets,
            is_final=state == EvaluationState.FINAL,
            rating_choices=rating_choices(), matrix=matrix_data(), rating_label=_rating_label,
            predikat_label=_predikat_label, evaluation_machine=EVALUATION_MACHINE,
            objection_machine=OBJECTION_MACHINE, decision_labels=OBJECTION_DECISION_LABELS,
            history=history, objection_history=objection_history,
        )
        return self.render_template("portal/performance/evaluation.html", **context), status

    def _act(self, pk, action, anchor=""):
        """Run ``action(evaluation, ctx)`` (a service call); redirect on success, re-render on refusal."""
        evaluation = self._get(pk)
        return act_on_evaluation_page(self, evaluation.id, evaluation, action, anchor)

    # --- pages ---------------------------------------------------------------------------------------
    @expose("/<pk>")
    @has_access
    def show(self, pk):
        return self._page(self._get(pk))

    @expose("/<pk>/pdf")
    @has_access
    def pdf(self, pk):
        """The Dokumen Evaluasi Kinerja Pegawai of a final evaluation, as a download."""
        pk = record_id_or_404(pk)
        plan = db.session.execute(
            select(Skp.employee_id, Skp.unit_id, Skp.rater_id, Skp.rater_supervisor_id)
            .join(Evaluation, Evaluation.skp_id == Skp.id)
            .where(Evaluation.id == pk, Evaluation.status == EvaluationState.FINAL.value)).first()
        if plan is None or not plan_visible(db.session, _scope(), *plan):
            abort(404)
        evaluation = documents.load_evaluation_for_document(db.session, pk)
        data = documents.evaluation_pdf(evaluation, printed_on=services.today_wib())
        response = make_response(data)
        response.headers["Content-Type"] = "application/pdf"
        name = f"evaluasi-kinerja-{evaluation.period.code}-{evaluation.employee_nip or evaluation.id}.pdf"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    # --- steps ---------------------------------------------------------------------------------------
    @expose("/<pk>/self-assessment", methods=["POST"])
    @has_access
    def self_assessment(self, pk):
        def action(evaluation, ctx, form):
            services.save_self_assessment(db.session, ctx, evaluation, form.get("self_assessment"),
                                          form.get("version"), self_hasil=form.get("self_hasil_rating"),
                                          self_perilaku=form.get("self_perilaku_rating"))
            return _("The self-assessment was submitted.")
        return self._act(pk, action)

    @expose("/<pk>/rate", methods=["POST"])
    @has_access
    def rate(self, pk):
        # The predikat is never read from the form: the service computes it from the two ratings.
        def action(evaluation, ctx, form):
            services.rate(db.session, ctx, evaluation, form.get("hasil_rating") or None,
                          form.get("perilaku_rating") or None, form.get("notes"), form.get("recommendation"),
                          form.get("version"))
            return _("The rating was saved: %(predikat)s.", predikat=evaluation.predikat_label)
        return self._act(pk, action, "#rating")

    @expose("/<pk>/finalise", methods=["POST"])
    @has_access
    def finalise(self, pk):
        def action(evaluation, ctx, form):
            services.finalise(db.session, ctx, evaluation, form.get("version"))
            return _("The evaluation is final. The employee has been notified.")
        return self._act(pk, action)

    @expose("/<pk>/objection", methods=["POST"])
    @has_access
    def file_objection(self, pk):
        def action(evaluation, ctx, form):
            services.file_objection(db.session, ctx, evaluation, form.get("reasons"))
            return _("Your objection was filed. The rater and the rater's supervisor have been notified.")
        return self._act(pk, action, "#objection")


class ObjectionView(BaseView):
    """Objections concerning me, and the rater's explanation and the supervisor's decision."""

    route_base = "/objections"
    class_permission_name = "Objection"
    method_permission_name = {"index": "read", "show": "read", "explain": "write", "decide": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        me = request_context().employee_id
        rows = []
        if me:
            rows = db.session.scalars(
                select(Objection).join(Evaluation, Evaluation.id == Objection.evaluation_id)
                .join(Skp, Skp.id == Evaluation.skp_id)
                .where(or_(Skp.employee_id == me, Skp.rater_id == me, Skp.rater_supervisor_id == me))
                # the evaluation, the plan and its employee from the same query; the periods in one more
                .options(contains_eager(Objection.evaluation).options(
                    selectinload(Evaluation.period),
                    contains_eager(Evaluation.skp).joinedload(Skp.employee).lazyload("*")))
                .order_by(Objection.filed_at.desc(), Objection.id.desc())).all()
        return self.render_template("portal/performance/objection_list.html", title=_l("Objections"), rows=rows,
                                    me=me, machine=OBJECTION_MACHINE, decision_labels=OBJECTION_DECISION_LABELS,
                                    period_label=_period_label, deadline=deadlines.decision_deadline)

    def _get(self, pk):
        objection = db.session.scalar(select(Objection).where(Objection.id == record_id_or_404(pk),
                                                              objection_clause(_scope())))
        if objection is None:
            abort(404)
        return objection

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        objection = self._get(pk)
        return redirect(url_for("EvaluationView.show", pk=objection.evaluation_id) + "#objection")

    def _act(self, pk, action):
        objection = self._get(pk)
        evaluation_view = next(v for v in self.appbuilder.baseviews if isinstance(v, EvaluationView))
        return act_on_evaluation_page(evaluation_view, objection.evaluation_id, objection, action, "#objection")

    @expose("/<pk>/explain", methods=["POST"])
    @has_access
    def explain(self, pk):
        def action(objection, ctx, form):
            services.explain_objection(db.session, ctx, objection, form.get("explanation"), form.get("version"))
            return _("Your explanation was saved. The rater's supervisor has been notified.")
        return self._act(pk, action)

    @expose("/<pk>/decide", methods=["POST"])
    @has_access
    def decide(self, pk):
        def action(objection, ctx, form):
            decision = form.get("decision") or ""
            keep = decision == ObjectionDecision.TETAP
            services.decide_objection(db.session, ctx, objection, decision,
                                      None if keep else form.get("new_hasil_rating") or None,
                                      None if keep else form.get("new_perilaku_rating") or None,
                                      form.get("decision_text"), form.get("version"))
            return _("The objection was decided. The employee and the rater have been notified.")
        return self._act(pk, action)


class NotificationView(BaseView):
    """The signed-in user's in-app notifications, newest first; mark one or all as read."""

    route_base = "/notifications"
    class_permission_name = "Notification"
    method_permission_name = {"index": "read", "read": "write", "read_all": "write"}
    default_view = "index"

    @staticmethod
    def _user_id():
        from flask import g

        return g.user.id

    @expose("/")
    @has_access
    def index(self):
        user_id = self._user_id()
        page = request.args.get("page", "1")
        page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100000 else 1
        total, unread = db.session.execute(
            select(func.count(Notification.id), func.count(Notification.id).filter(Notification.read_at.is_(None)))
            .where(Notification.user_id == user_id)).one()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                  .order_by(Notification.created_on.desc(), Notification.id.desc())
                                  .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        return self.render_template("portal/performance/notifications.html", title=_l("Notifications"), rows=rows,
                                    page=page, pages=pages, total=total, unread=unread)

    def _back(self):
        page = request.form.get("page", "1")
        page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100000 else 1
        return redirect(url_for("NotificationView.index", page=page if page > 1 else None))

    @expose("/<pk>/read", methods=["POST"])
    @has_access
    def read(self, pk):
        pk = record_id_or_404(pk)
        result = db.session.execute(update(Notification).where(
            Notification.id == pk, Notification.user_id == self._user_id(), Notification.read_at.is_(None))
            .values(read_at=services.now_wib()))
        exists = result.rowcount or db.session.scalar(select(Notification.id).where(
            Notification.id == pk, Notification.user_id == self._user_id()))
        if not exists:
            db.session.rollback()
            abort(404)
        db.session.commit()
        return self._back()

    @expose("/read-all", methods=["POST"])
    @has_access
    def read_all(self):
        result = db.session.execute(update(Notification).where(
            Notification.user_id == self._user_id(), Notification.read_at.is_(None))
            .values(read_at=services.now_wib()))
        db.session.commit()
        flash(_("%(count)d notifications marked as read.", count=result.rowcount or 0), "success")
        return self._back()


def unread_count(user_id) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def register(appbuilder):
    """Menus and views of the evaluation, rating and objection screens (called by app.performance.register)."""
    notify.LINKS["evaluation"] = "/evaluations/{id}"
    notify.LINKS["objection"] = "/objections/{id}"
    cat_label = _l("My performance")
    appbuilder.add_view(MyEvaluationsView, "My Evaluations", label=_l("My evaluations"), icon="fa-check-square-o",
                        category=CATEGORY, category_label=cat_label, category_icon="fa-tasks")
    appbuilder.add_view(RateListView, "Evaluations To Rate", label=_l("Evaluations to rate"), icon="fa-star-half-o",
                        category=CATEGORY, category_label=cat_label)
    appbuilder.add_view(ObjectionView, "Objections", label=_l("Objections"), icon="fa-gavel", category=CATEGORY,
                        category_label=cat_label)
    appbuilder.add_view(NotificationView, "Notifications", label=_l("Notifications"), icon="fa-bell",
                        category=CATEGORY, category_label=cat_label)
    appbuilder.add_view_no_menu(EvaluationView)
