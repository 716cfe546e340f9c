"""Screens of the Pengelola Kinerja (issue 4): evaluation periods, organisation ratings, the
"Penetapan Predikat" distribution screen and the cascade tree.

* ``PeriodView``             — periods (annual, quarters, months): dates derived from ``deadlines.Period``,
                               open/close window, "generate the periods of a year", open/close actions.
* ``OrganisationRatingView`` — predikat kinerja organisasi per unit and period (Pimpinan: read, own subtree).
* ``PredikatDistributionView`` (/predikat-distribution/) — the staff predikat of a unit subtree for a
                               period against the curve of its organisation rating (warnings only).
* ``CascadeView`` (/cascade/) — the cascade one level at a time: the unit head's RHKs with the RHKs of the
                               unit's staff and of its sub-unit heads that support them (links down to each
                               sub-unit, a table of sub-units with their unsupported RHKs), or an Atasan's team.

The rules stay in the pure modules (``deadlines``, ``distribution``, ``rating``); what needs the database
is in the small functions at the top of this module (``validate_period``, ``generate_periods``,
``predikat_counts``, ``cascade_rows``, ``unit_level``, ``team_level``), written so that they can move to
``services.py`` unchanged: they take the session as an argument and know nothing of Flask. Every screen runs
a constant number of queries and aggregates in SQL (no evaluation is loaded as an object).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Iterable, Optional
from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import (BS3TextAreaFieldWidget, BS3TextFieldWidget, DatePickerWidget,
                                           Select2Widget)
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, case, func, literal, null, or_, select, true, union_all
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased
from wtforms import BooleanField, Form, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional as OptionalValue

from app.core.errors import DomainValidationError
from app.core.fields import AjaxSelectField
from app.core.filters import RequestArgFilter
from app.core.transactions import atomic
from app.core.views import MVC_PERMISSIONS, WRITE, PortalModelView, current_scope
from app.extensions import db
from app.organisation.models import Employee, Unit
from app.security import scope as S

from . import deadlines, distribution
from .deadlines import PeriodKind
from .models import ACHIEVEMENT_MAX, YEAR_MAX, YEAR_MIN, OrganisationRating, Period, Rhk, RhkKind, Skp
from .models import Evaluation
from .rating import ORG_RATING_LABELS, PREDIKAT_ORDER, OrgRating, Predikat
from .workflow import EvaluationState

CATEGORY = "Performance"
# How long after its end a period's window may stay open (late evaluations and objections).
MAX_CLOSE_AFTER_END = timedelta(days=366)


# --- periods: rules that read the database ---------------------------------------------------------

def validate_period(session, item) -> None:
    """Check a period and fill what is derived (code, starts_on, ends_on) from ``deadlines.Period``.

    Raises DomainValidationError({field: message}) naming the field at fault."""
    errors = {}
    year, kind, number = item.year, item.kind, item.number if item.number is not None else 1
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = _l("The year must lie between %(min)d and %(max)d.", min=YEAR_MIN, max=YEAR_MAX)
    try:
        kind = PeriodKind(kind)
    except ValueError:
        errors["kind"] = _l("Choose annual, quarterly or monthly.")
    if "kind" not in errors and (not isinstance(number, int) or not 1 <= number <= kind.count):
        errors["number"] = (_l("An annual period has number 1.") if kind.count == 1 else
                            _l("A %(kind)s period is numbered 1 to %(count)d.", kind=kind.label.lower(),
                               count=kind.count))
    if errors:
        raise DomainValidationError(errors)
    calendar = deadlines.Period(year, kind, number)
    item.number = number
    item.code = calendar.code
    if item.starts_on is None:
        item.starts_on = calendar.start
    if item.ends_on is None:
        item.ends_on = calendar.end
    if item.ends_on < item.starts_on:
        errors["ends_on"] = _l("The end date cannot be before the start date.")
    elif item.starts_on != calendar.start:
        errors["starts_on"] = _l("The period %(code)s starts on %(day)s.", code=calendar.code,
                                 day=calendar.start.isoformat())
    elif item.ends_on != calendar.end:
        errors["ends_on"] = _l("The period %(code)s ends on %(day)s.", code=calendar.code,
                               day=calendar.end.isoformat())
    if item.opens_on is not None and item.closes_on is not None and item.closes_on < item.opens_on:
        errors["closes_on"] = _l("The closing date cannot be before the opening date.")
    elif item.closes_on is not None and item.closes_on < calendar.start:
        errors["closes_on"] = _l("The closing date cannot be before the period starts (%(day)s).",
                                 day=calendar.start.isoformat())
    elif item.closes_on is not None and item.closes_on > calendar.end + MAX_CLOSE_AFTER_END:
        errors["closes_on"] = _l("The closing date must lie within a year after the period ends (%(day)s).",
                                 day=calendar.end.isoformat())
    if item.opens_on is not None and item.opens_on > calendar.end + MAX_CLOSE_AFTER_END:
        errors["opens_on"] = _l("The opening date must lie within a year after the period ends (%(day)s).",
                                day=calendar.end.isoformat())
    if not errors:
        clash = session.execute(select(Period.id).where(
            Period.year == year, Period.kind == kind.value, Period.number == number,
            Period.id != (item.id or 0))).first()
        if clash:
            errors["number"] = _l("The period %(code)s already exists.", code=calendar.code)
    if errors:
        raise DomainValidationError(errors)


@dataclass
class GeneratedPeriods:
    created: list = field(default_factory=list)  # codes
    skipped: list = field(default_factory=list)  # codes that existed already


def generate_periods(session, year: int, with_months: bool = False) -> GeneratedPeriods:
    """Create the annual period of ``year`` and its four quarters (and twelve months), skipping those that
    exist; all in one transaction. New periods are closed (``is_open`` False)."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise DomainValidationError({"year": _l("The year must lie between %(min)d and %(max)d.",
                                                min=YEAR_MIN, max=YEAR_MAX)})
    wanted = [deadlines.annual_period(year), *deadlines.quarters(year)]
    if with_months:
        wanted += deadlines.months(year)
    existing = set(session.execute(select(Period.code).where(Period.year == year)).scalars())
    result = GeneratedPeriods()
    with atomic(session):
        for p in wanted:
            if p.code in existing:
                result.skipped.append(p.code)
                continue
            session.add(Period(year=p.year, kind=p.kind.value, number=p.number, code=p.code, starts_on=p.start,
                               ends_on=p.end, is_open=False))
            result.created.append(p.code)
    return result


