"""Registry of search-as-you-type lookups (kind → model, scope, search columns, label)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app
from sqlalchemy import or_, select

LOOKUP_LIMIT = 20


@dataclass
class Lookup:
    kind: str
    model: type
    search_columns: list  # model attributes matched with ILIKE %q%
    scope_clause: Callable  # scope -> SQL clause
    label: Callable = str  # obj -> text shown
    order_by: object = None
    extra_filter: Callable = None  # () -> clause, e.g. active units only

    def _scope(self):
        return current_app.appbuilder.sm.current_scope()

    def _base(self):
        stmt = select(self.model).where(self.scope_clause(self._scope()))
        if self.extra_filter is not None:
            stmt = stmt.where(self.extra_filter())
        return stmt

    def search(self, session, term: str, limit: int = LOOKUP_LIMIT):
        stmt = self._base()
        term = (term or "").strip()[:100]
        if term:
            like = f"%{term}%"
            stmt = stmt.where(or_(*[col.ilike(like) for col in self.search_columns]))
        stmt = stmt.order_by(self.order_by if self.order_by is not None else self.search_columns[0]).limit(limit)
        return session.execute(stmt).unique().scalars().all()

    def get_in_scope(self, pk: int):
        from app.extensions import db

        stmt = self._base().where(self.model.id == pk)
        return db.session.execute(stmt).unique().scalars().first()


_REGISTRY: dict = {}


def register_lookup(lookup: Lookup) -> None:
    _REGISTRY[lookup.kind] = lookup


def get_lookup(kind: str) -> Lookup:
    return _REGISTRY[kind]


def has_lookup(kind: str) -> bool:
    return kind in _REGISTRY
