"""Journeys of the socialization material (app/socialization), as users do them in a real browser (see README.md).

The journeys share the seeded city: each one writes its own material (a unique title) and reads only that.
"""
from __future__ import annotations

from itertools import count

import pytest

pytestmark = pytest.mark.browser
_seq = count(1)


def _publish(j, title, body):
    """As the Pengelola Kinerja: write a material for everyone and publish it (the editor's toolbar makes the
    list); returns to the manager's page of the material."""
    j.login("analis")
    j.menu("/material-admin/")
    j.click("#new-material")
    j.page.fill("#title", title)
    j.page.fill("#body", body)
    j.page.locator(".portal-editor-toolbar").wait_for(state="visible")  # material-editor.js ran
    j.shot("editor")
    j.click("#publish")
    assert title in j.text()
    j.logout()


def test_an_employee_reads_and_acknowledges_material(journey):
    j = journey
    title = f"Cara Membaca Matriks Predikat {next(_seq)}-{id(j) % 10000}"
    _publish(j, title, "<h3>Ringkas</h3><p>Predikat mengikuti dua rating.</p><script>alert(1)</script>")
    j.login("staff1")
    j.menu("/materials/")
    item = j.page.locator(".portal-material-item", has_text=title)
    assert item.get_attribute("data-state") == "UNREAD"
    j.shot("list")
    j.click(item)
    assert "Predikat mengikuti dua rating." in j.text() and "alert(1)" not in j.page.content()
    j.click("#acknowledge")
    assert j.page.locator(".portal-material-acknowledgement .text-success").count() == 1
    assert j.page.locator("#acknowledge").count() == 0
    j.shot("acknowledged")
    j.menu("/materials/")
    assert j.page.locator(".portal-material-item", has_text=title).get_attribute("data-state") == "READ"
