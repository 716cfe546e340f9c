"""The small city the browser journeys run against, committed once per session (per xdist worker).

Root → Dinas Kesehatan (Bidang P2P, Puskesmas Sukarami), Dinas Pendidikan, BKPSDM; every role of the
portal has at least one account. Same shape and keys as the ``org`` fixture of tests/conftest.py, so a
journey reads like the unit tests: ``city.username("kabid")``, ``city.employees["staff1"].id``.

Journeys that write (imports, new accounts) must use their own units/NIPs so that the seeded rows other
journeys assert on stay as they are (the database is shared by every journey of a worker).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

PASSWORD = "Rahasia12345"


@dataclass
class Person:
    key: str
    id: int
    nip: str
    name: str
    unit_key: str
    username: str | None  # None: no account


@dataclass
class City:
    units: dict = field(default_factory=dict)  # key -> (id, code, name)
    employees: dict = field(default_factory=dict)  # key -> Person
    users: dict = field(default_factory=dict)  # key -> username
    password: str = PASSWORD

    def username(self, key: str) -> str:
        return self.users[key]

    def nips(self, *keys: str) -> set:
        return {self.employees[k].nip for k in keys}

    def unit_names(self, *keys: str) -> set:
        return {self.units[k][2] for k in keys}


def make_nip(birth: date, start=(2010, 3), gender: int = 1, seq: int = 1) -> str:
    return f"{birth:%Y%m%d}{start[0]:04d}{start[1]:02d}{gender}{seq:03d}"


# key, code, name, type, parent key
UNITS = [
    ("city", "PEMKOT", "Pemerintah Kota Palembang", "PEMKOT", None),
    ("dinkes", "DINKES", "Dinas Kesehatan", "OPD", "city"),
    ("p2p", "DINKES-P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "BIDANG", "dinkes"),
    ("pkm", "PKM-001", "Puskesmas Sukarami", "PUSKESMAS", "dinkes"),
    ("disdik", "DISDIK", "Dinas Pendidikan", "OPD", "city"),
    ("bkpsdm", "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "OPD", "city"),
]
# key, name, type, level, grade, unit key, parent position key
POSITIONS = [
    ("kadis", "Kepala Dinas Kesehatan", "JPT", "PRATAMA", 14, "dinkes", None),
    ("kabid", "Kepala Bidang P2P", "ADMINISTRATOR", None, 11, "p2p", "kadis"),
    ("staff", "Pengelola Data P2P", "PELAKSANA", "OPERATOR", 6, "p2p", "kabid"),
    ("kapus", "Kepala Puskesmas Sukarami", "ADMINISTRATOR", None, 9, "pkm", "kadis"),
    ("perawat", "Perawat Ahli Pertama", "FUNGSIONAL", "AHLI_PERTAMA", 8, "pkm", "kapus"),
    ("kadisdik", "Kepala Dinas Pendidikan", "JPT", "PRATAMA", 14, "disdik", None),
    ("guru", "Guru Ahli Pertama", "FUNGSIONAL", "AHLI_PERTAMA", 8, "disdik", "kadisdik"),
    ("analis", "Analis Kinerja", "FUNGSIONAL", "AHLI_MUDA", 9, "bkpsdm", None),
]
# key, name, birth, gender, position key, supervisor key, seq, roles
EMPLOYEES = [
    ("kadis", "Ahmad Fauzi", date(1970, 5, 12), "L", "kadis", None, 1, ("Pegawai", "Atasan", "Pimpinan")),
    ("kabid", "Siti Aminah", date(1978, 2, 3), "P", "kabid", "kadis", 1, ("Pegawai", "Atasan")),
    ("staff1", "Budi Santoso", date(1990, 7, 21), "L", "staff", "kabid", 1, ("Pegawai",)),
    ("staff2", "Dewi Lestari", date(1992, 11, 30), "P", "staff", "kabid", 2, ("Pegawai",)),
    ("kapus", "Rudi Hartono", date(1975, 1, 15), "L", "kapus", "kadis", 1, ("Pegawai", "Atasan")),
    ("perawat", "Rina Marlina", date(1994, 4, 4), "P", "perawat", "kapus", 1, ("Pegawai",)),
    ("kadisdik", "Hendra Wijaya", date(1969, 9, 9), "L", "kadisdik", None, 1, ("Pegawai", "Atasan", "Pimpinan")),
    ("guru", "Yuni Kartika", date(1991, 6, 6), "P", "guru", "kadisdik", 1, ("Pegawai",)),
    ("analis", "Fitri Handayani", date(1988, 8, 8), "P", "analis", None, 1, ("Pegawai", "Pengelola Kinerja")),
]


def seed_city(app) -> City:
    """Create the city in ``app``'s database (inside an app context) and commit it."""
    from app.extensions import db
    from app.organisation.models import Employee, Position, Rank, Unit

    sm = app.appbuilder.sm
    city = City()
    rank = db.session.query(Rank).filter_by(asn_type="PNS", code="III/a").one()

    def add_user(username, first, last, role_names):
        roles = [sm.find_role(r) for r in role_names]
        assert all(roles), f"missing role among {role_names}: run sync_roles first"
        user = sm.add_user(username, first, last, f"{username}@test.invalid", roles, password=PASSWORD)
        assert user, f"could not create user {username}"
        return user

    units = {}
    for key, code, name, unit_type, parent in UNITS:
        units[key] = Unit(code=code, name=name, unit_type=unit_type, parent=units.get(parent), active=True)
        db.session.add(units[key])
    db.session.flush()

    positions = {}
    for key, name, ptype, level, grade, unit_key, parent in POSITIONS:
        positions[key] = Position(name=name, position_type=ptype, level=level, grade=grade,
                                  unit=units[unit_key], parent=positions.get(parent))
        db.session.add(positions[key])
    db.session.flush()

    employees = {}
    for key, name, birth, gender, pos_key, supervisor, seq, roles in EMPLOYEES:
        pos = positions[pos_key]
        nip = make_nip(birth, (birth.year + 24, 3), 1 if gender == "L" else 2, seq)
        user = add_user(nip, name.split()[0], name.split()[-1], roles)
        employees[key] = Employee(nip=nip, name=name, gender=gender, birth_date=birth, asn_type="PNS",
                                  status="AKTIF", rank=rank, position=pos, unit=pos.unit,
                                  supervisor=employees.get(supervisor), user_id=user.id)
        db.session.add(employees[key])
        city.users[key] = nip
    city.users["admin"] = add_user("admin", "Admin", "Sistem", ["Admin"]).username
    city.users["pelatih"] = add_user("pelatih", "Pelatih", "BPSDM", ["Pelatih"]).username
    db.session.commit()

    for key, (_, code, name, _, _) in zip(units, UNITS):
        city.units[key] = (units[key].id, code, name)
    for key, row in zip(employees, EMPLOYEES):
        e = employees[key]
        city.employees[key] = Person(key=key, id=e.id, nip=e.nip, name=e.name,
                                     unit_key=next(p[5] for p in POSITIONS if p[0] == row[4]),
                                     username=city.users[key])
    return city
