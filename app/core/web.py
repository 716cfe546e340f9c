"""Request-level behaviour for every page and API: security headers with a nonce-based CSP that allows
no other host, idle session timeout, translated error pages, and who is acting (for the audit trail)."""
from __future__ import annotations

import secrets
from typing import Optional

from flask import abort, g, has_app_context, has_request_context, jsonify, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("The file is too large"),
    429: _l("Too many attempts. Wait a few minutes and try again."),
    500: _l("Something went wrong on our side"),
}
ERROR_TEXTS = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("You do not have access to this page."),
    404: _l("The page or record you are looking for does not exist, or you do not have access to it."),
    405: _l("This action is not allowed in this way."),
    413: _l("The uploaded file is larger than allowed."),
    429: _l("For your security, logins are limited. Wait a few minutes and try again."),
    500: _l("The error has been recorded. Try again later or contact the administrator."),
}


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def navbar_menu():
    """The navbar's menu items (portal/navbar_menu_items.html), rendered once per set of roles and language
    by the security manager (``menu_html``): FAB otherwise walks the whole menu and checks access item by
    item on every page."""
    from flask import current_app
    from markupsafe import Markup

    appbuilder = current_app.appbuilder

    def render():
        template = current_app.jinja_env.get_template("portal/navbar_menu_items.html")
        return Markup(template.render(menu=appbuilder.menu))

    return appbuilder.sm.menu_html(render)


def current_actor():
    """(user_id, username) of whoever is acting, for the audit trail; CLI commands set ``g.actor``."""
    if not has_app_context():
        return None, "system"
    user = g.get("user")
    if user is None and has_request_context():
        user = current_user
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id, user.username
    return None, g.get("actor", "system")


MAX_RECORD_ID = 2**31 - 1


def is_record_id(value) -> bool:
    """True for a positive id that fits the database's integer primary keys."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_RECORD_ID


def record_id_or_404(value) -> int:
    """The integer id of a URL or form value, or abort with "not found" (never a database error)."""
    if not is_record_id(value):
        abort(404)
    return int(value)


def id_arg(name: str) -> Optional[int]:
    """An optional record id from the query string: None when absent or empty, "not found" when not an id."""
    raw = (request.args.get(name) or "").strip()
    return record_id_or_404(raw) if raw else None


def bounded_int(raw, low: int, high: int) -> Optional[int]:
    """The integer written as plain decimal digits in ``raw`` when it lies in [low, high]; else None."""
    text = "" if raw is None else str(raw).strip()
    if text.isascii() and text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


def query_int(args, name: str, default, low: int, high: int):
    """A bounded integer query argument for the REST API: ``default`` when absent or empty, ValueError(name)
    when not an integer in [low, high] (the API answers 422 naming the argument)."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    value = bounded_int(raw, low, high)
    if value is None:
        raise ValueError(name)
    return value


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/lookup/") \
        or request.accept_mimetypes.best == "application/json"


class PortalSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure when configured so, and always when the request came over HTTPS
    (directly or, with PROXY_FIX_HOPS set, through a reverse proxy that says so)."""

    def get_cookie_secure(self, app):
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure

    def should_set_cookie(self, app, session):
        # A static file never refreshes the session cookie: its reply, arriving after a newer page's, would
        # put the older session back (dropping a CSRF secret or a flashed message).
        if has_request_context() and _is_static(request.endpoint) and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def _is_static(endpoint) -> bool:
    return bool(endpoint) and (endpoint == "static" or endpoint.endswith(".static"))


def memoise_translations() -> None:
    """Flask-Babel finds the request's catalog anew for every string it translates (``Domain.get_translations``:
    its per-request namespace read from ``g`` three times, the locale and the domain looked up, about 15 µs),
    for each ``_()`` of a template, each lazy label and each ``gettext``: 20 to 50 strings a page. Here the
    catalog found is kept in that same namespace, per domain, with the locale it was found for: the next string
    of the request takes it while Flask-Babel's locale is still that one (``refresh()``, ``force_locale`` and a
    new request change or drop the locale, and the catalog is looked up again). Idempotent."""
    from flask_babel import Domain

    if getattr(Domain.get_translations, "portal_memo", False):
        return
    find = Domain.get_translations

    def get_translations(self):
        try:
            state = g._get_current_object().__dict__
        except RuntimeError:  # no application context: Flask-Babel's null catalog
            return find(self)
        babel = state.get("_flask_babel")
        if babel is not None:
            known = babel.__dict__.get("portal_translations", {}).get(id(self))
            if known is not None and known[0] is self and known[1] is babel.__dict__.get("babel_locale"):
                return known[2]
        translations = find(self)
        babel = state.get("_flask_babel")  # made by the first look-up of the request
        locale = babel.__dict__.get("babel_locale") if babel is not None else None
        if locale is not None:
            babel.__dict__.setdefault("portal_translations", {})[id(self)] = (self, locale, translations)
        return translations

    get_translations.portal_memo = True
    Domain.get_translations = get_translations


def init_web(app) -> None:
    memoise_translations()
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["navbar_menu"] = navbar_menu
    app.session_interface = PortalSessionInterface()
    @app.route("/favicon.ico")
    def favicon():
        return app.send_static_file("img/logo.svg"), 200, {"Content-Type": "image/svg+xml"}

    hops = int(app.config.get("PROXY_FIX_HOPS", 0) or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    def _fresh_request_state():
        # Per-request caches live on g. A request normally gets its own app context, but one pushed by
        # a caller (tests, scripts) is shared by every request made inside it: never carry them over.
        # That includes who is signed in (Flask-Login's and Flask-JWT-Extended's caches, FAB's g.user):
        # otherwise one client's login or bearer token would authenticate the next request of another.
        for key in ("portal_scope", "portal_employee", "portal_roles", "portal_access_key", "portal_public_access",
                    "login_locked", "csp_nonce",
                    app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "csrf_valid", "user", "_login_user",
                    "_jwt_extended_jwt", "_jwt_extended_jwt_header", "_jwt_extended_jwt_user",
                    "_jwt_extended_jwt_location"):
            g.pop(key, None)
        # FAB sets g.user in a later hook; error pages rendered by an earlier hook (CSRF failure, rate
        # limit) need it too, or they fail with a 500.
        g.user = current_user

    # First of all before-request hooks (CSRF, rate limit and FAB's g.user are registered earlier).
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_state)

    @app.before_request
    def _wtforms_translations():
        # WTForms builds messages with numbers ("at most %(max)d characters") before FAB translates
        # them; handing WTForms the active catalog translates them at the source.
        from flask_babel import get_translations

        request.wtforms_translations = get_translations()

    @app.before_request
    def _idle_timeout():
        # A permanent session expires PERMANENT_SESSION_LIFETIME after the last request (idle timeout).
        if not session.permanent:  # setting it marks the session modified, every request
            session.permanent = True

    @app.before_request
    def _reject_malformed_pk():
        # Record ids are 32-bit integers: anything else in a URL is "not found", not a database error
        # (SQLite overflows, PostgreSQL refuses text for an integer column: both were 500s).
        pk = (request.view_args or {}).get("pk")
        if pk is not None and not is_record_id(pk):
            abort(404)

    @app.before_request
    def _reject_malformed_paging():
        # FAB parses every "page_*" / "psize_*" argument with int() and fails with a 500 on anything
        # else (?page_EmployeeView=abc): answer 400 instead.
        for key, value in request.args.items(multi=True):
            if ("page_" in key or "psize_" in key) and not (value.isascii() and value.isdigit()
                                                            and len(value) <= 9):
                abort(400)

    @app.after_request
    def _security_headers(response):
        nonce = g.get("csp_nonce")
        script_src = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src {script_src}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "Cache-Control" not in response.headers and response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response

    def _error(code):
        def handler(error):
            if _wants_json():
                return jsonify({"message": str(ERROR_TITLES[code])}), code
            return render_template("portal/error.html", code=code, title=ERROR_TITLES[code],
                                   text=ERROR_TEXTS[code], base_template=app.appbuilder.base_template,
                                   appbuilder=app.appbuilder), code
        return handler

    for code in ERROR_TITLES:
        app.register_error_handler(code, _error(code))

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        if _wants_json():
            return jsonify({"message": str(_l("The form has expired. Reload the page and try again."))}), 400
        return render_template("portal/error.html", code=400, title=ERROR_TITLES[400],
                               text=_l("The form has expired. Reload the page and try again."),
                               base_template=app.appbuilder.base_template, appbuilder=app.appbuilder), 400