def period_label(period) -> str:
    """'Quarter I 2026' for a stored period (falls back to its code)."""
    try:
        return str(deadlines.Period(period.year, PeriodKind(period.kind), period.number).label)
    except (ValueError, TypeError):
        return period.code


def _periods_query():
    kind_order = case({PeriodKind.ANNUAL.value: 0, PeriodKind.QUARTERLY.value: 1}, value=Period.kind, else_=2)
    return select(Period).order_by(Period.year.desc(), kind_order, Period.number)


def _all_periods():
    return db.session.execute(_periods_query()).scalars().all()


def _default_period(periods):
    """The period that ended last (the longer one on a tie: the year before its fourth quarter), else the
    first of the list (newest year, annual first)."""
    today = date.today()
    ended = [p for p in periods if p.ends_on < today]
    if not ended:
        return periods[0] if periods else None
    return max(ended, key=lambda p: (p.ends_on, -p.starts_on.toordinal()))


LABELS = {
    "code": _l("Code"), "year": _l("Year"), "kind": _l("Kind"), "kind_label": _l("Kind"), "number": _l("Number"),
    "starts_on": _l("Starts on"), "ends_on": _l("Ends on"), "opens_on": _l("Opens on"), "closes_on": _l("Closes on"),
    "is_open": _l("Open"), "unit": _l("Unit"), "period": _l("Period"), "rating": _l("Organisation rating"),
    "rating_label": _l("Organisation rating"), "achievement": _l("Achievement (%)"), "notes": _l("Notes"),
    "created_on": _l("Created on"), "changed_on": _l("Changed on"),
}


class GenerateForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(YEAR_MIN, YEAR_MAX)],
                        default=lambda: date.today().year)
    months = BooleanField(_l("Also the twelve monthly periods"), default=False)


class PeriodView(PortalModelView):
    """Periode penilaian: written by the Pengelola Kinerja (and Admin)."""

    datamodel = SQLAInterface(Period)
    class_permission_name = "Period"
    method_permission_name = dict(MVC_PERMISSIONS, generate=WRITE)
    export_name = "periode"
    list_template = "portal/performance/period_list.html"
    list_title = _l("Evaluation periods")
    show_title = _l("Evaluation period")
    add_title = _l("Add evaluation period")
    edit_title = _l("Edit evaluation period")
    label_columns = LABELS
    list_columns = ["code", "kind_label", "starts_on", "ends_on", "opens_on", "closes_on", "is_open"]
    export_columns = ["code", "year", "kind", "number", "starts_on", "ends_on", "opens_on", "closes_on", "is_open"]
    search_columns = ["year", "kind", "code", "is_open"]
    order_columns = ["code", "starts_on", "year"]
    base_order = ("starts_on", "desc")
    show_columns = ["code", "year", "kind_label", "number", "starts_on", "ends_on", "opens_on", "closes_on",
                    "is_open"]
    add_columns = ["year", "kind", "number", "opens_on", "closes_on", "is_open"]
    edit_columns = ["code", "opens_on", "closes_on", "is_open"]
    description_columns = {
        "number": _l("Quarter 1-4 or month 1-12; 1 for the annual period. The start and end dates follow."),
        "opens_on": _l("From this day staff may act on the period (evaluations)."),
        "closes_on": _l("After this day the period accepts no more entries."),
    }
    _dates = {
        "opens_on": DateField(_l("Opens on"), validators=[OptionalValue()], widget=DatePickerWidget()),
        "closes_on": DateField(_l("Closes on"), validators=[OptionalValue()], widget=DatePickerWidget()),
        "is_open": BooleanField(_l("Open")),
    }
    add_form_extra_fields = dict(_dates, **{
        "year": IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(YEAR_MIN, YEAR_MAX)],
                             widget=BS3TextFieldWidget()),
        "kind": SelectField(_l("Kind"), choices=[(k.value, k.label) for k in PeriodKind], widget=Select2Widget()),
        "number": IntegerField(_l("Number"), default=1, validators=[DataRequired(), NumberRange(1, 12)],
                               widget=BS3TextFieldWidget()),
    })
    # the code is shown, not edited: validate_period derives it again from year, kind and number
    edit_form_extra_fields = dict(_dates, code=StringField(_l("Code"), render_kw={"readonly": True},
                                                           widget=BS3TextFieldWidget()))

    def scope_clause_for(self, scope):
        return true()  # reference data of the whole city: whoever may read the view sees every period

    def validate_item(self, item, is_new):
        validate_period(db.session, item)

    def _toggle(self, items, is_open: bool):
        try:
            with atomic(db.session):
                for item in items:
                    item.is_open = is_open
        except SQLAlchemyError:
            flash(str(self.database_error_message), "danger")
        else:
            codes = ", ".join(sorted(i.code for i in items))
            flash(_("Opened: %(codes)s", codes=codes) if is_open else _("Closed: %(codes)s", codes=codes), "success")
        return redirect(url_for("PeriodView.list"))

    @action("open_periods", _l("Open"), _l("Open the selected periods?"), "fa-unlock", single=False)
    def open_periods(self, items):
        return self._toggle(items, True)

    @action("close_periods", _l("Close"), _l("Close the selected periods?"), "fa-lock", single=False)
    def close_periods(self, items):
        return self._toggle(items, False)

    @expose("/generate/", methods=["GET", "POST"])
    @has_access
    def generate(self):
        form = GenerateForm()
        if form.validate_on_submit():
            try:
                result = generate_periods(db.session, form.year.data, form.months.data)
            except DomainValidationError as exc:
                self._attach_errors(form, exc.errors)
            except SQLAlchemyError:
                flash(str(self.database_error_message), "danger")
            else:
                if result.created:
                    flash(_("Created %(n)d periods: %(codes)s.", n=len(result.created),
                            codes=", ".join(result.created)), "success")
                if result.skipped:
                    flash(_("Already there, left unchanged: %(codes)s.", codes=", ".join(result.skipped)), "info")
                return redirect(url_for("PeriodView.list"))
        return self.render_template("portal/performance/period_generate.html", form=form,
                                    title=_l("Generate the periods of a year"))


# --- organisation ratings -------------------------------------------------------------------------------

