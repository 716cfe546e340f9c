"""Real-browser journeys: Playwright driving Debian's Chromium against the portal served by a real WSGI
server on loopback, with its own database. See tests/browser/README.md for how to add a journey.

Per session (per xdist worker): a fresh database (SQLite file under pytest's tmp dir, or the PostgreSQL
database ``<name>_browser_<worker>`` when TEST_DATABASE_URL is set) built by the migrations, roles synced,
the small city of seed.py committed; the app under werkzeug's threaded server on 127.0.0.1:<free port>;
one headless Chromium. Per test: a new browser context (fresh cookies) and a ``Journey`` whose guards
collect every failed request, request to another host, HTTP error, console error, page error, server
exception and page whose title is missing or untranslated. The test fails at the end listing them all.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .seed import PASSWORD, seed_city

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CATALOG = ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po"
OUTPUT = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions",
    # Belt and braces: whatever a page asks for, no name but 127.0.0.1 resolves (the guard reports it).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Runs in every document before its own scripts: once the top frame has loaded, reports its URL, its
# title and the language it is in (<html lang>, else the flag of the navbar's language menu).
LOAD_REPORTER = """
if (window.top === window) {
  window.addEventListener("load", () => {
    const flag = document.querySelector(".navbar .dropdown-toggle .flag");
    const flagCode = flag ? [...flag.classList].find((c) => c !== "flag") || "" : "";
    window.__portalLoaded(location.href, document.title, document.documentElement.lang || "", flagCode);
  });
}
"""
# Pages whose title may be the bare app name (the home page is the portal itself). Every other page
# needs "<translated page title> · <app name>".
BARE_TITLE_PATHS: set = set()  # every page, the home page included, has its own translated title
TIMEOUT_MS = int(os.environ.get("BROWSER_TIMEOUT_MS", "10000"))


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does this)"
    return None


def _browser_required() -> bool:
    """In CI (CI=true, as .ci/run sets) or with BROWSER_TESTS=required a missing browser is an error."""
    return os.environ.get("BROWSER_TESTS") == "required" or os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ is a browser test; without a browser they are skipped with the
    reason (or, when the browser is required, they error with it)."""
    here = Path(__file__).parent
    reason = None
    for item in items:
        if here not in Path(item.path).parents:
            continue
        item.add_marker(pytest.mark.browser)
        reason = reason or _missing_browser()
        if reason and not _browser_required():
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


# --- the portal under a real WSGI server ------------------------------------------------------------

