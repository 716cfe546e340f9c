"""Shared base views: every CRUD view and REST API of the portal derives from these.

What they add over Flask-AppBuilder:
- row scope on list, show, edit, delete, creation, actions, export and the REST API (404 outside it);
- domain validation errors shown beside their fields (forms) or as 422 (API), nothing half saved;
- a capped page size, CSV/XLSX export of the current filtered list, Indonesian messages;
- one permission vocabulary: can_read, can_write, can_export on a per-object permission name.
"""
from __future__ import annotations

import enum
import json
import logging
import urllib.parse
from datetime import date
from functools import reduce

import prison
from flask import Response, abort, current_app, flash, jsonify, request, url_for
from flask_appbuilder import IndexView, ModelRestApi, ModelView
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.baseviews import BaseView, expose
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget, DateTimePickerWidget
from flask_appbuilder.hooks import before_request
from flask_appbuilder.models.base import BaseInterface
from flask_appbuilder.security.decorators import has_access, has_access_api
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_appbuilder.widgets import ListWidget, RenderTemplateWidget, SearchWidget
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from sqlalchemy import false, true
from sqlalchemy.exc import SQLAlchemyError
from wtforms import fields as wtf_fields
from wtforms import widgets as wtf_widgets

from app.core.errors import DomainValidationError, OutOfScope
from app.core.export import to_csv, to_xlsx
from app.core.filters import ScopeFilter, cache_filter_conversion
from app.core.lookups import get_lookup, has_lookup
from app.core.rowcount import install as install_row_count

log = logging.getLogger(__name__)

READ, WRITE, EXPORT = "read", "write", "export"

MVC_PERMISSIONS = {
    "list": READ, "show": READ, "download": READ,
    "add": WRITE, "edit": WRITE, "delete": WRITE, "action": WRITE, "action_post": WRITE,
    "export": EXPORT,
}
API_PERMISSIONS = {
    # _info lists every possible related record to fill a form: only for those who may write
    "get": READ, "get_list": READ, "info": WRITE,
    "post": WRITE, "put": WRITE, "delete": WRITE,
}


def display_value(value):
    """How a plain value reads on list and show pages."""
    if isinstance(value, LazyString):
        value = str(value)  # translated once: comparing and then escaping a lazy string translates it twice
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return value


def current_scope():
    return current_app.appbuilder.sm.current_scope()


class ScopedMixin:
    """Row scope shared by the MVC views and the REST APIs of one model."""

    def scope_clause_for(self, scope):
        """SQL clause for the rows this scope may see; default: only whole-city roles see anything."""
        return true() if scope.everything else false()

    def scope_clause(self):
        return self.scope_clause_for(current_scope())

    def can_create_in_scope(self, item, scope) -> bool:
        """May this person create ``item`` (or save it in its new state)? Default: whole-city roles."""
        return scope.everything

    def validate_item(self, item, is_new: bool) -> None:
        """Domain validation; raise DomainValidationError({field: message}). Override per model."""

    def _install_scope_filter(self):
        self.base_filters = [["id", ScopeFilter, self.scope_clause]] + list(self.base_filters or [])
        cache_filter_conversion(self.datamodel)
        install_row_count(self.datamodel)  # an unfiltered list of a big table: the kept count (PostgreSQL)

    def check_write(self, item, is_new: bool) -> None:
        """Validate, then refuse a record that would fall outside the person's scope."""
        self.validate_item(item, is_new)
        if not self.can_create_in_scope(item, current_scope()):
            raise OutOfScope()


