"""Audit trail (jejak audit): every insert, update and delete of the app's records, with who, when and
old → new values, written in the same transaction as the change itself."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, event, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, relationship

# Columns never copied into the audit trail (secrets and login bookkeeping noise).
SKIPPED_COLUMNS = {"password", "last_login", "login_count", "fail_login_count", "changed_on", "created_on",
                   "changed_by_fk", "created_by_fk"}
MASKED_COLUMNS = {"password"}


class AuditLog(Model):
    """Jejak audit: one row per inserted, updated or deleted record."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("action IN ('INSERT', 'UPDATE', 'DELETE')", name="ck_audit_log_action"),
        Index("ix_audit_log_table_record", "table_name", "record_id"),
    )
    __audit__ = False

    id = Column(Integer, primary_key=True)
    created_on = Column(DateTime, nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    username = Column(String(100))
    action = Column(String(6), nullable=False)
    table_name = Column(String(64), nullable=False)
    record_id = Column(String(64), nullable=False)
    changes = Column(Text, nullable=False, default="{}")

    user = relationship("User", lazy="joined")

    @property
    def changes_dict(self) -> dict:
        try:
            return json.loads(self.changes or "{}")
        except ValueError:
            return {}

    def __repr__(self):
        return f"{self.action} {self.table_name}#{self.record_id}"


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _audited(obj) -> bool:
    table = getattr(obj, "__table__", None)
    return table is not None and getattr(obj, "__audit__", True) and table.name != "ab_register_user"


def _column_changes(obj, action: str) -> dict:
    state = sa_inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIPPED_COLUMNS and key not in MASKED_COLUMNS:
            continue
        hist = state.attrs[key].history
        if action == "INSERT":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, "***" if key in MASKED_COLUMNS else _jsonable(value)]
        elif action == "DELETE":
            value = state.dict.get(key)
            if value is not None:
                changes[key] = ["***" if key in MASKED_COLUMNS else _jsonable(value), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                if key in MASKED_COLUMNS:
                    changes[key] = ["***", "***"]
                else:
                    changes[key] = [_jsonable(old), _jsonable(new)]
    return changes


def _record_id(obj) -> str:
    identity = sa_inspect(obj).identity
    if identity:
        return ",".join(str(v) for v in identity)
    return "?"


_actor_getter = None


def set_actor_getter(getter) -> None:
    """Register a callable returning (user_id, username) of whoever is acting (web user, CLI, import)."""
    global _actor_getter
    _actor_getter = getter


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session, flush_context):
    rows = []
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    user_id, username = _actor_getter() if _actor_getter else (None, None)
    for action, objects in (("INSERT", session.new), ("UPDATE", session.dirty), ("DELETE", session.deleted)):
        for obj in objects:
            if not _audited(obj):
                continue
            if action == "UPDATE" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _column_changes(obj, action)
            if action == "UPDATE" and not changes:
                continue
            rows.append({
                "created_on": now, "user_id": user_id, "username": username, "action": action,
                "table_name": obj.__table__.name, "record_id": _record_id(obj),
                "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
            })
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)
