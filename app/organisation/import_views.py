"""The import page: upload a CSV/XLSX of units, positions or employees; see every problem by line and
column, or a summary of what was written. Blank templates per kind for download."""
from __future__ import annotations

from flask import Response, abort, current_app, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from app.extensions import db

from . import importing

TEMPLATE_NAMES = {"units": "unit-kerja", "positions": "jabatan", "employees": "pegawai"}
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ImportForm(FlaskForm):
    kind = SelectField(_l("What to import"), choices=[(k, importing.KIND_LABELS[k]) for k in importing.KINDS])
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired(message=_l("Choose a file to upload."))])


class ImportView(BaseView):
    """Impor data: bulk import of master data (Admin only)."""

    route_base = "/import"
    class_permission_name = "Import"
    method_permission_name = {"form": "write", "template": "write"}
    default_view = "form"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def form(self):
        form = ImportForm()
        if request.method == "GET" and request.args.get("kind") in importing.KINDS:
            form.kind.data = request.args["kind"]
        result = file_error = None
        if form.validate_on_submit():
            result, file_error = self._run(form.kind.data, form.file.data)
        return self.render_template("portal/import.html", form=form, result=result, file_error=file_error,
                                    kinds=importing.KINDS, kind_labels=importing.KIND_LABELS,
                                    columns=importing.COLUMNS, title=_l("Import data"))

    def _run(self, kind, upload):
        max_bytes = int(current_app.config.get("IMPORT_MAX_BYTES", importing.DEFAULT_MAX_BYTES))
        max_rows = int(current_app.config.get("IMPORT_MAX_ROWS", importing.DEFAULT_MAX_ROWS))
        data = upload.stream.read(max_bytes + 1)
        try:
            result = importing.import_file(db.session, kind, data, max_rows=max_rows, max_bytes=max_bytes,
                                           commit=False)
        except importing.ImportFileError as exc:
            return None, exc.message
        if result.ok:
            try:
                if kind == "employees":
                    # New supervisors get the Atasan role (and former ones lose it) in the same transaction.
                    from app.accounts.services import sync_roles

                    sync_roles(self.appbuilder.sm)  # commits the import together with the roles
                else:
                    db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        return result, None

    @expose("/template/<string:kind>/<string:fmt>")
    @has_access
    def template(self, kind, fmt):
        if kind not in importing.KINDS or fmt not in MIMETYPES:
            abort(404)
        body = importing.template_csv(kind) if fmt == "csv" else importing.template_xlsx(kind)
        response = Response(body, mimetype=MIMETYPES[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="template-{TEMPLATE_NAMES[kind]}.{fmt}"'
        return response
