"""List pages render the same bytes as FAB's own rendering (app/core/views.py: ``list_rows_html``, ``attr_value``,
the search box kept per view and language; app/security/manager.py: the per-request statements built once).

Each list page is requested twice in the same app, by several roles and in both languages: once as the portal
renders it, once through the reference path — the rows through the Jinja block the portal used before (below,
``REFERENCE_WIDGET``), the cell values through FAB's ``BaseInterface._get_attr_value``, the search box built by
FAB's ``SearchWidget`` on every request. The two answers must be byte-equal apart from the CSP nonce and the
CSRF tokens (both new on every request)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from flask_appbuilder.models.base import BaseInterface
from flask_babel import lazy_gettext as _l

from access_training import enroll, external, make_session, now, topic
from conftest import login, logout
from app.core import views as core_views

# portal/widgets/list.html as it was before the rows were built in Python (its first line, a comment, printed a
# newline before the widget).
REFERENCE_WIDGET = """
{% extends 'appbuilder/general/widgets/list.html' %}
{% block begin_loop_values %}
  {% set show_url = url_for(modelview_name ~ '.show', pk='__pk__') if can_show else '' %}
  {% set edit_url = url_for(modelview_name ~ '.edit', pk='__pk__') if can_edit else '' %}
  {% set delete_url = url_for(modelview_name ~ '.delete', pk='__pk__') if can_delete else '' %}
  {% set t_show, t_show_sr = _('Show record'), _('Show') %}
  {% set t_edit, t_edit_sr = _('Edit record'), _('Edit') %}
  {% set t_delete, t_delete_sr = _('Delete record'), _('Delete') %}
  {% set t_confirm = _('Are you sure you want to delete this item?') %}
  {% set nonce = csp_nonce() %}
  {% for item in value_columns %}
    {% set pk = pks[loop.index-1] %}
    <tr>
      {% if actions %}
      <td><input id="{{ pk }}" class="action_check" name="rowid" value="{{ pk }}" type="checkbox"></td>
      {% endif %}
      {% if can_show or can_edit or can_delete %}
      <td><center><div class="btn-group btn-group-xs" style="display: flex;">
        {% if can_show %}<a href="{{ show_url|replace('__pk__', pk|string) }}" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" title="{{ t_show }}"><span class="sr-only">{{ t_show_sr }}</span><i class="fa fa-search"></i></a>{% endif %}
        {% if can_edit %}<a href="{{ edit_url|replace('__pk__', pk|string) }}" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" title="{{ t_edit }}"><span class="sr-only">{{ t_edit_sr }}</span><i class="fa fa-edit"></i></a>{% endif %}
        {% if can_delete %}{% set d = delete_url|replace('__pk__', pk|string) %}<a id="btn-delete-{{ d }}" href="#" class="btn btn-sm btn-default confirm" rel="tooltip" title="{{ t_delete }}"><span class="sr-only">{{ t_delete_sr }}</span><i class="fa fa-trash"></i></a>
        <script nonce="{{ nonce }}">document.getElementById("btn-delete-{{ d }}").addEventListener("click", function () { return new AdminActions().execute_single_delete('{{ d }}', '{{ t_confirm }}'); })</script>{% endif %}
      </div></center></td>
      {% endif %}
      {% for value in include_columns %}
        {% set formatter = formatters_columns.get(value) %}
        <td>{{ formatter(item[value]) if formatter else item[value] }}</td>
      {% endfor %}
    </tr>
  {% endfor %}
{% endblock %}"""

VOLATILE = [
    (re.compile(rb'nonce="[^"]+"'), b'nonce="N"'),
    (re.compile(rb'(name="csrf_token"[^>]*value=")[^"]+'), rb"\1C"),
    (re.compile(rb'(id="csrf_token"[^>]*value=")[^"]+'), rb"\1C"),
]


def _normalised(body: bytes) -> bytes:
    for pattern, replacement in VOLATILE:
        body = pattern.sub(replacement, body)
    return body


_compiled = {}


def _reference_widget_call(self, **kwargs):
    """FAB's RenderTemplateWidget.__call__ with the reference template (Jinja rows)."""
    env = current_app.jinja_env
    template = _compiled.get(id(env))
    if template is None or template.environment is not env:
        template = _compiled[id(env)] = env.from_string(REFERENCE_WIDGET)
    args = self.template_args.copy()
    args.update(kwargs)
    return template.render(args)