def attr_value(item, col):
    """The value of column ``col`` of ``item`` as FAB's ``BaseInterface._get_attr_value`` gives it (a method is
    called, an Enum gives its value, a dotted path is followed, "" when it cannot be read), reading the attribute
    once: FAB reads it three times (``hasattr``, then twice ``getattr``), so a property such as a translated
    label ran three times per cell, and ``hasattr`` on a lazy string translates it."""
    try:
        value = getattr(item, col)
    except AttributeError:
        try:
            return reduce(getattr, col.split("."), item)
        except Exception:  # noqa: BLE001 - as FAB: an unreadable path shows empty
            return ""
    if callable(value):
        return value()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def template_gettext(message: str) -> Markup:
    """``_()`` inside a template (Flask-Babel's new-style gettext in an autoescaped template): not escaped."""
    return Markup(get_translations().ugettext(message)) % {}


# The rows of portal/widgets/list.html, as its Jinja template rendered them (the same bytes, whitespace included),
# built in Python: per cell the template cost a formatter call through Jinja's runtime, a dictionary look-up
# and an escape; with 25 to 100 rows of 6 to 8 columns that was the largest part of a list page's CPU time.
_ROWS_HEAD = "\n" + "  \n" * 8 + "  "
_ROW_START = "\n    \n    <tr>\n      "
_ROW_CHECKBOX = ('\n      <td><input id="{pk}" class="action_check" name="rowid" value="{pk}" type="checkbox">'
                 '</td>\n      ')
_ROW_BUTTONS_START = '\n      \n      <td><center><div class="btn-group btn-group-xs" style="display: flex;">\n        '
_ROW_SHOW = ('<a href="{url}" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" title="{title}">'
             '<span class="sr-only">{label}</span><i class="fa fa-search"></i></a>')
_ROW_EDIT = ('<a href="{url}" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" title="{title}">'
             '<span class="sr-only">{label}</span><i class="fa fa-edit"></i></a>')
_ROW_DELETE = ('<a id="btn-delete-{url}" href="#" class="btn btn-sm btn-default confirm" rel="tooltip" title="{title}">'
               '<span class="sr-only">{label}</span><i class="fa fa-trash"></i></a>\n        <script nonce="{nonce}">'
               'document.getElementById("btn-delete-{url}").addEventListener("click", function () '
               '{{ return new AdminActions().execute_single_delete(\'{url}\', \'{confirm}\'); }})</script>')
_ROW_BUTTONS_END = "\n      </div></center></td>\n      \n      "
_ROW_NO_BUTTONS = "\n      \n      "
_CELL = "\n        \n        <td>{}</td>\n      "
_ROW_END = "\n    </tr>\n  "
_ROWS_TAIL = "\n"


def escape_text(value) -> str:
    """``str(markupsafe.escape(value))``: for a plain ``str`` or ``int`` (most cells of a list) the same five
    replacements as markupsafe's, without making a Markup object per cell (a third of a 100-row list's rows)."""
    kind = type(value)
    if kind is str:
        return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;") \
            .replace('"', "&#34;")
    if kind is int:
        return str(value)
    return escape(value)