def validate_organisation_rating(session, item) -> None:
    errors = {}
    if item.rating not in OrgRating.__members__:
        errors["rating"] = _l("Choose an organisation rating.")
    if item.achievement is not None and not 0 <= item.achievement <= ACHIEVEMENT_MAX:
        errors["achievement"] = _l("The achievement must lie between 0 and %(max)d %%.", max=ACHIEVEMENT_MAX)
    unit_id = item.unit.id if item.unit is not None else item.unit_id
    period_id = item.period.id if item.period is not None else item.period_id
    if unit_id is None:
        errors["unit"] = _l("Choose a unit.")
    if period_id is None:
        errors["period"] = _l("Choose a period.")
    if not errors:
        clash = session.execute(select(OrganisationRating.id).where(
            OrganisationRating.unit_id == unit_id, OrganisationRating.period_id == period_id,
            OrganisationRating.id != (item.id or 0))).first()
        if clash:
            errors["unit"] = _l("This unit already has an organisation rating for this period.")
    if errors:
        raise DomainValidationError(errors)


class OrganisationRatingView(PortalModelView):
    """Predikat kinerja organisasi per unit and period."""

    datamodel = SQLAInterface(OrganisationRating)
    class_permission_name = "OrganisationRating"
    export_name = "predikat-organisasi"
    list_title = _l("Organisation ratings")
    show_title = _l("Organisation rating")
    add_title = _l("Add organisation rating")
    edit_title = _l("Edit organisation rating")
    label_columns = LABELS
    list_columns = ["period", "unit", "rating_label", "achievement", "changed_on"]
    export_columns = ["period", "unit", "rating", "achievement", "notes"]
    search_columns = ["period", "rating", "achievement"]
    order_columns = ["achievement", "changed_on"]
    base_order = ("changed_on", "desc")
    show_columns = ["period", "unit", "rating_label", "achievement", "notes", "created_on", "changed_on"]
    add_columns = edit_columns = ["unit", "period", "rating", "achievement", "notes"]
    description_columns = {"achievement": _l("Achievement of the unit's performance agreement, 0-200 %.")}
    add_form_extra_fields = edit_form_extra_fields = {
        "unit": AjaxSelectField(_l("Unit"), kind="unit", allow_blank=False, validators=[DataRequired()]),
        "period": QuerySelectField(_l("Period"), query_func=_all_periods, get_pk_func=lambda p: p.id,
                                   get_label=period_label, allow_blank=False, widget=Select2Widget(),
                                   validators=[DataRequired()]),
        "rating": SelectField(_l("Organisation rating"), choices=[(k.value, k.label) for k in OrgRating],
                              widget=Select2Widget()),
        "achievement": DecimalField(_l("Achievement (%)"), places=2,
                                    validators=[OptionalValue(), NumberRange(0, ACHIEVEMENT_MAX)],
                                    widget=BS3TextFieldWidget()),
        "notes": TextAreaField(_l("Notes"), validators=[OptionalValue(), Length(max=2000)],
                               widget=BS3TextAreaFieldWidget()),
    }
    base_filters = [["period_id", RequestArgFilter, "period"], ["unit_id", RequestArgFilter, "unit"]]

    def scope_clause_for(self, scope):
        return S.unit_clause(scope, OrganisationRating.unit_id)

    def validate_item(self, item, is_new):
        validate_organisation_rating(db.session, item)


# --- Penetapan Predikat: the distribution of staff predikat ----------------------------------------------

SQLITE_IN_PROBE_LIMIT = 20  # more listed units than this: SQLite tests the list per row, not per index probe


def predikat_counts(session, unit_ids: Iterable[int], period_id: int, year: int) -> dict:
    """{unit id: {Predikat: count}} of the final (rated) evaluations of ``period_id`` of the plans of ``year``
    whose unit is one of ``unit_ids``. One GROUP BY query; nothing is loaded as an object.

    The ids are passed as a list (read with the units of the screen), not as a recursive CTE: the planner
    cannot estimate a CTE's size, and with the list it picks the plan that fits: index lookups for a school
    (20 plans: under a millisecond), hash joins for Dinas Pendidikan (6,000 plans out of 75,000)."""
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    unit_column = Skp.unit_id
    if len(ids) > SQLITE_IN_PROBE_LIMIT and session.get_bind().dialect.name == "sqlite":
        # SQLite would probe ix_skp_year_id once per listed unit for every evaluation (the whole city: 250
        # units x 15,000 evaluations, 250 ms); as an expression the list is tested on the plan's row (20 ms)
        unit_column = Skp.unit_id + 0
    rows = session.execute(
        select(Skp.unit_id, Evaluation.predikat, func.count())
        .select_from(Evaluation)
        .join(Skp, Skp.id == Evaluation.skp_id)
        .where(Evaluation.period_id == period_id, Evaluation.status == EvaluationState.FINAL.value,
               Evaluation.predikat.is_not(None), Skp.year == year, unit_column.in_(ids))
        .group_by(Skp.unit_id, Evaluation.predikat)).all()
    result: dict = defaultdict(dict)
    for unit_id, code, n in rows:
        try:
            result[unit_id][Predikat(code)] = int(n)
        except ValueError:  # pragma: no cover - the check constraint allows only known codes
            continue
    return dict(result)


def counts_by_branch(counts: dict, root_id: int, parent_of: dict) -> dict:
    """Sum per-unit counts by the direct child of ``root_id`` each unit lies under (the root's own staff
    under the root itself). ``parent_of`` maps every unit of the subtree to its parent."""
    branch_of: dict = {root_id: root_id}

    def branch(unit_id):
        path = []
        while unit_id not in branch_of:
            path.append(unit_id)
            parent = parent_of.get(unit_id)
            if parent is None or parent in path:  # not under the root, or a corrupted (looping) tree
                return None
            if parent == root_id:
                branch_of[unit_id] = unit_id
                path.pop()
                break
            unit_id = parent
        for u in path:
            branch_of[u] = branch_of[unit_id]
        return branch_of[unit_id]

    result: dict = defaultdict(lambda: defaultdict(int))
    for unit_id, per_predikat in counts.items():
        b = branch(unit_id)
        if b is None:
            continue
        for p, n in per_predikat.items():
            result[b][p] += n
    return {b: dict(c) for b, c in result.items()}


def _unit_ratings(session, unit_id: int, period_id: int):
    """(id, name, code, parent_id, rating, achievement) of the unit, its ancestors and every unit below it,
    with their organisation rating for the period (one query)."""
    up = select(Unit.id.label("id"), Unit.parent_id.label("parent_id")).where(Unit.id == unit_id) \
        .cte("unit_ancestors", recursive=True)
    parent = aliased(Unit)
    up = up.union(select(parent.id, parent.parent_id).where(parent.id == up.c.parent_id))
    return session.execute(
        select(Unit.id, Unit.name, Unit.code, Unit.parent_id, OrganisationRating.rating,
               OrganisationRating.achievement)
        .outerjoin(OrganisationRating, and_(OrganisationRating.unit_id == Unit.id,
                                            OrganisationRating.period_id == period_id))
        .where(or_(Unit.id.in_(select(up.c.id)), Unit.id.in_(S.unit_subtree_ids(unit_id))))
        .order_by(Unit.code)).all()