@pytest.fixture
def reference(monkeypatch):
    """A switch: ``reference(True)`` renders list pages as before (FAB's per-cell values, Jinja rows, the search
    box built on each request), ``reference(False)`` as the portal does now."""
    def switch(on: bool):
        if on:
            monkeypatch.setattr(core_views.PortalListWidget, "__call__", _reference_widget_call)
            monkeypatch.setattr(core_views, "attr_value", BaseInterface._get_attr_value)
            monkeypatch.setattr(core_views.PortalModelView, "_search_box_static", lambda self, form: None)
        else:
            monkeypatch.undo()
    return switch


@pytest.fixture
def training_rows(db, org):
    """Rows for the training lists: sessions of every kind and state (labels), participants, external
    trainings (with list actions for the Pengelola)."""
    item = topic(db)
    first = make_session(db, org, trainers=("pelatih",), units=("dinkes",), topic_item=item)
    make_session(db, org, starts_at=now() + timedelta(days=3), kind="SOSIALISASI", method="E_LEARNING",
                 trainers=("pelatih",))
    make_session(db, org, starts_at=now() - timedelta(days=9), status="DITUTUP", trainers=("pelatih",))
    for key in ("staff1", "kabid", "kadis"):
        enroll(db, org, first, key)
    external(db, org, "staff1", status="DIAJUKAN")
    external(db, org, "kabid")
    return first


LISTS = ["/employeeview/list/", "/unitview/list/", "/positionview/list/", "/rankview/list/",
         "/trainingsessionview/list/", "/trainingparticipantview/list/", "/externaltrainingview/list/",
         "/trainingtopicview/list/", "/jptargetview/list/", "/trainingneedruleview/list/", "/periodview/list/",
         "/organisationratingview/list/", "/auditlogview/list/", "/surveyserviceview/list/",
         "/surveycampaignview/list/"]
VARIANTS = ["/employeeview/list/?psize_EmployeeView=2&page_EmployeeView=1",
            "/employeeview/list/?_oc_EmployeeView=nip&_od_EmployeeView=desc",
            "/employeeview/list/?_flt_2_name=a",
            "/employeeview/list/?_flt_0_name=no-such-name-at-all",
            "/unitview/list/?_flt_0_active=y",
            "/trainingsessionview/list/?_flt_0_status=DIBUKA&_oc_TrainingSessionView=jp&_od_TrainingSessionView=asc"]


def _pages(client, urls):
    return {url: (r.status_code, _normalised(r.data)) for url in urls for r in [client.get(url)]}


@pytest.mark.parametrize("who", ["admin", "analis", "kadis", "kabid", "staff1", "pelatih"])
def test_list_pages_are_byte_equal_to_the_reference_rendering(app, client, org, training_rows, reference, who):
    logout(client)
    login(client, org.username(who))
    shown = 0
    for lang in ("id", "en"):
        client.get(f"/lang/{lang}")
        urls = LISTS + VARIANTS
        fast = _pages(client, urls)
        reference(True)
        slow = _pages(client, urls)
        reference(False)
        again = _pages(client, urls)  # the search boxes now come from the cache
        for url in urls:
            assert fast[url][0] == slow[url][0], url
            assert fast[url][1] == slow[url][1], f"{who} {lang} {url}"
            assert again[url] == fast[url], f"{who} {lang} {url} (cached)"
            if fast[url][0] == 200 and b'class="action_check"' in fast[url][1]:
                shown += 1
    assert shown or who in ("staff1", "kabid", "pelatih", "kadis"), "the page shows rows"


def test_the_comparison_covers_rows_buttons_checkboxes_and_labels(app, client, org, training_rows):
    """The pages compared above include a list with rows, the three buttons and the action checkbox (the
    Pengelola's external trainings) and a translated label column (the sessions' kind)."""
    logout(client)
    login(client, org.username("analis"))
    client.get("/lang/en")
    body = client.get("/externaltrainingview/list/").get_data(as_text=True)
    assert 'class="action_check"' in body and "fa-edit" in body and "execute_single_delete" in body
    body = client.get("/trainingsessionview/list/").get_data(as_text=True)
    assert body.count("<tr>") == 4  # the header and the three sessions
    assert "Socialization" in body or "Sosialisasi" in body


