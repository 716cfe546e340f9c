"""Stored results ("snapshots") of derived lists: the state of each (result kind, year).

A derived result (the award candidates of a year, …) is recomputed over many evaluations; the screens read it
from a small indexed table instead, refreshed as a whole inside one transaction (delete the year's rows,
insert the new ones, write the state row): a reader sees the old rows or the new ones, never half a refresh.

``DerivedResultState`` keeps per (kind, year) when the rows were computed, a cheap fingerprint of the inputs
(counts and maxima of the rows they are computed from, one indexed query) and the parameters they were computed
with (e.g. the reference date). A screen compares the fingerprint and refreshes when it changed (at most once
every ``DERIVED_CHECK_SECONDS`` per process: ``recently_checked``); a cron job runs ``flask portal
refresh-derived``. No web imports: the session is passed in.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Integer, String, select

FINGERPRINT_MAX = 255
PARAMS_MAX = 100


class DerivedResultState(Model):
    """Status hasil turunan: when a stored result of one kind and year was computed, from which inputs."""

    __tablename__ = "derived_result_state"
    __audit__ = False  # derived data, rewritten by any request that finds it stale: not an official record

    kind = Column(String(40), primary_key=True)
    year = Column(Integer, primary_key=True, autoincrement=False)
    computed_at = Column(DateTime, nullable=False)
    fingerprint = Column(String(FINGERPRINT_MAX), nullable=False)
    params = Column(String(PARAMS_MAX), nullable=False, default="")
    rows = Column(Integer, nullable=False, default=0, server_default="0")

    def __repr__(self):
        return f"{self.kind} {self.year}: {self.computed_at} ({self.rows} rows)"


# (database, kind, year, params) -> time.monotonic() of this process's last check that found the result fresh
_checked: dict = {}


def _check_key(session, kind: str, year: int, params: str):
    return (str(session.get_bind().url), kind, year, params)


def recently_checked(session, kind: str, year: int, params: str, seconds: float) -> bool:
    """True when this process compared the fingerprint of (kind, year) less than ``seconds`` ago and found it
    fresh: the screens then skip the fingerprint query (a change shows at most ``seconds`` later; 0: always check)."""
    if not seconds or seconds <= 0:
        return False
    last = _checked.get(_check_key(session, kind, year, params))
    return last is not None and time.monotonic() - last < seconds


def mark_checked(session, kind: str, year: int, params: str) -> None:
    _checked[_check_key(session, kind, year, params)] = time.monotonic()


def mark_stale(session, states_: list) -> None:
    """Make the stored results of ``states_`` stale (in the caller's transaction): the next screen that reads one
    recomputes it (this process forgets its recent checks of them; other processes within their
    ``DERIVED_CHECK_SECONDS``)."""
    url = str(session.get_bind().url)
    for row in states_:
        row.fingerprint = ""  # a real fingerprint is never empty
        for key in [k for k in _checked if k[:3] == (url, row.kind, row.year)]:
            del _checked[key]


def joined_text(values) -> str:
    """A row of counts/maxima as one text: its values joined by "|" (datetimes as ISO text, None as "")."""
    parts = []
    for value in values:
        if isinstance(value, datetime):
            value = value.isoformat(sep=" ")
        parts.append("" if value is None else str(value))
    return "|".join(parts)


def fingerprint_text(values) -> str:
    """The fingerprint of a row of counts/maxima: ``joined_text``, cut to the column's length (a longer row is
    hashed by its caller)."""
    return joined_text(values)[:FINGERPRINT_MAX]


def state(session, kind: str, year: int, lock: bool = False) -> Optional[DerivedResultState]:
    """The state row of (kind, year), locked FOR UPDATE when ``lock`` (PostgreSQL: refreshes of the same year wait
    for each other; SQLite writes are serialised anyway)."""
    query = select(DerivedResultState).where(DerivedResultState.kind == kind, DerivedResultState.year == year)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def record(session, kind: str, year: int, fingerprint: str, params: str, rows: int, now: datetime,
           row: Optional[DerivedResultState] = None) -> DerivedResultState:
    """Write the state row of a refresh (in the caller's transaction)."""
    if row is None:
        row = DerivedResultState(kind=kind, year=year)
        session.add(row)
    row.fingerprint = fingerprint[:FINGERPRINT_MAX]
    row.params = (params or "")[:PARAMS_MAX]
    row.rows = rows
    row.computed_at = now
    return row


def vacuum(session, *table_names: str) -> None:
    """PostgreSQL: VACUUM the tables a refresh rewrote, after its commit (outside any transaction, on a connection of
    its own). A refresh deletes every old row: until (auto)vacuum runs, the old row versions stay in the indexes and
    no page is all-visible, so the screens' counts read the heap (the effect of a large OPD: 6.8 ms instead of 2.9
    ms from the index alone). ``SKIP_LOCKED``: a table another vacuum or refresh is working on is left to
    autovacuum; any failure is ignored (it is only an optimisation). SQLite: nothing (no row versions)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = session.get_bind().engine
    if engine.dialect.name != "postgresql" or not table_names:
        return
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (SKIP_LOCKED) " + ", ".join(f'"{t}"' for t in table_names)))
    except SQLAlchemyError:
        pass


def states(session, kind: str) -> list:
    """The state rows of one kind, newest year first."""
    return list(session.scalars(select(DerivedResultState).where(DerivedResultState.kind == kind)
                                .order_by(DerivedResultState.year.desc())))
