"""Alembic migrations own every table, and models and migrations never drift.

Each check runs on a fresh database of its own, separate from the session database of conftest:
a temporary SQLite file, or — when TEST_DATABASE_URL points at PostgreSQL — a new database
``<name>_<worker>_mig…`` created through the ``postgres`` maintenance database and dropped afterwards.

- upgrade an empty database to head → ``compare_metadata`` against the models finds no difference;
- downgrade to base leaves no table but Alembic's own (empty) version table; upgrading again works;
- the rank reference data (17 PNS ranks, 17 PPPK golongan) is there;
- the schema constraints exist in the database itself: raw SQL that breaks a unique, check or foreign-key
  constraint is refused (each refusal is paired with the same statement with good values, which passes).
"""
from __future__ import annotations

import itertools
import os
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from conftest import _worker

_counter = itertools.count()


def _pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _maintenance_engine(pg_url: str):
    base, _, _ = pg_url.rpartition("/")
    return sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_database(tmp_path_factory):
    """Yield the URL of a brand-new, empty database; drop it afterwards (PostgreSQL)."""
    suffix = f"{_worker()}_mig{next(_counter)}"
    pg_url = _pg_url()
    if not pg_url:
        path = tmp_path_factory.mktemp("migrations") / f"mig-{suffix}.db"
        yield f"sqlite:///{path}"
        return
    base, _, name = pg_url.rpartition("/")
    db_name = f"{name}_{suffix}"
    admin = _maintenance_engine(pg_url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield f"{base}/{db_name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


class MigratedDb:
    """A second app bound to its own database, with helpers to migrate it."""

    def __init__(self, url: str):
        from app import create_app

        self.url = url
        self.app = create_app({
            "PORTAL_CONFIG": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key-not-for-production",
        })
        self.directory = str(self.app.config["MIGRATIONS_DIR"])
        # Our own engine for the raw-SQL checks. On SQLite, foreign keys are enforced only on connections
        # that ask for it (PRAGMA foreign_keys=ON); ask on every connection of this engine.
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect",
                            lambda dbapi_conn, _: dbapi_conn.execute("PRAGMA foreign_keys=ON"))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self, revision="head"):
        from flask_migrate import upgrade

        with self.app.app_context():
            upgrade(directory=self.directory, revision=revision)

    def downgrade(self, revision="base"):
        from flask_migrate import downgrade

        with self.app.app_context():
            downgrade(directory=self.directory, revision=revision)

    def table_names(self) -> set:
        return set(sa.inspect(self.engine).get_table_names())

    def close(self):
        from app.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        self.engine.dispose()


@pytest.fixture
def empty_db(tmp_path_factory):
    with fresh_database(tmp_path_factory) as url:
        mdb = MigratedDb(url)
        yield mdb
        mdb.close()


@pytest.fixture(scope="module")
def head_db(tmp_path_factory):
    """A database upgraded to head, with one unit, one position and one employee (committed)."""
    with fresh_database(tmp_path_factory) as url:
        mdb = MigratedDb(url)
        mdb.upgrade()
        with mdb.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO unit (code, name, unit_type) VALUES ('U-1', 'Dinas Uji', 'OPD')"))
            unit_id = conn.execute(sa.text("SELECT id FROM unit WHERE code = 'U-1'")).scalar_one()
            conn.execute(sa.text("INSERT INTO position (name, position_type, grade, unit_id) "
                                 "VALUES ('Analis', 'FUNGSIONAL', 9, :u)"), {"u": unit_id})
            conn.execute(_insert_employee(), _employee(unit_id, nip="198609262015051001"))
        mdb.unit_id = unit_id
        yield mdb
        mdb.close()


def _insert_employee():
    return sa.text("INSERT INTO employee (nip, name, gender, birth_date, asn_type, status, unit_id) "
                   "VALUES (:nip, :name, :gender, :birth_date, :asn_type, :status, :unit_id)")


def _employee(unit_id, **values):
    row = {"nip": "199001012015031002", "name": "Pegawai Uji", "gender": "L", "birth_date": date(1990, 1, 1),
           "asn_type": "PNS", "status": "AKTIF", "unit_id": unit_id}
    row.update(values)
    return row


def _diff(connection, metadata):
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return compare_metadata(context, metadata)