@dataclass
class DistributionRow:
    """One unit on the distribution screen: its counts, shares and warnings against its curve."""

    unit_id: int
    name: str
    code: str
    org_rating: Optional[str]
    achievement: Optional[Decimal]
    rating_from: Optional[str]  # the name of the unit whose rating applies, when inherited
    counts: dict
    total: int
    shares: dict
    warnings: list
    expected: list
    cells: list = field(default_factory=list)  # (count, share text) per predikat, best first

    @property
    def rating_text(self) -> str:
        return str(ORG_RATING_LABELS[OrgRating(self.org_rating)]) if self.org_rating in OrgRating.__members__ \
            else (self.org_rating or "")


def distribution_row(unit_id, name, code, org_rating, achievement, rating_from, counts,
                     percent_cache: Optional[dict] = None) -> DistributionRow:
    """The row of one unit. ``percent_cache`` (share → text) spares formatting the same share again: a large
    OPD has hundreds of sub-units with the same few shares, and formatting a number is the costly part."""
    cache = {} if percent_cache is None else percent_cache
    total = sum(counts.values())

    def text(share):
        if share not in cache:
            cache[share] = str(distribution.percent_text(share))
        return cache[share]

    row = DistributionRow(
        unit_id=unit_id, name=name, code=code, org_rating=org_rating, achievement=achievement,
        rating_from=rating_from, counts={p: counts.get(p, 0) for p in PREDIKAT_ORDER}, total=total,
        shares={p: text(s) for p, s in distribution.shares(counts).items()},
        warnings=[str(w) for w in distribution.check_distribution(org_rating, counts)],
        expected=distribution.describe_rules(org_rating) if org_rating else [])
    row.cells = [(row.counts[p], row.shares[p]) for p in PREDIKAT_ORDER]
    return row


def _int_arg(name) -> Optional[int]:
    from app.core.web import id_arg

    return id_arg(name)


def _unit_in_scope(unit_id: int, scope) -> bool:
    return db.session.execute(select(Unit.id).where(Unit.id == unit_id, S.unit_clause(scope))).first() is not None


class UnitChoiceForm(Form):
    """The unit picker of the screens below (a GET form: nothing is written, no CSRF token)."""

    unit = AjaxSelectField(_l("Unit"), kind="unit")


def _unit_choice(unit_id, name, code):
    """The unit picker showing ``unit`` as its current choice (the lookup's label needs id, name, code)."""
    form = UnitChoiceForm(meta={"csrf": False})
    form.unit.data = SimpleNamespace(id=unit_id, name=name, code=code) if unit_id else None
    return form


class PredikatDistributionView(BaseView):
    """Penetapan Predikat: a unit's staff predikat for a period against its organisation rating's curve."""

    route_base = "/predikat-distribution"
    class_permission_name = "PredikatDistribution"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        periods = _all_periods()
        period_id = _int_arg("period")
        period = next((p for p in periods if p.id == period_id), None) if period_id else _default_period(periods)
        if period_id and period is None:
            abort(404)
        unit_id = _int_arg("unit") or (scope.unit_root_id if not scope.everything else None)
        context = {"periods": periods, "period": period, "period_label": period_label(period) if period else "",
                   "unit": None, "picker": _unit_choice(None, None, None), "rows": [], "main": None, "chain": [], "can_write_ratings":
                   self.appbuilder.sm.has_access("can_write", "OrganisationRating"),
                   "predikat_order": PREDIKAT_ORDER, "org_rating_labels": ORG_RATING_LABELS}
        if unit_id:
            if not _unit_in_scope(unit_id, scope):
                abort(404)
            if period is not None:
                context.update(self._distribution(unit_id, period))
            else:
                row = db.session.execute(select(Unit.id, Unit.name, Unit.code).where(Unit.id == unit_id)).one()
                context.update(unit=SimpleNamespace(id=row.id, name=row.name, code=row.code),
                               picker=_unit_choice(*row))
        return self.render_template("portal/performance/distribution.html", title=_l("Penetapan Predikat"),
                                    **context)

    @staticmethod
    def _distribution(unit_id: int, period) -> dict:
        units = _unit_ratings(db.session, unit_id, period.id)
        by_id = {u.id: u for u in units}
        me = by_id[unit_id]
        # the rating that applies: the unit's own, else the nearest ancestor's
        rating, achievement, rating_from, chain = me.rating, me.achievement, None, []
        node = me
        while node is not None and node.id not in chain:
            chain.append(node.id)
            if rating is None and node.rating is not None:
                rating, achievement, rating_from = node.rating, node.achievement, node.name
            node = by_id.get(node.parent_id)
        # the subtree: the unit and every unit whose chain of parents reaches it
        parent_of = {u.id: u.parent_id for u in units}
        below = {unit_id}
        for u in units:
            node, path = u.id, []
            while node is not None and node not in below and node not in path:
                path.append(node)
                node = parent_of.get(node)
            if node in below:
                below.update(path)
        counts = counts_by_branch(predikat_counts(db.session, below, period.id, period.year), unit_id, parent_of)
        total_counts: dict = defaultdict(int)
        for branch in counts.values():
            for p, n in branch.items():
                total_counts[p] += n
        cache: dict = {}
        main = distribution_row(me.id, me.name, me.code, rating, achievement, rating_from, total_counts, cache)
        rows = []
        for u in units:
            if u.parent_id != unit_id or u.id == unit_id:
                continue
            own = u.rating is not None
            rows.append(distribution_row(u.id, u.name, u.code, u.rating if own else rating,
                                         u.achievement if own else None, None if own else (rating_from or me.name)
                                         if rating else None, counts.get(u.id, {}), cache))
        direct = counts.get(unit_id)
        return {"unit": SimpleNamespace(id=me.id, name=me.name, code=me.code),
                "picker": _unit_choice(me.id, me.name, me.code), "main": main, "rows": rows,
                "direct": distribution_row(me.id, me.name, me.code, rating, None, None, direct, cache)
                if direct else None,
                "own_rating": me.rating is not None}


# --- the cascade tree --------------------------------------------------------------------------------------

