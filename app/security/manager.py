"""The portal's one security manager: NIP login, lockout, rate-limited API login, password policy,
row scope of the signed-in person, and FAB views with Indonesian-friendly behaviour."""
from __future__ import annotations

import logging

from flask import current_app, flash, g, has_request_context, redirect, request, session
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.views import expose
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import aliased, joinedload

from app.organisation.models import Employee

from . import roles as R
from .scope import Scope, build_scope

log = logging.getLogger(__name__)


class PortalAuthDBView(AuthDBView):
    """Login form: NIP (or user name) and password; a clear message when the account is locked; the
    session is cleared on login (no session fixation) and made permanent so the idle timeout applies."""

    invalid_login_message = _l("Invalid NIP/user name or password. Please try again.")
    locked_message = _l("This account is locked after too many failed logins. Ask the administrator "
                        "to unlock it.")

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = get_safe_redirect(request.args.get("next", ""))
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                if g.get("login_locked"):
                    flash(str(self.locked_message), "danger")
                else:
                    flash(str(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            session.permanent = True
            login_user(user, remember=False)
            # The new session's CSRF secret goes out with this very response: replies to requests the
            # browser still has in flight then carry the same secret, and cannot undo it (an earlier
            # secret made only on the next page was lost that way and its form failed with HTTP 400).
            g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            generate_csrf()
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form,
                                    appbuilder=self.appbuilder)


class PortalSecurityManager(SecurityManager):
    authdbview = PortalAuthDBView

    @property
    def rolemodelview(self):
        from app.core.admin_views import PortalRoleView

        return PortalRoleView

    @property
    def groupmodelview(self):
        from app.core.admin_views import PortalGroupView

        return PortalGroupView

    @property
    def userdbmodelview(self):
        from app.core.admin_views import PortalUserView

        return PortalUserView

    # --- lockout ----------------------------------------------------------------------------
    @property
    def max_login_failures(self) -> int:
        return int(current_app.config.get("LOGIN_MAX_FAILURES", 5))

    def is_locked(self, user) -> bool:
        return bool(user is not None and (user.fail_login_count or 0) >= self.max_login_failures)

    def auth_user_db(self, username, password):
        username = (username or "").strip()
        user = self.find_user(username=username) if username else None
        if user is None and username:
            # FAB also accepts the e-mail address as the login name: the lock must apply to it too.
            user = self.find_user(email=username)
        if self.is_locked(user):
            g.login_locked = True
            log.warning("Login refused for locked account %s", username)
            return None
        return super().auth_user_db(username, password)

    def on_user_login_failed(self, user) -> None:
        if self.is_locked(user):
            log.warning("Account %s locked after %s failed logins", user.username, user.fail_login_count)

    def unlock_user(self, user) -> None:
        user.fail_login_count = 0
        self.update_user(user)

    # --- rate limit on the API login too ----------------------------------------------------
    def register_views(self):
        super().register_views()
        if self.is_auth_limited:
            api = next((b for b in self.appbuilder.baseviews if b.__class__.__name__ == "SecurityApi"), None)
            if api is not None and api.blueprint is not None:
                self.limiter.limit(self.auth_rate_limit, methods=["POST"])(api.blueprint)

    def _statement(self, name: str):
        """The statements run on every request, built once (with bound parameters): building them took longer
        than running them (the aliased supervisor table of ``employee_row`` alone about half a millisecond)."""
        statements = self.__dict__.get("_statements")
        if statements is None:
            user_model = self.user_model
            below = aliased(Employee)
            statements = self.__dict__["_statements"] = {
                "load_user": select(user_model).where(user_model.id == bindparam("pk")).options(
                    joinedload(user_model.roles),
                    joinedload(user_model.groups).joinedload(self.group_model.roles)),
                "employee_row": select(Employee.id, Employee.unit_id,
                                       exists().where(below.supervisor_id == Employee.id))
                .where(Employee.user_id == bindparam("user_id")),
            }
        return statements[name]

    def load_user(self, pk):
        """The signed-in user of each request, with their roles and groups in the same query (FAB loads
        them lazily: three round trips on every request before any page work)."""
        if not isinstance(pk, int) and not (isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) <= 9):
            return None
        user = self.session.execute(self._statement("load_user"), {"pk": int(pk)}).unique().scalar_one_or_none()
        if user and user.is_active:
            return user
        return None

    # --- row scope and roles that follow the employee record ---------------------------------
    def _employee_row(self):
        """(employee_id, unit_id, has_subordinates) of the signed-in person, one query per request."""
        if "portal_employee" not in g:
            user = getattr(g, "user", None)
            row = None
            if user is not None and getattr(user, "is_authenticated", False):
                row = self.session.execute(self._statement("employee_row"), {"user_id": user.id}).first()
            g.portal_employee = tuple(row) if row else (None, None, False)
        return g.portal_employee

    def current_employee(self):
        """(employee_id, unit_id) of the signed-in person, cached for the request."""
        employee_id, unit_id, _ = self._employee_row()
        return employee_id, unit_id

    def derived_role_names(self) -> set:
        """Roles the signed-in person holds by virtue of their employee record: Pegawai when linked to
        one, Atasan when someone reports to them (the record wins even before `sync-roles` runs)."""
        employee_id, _, has_subordinates = self._employee_row()
        if not employee_id:
            return set()
        return {R.PEGAWAI, R.ATASAN} if has_subordinates else {R.PEGAWAI}

    def get_user_roles(self, user):
        current = getattr(g, "user", None)
        if not getattr(user, "is_authenticated", False) or current is None \
                or getattr(current, "id", None) != getattr(user, "id", None):
            return super().get_user_roles(user)
        # The signed-in person's roles, asked some 40 times per page (menu, buttons): once per request.
        cached = g.get("portal_roles")
        if cached is not None and cached[0] == user.id:
            return cached[1]
        roles = super().get_user_roles(user)
        have = {r.name for r in roles}
        extra = [DerivedRole(name) for name in sorted(self.derived_role_names() - have)]
        roles = roles + extra if extra else roles
        g.portal_roles = (user.id, roles)
        return roles

    def _has_access_builtin_roles(self, role, permission_name, view_name) -> bool:
        # The roles are code (FAB_ROLES): the answer for a (role, permission, view) never changes while the
        # process runs, so the regular expressions are matched once per triple, not on every check.
        key = (role.name, permission_name, view_name)
        cache = self.__dict__.setdefault("_builtin_access", {})
        answer = cache.get(key)
        if answer is None:
            answer = super()._has_access_builtin_roles(role, permission_name, view_name)
            if len(cache) < 50_000:
                cache[key] = answer
        return answer

    # --- access checks and the navbar, answered once per set of roles ---------------------------
    def code_role_names(self):
        """The sorted names of the signed-in person's roles when every one is a code role (FAB_ROLES), else
        None: no one signed in (the Public role), an API key or a JWT, an inactive account, or a role kept
        only in the database (its permissions can change at any time, so FAB checks it every time).

        A code role's permissions never change while the process runs, so what such a set of roles may
        see or do is the same for everyone who holds it. Worked out once per request."""
        if not has_request_context():
            return None
        user = current_user._get_current_object()
        cached = g.get("portal_access_key")
        if cached is not None and cached[0] is user:
            return cached[1]
        names = None
        if user is not None and not getattr(g, "_api_key_user", False) and user.is_authenticated \
                and user.is_active:
            roles = {r.name for r in self.get_user_roles(user)}
            if roles and all(name in self.builtin_roles for name in roles):
                names = tuple(sorted(roles))
        g.portal_access_key = (user, names)
        return names

    def has_access(self, permission_name: str, view_name: str) -> bool:
        # FAB walks the menu and every button through here (about 30 times per page), each time reading the
        # user through two context proxies, re-checking the session and matching the role patterns. With
        # code roles only, the answer depends on the role names alone: one dictionary look-up.
        names = self.code_role_names()
        if names is None:
            return super().has_access(permission_name, view_name)
        cache = self.__dict__.setdefault("_role_set_access", {})
        key = (names, permission_name, view_name)
        answer = cache.get(key)
        if answer is None:
            answer = super().has_access(permission_name, view_name)
            if len(cache) < 100_000:
                cache[key] = answer
        return answer

    def is_item_public(self, permission_name, view_name) -> bool:
        # FAB reads the Public role and then its permissions (two queries) on every call: before every REST
        # request, and per menu item for someone not signed in (16 queries on the login page). The Public
        # role lives in the database, so it is still read on each request, once, in one query.
        if not has_request_context():
            return super().is_item_public(permission_name, view_name)
        public = g.get("portal_public_access")
        if public is None:
            pv = self.permissionview_model
            public = g.portal_public_access = frozenset(self.session.execute(
                select(self.permission_model.name, self.viewmenu_model.name)
                .select_from(self.role_model).join(self.role_model.permissions)
                .join(pv.permission).join(pv.view_menu)
                .where(self.role_model.name == self.auth_role_public)).all())
        return (permission_name, view_name) in public

    def menu_html(self, render):
        """The navbar's menu items for the signed-in person: ``render()`` once per (set of code roles,
        language, script root), then the same HTML (it shows only what the roles may open, in the
        language of the request; nothing in it depends on the person or the page). Without code roles
        only (see ``code_role_names``) it is rendered every time."""
        names = self.code_role_names()
        if names is None:
            return render()
        key = (names, str(get_locale()), request.script_root)
        cache = self.__dict__.setdefault("_menu_html", {})
        html = cache.get(key)
        if html is None:
            html = render()
            if len(cache) < 1_000:
                cache[key] = html
        return html

    def clear_access_cache(self) -> None:
        """Forget the cached access answers and menus (only needed if FAB_ROLES changes at run time)."""
        self.__dict__.pop("_role_set_access", None)
        self.__dict__.pop("_menu_html", None)
        self.__dict__.pop("_builtin_access", None)

    def current_scope(self) -> Scope:
        if "portal_scope" not in g:
            user = getattr(g, "user", None)
            if user is None or not getattr(user, "is_authenticated", False):
                g.portal_scope = Scope()
            else:
                employee_id, unit_id = self.current_employee()
                names = {r.name for r in self.get_user_roles(user)}
                g.portal_scope = build_scope(names, employee_id, unit_id)
        return g.portal_scope


class DerivedRole:
    """A role implied by the employee record (not stored): FAB checks code-defined roles by name only."""

    id = None

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return self.name
