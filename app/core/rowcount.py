"""Exact row counts of the big tables without counting them: ``row_count`` (PostgreSQL only).

A list that shows the whole city (Pengelola, Admin: no scope, no search, no base filter) shows the number of rows
of a whole table; counting 288,000 evaluations or 150,000 participants is an index-only scan of every entry,
8-14 ms per request on the bench data (all pages all-visible, no heap fetch: not a planner or VACUUM matter; the
parallel plan does not help on 2 CPUs). Here the database keeps that number itself, exactly and transactionally:

* ``row_count (id, table_name, rows, base)``: per counted table one *base* row (``base`` true: the count at some
  moment) and *delta* rows (+n / -n). The count of a table is the sum of its rows, read in the reader's own
  snapshot (MVCC): a transaction sees its own inserts and deletes, never another's uncommitted ones; a rollback
  takes its delta rows with it. Without a base row (never initialised, or removed) the sum is NULL and the
  list counts with count(*) as before: never a wrong number.
* STATEMENT-level triggers with transition tables (``REFERENCING NEW TABLE`` / ``OLD TABLE ... FOR EACH
  STATEMENT``, migration 0023) add one delta row per INSERT / DELETE / COPY statement that changed at least one
  row: a bulk insert of 10,000 rows writes one row here. ``ON DELETE CASCADE`` deletes fire the child's trigger.
  An AFTER TRUNCATE trigger resets the table to a base of 0. UPDATEs change no count and fire nothing.
* No hot row: writers only INSERT delta rows, so two transactions writing the same table never wait for each
  other. (One counter row updated by every writer would hold its row lock until commit: every writer of the
  table serialised behind the others for the rest of its transaction, and two transactions writing two counted
  tables in opposite orders could deadlock where they never did.) The deltas are folded into one base row
  (``row_count_compact``: ``DELETE ... RETURNING`` and the ``INSERT`` of their sum in one statement, atomic for
  every reader) by about one writing statement in 32, only when it gets the table's advisory lock at once
  (``pg_try_advisory_xact_lock``: never waits) and runs in READ COMMITTED; and by ``resync``. So a table has a
  few rows here and the sum reads a few index entries (~0.1 ms).
* The price on writes (PostgreSQL 15, this machine): the transition table copies the written rows, so an INSERT
  of 100,000 rows in one statement took ~40 % longer (304 → 433 ms), a DELETE of 100,000 rows ~2x (74 → 148 ms),
  a single-row INSERT +0.06 ms.
* ``resync`` (``flask portal refresh-derived``, and the migration) recounts each counted table with count(*)
  under the table's advisory lock, in one statement (the deletion of the old rows and the count see one
  snapshot): the repair if anything ever wrote a table with its triggers disabled (``session_replication_role =
  replica``, ``ALTER TABLE ... DISABLE TRIGGER``, a data-only restore with ``--disable-triggers``).

The list count reads the counter only when the list's query is the whole table (``whole_table``: no WHERE other
than TRUE, no join, GROUP BY, DISTINCT, LIMIT/OFFSET, no loader criteria); any scope, search or base filter
counts with count(*) (``install``, ``count_of``). On SQLite (no statement triggers with transition tables; the
counts are within budget there) the table exists, empty, and every count is count(*).

Adding a table: a migration that creates its three triggers (``migrations/versions/0023_row_count.py``,
``_triggers``) and calls ``row_count_resync``, then its name in ``COUNTED``; removing one: drop its triggers AND
delete its rows from ``row_count`` in the same migration. No web imports: the session is passed in.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Boolean, Column, Integer, String, Table, case, func, select, text
from sqlalchemy.orm import Query
from sqlalchemy.sql.elements import True_

# Tables whose triggers keep ``row_count`` (migration 0023). A name here without the triggers in the database
# is harmless (no base row: count(*)); triggers without the name here only cost the writes.
COUNTED = frozenset({"employee", "skp", "evaluation", "training_participant"})

# pg_advisory_xact_lock(LOCK_CLASS, hashtext(table_name)) guards the compaction and the resync of one table
LOCK_CLASS = 74110


class RowCount(Model):
    """Jumlah baris: exact row counts of the big tables, as a base row and deltas per table (PostgreSQL triggers;
    see the module docstring)."""

    __tablename__ = "row_count"
    __audit__ = False  # bookkeeping written by triggers, not an official record

    id = Column(Integer, primary_key=True)
    table_name = Column(String(63), nullable=False, index=True)
    rows = Column(BigInteger, nullable=False)
    base = Column(Boolean, nullable=False)

    def __repr__(self):
        return f"{self.table_name}: {'=' if self.base else '+'}{self.rows}"


def _is_postgresql(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def whole_table(query) -> str | None:
    """The name of the counted table when ``query`` (an ORM Query or a Select) reads every row of it exactly
    once: one FROM, that table itself, no WHERE but TRUE (a whole-city scope is ``true()``), no join, GROUP BY,
    HAVING, DISTINCT, LIMIT, OFFSET or loader criteria. Else None."""
    # as Query.count(): without the joined eager loads (a many-to-one shown on the list adds a LEFT OUTER JOIN)
    stmt = query.enable_eagerloads(False).statement if isinstance(query, Query) else query
    try:
        if any(not isinstance(c, True_) for c in stmt._where_criteria):
            return None
        if stmt._setup_joins or stmt._from_obj or stmt._group_by_clauses or stmt._having_criteria \
                or stmt._distinct or stmt._limit_clause is not None or stmt._offset_clause is not None \
                or stmt._fetch_clause is not None:
            return None
        if any(type(opt).__name__ == "LoaderCriteriaOption" for opt in stmt._with_options):
            return None
        # the FROM list of a SELECT without explicit FROMs or joins: the tables of its columns (get_final_froms()
        # would compile the ORM statement: ~1 ms of CPU for the employee list)
        froms = []
        for col in stmt._raw_columns:
            for element in col._from_objects:
                if element not in froms:
                    froms.append(element)
    except AttributeError:  # not a plain SELECT (a compound select, a text clause…): count it
        return None
    if len(froms) != 1 or not isinstance(froms[0], Table) or froms[0].name not in COUNTED:
        return None
    for col in stmt._raw_columns:  # single-table inheritance adds its discriminator when compiled
        mapper = col._annotations.get("parentmapper")
        if mapper is not None and (mapper.inherits is not None or mapper.polymorphic_on is not None):
            return None
    return froms[0].name


def counter(table_name: str):
    """Scalar subquery: the kept count of ``table_name`` in the reader's snapshot, NULL without a base row."""
    rc = RowCount.__table__
    return (select(case((func.bool_or(rc.c.base), func.sum(rc.c.rows))).cast(BigInteger))
            .where(rc.c.table_name == table_name).scalar_subquery())


