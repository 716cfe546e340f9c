"""FAB CRUD screens of training and socialization (menu "Pelatihan"):

* ``TrainingTopicView``       — the catalogue of topics / competencies (Pengelola Kinerja writes);
* ``TrainingSessionView``     — sessions (pelatihan / sosialisasi): trainers, target units, place or link, start
                                and end, JP, capacity; the show page links to the roster (screens.RosterView);
* ``TrainingParticipantView`` — participants (read and export: the roster and the REST API write them);
* ``ExternalTrainingView``    — trainings attended elsewhere, with their certificate (content-checked upload),
                                verified by the Pengelola Kinerja (list actions);
* ``JpTargetView``            — the yearly JP target per ASN type;
* ``TrainingNeedRuleView``    — the rules that map evaluation outcomes to topics.

Row scope (``scope``): sessions and participants follow the person (own, subordinates, unit subtree, the
sessions one trains); topics, targets and rules are reference data (whoever may read the view sees them).
"""
from __future__ import annotations

from contextvars import ContextVar

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import (BS3TextAreaFieldWidget, BS3TextFieldWidget, DatePickerWidget,
                                           DateTimePickerWidget, Select2ManyWidget, Select2Widget)
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select, true
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, DateField, DateTimeField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional as OptionalValue

from app.core.errors import DomainValidationError
from app.core.fields import AjaxMultiSelectField, AjaxSelectField
from app.core.filters import RequestArgFilter
from app.core.lists import narrow_page, narrow_page_applies
from app.core.uploads import DEFAULT_MAX_BYTES, FileStore, send_stored
from app.core.views import MVC_PERMISSIONS, READ, PortalModelView
from app.extensions import db
from app.organisation.models import Employee
from app.performance.models import CoreValue
from app.performance.rating import PREDIKAT_ORDER

from . import rules, services
from .models import (ExternalTraining, JpTarget, TrainingNeedRule, TrainingParticipant, TrainingSession,
                     TrainingTopic)
from .rules import (COMPETENCY_LABELS, METHOD_LABELS, NEED_OUTCOME_LABELS, SESSION_KIND_LABELS, ExternalStatus,
                    TrainingRuleError)
from .scope import (external_clause, participant_clause, participant_count_parts, resolve_ids,
                    session_clause)
from app.core.web import record_id_or_404

from .web import current_viewer, request_context

CATEGORY = "Training"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

LABELS = {
    "code": _l("Code"), "name": _l("Name"), "competency": _l("Competency"), "competency_label": _l("Competency"),
    "description": _l("Description"), "core_value": _l("BerAKHLAK core value"), "active": _l("Active"),
    "kind": _l("Kind"), "kind_label": _l("Kind"), "method": _l("Channel"), "method_label": _l("Channel"),
    "title": _l("Title"), "topic": _l("Topic"), "organiser": _l("Organiser"), "trainers": _l("Trainers"),
    "trainer_names": _l("Trainers"), "place": _l("Place"), "online_url": _l("Online link"),
    "starts_at": _l("Starts"), "ends_at": _l("Ends"), "jp": _l("JP"), "capacity": _l("Capacity"),
    "units": _l("Target units"), "unit_names": _l("Target units"), "status": _l("Status"),
    "status_label": _l("Status"), "closed_at": _l("Attendance closed at"), "session": _l("Session"),
    "employee": _l("Employee"), "unit": _l("Unit"), "attendance": _l("Attendance"),
    "attendance_label": _l("Attendance"), "source": _l("Invited by"), "source_label": _l("Invited by"),
    "invited_at": _l("Invited at"), "checked_in_at": _l("Checked in at"), "pre_score": _l("Pre-test"),
    "post_score": _l("Post-test"), "certificate_number": _l("Certificate number"),
    "started_on": _l("Started on"), "ended_on": _l("Ended on"), "certificate": _l("Certificate (PDF, JPG or PNG)"),
    "original_name": _l("Certificate file"), "notes": _l("Notes"), "verified_at": _l("Verified at"),
    "asn_type": _l("ASN type"), "target_jp": _l("Target (JP per year)"), "outcome": _l("Evaluation outcome"),
    "outcome_label": _l("Evaluation outcome"), "predikat": _l("Predikat"), "predikat_label": _l("Predikat"),
    "min_missed": _l("Indicators below target (at least)"), "condition_text": _l("Condition"),
    "created_on": _l("Created on"),
}


