"""Screens of the awards (penghargaan).

* ``/award-candidates/?year=&on=&kind=&unit=&page=`` — the candidates of a year (Pengelola Kinerja and Admin:
  the whole city, with the bulk decision form; Pimpinan: their unit subtree, read-only): talent pool and
  competence development from two annual predikat in a row, Satyalancana Karya Satya from the years of
  service on the reference date (``on``, default 17 August of the year, ``AWARD_REFERENCE_MONTH_DAY``);
  the list is read from the stored snapshot of the year (app/awards/derived.py; refreshed when its inputs
  changed, "computed at …" shown; another reference date is computed live); POST ``/award-candidates/refresh``
  (Hitung ulang, ``can_write``): recompute it now; POST ``/award-candidates/decide``: one decision (approved / not approved, decree number and date, notes)
  for every checked candidate, all or nothing.
* ``/awards/?year=&kind=&decision=&page=`` — the decisions in the scope; ``/awards/export/<csv|xlsx>``.
* ``/my-awards/`` — "Penghargaan Saya": the signed-in employee's approved awards.

Permissions: "Award" (``can_read``, ``can_write``, ``can_export``) and "MyAward" (``can_read``). A unit outside
the scope, or a decision on an employee outside it: 404. Refused input: the page again with the message
(422), nothing saved.
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Optional

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from wtforms import Form

from app.core.errors import DomainValidationError, OutOfScope
from app.core.export import to_csv, to_xlsx
from app.core.fields import AjaxSelectField
from app.core.views import template_gettext, current_scope
from app.core.web import is_record_id
from app.extensions import db
from app.organisation.models import Employee, Unit
from app.organisation.rules import full_name
from app.performance.rating import Predikat
from app.security import scope as S

from . import derived, rules, services
from .models import AwardDecision
from .rules import AWARD_LABELS, DECISION_LABELS, AwardKind, Decision

PAGE_SIZE = 50


def _today() -> date:
    from app.performance.services import today_wib

    return today_wib()


def _now():
    from app.performance.services import now_wib

    return now_wib()


def _user():
    from flask import g

    user = g.user
    return user.id, (" ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username)


def _int_arg(name, lo, hi) -> Optional[int]:
    from app.core.web import bounded_int

    return bounded_int(request.values.get(name), lo, hi)


def _page() -> int:
    return _int_arg("page", 1, 100000) or 1


def default_year(today: date) -> int:
    """The last finished year (its annual evaluations are the newest that can be final)."""
    return today.year - 1


def reference_date(year: int) -> date:
    month_day = tuple(current_app.config.get("AWARD_REFERENCE_MONTH_DAY", rules.DEFAULT_REFERENCE_MONTH_DAY))
    return rules.reference_date(year, month_day)


def _on_arg(year: int):
    """(the reference date, an error message or None) from ?on=YYYY-MM-DD, else the year's default."""
    raw = (request.values.get("on") or "").strip()
    if not raw:
        return reference_date(year), None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return reference_date(year), _l("Enter the reference date as YYYY-MM-DD.")


class UnitChoiceForm(Form):
    """The unit picker of the candidate list (a GET form: nothing is written, no CSRF token)."""

    unit = AjaxSelectField(_l("Unit"), kind="unit")


def unit_picker(row) -> UnitChoiceForm:
    form = UnitChoiceForm(meta={"csrf": False})
    form.unit.data = SimpleNamespace(id=row.id, name=row.name, code=row.code) if row is not None else None
    return form


def _unit_arg(scope):
    """The unit (id, name, code) of ?unit=<id>, which must be in the scope (404 outside); None without it."""
    raw = (request.values.get("unit") or "").strip()
    if not raw:
        return None
    if not is_record_id(raw):
        abort(404)
    row = db.session.execute(select(Unit.id, Unit.name, Unit.code).where(Unit.id == int(raw),
                                                                          S.unit_clause(scope))).first()
    if row is None:
        abort(404)
    return row


def predikat_label(code):
    try:
        return Predikat(code).label
    except ValueError:
        return code or ""


