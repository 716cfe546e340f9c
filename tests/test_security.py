"""Security behaviour over HTTP: lockout and unlock, login rate limits, password policy everywhere a
password is set, CSRF, security headers, session cookie flags and idle timeout, session fixation, open
redirects and state changes by GET."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from flask_babel import force_locale

from conftest import PASSWORD, csrf_token, login, logout

WRONG = "SalahSekali999"
STRONG = "KataSandiBaru2024"
WEAK_PASSWORDS = ["weak", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "Short1a", "198609262015051001"]


def _user(app, username):
    from app.extensions import db

    db.session.expire_all()
    return app.appbuilder.sm.find_user(username=username)


def _locked_texts(app):
    """The locked-account message in every language the app offers (the catalog may lag behind)."""
    from app.security.manager import PortalAuthDBView

    texts = set()
    with app.test_request_context():
        for code in app.config["LANGUAGES"]:
            with force_locale(code):
                texts.add(str(PortalAuthDBView.locked_message))
    return texts


def _api_login(client, username, password):
    return client.post("/api/v1/security/login",
                       json={"username": username, "password": password, "provider": "db"})


def _is_logged_in(client) -> bool:
    r = client.get("/employeeview/list/")
    return r.status_code == 200


def _html_escape_variants(text):
    from markupsafe import escape

    return {text, str(escape(text))}


# --- lockout ------------------------------------------------------------------------------------------

def _fail_logins(client, username, n):
    for _ in range(n):
        r = login(client, username, WRONG)
        assert r.status_code == 302
        assert "/login/" in r.headers["Location"]


def test_lockout_after_max_failures_then_admin_unlock(app, client, org):
    username = org.username("staff1")
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert limit == 5
    _fail_logins(client, username, limit - 1)
    assert _user(app, username).fail_login_count == limit - 1
    # one failure short of the limit: the right password still works and resets the counter
    login(client, username)
    assert _is_logged_in(client)
    assert _user(app, username).fail_login_count == 0
    logout(client)
    app.appbuilder.sm.limiter.reset()  # 11 login POSTs below would hit the rate limit (tested apart)

    _fail_logins(client, username, limit)
    assert _user(app, username).fail_login_count == limit
    # the 6th attempt with the RIGHT password is refused with the locked message
    r = login(client, username, follow=True)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert any(v in page for t in _locked_texts(app) for v in _html_escape_variants(t)), page[:2000]
    assert not _is_logged_in(client)
    assert _user(app, username).fail_login_count == limit  # not reset by the right password
    # the API login is refused too, without a token
    r = _api_login(client, username, PASSWORD)
    assert r.status_code == 401
    assert "access_token" not in (r.get_json() or {})

    # Admin unlocks the account with the list action (POST + CSRF token)
    admin_client = app.test_client()
    login(admin_client, "admin")
    user_id = _user(app, username).id
    token = csrf_token(admin_client, "/users/list/")
    r = admin_client.post("/users/action_post", data={"action": "unlock", "rowid": str(user_id),
                                                       "csrf_token": token})
    assert r.status_code == 302
    assert _user(app, username).fail_login_count == 0

    r = login(client, username)
    assert r.status_code == 302 and "/login/" not in r.headers["Location"]
    assert _is_logged_in(client)
    logout(client)
    assert _api_login(client, username, PASSWORD).status_code == 200


def test_lockout_counts_api_failures_and_cannot_be_bypassed_by_email(app, client, org):
    """Failures through the API count too, and logging in with the e-mail address (FAB accepts it as a
    user name) must not bypass the lock."""
    username = org.username("staff2")
    email = _user(app, username).email
    for _ in range(5):
        assert _api_login(client, username, WRONG).status_code == 401
    assert _user(app, username).fail_login_count == 5
    assert _api_login(client, username, PASSWORD).status_code == 401
    assert _api_login(client, email, PASSWORD).status_code == 401
    r = login(client, email)
    assert "/login/" in r.headers["Location"]
    assert not _is_logged_in(client)


def test_unknown_user_and_wrong_password_give_the_same_answer(app, client, org):
    a = login(client, "000000000000000000", WRONG, follow=True).get_data(as_text=True)
    b = login(client, org.username("staff1"), WRONG, follow=True).get_data(as_text=True)
    texts = _locked_texts(app)
    assert not any(t in a or t in b for t in texts)
    strip = lambda html: re.sub(r'value="[^"]*"|nonce-[^\'"]+|nonce="[^"]*"', "", html)  # noqa: E731
    assert strip(a) == strip(b)


def test_cli_unlock(app, org):
    username = org.username("staff1")
    user = _user(app, username)
    user.fail_login_count = 9
    app.appbuilder.sm.update_user(user)
    result = app.test_cli_runner().invoke(args=["portal", "unlock", username])
    assert result.exit_code == 0, result.output
    assert _user(app, username).fail_login_count == 0


def test_unlock_action_needs_admin(app, client, org):
    username = org.username("staff1")
    user = _user(app, username)
    user.fail_login_count = 5
    app.appbuilder.sm.update_user(user)
    login(client, org.username("analis"))  # Pengelola Kinerja: no user management
    token = csrf_token(client, "/employeeview/list/")
    r = client.post("/users/action_post", data={"action": "unlock", "rowid": str(user.id), "csrf_token": token})
    assert r.status_code in (302, 403)
    assert _user(app, username).fail_login_count == 5
    assert client.get("/users/list/").status_code == 403


# --- rate limit ---------------------------------------------------------------------------------------

def test_login_form_rate_limited(app, client, org):
    token = csrf_token(client, "/login/")
    statuses = []
    for _ in range(12):
        r = client.post("/login/", data={"username": "nobody", "password": WRONG, "csrf_token": token})
        statuses.append(r.status_code)
    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429, 429]
    # even the right password is refused while limited, and no session is created
    r = client.post("/login/", data={"username": org.username("staff1"), "password": PASSWORD,
                                     "csrf_token": token})
    assert r.status_code == 429
    assert not _is_logged_in(client)
    # the limit is per client address: another address still gets through
    other = app.test_client()
    r = other.post("/login/", data={"username": "nobody", "password": WRONG},
                   environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code != 429


def test_api_login_rate_limited(app, client, org):
    statuses = [_api_login(client, "nobody", WRONG).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    r = _api_login(client, org.username("staff1"), PASSWORD)
    assert r.status_code == 429
    assert "access_token" not in (r.get_json(silent=True) or {})


def test_rate_limit_page_is_friendly(app, client):
    token = csrf_token(client, "/login/")
    for _ in range(11):
        r = client.post("/login/", data={"username": "nobody", "password": WRONG, "csrf_token": token})
    assert r.status_code == 429
    assert r.mimetype == "text/html"
    assert "Content-Security-Policy" in r.headers
    r = None
    for _ in range(11):
        r = _api_login(client, "nobody", WRONG)
    assert r.status_code == 429
    assert r.is_json


# --- password policy ----------------------------------------------------------------------------------

def _password_changed(app, username, password) -> bool:
    from werkzeug.security import check_password_hash

    return check_password_hash(_user(app, username).password, password)


@pytest.mark.parametrize("weak", WEAK_PASSWORDS)
def test_weak_password_refused_on_reset_my_password(app, client, org, weak):
    username = org.username("staff1")
    login(client, username)
    token = csrf_token(client, "/resetmypassword/form")
    r = client.post("/resetmypassword/form", data={"password": weak, "conf_password": weak, "csrf_token": token})
    assert r.status_code == 200  # the form again, with the message beside the field
    assert not _password_changed(app, username, weak)
    assert _password_changed(app, username, PASSWORD)


def test_strong_password_accepted_on_reset_my_password(app, client, org):
    username = org.username("staff1")
    login(client, username)
    token = csrf_token(client, "/resetmypassword/form")
    r = client.post("/resetmypassword/form", data={"password": STRONG, "conf_password": STRONG,
                                                   "csrf_token": token})
    assert r.status_code == 302
    assert _password_changed(app, username, STRONG)


def test_weak_password_refused_on_admin_reset_password(app, client, org):
    target = _user(app, org.username("staff1"))
    login(client, "admin")
    url = f"/resetpassword/form?pk={target.id}"
    token = csrf_token(client, url)
    r = client.post(url, data={"password": "weak", "conf_password": "weak", "csrf_token": token})
    assert r.status_code == 200
    assert _password_changed(app, target.username, PASSWORD)
    r = client.post(url, data={"password": STRONG, "conf_password": STRONG, "csrf_token": token})
    assert r.status_code == 302
    assert _password_changed(app, target.username, STRONG)


def test_only_admin_resets_other_peoples_passwords(app, client, org):
    target = _user(app, org.username("staff2"))
    login(client, org.username("kadis"))
    url = f"/resetpassword/form?pk={target.id}"
    assert client.get(url).status_code == 403
    token = csrf_token(client, "/resetmypassword/form")
    r = client.post(url, data={"password": STRONG, "conf_password": STRONG, "csrf_token": token})
    assert r.status_code == 403
    assert _password_changed(app, target.username, PASSWORD)


def test_weak_password_refused_on_user_add_form(app, client, org):
    from app.extensions import db

    login(client, "admin")
    token = csrf_token(client, "/users/add")
    role = app.appbuilder.sm.find_role("Pegawai")
    data = {"first_name": "Baru", "last_name": "Pegawai", "username": "pegawai.baru", "active": "y",
            "email": "baru@test.invalid", "roles": str(role.id), "password": "weak", "conf_password": "weak",
            "csrf_token": token}
    r = client.post("/users/add", data=data)
    assert r.status_code == 200
    db.session.expire_all()
    assert app.appbuilder.sm.find_user(username="pegawai.baru") is None
    data.update(password=STRONG, conf_password=STRONG)
    r = client.post("/users/add", data=data)
    assert r.status_code == 302
    assert _password_changed(app, "pegawai.baru", STRONG)


def test_user_api_not_exposed(client, org):
    """FAB's user API (/api/v1/security/users/) is off (FAB_ADD_SECURITY_API unset): accounts are only
    managed through the forms above, which apply the policy."""
    login(client, "admin")
    assert client.get("/api/v1/security/users/").status_code == 404
    r = client.post("/api/v1/security/users/", json={"username": "x", "password": "weak"})
    assert r.status_code in (404, 405)


@pytest.fixture(scope="module")
def api_app(app):
    """A second app on the same database with FAB's security API switched on, to check that the password
    hook also works (422, never 500) if someone enables it."""
    from app import create_app

    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_DIR")}
    return create_app(dict(config, PORTAL_CONFIG="test", FAB_ADD_SECURITY_API=True))


def test_weak_password_refused_on_user_api_when_enabled(app, api_app, org):
    from app.extensions import db

    role_id = org.users["staff1"].roles[0].id
    with api_app.app_context():
        client = api_app.test_client()
        token = client.post("/api/v1/security/login", json={"username": "admin", "password": PASSWORD,
                                                           "provider": "db"}).get_json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        body = {"first_name": "Api", "last_name": "User", "username": "api.user", "email": "api@test.invalid",
                "active": True, "roles": [role_id], "password": "weak"}
        r = client.post("/api/v1/security/users/", json=body, headers=headers)
        assert r.status_code in (400, 422), r.get_data(as_text=True)
        assert "password" in r.get_data(as_text=True)
        db.session.expire_all()
        assert api_app.appbuilder.sm.find_user(username="api.user") is None
        user_id = org.users["staff1"].id
        r = client.put(f"/api/v1/security/users/{user_id}", json={"password": "weak"}, headers=headers)
        assert r.status_code in (400, 422), r.get_data(as_text=True)
        db.session.remove()
    assert _password_changed(app, org.username("staff1"), PASSWORD)


@pytest.mark.parametrize("command", [
    ["portal", "set-password", "admin", "--password", "{pw}"],
    ["portal", "create-admin", "--username", "admin2", "--email", "admin2@test.invalid", "--password", "{pw}"],
])
def test_cli_refuses_weak_passwords(app, org, command):
    runner = app.test_cli_runner()
    for weak in WEAK_PASSWORDS:
        result = runner.invoke(args=[a.replace("{pw}", weak) for a in command])
        assert result.exit_code != 0, (weak, result.output)
        assert "password" in result.output.lower()
    assert _password_changed(app, "admin", PASSWORD)
    assert _user(app, "admin2") is None


def test_cli_set_password_accepts_strong(app, org):
    result = app.test_cli_runner().invoke(args=["portal", "set-password", "admin", "--password", STRONG])
    assert result.exit_code == 0, result.output
    assert _password_changed(app, "admin", STRONG)


# --- CSRF -------------------------------------------------------------------------------------------

def _employee_form(org, **overrides):
    from conftest import make_nip
    from datetime import date

    data = {"nip": make_nip(date(1995, 1, 2), (2020, 2), 1, 9), "name": "Tanpa Token", "gender": "L",
            "birth_date": "1995-01-02", "asn_type": "PNS", "status": "AKTIF",
            "unit": str(org.units["p2p"].id), "position": str(org.positions["staff"].id)}
    data.update(overrides)
    return data


def test_csrf_required_on_employee_add(app, client, org):
    from app.extensions import db
    from app.organisation.models import Employee

    login(client, "admin")
    before = db.session.query(Employee).count()
    r = client.post("/employeeview/add", data=_employee_form(org))
    assert r.status_code == 400
    r = client.post("/employeeview/add", data=_employee_form(org, csrf_token="forged"))
    assert r.status_code == 400
    assert db.session.query(Employee).count() == before


def test_csrf_required_on_employee_edit_and_delete(app, client, org):
    from app.extensions import db
    from app.organisation.models import Employee

    login(client, "admin")
    staff = org.employees["staff1"]
    r = client.post(f"/employeeview/edit/{staff.id}", data=_employee_form(org, name="Diubah", nip=staff.nip,
                                                                           birth_date="1990-07-21"))
    assert r.status_code == 400
    r = client.post(f"/employeeview/delete/{staff.id}")
    assert r.status_code == 400
    # a delete by GET is refused by FAB when CSRF is on
    client.get(f"/employeeview/delete/{staff.id}")
    db.session.expire_all()
    assert db.session.get(Employee, staff.id).name == "Budi Santoso"


def test_csrf_required_on_login_form(app, client, org):
    r = client.post("/login/", data={"username": org.username("staff1"), "password": PASSWORD})
    assert r.status_code == 400
    assert not _is_logged_in(client)
    assert _user(app, org.username("staff1")).login_count in (None, 0)


def test_csrf_required_on_unlock_action(app, client, org):
    username = org.username("staff1")
    user = _user(app, username)
    user.fail_login_count = 5
    app.appbuilder.sm.update_user(user)
    login(client, "admin")
    r = client.post("/users/action_post", data={"action": "unlock", "rowid": str(user.id)})
    assert r.status_code == 400
    assert _user(app, username).fail_login_count == 5
    # and never by GET
    client.get(f"/users/action/unlock/{user.id}")
    assert _user(app, username).fail_login_count == 5


def test_csrf_required_on_password_reset(app, client, org):
    username = org.username("staff1")
    login(client, username)
    r = client.post("/resetmypassword/form", data={"password": STRONG, "conf_password": STRONG})
    assert r.status_code == 400
    assert _password_changed(app, username, PASSWORD)


def test_csrf_required_on_list_actions_and_logout_is_harmless(app, client, org):
    login(client, "admin")
    r = client.post("/employeeview/action_post", data={"action": "x", "rowid": "1"})
    assert r.status_code == 400


def test_api_with_browser_session_needs_json(app, client, org):
    """The REST API accepts the browser session (allow_browser_login) and is exempt from the form CSRF
    token; a cross-site HTML form cannot send JSON, and the API refuses anything else."""
    from app.extensions import db
    from app.organisation.models import Employee

    login(client, "admin")
    before = db.session.query(Employee).count()
    r = client.post("/api/v1/employee/", data=_employee_form(org))
    assert r.status_code == 400
    r = client.post("/api/v1/employee/", data='{"name": "x"}', content_type="text/plain")
    assert r.status_code == 400
    assert db.session.query(Employee).count() == before


# --- security headers ---------------------------------------------------------------------------------

ALLOWED_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}


def _assert_security_headers(r):
    csp = r.headers.get("Content-Security-Policy")
    assert csp, f"no CSP on {r.request.path}"
    directives = {}
    for part in csp.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0]] = tokens[1:]
    assert directives["default-src"] == ["'self'"]
    for name in ("script-src", "object-src", "frame-ancestors", "base-uri", "form-action"):
        assert name in directives, name
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    for name, sources in directives.items():
        for source in sources:
            assert source in ALLOWED_SOURCES or re.fullmatch(r"'nonce-[A-Za-z0-9_-]{16,}'", source), \
                f"{name} allows {source}"
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("X-Frame-Options") == "DENY"
    assert r.headers.get("Referrer-Policy")


def test_security_headers_everywhere(client, org):
    responses = [client.get("/login/"), client.get("/static/css/portal.css"), client.get("/no-such-page"),
                 client.get("/api/v1/employee/"), client.get("/employeeview/list/")]
    login(client, "admin")
    responses += [client.get("/employeeview/list/"), client.get("/api/v1/employee/"),
                  client.get(f"/employeeview/show/{org.employees['staff1'].id}"),
                  client.get("/employeeview/show/999999"), client.get("/api/v1/employee/999999"),
                  client.get("/lookup/employee?q=Budi"), client.get("/employeeview/export/csv/"),
                  client.get("/static/appbuilder/css/bootstrap.min.css")]
    statuses = [r.status_code for r in responses]
    assert statuses == [200, 200, 404, 401, 302, 200, 200, 200, 404, 404, 200, 200, 200]
    for r in responses:
        _assert_security_headers(r)
    html = responses[5]
    assert html.headers["Cache-Control"] == "no-store"


def test_scripts_on_pages_carry_the_nonce(client, org):
    login(client, "admin")
    r = client.get("/employeeview/list/")
    nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1)
    html = r.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag and ("src=\"/" in tag or "src='/" in tag) or f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"""\son[a-z]+\s*=\s*["']""", html), "inline event handlers are blocked by the CSP"
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html), "no resource from another host"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login/").headers
    r = client.get("/login/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


# --- session cookie, idle timeout, fixation -----------------------------------------------------------

def _session_cookie_header(response, app):
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


def test_session_cookie_flags(app, client, org):
    r = login(client, org.username("staff1"))
    header = _session_cookie_header(r, app)
    assert header
    lower = header.lower()
    assert "httponly" in lower
    assert "samesite=lax" in lower
    assert "secure" not in lower.replace("samesite", "")  # plain HTTP in tests


def test_session_cookie_secure_when_configured(app, client, org, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    r = client.get("/login/")
    header = _session_cookie_header(r, app)
    assert header and "; secure" in header.lower()


def test_session_cookie_secure_when_served_over_https(app, org):
    client = app.test_client()
    r = client.get("/login/", base_url="https://localhost")
    header = _session_cookie_header(r, app)
    assert header and "; secure" in header.lower()


def test_idle_timeout_cookie_expiry(app, client, org):
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert lifetime == timedelta(minutes=30)
    r = login(client, org.username("staff1"))
    header = _session_cookie_header(r, app)
    match = re.search(r"Expires=([^;]+)", header)
    assert match, header
    expires = parsedate_to_datetime(match.group(1))
    delta = expires - datetime.now(timezone.utc)
    assert timedelta(minutes=29) < delta <= timedelta(minutes=30, seconds=5)
    # every request pushes the expiry forward (idle, not absolute, timeout)
    r = client.get("/employeeview/list/")
    assert _session_cookie_header(r, app)


def test_idle_session_expires_server_side(app, client, org, monkeypatch):
    """A session cookie older than the idle timeout is refused by the server, not only by the browser."""
    from itsdangerous import TimestampSigner

    login(client, org.username("staff1"))
    assert _is_logged_in(client)
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 31 * 60)
    r = client.get("/employeeview/list/")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]