class ListInterface(SQLAInterface):
    """SQLAInterface whose list queries (the list screen and the REST list) load only the related rows the list
    shows: ``options`` (loader options, e.g. ``lazyload`` of a ``selectin`` relationship the list does not show)
    apply to ``/list/`` and ``get_list`` requests; shows, forms and exports keep the models' eager loading
    (an export shows the trainers and units of every row).

    ``one_statement`` (a callable, asked per request): the count and the page of a list in ONE statement
    (``query``), for a row scope that is costly to compute (a Pimpinan's OPD: the supervisor chain and the unit
    subtree; a Pelatih's sessions). FAB runs the filters twice, for its count and for its page: 10-25 ms each on
    PostgreSQL. Here the filtered rows' ids (and the sort column) are collected once in a MATERIALIZED CTE; the
    count and the page's ids are read from it (the sort on narrow rows, not on whole rows) and only the page's
    rows are loaded (``app.core.lists.narrow_page``, shared with the performance REST lists). The same rows in the
    same order: FAB's filters, its sort column and direction, the primary key as the tie breaker
    (``tests/test_training_list_queries.py`` compares both for every role)."""

    def __init__(self, obj, options=(), rest_options=None, one_statement=None, **kwargs):
        super().__init__(obj, **kwargs)
        self._options = tuple(options)
        self._rest_options = tuple(options if rest_options is None else rest_options)
        self._one_statement = one_statement

    def _one_statement_applies(self, filters, order_column, page_size, select_columns) -> bool:
        from flask import has_request_context

        if self._one_statement is None or not page_size or not has_request_context():
            return False
        if not narrow_page_applies(self, filters, order_column, select_columns):
            return False  # a related or computed sort column: FAB's own query
        return bool(self._one_statement())

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        if not self._one_statement_applies(filters, order_column, page_size, select_columns):
            return super().query(filters, order_column, order_direction, page, page_size, select_columns,
                                 outer_default_load)
        return narrow_page(self, filters, order_column, order_direction, page, page_size, select_columns,
                           self._list_options())

    def _list_options(self) -> tuple:
        from flask import has_request_context

        if not has_request_context() or not request.endpoint:
            return ()
        if request.endpoint.endswith(".list"):
            return self._options
        if request.endpoint.endswith(".get_list"):
            return self._rest_options
        return ()

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        options = self._list_options()
        return query.options(*options) if options else query


# a list shows an employee by name and NIP: not their rank, position, unit (joined by the model) nor supervisor
_NAME_ONLY = (lazyload(Employee.rank), lazyload(Employee.position), lazyload(Employee.unit),
              lazyload(Employee.supervisor))


def scoped_list() -> bool:
    """``ListInterface(one_statement=...)``: a person with a row scope (the whole city counts from an index alone,
    FAB's two statements are cheaper there)."""
    return not current_viewer().everything


def _choices(mapping):
    return [(str(k), v) for k, v in mapping.items()]


def _active_topics():
    return db.session.scalars(select(TrainingTopic).where(TrainingTopic.active.is_(True))
                              .order_by(TrainingTopic.name)).all()


def _all_topics():
    return db.session.scalars(select(TrainingTopic).order_by(TrainingTopic.name)).all()


def _core_values():
    return db.session.scalars(select(CoreValue).order_by(CoreValue.sort_order)).all()


def trainer_accounts():
    """User accounts holding the Pelatih role (the trainers a session can be given)."""
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    from app.security import roles as R

    return db.session.scalars(select(User).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
                              .join(Role, Role.id == assoc_user_role.c.role_id)
                              .where(Role.name == R.PELATIH, User.active.is_(True))
                              .order_by(User.first_name, User.last_name)).unique().all()


def _user_label(user) -> str:
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    return f"{name} ({user.username})"


class _ReferenceView(PortalModelView):
    """Reference data of the whole city: whoever may read the view sees every row."""

    def scope_clause_for(self, scope):
        return true()


# --- topics -----------------------------------------------------------------------------------------------

