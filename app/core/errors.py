"""Exceptions shared by domain services and views (no web imports)."""


class DomainValidationError(ValueError):
    """Input that breaks a business rule: ``errors`` maps field name → message (lazy string).
    Views show each message beside its field; the REST API answers 422 with the same mapping."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class OutOfScope(LookupError):
    """The record exists but is outside the user's row scope: callers answer 404, never data."""


class ConflictError(RuntimeError):
    """Optimistic locking: the record changed since the person loaded it (another save came first).
    Views keep the person's input and show ``message``; the REST API answers 409."""

    def __init__(self, message=None):
        from flask_babel import lazy_gettext as _l

        self.message = message or _l("Someone else saved this record first. Reload to see their changes; "
                                     "your input is kept below.")
        super().__init__(str(self.message))
