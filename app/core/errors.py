"""Exceptions shared by domain services and views (no web imports)."""


class DomainValidationError(ValueError):
    """Input that breaks a business rule: ``errors`` maps field name → message (lazy string).
    Views show each message beside its field; the REST API answers 422 with the same mapping."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class OutOfScope(LookupError):
    """The record exists but is outside the user's row scope: callers answer 404, never data."""
