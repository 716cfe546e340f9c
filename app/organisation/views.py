"""FAB views for organisation master data (units, positions, ranks, employees), the unit tree and
"Profil Saya"."""
from __future__ import annotations

from flask import has_request_context, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget, Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from app.core.fields import AjaxSelectField
from app.core.filters import RequestArgFilter
from app.core.views import PortalModelView, current_scope
from app.extensions import db
from app.security import scope as S

from . import rules, services
from .models import Employee, Position, Rank, Unit

RELATED_LIMIT = 50


def _ranks():
    return db.session.query(Rank).order_by(Rank.sort_order).all()


def _choices(mapping, blank=False):
    items = [(k, v) for k, v in mapping.items()]
    return ([("", _l("— none —"))] if blank else []) + items


LABELS = {
    "code": _l("Code"), "name": _l("Name"), "unit_type": _l("Unit type"), "unit_type_label": _l("Unit type"),
    "parent": _l("Parent unit"), "head_position": _l("Head position"), "active": _l("Active"),
    "position_type": _l("Position type"), "position_type_label": _l("Position type"), "level": _l("Level"),
    "level_label": _l("Level"), "grade": _l("Position class (kelas jabatan)"), "unit": _l("Unit"),
    "asn_type": _l("ASN type"), "asn_type_label": _l("ASN type"), "sort_order": _l("Order"),
    "nip": _l("NIP"), "full_name": _l("Name with titles"), "front_title": _l("Front title"),
    "back_title": _l("Back title"), "gender": _l("Gender"), "gender_label": _l("Gender"),
    "birth_date": _l("Birth date"), "birth_place": _l("Birth place"), "status": _l("Status"),
    "status_label": _l("Status"), "rank": _l("Rank (golongan)"), "position": _l("Position"),
    "supervisor": _l("Direct supervisor"), "supervisor_override": _l("Set supervisor by hand"),
    "email": _l("E-mail"), "phone": _l("Phone"), "user": _l("User account"),
    "created_on": _l("Created on"), "changed_on": _l("Changed on"),
}


class UnitView(PortalModelView):
    datamodel = SQLAInterface(Unit)
    class_permission_name = "Unit"
    export_name = "unit-kerja"
    list_title = _l("Work units")
    show_title = _l("Work unit")
    add_title = _l("Add work unit")
    edit_title = _l("Edit work unit")
    label_columns = LABELS
    list_columns = ["code", "name", "unit_type_label", "parent", "active"]
    search_columns = ["code", "name", "unit_type", "active"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
    show_columns = ["code", "name", "unit_type_label", "parent", "head_position", "active"]
    add_columns = edit_columns = ["code", "name", "unit_type", "parent", "head_position", "active"]
    add_form_extra_fields = edit_form_extra_fields = {
        "code": StringField(_l("Code"), validators=[DataRequired(), Length(max=32)], widget=BS3TextFieldWidget()),
        "name": StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], widget=BS3TextFieldWidget()),
        "unit_type": SelectField(_l("Unit type"), choices=_choices(rules.UNIT_TYPES), widget=Select2Widget()),
        "parent": AjaxSelectField(_l("Parent unit"), kind="unit"),
        "head_position": AjaxSelectField(_l("Head position"), kind="position"),
        "active": BooleanField(_l("Active"), default=True),
    }

    def scope_clause_for(self, scope):
        return S.unit_clause(scope)

    def validate_item(self, item, is_new):
        services.validate_unit(db.session, item)

    def related_lists(self, item):
        children = db.session.execute(
            select(Unit).where(Unit.parent_id == item.id).order_by(Unit.code).limit(RELATED_LIMIT)
        ).unique().scalars().all()
        n_children = db.session.execute(select(func.count()).where(Unit.parent_id == item.id)).scalar()
        staff = db.session.execute(
            select(Employee).where(Employee.unit_id == item.id).order_by(Employee.name).limit(RELATED_LIMIT)
        ).unique().scalars().all()
        n_staff = db.session.execute(select(func.count()).where(Employee.unit_id == item.id)).scalar()
        return [
            {"title": _l("Sub-units"), "kind": "unit", "rows": children, "count": n_children,
             "more_url": url_for("UnitView.list", parent=item.id)},
            {"title": _l("Employees"), "kind": "employee", "rows": staff, "count": n_staff,
             "more_url": url_for("EmployeeView.list", unit=item.id)},
        ]

    base_filters = [["parent_id", RequestArgFilter, "parent"]]


