"""Admin screens shared by every area: the audit trail and account management (unlock, bulk creation)."""
from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_appbuilder import action as fab_action
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.views import RoleModelView, UserDBModelView, UserGroupModelView
from flask_babel import lazy_gettext as _l

from app.core.audit import AuditLog
from app.core.views import PortalModelView, display_value


class SafeFabViewMixin:
    """Hardening of FAB's own security views (found by the generated access matrix,
    tests/test_access_matrix.py):
    - FAB's generic file download served any file of UPLOAD_FOLDER by name, unscoped (and was a 500
      while it is unset): no security view has files, 404;
    - ``action_post`` with an unknown action name was a 500, and single-record actions (which expect one
      item, e.g. ``resetpasswords``) received a list (500): only known multi-row actions run, else 404.
    """

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        abort(404)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        action = self.actions.get(request.form.get("action", ""))
        if action is None or not action.multiple:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(action.name),
                                             self.class_permission_name):
            abort(403)  # FAB flashed and redirected to "." (a 404 page) instead
        return super().action_post()


class ReadOnlyFabViewMixin(SafeFabViewMixin):
    """Roles and groups are read-only screens: no actions at all. FAB's "copyrole" action wrote a new role
    (by list action, and by ``POST /roles/action/copyrole/<pk>``, which was a 500) although roles are
    defined in code."""

    def copy_role(self, items):  # not an @action any more: removes FAB's "copyrole"
        abort(404)

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        abort(405)


class AuditLogView(PortalModelView):
    """Jejak audit: read-only, filterable by table, record, action, user and time."""

    datamodel = SQLAInterface(AuditLog)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    export_name = "jejak-audit"
    list_title = _l("Audit trail")
    show_title = _l("Audit record")
    label_columns = {"created_on": _l("Time (UTC)"), "username": _l("User"), "action": _l("Action"),
                     "table_name": _l("Table"), "record_id": _l("Record"), "changes": _l("Changes (old → new)")}
    list_columns = ["created_on", "username", "action", "table_name", "record_id", "changes"]
    show_columns = list_columns
    search_columns = ["created_on", "username", "action", "table_name", "record_id"]
    order_columns = ["created_on"]
    base_order = ("created_on", "desc")
    formatters_columns = {"changes": lambda v: (v[:300] + "…") if v and len(v) > 300 else v}


class PortalUserView(SafeFabViewMixin, UserDBModelView):
    """FAB's user list with the lockout state and an unlock action for Admin."""

    class_permission_name = "UserDBModelView"

    list_columns = ["username", "first_name", "last_name", "active", "fail_login_count", "roles"]
    search_columns = ["username", "first_name", "last_name", "email", "active"]
    label_columns = dict(UserDBModelView.label_columns or {}, username=_l("NIP / user name"),
                         fail_login_count=_l("Failed logins"))

    formatters_columns = {c: display_value for c in (
        "active", "fail_login_count", "login_count", "last_login", "created_on", "changed_on", "created_by",
        "changed_by", "email", "first_name", "last_name")}

    # FAB's user-info buttons are GET "actions" that only open a form; with CSRF on, FAB refuses every
    # GET action. These three change nothing themselves (the form they open posts with a token).
    NAVIGATION_ACTIONS = {"resetmypassword", "userinfoedit", "resetpasswords"}

    @expose("/action/<string:name>/<pk>", methods=["GET"])
    def action(self, name, pk):
        from app.core.web import is_record_id

        if name not in self.NAVIGATION_ACTIONS or name not in self.actions:
            abort(405)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            abort(403)
        item = None
        if name == "resetpasswords":
            item = self.datamodel.get(int(pk)) if is_record_id(pk) else None
            if item is None:
                abort(404)
        return self.actions[name].func(item)

    @fab_action("unlock", _l("Unlock"), _l("Unlock the selected accounts?"), "fa-unlock", multiple=True)
    def unlock(self, items):
        items = items if isinstance(items, list) else [items]
        for user in items:
            self.appbuilder.sm.unlock_user(user)
        flash(str(_l("%(n)d account(s) unlocked", n=len(items))), "success")
        return redirect(request.referrer or self.get_redirect())


class PortalRoleView(ReadOnlyFabViewMixin, RoleModelView):
    """Roles are defined in code (app/security/roles.py) and synced by `flask portal sync-roles`: the
    screen lists them read-only; who holds a role is edited on the user."""

    base_permissions = ["can_list", "can_show"]
    label_columns = {"name": _l("Name"), "user": _l("Users")}
    list_columns = ["name"]
    show_columns = ["name"]
    search_columns = ["name"]


class PortalGroupView(ReadOnlyFabViewMixin, UserGroupModelView):
    """FAB user groups are not used by the portal (roles follow the employee record): read-only."""

    base_permissions = ["can_list", "can_show"]
    label_columns = {"name": _l("Name"), "label": _l("Display name"), "description": _l("Description"),
                     "users": _l("Users"), "roles": _l("Roles")}
    search_columns = ["name", "label"]
    formatters_columns = {c: display_value for c in ("label", "description")}


def register(appbuilder):
    appbuilder.add_view(AuditLogView, "Audit Trail", label=_l("Audit trail"), icon="fa-history",
                        category="Security", category_label=_l("Security"))