class TrainingTopicView(_ReferenceView):
    # the core value's name on the list, not its behaviour guides
    datamodel = ListInterface(TrainingTopic, [selectinload(TrainingTopic.core_value).lazyload(CoreValue.guides)])
    class_permission_name = "TrainingTopic"
    export_name = "topik-pelatihan"
    list_title = _l("Training topics")
    show_title = _l("Training topic")
    add_title = _l("Add training topic")
    edit_title = _l("Edit training topic")
    label_columns = LABELS
    list_columns = ["code", "name", "competency_label", "core_value", "active"]
    export_columns = ["code", "name", "competency", "description", "core_value", "active"]
    search_columns = ["code", "name", "competency", "active"]
    order_columns = ["code", "name"]
    base_order = ("name", "asc")
    show_columns = ["code", "name", "competency_label", "description", "core_value", "active"]
    add_columns = edit_columns = ["code", "name", "competency", "description", "core_value", "active"]
    add_form_extra_fields = edit_form_extra_fields = {
        "code": StringField(_l("Code"), validators=[DataRequired(), Length(max=rules.TOPIC_CODE_MAX)],
                            widget=BS3TextFieldWidget()),
        "name": StringField(_l("Name"), validators=[DataRequired(), Length(max=rules.TOPIC_NAME_MAX)],
                            widget=BS3TextFieldWidget()),
        "competency": SelectField(_l("Competency"), choices=_choices(COMPETENCY_LABELS), widget=Select2Widget()),
        "description": TextAreaField(_l("Description"), validators=[OptionalValue(), Length(max=rules.DESCRIPTION_MAX)],
                                     widget=BS3TextAreaFieldWidget()),
        "core_value": QuerySelectField(_l("BerAKHLAK core value"), query_func=_core_values,
                                       get_pk_func=lambda c: c.id, allow_blank=True, blank_text=_l("— none —"),
                                       widget=Select2Widget()),
        "active": BooleanField(_l("Active"), default=True),
    }

    def validate_item(self, item, is_new):
        errors = {}
        item.code = (item.code or "").strip().upper()
        item.name = (item.name or "").strip()
        if not item.code:
            errors["code"] = _l("Code is required.")
        if not item.name:
            errors["name"] = _l("Name is required.")
        if item.competency not in rules.CompetencyKind.__members__:
            errors["competency"] = _l("Choose the kind of competency.")
        if not errors and db.session.scalar(select(TrainingTopic.id).where(
                TrainingTopic.code == item.code, TrainingTopic.id != (item.id or 0))) is not None:
            errors["code"] = _l("Another topic has this code.")
        if errors:
            raise DomainValidationError(errors)


# --- sessions ---------------------------------------------------------------------------------------------