def test_session_fixation_session_replaced_on_login(app, client, org):
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    before = client.get_cookie(name).value
    csrf_token(client, "/login/")
    with client.session_transaction() as sess:
        old_csrf = sess.get("csrf_token")
        assert sess["planted"] == "by-attacker"
    login(client, org.username("staff1"))
    after = client.get_cookie(name).value
    assert after != before
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != old_csrf
        assert sess.get("_user_id")
        assert sess.permanent


def test_csrf_token_is_in_the_session_from_the_login_response_on(app, client, org):
    """Regression (CI, 2026-11-28): a browser's requests still in flight when it opens the next page carry
    the cookie of the login response; with the CSRF secret made only later, their replies overwrote the
    session and the next form post failed with HTTP 400. The secret is now made with the login response."""
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    login(client, org.username("staff1"))
    login_cookie = client.get_cookie(name).value
    with client.session_transaction() as sess:
        assert sess.get("csrf_token")
    token = csrf_token(client, "/resetmypassword/form")
    client.set_cookie(name, login_cookie)  # a late reply to a request made with the login cookie
    r = client.post("/resetmypassword/form", data={"password": "x", "conf_password": "x", "csrf_token": token})
    assert r.status_code == 200  # the form again with the password message, not "the form has expired"
    assert "expired" not in r.get_data(as_text=True).lower()


