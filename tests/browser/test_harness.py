"""The journey harness itself: every guard catches what it is there for (so a green journey means
something). Each test provokes problems, checks they were collected, then clears them."""
from __future__ import annotations

import pytest

from .conftest import TitleCatalog

pytestmark = pytest.mark.browser


def _collected(j, *needles):
    failures = j.check()
    for needle in needles:
        assert any(needle in f for f in failures), f"{needle!r} not reported; got {failures}"
    failures.clear()


def test_guards_report_console_page_and_http_errors(journey):
    j = journey
    j.visit("/login/")
    j.page.evaluate("console.error('kaboom from the console')")
    j.page.evaluate("setTimeout(() => { throw new Error('uncaught kaboom') }, 0)")
    j.page.wait_for_timeout(50)
    j.page.goto(j.portal.url("/no-such-page/"))  # an unexpected 404
    _collected(j, "kaboom from the console", "uncaught kaboom", "HTTP 404: GET", "status of 404")

    j.visit("/no-such-page/", status=404)  # the same page, declared: fine
    assert "404" in j.text()
    assert j.check() == []


def test_guards_report_requests_to_other_hosts(journey):
    j = journey
    j.visit("/login/")
    # Blocked by the portal's Content-Security-Policy: reported as a console error.
    j.page.evaluate("fetch('https://cdn.example.com/lib.js').catch(() => {})")
    j.page.wait_for_timeout(100)
    _collected(j, "cdn.example.com")
    # A navigation is not subject to CSP: the request guard reports it; DNS refuses it (resolver rules).
    with pytest.raises(Exception):
        j.page.goto("http://example.com/")
    _collected(j, "request to another host: GET http://example.com/", "request failed")


def test_titles_must_be_translated(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Employees"\nmsgstr "Pegawai"\n\n'
        'msgid "Edit %(name)s"\nmsgstr "Ubah %(name)s"\n\n'
        'msgid "Work units"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Positions"\nmsgstr "Jabatan"\n', encoding="utf-8")
    c = TitleCatalog(po, "e-Kinerja")
    assert c.problem("Pegawai · e-Kinerja", "id") is None
    assert c.problem("Ubah Budi Santoso · e-Kinerja", "id") is None
    assert c.problem("Employees · e-Kinerja", "en") is None
    assert "not translated" in c.problem("Work units · e-Kinerja", "id")
    assert "not translated" in c.problem("Positions · e-Kinerja", "id")  # fuzzy is not translated
    assert "not in the Indonesian catalog" in c.problem("Whatever · e-Kinerja", "id")
    assert "still Indonesian" in c.problem("Pegawai · e-Kinerja", "en")
    assert "page title of its own" in c.problem("e-Kinerja", "id", "/employeeview/list/")
    assert "page title of its own" in c.problem("e-Kinerja", "id", "/")  # the home page too
    assert "empty" in c.problem("", "id")