def test_attr_value_reads_like_fab(org):
    employee = org.employees["staff1"]
    for col in ("nip", "full_name", "status_label", "unit", "unit.name", "no_such_column", "unit.no_such"):
        fab = BaseInterface._get_attr_value(employee, col)
        ours = core_views.attr_value(employee, col)
        assert str(ours) == str(fab) and type(ours) is type(fab), col


def test_display_value_translates_a_lazy_label_once(app):
    with app.test_request_context("/"):
        label = _l("Yes")
        assert core_views.display_value(label) == str(label) and isinstance(core_views.display_value(label), str)
        assert core_views.display_value(None) == "—"
        assert core_views.display_value(0) == 0


def test_the_per_request_statements_find_the_person(app, client, org, db):
    """The prebuilt statements of the security manager (load_user, employee row) bind the person of each request:
    two people in turn each see their own scope."""
    sm = app.appbuilder.sm
    staff, head = org.users["staff1"], org.users["kadis"]
    with app.test_request_context("/"):
        assert sm.load_user(str(staff.id)).id == staff.id
        assert sm.load_user(str(head.id)).id == head.id
        assert sm.load_user("999999") is None
    for who in ("staff1", "kadis", "staff1"):
        logout(client)
        login(client, org.username(who))
        body = client.get("/my-profile/", follow_redirects=True).get_data(as_text=True)
        assert org.employees[who].nip in body


def test_scope_statements_with_the_shared_step_alias_are_the_same_sql_and_rows(app, db, org):
    """app/security/scope.py builds the alias of its recursive steps once: the statements compile to the same
    SQL as with a new alias per call, find the same rows, and two of them in one statement stay apart."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from app.organisation.models import Employee, Unit
    from app.security import scope as S

    def fresh_subordinates(supervisor_id):
        chain = select(Employee.id).where(Employee.supervisor_id == supervisor_id).cte("subordinates", recursive=True)
        below = aliased(Employee)
        return select(chain.union(select(below.id).where(below.supervisor_id == chain.c.id)).c.id)

    def fresh_subtree(root_id):
        tree = select(Unit.id).where(Unit.id == root_id).cte("unit_subtree", recursive=True)
        child = aliased(Unit)
        return select(tree.union(select(child.id).where(child.parent_id == tree.c.id)).c.id)

    head, root = org.employees["kadis"], org.units["dinkes"]
    for ours, fresh in ((S.subordinate_ids(head.id), fresh_subordinates(head.id)),
                        (S.unit_subtree_ids(root.id), fresh_subtree(root.id))):
        assert str(ours) == str(fresh)
        rows = sorted(db.session.scalars(ours).all())
        assert rows and rows == sorted(db.session.scalars(fresh).all())
    # both CTEs in one statement (an Atasan who is also a Pimpinan), twice in a row: the same employees
    scope = S.Scope(employee_id=head.id, subordinates_of=head.id, unit_root_id=root.id)
    first = sorted(db.session.scalars(select(Employee.id).where(S.employee_clause(scope))).all())
    again = sorted(db.session.scalars(select(Employee.id).where(S.employee_clause(scope))).all())
    expected = sorted({head.id} | set(db.session.scalars(fresh_subordinates(head.id)))
                      | set(db.session.scalars(select(Employee.id).where(Employee.unit_id.in_(fresh_subtree(root.id))))))
    assert first == again == expected and len(first) > 1


def test_escape_text_escapes_like_markupsafe():
    from markupsafe import Markup, escape

    samples = ["", "Siti", "A & B", "<script>alert('x')</script>", 'say "hi"', "&amp; already", "—", "a\x07b",
               "O'Neil & <Sons> \"Ltd\"", 0, -7, 10 ** 20, True, None, 2.5, Markup("<b>kept</b>"), _l("Yes")]
    for value in samples:
        assert str(core_views.escape_text(value)) == str(escape(value)), value