def list_rows_html(args: dict) -> Markup:
    """The ``<tr>`` rows of a list page (``args``: the list widget's arguments): the checkbox when the person may
    run a list action, the show/edit/delete buttons they may use, one escaped cell per list column through its
    formatter. Permission checks, URLs, labels and the nonce are worked out once per page, not per row."""
    from app.core.web import csp_nonce

    filters = current_app.jinja_env.filters
    name = args["modelview_name"]
    visible = filters["is_item_visible"]
    can_show, can_edit, can_delete = (visible(p, name) for p in ("can_show", "can_edit", "can_delete"))
    actions = filters["get_actions_on_list"](args.get("actions") or {}, name)
    formatters = args.get("formatters_columns") or {}
    columns = [(col, formatters.get(col)) for col in args["include_columns"]]
    # the three button slots (show, edit, delete): (markup, url with "__pk__", title, label), or None
    slots = [(markup, url_for(name + endpoint, pk="__pk__"), template_gettext(title), template_gettext(label))
             if allowed else None
             for allowed, markup, endpoint, title, label in (
                 (can_show, _ROW_SHOW, ".show", "Show record", "Show"),
                 (can_edit, _ROW_EDIT, ".edit", "Edit record", "Edit"),
                 (can_delete, _ROW_DELETE, ".delete", "Delete record", "Delete"))]
    buttons = can_show or can_edit or can_delete
    extra = {"nonce": escape(csp_nonce()),
             "confirm": template_gettext("Are you sure you want to delete this item?") if can_delete else ""}
    # A row's buttons differ only by the key in their URLs: built once with "__pk__", the key put in per row when
    # it is an integer (its text needs no escaping; any other key, or "__pk__" met elsewhere, is built per row).
    row_buttons = None
    if buttons:
        row_buttons = _ROW_BUTTONS_START + "\n        ".join(
            "" if slot is None else slot[0].format(url=escape(slot[1]), title=slot[2], label=slot[3], **extra)
            for slot in slots) + _ROW_BUTTONS_END
        if row_buttons.count("__pk__") != sum(slot[0].count("{url}") for slot in slots if slot is not None):
            row_buttons = None
    labels = {}
    out = [_ROWS_HEAD]
    append = out.append
    for pk, row in zip(args["pks"], args["value_columns"]):
        append(_ROW_START)
        plain_pk = type(pk) is int
        if actions:
            append(_ROW_CHECKBOX.format(pk=pk if plain_pk else escape(pk)))
        if buttons:
            pk_text = str(pk)
            if plain_pk and row_buttons is not None:
                append(row_buttons.replace("__pk__", pk_text))
            else:
                append(_ROW_BUTTONS_START + "\n        ".join(
                    "" if slot is None else slot[0].format(url=escape(slot[1].replace("__pk__", pk_text)),
                                                           title=slot[2], label=slot[3], **extra)
                    for slot in slots) + _ROW_BUTTONS_END)
        else:
            append(_ROW_NO_BUTTONS)
        for col, formatter in columns:
            value = row[col]
            if type(value) is LazyString and (formatter is None or formatter is display_value):
                # a label column repeats a few lazy strings on every row: each translated once per page (the
                # object is kept with its text, so its id stays its own while the page is built)
                known = labels.get(id(value))
                if known is None:
                    known = labels[id(value)] = (value, str(value))
                value = known[1]
            append(_CELL.format(escape_text(formatter(value) if formatter else value)))
        append(_ROW_END)
    append(_ROWS_TAIL)
    return Markup("".join(out))


class PortalListWidget(ListWidget):
    """FAB's list widget (its header, paging, ordering and action form) with the rows rendered by
    ``list_rows_html``."""

    template = "portal/widgets/list.html"

    def __call__(self, **kwargs):
        args = dict(self.template_args, **kwargs)
        if args.get("count"):  # the rows are shown only when the list is not empty
            kwargs["rows_html"] = list_rows_html(args)
        return super().__call__(**kwargs)


# Search fields whose empty HTML depends on nothing but the view and the language (no choices read from the
# database, no per-person values): their search box is built once per view and language.
_STATIC_SEARCH_FIELDS = (wtf_fields.StringField, wtf_fields.IntegerField, wtf_fields.BooleanField,
                         wtf_fields.DateField, wtf_fields.DateTimeField, wtf_fields.DecimalField,
                         wtf_fields.FloatField)
_STATIC_SEARCH_WIDGETS = (BS3TextFieldWidget, DatePickerWidget, DateTimePickerWidget, wtf_widgets.CheckboxInput,
                          wtf_widgets.TextInput, wtf_widgets.NumberInput)


class PortalSearchWidget(SearchWidget):
    """FAB's search box. FAB renders every search field and translates every label and filter name on each
    list request; with ``static`` (label_columns, form_fields, search_filters) given by the view, only the
    active filters of the request are worked out."""

    def __call__(self, **kwargs):
        static = self.template_args.get("static")
        if static is None:
            return super().__call__(**kwargs)
        kwargs["label_columns"], kwargs["form_fields"], kwargs["search_filters"] = static
        kwargs["active_filters"] = self.filters.get_filters_values_tojson()
        return RenderTemplateWidget.__call__(self, **kwargs)