# The tree is read one level at a time (a whole Dinas Pendidikan is 6,000 teachers and 30,000 RHKs): a unit's
# level shows the head's RHKs with the RHKs of the unit's own staff and of the heads of its direct sub-units
# that support them; a sub-unit head's RHKs link to that sub-unit's level. A team's level (an Atasan) shows
# the leader's RHKs with those of the direct reports, and links to the team of each report who leads one.
# The staff of a level come CASCADE_PAGE_SIZE people a page (sub-unit heads first); the table of sub-units
# counts, per sub-unit subtree, the plans and the RHKs that support nothing.
CASCADE_PAGE_SIZE = 25


@lru_cache(maxsize=None)
def _alias(model, name):
    """An alias for the queries below, made once (building one per request costs more than some of the
    queries; not at import: the mappers must be configured first)."""
    return aliased(model, name=name)


RHK_KIND_LABELS = {RhkKind.UTAMA.value: _l("Main"), RhkKind.TAMBAHAN.value: _l("Additional")}


@dataclass(slots=True)
class CascadeNode:
    id: int
    text: str
    kind: str
    employee_id: int
    employee_name: str
    parent_rhk_id: Optional[int]
    flagged: bool = False  # supports no RHK of the supervisor
    children: list = field(default_factory=list)

    @property
    def kind_label(self):
        return RHK_KIND_LABELS.get(self.kind, self.kind)


@dataclass
class CascadeTree:
    roots: list  # the head's RHKs with everything that supports them
    unsupported: list  # flagged RHKs (no parent) below the head, each with what supports it
    detached: list  # RHKs supporting an RHK outside this tree (another unit, an old revision, a loop)
    rhk_count: int = 0
    plan_count: int = 0


def build_cascade(rows: Iterable, root_employee_ids: Iterable[int]) -> CascadeTree:
    """Nest RHKs under the RHK they support (``parent_rhk_id``), starting from the plans of the root
    employees. Every RHK appears exactly once; loops are cut. ``rows`` have id, text, kind, parent_rhk_id,
    employee_id and employee_name, in this order (tuples or rows), in display order."""
    roots_of = set(root_employee_ids)
    nodes = {}
    for rhk_id, text, kind, parent_rhk_id, employee_id, employee_name in rows:  # by position
        nodes[rhk_id] = CascadeNode(rhk_id, text, kind, employee_id, employee_name, parent_rhk_id)
    children = defaultdict(list)
    for node in nodes.values():
        if node.parent_rhk_id is not None and node.parent_rhk_id in nodes:
            children[node.parent_rhk_id].append(node)
    seen: set = set()

    def attach(top: CascadeNode) -> CascadeNode:
        seen.add(top.id)
        stack = [top]
        while stack:
            node = stack.pop()
            for child in children.get(node.id, ()):
                if child.id not in seen:
                    seen.add(child.id)
                    node.children.append(child)
                    stack.append(child)
        return top

    roots = [attach(n) for n in nodes.values() if n.employee_id in roots_of]
    unsupported = []
    for n in nodes.values():
        if n.id not in seen and n.parent_rhk_id is None:
            n.flagged = True
            unsupported.append(attach(n))
    detached = [attach(n) for n in nodes.values() if n.id not in seen]
    return CascadeTree(roots, unsupported, detached, rhk_count=len(nodes),
                       plan_count=len({n.employee_id for n in nodes.values()}))


