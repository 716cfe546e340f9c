"""Search-as-you-type choice of a related record (employee, unit, position) for any form.

The form renders only the current choice; the browser asks a scoped lookup endpoint
(``/lookup/<kind>?q=…``) as the user types (select2 with AJAX, served from FAB's own static files).
On submit the chosen id is loaded and checked against the same scope, so a forged id is refused.
"""
from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.validators import ValidationError
from flask_babel import lazy_gettext as _l


class AjaxSelectWidget:
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        attrs = {
            "class": "form-control portal-ajax-select",
            "name": field.name,
            "id": kwargs["id"],
            "data-url": url_for("LookupView.lookup", kind=field.kind),
            "data-placeholder": str(_l("Type to search…")),
            "data-allow-clear": "true" if field.allow_blank else "false",
        }
        if field.flags.required:
            attrs["required"] = "required"
        html = ["<select " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">"]
        html.append('<option value=""></option>')
        if field.data is not None:
            html.append(f'<option value="{escape(field.data.id)}" selected>{escape(field.label_for(field.data))}'
                        "</option>")
        html.append("</select>")
        return Markup("".join(html))


class AjaxSelectField(Field):
    """A relationship field whose choices come from a scoped lookup endpoint.

    ``kind`` names the lookup (see ``app.organisation.lookups.LOOKUPS``), which knows the model, the
    scope clause and the label of each option.
    """

    widget = AjaxSelectWidget()

    def __init__(self, label=None, validators=None, kind=None, allow_blank=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = kind
        self.allow_blank = allow_blank
        self._formdata_pk = None

    @property
    def lookup(self):
        from app.core.lookups import get_lookup

        return get_lookup(self.kind)

    def label_for(self, obj) -> str:
        return self.lookup.label(obj)

    def process_formdata(self, valuelist):
        if valuelist:
            raw = (valuelist[0] or "").strip()
            if not raw:
                self.data = None
                return
            from app.core.web import is_record_id

            if not is_record_id(raw):  # digits only, within the id range (a huge number was a 500)
                self.data = None
                self._formdata_pk = raw
                raise ValueError(_l("Invalid choice"))
            self._formdata_pk = int(raw)
            self.data = self.lookup.get_in_scope(self._formdata_pk)
            if self.data is None:
                raise ValueError(_l("Invalid choice: the record does not exist or is outside your access"))

    def pre_validate(self, form):
        if self.data is None and not self.allow_blank and self._formdata_pk is None:
            raise ValidationError(_l("This field is required."))


# --- several records: the same scoped lookups in select2's multiple mode (e.g. the target units of a training
# session). Only the chosen records are rendered; each posted id is re-checked against the lookup's scope.

MAX_CHOICES = 200


class AjaxMultiSelectWidget:
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        attrs = {
            "class": "form-control portal-ajax-select",
            "name": field.name,
            "id": kwargs["id"],
            "multiple": "multiple",
            "data-url": url_for("LookupView.lookup", kind=field.kind),
            "data-placeholder": str(_l("Type to search…")),
            "data-allow-clear": "true",
        }
        html = ["<select " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">"]
        for obj in field.data or []:
            html.append(f'<option value="{escape(obj.id)}" selected>{escape(field.lookup.label(obj))}</option>')
        html.append("</select>")
        return Markup("".join(html))


class AjaxMultiSelectField(Field):
    widget = AjaxMultiSelectWidget()

    def __init__(self, label=None, validators=None, kind=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = kind

    @property
    def lookup(self):
        from app.core.lookups import get_lookup

        return get_lookup(self.kind)

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        from app.core.web import is_record_id

        chosen, seen = [], set()
        raw_values = [v.strip() for v in valuelist if v and v.strip()]
        if len(raw_values) > MAX_CHOICES:
            self.data = []
            raise ValueError(_l("Too many choices."))
        for raw in raw_values:
            if not is_record_id(raw):
                self.data = []
                raise ValueError(_l("Invalid choice"))
            pk = int(raw)
            if pk in seen:
                continue
            seen.add(pk)
            obj = self.lookup.get_in_scope(pk)
            if obj is None:
                self.data = []
                raise ValueError(_l("Invalid choice: the record does not exist or is outside your access"))
            chosen.append(obj)
        self.data = chosen

    def populate_obj(self, obj, name):
        setattr(obj, name, list(self.data or []))