# --- model ↔ migration drift -----------------------------------------------------------------

def test_upgrade_to_head_matches_models(empty_db):
    """An empty database upgraded to head has exactly the tables, columns, types, nullability, indexes,
    unique constraints and foreign keys the models declare.

    Column types and server defaults are compared too. Nothing is filtered: on SQLite and on PostgreSQL
    the comparison comes out empty as it is, so any entry is a real difference. (Alembic's autogenerate
    does not compare check constraints; the constraint tests below check those in the database.)"""
    from flask_appbuilder import Model

    from app import models  # noqa: F401  (every model registered on Model.metadata)

    assert empty_db.table_names() == set()
    empty_db.upgrade()
    with empty_db.engine.connect() as conn:
        diff = _diff(conn, Model.metadata)
    assert diff == [], "models and migrations differ; write a migration (flask db migrate):\n" + \
        "\n".join(repr(d) for d in diff)
    # Every table of the models exists (the diff would say so too; this names the rule plainly).
    assert set(Model.metadata.tables) <= empty_db.table_names()


def test_downgrade_to_base_then_upgrade_again(empty_db):
    from flask_appbuilder import Model

    from app import models  # noqa: F401

    empty_db.upgrade()
    assert empty_db.table_names() == set(Model.metadata.tables) | {"alembic_version"}
    empty_db.downgrade("base")
    # Only Alembic's bookkeeping table is left, and it records no revision.
    assert empty_db.table_names() <= {"alembic_version"}
    if "alembic_version" in empty_db.table_names():
        with empty_db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar_one() == 0
    empty_db.upgrade()
    with empty_db.engine.connect() as conn:
        assert _diff(conn, Model.metadata) == []
        ranks = conn.execute(sa.text("SELECT count(*) FROM rank")).scalar_one()
    assert ranks == 34


def test_each_revision_downgrades_one_step(empty_db):
    """Walk down one revision at a time from head (each downgrade() works on its own), then back up."""
    from alembic.script import ScriptDirectory

    empty_db.upgrade()
    with empty_db.app.app_context():
        from flask import current_app

        config = current_app.extensions["migrate"].migrate.get_config(empty_db.directory)
        revisions = [s.revision for s in ScriptDirectory.from_config(config).walk_revisions()]  # head first
    for revision in revisions:
        empty_db.downgrade("-1")
        with empty_db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        assert current != revision
    assert empty_db.table_names() <= {"alembic_version"}
    empty_db.upgrade()


# --- reference data ----------------------------------------------------------------------------

def test_rank_reference_data(head_db):
    with head_db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT asn_type, code, name FROM rank ORDER BY sort_order")).all()
    pns = [(code, name) for asn, code, name in rows if asn == "PNS"]
    pppk = [code for asn, code, _ in rows if asn == "PPPK"]
    assert len(pns) == 17 and len(pppk) == 17 and len(rows) == 34
    assert pns[0] == ("I/a", "Juru Muda")
    assert pns[8] == ("III/a", "Penata Muda")
    assert pns[-1] == ("IV/e", "Pembina Utama")
    assert pppk[0] == "I" and pppk[-1] == "XVII"
    assert len({code for code, _ in pns}) == 17 and len(set(pppk)) == 17


# --- constraints live in the database ----------------------------------------------------------

