"""The navbar menu and the access checks are answered once per set of code roles (app/security/manager.py
``has_access`` / ``menu_html``, app/core/web.py ``navbar_menu``): every role must still see exactly the menu
items FAB's own check allows it, in the language of the request, and a role kept only in the database is
checked every time."""
from __future__ import annotations

import html
import re

import pytest
from flask import g

from tests.conftest import login, logout

NAV = re.compile(r'<ul class="nav navbar-nav">(.*?)</ul>\s*<ul class="nav navbar-nav navbar-right">', re.S)
PER_REQUEST = ("portal_access_key", "portal_roles", "portal_employee", "portal_scope", "user", "_login_user")


def menu_of(body: str) -> dict:
    """{"links": [href, ...], "labels": [text, ...]} of the navbar's menu (left part) of a page."""
    match = NAV.search(body)
    assert match, "no navbar menu on the page"
    part = match.group(1)
    links = [html.unescape(h) for h in re.findall(r'href="([^"#][^"]*)"', part)]
    labels = [html.unescape(t).strip() for t in re.findall(r"</i>&nbsp;\s*([^<]+?)\s*(?:<b|</a>)", part)]
    labels += [html.unescape(t).strip() for t in re.findall(r'href="[^"]*">\s*([^<\s][^<]*?)\s*</a>', part)]
    return {"links": links, "labels": [t for t in labels if t]}


def expected_links(app, user) -> list:
    """The menu links FAB's own (uncached) check allows ``user``: every item of the menu whose
    "menu_access" FAB's BaseSecurityManager.has_access grants, in menu order."""
    from flask_appbuilder.security.manager import BaseSecurityManager
    from flask_login import login_user

    sm = app.appbuilder.sm
    links = []
    with app.test_request_context("/"):
        for key in PER_REQUEST:
            g.pop(key, None)
        login_user(user)
        g.user = user

        def allowed(item):
            return BaseSecurityManager.has_access(sm, "menu_access", item.name)

        for item in app.appbuilder.menu.get_list():
            if not allowed(item):
                continue
            if item.childs:
                links += [child.get_url() for child in item.childs
                          if child and child.name != "-" and allowed(child)]
            else:
                links.append(item.get_url())
        for key in PER_REQUEST:
            g.pop(key, None)
    return links


def page(client, url="/"):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


ROLES = ["admin", "analis", "kadis", "kabid", "staff1", "pelatih"]


@pytest.mark.parametrize("who", ROLES)
def test_each_role_sees_exactly_its_menu(app, client, org, who):
    expected = expected_links(app, org.users[who])
    assert expected, "every role has some menu"
    login(client, org.username(who))
    first = menu_of(page(client))
    again = menu_of(page(client, "/my-profile/" if who != "admin" else "/employeeview/list/"))
    assert first["links"] == expected
    assert again == first  # the cached menu, on another page


def test_roles_in_turn_never_see_each_others_menu(app, client, org):
    """One process, one cache: the Admin's menu is cached first, then a Pegawai and a Pelatih sign in on the
    same client and see their own; the Admin again sees the Admin's."""
    menus = {}
    for who in ("admin", "staff1", "pelatih", "admin"):
        login(client, org.username(who))
        menus.setdefault(who, []).append(menu_of(page(client))["links"])
        logout(client)
    assert menus["admin"][0] == menus["admin"][1] == expected_links(app, org.users["admin"])
    assert menus["staff1"][0] == expected_links(app, org.users["staff1"])
    assert menus["pelatih"][0] == expected_links(app, org.users["pelatih"])
    assert any("/users/list/" in h for h in menus["admin"][0])
    assert not any("/users/list/" in h for h in menus["staff1"][0] + menus["pelatih"][0])
    assert set(menus["staff1"][0]) != set(menus["pelatih"][0])