class PortalModelView(ScopedMixin, ModelView):
    list_template = "portal/model/list.html"
    list_widget = PortalListWidget
    search_widget = PortalSearchWidget
    show_template = "portal/model/show.html"
    page_size = 25
    method_permission_name = MVC_PERMISSIONS
    export_columns = None  # defaults to list_columns
    export_name = "data"

    add_row_message = _l("Added Row")
    edit_row_message = _l("Changed Row")
    delete_row_message = _l("Deleted Row")
    database_error_message = _l("The data could not be saved. Check the input and try again.")
    in_use_message = _l("This record is still used by other records and cannot be deleted.")

    def __init__(self, **kwargs):
        self._install_scope_filter()
        super().__init__(**kwargs)
        # Readable values everywhere: "Ya"/"Tidak" for booleans, "—" for empty, instead of True/None.
        formatters = dict(self.formatters_columns or {})
        shown = set(self.list_columns or []) | set(self.show_columns or [])
        for fieldset in self.show_fieldsets or []:
            shown |= set(fieldset[1].get("fields", []))
        for column in shown:
            formatters.setdefault(column, display_value)
        self.formatters_columns = formatters
        # Every @action needs the write permission unless mapped otherwise.
        perms = dict(self.method_permission_name)
        for name in self.actions:
            perms.setdefault(name, WRITE)
        self.method_permission_name = perms

    def render_template(self, template, **kwargs):
        kwargs.setdefault("view_permission_name", self.class_permission_name)
        return super().render_template(template, **kwargs)

    # -- scope on creation, edit and delete ----------------------------------------------------
    def pre_add(self, item):
        self.check_write(item, is_new=True)

    def pre_update(self, item):
        self.check_write(item, is_new=False)

    def _rollback(self):
        try:
            self.datamodel.session.rollback()
        except SQLAlchemyError:  # pragma: no cover - connection already gone
            log.exception("rollback failed")

    @staticmethod
    def _attach_errors(form, errors: dict) -> None:
        for field_name, message in errors.items():
            field = getattr(form, field_name, None)
            if field is not None:
                field.errors = list(field.errors or []) + [str(message)]
            else:
                flash(str(message), "danger")

    def _save(self, form, item, is_new: bool):
        """populate → validate → scope → write, in one transaction. Returns True when saved."""
        session = self.datamodel.session
        try:
            with session.no_autoflush:
                form.populate_obj(item)
                if is_new:
                    self.pre_add(item)
                else:
                    self.pre_update(item)
        except DomainValidationError as exc:
            self._rollback()
            self._attach_errors(form, exc.errors)
            return False
        except OutOfScope:
            self._rollback()
            abort(404)
        try:
            if is_new:
                self.datamodel.add(item)
                self.post_add(item)
                flash(str(self.add_row_message), "success")
            else:
                self.datamodel.edit(item)
                self.post_update(item)
                flash(str(self.edit_row_message), "success")
        except (SQLAlchemyError, DatabaseException):
            self._rollback()
            flash(str(self.database_error_message), "danger")
            return False
        return True

    def _add(self):
        is_valid_form = True
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                if self._save(form, self.datamodel.obj(), is_new=True):
                    return None
            is_valid_form = False
        if is_valid_form:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        is_valid_form = True
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                self.process_form(form, False)
                if self._save(form, item, is_new=False):
                    return None
            is_valid_form = False
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        if is_valid_form:
            self.update_redirect()
        return widgets

    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            self.pre_delete(item)
        except DomainValidationError as exc:
            for message in exc.errors.values():
                flash(str(message), "danger")
            return
        except OutOfScope:
            abort(404)
        try:
            self.datamodel.delete(item)
            self.post_delete(item)
            flash(str(self.delete_row_message), "success")
            self.update_redirect()
        except (SQLAlchemyError, DatabaseException):
            self._rollback()
            flash(str(self.in_use_message), "danger")

    # -- show page with related lists ---------------------------------------------------------
    def related_lists(self, item) -> list:
        """[{title, kind, rows, count, more_url}] shown under the record on its show page."""
        return []

    def _show(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        widgets = self._get_show_widget(pk, item)
        widgets["related_lists"] = self.related_lists(item)
        self.update_redirect()
        return widgets

    # -- actions: load the rows through the scope filter ---------------------------------------
    def _scoped_items(self, pks):
        from app.core.web import is_record_id

        ids = []
        for pk in pks:
            if not is_record_id(pk):
                abort(404)
            ids.append(int(pk))
        if not ids:
            return []
        filters = self.datamodel.get_filters().add_filter_list(self.base_filters)
        filters.add_filter(self.datamodel.get_pk_name(), self.datamodel.FilterIn, ids)
        _, items = self.datamodel.query(filters)
        if len(items) != len(set(ids)):
            abort(404)  # at least one row is outside the scope (or gone): touch nothing
        return items

    @expose("/action/<string:name>/<pk>", methods=["GET"])
    def action(self, name, pk):
        abort(405)  # state changes by GET are never allowed (CSRF); the list form posts instead

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        action = self.actions.get(name)
        if action is None:
            abort(404)
        permission_name = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission_name, self.class_permission_name):
            abort(403)
        items = self._scoped_items(request.form.getlist("rowid"))
        return action.func(items)

    # -- file downloads ----------------------------------------------------------------------------
    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        """FAB's generic download served any file of UPLOAD_FOLDER by name to anyone who may read the view,
        with no row scope (and was a 500 while UPLOAD_FOLDER is unset). No portal model has a FAB file
        column: a record's files are served by their own scoped views."""
        abort(404)

    # -- page size cap --------------------------------------------------------------------------
    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="", page=None,
                         page_size=None, widgets=None, **kwargs):
        if order_column and order_column not in (self.order_columns or []):
            order_column, order_direction = "", ""  # ?_oc_<View>=<anything>: only the listed columns
        cap = int(current_app.config.get("PAGE_SIZE_MAX", 100))
        if page_size is not None:
            try:
                page_size = max(1, min(int(page_size), cap))
            except (TypeError, ValueError):
                page_size = self.page_size
        datamodel = type(self.datamodel)
        if datamodel.get_values is not BaseInterface.get_values \
                or datamodel._get_attr_value is not BaseInterface._get_attr_value:
            return super()._get_list_widget(filters, actions=actions, order_column=order_column,
                                            order_direction=order_direction, page=page, page_size=page_size,
                                            widgets=widgets, **kwargs)
        # FAB's _get_list_widget, with each cell's value read once (attr_value)
        widgets = widgets or {}
        actions = actions or self.actions
        page_size = page_size or self.page_size
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined_filters = filters.get_joined_filters(self._base_filters)
        count, items = self.datamodel.query(joined_filters, order_column, order_direction, page=page,
                                            page_size=page_size)
        pks = [self._serialize_pk_if_composite(pk) for pk in self.datamodel.get_keys(items)]
        columns = self.list_columns
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns,
            include_columns=columns,
            value_columns=[{col: attr_value(item, col) for col in columns} for item in items],
            order_columns=self.order_columns,
            formatters_columns=self.formatters_columns,
            page=page,
            page_size=page_size,
            count=count,
            pks=pks,
            actions=actions,
            filters=filters,
            modelview_name=self.__class__.__name__,
            **kwargs,
        )
        return widgets

    # -- search box: built once per view and language ------------------------------------------
    def _search_box_static(self, form):
        """(label_columns, form_fields, search_filters) of the search box in the request's language, kept per
        language when every search field is static (``_STATIC_SEARCH_FIELDS``); None otherwise (FAB renders
        the box on each request, e.g. a field whose choices come from the database)."""
        cache = self.__dict__.setdefault("_search_box_cache", {})
        key = str(get_locale())
        static = cache.get(key)
        if static is None:
            if form is None or any(type(form[col]) not in _STATIC_SEARCH_FIELDS
                                   or type(form[col].widget) not in _STATIC_SEARCH_WIDGETS
                                   for col in self.search_columns):
                return None
            search_filters = self._filters.get_search_filters()
            static = ({col: as_unicode(form[col].label.text) for col in self.search_columns},
                      {col: form[col]() for col in self.search_columns},
                      {col: [as_unicode(flt.name) for flt in search_filters[col]] for col in self.search_columns})
            if len(cache) < 20:
                cache[key] = static
        return static

    def _get_search_widget(self, form=None, exclude_cols=None, widgets=None):
        widgets = super()._get_search_widget(form=form, exclude_cols=exclude_cols, widgets=widgets)
        search = widgets.get("search")
        if isinstance(search, PortalSearchWidget):
            search.template_args["static"] = self._search_box_static(form)
        return widgets

    # -- export ---------------------------------------------------------------------------------
    def export_rows(self, items, columns):
        for values in self.datamodel.get_values(items, columns):
            yield [values.get(col) for col in columns]

    @expose("/export/<string:fmt>/")
    @has_access
    def export(self, fmt):
        if fmt not in ("csv", "xlsx"):
            abort(404)
        get_filter_args(self._filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if order_column not in (self.order_columns or []):
            order_column, order_direction = "", ""
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined = self._filters.get_joined_filters(self._base_filters)
        _, items = self.datamodel.query(joined, order_column, order_direction)
        columns = list(self.export_columns or self.list_columns)
        headers = [str(self.label_columns.get(c, c)) for c in columns]
        rows = self.export_rows(items, columns)
        filename = f"{self.export_name}-{date.today().isoformat()}.{fmt}"
        if fmt == "csv":
            body, mimetype = to_csv(headers, rows), "text/csv; charset=utf-8"
        else:
            body = to_xlsx(headers, rows, sheet_title=self.export_name)
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


_MESSAGE_ANY = {"anyOf": [{"type": "string"}, {"type": "object"}]}
VALIDATION_ERROR_RESPONSE = {
    "description": "Could not process entity: a message, or {field: [messages]} for invalid fields",
    "content": {"application/json": {"schema": {"type": "object", "properties": {"message": _MESSAGE_ANY}}}},
}


def fix_operation_spec(handler: str, spec: dict) -> None:
    """Correct FAB's generic OpenAPI text for one operation of a PortalRestApi (found by API fuzzing,
    tests/test_api_fuzz.py): what the answers really are."""
    if not spec.get("responses"):
        return
    responses = spec["responses"] = {str(code): value for code, value in spec["responses"].items()}  # YAML: ints
    if spec.get("security"):  # FAB's @protect: no or bad token → 401, no permission for it → 403
        responses.setdefault("401", {"$ref": "#/components/responses/401"})
        responses.setdefault("403", {"$ref": "#/components/responses/403"})
    if "422" in responses:  # field errors come as {field: [messages]}, not only as a string
        responses["422"] = VALIDATION_ERROR_RESPONSE
    ok = responses.get("201" if handler == "post" else "200", {})
    props = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("properties", {})
    if handler == "get_list" and "ids" in props:  # our primary keys are integers
        props["ids"] = {"type": "array", "items": {"type": "integer"}}
    if handler in ("get", "post") and "id" in props:
        props["id"] = {"type": "integer", "description": "The item id"}
    if handler == "get":  # GET /<int:pk> only: a non-integer pk matches FAB's PUT/DELETE /<pk> rule
        responses.setdefault("405", {"description": "The id is not an integer (only PUT and DELETE "
                                                    "answer on such a path)"})
    if handler == "info":  # lists of field descriptions, not objects
        for key in ("add_columns", "edit_columns"):
            if key in props:
                props[key] = {"type": "array", "items": {"type": "object"}}


MAX_PAGE = 10 ** 9


def has_nul(value) -> bool:
    """Is there a NUL character in this string, or in any key or string inside this JSON value?"""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def _query_argument_problem(value, key=None):
    """Why a parsed ``q`` argument would fail in the database, or None."""
    if isinstance(value, str):
        return "Not a valid argument: NUL character" if "\x00" in value else None
    if key in ("page", "page_size") and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and not 0 <= value <= MAX_PAGE:
        return f"Not a valid argument: {key} must be between 0 and {MAX_PAGE}"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((None, v) for v in value)
    else:
        return None
    for k, v in items:
        problem = _query_argument_problem(k) if isinstance(k, str) else None
        problem = problem or _query_argument_problem(v, k)
        if problem:
            return problem
    return None


class _CheckedSchemas:
    """Stands in for the ``jsonschema`` module inside ``flask_appbuilder.api``, whose ``@rison(schema)`` decorator
    calls ``jsonschema.validate`` on the ``q`` argument of every REST list, get and info request. That function
    first checks the schema itself against the JSON Schema meta-schema: 5-10 ms of CPU per request, about half
    of a REST list, for FAB's three constant schemas. Here each schema is checked once and its validator kept;
    the argument is validated as before, with the same error (``best_match``) and the same 400 message."""

    def __init__(self, module):
        self._module = module
        self._validators = {}

    def validate(self, instance, schema, cls=None, *args, **kwargs):
        if cls is not None or args or kwargs:
            return self._module.validate(instance, schema, cls, *args, **kwargs)
        validator = self._validators.get(id(schema))
        if validator is None or validator.schema is not schema:  # keeps the schema alive: its id stays its own
            cls = self._module.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[id(schema)] = cls(schema)
        error = self._module.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name):
        return getattr(self._module, name)


