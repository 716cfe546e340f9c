"""Test fixtures: one app per test session on a real database built by the migrations.

The database is SQLite (a temporary file) unless TEST_DATABASE_URL points at PostgreSQL; with
pytest-xdist each worker gets its own database. After each test every app table is emptied (the
migrated reference data — ranks — and the roles stay), so tests never see each other's rows.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import event, text

PASSWORD = "Rahasia12345"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{tmp_path_factory.getbasetemp() / f'test-{_worker()}.db'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    # One database per xdist worker: <name>_<worker>, created fresh.
    import sqlalchemy as sa

    base, _, name = url.rpartition("/")
    worker_db = f"{name}_{_worker()}"
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{worker_db}"'))
    admin.dispose()
    return f"{base}/{worker_db}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.services import sync_roles

    app = create_app({
        "PORTAL_CONFIG": "test",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
    })
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
        sync_roles(app.appbuilder.sm)
        from app.extensions import db

        # The first test of a worker starts from the same database as every other one: the rows the migrations
        # seed outside KEEP_TABLES (e.g. the JP targets) would otherwise be there for it alone.
        _clean(db)
    yield app
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


# Tables emptied after each test, children first. Ranks and roles (reference data) stay.
KEEP_TABLES = {"rank", "core_value", "core_value_guide", "ab_role", "ab_permission", "ab_view_menu", "ab_permission_view",
               "ab_permission_view_role", "alembic_version",
               "row_count"}  # kept by PostgreSQL's triggers (the deletes below subtract their rows): never emptied


def _clean(db):
    from flask_appbuilder import Model

    db.session.rollback()
    with db.engine.begin() as conn:
        # Self-references first: RESTRICT is checked row by row, so a whole-table delete would trip on them.
        conn.execute(text("UPDATE unit SET head_position_id = NULL, parent_id = NULL"))
        conn.execute(text("UPDATE position SET parent_id = NULL"))
        conn.execute(text("UPDATE employee SET supervisor_id = NULL"))
        for table in reversed(Model.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _app_context(request, app):
    """Every test runs inside an app context and leaves an empty database behind."""
    from app.extensions import db

    with app.app_context():
        yield
        db.session.remove()
        _clean(db)
    limiter = getattr(app.appbuilder.sm, "limiter", None)
    if limiter is not None:
        limiter.reset()


@pytest.fixture
def db(app):
    from app.extensions import db as _db

    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# --- helpers ----------------------------------------------------------------------------------

def make_nip(birth: date, start=(2010, 3), gender: int = 1, seq: int = 1) -> str:
    return f"{birth:%Y%m%d}{start[0]:04d}{start[1]:02d}{gender}{seq:03d}"


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, follow=False):
    token = csrf_token(client, "/login/")
    return client.post("/login/", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=follow)


def logout(client):
    client.get("/logout/")


@contextmanager
def count_queries(db):
    """Collect the SQL statements run inside the block: ``with count_queries(db) as q: …; len(q)``."""
    statements = []

    def before(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@dataclass
class Org:
    """A small city: root → Dinas Kesehatan (bidang P2P, puskesmas) and Dinas Pendidikan."""

    units: dict = field(default_factory=dict)
    positions: dict = field(default_factory=dict)
    employees: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def username(self, key: str) -> str:
        return self.users[key].username


def _user(sm, username, first, last, role_names, email=None):
    roles = [sm.find_role(r) for r in role_names]
    user = sm.add_user(username, first, last, email or f"{username}@test.invalid", roles, password=PASSWORD)
    assert user, f"could not create user {username}"
    return user


@pytest.fixture
def org(app, db):
    from app.organisation.models import Employee, Position, Rank, Unit

    sm = app.appbuilder.sm
    o = Org()
    rank = db.session.query(Rank).filter_by(asn_type="PNS", code="III/a").one()

    def unit(key, code, name, unit_type, parent=None):
        u = Unit(code=code, name=name, unit_type=unit_type, parent=o.units.get(parent), active=True)
        db.session.add(u)
        o.units[key] = u
        return u

    unit("city", "PEMKOT", "Pemerintah Kota Palembang", "PEMKOT")
    unit("dinkes", "DINKES", "Dinas Kesehatan", "OPD", "city")
    unit("p2p", "DINKES-P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "BIDANG", "dinkes")
    unit("pkm", "PKM-001", "Puskesmas Sukarami", "PUSKESMAS", "dinkes")
    unit("disdik", "DISDIK", "Dinas Pendidikan", "OPD", "city")
    unit("bkpsdm", "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "OPD", "city")
    db.session.flush()

    def position(key, name, ptype, level, grade, unit_key, parent=None):
        p = Position(name=name, position_type=ptype, level=level, grade=grade, unit=o.units[unit_key],
                     parent=o.positions.get(parent))
        db.session.add(p)
        o.positions[key] = p
        return p

    position("kadis", "Kepala Dinas Kesehatan", "JPT", "PRATAMA", 14, "dinkes")
    position("kabid", "Kepala Bidang P2P", "ADMINISTRATOR", None, 11, "p2p", "kadis")
    position("staff", "Pengelola Data P2P", "PELAKSANA", "OPERATOR", 6, "p2p", "kabid")
    position("kapus", "Kepala Puskesmas Sukarami", "ADMINISTRATOR", None, 9, "pkm", "kadis")
    position("perawat", "Perawat Ahli Pertama", "FUNGSIONAL", "AHLI_PERTAMA", 8, "pkm", "kapus")
    position("kadisdik", "Kepala Dinas Pendidikan", "JPT", "PRATAMA", 14, "disdik")
    position("guru", "Guru Ahli Pertama", "FUNGSIONAL", "AHLI_PERTAMA", 8, "disdik", "kadisdik")
    position("analis", "Analis Kinerja", "FUNGSIONAL", "AHLI_MUDA", 9, "bkpsdm")
    db.session.flush()

    def employee(key, name, birth, gender, pos_key, supervisor=None, seq=1, roles=("Pegawai",), account=True):
        pos = o.positions[pos_key]
        nip = make_nip(birth, (birth.year + 24, 3), 1 if gender == "L" else 2, seq)
        e = Employee(nip=nip, name=name, gender=gender, birth_date=birth, asn_type="PNS", status="AKTIF",
                     rank=rank, position=pos, unit=pos.unit, supervisor=o.employees.get(supervisor))
        if account:
            user = _user(sm, nip, name.split()[0], name.split()[-1], roles)
            e.user_id = user.id
            o.users[key] = user
        db.session.add(e)
        o.employees[key] = e
        return e

    employee("kadis", "Ahmad Fauzi", date(1970, 5, 12), "L", "kadis", roles=("Pegawai", "Atasan", "Pimpinan"))
    employee("kabid", "Siti Aminah", date(1978, 2, 3), "P", "kabid", "kadis", roles=("Pegawai", "Atasan"))
    employee("staff1", "Budi Santoso", date(1990, 7, 21), "L", "staff", "kabid", seq=1)
    employee("staff2", "Dewi Lestari", date(1992, 11, 30), "P", "staff", "kabid", seq=2)
    employee("kapus", "Rudi Hartono", date(1975, 1, 15), "L", "kapus", "kadis", roles=("Pegawai", "Atasan"))
    employee("perawat", "Rina Marlina", date(1994, 4, 4), "P", "perawat", "kapus")
    employee("kadisdik", "Hendra Wijaya", date(1969, 9, 9), "L", "kadisdik",
             roles=("Pegawai", "Atasan", "Pimpinan"))
    employee("guru", "Yuni Kartika", date(1991, 6, 6), "P", "guru", "kadisdik")
    employee("analis", "Fitri Handayani", date(1988, 8, 8), "P", "analis", roles=("Pegawai", "Pengelola Kinerja"))
    o.users["admin"] = _user(sm, "admin", "Admin", "Sistem", ["Admin"])
    o.users["pelatih"] = _user(sm, "pelatih", "Pelatih", "BPSDM", ["Pelatih"])
    db.session.commit()
    return o