def count_of(session, query):
    """Scalar subquery counting the rows of ``query`` (an ORM Query): on PostgreSQL, for a whole counted table,
    the kept count (``coalesce(counter, count(*))``: PostgreSQL runs the count only when the counter is NULL);
    else ``SELECT count(*) FROM (query)``, as FAB's ``Query.count()``."""
    table_name = whole_table(query) if _is_postgresql(session) else None
    plain = select(func.count()).select_from(query.subquery()).scalar_subquery()
    if table_name is None:
        return plain
    return select(func.coalesce(counter(table_name), plain)).scalar_subquery()


def install(datamodel) -> None:
    """Let an SQLAInterface's ``query_count`` (FAB's list count, used by the list screens and the REST lists) read
    the kept count when the filtered query is a whole counted table (idempotent). Only datamodels of a counted
    table are wrapped; any filter gives the datamodel's own count."""
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    table = getattr(datamodel.obj, "__table__", None)
    if getattr(table, "name", None) not in COUNTED or "query_count" in vars(datamodel):
        return
    own = datamodel.query_count
    fab_count = type(datamodel).query_count is SQLAInterface.query_count

    def query_count(query, filters=None, select_columns=None):
        session = datamodel.session
        if table.name not in COUNTED or not _is_postgresql(session):
            return own(query, filters, select_columns)
        chosen = datamodel._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        table_name = whole_table(chosen)
        if table_name is None:
            return chosen.count() if fab_count else own(query, filters, select_columns)
        found = session.execute(select(counter(table_name))).scalar()
        return int(found) if found is not None else chosen.count()

    datamodel.query_count = query_count


# --- resync (PostgreSQL: the functions and triggers are migration 0023's) --------------------------------------

def resync(session, tables=None) -> dict:
    """Recount ``tables`` (default: ``COUNTED``) with count(*) and store each count as the table's base row
    (PostgreSQL; {} on other databases). Waits for a running compaction of the table; concurrent writers are
    not blocked and stay counted (their deltas are not yet visible to the recount, nor their rows)."""
    if not _is_postgresql(session):
        return {}
    return {name: int(session.execute(text("SELECT row_count_resync(:t)"), {"t": name}).scalar())
            for name in sorted(tables or COUNTED)}
