"""Input cleaning shared by the domain services (no web imports): each helper records a translated message
under the field's key in ``errors`` and returns None for bad input, so a service can report every problem of
a form or JSON body at once and then raise one ``DomainValidationError``."""
from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l


def clean_text(errors: dict, key: str, value, maximum: int, required: bool = True, label=None) -> Optional[str]:
    """A stripped text (None when blank); records an error when it is not text, holds a NUL, is required and
    blank, or is longer than ``maximum`` characters."""
    if value is not None and not isinstance(value, str):
        errors[key] = _l("%(field)s must be text.", field=label or key)
        return None
    text = (value or "").strip()
    if "\x00" in text:
        errors[key] = _l("%(field)s contains an invalid character.", field=label or key)
        return None
    if not text:
        if required:
            errors[key] = _l("%(field)s is required.", field=label or key)
        return None
    if len(text) > maximum:
        errors[key] = _l("%(field)s is too long (at most %(max)d characters).", field=label or key, max=maximum)
        return None
    return text