@contextmanager
def _rolled_back(engine):
    """One connection and one transaction, always rolled back: the checks leave no rows behind."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


def _accepts(engine, statement, params):
    with _rolled_back(engine) as conn:
        conn.execute(sa.text(statement), params)


def _refuses(engine, statement, params):
    with _rolled_back(engine) as conn:
        with pytest.raises(IntegrityError):
            conn.execute(sa.text(statement), params)


UNIT_SQL = "INSERT INTO unit (code, name, unit_type, parent_id) VALUES (:code, :name, :unit_type, :parent_id)"
POSITION_SQL = ("INSERT INTO position (name, position_type, level, grade, unit_id) "
                "VALUES (:name, :position_type, :level, :grade, :unit_id)")
EMPLOYEE_SQL = str(_insert_employee())


def test_unique_nip(head_db):
    _accepts(head_db.engine, EMPLOYEE_SQL, _employee(head_db.unit_id))
    _refuses(head_db.engine, EMPLOYEE_SQL, _employee(head_db.unit_id, nip="198609262015051001"))


def test_unique_unit_code(head_db):
    good = {"code": "U-2", "name": "Dinas Lain", "unit_type": "OPD", "parent_id": None}
    _accepts(head_db.engine, UNIT_SQL, good)
    _refuses(head_db.engine, UNIT_SQL, dict(good, code="U-1"))


@pytest.mark.parametrize("grade", [0, 18, -1])
def test_check_position_grade(head_db, grade):
    good = {"name": "Staf", "position_type": "PELAKSANA", "level": "OPERATOR", "grade": 6,
            "unit_id": head_db.unit_id}
    _accepts(head_db.engine, POSITION_SQL, good)
    _accepts(head_db.engine, POSITION_SQL, dict(good, grade=1))
    _accepts(head_db.engine, POSITION_SQL, dict(good, grade=17))
    _refuses(head_db.engine, POSITION_SQL, dict(good, grade=grade))


@pytest.mark.parametrize("field, bad", [("position_type", "DIREKTUR"), ("level", "SENIOR")])
def test_check_position_vocabularies(head_db, field, bad):
    good = {"name": "Staf", "position_type": "PELAKSANA", "level": "OPERATOR", "grade": 6,
            "unit_id": head_db.unit_id}
    _accepts(head_db.engine, POSITION_SQL, good)
    _refuses(head_db.engine, POSITION_SQL, dict(good, **{field: bad}))


@pytest.mark.parametrize("field, bad", [("gender", "X"), ("asn_type", "HONO"), ("status", "CUTI"),
                                        ("nip", "12345")])
def test_check_employee_columns(head_db, field, bad):
    _accepts(head_db.engine, EMPLOYEE_SQL, _employee(head_db.unit_id))
    _refuses(head_db.engine, EMPLOYEE_SQL, _employee(head_db.unit_id, **{field: bad}))


def test_check_unit_type(head_db):
    good = {"code": "U-3", "name": "Kelurahan Uji", "unit_type": "KELURAHAN", "parent_id": head_db.unit_id}
    _accepts(head_db.engine, UNIT_SQL, good)
    _refuses(head_db.engine, UNIT_SQL, dict(good, unit_type="DESA"))


def test_check_rank_asn_type(head_db):
    sql = "INSERT INTO rank (code, name, asn_type, sort_order) VALUES (:code, 'Uji', :asn_type, 999)"
    _refuses(head_db.engine, sql, {"code": "Z", "asn_type": "TNI"})
    _refuses(head_db.engine, sql, {"code": "I/a", "asn_type": "PNS"})  # unique (asn_type, code)


def test_foreign_keys_refuse_dangling_unit(head_db):
    missing = 987654
    _accepts(head_db.engine, POSITION_SQL, {"name": "Staf", "position_type": "PENGAWAS", "level": None,
                                            "grade": 8, "unit_id": head_db.unit_id})
    _refuses(head_db.engine, POSITION_SQL, {"name": "Staf", "position_type": "PENGAWAS", "level": None,
                                            "grade": 8, "unit_id": missing})
    _refuses(head_db.engine, EMPLOYEE_SQL, _employee(missing))
    _refuses(head_db.engine, UNIT_SQL, {"code": "U-9", "name": "Anak", "unit_type": "BIDANG",
                                        "parent_id": missing})


def test_foreign_key_restrict_on_delete(head_db):
    """A unit that still has positions cannot be deleted (ON DELETE RESTRICT)."""
    with _rolled_back(head_db.engine) as conn:
        with pytest.raises(IntegrityError):
            conn.execute(sa.text("DELETE FROM unit WHERE id = :id"), {"id": head_db.unit_id})


def test_app_engine_enforces_foreign_keys_on_sqlite(head_db):
    """SQLite enforces FOREIGN KEY clauses (dangling ids, ON DELETE RESTRICT / SET NULL) only on
    connections that set PRAGMA foreign_keys=ON; the app's engine must set it on every connection."""
    if head_db.dialect != "sqlite":
        pytest.skip("SQLite only: PostgreSQL always enforces foreign keys")
    from app.extensions import db

    with head_db.app.app_context():
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