class PositionView(PortalModelView):
    datamodel = SQLAInterface(Position)
    class_permission_name = "Position"
    export_name = "jabatan"
    list_title = _l("Positions")
    show_title = _l("Position")
    add_title = _l("Add position")
    edit_title = _l("Edit position")
    label_columns = LABELS
    list_columns = ["name", "position_type_label", "level_label", "grade", "unit"]
    search_columns = ["name", "position_type", "level", "grade"]
    order_columns = ["name", "grade"]
    base_order = ("name", "asc")
    show_columns = ["name", "position_type_label", "level_label", "grade", "unit", "parent"]
    add_columns = edit_columns = ["name", "position_type", "level", "grade", "unit", "parent"]
    add_form_extra_fields = edit_form_extra_fields = {
        "name": StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], widget=BS3TextFieldWidget()),
        "position_type": SelectField(_l("Position type"), choices=_choices(rules.POSITION_TYPES),
                                     widget=Select2Widget()),
        "level": SelectField(_l("Level"), choices=_choices(rules.ALL_POSITION_LEVELS, blank=True),
                             widget=Select2Widget(), filters=[lambda v: v or None]),
        "grade": IntegerField(_l("Position class (kelas jabatan)"),
                              validators=[DataRequired(), NumberRange(rules.GRADE_MIN, rules.GRADE_MAX)],
                              widget=BS3TextFieldWidget()),
        "unit": AjaxSelectField(_l("Unit"), kind="unit", allow_blank=False, validators=[DataRequired()]),
        "parent": AjaxSelectField(_l("Parent position"), kind="position"),
    }
    base_filters = [["unit_id", RequestArgFilter, "unit"]]

    def scope_clause_for(self, scope):
        return S.position_clause(scope)

    def related_lists(self, item):
        holders = db.session.execute(
            select(Employee).where(Employee.position_id == item.id).order_by(Employee.name).limit(RELATED_LIMIT)
        ).unique().scalars().all()
        n_holders = db.session.execute(select(func.count()).where(Employee.position_id == item.id)).scalar()
        return [{"title": _l("Holders of this position"), "kind": "employee", "rows": holders,
                 "count": n_holders, "more_url": url_for("EmployeeView.list", position=item.id)}]

    def validate_item(self, item, is_new):
        services.validate_position(db.session, item)


class RankView(PortalModelView):
    datamodel = SQLAInterface(Rank)
    class_permission_name = "Rank"
    export_name = "golongan"
    list_title = _l("Ranks (golongan/pangkat)")
    show_title = _l("Rank")
    label_columns = LABELS
    list_columns = ["code", "name", "asn_type"]
    show_columns = ["code", "name", "asn_type", "sort_order"]
    search_columns = ["code", "name", "asn_type"]
    base_order = ("sort_order", "asc")
    base_permissions = ["can_read", "can_export"]  # reference data: loaded by a migration, not edited
    page_size = 50

    def scope_clause_for(self, scope):
        from sqlalchemy import true

        return true()  # reference data, the same for everyone who may read it


class EmployeeListInterface(SQLAInterface):
    """The employees' interface. On the list page (``EmployeeView.list``) the rows come with the rank, position and
    unit they show (joined, as the model loads them) but without the direct supervisors (the model's ``selectin``:
    one more query of 25-100 whole employee rows with their own joins, which the list does not show), a position's
    unit or a unit's parent. Shows, forms, exports and actions keep the model's loading."""

    LIST_OPTIONS = (lazyload(Employee.supervisor), joinedload(Employee.position).lazyload(Position.unit),
                    joinedload(Employee.unit).lazyload(Unit.parent))

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        if has_request_context() and request.endpoint == "EmployeeView.list":
            return query.options(*self.LIST_OPTIONS)
        return query