class TrainingSessionView(PortalModelView):
    # the list shows the topic, not the trainers nor the target units
    datamodel = ListInterface(TrainingSession, [lazyload(TrainingSession.trainers), lazyload(TrainingSession.units)],
                              one_statement=scoped_list)
    class_permission_name = "TrainingSession"
    method_permission_name = dict(MVC_PERMISSIONS)
    export_name = "sesi-pelatihan"
    show_template = "portal/training/session_show.html"
    list_title = _l("Training sessions")
    show_title = _l("Training session")
    add_title = _l("Add training session")
    edit_title = _l("Edit training session")
    label_columns = LABELS
    list_columns = ["starts_at", "title", "kind_label", "method_label", "topic", "jp", "capacity", "status_label"]
    export_columns = ["title", "kind", "method", "topic", "organiser", "trainer_names", "place", "online_url",
                      "starts_at", "ends_at", "jp", "capacity", "unit_names", "status"]
    search_columns = ["title", "kind", "method", "status", "starts_at", "organiser"]
    order_columns = ["starts_at", "title", "jp"]
    base_order = ("starts_at", "desc")
    show_fieldsets = [
        (_l("Session"), {"fields": ["title", "kind_label", "method_label", "topic", "organiser", "trainer_names",
                                    "unit_names", "description"]}),
        (_l("When and where"), {"fields": ["starts_at", "ends_at", "jp", "place", "online_url"]}),
        (_l("Participants"), {"fields": ["capacity", "status_label", "closed_at"]}),
    ]
    add_columns = edit_columns = ["kind", "method", "title", "topic", "organiser", "trainers", "place",
                                  "online_url", "starts_at", "ends_at", "jp", "capacity", "units", "description"]
    description_columns = {
        "jp": _l("Jam pelajaran: 1 JP = 45 minutes; at most as many JP as the session lasts."),
        "capacity": _l("Places; further invitations go to the waiting list."),
        "trainers": _l("Accounts with the Pelatih role: they record the attendance and close it."),
        "units": _l("The units the session is meant for (their Pimpinan see it)."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_l("Kind"), choices=_choices(SESSION_KIND_LABELS), widget=Select2Widget()),
        "method": SelectField(_l("Channel"), choices=_choices(METHOD_LABELS), widget=Select2Widget()),
        "title": StringField(_l("Title"), validators=[DataRequired(), Length(max=rules.TITLE_MAX)],
                             widget=BS3TextFieldWidget()),
        "topic": QuerySelectField(_l("Topic"), query_func=_active_topics, get_pk_func=lambda t: t.id,
                                  allow_blank=True, blank_text=_l("— none —"), widget=Select2Widget()),
        "organiser": StringField(_l("Organiser"), validators=[DataRequired(), Length(max=rules.ORGANISER_MAX)],
                                 widget=BS3TextFieldWidget(), default="BKPSDM Kota Palembang"),
        "trainers": QuerySelectMultipleField(_l("Trainers"), query_func=trainer_accounts, get_pk_func=lambda u: u.id,
                                             get_label=_user_label, widget=Select2ManyWidget()),
        "place": StringField(_l("Place"), validators=[OptionalValue(), Length(max=rules.PLACE_MAX)],
                             widget=BS3TextFieldWidget()),
        "online_url": StringField(_l("Online link"), validators=[OptionalValue(), Length(max=rules.URL_MAX)],
                                  widget=BS3TextFieldWidget()),
        "starts_at": DateTimeField(_l("Starts"), format=DATETIME_FORMAT, validators=[DataRequired()],
                                   widget=DateTimePickerWidget()),
        "ends_at": DateTimeField(_l("Ends"), format=DATETIME_FORMAT, validators=[DataRequired()],
                                 widget=DateTimePickerWidget()),
        "jp": IntegerField(_l("JP"), validators=[DataRequired(), NumberRange(1, rules.JP_MAX)],
                           widget=BS3TextFieldWidget()),
        "capacity": IntegerField(_l("Capacity"), validators=[DataRequired(), NumberRange(1, rules.CAPACITY_MAX)],
                                 widget=BS3TextFieldWidget()),
        "units": AjaxMultiSelectField(_l("Target units"), kind="unit"),
        "description": TextAreaField(_l("Description"), validators=[OptionalValue(), Length(max=rules.DESCRIPTION_MAX)],
                                     widget=BS3TextAreaFieldWidget()),
    }

    def scope_clause(self):
        return session_clause(current_viewer())

    def can_create_in_scope(self, item, scope):
        return current_viewer().manages

    def validate_item(self, item, is_new):
        if is_new:
            item.created_by_id = current_viewer().user_id
        services.validate_session(db.session, item)

    def post_add(self, item):
        services.after_session_saved(db.session, item)

    def post_update(self, item):
        promoted = services.after_session_saved(db.session, item)
        if promoted:
            flash(_("%(n)d participants moved from the waiting list to the session.", n=promoted), "info")

    def pre_delete(self, item):
        if not current_viewer().manages:
            from app.core.errors import OutOfScope

            raise OutOfScope()
        if item.status == rules.SessionStatus.DITUTUP:
            raise DomainValidationError({"status": _l("A session whose attendance is closed is history: it cannot "
                                                      "be deleted.")})


# --- participants (read and export) ---------------------------------------------------------------------

_PAGE_BY_INVITATION = ContextVar("participant_page_by_invitation", default=False)
# ``ParticipantListInterface.query_count``: [the disjoint part of the scope to apply, how often it was applied]
_COUNT_PART = ContextVar("participant_count_part", default=None)


def participant_scope(trainer_exists: bool = False):
    """The participants' row-scope clause of the list screen and the REST list (their ``scope_clause``): the
    viewer's ``participant_clause``, or while ``ParticipantListInterface.query_count`` counts one disjoint part
    of it, that part."""
    part = _COUNT_PART.get()
    if part is not None:
        part[1] += 1
        return part[0]
    return participant_clause(participant_viewer(), trainer_exists=trainer_exists)


def participant_viewer():
    """``current_viewer()`` with its supervisor chain and unit subtree read once for the request
    (``scope.resolve_ids``, PostgreSQL): the participants' count and page both test them."""
    viewer = current_viewer()
    from flask import g

    cached = g.get("training_participant_viewer")
    if cached is not None and cached[0] is viewer:
        return cached[1]
    resolved = resolve_ids(db.session, viewer)
    g.training_participant_viewer = (viewer, resolved)
    return resolved