def test_switching_language_switches_the_menu(client, org):
    login(client, org.username("admin"))
    indonesian = menu_of(page(client, "/employeeview/list/"))
    assert "Keamanan" in indonesian["labels"] and "Daftar Pengguna" in indonesian["labels"]
    page(client, "/lang/en")
    english = menu_of(page(client, "/employeeview/list/"))
    assert "Security" in english["labels"] and "List Users" in english["labels"]
    assert "Keamanan" not in english["labels"]
    assert english["links"] == indonesian["links"]
    page(client, "/lang/id")
    assert menu_of(page(client, "/employeeview/list/")) == indonesian


def test_a_role_kept_only_in_the_database_is_checked_every_time(app, client, db, org):
    """A role made in the role admin (not in FAB_ROLES) can change at any time: its menu is never cached."""
    sm = app.appbuilder.sm
    role = sm.add_role("Peran Uji Menu")
    user = org.users["pelatih"]
    user.roles = list(user.roles) + [role]
    db.session.commit()
    login(client, org.username("pelatih"))
    before = menu_of(page(client))["links"]
    assert not any("/unitview/list/" in h for h in before)
    for perm, view in (("menu_access", "Master Data"), ("menu_access", "Units"), ("can_read", "Unit")):
        sm.add_permission_role(role, sm.add_permission_view_menu(perm, view))
    db.session.commit()
    after = menu_of(page(client))["links"]
    assert any("/unitview/list/" in h for h in after)
    assert client.get("/unitview/list/").status_code == 200
    assert after == expected_links(app, sm.get_user_by_id(user.id))
    for pv in list(role.permissions):
        sm.del_permission_role(role, pv)
    db.session.commit()
    assert not any("/unitview/list/" in h for h in menu_of(page(client))["links"])
    assert client.get("/unitview/list/", follow_redirects=False).status_code in (302, 403)


def test_the_access_answer_follows_the_employee_record(app, client, db, org):
    """Atasan is derived from the employee record: when someone starts reporting to a Pegawai, the same
    account gets the Atasan menu on its next page, and loses it again (the cache is per set of roles)."""
    from app.organisation.models import Employee

    staf = org.employees["staff1"]
    login(client, org.username("staff1"))
    before = menu_of(page(client))["links"]
    other = db.session.get(Employee, org.employees["kabid"].id)
    old_supervisor = other.supervisor_id
    other.supervisor_id = staf.id
    db.session.commit()
    as_atasan = menu_of(page(client))["links"]
    assert set(as_atasan) > set(before)  # the Atasan items (the cascade of the own team, ...) on top
    assert as_atasan == expected_links(app, org.users["staff1"])
    other = db.session.get(Employee, org.employees["kabid"].id)
    other.supervisor_id = old_supervisor
    db.session.commit()
    assert menu_of(page(client))["links"] == before


def test_anonymous_pages_still_render_the_menu_uncached(client):
    body = page(client, "/login/")
    assert menu_of(body)["links"] == []  # the Public role has no menu


def test_public_role_is_read_once_per_request_and_never_kept(app, client, db):
    """The Public role (a database role) is read in one query per request, not two per menu item, and a
    change to it shows on the very next request."""
    from tests.conftest import count_queries

    sm = app.appbuilder.sm
    with count_queries(db) as queries:
        body = page(client, "/login/")
    assert len([q for q in queries if "ab_role" in q]) == 1
    assert menu_of(body)["links"] == []
    public = sm.find_role(app.config.get("AUTH_ROLE_PUBLIC", "Public"))
    granted = [sm.add_permission_view_menu("menu_access", name) for name in ("Master Data", "Units")]
    for pv in granted:
        sm.add_permission_role(public, pv)
    db.session.commit()
    try:
        links = menu_of(page(client, "/login/"))["links"]
        assert any("/unitview/list/" in h for h in links)
    finally:
        for pv in granted:
            sm.del_permission_role(public, pv)
        db.session.commit()
    assert menu_of(page(client, "/login/"))["links"] == []