def candidate_rows_html(rows, people: dict, decisions: dict, year: int, on: date, can_write: bool,
                        checked=()) -> Markup:
    """The ``<tr>`` rows of the candidate table, as the template's loop rendered them (the same bytes:
    tests/test_awards_rows.py), built in Python: the labels are translated once per page, not once per row (50 rows
    cost ~300 look-ups of a translation through Jinja's runtime)."""
    award = {k: str(label) for k, label in AWARD_LABELS.items()}
    decided = {k: str(label) for k, label in DECISION_LABELS.items()}
    predikat = {p.value: str(p.label) for p in Predikat}
    select_label = template_gettext("Select")
    service = Markup(get_translations().ugettext("%(years)d years %(months)d months of service on %(day)s"))
    decree, not_decided = template_gettext("Decree"), template_gettext("Not decided")
    day, before, current = on.isoformat(), year - 1, year
    checked = set(checked or ())

    def label(code):
        known = predikat.get(code)
        return known if known is not None else escape(code or "")

    out = []
    append = out.append
    for c in rows:
        p = people.get(c.employee_id)
        d = decisions.get((c.employee_id, c.kind.value))
        key = escape(c.key)
        append(f'\n        <tr data-candidate="{key}" data-employee="{c.employee_id}">\n          ')
        if can_write:
            append(f'<td><input type="checkbox" name="candidate" value="{key}"'
                   f'{" checked" if c.key in checked else ""} aria-label="{select_label}"></td>')
        if p:
            append(f'\n          <td>{escape(full_name(p.name, p.front_title, p.back_title))}<br>'
                   f'<small class="text-muted">{escape(p.nip)}</small></td>\n          <td>{escape(p.unit_name)}')
            if p.position_name:
                append(f'<br><small class="text-muted">{escape(p.position_name)}</small>')
            append("</td>")
        else:
            append("\n          <td></td>\n          <td></td>")
        append(f"\n          <td>{award[c.kind]}</td>\n          <td>")
        if c.kind in rules.SATYALANCANA:
            append(service % {"years": c.service_years, "months": c.service_months, "day": day})
        else:
            append(f"{before}: {label(c.previous_predikat)} · {current}: {label(c.predikat)}")
        append("</td>\n          <td>")
        if d:
            css = "label-success" if d.decision == "DISETUJUI" else "label-default"
            append(f'<span class="label {css}">{decided.get(d.decision, "")}</span>')
            if d.decree_number:
                append(f"<br><small>{decree} {escape(d.decree_number)}")
                if d.decree_date:
                    append(f", {d.decree_date.isoformat()}")
                append("</small>")
        else:
            append(f'<span class="text-muted">{not_decided}</span>')
        append("</td>\n        </tr>\n      ")
    return Markup("".join(out))


def candidate_page(year: int, on: date, scope, unit_id=None, kind=None, page: int = 1, page_size: int = PAGE_SIZE):
    """(CandidatePage, computed_at): from the stored snapshot (refreshed first when its inputs changed) for the
    year's default reference date; computed live (computed_at None) for another date."""
    if on != reference_date(year):
        return services.candidate_page(db.session, year, on, scope, unit_id, kind, page, page_size), None
    computed_at = derived.ensure_fresh(db.session, year, on, _now(),
                                       check_every=current_app.config.get("DERIVED_CHECK_SECONDS", 0))
    return derived.candidate_page(db.session, year, on, scope, unit_id, kind, page, page_size), computed_at