class ParticipantListInterface(ListInterface):
    """The participants' list interface. On SQLite, the list page in its default order (newest invitation first)
    asks a trainer's part of the scope as a correlated EXISTS (``participant_clause(trainer_exists=True)``): SQLite
    then walks the ``(invited_at, id)`` index and stops after the page (a Pelatih of 375 sessions: ~0.5 ms) instead
    of fetching and sorting the ~27,000 participants of their sessions (~18 ms). The count keeps ``IN`` (read
    from the session index: with EXISTS it would test every one of the 150,000 rows). The same rows."""

    def __init__(self, obj, options=(), sqlite_options=None, **kwargs):
        super().__init__(obj, options, **kwargs)
        self._sqlite_options = None if sqlite_options is None else tuple(sqlite_options)

    def _list_options(self) -> tuple:
        """The list screen's loader options; on SQLite ``sqlite_options`` (see ``TrainingParticipantView``)."""
        options = super()._list_options()
        if options is self._options and self._sqlite_options is not None \
                and self.session.get_bind().dialect.name == "sqlite":
            return self._sqlite_options
        return options

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None, page_size=None,
                  *args, **kwargs):
        walk = bool(page_size) and order_column == "invited_at" \
            and self.session.get_bind().dialect.name == "sqlite"
        token = _PAGE_BY_INVITATION.set(walk)
        try:
            return super().apply_all(query, filters, order_column, order_direction, page, page_size, *args, **kwargs)
        finally:
            _PAGE_BY_INVITATION.reset(token)

    def query_count(self, query, filters=None, select_columns=None):
        """FAB's count of the filtered rows. For a scope with a unit subtree or subordinates on PostgreSQL: one
        statement adding the counts of the scope's disjoint parts (``scope.participant_count_parts``), each an
        index-only scan with the same filters; the same total as the OR of the parts (a Pimpinan: the count ~7.7 →
        ~3.5 ms with ``participant_viewer``'s bound ids; tests/test_training_list_queries.py compares both). Falls back to FAB's count when the scope filter is
        not among ``filters`` exactly once."""
        from flask import has_request_context
        from sqlalchemy import func
        from sqlalchemy import select as select_

        parts = participant_count_parts(participant_viewer()) if has_request_context() else None
        if not parts:
            return super().query_count(query, filters, select_columns)
        counts = []
        for clause in parts:
            part = [clause, 0]
            token = _COUNT_PART.set(part)
            try:
                chosen = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
            finally:
                _COUNT_PART.reset(token)
            if part[1] != 1:  # the scope filter is not there (or twice): FAB's own count
                return super().query_count(query, filters, select_columns)
            counts.append(select_(func.count()).select_from(chosen.with_entities(self.get_pk()).subquery())
                          .scalar_subquery())
        total = counts[0]
        for count in counts[1:]:
            total = total + count
        return int(self.session.execute(select_(total)).scalar())


_PARTICIPANT_SELECTIN = (
    selectinload(TrainingParticipant.session).options(lazyload(TrainingSession.topic), lazyload(TrainingSession.trainers),
                                                      lazyload(TrainingSession.units)),
    selectinload(TrainingParticipant.employee).options(*_NAME_ONLY))


class TrainingParticipantView(PortalModelView):
    # the list shows the session (its title and date: not its topic, trainers, units) and the employee; on the list
    # screen on PostgreSQL both joined to the page's rows (many-to-one, by primary key after the page's limit: two
    # statements fewer, the same page plan); on SQLite and in the REST list "selectin" (SQLite joined them before
    # walking the invitation index: a Pimpinan's page 10 → 220 ms)
    datamodel = ParticipantListInterface(TrainingParticipant, [
        joinedload(TrainingParticipant.session, innerjoin=True).options(lazyload(TrainingSession.topic),
                                                                        lazyload(TrainingSession.trainers),
                                                                        lazyload(TrainingSession.units)),
        joinedload(TrainingParticipant.employee, innerjoin=True).options(*_NAME_ONLY)],
        rest_options=_PARTICIPANT_SELECTIN, sqlite_options=_PARTICIPANT_SELECTIN)
    # (no one_statement: the page walks the invited_at index and stops early, the count reads indexes; collecting
    # every participant in scope for one statement was slower for a Pelatih on PostgreSQL, a Pimpinan on SQLite)
    class_permission_name = "TrainingParticipant"
    base_permissions = ["can_read", "can_export"]
    export_name = "peserta-pelatihan"
    list_title = _l("Training participants")
    show_title = _l("Training participant")
    label_columns = LABELS
    list_columns = ["session", "employee", "status_label", "attendance_label", "pre_score", "post_score",
                    "certificate_number"]
    export_columns = ["session", "employee", "unit", "status", "source", "invited_at", "attendance", "checked_in_at",
                      "pre_score", "post_score", "certificate_number"]
    search_columns = ["status", "attendance", "certificate_number"]
    order_columns = ["invited_at", "status", "attendance"]
    base_order = ("invited_at", "desc")
    show_columns = ["session", "employee", "unit", "status_label", "source_label", "invited_at", "attendance_label",
                    "checked_in_at", "pre_score", "post_score", "certificate_number"]
    base_filters = [["session_id", RequestArgFilter, "session"], ["employee_id", RequestArgFilter, "employee"]]

    def scope_clause(self):
        return participant_scope(trainer_exists=_PAGE_BY_INVITATION.get())


