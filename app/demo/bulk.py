"""Bulk writing of organisation data with SQLAlchemy Core (used by the demo loader and the benchmark
generator).

Rows are plain dicts with ids chosen here (max(id) + 1 onwards), so a whole tree is written with a few
``INSERT … executemany`` statements instead of one ORM object per row; afterwards PostgreSQL sequences
are moved past the ids used. These writes do not go through the ORM session, so they do not appear in
the audit trail (app.core.audit listens to ORM flushes): callers say so in their own docstrings.
"""
from __future__ import annotations

import random
from datetime import date
from typing import Iterable, Optional

from flask_appbuilder import Model
from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection

from app.organisation import rules
from app.organisation.models import Employee, Position, Rank, Unit

from . import palembang as P

BATCH_SIZE = 5000
ORG_TABLES = ("unit", "position", "employee")
USER_LINK_TABLES = {"ab_user_role", "ab_user_group"}  # rows that exist only for their user


class IdAllocator:
    """Hands out explicit primary keys for one table, starting after the current maximum."""

    def __init__(self, conn: Connection, table: Table):
        self.table = table
        self.next_id = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def __call__(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value


def insert_rows(conn: Connection, table: Table, rows: list, batch_size: int = BATCH_SIZE) -> None:
    """INSERT ``rows`` (dicts with the same keys) with executemany, ``batch_size`` rows per call."""
    for start in range(0, len(rows), batch_size):
        conn.execute(insert(table), rows[start:start + batch_size])


def sync_sequences(conn: Connection, table_names: Iterable[str]) -> None:
    """PostgreSQL: move each table's id sequence past the explicit ids just inserted."""
    if conn.dialect.name != "postgresql":
        return
    for name in table_names:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
        if seq:
            conn.execute(text(f'SELECT setval(:s, (SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false)'),
                         {"s": seq})


def analyze(conn: Connection, table_names: Iterable[str] = ORG_TABLES) -> None:
    """Refresh the planner statistics after a bulk load (PostgreSQL would otherwise plan with guesses until
    autovacuum runs; SQLite has none until ANALYZE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE " + ", ".join(f'"{t}"' for t in table_names)))
    elif conn.dialect.name == "sqlite":
        for name in table_names:
            conn.execute(text(f'ANALYZE "{name}"'))


def org_is_empty(conn: Connection) -> bool:
    return conn.execute(select(func.count()).select_from(Unit.__table__)).scalar() == 0


def rank_ids(conn: Connection) -> dict:
    """{("PNS", "III/a"): id, ("PPPK", "IX"): id, …} from the reference table loaded by migration 0002."""
    rows = conn.execute(select(Rank.asn_type, Rank.code, Rank.id)).all()
    ranks = {(a, c): i for a, c, i in rows}
    if not ranks:
        raise RuntimeError("the rank table is empty: run `flask db upgrade` first")
    return ranks


# --- reset -----------------------------------------------------------------------------------------

def _dependent_tables() -> list:
    """The organisation tables and every table that (transitively) references them, children first."""
    tables = Model.metadata.sorted_tables
    closure = {t for t in tables if t.name in ORG_TABLES}
    changed = True
    while changed:
        changed = False
        for t in tables:
            if t in closure:
                continue
            if any(fk.column.table in closure for fk in t.foreign_keys):
                closure.add(t)
                changed = True
    return [t for t in reversed(tables) if t in closure]


def wipe_organisation(conn: Connection, usernames: Iterable[str] = ()) -> dict:
    """Delete every unit, position and employee, every row of the tables that depend on them (plans,
    evaluations, trainings… whatever references them), and the user accounts linked to employees or
    named in ``usernames``. Reference data (ranks, roles) and the audit trail stay. Returns counts."""
    user_table = Model.metadata.tables["ab_user"]
    user_ids = set(conn.execute(select(Employee.user_id).where(Employee.user_id.is_not(None))).scalars())
    names = list(usernames)
    if names:
        user_ids |= set(conn.execute(select(user_table.c.id).where(user_table.c.username.in_(names))).scalars())
    counts = {}
    conn.execute(update(Unit.__table__).values(head_position_id=None))
    conn.execute(update(Employee.__table__).values(supervisor_id=None, user_id=None))
    conn.execute(update(Position.__table__).values(parent_id=None))
    unit = Unit.__table__
    for table in _dependent_tables():
        if table is not unit:
            counts[table.name] = conn.execute(delete(table)).rowcount
    # Units form a tree with ON DELETE RESTRICT: delete the leaves first, level by level.
    child = unit.alias("child")
    has_child = select(child.c.id).where(child.c.parent_id == unit.c.id).exists()
    removed = 0
    while True:
        n = conn.execute(delete(unit).where(~has_child)).rowcount
        if not n:
            break
        removed += n
    counts["unit"] = removed
    if user_ids:
        _delete_users(conn, user_table, sorted(user_ids))
    counts["ab_user"] = len(user_ids)
    return counts


def _delete_users(conn: Connection, user_table: Table, ids: list) -> None:
    """Delete accounts: rows of other tables that must reference a user are deleted with them (role
    links, API keys), nullable references (created_by, audit trail) are cleared."""
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for table in Model.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column.table is not user_table or table is user_table and fk.parent.name == "id":
                    continue
                col = fk.parent
                owned = (not col.nullable or col.primary_key or table.name in USER_LINK_TABLES
                         or (fk.ondelete or "").upper() == "CASCADE")
                if owned:
                    conn.execute(delete(table).where(col.in_(chunk)))
                else:
                    conn.execute(update(table).where(col.in_(chunk)).values({col.name: None}))
        conn.execute(delete(user_table).where(user_table.c.id.in_(chunk)))


# --- people ----------------------------------------------------------------------------------------

class NipMaker:
    """Valid, unique 18-digit NIPs: birth date, CPNS start month, gender digit, sequence; PPPK numbers use
    birth date + appointment year + "21" + gender + sequence (layout unverified, see domain.md)."""

    def __init__(self):
        self.used = set()

    def _unique(self, prefix: str) -> str:
        for seq in range(1, 1000):
            nip = f"{prefix}{seq:03d}"
            if nip not in self.used:
                self.used.add(nip)
                return nip
        raise ValueError(f"more than 999 NIPs share the prefix {prefix}")

    def pns(self, birth: date, start_year: int, start_month: int, gender: str) -> str:
        return self._unique(f"{birth:%Y%m%d}{start_year:04d}{start_month:02d}{1 if gender == 'L' else 2}")

    def pppk(self, birth: date, year: int, gender: str) -> str:
        return self._unique(f"{birth:%Y%m%d}{year:04d}21{1 if gender == 'L' else 2}")


def random_birth(rng: random.Random, min_age: int, max_age: int, on: date) -> date:
    """A birth date such that the person is between min_age and max_age years old on ``on``."""
    earliest = date(on.year - max_age - 1, on.month, 1).toordinal() + 1
    latest = date(on.year - min_age, on.month, 1).toordinal() - 1
    return date.fromordinal(rng.randint(earliest, latest))


def cpns_start(rng: random.Random, birth: date, on: date, latest_year: Optional[int] = None,
               min_age: int = 21, max_age: int = 31) -> tuple:
    """(year, month) of the CPNS start: at min_age–max_age, never before the 18th birthday month, never
    after ``latest_year``/``on``."""
    latest_year = latest_year or on.year
    age = rng.randint(min_age, max_age)
    year = min(birth.year + age, latest_year)
    year = max(year, birth.year + 18)
    month = rng.randint(1, 12)
    if year == birth.year + 18 and month < birth.month:
        month = birth.month
    if (year, month) > (on.year, on.month):
        year, month = on.year, on.month
    return year, month


def person_name(rng: random.Random, gender: str) -> str:
    if gender == "L":
        parts = [rng.choice(P.MALE_FIRST)]
        if rng.random() < 0.3:
            parts.append(rng.choice(P.MALE_FIRST))
        parts.append(rng.choice(P.MALE_LAST))
        if rng.random() < 0.06:
            parts.insert(0, rng.choice(P.MALE_PREFIXES))
    else:
        parts = [rng.choice(P.FEMALE_FIRST)]
        if rng.random() < 0.3:
            parts.append(rng.choice(P.FEMALE_FIRST))
        parts.append(rng.choice(P.FEMALE_LAST))
        if rng.random() < 0.05:
            parts.insert(0, rng.choice(P.FEMALE_PREFIXES))
    # Avoid "Siti Siti Aminah".
    out = []
    for p in parts:
        if not out or out[-1] != p:
            out.append(p)
    return " ".join(out)


def check_employees(rows: list) -> None:
    """Self-check before writing: every NIP valid and consistent with birth date and gender, NIPs unique,
    no supervisor loop. Raises ValueError on the first problem (a bug in the generator)."""
    seen = set()
    supervisor_of = {}
    for row in rows:
        nip = row["nip"]
        if nip in seen:
            raise ValueError(f"duplicate NIP {nip}")
        seen.add(nip)
        problems = rules.identity_problems(nip, row["asn_type"], row["gender"], row["birth_date"])
        if problems:
            raise ValueError(f"NIP {nip}: {', '.join(str(v) for v in problems.values())}")
        supervisor_of[row["id"]] = row.get("supervisor_id")
    if supervisor_loops(supervisor_of):
        raise ValueError("the supervisor chain has a loop")


def supervisor_loops(supervisor_of: dict) -> list:
    """Ids of employees whose supervisor chain loops (empty when the chains are sound). Linear time."""
    state = {}  # id -> 1 visiting, 2 done
    looping = []
    for start in supervisor_of:
        path = []
        node = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = supervisor_of.get(node)
        if node is not None and state.get(node) == 1:
            looping.append(node)
        for n in path:
            state[n] = 2
    return looping