class EmployeeView(PortalModelView):
    datamodel = EmployeeListInterface(Employee)
    class_permission_name = "Employee"
    export_name = "pegawai"
    list_title = _l("Employees")
    show_title = _l("Employee")
    add_title = _l("Add employee")
    edit_title = _l("Edit employee")
    label_columns = LABELS
    list_columns = ["nip", "full_name", "rank", "position", "unit", "status_label"]
    export_columns = ["nip", "front_title", "name", "back_title", "gender", "birth_date", "asn_type", "status",
                      "rank", "position", "unit", "supervisor", "email", "phone"]
    search_columns = ["nip", "name", "asn_type", "status", "gender"]
    order_columns = ["nip", "name"]
    base_order = ("name", "asc")
    show_fieldsets = [
        (_l("Identity"), {"fields": ["nip", "full_name", "gender_label", "birth_place", "birth_date"]}),
        (_l("Employment"), {"fields": ["asn_type_label", "status_label", "rank", "position", "unit",
                                       "supervisor", "supervisor_override"]}),
        (_l("Contact"), {"fields": ["email", "phone", "user"]}),
    ]
    add_columns = edit_columns = ["nip", "front_title", "name", "back_title", "gender", "birth_place",
                                  "birth_date", "asn_type", "status", "rank", "unit", "position",
                                  "supervisor_override", "supervisor", "email", "phone"]
    add_form_extra_fields = edit_form_extra_fields = {
        "nip": StringField(_l("NIP"), validators=[DataRequired(), Regexp(r"^\d{18}$", message=_l(
            "NIP must be exactly 18 digits"))], widget=BS3TextFieldWidget(),
            description=_l("18 digits: birth date, CPNS start month, gender, sequence")),
        "front_title": StringField(_l("Front title"), validators=[Optional(), Length(max=50)],
                                   widget=BS3TextFieldWidget()),
        "name": StringField(_l("Name"), validators=[DataRequired(), Length(max=150)], widget=BS3TextFieldWidget()),
        "back_title": StringField(_l("Back title"), validators=[Optional(), Length(max=80)],
                                  widget=BS3TextFieldWidget()),
        "gender": SelectField(_l("Gender"), choices=_choices(rules.GENDERS), widget=Select2Widget()),
        "birth_place": StringField(_l("Birth place"), validators=[Optional(), Length(max=100)],
                                   widget=BS3TextFieldWidget()),
        "birth_date": DateField(_l("Birth date"), validators=[DataRequired()], widget=DatePickerWidget()),
        "asn_type": SelectField(_l("ASN type"), choices=_choices(rules.ASN_TYPES), default="PNS",
                                widget=Select2Widget()),
        "rank": QuerySelectField(_l("Rank (golongan)"), query_func=_ranks, get_pk_func=lambda r: r.id,
                                 allow_blank=True, blank_text=_l("— none —"), widget=Select2Widget()),
        "status": SelectField(_l("Status"), choices=_choices(rules.EMPLOYEE_STATUSES), widget=Select2Widget()),
        "unit": AjaxSelectField(_l("Unit"), kind="unit", allow_blank=False, validators=[DataRequired()]),
        "position": AjaxSelectField(_l("Position"), kind="position"),
        "supervisor_override": BooleanField(_l("Set supervisor by hand"), description=_l(
            "Normally the supervisor is the holder of the parent position. Tick this for acting officials "
            "or vacancies and choose the supervisor below.")),
        "supervisor": AjaxSelectField(_l("Direct supervisor"), kind="employee"),
        "email": StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=120)],
                             widget=BS3TextFieldWidget()),
        "phone": StringField(_l("Phone"), validators=[Optional(), Length(max=30),
                                                      Regexp(r"^[0-9+() -]*$", message=_l("Digits only"))],
                             widget=BS3TextFieldWidget()),
    }
    base_filters = [["unit_id", RequestArgFilter, "unit"], ["supervisor_id", RequestArgFilter, "supervisor"],
                    ["position_id", RequestArgFilter, "position"]]

    def scope_clause_for(self, scope):
        return S.employee_clause(scope)

    def can_create_in_scope(self, item, scope):
        if scope.everything:
            return True
        # Only whole-city roles write master data today; keep the rule general for unit-level admins.
        return False

    def validate_item(self, item, is_new):
        services.validate_employee(db.session, item)

    @action("create_accounts", _l("Create accounts"),
            _l("Create user accounts (user name = NIP) for the selected employees? Their passwords are shown "
               "once on the next page."), "fa-user-plus", single=False)
    def create_accounts(self, items):
        """Bulk accounts for the selected employees (rows already limited to the scope by action_post)."""
        from app.accounts.services import create_accounts

        created = create_accounts(self.appbuilder.sm, [item.id for item in items])
        response = make_response(self.render_template("portal/accounts_created.html", created=created,
                                                      skipped=created.skipped, title=_l("New accounts")))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response

    def related_lists(self, item):
        subordinates = db.session.execute(
            select(Employee).where(Employee.supervisor_id == item.id).order_by(Employee.name)
            .limit(RELATED_LIMIT)).unique().scalars().all()
        count = db.session.execute(select(func.count()).where(Employee.supervisor_id == item.id)).scalar()
        return [{"title": _l("Subordinates"), "kind": "employee", "rows": subordinates, "count": count,
                 "more_url": url_for("EmployeeView.list", supervisor=item.id)}]


class UnitTreeView(BaseView):
    """Pohon unit kerja: the whole organisation tree (or the person's subtree) on one page."""

    route_base = "/unit-tree"
    class_permission_name = "UnitTree"
    method_permission_name = {"tree": "read"}
    default_view = "tree"

    @expose("/")
    @has_access
    def tree(self):
        scope = current_scope()
        roots = services.unit_tree(db.session)
        if not scope.everything:
            roots = _subtree(roots, scope.unit_root_id)
        counts = dict(db.session.execute(select(Employee.unit_id, func.count()).group_by(Employee.unit_id)).all())
        return self.render_template("portal/unit_tree.html", roots=roots, counts=counts,
                                    title=_l("Unit tree"))


def _subtree(roots, root_id):
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node["unit"].id == root_id:
            return [node]
        stack.extend(node["children"])
    return []


class MyProfileView(BaseView):
    """"Profil Saya": the signed-in person's own employee record."""

    route_base = "/my-profile"
    class_permission_name = "MyProfile"
    method_permission_name = {"me": "read"}
    default_view = "me"

    @expose("/")
    @has_access
    def me(self):
        employee_id, _ = self.appbuilder.sm.current_employee()
        if employee_id:
            return redirect(url_for("EmployeeView.show", pk=employee_id))
        return self.render_template("portal/no_employee.html", title=_l("My profile"))