# --- external trainings ------------------------------------------------------------------------------------

class ExternalTrainingView(PortalModelView):
    datamodel = ListInterface(ExternalTraining, [lazyload(ExternalTraining.topic),  # the list shows no topic
                                                 selectinload(ExternalTraining.employee).options(*_NAME_ONLY)],
                              one_statement=scoped_list)
    class_permission_name = "ExternalTraining"
    method_permission_name = dict(MVC_PERMISSIONS, certificate=READ, verify="verify", reject="verify")
    export_name = "pelatihan-eksternal"
    show_template = "portal/training/external_show.html"
    list_title = _l("External trainings")
    show_title = _l("External training")
    add_title = _l("Record an external training")
    edit_title = _l("Edit external training")
    label_columns = LABELS
    list_columns = ["employee", "title", "organiser", "ended_on", "jp", "status_label"]
    export_columns = ["employee", "title", "organiser", "method", "topic", "started_on", "ended_on", "jp",
                      "certificate_number", "status"]
    search_columns = ["title", "organiser", "status", "ended_on"]
    order_columns = ["ended_on", "jp", "title"]
    base_order = ("ended_on", "desc")
    show_columns = ["employee", "title", "organiser", "method_label", "topic", "started_on", "ended_on", "jp",
                    "certificate_number", "original_name", "status_label", "verified_at", "notes"]
    add_columns = ["employee", "title", "organiser", "method", "topic", "started_on", "ended_on", "jp",
                   "certificate_number", "file", "notes"]
    edit_columns = ["employee", "title", "organiser", "method", "topic", "started_on", "ended_on", "jp",
                    "certificate_number", "notes"]
    description_columns = {
        "file": _l("The certificate (sertifikat) as PDF, JPG or PNG, checked by its content."),
        "jp": _l("As written on the certificate (1 JP = 45 minutes)."),
    }
    _fields = {
        "employee": AjaxSelectField(_l("Employee"), kind="employee", allow_blank=False, validators=[DataRequired()]),
        "title": StringField(_l("Title"), validators=[DataRequired(), Length(max=rules.TITLE_MAX)],
                             widget=BS3TextFieldWidget()),
        "organiser": StringField(_l("Organiser"), validators=[DataRequired(), Length(max=rules.ORGANISER_MAX)],
                                 widget=BS3TextFieldWidget()),
        "method": SelectField(_l("Channel"), choices=_choices(METHOD_LABELS), widget=Select2Widget()),
        "topic": QuerySelectField(_l("Topic"), query_func=_all_topics, get_pk_func=lambda t: t.id, allow_blank=True,
                                  blank_text=_l("— none —"), widget=Select2Widget()),
        "started_on": DateField(_l("Started on"), validators=[DataRequired()], widget=DatePickerWidget()),
        "ended_on": DateField(_l("Ended on"), validators=[DataRequired()], widget=DatePickerWidget()),
        "jp": IntegerField(_l("JP"), validators=[DataRequired(), NumberRange(1, rules.JP_MAX)],
                           widget=BS3TextFieldWidget()),
        "certificate_number": StringField(_l("Certificate number"),
                                          validators=[DataRequired(), Length(max=rules.CERTIFICATE_MAX)],
                                          widget=BS3TextFieldWidget()),
        "notes": TextAreaField(_l("Notes"), validators=[OptionalValue(), Length(max=rules.NOTES_MAX)],
                               widget=BS3TextAreaFieldWidget()),
    }
    add_form_extra_fields = dict(_fields, file=FileField(_l("Certificate (PDF, JPG or PNG)")))
    edit_form_extra_fields = _fields

    def scope_clause(self):
        return external_clause(current_viewer())

    def can_create_in_scope(self, item, scope):
        viewer = current_viewer()
        if viewer.manages:
            return True
        employee_id = item.employee.id if item.employee is not None else item.employee_id
        return bool(scope.employee_id) and employee_id == scope.employee_id

    @staticmethod
    def _store() -> FileStore:
        return FileStore(current_app.config["UPLOAD_DIR"])

    def validate_item(self, item, is_new):
        ctx = request_context()
        try:
            services.validate_external(db.session, ctx, item, is_new)
        except TrainingRuleError as exc:
            raise DomainValidationError({"title": exc.message}) from None
        if is_new:
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise DomainValidationError({"file": _l("Attach the certificate (PDF, JPG or PNG).")})
            if not self.can_create_in_scope(item, current_viewer().scope):
                return  # refused next (404): store nothing
            max_bytes = current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)
            services.store_certificate(item, upload.stream, upload.filename, self._store(), max_bytes)

    def _edit(self, pk):
        # the edit form only for those who may save it (the organisers; the employee while it is submitted)
        item = self.datamodel.get(pk, self._base_filters)
        if item is None or not self.can_create_in_scope(item, current_viewer().scope):
            abort(404)
        return super()._edit(pk)

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        # an employee records their own training: the form starts with them (the organisers choose anyone)
        if form.employee.data is None and not current_viewer().manages:
            employee_id = current_viewer().scope.employee_id
            if employee_id:
                from app.organisation.models import Employee

                form.employee.data = db.session.get(Employee, employee_id)
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def _save(self, form, item, is_new: bool):
        saved = super()._save(form, item, is_new)
        if not saved and is_new and item.stored_name:
            self._store().delete(item.stored_name)  # the row was refused: do not keep its file
        return saved

    def pre_delete(self, item):
        if not current_viewer().manages and item.status != ExternalStatus.DIAJUKAN:
            raise DomainValidationError({"status": _l("A verified or rejected record is changed by the Pengelola "
                                                      "Kinerja only.")})
        if not self.can_create_in_scope(item, current_viewer().scope):
            from app.core.errors import OutOfScope

            raise OutOfScope()

    def post_delete(self, item):
        if item.stored_name:
            self._store().delete(item.stored_name)

    @expose("/certificate/<pk>")
    @has_access
    def certificate(self, pk):
        item = services.external_for_download(db.session, current_viewer(), record_id_or_404(pk))
        if item is None:
            abort(404)
        return send_stored(self._store(), item)

    def _verify(self, items, accept: bool):
        try:
            n = services.verify_external(db.session, request_context(), items, accept)
        except TrainingRuleError as exc:
            flash(str(exc.message), "danger")
        except SQLAlchemyError:
            db.session.rollback()
            flash(str(self.database_error_message), "danger")
        else:
            flash(_("%(n)d external trainings verified.", n=n) if accept else
                  _("%(n)d external trainings rejected.", n=n), "success")
        return redirect(url_for("ExternalTrainingView.list"))

    @action("verify", _l("Verify"), _l("Verify the selected external trainings? Their JP will count."),
            "fa-check", single=False)
    def verify(self, items):
        return self._verify(items, True)

    @action("reject", _l("Reject"), _l("Reject the selected external trainings? Their JP will not count."),
            "fa-times", single=False)
    def reject(self, items):
        return self._verify(items, False)


