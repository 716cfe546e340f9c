"""Screens of the socialization material.

Readers (every signed-in person; permission "Material"):

* ``/materials/``                         — "Materi Sosialisasi": the material published to me, unread and new
                                            versions first, with a category filter;
* ``/materials/<pk>``                     — the reader page: the current version (sanitised HTML), its files,
                                            and "Saya sudah membaca dan memahami" (POST ``/materials/<pk>/acknowledge``
                                            with the version read; a newer version asks again);
* ``/materials/<pk>/files/<file_id>``     — a file of the material, always as a download.

Managers (Admin, Pengelola Kinerja; permission "MaterialAdmin"):

* ``/material-admin/``                    — every material with its publication state;
* ``/material-admin/new``                 — write and publish a material (first version, files, audience, dates);
* ``/material-admin/<pk>``                — its versions, audience and dates;
* ``/material-admin/<pk>/version``        — publish a new version (change note required);
* ``/material-admin/<pk>/settings``       — category, audience, publication dates (no new version).

Reach (Admin, Pengelola Kinerja: the whole city; Pimpinan: their unit subtree; permission "MaterialReach"):

* ``/material-reach/``                    — the published materials;
* ``/material-reach/<pk>?unit=<id>``      — audience, acknowledged and percent per unit below the chosen unit;
* ``/material-reach/<pk>/unread?unit=``   — who has not acknowledged the current version (50 a page), and
  ``/material-reach/<pk>/unread/export/<csv|xlsx>`` the same list as a file.

A material outside what the person may see, a unit outside their scope, a file of another material:
404. Refused input re-renders the form with the messages beside their fields (422), nothing saved.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import DomainValidationError
from app.core.export import to_csv, to_xlsx
from app.core.uploads import FileStore, send_stored
from app.core.views import current_scope
from app.core.web import is_record_id, record_id_or_404
from app.extensions import db
from app.organisation.models import Unit
from app.organisation.rules import full_name
from app.security import scope as S

from . import rules, services
from .models import Material
from .rules import AUDIENCE_LABELS, AUDIENCE_ROLES, CATEGORY_LABELS, READING_LABELS, ROLE_LABELS, Audience, Category

UNREAD_PAGE_SIZE = 50


# --- who is reading --------------------------------------------------------------------------------------------

def current_reader() -> services.Reader:
    """The signed-in person as a ``services.Reader`` (cached on the request itself: an app context, and its
    ``g``, may be shared by several requests in tests and scripts)."""
    cached = getattr(request, "_material_reader", None)
    if cached is not None:
        return cached
    sm = current_app.appbuilder.sm
    user = g.user
    if user is None or not getattr(user, "is_authenticated", False):
        reader = services.Reader(user_id=None)
    else:
        employee_id, unit_id = sm.current_employee()
        names = frozenset(r.name for r in sm.get_user_roles(user))
        display = " ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username
        reader = services.Reader(user_id=user.id, user_name=display, employee_id=employee_id, unit_id=unit_id,
                                 role_names=names, manager=sm.has_access("can_write", "MaterialAdmin"))
    request._material_reader = reader
    return reader


def today() -> date:
    from app.performance.services import today_wib

    return today_wib()


def _now():
    from app.performance.services import now_wib

    return now_wib()


def _store() -> FileStore:
    return FileStore(current_app.config["UPLOAD_DIR"])


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100000 else 1


def _date(value) -> Optional[date]:
    raw = (value or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(raw) from None


def material_input(form, with_content=True, with_settings=True) -> services.MaterialInput:
    """The posted editor form as ``MaterialInput``; an unreadable date raises DomainValidationError."""
    data = services.MaterialInput()
    errors = {}
    if with_content:
        data.title = form.get("title", "")
        data.body = form.get("body", "")
        data.change_note = form.get("change_note", "")
    if with_settings:
        data.category = (form.get("category") or "").strip()
        data.audience = (form.get("audience") or "").strip()
        data.unit_ids = [int(u) for u in form.getlist("units") if is_record_id(u)]
        if any(not is_record_id(u) for u in form.getlist("units") if u):
            errors["units"] = _l("Invalid choice: the unit does not exist.")
        data.roles = [r for r in form.getlist("roles") if r]
        for key in ("published_from", "published_until"):
            try:
                setattr(data, key, _date(form.get(key)))
            except ValueError:
                errors[key] = _l("Enter the date as YYYY-MM-DD.")
    if errors:
        raise DomainValidationError(errors)
    return data


def _uploads():
    return [(f.stream, f.filename) for f in request.files.getlist("files") if f is not None and f.filename]


def _errors(exc: DomainValidationError) -> dict:
    return {k: str(v) for k, v in exc.errors.items()}


# --- readers ----------------------------------------------------------------------------------------------------

class MaterialView(BaseView):
    """Materi Sosialisasi: the material published to me, the reader page, acknowledging, files."""

    route_base = "/materials"
    class_permission_name = "Material"
    method_permission_name = {"index": "read", "show": "read", "download": "read", "acknowledge": "acknowledge"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        reader = current_reader()
        category = request.args.get("category") or None
        if category is not None and category not in Category.__members__:
            category = None
        items = services.reader_list(db.session, reader, today(), category)
        unread = sum(1 for i in items if i.state != rules.ReadingState.READ)
        return self.render_template("portal/socialization/list.html", title=_l("Socialization material"),
                                    items=items, unread=unread, category=category, categories=CATEGORY_LABELS,
                                    reading_labels=READING_LABELS, has_employee=bool(reader.employee_id),
                                    excerpt=rules.excerpt)

    def _get(self, pk) -> Material:
        material = services.get_visible(db.session, current_reader(), record_id_or_404(pk), today())
        if material is None or material.current_version is None:
            abort(404)
        return material

    def _page(self, material, status=200, errors=None):
        reader = current_reader()
        version = material.current_version
        acks = services.acknowledgements_of(db.session, reader.employee_id, [material.id]).get(material.id, {})
        item = services.reader_item(material, acks, today())
        published = rules.is_published(material.published_from, material.published_until, today())
        in_audience = published and db.session.scalar(select(Material.id).where(
            Material.id == material.id, services.audience_clause_for_reader(reader))) is not None
        return self.render_template(
            "portal/socialization/show.html", title=_l("Socialization material: %(title)s", title=version.title),
            material=material, version=version, item=item,
            files=version.files, errors=errors or {}, reading_labels=READING_LABELS,
            can_acknowledge=bool(reader.employee_id) and in_audience and item.state != rules.ReadingState.READ,
            in_audience=in_audience, published=published, manager=reader.manager,
            has_employee=bool(reader.employee_id)), status

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        return self._page(self._get(pk))

    @expose("/<pk>/acknowledge", methods=["POST"])
    @has_access
    def acknowledge(self, pk):
        material = self._get(pk)
        reader = current_reader()
        published = rules.is_published(material.published_from, material.published_until, today())
        in_audience = published and db.session.scalar(select(Material.id).where(
            Material.id == material.id, services.audience_clause_for_reader(reader))) is not None
        if not in_audience:
            flash(_("This material is not published to you: there is nothing to confirm."), "warning")
            return redirect(url_for("MaterialView.show", pk=material.id))
        try:
            done = services.acknowledge(db.session, reader, material, request.form.get("version"), _now())
        except DomainValidationError as exc:
            db.session.rollback()
            if "employee" in exc.errors:
                flash(str(exc.errors["employee"]), "warning")
                return redirect(url_for("MaterialView.show", pk=material.id))
            return self._page(self._get(pk), 422, errors=_errors(exc))
        if done:
            flash(_("Thank you: your reading of version %(number)d is recorded.",
                    number=material.current_version.number), "success")
        else:
            flash(_("You had already confirmed this version."), "info")
        return redirect(url_for("MaterialView.show", pk=material.id))

    @expose("/<pk>/files/<file_id>")
    @has_access
    def download(self, pk, file_id):
        material = self._get(pk)
        item = services.file_for_download(db.session, material, record_id_or_404(file_id), current_reader().manager)
        if item is None:
            abort(404)
        try:
            return send_stored(_store(), item)
        except (FileNotFoundError, OSError):
            abort(404)


# --- managers -----------------------------------------------------------------------------------------------------

def _form_context(form: dict, material: Optional[Material] = None) -> dict:
    """What the editor shows: the vocabularies and the chosen units with their names."""
    unit_ids = [int(u) for u in form.get("units", []) if is_record_id(u)]
    units = db.session.execute(select(Unit.id, Unit.name, Unit.code).where(Unit.id.in_(unit_ids))
                               .order_by(Unit.name)).all() if unit_ids else []
    return {"categories": CATEGORY_LABELS, "audiences": AUDIENCE_LABELS, "audience_roles": AUDIENCE_ROLES,
            "role_labels": ROLE_LABELS, "chosen_units": units, "form": form, "material": material,
            "body_max": rules.BODY_MAX, "title_max": rules.TITLE_MAX, "note_max": rules.NOTE_MAX,
            "files_max": rules.FILES_MAX, "file_kinds": ", ".join(services.FILE_KINDS)}


def _settings_form(material: Material) -> dict:
    return {"category": material.category, "audience": material.audience,
            "units": [str(a.unit_id) for a in material.audience_units],
            "roles": [a.role for a in material.audience_roles],
            "published_from": material.published_from.isoformat() if material.published_from else "",
            "published_until": material.published_until.isoformat() if material.published_until else ""}


def _posted_form() -> dict:
    form = {k: request.form.get(k, "") for k in ("title", "body", "change_note", "category", "audience",
                                                  "published_from", "published_until")}
    form["units"] = request.form.getlist("units")
    form["roles"] = request.form.getlist("roles")
    form["keep_files"] = request.form.getlist("keep_files")
    return form


def publication_state(material: Material, day: date):
    if day < material.published_from:
        return "scheduled", _l("Scheduled")
    if material.published_until is not None and day > material.published_until:
        return "ended", _l("Ended")
    return "published", _l("Published")


class MaterialAdminView(BaseView):
    """Kelola materi sosialisasi: write, publish new versions, set audience and dates."""

    route_base = "/material-admin"
    class_permission_name = "MaterialAdmin"
    method_permission_name = {"index": "read", "show": "read", "add": "write", "new_version": "write",
                              "settings": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        materials = db.session.scalars(select(Material)).unique().all()
        day = today()
        materials.sort(key=lambda m: (m.category, m.title.lower()))
        return self.render_template("portal/socialization/admin_list.html", title=_l("Manage socialization material"),
                                    materials=materials, state=lambda m: publication_state(m, day),
                                    can_write=self.appbuilder.sm.has_access("can_write", "MaterialAdmin"),
                                    can_reach=self.appbuilder.sm.has_access("can_read", "MaterialReach"))

    def _get(self, pk) -> Material:
        material = services.load_for_admin(db.session, record_id_or_404(pk))
        if material is None:
            abort(404)
        return material

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        material = self._get(pk)
        chosen = request.args.get("version", "")
        version = next((v for v in material.versions if str(v.id) == chosen), None) or material.current_version
        return self.render_template("portal/socialization/admin_show.html",
                                    title=_l("Socialization material: %(title)s", title=material.title), material=material,
                                    version=version, state=publication_state(material, today()),
                                    role_labels=ROLE_LABELS,
                                    can_write=self.appbuilder.sm.has_access("can_write", "MaterialAdmin"),
                                    can_reach=self.appbuilder.sm.has_access("can_read", "MaterialReach"))

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def add(self):
        if request.method == "GET":
            form = {"category": Category.OTHER.value, "audience": Audience.ALL.value,
                    "published_from": today().isoformat(), "units": [], "roles": []}
            return self.render_template("portal/socialization/edit.html", title=_l("New socialization material"),
                                        mode="new", errors={}, **_form_context(form))
        form = _posted_form()
        try:
            data = material_input(request.form)
            material = services.create_material(db.session, current_reader(), data, _uploads(), _store(), _now())
        except DomainValidationError as exc:
            db.session.rollback()
            return self.render_template("portal/socialization/edit.html", title=_l("New socialization material"),
                                        mode="new", errors=_errors(exc), **_form_context(form)), 422
        flash(_("The material was published (version 1)."), "success")
        return redirect(url_for("MaterialAdminView.show", pk=material.id))

    @expose("/<pk>/version", methods=["GET", "POST"])
    @has_access
    def new_version(self, pk):
        material = self._get(pk)
        title = _l("New version: %(title)s", title=material.title)
        current = material.current_version
        if request.method == "GET":
            form = {"title": current.title, "body": current.body_html, "change_note": "",
                    "keep_files": [str(f.id) for f in current.files]}
            return self.render_template("portal/socialization/edit.html", title=title, mode="version", errors={},
                                        current_files=current.files, **_form_context(form, material))
        form = _posted_form()
        try:
            data = material_input(request.form, with_settings=False)
            version = services.publish_version(db.session, current_reader(), material, data,
                                               request.form.getlist("keep_files"), _uploads(), _store(), _now())
        except DomainValidationError as exc:
            db.session.rollback()
            material = self._get(pk)
            return self.render_template("portal/socialization/edit.html", title=title, mode="version",
                                        errors=_errors(exc), current_files=material.current_version.files,
                                        **_form_context(form, material)), 422
        flash(_("Version %(number)d was published. Readers are asked to confirm it again.", number=version.number),
              "success")
        return redirect(url_for("MaterialAdminView.show", pk=material.id))

    @expose("/<pk>/settings", methods=["GET", "POST"])
    @has_access
    def settings(self, pk):
        material = self._get(pk)
        title = _l("Audience and publication: %(title)s", title=material.title)
        if request.method == "GET":
            return self.render_template("portal/socialization/edit.html", title=title, mode="settings", errors={},
                                        **_form_context(_settings_form(material), material))
        form = _posted_form()
        try:
            data = material_input(request.form, with_content=False)
            services.update_settings(db.session, current_reader(), material, data)
        except DomainValidationError as exc:
            db.session.rollback()
            return self.render_template("portal/socialization/edit.html", title=title, mode="settings",
                                        errors=_errors(exc), **_form_context(form, self._get(pk))), 422
        flash(_("The audience and publication dates were saved."), "success")
        return redirect(url_for("MaterialAdminView.show", pk=material.id))


# --- reach ----------------------------------------------------------------------------------------------------------

def reach_material(pk) -> Material:
    """The material whose reach is asked for, if the viewer may see its reach (404 otherwise)."""
    material = db.session.scalars(select(Material).where(
        Material.id == record_id_or_404(pk), services.reach_material_clause(current_scope(), today()))).first()
    if material is None or material.current_version is None:
        abort(404)
    return material


def reach_root(scope) -> tuple:
    """(unit id or None, its name) of the unit the report starts from: ?unit=<id> in the scope (404
    outside), else the Pimpinan's own unit, else the top of the tree (whole-city viewers)."""
    raw = request.args.get("unit", "").strip()
    if raw:
        unit_id = record_id_or_404(raw)
        row = db.session.execute(select(Unit.id, Unit.name).where(Unit.id == unit_id, S.unit_clause(scope))).first()
        if row is None:
            abort(404)
        return row.id, row.name
    if not scope.everything:
        if not scope.unit_root_id:
            abort(404)
        row = db.session.execute(select(Unit.id, Unit.name).where(Unit.id == scope.unit_root_id)).first()
        return row.id, row.name
    roots = services.root_units(db.session)
    if len(roots) == 1:
        return roots[0].id, roots[0].name
    return None, ""