def tree_html(nodes: list, kinds: dict, flag: str, drill: dict, drill_title: str) -> Markup:
    """The nested ``<ul>``/``<li>`` of a cascade's RHKs, built here rather than by a recursive template macro:
    a level shows a hundred and more RHKs, and a Jinja macro call per RHK cost more than the level's queries.
    The per-person part (name, link down) is escaped once per person; every text is escaped. ``kinds`` maps
    an RHK kind to its label, ``drill`` an employee id to (url, label) of the level below."""
    out = []
    add = out.append
    person_html = {}
    kind_html = {k: f'<span class="label label-{"primary" if k == RhkKind.UTAMA.value else "default"}">'
                    f'{escape(v)}</span>' for k, v in kinds.items()}
    flag_html = (f'<span class="label label-warning portal-rhk-flag"><i class="fa fa-exclamation-triangle"></i> '
                 f'{escape(flag)}</span>')
    title = escape(drill_title)
    stack = [iter(nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            if stack:
                add("</ul></li>")
            continue
        person = person_html.get(node.employee_id)
        if person is None:
            person = f'<small class="text-muted portal-rhk-employee">— {escape(node.employee_name)}</small>'
            link = drill.get(node.employee_id)
            if link is not None:
                person += (f'<a class="portal-rhk-more" href="{escape(link[0])}" title="{title}">'
                           f'<i class="fa fa-level-down"></i> {escape(link[1])}</a>')
            person_html[node.employee_id] = person
        kind = kind_html.get(node.kind)
        if kind is None:
            kind = f'<span class="label label-default">{escape(node.kind)}</span>'
        add(f'<li class="portal-rhk{" portal-rhk-unsupported" if node.flagged else ""}" data-rhk="{node.id}">'
            f'{kind}<span class="portal-rhk-text">{escape(node.text)}</span>')
        if node.flagged:  # before the link down, as the page always showed it
            small, sep, rest = person.partition("</small>")
            add(small + sep + flag_html + rest)
        else:
            add(person)
        if node.children:
            add("<ul>")
            stack.append(iter(node.children))
        else:
            add("</li>")
    return Markup("".join(out))


def _current_plans(year: int):
    return and_(Skp.year == year, Skp.is_current.is_(True))


def cascade_rows(session, year: int, employee_ids: Iterable[int]):
    """(id, text, kind, parent_rhk_id, employee_id, employee_name) of the RHKs of the current plans of ``year``
    of the given employees: one query, in the order of ``employee_ids``' names, UTAMA first, then each plan's
    own order."""
    ids = sorted(set(employee_ids))
    if not ids:
        return []
    # plain Core rows (no ORM row processing)
    return session.connection().execute(_cascade_rows_statement(), {"year": year, "ids": ids}).all()


# The statements of the cascade are built once, with bound parameters (``_statement``): building one and finding
# its compiled form again cost 0.5-1 ms of CPU per statement, more than most of these queries take to run.
_statement = lru_cache(maxsize=None)


@_statement
def _cascade_rows_statement():
    return (select(Rhk.id, Rhk.text, Rhk.kind, Rhk.parent_rhk_id, Skp.employee_id,
                   Employee.name.label("employee_name"))
            .join(Skp, Skp.id == Rhk.skp_id).join(Employee, Employee.id == Skp.employee_id)
            .where(_current_plans(bindparam("year")), Skp.employee_id.in_(bindparam("ids", expanding=True)))
            .order_by(Employee.name, Skp.employee_id, Rhk.kind.desc(), Rhk.sort_order, Rhk.id))


def unit_heads(session, unit_id: int) -> list:
    """(id, name) of the head of a unit: the holder of its head position, else the employees of the unit
    whose supervisor is outside it (or who have none). One query."""
    rows = session.execute(_unit_heads_statement(), {"unit_id": unit_id}).all()
    rows.sort(key=lambda r: (r.name, r.id))
    holders = list(dict.fromkeys((r.id, r.name) for r in rows if r.holds))
    return holders or list(dict.fromkeys((r.id, r.name) for r in rows))


@_statement
def _unit_heads_statement():
    boss, unit_id = _alias(Employee, "boss"), bindparam("unit_id")
    holders = (select(Employee.id, Employee.name, literal(True).label("holds"))
               .join(Unit, Unit.head_position_id == Employee.position_id).where(Unit.id == unit_id))
    reports_out = (select(Employee.id, Employee.name, literal(False).label("holds"))
                   .outerjoin(boss, boss.id == Employee.supervisor_id)
                   .where(Employee.unit_id == unit_id, or_(Employee.supervisor_id.is_(None), boss.unit_id != unit_id)))
    # two index lookups (head position; the unit's employees) rather than one OR over the whole table
    return select(union_all(holders, reports_out).subquery())


@dataclass
class CascadeMember:
    """A person on a level besides the head: ``unit_id`` is the sub-unit they head (a link to its level),
    ``leads`` is True when people report to them (a link to their team's level)."""

    employee_id: int
    name: str
    unit_id: Optional[int] = None
    leads: bool = False


def _paged(members_query):
    """(page statement, count statement) of a members query with a ``sort`` and a ``name`` column; the page takes
    the bound ``page_offset`` and ``page_size``."""
    sub = members_query.subquery()
    page = (select(sub, func.count().over().label("total")).order_by(sub.c.sort, sub.c.name, sub.c.employee_id)
            .offset(bindparam("page_offset")).limit(bindparam("page_size")))
    return page, select(func.count()).select_from(sub)


def _page_of(session, statements, params: dict, page: int, size: int):
    """(total, rows of the page) of a members query (``_paged``) with these parameters: one query (the total is a
    window count)."""
    page_statement, count_statement = statements
    rows = session.execute(page_statement, dict(params, page_offset=(page - 1) * size, page_size=size)).all()
    if not rows and page > 1:  # past the last page: show the last one
        total = session.scalar(count_statement, params)
        last = max(1, -(-total // size))
        return _page_of(session, statements, params, last, size) if last < page else (total, [])
    return (rows[0].total if rows else 0), rows


def unit_level_members(session, unit_id: int, year: int, head_ids, page: int = 1,
                       size: int = CASCADE_PAGE_SIZE):
    """(total, page, [CascadeMember]) of a unit's level: the heads of its direct sub-units (first), then the
    unit's own staff, by name; people with a current plan of ``year`` only, the unit's heads left out. The
    head of a sub-unit is the holder of its head position and whoever in it reports to someone outside it
    (as ``unit_heads``: their RHKs are the ones that support this level's). One query."""
    total, rows = _page_of(session, _unit_members_statements(),
                           {"unit_id": unit_id, "year": year, "head_ids": list(head_ids) or [0]}, page, size)
    pages = max(1, -(-total // size))
    return total, min(page, pages), [CascadeMember(r.employee_id, r.name, unit_id=r.unit_id) for r in rows]


@_statement
def _unit_members_statements():
    child, holder, boss = _alias(Unit, "child_unit"), _alias(Employee, "holder"), _alias(Employee, "boss")
    unit_id, year = bindparam("unit_id"), bindparam("year")
    sub_heads = (select(Skp.employee_id.label("employee_id"), holder.name.label("name"),
                        child.id.label("unit_id"), literal(0).label("sort"))
                 .join(child, child.id == Skp.unit_id)
                 .join(holder, holder.id == Skp.employee_id)
                 .outerjoin(boss, boss.id == holder.supervisor_id)
                 .where(child.parent_id == unit_id, _current_plans(year),
                        or_(holder.position_id == child.head_position_id, holder.supervisor_id.is_(None),
                            boss.unit_id != child.id)))
    staff = (select(Skp.employee_id.label("employee_id"), Employee.name.label("name"),
                    null().label("unit_id"), literal(1).label("sort"))
             .join(Employee, Employee.id == Skp.employee_id)
             .where(Skp.unit_id == unit_id, _current_plans(year),
                    Skp.employee_id.not_in(bindparam("head_ids", expanding=True))))
    return _paged(union_all(sub_heads, staff))


def team_level_members(session, lead_id: int, year: int, page: int = 1, size: int = CASCADE_PAGE_SIZE):
    """(total, page, [CascadeMember]) of a team's level: the people reporting directly to ``lead_id`` who have
    a current plan of ``year``, those who lead a team of their own first, by name. One query."""
    total, rows = _page_of(session, _team_members_statements(), {"lead_id": lead_id, "year": year}, page, size)
    pages = max(1, -(-total // size))
    return total, min(page, pages), [CascadeMember(r.employee_id, r.name, leads=r.sort == 0) for r in rows]


@_statement
def _team_members_statements():
    below = _alias(Employee, "member")
    leads = select(below.id).where(below.supervisor_id == Employee.id).exists()
    members = (select(Employee.id.label("employee_id"), Employee.name.label("name"),
                      case((leads, 0), else_=1).label("sort"))
               .join(Skp, and_(Skp.employee_id == Employee.id, _current_plans(bindparam("year"))))
               .where(Employee.supervisor_id == bindparam("lead_id")))
    return _paged(members)


@dataclass
class SubUnitRow:
    unit_id: int
    name: str
    code: str
    head: Optional[str]
    plans: int = 0
    unsupported: int = 0


def subunit_summary(session, unit_id: int, year: int) -> list:
    """The direct sub-units of a unit with their head's name and, over each one's whole subtree, the number
    of current plans of ``year`` and of their RHKs that support nothing. Two queries: the units of the subtree,
    then per unit the count of its plans and the count of its unsupported RHKs (summed by branch here).

    Both counts come from indexes alone (``ix_skp_current_year_unit``, ``ix_rhk_unsupported``): two aggregates
    over the unit ids of the first query (so that the planner knows how many plans that is; none when the subtree
    is every unit): for an OPD (1,000 plans) PostgreSQL looks up each plan's unsupported RHKs, for the whole city
    (15,000 plans) it merges the unsupported RHKs of every year (in plan order) with the plans in force read in id
    order from ``ix_skp_current_year_id`` (migration 0024: 4-4.5 ms instead of 6.5 ms for hashing the plans);
    SQLite looks them up per plan."""
    units = session.connection().execute(_subunit_statement(), {"unit_id": unit_id}).all()
    children, parent_of = {}, {}
    for u in units:
        parent_of[u.id] = u.parent_id
        if u.parent_id == unit_id and u.id != unit_id:
            children[u.id] = SubUnitRow(u.id, u.name, u.code, u.head)
    if not children:
        return []
    # the subtree of the city's root is every unit: no list of 250 ids to send, bind and test on 15,000 plans
    every = units[0].every_unit == len(units)
    params = {"year": year} if every else {"year": year, "units": sorted(parent_of)}
    per_unit = defaultdict(dict)
    for unit, what, n in session.connection().execute(
            _subunit_counts_statement(every, session.get_bind().dialect.name == "postgresql"), params).all():
        per_unit[unit][what] = n
    for branch, counts in counts_by_branch(per_unit, unit_id, parent_of).items():
        if branch in children:
            children[branch].plans = counts.get("plans", 0)
            children[branch].unsupported = counts.get("unsupported", 0)
    return list(children.values())


@_statement
def _subunit_statement():
    """The units of the subtree of ``unit_id`` with the head's name of each direct sub-unit, and the number of
    units of the city (``every_unit``)."""
    holder, member, boss = _alias(Employee, "holder"), _alias(Employee, "member"), _alias(Employee, "boss")
    unit_id = bindparam("unit_id")
    # the head of a direct sub-unit: the holder of its head position, else (as ``unit_heads``) someone in it
    # who reports outside it
    reports_out = (select(func.min(member.name)).outerjoin(boss, boss.id == member.supervisor_id)
                   .where(member.unit_id == Unit.id, or_(member.supervisor_id.is_(None), boss.unit_id != Unit.id))
                   .scalar_subquery())
    # (the first holder by name when several hold the position; looked up per direct sub-unit by the position
    # index, not by joining every employee of the city)
    holds = select(func.min(holder.name)).where(holder.position_id == Unit.head_position_id).scalar_subquery()
    every_unit = select(func.count()).select_from(_alias(Unit, "any_unit")).scalar_subquery()
    return (select(Unit.id, Unit.parent_id, Unit.name, Unit.code,
                   case((Unit.parent_id == unit_id, func.coalesce(holds, reports_out)), else_=null()).label("head"),
                   every_unit.label("every_unit"))
            .where(Unit.id.in_(S.unit_subtree_ids(unit_id))).order_by(Unit.code))


@_statement
def _subunit_counts_statement(every: bool, postgresql: bool):
    """Per unit: the current plans of ``year`` ("plans") and their RHKs that support nothing ("unsupported"), of
    the ``units`` (every unit: no list)."""
    current = and_(Skp.year == bindparam("year"), Skp.is_current.is_(True))  # as ix_skp_current_year_unit's
    in_tree = true() if every else Skp.unit_id.in_(bindparam("units", expanding=True))
    on_plan = Rhk.skp_id == Skp.id
    if not postgresql:
        # SQLite would start from every unsupported RHK of five years and look up its plan (60 ms for the city);
        # ``+ 0`` leaves it no index on the plan's side, so it starts from the plans of the subtree and looks up
        # each one's unsupported RHKs in ix_rhk_unsupported (9 ms; a count per plan took 13-16 ms)
        on_plan = Rhk.skp_id == Skp.id + 0
    plans = select(Skp.unit_id, literal("plans").label("what"), func.count().label("n")) \
        .where(current, in_tree).group_by(Skp.unit_id)
    flagged = select(Skp.unit_id, literal("unsupported").label("what"), func.count().label("n")) \
        .select_from(Skp).join(Rhk, on_plan) \
        .where(Rhk.parent_rhk_id.is_(None), current, in_tree).group_by(Skp.unit_id)
    return union_all(plans, flagged)


@dataclass
class CascadeLevel:
    heads: list  # (id, name)
    tree: CascadeTree
    members: list  # CascadeMember of this page
    total: int  # people on the level besides the heads (all pages)
    page: int
    pages: int
    subunits: list = field(default_factory=list)  # SubUnitRow (a unit's level)
    teams: list = field(default_factory=list)  # CascadeMember who lead a team (a team's level)


def _level(session, year, heads, total, page, members, size) -> CascadeLevel:
    rows = cascade_rows(session, year, [h[0] for h in heads] + [m.employee_id for m in members])
    tree = build_cascade(rows, [h[0] for h in heads])
    return CascadeLevel(heads, tree, members, total, page, max(1, -(-total // size)))


def unit_level(session, unit_id: int, year: int, page: int = 1, size: int = CASCADE_PAGE_SIZE) -> CascadeLevel:
    """One level of a unit's cascade (see CASCADE_PAGE_SIZE): heads, the page of members, their RHKs nested,
    the sub-units. Five queries."""
    heads = unit_heads(session, unit_id)
    total, page, members = unit_level_members(session, unit_id, year, [h[0] for h in heads], page, size)
    level = _level(session, year, heads, total, page, members, size)
    level.subunits = subunit_summary(session, unit_id, year)
    return level


def team_level(session, lead_id: int, lead_name: str, year: int, page: int = 1,
               size: int = CASCADE_PAGE_SIZE) -> CascadeLevel:
    """One level of a team's cascade: the leader's RHKs with those of the direct reports (a page of them),
    links to the teams below. Two queries."""
    total, page, members = team_level_members(session, lead_id, year, page, size)
    level = _level(session, year, [(lead_id, lead_name)], total, page, members, size)
    level.teams = [m for m in members if m.leads]
    return level


def _unit_path(unit_id: int, scope) -> list:
    """(id, name, code) of the unit and its ancestors within the scope, the top first (one query)."""
    rows = db.session.execute(_unit_path_statement(scope), {"unit_id": unit_id}).all()
    return [SimpleNamespace(id=r.id, name=r.name, code=r.code) for r in sorted(rows, key=lambda r: -r.depth)]


@lru_cache(maxsize=2048)
def _unit_path_statement(scope):
    """``_unit_path``'s statement for this scope (a frozen dataclass), built once (``_statement``)."""
    up = select(Unit.id.label("id"), Unit.parent_id.label("parent_id"), literal(0).label("depth")) \
        .where(Unit.id == bindparam("unit_id")).cte("unit_path", recursive=True)
    parent = _alias(Unit, "parent_unit")
    up = up.union_all(select(parent.id, parent.parent_id, up.c.depth + 1).where(parent.id == up.c.parent_id,
                                                                                  up.c.depth < 50))
    return select(Unit.id, Unit.name, Unit.code, up.c.depth).join(up, up.c.id == Unit.id).where(S.unit_clause(scope))


def cascade_url_builder(base: str):
    """``url(**params)``: ``base`` (``url_for("CascadeView.index")``) with the given query parameters, the same
    string as ``url_for("CascadeView.index", **params)`` (werkzeug's encoding, in the order given, ``None``
    left out). A level links to every sub-unit, member and page: werkzeug's URL building costs about 10 µs a
    link, 0.5 ms of the city's page (70 links)."""
    def url(**params) -> str:
        query = urlencode([(k, v) for k, v in params.items() if v is not None], safe=_URL_SAFE)
        return f"{base}?{query}" if query else base
    return url


_URL_SAFE = "!$'()*,/:;?@"  # as werkzeug.urls._urlencode


class CascadeView(BaseView):
    """Pohon kinerja, one level at a time: a unit's head with the unit's staff and sub-unit heads (Pengelola,
    Pimpinan), or an Atasan's team (``lead``: the Atasan or someone below them)."""

    route_base = "/cascade"
    class_permission_name = "Cascade"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        from .evaluation_views import page_arg

        scope = current_scope()
        today_year = date.today().year
        raw_year = request.args.get("year", "").strip()
        year = int(raw_year) if raw_year.isdigit() and YEAR_MIN <= int(raw_year) <= YEAR_MAX else today_year
        employee_id, own_unit_id = self.appbuilder.sm.current_employee()
        cascade_url = cascade_url_builder(url_for("CascadeView.index"))
        unit_id = _int_arg("unit")
        lead_id = _int_arg("lead")
        team_only = bool(scope.subordinates_of) and not scope.everything and not scope.unit_root_id
        if unit_id is None:
            unit_id = scope.unit_root_id if (scope.unit_root_id and not scope.everything) else \
                (own_unit_id if scope.subordinates_of and not scope.everything else None)
        context = {"year": year, "unit": None, "picker": _unit_choice(None, None, None), "level": None,
                   "tree": None, "heads": [], "team": False, "lead": None, "path": [], "drill": {},
                   "up_url": None, "up_name": None,
                   "can_choose_unit": scope.everything or bool(scope.unit_root_id),
                   "kind_labels": RHK_KIND_LABELS, "cascade_url": cascade_url}
        if unit_id is not None:
            path = _unit_path(unit_id, scope)
            in_unit_scope = bool(path) and path[-1].id == unit_id
            team = not in_unit_scope and bool(scope.subordinates_of) and unit_id == own_unit_id
            if not in_unit_scope and not team:
                abort(404)
            if team:
                unit = db.session.execute(select(Unit.id, Unit.name, Unit.code).where(Unit.id == unit_id)).one()
                path = [SimpleNamespace(id=unit.id, name=unit.name, code=unit.code)]
            unit = path[-1]
            context.update(unit=unit, picker=_unit_choice(unit.id, unit.name, unit.code), path=path[:-1])
            if team or team_only:
                lead = self._lead(lead_id, scope)
                level = team_level(db.session, lead.id, lead.name, year, page_arg(), CASCADE_PAGE_SIZE)
                me = scope.subordinates_of
                own = {"unit": unit_id, "year": year}
                context.update(team=True, lead=lead, drill={
                    m.employee_id: (cascade_url(lead=m.employee_id, **own),
                                    _("Team of %(name)s", name=m.name)) for m in level.teams})
                if lead.id != me:  # one level up: the leader's own leader (the signed-in Atasan or below them)
                    up = db.session.execute(select(Employee.id, Employee.name)
                                            .where(Employee.id == lead.supervisor_id)).first()
                    if up is not None:
                        context.update(up_url=cascade_url(lead=up.id if up.id != me else None, **own),
                                       up_name=up.name)
                here = dict(own, lead=lead.id if lead.id != me else None)
            else:
                level = unit_level(db.session, unit_id, year, page_arg(), CASCADE_PAGE_SIZE)
                names = {u.unit_id: u.name for u in level.subunits}
                context["drill"] = {m.employee_id: (cascade_url(unit=m.unit_id, year=year),
                                                    names.get(m.unit_id, ""))
                                    for m in level.members if m.unit_id}
                here = {"unit": unit_id, "year": year}
            context.update(level=level, tree=level.tree, heads=[{"id": h[0], "name": h[1]} for h in level.heads],
                           page_size=CASCADE_PAGE_SIZE,
                           page_url=lambda n: cascade_url(page=n if n > 1 else None, **here))
        tree = context["tree"]
        if tree is not None:  # the three lists of RHKs, as HTML built once (``tree_html``)
            kinds = {k: str(v) for k, v in RHK_KIND_LABELS.items()}
            flag, title = _("supports no RHK of the supervisor"), _("The RHKs that support it")
            context["html"] = {name: tree_html(getattr(tree, name), kinds, flag, context["drill"], title)
                               for name in ("roots", "unsupported", "detached")}
        return self.render_template("portal/performance/cascade.html", title=_l("Cascade tree"), **context)

    @staticmethod
    def _lead(lead_id, scope):
        """The leader of the team shown: the signed-in Atasan, or (``lead``) someone below them (else 404)."""
        me = scope.subordinates_of
        wanted = lead_id or me
        q = select(Employee.id, Employee.name, Employee.supervisor_id).where(Employee.id == wanted)
        if wanted != me:
            q = q.where(Employee.id.in_(S.subordinate_ids(me)))
        row = db.session.execute(q).first()
        if row is None:
            abort(404)
        return row


# --- registration ------------------------------------------------------------------------------------------

def register(appbuilder):
    """Menus and views of the Pengelola Kinerja screens (called by app.performance.register)."""
    cat_label = _l("Performance management")
    appbuilder.add_view(PeriodView, "Periods", label=_l("Evaluation periods"), icon="fa-calendar",
                        category=CATEGORY, category_label=cat_label, category_icon="fa-line-chart")
    appbuilder.add_view(OrganisationRatingView, "Organisation Ratings", label=_l("Organisation ratings"),
                        icon="fa-trophy", category=CATEGORY)
    appbuilder.add_view(PredikatDistributionView, "Predikat Distribution", label=_l("Penetapan Predikat"),
                        icon="fa-bar-chart", category=CATEGORY)
    appbuilder.add_view(CascadeView, "Cascade Tree", label=_l("Cascade tree"), icon="fa-sitemap",
                        category=CATEGORY)