# --- JP targets ------------------------------------------------------------------------------------------------

class JpTargetView(_ReferenceView):
    datamodel = SQLAInterface(JpTarget)
    class_permission_name = "JpTarget"
    export_name = "target-jp"
    list_title = _l("JP targets")
    show_title = _l("JP target")
    add_title = _l("Add JP target")
    edit_title = _l("Edit JP target")
    label_columns = LABELS
    list_columns = ["asn_type", "target_jp", "notes"]
    search_columns = ["asn_type", "target_jp"]
    order_columns = ["asn_type", "target_jp"]
    base_order = ("asn_type", "asc")
    show_columns = add_columns = edit_columns = ["asn_type", "target_jp", "notes"]
    add_form_extra_fields = edit_form_extra_fields = {
        "asn_type": SelectField(_l("ASN type"), choices=[(t, t) for t in rules.ASN_TYPES], widget=Select2Widget()),
        "target_jp": IntegerField(_l("Target (JP per year)"), validators=[DataRequired(), NumberRange(1, rules.JP_MAX)],
                                  widget=BS3TextFieldWidget()),
        "notes": StringField(_l("Notes"), validators=[OptionalValue(), Length(max=500)], widget=BS3TextFieldWidget()),
    }
    description_columns = {"target_jp": _l("domain rule: PNS at least 20 JP a year; PPPK up to 24 JP.")}

    def validate_item(self, item, is_new):
        services.validate_jp_target(db.session, item)