def whole_city(scope, root_id) -> bool:
    """True when the report starts from the city's only top unit for a whole-city viewer (no ``?unit=``):
    every unit lies under it, so its reach needs no subtree clause and every unit is its tree."""
    return scope.everything and root_id is not None and not request.args.get("unit", "").strip()


def _unread_rows(rows):
    for r in rows:
        yield [r.nip, full_name(r.name, r.front_title, r.back_title), r.unit_name, r.position_name or ""]


class MaterialReachView(BaseView):
    """Jangkauan materi: who has read and confirmed each material, per unit."""

    route_base = "/material-reach"
    class_permission_name = "MaterialReach"
    method_permission_name = {"index": "read", "show": "read", "unread": "read", "export": "export"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        query = select(Material).where(services.reach_material_clause(current_scope(), today()))
        materials = sorted(db.session.scalars(query).unique().all(), key=lambda m: (m.category, m.title.lower()))
        return self.render_template("portal/socialization/reach_index.html", title=_l("Reach of socialization material"),
                                    materials=materials, state=lambda m: publication_state(m, today()))

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        material = reach_material(pk)
        scope = current_scope()
        root_id, root_name = reach_root(scope)
        whole = whole_city(scope, root_id)
        if root_id is None:  # several trees: one row per top unit, under a virtual root 0
            counts = services.reach_counts(db.session, material, scope)
            tree = db.session.execute(select(Unit.id, Unit.parent_id, Unit.name)).all()
            parent_of = {u.id: (u.parent_id if u.parent_id is not None else 0) for u in tree}
            names = {u.id: u.name for u in tree}
            names[0] = str(_l("Whole city"))
            reach = rules.branch_reach(counts, 0, parent_of, names)
        else:
            # the city's only top unit: every unit, no recursive subtree (branch_reach leaves out any unit that
            # is not under the root, as the subtree clause did)
            counts = services.reach_counts(db.session, material, scope, None if whole else root_id)
            tree = db.session.execute(select(Unit.id, Unit.parent_id, Unit.name)).all() if whole \
                else services.unit_tree(db.session, root_id)
            parent_of = {u.id: u.parent_id for u in tree}
            names = {u.id: u.name for u in tree}
            reach = rules.branch_reach(counts, root_id, parent_of, names,
                                       own_staff_label=str(_l("%(unit)s (own staff)", unit=root_name)))
        parent = None
        if root_id is not None and not whole and (scope.everything or root_id != scope.unit_root_id):
            parent_id = parent_of.get(root_id)
            if parent_id is None:
                parent_id = db.session.scalar(select(Unit.parent_id).where(Unit.id == root_id))
            if parent_id is not None and db.session.scalar(select(Unit.id).where(
                    Unit.id == parent_id, S.unit_clause(scope))) is not None:
                parent = parent_id
        return self.render_template("portal/socialization/reach.html",
                                    title=_l("Reach: %(title)s", title=material.title), material=material,
                                    version=material.current_version, reach=reach, root_id=root_id,
                                    root_name=root_name or str(_l("Whole city")), parent_id=parent,
                                    can_export=self.appbuilder.sm.has_access("can_export", "MaterialReach"))

    @expose("/<pk>/unread")
    @has_access
    def unread(self, pk):
        material = reach_material(pk)
        scope = current_scope()
        root_id, root_name = reach_root(scope)
        page = _page_arg()
        total, rows = services.unread_page(db.session, material, scope, root_id, page, UNREAD_PAGE_SIZE)
        pages = max(1, -(-total // UNREAD_PAGE_SIZE))
        if page > pages:
            page = pages
            total, rows = services.unread_page(db.session, material, scope, root_id, page, UNREAD_PAGE_SIZE)
        return self.render_template("portal/socialization/unread.html",
                                    title=_l("Not read yet: %(title)s", title=material.title), material=material,
                                    version=material.current_version, rows=rows, total=total, page=page,
                                    pages=pages, root_id=root_id, root_name=root_name or str(_l("Whole city")),
                                    full_name=full_name,
                                    can_export=self.appbuilder.sm.has_access("can_export", "MaterialReach"))

    @expose("/<pk>/unread/export/<fmt>")
    @has_access
    def export(self, pk, fmt):
        if fmt not in ("csv", "xlsx"):
            abort(404)
        material = reach_material(pk)
        scope = current_scope()
        root_id, _name = reach_root(scope)
        rows = db.session.execute(services.unread_query(material, scope, root_id)).all()
        headers = [_("NIP"), _("Name"), _("Unit"), _("Position")]
        name = f"belum-membaca-{material.id}-v{material.current_version.number}-{today().isoformat()}.{fmt}"
        if fmt == "csv":
            body, mimetype = to_csv(headers, _unread_rows(rows)), "text/csv; charset=utf-8"
        else:
            body = to_xlsx(headers, _unread_rows(rows), sheet_title="Belum membaca")
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