def test_static_files_leave_the_session_cookie_alone(app, client, org):
    """Static files never set the session cookie: a reply to one, late, cannot undo a newer session."""
    login(client, org.username("staff1"))
    r = client.get("/static/js/plan.js")
    assert r.status_code == 200
    assert _session_cookie_header(r, app) is None
    r = client.get("/static/appbuilder/css/ab.css")
    assert r.status_code == 200
    assert _session_cookie_header(r, app) is None


def test_logout_ends_the_session(app, client, org):
    login(client, org.username("staff1"))
    assert _is_logged_in(client)
    logout(client)
    assert not _is_logged_in(client)


# --- redirects, GET state changes -----------------------------------------------------------------------

def _assert_on_site(location):
    """The redirect stays on this host: a relative URL (a literal %5C in a path is not a host) or ours."""
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    assert parts.scheme in ("", "http", "https"), location
    assert parts.netloc in ("", "localhost"), location
    assert not location.startswith(("//", "\\\\", "/\\")), location


@pytest.mark.parametrize("target", ["http://evil.example/", "//evil.example/", "https:evil.example",
                                    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
                                    "http://localhost@evil.example/"])
def test_no_open_redirect_after_login(app, client, org, target):
    token = csrf_token(client, "/login/")
    r = client.post("/login/", query_string={"next": target},
                    data={"username": org.username("staff1"), "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    _assert_on_site(r.headers["Location"])
    # already signed in: the login page redirects to next, still never off-site
    r = client.get("/login/", query_string={"next": target})
    assert r.status_code == 302
    _assert_on_site(r.headers["Location"])


def test_failed_login_keeps_next_on_site(client, org):
    token = csrf_token(client, "/login/")
    r = client.post("/login/", query_string={"next": "http://evil.example/"},
                    data={"username": org.username("staff1"), "password": WRONG, "csrf_token": token})
    assert r.status_code == 302
    _assert_on_site(r.headers["Location"])


def test_next_on_site_is_honoured(client, org):
    token = csrf_token(client, "/login/")
    r = client.post("/login/", query_string={"next": "/unit-tree/"},
                    data={"username": org.username("staff1"), "password": PASSWORD, "csrf_token": token})
    assert r.headers["Location"].endswith("/unit-tree/")


@pytest.mark.parametrize("view", ["employeeview", "unitview", "positionview", "rankview", "auditlogview"])
def test_get_actions_refused(client, org, view):
    login(client, "admin")
    pk = org.employees["staff1"].id
    assert client.get(f"/{view}/action/anything/{pk}").status_code == 405
    assert client.post(f"/{view}/action/anything/{pk}").status_code in (400, 405)


def test_action_post_unknown_action_is_404_not_500(client, org):
    login(client, "admin")
    token = csrf_token(client, "/employeeview/list/")
    r = client.post("/employeeview/action_post", data={"action": "nope", "rowid": "1", "csrf_token": token})
    assert r.status_code == 404
    r = client.post("/users/action_post", data={"rowid": "1", "csrf_token": token})
    assert r.status_code in (400, 404)


def test_anonymous_is_sent_to_login_and_api_gets_401(client, org):
    r = client.get("/employeeview/list/")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]
    r = client.get("/api/v1/employee/")
    assert r.status_code == 401
    assert "Budi" not in r.get_data(as_text=True)
    r = client.get("/lookup/employee?q=Budi")
    assert r.status_code in (401, 403)
    assert "Budi" not in r.get_data(as_text=True)


def test_jwt_token_gives_scoped_api_access(client, org):
    r = _api_login(client, org.username("staff1"), PASSWORD)
    assert r.status_code == 200
    token = r.get_json()["access_token"]
    other = client.application.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    r = other.get("/api/v1/employee/", headers=headers)
    assert r.status_code == 200
    assert [row["id"] for row in r.get_json()["result"]] == [org.employees["staff1"].id]
    assert other.get(f"/api/v1/employee/{org.employees['staff2'].id}", headers=headers).status_code == 404
    r = other.get("/api/v1/employee/", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code in (401, 422)


def test_user_info_buttons_open_their_forms(client, org):
    """FAB's "reset my password" / "edit user" buttons are GET links: they must open the forms (which
    post with a CSRF token), not be refused as unsafe GET mutations."""
    login(client, org.username("staff1"))
    me = org.users["staff1"].id
    r = client.get(f"/users/action/resetmypassword/{me}")
    assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]
    r = client.get(f"/users/action/userinfoedit/{me}")
    assert r.status_code == 302 and "/userinfoeditview/form" in r.headers["Location"].lower()
    # resetting someone else's password stays an Admin permission
    assert client.get(f"/users/action/resetpasswords/{me}").status_code == 403
    assert client.get(f"/users/action/unlock/{me}").status_code == 405


def test_signed_in_user_comes_with_roles_and_groups_in_one_query(app, db, org):
    """Every request loads the signed-in user; their roles and groups come in the same query (no lazy loads
    on every permission check), and a malformed or inactive id loads nobody."""
    from sqlalchemy import inspect

    from conftest import count_queries

    sm = app.appbuilder.sm
    user_id = org.users["staff1"].id
    with app.test_request_context():
        db.session.expunge_all()
        with count_queries(db) as queries:
            user = sm.load_user(str(user_id))
            names = {r.name for r in user.roles} | {r.name for g in user.groups for r in g.roles}
        assert len(queries) == 1
        assert "Pegawai" in names
        assert not {"roles", "groups"} & inspect(user).unloaded
        assert sm.load_user("12abc") is None and sm.load_user("99999999999") is None
        user.active = False
        db.session.commit()
        assert sm.load_user(user_id) is None