# --- training-need rules ---------------------------------------------------------------------------------------

class TrainingNeedRuleView(_ReferenceView):
    datamodel = ListInterface(TrainingNeedRule, [selectinload(TrainingNeedRule.core_value).lazyload(CoreValue.guides)])
    class_permission_name = "TrainingNeedRule"
    export_name = "aturan-kebutuhan-pelatihan"
    list_title = _l("Training need rules")
    show_title = _l("Training need rule")
    add_title = _l("Add training need rule")
    edit_title = _l("Edit training need rule")
    label_columns = LABELS
    list_columns = ["topic", "condition_text", "active"]
    export_columns = ["topic", "outcome", "predikat", "core_value", "min_missed", "active", "notes"]
    search_columns = ["outcome", "active"]
    order_columns = ["outcome"]
    base_order = ("outcome", "asc")
    show_columns = ["topic", "outcome_label", "predikat_label", "core_value", "min_missed", "active", "notes"]
    add_columns = edit_columns = ["outcome", "predikat", "core_value", "min_missed", "topic", "active", "notes"]
    description_columns = {
        "outcome": _l("Predikat: the year's predikat is this one or lower. Behaviour: the rater gave feedback on "
                      "the core value. Indicators: at least this many indicators stayed below target."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "outcome": SelectField(_l("Evaluation outcome"), choices=_choices(NEED_OUTCOME_LABELS), widget=Select2Widget()),
        "predikat": SelectField(_l("Predikat"), choices=[("", _l("— none —"))] + [(p.value, p.label)
                                                                                  for p in PREDIKAT_ORDER],
                                widget=Select2Widget(), filters=[lambda v: v or None], validate_choice=False),
        "core_value": QuerySelectField(_l("BerAKHLAK core value"), query_func=_core_values, get_pk_func=lambda c: c.id,
                                       allow_blank=True, blank_text=_l("— none —"), widget=Select2Widget()),
        "min_missed": IntegerField(_l("Indicators below target (at least)"), default=1,
                                   validators=[OptionalValue(), NumberRange(1, 100)], widget=BS3TextFieldWidget()),
        "topic": QuerySelectField(_l("Topic"), query_func=_all_topics, get_pk_func=lambda t: t.id, allow_blank=False,
                                  widget=Select2Widget(), validators=[DataRequired()]),
        "active": BooleanField(_l("Active"), default=True),
        "notes": StringField(_l("Notes"), validators=[OptionalValue(), Length(max=500)], widget=BS3TextFieldWidget()),
    }

    def validate_item(self, item, is_new):
        if item.min_missed is None:
            item.min_missed = 1
        from .needs import validate_need_rule

        validate_need_rule(db.session, item)

    def _rules_changed(self):
        """A rule edit shows on the next view of the training needs: the stored years are recomputed now."""
        from . import derived
        from .services import now_wib

        derived.rules_changed(db.session, now_wib())

    def post_add(self, item):
        self._rules_changed()

    def post_update(self, item):
        self._rules_changed()

    def post_delete(self, item):
        self._rules_changed()


def register(appbuilder):
    """Menus of the CRUD screens (called by app.training.register)."""
    cat_label = _l("Training")
    appbuilder.add_view(TrainingSessionView, "Training Sessions", label=_l("Training sessions"),
                        icon="fa-calendar-check-o", category=CATEGORY, category_label=cat_label,
                        category_icon="fa-graduation-cap")
    appbuilder.add_view(TrainingParticipantView, "Participants", label=_l("Training participants"),
                        icon="fa-users", category=CATEGORY, category_label=cat_label)
    appbuilder.add_view(ExternalTrainingView, "External Trainings", label=_l("External trainings"),
                        icon="fa-certificate", category=CATEGORY, category_label=cat_label)
    appbuilder.add_view(TrainingTopicView, "Training Topics", label=_l("Training topics"), icon="fa-book",
                        category=CATEGORY, category_label=cat_label)
    appbuilder.add_view(TrainingNeedRuleView, "Training Need Rules", label=_l("Training need rules"),
                        icon="fa-random", category=CATEGORY, category_label=cat_label)
    appbuilder.add_view(JpTargetView, "JP Targets", label=_l("JP targets"), icon="fa-bullseye",
                        category=CATEGORY, category_label=cat_label)