def _install_checked_schemas() -> None:
    import flask_appbuilder.api as fab_api

    if not isinstance(fab_api.jsonschema, _CheckedSchemas):
        fab_api.jsonschema = _CheckedSchemas(fab_api.jsonschema)


_install_checked_schemas()


class PortalRestApi(ScopedMixin, ModelRestApi):
    """REST API over one model with the same scope and rules as its MVC view."""

    method_permission_name = API_PERMISSIONS
    allow_browser_login = True
    page_size = 25
    max_page_size = 100

    def __init__(self, **kwargs):
        self._install_scope_filter()
        super().__init__(**kwargs)

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        for method in methods or []:
            fix_operation_spec(func.__name__, operations.get(method.lower()) or {})

    def _handle_order_args(self, rison_args):
        """A list asked without ``order_column`` is ordered by the primary key. FAB adds no ORDER BY then, and
        the database may return each page in any order (PostgreSQL picks a plan per offset): a client paging
        through the list saw a row twice and missed another. An asked order keeps FAB's primary-key tie breaker."""
        column, direction = super()._handle_order_args(rison_args)
        if not column:
            return self.datamodel.get_pk_name(), "asc"
        return column, direction

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        # FAB translates a missing description, and gettext("") is the catalog's header: keep it empty.
        if not self.description_columns.get(field.name):
            info["description"] = ""
        return info

    @before_request(only=["get_list", "get", "info"])
    def _check_query_argument(self):
        """400 for a ``q`` argument that FAB would turn into a 500 (found by API fuzzing):
        - the Rison parser failing with something other than its own ParserException, which is all FAB
          catches (``GET /api/v1/unit/?q=1e%2B16``);
        - a page number that is negative or beyond any list (PostgreSQL refuses a negative or out-of-range
          OFFSET: ``?q=(page:-1)``, ``?q=(page:99999999999999999999)``), also inside _info's per-column paging;
        - a NUL character in any string (PostgreSQL refuses it in text: ``?q=(filters:!((col:name,opr:ct,
          value:'a%00b')))``)."""
        value = request.args.get("q")
        if not value:
            return None
        try:
            args = prison.loads(value)
        except prison.decoder.ParserException:
            try:  # FAB's fallback: the argument as JSON
                args = json.loads(urllib.parse.parse_qs(f"q={value}").get("q")[0])
            except Exception:  # noqa: BLE001 - FAB answers these with its own 400
                return None
        except Exception:  # noqa: BLE001 - ValueError, IndexError… from the parser
            return self.response_400(message="Not a valid rison/json argument")
        problem = _query_argument_problem(args)
        return self.response_400(message=problem) if problem else None

    # The rules query the database while the loaded item holds its new values: no autoflush there, or
    # an invalid change (a unit under its own sub-unit) is flushed first and fails with a 500.
    def pre_add(self, item):
        with self.datamodel.session.no_autoflush:
            self.check_write(item, is_new=True)

    def pre_update(self, item):
        with self.datamodel.session.no_autoflush:
            self.check_write(item, is_new=False)

    def _bad_ids(self) -> dict:
        """{field: [message]} for related records in the JSON body that do not exist or are outside the
        person's scope. Checked before FAB loads the body: its schema turns an unknown id into a new,
        empty related row (an IntegrityError, i.e. a 500, or a junk row), and a number beyond the integer
        range made the database driver fail. The same rule as the forms' search-as-you-type fields."""
        from app.core import lookups
        from app.core.web import is_record_id

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return {}
        errors = {}
        message = str(_l("Invalid choice: the record does not exist or is outside your access"))
        for key, value in body.items():
            if value is None or not self.datamodel.is_relation(key):
                continue
            model = self.datamodel.get_related_model(key)
            lookup = next((lk for lk in lookups._REGISTRY.values() if lk.model is model), None)
            for one in value if isinstance(value, list) else [value]:
                if isinstance(one, bool) or not isinstance(one, (int, str)) or not is_record_id(one):
                    errors[key] = [message]
                elif lookup is not None:
                    if lookup.get_in_scope(int(one)) is None:
                        errors[key] = [message]
                elif self.datamodel.session.get(model, int(one)) is None:
                    errors[key] = [message]
        return errors

    def _guarded(self, handler, *args, **kwargs):
        body = request.get_json(silent=True)
        if isinstance(body, dict):  # PostgreSQL refuses NUL in text: a 500 at the first query otherwise
            nul = {key: [str(_l("Invalid input."))] for key, value in body.items()
                   if has_nul(key) or has_nul(value)}
            if nul:
                return self.response_422(message=nul)
        bad = self._bad_ids()
        if bad:
            return self.response_422(message=bad)
        try:
            return handler(*args, **kwargs)
        except DomainValidationError as exc:
            self.datamodel.session.rollback()
            return self.response_422(message={k: [str(v)] for k, v in exc.errors.items()})
        except OutOfScope:
            self.datamodel.session.rollback()
            return self.response_404()

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(super().put_headless, pk)

    def delete_headless(self, pk):
        try:
            return self._guarded(super().delete_headless, pk)
        except (SQLAlchemyError, DatabaseException):
            self.datamodel.session.rollback()
            return self.response_422(message=str(_l("This record is still used by other records and "
                                                     "cannot be deleted.")))


class LookupView(BaseView):
    """JSON for search-as-you-type pickers: ``/lookup/<kind>?q=…`` → select2 results, scoped."""

    route_base = "/lookup"
    class_permission_name = "Lookup"
    method_permission_name = {"lookup": READ}

    @expose("/<string:kind>")
    @has_access_api
    def lookup(self, kind):
        if not has_lookup(kind):
            abort(404)
        lk = get_lookup(kind)
        items = lk.search(self.appbuilder.session, request.args.get("q", ""))
        return jsonify({"results": [{"id": obj.id, "text": lk.label(obj)} for obj in items]})


class PortalIndexView(IndexView):
    index_template = "portal/index.html"

    @expose("/")
    def index(self):
        return self.render_template(self.index_template, appbuilder=self.appbuilder, title=_l("Home"))