def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database(tmp_path_factory):
    """(url, drop) of a fresh database for this worker's browser app."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        path = tmp_path_factory.mktemp("browser-db") / f"browser-{_worker()}.db"
        return f"sqlite:///{path}", lambda: None
    import sqlalchemy as sa

    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    base, _, name = url.rpartition("/")
    db_name = f"{name}_browser_{_worker()}"

    def admin(sql):
        engine = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
        engine.dispose()

    admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{db_name}"')
    return f"{base}/{db_name}", lambda: admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


class Portal:
    """The running portal: ``url(path)``, the Flask ``app``, the seeded ``city``, server-side errors."""

    def __init__(self, app, base_url, city):
        self.app = app
        self.base_url = base_url
        self.host = urlsplit(base_url).netloc
        self.city = city
        self.server_errors = []  # "METHOD path: exception", appended by the server threads

    def url(self, path: str) -> str:
        return self.base_url + path

    def has_endpoint(self, endpoint: str) -> bool:
        return endpoint in self.app.view_functions


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    reason = _missing_browser()
    if reason:
        if _browser_required():
            pytest.fail(f"browser tests are required here (CI / BROWSER_TESTS=required): {reason}")
        pytest.skip(reason)
    from flask import got_request_exception, request
    from flask_migrate import upgrade
    from werkzeug.serving import WSGIRequestHandler, make_server

    from app import create_app
    from app.accounts.services import sync_roles
    from app.extensions import db

    url, drop = _database(tmp_path_factory)
    app = create_app({
        "PORTAL_CONFIG": "test",
        "TESTING": False,  # errors render the portal's error page, as in production
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "browser-secret-key-not-for-production",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("browser-uploads")),
        "RATELIMIT_ENABLED": False,
        "AUTH_RATE_LIMITED": False,
    })
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
        sync_roles(app.appbuilder.sm)
        city = seed_city(app)
        db.session.remove()

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    portal = Portal(app, f"http://127.0.0.1:{server.server_port}", city)

    def on_exception(sender, exception, **extra):
        portal.server_errors.append(f"{request.method} {request.full_path.rstrip('?')}: {exception!r}")

    got_request_exception.connect(on_exception, app)
    thread = threading.Thread(target=server.serve_forever, name="browser-portal", daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


# --- titles: translated or the journey fails --------------------------------------------------------

class TitleCatalog:
    """Decides whether a document title is translated, from the Indonesian catalog (.po).

    Titles look like ``<page title> · <app name>``. In Indonesian the page title must be the msgstr of a
    translated (non-fuzzy) entry; the English msgid of an untranslated entry is reported as such. In
    English it must be a msgid of the catalog. %-placeholders in a msgid/msgstr match any text.
    """

    PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

    def __init__(self, po_path: Path, app_name: str):
        from babel.messages.pofile import read_po

        self.app_name = app_name
        self.id_texts, self.en_texts, self.untranslated = set(), set(), set()
        with open(po_path, "rb") as fh:
            catalog = read_po(fh, locale="id")
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
            strs = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            self.en_texts.update(ids)
            if message.fuzzy or not all(strs):
                self.untranslated.update(ids)
            else:
                self.id_texts.update(strs)
        self._id_patterns = self._patterns(self.id_texts)
        self._en_patterns = self._patterns(self.en_texts)
        self._untranslated_patterns = self._patterns(self.untranslated)

    def _patterns(self, texts):
        out = []
        for text in texts:
            if self.PLACEHOLDER.search(text.replace("%%", "")):
                parts = self.PLACEHOLDER.split(text.replace("%%", "\0"))
                regex = ".+".join(re.escape(p).replace("\0", "%") for p in parts)
                out.append(re.compile(f"^{regex}$", re.S))
        return out

    @staticmethod
    def _in(text, texts, patterns) -> bool:
        return text in texts or any(p.match(text) for p in patterns)

    def problem(self, title: str, lang: str, path: str = "") -> str | None:
        """None when ``title`` is a properly translated title for ``lang``, else what is wrong."""
        title = (title or "").strip()
        if not title:
            return "empty document title"
        if title == self.app_name and path in BARE_TITLE_PATHS:
            return None
        suffix = f" · {self.app_name}"
        if not title.endswith(suffix):
            return f"title {title!r} lacks a page title of its own ('<page title>{suffix}')"
        page = title[: -len(suffix)].strip()
        if lang == "id":
            if self._in(page, self.id_texts, self._id_patterns):
                return None
            if self._in(page, self.untranslated, self._untranslated_patterns):
                return f"title {page!r} is not translated: its msgid has no Indonesian msgstr (or is fuzzy)"
            return f"title {page!r} is not in the Indonesian catalog (not marked for translation?)"
        if self._in(page, self.en_texts, self._en_patterns):
            return None
        return f"title {page!r} is not an English msgid of the catalog (still Indonesian?)"


@pytest.fixture(scope="session")
def title_catalog(portal):
    return TitleCatalog(CATALOG, portal.app.config["APP_NAME"])


# --- browser and journeys ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(portal):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Journey:
    """One user's journey through the portal in a fresh browser context, with the guards on.

    ``page`` is the Playwright page. Navigation helpers (``visit``, ``click``, ``login``, …) wait for the
    new document; the title of EVERY loaded document is checked, however it was reached. Expected HTTP
    errors are declared: ``visit(path, status=404)`` or ``with j.expect_status(404): …``.
    """

    def __init__(self, portal, context, catalog, name):
        self.portal = portal
        self.city = portal.city
        self.context = context
        self.catalog = catalog
        self.name = name
        self.lang = "id"  # the portal starts in Indonesian; switch_language() changes it
        self._flag_langs = {spec["flag"]: code for code, spec in portal.app.config["LANGUAGES"].items()}
        self.failures = []
        self._expected = set()
        self._server_errors_seen = len(portal.server_errors)
        self._shots = OUTPUT / name
        shutil.rmtree(self._shots, ignore_errors=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)
        # The title is read inside the page the moment it has loaded (read later from Python, it could
        # already be the next page's "Loading …"), and reported through a binding: no network involved.
        context.expose_binding("__portalLoaded", self._on_loaded)
        context.add_init_script(LOAD_REPORTER)
        self.loaded = []  # (url, title, language) of every document loaded in the top frame, in order
        self.page = context.new_page()

    # -- guards --------------------------------------------------------------------------------------
    def fail(self, message: str) -> None:
        self.failures.append(message)

    def _watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.fail(f"page error on {page.url}: {error}"))

    def _on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.scheme not in ("http", "https") or parts.netloc != self.portal.host:
            self.fail(f"request to another host: {request.method} {request.url}")

    def _on_request_failed(self, request):
        self.fail(f"request failed: {request.method} {request.url} ({request.failure})")

    def _on_response(self, response):
        if response.status < 400:
            return
        expected = response.request.resource_type == "document" and response.status in self._expected
        if not expected:
            self.fail(f"HTTP {response.status}: {response.request.method} {response.url}")

    def _on_console(self, message):
        if message.type != "error":
            return
        text = message.text
        # Chromium also logs a document's expected error status ("Failed to load resource: … 404").
        if any(f"status of {code} " in text for code in self._expected) and "Failed to load resource" in text:
            return
        self.fail(f"console error on {message.page.url if message.page else '?'}: {text} "
                  f"({message.location.get('url', '')}:{message.location.get('lineNumber', '')})")

    def _on_loaded(self, source, url, title, html_lang, flag):
        # The language the page shows (read in the page at load time); the journey's own idea of it only
        # when the page does not say.
        lang = html_lang.split("-")[0] or self._flag_langs.get(flag) or self.lang
        self.loaded.append((url, title, lang))
        if urlsplit(url).netloc != self.portal.host:
            return  # not a portal page (a browser error page): the request guards report why
        problem = self.catalog.problem(title, lang, urlsplit(url).path)
        if problem:
            self.fail(f"{url} [{lang}]: {problem}")

    def check(self) -> list:
        """Everything that went wrong so far (guards and server exceptions)."""
        try:
            self.page.evaluate("0")  # let the events still queued (bindings, console) arrive
        except Exception:
            pass
        new_errors = self.portal.server_errors[self._server_errors_seen:]
        self._server_errors_seen = len(self.portal.server_errors)
        self.failures.extend(f"server exception: {e}" for e in new_errors)
        return self.failures

    # -- navigation ----------------------------------------------------------------------------------
    @contextmanager
    def expect_status(self, *codes: int):
        """Allow these HTTP error statuses for documents loaded inside the block."""
        before = set(self._expected)
        self._expected |= set(codes)
        try:
            yield
        finally:
            self._expected = before

    def _status(self, response, status, what):
        got = response.status if response is not None else None
        if got != status:
            try:  # what the page said helps more than its status alone
                said = " ".join(self.page.inner_text("body", timeout=2000).split())[:400]
            except Exception:
                said = "?"
            raise AssertionError(f"{what}: expected HTTP {status}, got {got} ({self.page.url}): {said}")

    def visit(self, path: str, status: int = 200):
        """Open a URL of the portal as if typed in the address bar; returns the response."""
        with self.expect_status(*([status] if status >= 400 else [])):
            response = self.page.goto(self.portal.url(path), wait_until="load")
        self._status(response, status, f"visit {path}")
        return response

    def click(self, target, status: int = 200):
        """Click a link/button (selector or locator) that loads a new document in the page, and wait
        until it has loaded; returns the document's final response (after redirects)."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        page = self.page

        def final_document(response):
            return (response.request.is_navigation_request() and response.frame == page.main_frame
                    and not 300 <= response.status < 400)

        with self.expect_status(*([status] if status >= 400 else [])):
            with page.expect_event("load"), page.expect_response(final_document) as response:
                locator.click()
        self._status(response.value, status, f"click {target}")
        return response.value

    def menu(self, *labels_or_hrefs: str):
        """Open navbar dropdowns and click the last entry, each given by its href (``/unit-tree/``) or
        visible text: ``j.menu("/employeeview/list/")`` clicks the entry wherever it is in the menu."""
        *openers, target = labels_or_hrefs
        for opener in openers:
            self.page.locator(".navbar .dropdown-toggle", has_text=opener).first.click()
        link = self._nav_link(target)
        if not link.is_visible():
            # Open the dropdown holding it, as a user would.
            toggle = link.locator("xpath=ancestor::li[contains(@class,'dropdown')][1]/a[contains(@class,"
                                  "'dropdown-toggle')]")
            toggle.click()
        return self.click(link)

    def _nav_link(self, target: str):
        nav = self.page.locator(".navbar")
        if target.startswith("/"):
            return nav.locator(f'a[href="{target}"]').first
        return nav.locator("a", has_text=target).first

    def nav_hrefs(self) -> set:
        """Every link of the navbar (menus included, open or not)."""
        return set(self.page.locator(".navbar a[href]").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"))

    def list_action(self, name: str, confirm: bool = True, status: int = 200, screenshot: str | None = None):
        """Run a list action on the checked rows as a user does: open the list's actions menu, pick the
        action ``name`` (FAB's action name, e.g. "create_accounts") and, when it asks (``confirm``), press
        OK in the dialog (screenshot of the dialog as ``screenshot``). Waits for the result page."""
        self.page.locator(f".btn-group:has(.{name}_menu_item) > .dropdown-toggle").click()
        item = self.page.locator(f".{name}_menu_item")
        if not confirm:
            return self.click(item, status=status)
        item.click()
        self.page.locator("#modal-confirm").wait_for(state="visible")
        if screenshot:
            self.shot(screenshot)
        return self.click("#modal-confirm-ok", status=status)

    def login(self, who: str, password: str | None = None):
        """Sign in through the login form: ``who`` is a city key (``"kabid"``, ``"admin"``) or a NIP."""
        username = self.city.users.get(who, who)
        self.visit("/login/")
        self.page.fill("#username", username)
        self.page.fill("#password", password or PASSWORD)
        response = self.click(self.page.locator("form [type=submit]").first)
        assert "/login" not in self.page.url, f"login as {who} failed: still on {self.page.url}"
        return response

    def logout(self):
        return self.menu("/logout/")

    def switch_language(self, lang: str):
        """Pick a language in the navbar's language menu, as a user does."""
        names = {code: spec["name"] for code, spec in self.portal.app.config["LANGUAGES"].items()}
        languages = self.portal.app.config["LANGUAGES"]
        self.page.locator(".navbar .dropdown-toggle:has(.flag)").first.click()
        self.lang = lang
        response = self.click(self.page.locator(".navbar .dropdown-menu a", has_text=names[lang]).first)
        shown = self.page.locator(".navbar .dropdown-toggle .flag").first.get_attribute("class").split()
        assert languages[lang]["flag"] in shown, f"language menu shows {shown} after choosing {lang}"
        return response

    def table_column(self, header_or_index) -> list:
        """Texts of one column of the page's list table (FAB list widget)."""
        table = self.list_table()
        if isinstance(header_or_index, int):
            index = header_or_index
        else:
            headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
            index = headers.index(header_or_index)
        return [c.strip() for c in table.locator(f"tbody tr td:nth-child({index + 1})").all_inner_texts()]

    def list_table(self):
        """The table of a FAB list page (not its search filters)."""
        return self.page.locator("table.table-bordered.table-hover").first

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    # -- evidence ------------------------------------------------------------------------------------
    def shot(self, step: str):
        """Save a full-page screenshot as test-output/screenshots/<test>/<step>.png."""
        self._shots.mkdir(parents=True, exist_ok=True)
        path = self._shots / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', step)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def journey(request, portal, browser, title_catalog):
    """A fresh browser context with guards; fails the test if any guard tripped."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    context = browser.new_context(base_url=portal.base_url, locale="id-ID", timezone_id="Asia/Jakarta",
                                  viewport={"width": 1280, "height": 900}, accept_downloads=False)
    j = Journey(portal, context, title_catalog, name)
    try:
        yield j
        call = getattr(request.node, "_report_call", None)
        if call is not None and call.failed:
            try:
                j.shot("failure")
            except Exception:
                pass
        failures = j.check()
        assert not failures, f"{len(failures)} guard failure(s) in {name}:\n  " + "\n  ".join(failures)
    finally:
        context.close()