class AwardCandidateView(BaseView):
    """Kandidat penghargaan of a year, and the Pengelola's bulk decision on them."""

    route_base = "/award-candidates"
    class_permission_name = "Award"
    method_permission_name = {"index": "read", "decide": "write", "refresh": "write"}
    default_view = "index"

    def _render(self, status=200, errors=None, form=None):
        scope = current_scope()
        today = _today()
        year = _int_arg("year", rules.YEAR_MIN, rules.YEAR_MAX) or default_year(today)
        on, on_error = _on_arg(year)
        unit = _unit_arg(scope)
        unit_id = unit.id if unit is not None else None
        kind = request.values.get("kind") or None
        kind = kind if kind in AwardKind.__members__ else None
        page = _page()
        found, computed_at = candidate_page(year, on, scope, unit_id, kind, page, PAGE_SIZE)
        listed = found.counts.get(AwardKind(kind), 0) if kind else found.total
        pages = max(1, -(-listed // PAGE_SIZE))
        if page > pages:  # past the end: the last page
            page = pages
            found, computed_at = candidate_page(year, on, scope, unit_id, kind, page, PAGE_SIZE)
        shown = found.candidates
        people = found.people if found.people is not None else \
            services.employee_rows(db.session, [c.employee_id for c in shown])
        errors = dict(errors or {})
        if on_error:
            errors.setdefault("on", str(on_error))
        picker = unit_picker(unit)
        can_write = self.appbuilder.sm.has_access("can_write", "Award")
        context = dict(
            title=_l("Award candidates"), year=year, on=on, kind=kind, unit_id=unit_id, picker=picker,
            counts=found.counts, total=found.total, rows=shown, people=people,
            decisions=found.decisions, page=page, pages=pages, award_labels=AWARD_LABELS,
            decision_labels=DECISION_LABELS, errors=errors, form=form or {}, full_name=full_name,
            predikat_label=predikat_label, satyalancana=rules.SATYALANCANA, computed_at=computed_at,
            can_write=can_write,
            candidate_rows=candidate_rows_html(shown, people, found.decisions, year, on, can_write,
                                               (form or {}).get("candidate", [])),
            can_choose_unit=scope.everything or bool(scope.unit_root_id), today=today,
            years=sorted({*services.annual_years(db.session), default_year(today), year}, reverse=True))
        return self.render_template("portal/awards/candidates.html", **context), status

    @expose("/")
    @has_access
    def index(self):
        return self._render()

    @expose("/decide", methods=["POST"])
    @has_access
    def decide(self):
        form = request.form
        year = _int_arg("year", rules.YEAR_MIN, rules.YEAR_MAX)
        raw_date = (form.get("decree_date") or "").strip()
        keys = form.getlist("candidate")
        kept = {"candidate": keys, "decision": form.get("decision", ""), "decree_number": form.get("decree_number", ""),
                "decree_date": raw_date, "notes": form.get("notes", "")}
        try:
            if year is None:
                raise DomainValidationError({"year": _l("Choose a year.")})
            on, on_error = _on_arg(year)
            if on_error:
                raise DomainValidationError({"on": on_error})
            try:
                decree_date = date.fromisoformat(raw_date) if raw_date else None
            except ValueError:
                raise DomainValidationError({"decree_date": _l("Enter the date as YYYY-MM-DD.")}) from None
            user_id, user_name = _user()
            result = services.decide(db.session, year=year, on=on, keys=keys, decision=form.get("decision"),
                                     decree_number=form.get("decree_number"), decree_date=decree_date,
                                     notes=form.get("notes"), scope=current_scope(), today=_today(),
                                     user_id=user_id, user_name=user_name, now=_now())
        except OutOfScope:
            db.session.rollback()
            abort(404)
        except DomainValidationError as exc:
            db.session.rollback()
            return self._render(422, errors={k: str(v) for k, v in exc.errors.items()}, form=kept)
        flash(_("%(n)d decisions saved (%(new)d new, %(changed)d changed).", n=result.created + result.updated,
                new=result.created, changed=result.updated), "success")
        args = {k: form.get(k) for k in ("year", "on", "kind", "unit", "page") if form.get(k)}
        return redirect(url_for("AwardCandidateView.index", **args))


    @expose("/refresh", methods=["POST"])
    @has_access
    def refresh(self):
        """Hitung ulang: recompute the stored candidates of the year (the default reference date) now."""
        year = _int_arg("year", rules.YEAR_MIN, rules.YEAR_MAX)
        if year is None:
            flash(_("Choose a year."), "danger")
            return redirect(url_for("AwardCandidateView.index"))
        try:
            derived.refresh(db.session, year, reference_date(year), _now())
        except (IntegrityError, OperationalError):
            db.session.rollback()
            flash(_("The candidates are being recomputed by someone else. Reload the list in a moment."), "warning")
        else:
            flash(_("The candidates of %(year)d were recomputed.", year=year), "success")
        args = {k: request.form.get(k) for k in ("kind", "unit") if request.form.get(k)}
        return redirect(url_for("AwardCandidateView.index", year=year, **args))


def _decision_rows(rows):
    for r in rows:
        yield [r.year, str(AWARD_LABELS.get(r.kind, r.kind)), r.nip, full_name(r.name, r.front_title, r.back_title),
               r.unit_name, str(DECISION_LABELS.get(r.decision, r.decision)), r.decree_number or "",
               r.decree_date, r.reason or "", r.notes or "", r.decided_by_name or ""]


def _filters():
    year = _int_arg("year", rules.YEAR_MIN, rules.YEAR_MAX)
    kind = request.args.get("kind") if request.args.get("kind") in AwardKind.__members__ else None
    decision = request.args.get("decision") if request.args.get("decision") in Decision._value2member_map_ else None
    return year, kind, decision


def _decision_scope(scope):
    """``services.award_scope_clause`` on the decision's employee; on PostgreSQL the unit subtree as
    ``= ANY(ARRAY(subquery))``: an index condition on the employees' unit (a Pimpinan's ~1,100 employees), where
    ``IN (subquery)`` hashed every employee and every decision of the city. The same rows."""
    from sqlalchemy import any_

    if scope.everything or not scope.unit_root_id or db.engine.dialect.name != "postgresql":
        return services.award_scope_clause(scope)
    return Employee.unit_id == any_(func.array(S.unit_subtree_ids(scope.unit_root_id).scalar_subquery()))


def _decision_filters(year, kind, decision) -> list:
    wanted = []
    if year is not None:
        wanted.append(AwardDecision.year == year)
    if kind in AwardKind.__members__:
        wanted.append(AwardDecision.kind == kind)
    if decision in Decision._value2member_map_:
        wanted.append(AwardDecision.decision == decision)
    return wanted


def decision_page(scope, year=None, kind=None, decision=None, page: int = 1, page_size: int = PAGE_SIZE):
    """(rows, total): one page of ``services.decisions_query`` (same rows, same order) and how many rows it has, in
    one statement. The page's ids are sorted on narrow rows (year, kind, the employee's name, id) and only those
    rows are read in full; the count reads the decisions alone for the whole city (every decision has an employee
    and every employee a unit: the joins drop nothing), else joined to the employees in scope. The whole city's
    list: two statements of 17 and 36 ms (9,231 decisions joined to 15,000 employees, then sorted whole) → one."""
    wanted = _decision_filters(year, kind, decision)
    in_scope = [] if scope.everything else [_decision_scope(scope)]
    counted = select(func.count()).select_from(AwardDecision).where(*wanted)
    if in_scope:
        counted = counted.join(Employee, Employee.id == AwardDecision.employee_id).where(*in_scope)
    order = (AwardDecision.year.desc(), AwardDecision.kind, Employee.name, AwardDecision.id)
    ids = (select(AwardDecision.id).join(Employee, Employee.id == AwardDecision.employee_id)
           .where(*wanted, *in_scope).order_by(*order).offset((max(page, 1) - 1) * page_size).limit(page_size)
           .subquery("decision_page"))
    query = (services.decisions_query(S.Scope(everything=True)).add_columns(
                 counted.scalar_subquery().label("total"))
             .join(ids, ids.c.id == AwardDecision.id))
    rows = db.session.execute(query).all()
    if rows:
        return rows, int(rows[0].total)
    return [], int(db.session.scalar(counted) or 0)


def decided_years(scope) -> list:
    """``services.decided_years`` (the years with decisions in the scope, newest first): the whole city from the
    decisions alone, a scope joined to its employees (``_decision_scope``)."""
    query = select(AwardDecision.year).distinct().order_by(AwardDecision.year.desc())
    if not scope.everything:
        query = query.join(Employee, Employee.id == AwardDecision.employee_id).where(_decision_scope(scope))
    return list(db.session.scalars(query))


class AwardDecisionView(BaseView):
    """Penghargaan: the decisions in the scope, filtered and exported."""

    route_base = "/awards"
    class_permission_name = "Award"
    method_permission_name = {"index": "read", "export": "export"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        year, kind, decision = _filters()
        page = _page()
        rows, total = decision_page(scope, year, kind, decision, page)
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:  # past the end: the last page
            page = pages
            rows, total = decision_page(scope, year, kind, decision, page)
        return self.render_template("portal/awards/decisions.html", title=_l("Awards"), rows=rows, total=total,
                                    page=page, pages=pages, year=year, kind=kind, decision=decision,
                                    years=decided_years(scope), award_labels=AWARD_LABELS,
                                    decision_labels=DECISION_LABELS, full_name=full_name,
                                    can_export=self.appbuilder.sm.has_access("can_export", "Award"))

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt):
        if fmt not in ("csv", "xlsx"):
            abort(404)
        year, kind, decision = _filters()
        rows = db.session.execute(services.decisions_query(current_scope(), year, kind, decision)).all()
        headers = [_("Year"), _("Award"), _("NIP"), _("Name"), _("Unit"), _("Decision"), _("Decree number"),
                   _("Decree date"), _("Reason"), _("Notes"), _("Decided by")]
        name = f"penghargaan-{_today().isoformat()}.{fmt}"
        if fmt == "csv":
            body, mimetype = to_csv(headers, _decision_rows(rows)), "text/csv; charset=utf-8"
        else:
            body = to_xlsx(headers, _decision_rows(rows), sheet_title="Penghargaan")
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response


class MyAwardsView(BaseView):
    """Penghargaan Saya: the signed-in employee's approved awards."""

    route_base = "/my-awards"
    class_permission_name = "MyAward"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        employee_id, _unit = self.appbuilder.sm.current_employee()
        rows = services.my_awards(db.session, employee_id)
        return self.render_template("portal/awards/mine.html", title=_l("My awards"), rows=rows,
                                    has_employee=bool(employee_id))
