"""Benchmark data of any size: ``flask portal generate --employees 15000 --units 250``.

A unit tree (root → OPD → bidang/sekolah/puskesmas/UPTD → some sub-units), one head position per unit
whose parent is the head of the parent unit, three staff positions per unit reporting to its head,
the employees (heads first, then staff spread over the units with uneven sizes), supervisors = the
holder of the parent position, valid and unique NIPs. Optionally user accounts for the first N
employees (heads first), all sharing one password hashed once.

Everything is written with SQLAlchemy Core ``INSERT … executemany`` in batches inside one transaction
(see app.demo.bulk): 15,000 employees load in about a second. This is generated data: it skips the
audit trail on purpose.

``years=N`` (``--years N``) adds N years of the performance cycle for every generated employee (one SKP per
employee and year, ~6 RHKs, ~2 progress entries per RHK, 4 evaluations per approved plan): see
app.demo.performance.generate_performance.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional

from flask import current_app
from flask_appbuilder import Model
from sqlalchemy import bindparam, select, update
from werkzeug.security import generate_password_hash

from app.organisation import rules
from app.organisation.models import Employee, Position, Unit
from app.security import roles as R

from . import bulk
from . import palembang as P

ROOT_CODE = "BENCH"  # marker of generated data
EMAIL_DOMAIN = "bench.example"
REFERENCE_DATE = date(2025, 1, 1)
CHILD_TYPES = ["BIDANG", "BIDANG", "BIDANG", "SEKOLAH", "PUSKESMAS", "UPTD", "KELURAHAN"]
STAFF_JOBS = [
    ("Analis Kebijakan Ahli Pertama", "FUNGSIONAL", "AHLI_PERTAMA", 8, "III/a", "III/b"),
    ("Analis Kebijakan Ahli Muda", "FUNGSIONAL", "AHLI_MUDA", 9, "III/c", "III/d"),
    ("Penata Layanan Operasional", "PELAKSANA", "OPERATOR", 7, "II/a", "III/c"),
]
HEAD_JOBS = {  # unit depth -> (type, level, grade, lowest rank, highest rank)
    0: ("JPT", "PRATAMA", 15, "IV/c", "IV/d"),
    1: ("JPT", "PRATAMA", 14, "IV/b", "IV/d"),
    2: ("ADMINISTRATOR", None, 11, "III/d", "IV/b"),
    3: ("PENGAWAS", None, 9, "III/b", "IV/a"),
}
PNS_CODES = [code for code, _ in rules.PNS_RANKS]


class GeneratorError(Exception):
    """The data cannot be generated as asked (message for the operator)."""


@dataclass
class GenerateResult:
    units: int
    positions: int
    employees: int
    accounts: int
    seconds: float
    timings: dict = field(default_factory=dict)
    performance: dict = field(default_factory=dict)  # rows per performance table (``years`` > 0)


def generate(session, employees: int = 15000, units: int = 250, seed: int = 42, accounts: int = 0,
             password: Optional[str] = None, reset: bool = False, years: int = 0,
             today: Optional[date] = None, progress_cb=None) -> GenerateResult:
    """Generate benchmark data in one transaction (see the module docstring). ``years`` > 0 adds that many
    years of performance data (app.demo.performance.generate_performance), ending with ``today``'s year."""
    if years < 0:
        raise GeneratorError("--years cannot be negative")
    if units < 2:
        raise GeneratorError("--units must be at least 2")
    if employees < units:
        raise GeneratorError("--employees must be at least --units (every unit head is filled)")
    if accounts and not password:
        raise GeneratorError("accounts need a password")
    accounts = min(accounts, employees)
    started = time.perf_counter()
    timings = {}
    rng = random.Random(seed)
    conn = session.connection()
    try:
        if reset:
            user = Model.metadata.tables["ab_user"]
            names = conn.execute(select(user.c.username).where(
                user.c.email.like(f"%@{EMAIL_DOMAIN}"))).scalars().all()
            bulk.wipe_organisation(conn, usernames=names)
            from .performance import delete_orphan_transitions

            delete_orphan_transitions(conn)  # the log has no foreign key: drop the rows of the wiped records
            timings["reset"] = time.perf_counter() - started
        elif not bulk.org_is_empty(conn):
            raise GeneratorError("The database already holds organisation data: generate into an empty "
                                 "database, or use --reset to replace it.")
        t = time.perf_counter()
        ranks = bulk.rank_ids(conn)
        unit_rows, depth, position_rows, heads, staff_by_unit = _tree(conn, rng, units)
        employee_rows = _employees(conn, rng, ranks, employees, unit_rows, depth, position_rows, heads,
                                   staff_by_unit)
        bulk.check_employees(employee_rows)
        timings["build"] = time.perf_counter() - t
        t = time.perf_counter()
        bulk.insert_rows(conn, Unit.__table__, unit_rows)
        bulk.insert_rows(conn, Position.__table__, position_rows)
        bulk.insert_rows(conn, Employee.__table__, employee_rows)
        table = Unit.__table__
        conn.execute(update(table).where(table.c.id == bindparam("uid"))
                     .values(head_position_id=bindparam("pid")),
                     [{"uid": u, "pid": p} for u, p in heads.items()])
        bulk.sync_sequences(conn, ("unit", "position", "employee"))
        timings["insert"] = time.perf_counter() - t
        if accounts:
            t = time.perf_counter()
            _accounts(conn, employee_rows[:accounts], employee_rows, password)
            timings["accounts"] = time.perf_counter() - t
        performance = {}
        if years:
            from .performance import generate_performance

            t = time.perf_counter()
            performance = generate_performance(conn, employee_rows, unit_rows, position_rows, years, seed,
                                               today=today, progress_cb=progress_cb)
            timings["performance"] = time.perf_counter() - t
        t = time.perf_counter()
        session.commit()
        timings["commit"] = time.perf_counter() - t
        t = time.perf_counter()
        bulk.analyze(session.connection(), ("unit", "position", "employee", "ab_user", "ab_user_role"))
        session.commit()
        timings["analyze"] = time.perf_counter() - t
    except Exception:
        session.rollback()
        raise
    return GenerateResult(len(unit_rows), len(position_rows), len(employee_rows), accounts,
                          time.perf_counter() - started, timings, performance)


def _tree(conn, rng, n_units):
    """Units (root, OPD, children, some grandchildren), a head position per unit, three staff positions
    per unit. Returns (unit rows, depth by unit id, position rows, {unit id: head position id},
    {unit id: [staff position rows]})."""
    unit_id = bulk.IdAllocator(conn, Unit.__table__)
    position_id = bulk.IdAllocator(conn, Position.__table__)
    units, depth, positions, heads, staff = [], {}, [], {}, {}

    def add_unit(code, name, unit_type, parent, level):
        uid = unit_id()
        units.append({"id": uid, "code": code, "name": name, "unit_type": unit_type, "parent_id": parent,
                      "active": True})
        depth[uid] = level
        ptype, plevel, grade, _, _ = HEAD_JOBS[min(level, 3)]
        head = {"id": position_id(), "name": f"Kepala {name}" if level else "Sekretaris Daerah",
                "position_type": ptype, "level": plevel, "grade": grade, "unit_id": uid,
                "parent_id": heads.get(parent)}
        positions.append(head)
        heads[uid] = head["id"]
        staff[uid] = []
        for name_, ptype_, level_, grade_, _, _ in STAFF_JOBS:
            row = {"id": position_id(), "name": name_, "position_type": ptype_, "level": level_,
                   "grade": grade_, "unit_id": uid, "parent_id": head["id"]}
            positions.append(row)
            staff[uid].append(row)
        return uid

    root = add_unit(ROOT_CODE, "Pemerintah Kota (data uji beban)", "PEMKOT", None, 0)
    remaining = n_units - 1
    n_opd = max(1, min(remaining, round(remaining / 12)))
    opds = []
    for i in range(n_opd):
        code, name = P.OPDS[i % len(P.OPDS)][:2]
        suffix = f" {i // len(P.OPDS) + 1}" if i >= len(P.OPDS) else ""
        opds.append(add_unit(f"{ROOT_CODE}.{i + 1:03d}", f"{name}{suffix}", "OPD", root, 1))
    remaining -= n_opd
    children = []
    bidang_names = [b for opd in P.OPDS for b in opd[4]]
    for i in range(remaining):
        # About one unit in five is a sub-unit of an earlier child (depth 3), the rest hang under an OPD.
        if children and rng.random() < 0.2:
            parent, level, unit_type = rng.choice(children), 3, "SUBBAGIAN"
            name = f"Subbagian {i + 1}"
        else:
            parent, level = opds[i % len(opds)], 2
            unit_type = rng.choice(CHILD_TYPES)
            name = {"SEKOLAH": f"SD Negeri {i + 1} Palembang", "PUSKESMAS": f"Puskesmas Uji {i + 1}",
                    "UPTD": f"UPTD Uji {i + 1}", "KELURAHAN": f"Kelurahan Uji {i + 1}"}.get(
                unit_type, f"{rng.choice(bidang_names)} {i + 1}")
        uid = add_unit(f"{ROOT_CODE}.{parent}.{i + 1:05d}", name, unit_type, parent, level)
        if level == 2:
            children.append(uid)
    return units, depth, positions, heads, staff


def _employees(conn, rng, ranks, n_employees, units, depth, positions, heads, staff_by_unit):
    """Heads first (in unit order, so every supervisor is inserted before their staff), then staff spread
    over the units with uneven weights."""
    employee_id = bulk.IdAllocator(conn, Employee.__table__)
    nips = bulk.NipMaker()
    on = REFERENCE_DATE
    rows = []
    holder_of_head = {}

    def person(position, unit_id, lo_rank, hi_rank, min_age, max_age, supervisor_id):
        gender = "P" if rng.random() < 0.5 else "L"
        pppk = position["position_type"] in ("FUNGSIONAL", "PELAKSANA") and rng.random() < 0.1
        birth = bulk.random_birth(rng, min_age, max_age, on)
        if pppk:
            nip = nips.pppk(birth, rng.choice((2021, 2022, 2023, 2024)), gender)
            rank_id = ranks[("PPPK", rng.choice(("V", "VII", "IX", "X")))]
        else:
            start = bulk.cpns_start(rng, birth, on, latest_year=2023)
            nip = nips.pns(birth, start[0], start[1], gender)
            lo, hi = PNS_CODES.index(lo_rank), PNS_CODES.index(hi_rank)
            rank_id = ranks[("PNS", PNS_CODES[min(hi, lo + (on.year - start[0]) // 4)])]
        row = {"id": employee_id(), "nip": nip, "name": bulk.person_name(rng, gender), "front_title": None,
               "back_title": rng.choice(P.TITLES_S1_GENERAL) if rng.random() < 0.6 else None,
               "gender": gender, "birth_date": birth, "birth_place": rng.choice(P.BIRTH_PLACES),
               "asn_type": "PPPK" if pppk else "PNS", "status": "AKTIF", "rank_id": rank_id,
               "position_id": position["id"], "unit_id": unit_id, "supervisor_id": supervisor_id,
               "supervisor_override": False, "email": None, "phone": None, "user_id": None}
        rows.append(row)
        return row

    head_positions = {p["id"]: p for p in positions if heads.get(p["unit_id"]) == p["id"]}
    for unit in units:  # parents come before children in `units`
        pos = head_positions[heads[unit["id"]]]
        supervisor = holder_of_head.get(pos["parent_id"])
        _, _, _, lo_rank, hi_rank = HEAD_JOBS[min(depth[unit["id"]], 3)]
        row = person(pos, unit["id"], lo_rank, hi_rank, 40, 57, supervisor)
        holder_of_head[pos["id"]] = row["id"]
    unit_ids = [u["id"] for u in units]
    weights = [rng.lognormvariate(0, 0.8) for _ in unit_ids]
    jobs = {j[0]: j for j in STAFF_JOBS}
    for unit_id in rng.choices(unit_ids, weights=weights, k=n_employees - len(units)):
        pos = rng.choice(staff_by_unit[unit_id])
        _, _, _, _, lo_rank, hi_rank = jobs[pos["name"]]
        person(pos, unit_id, lo_rank, hi_rank, 23, 57, holder_of_head[heads[unit_id]])
    return rows


def _accounts(conn, chosen, all_rows, password):
    """Accounts for ``chosen`` employees: user name = NIP, one shared password hashed once, role Pegawai
    (and Atasan when the employee has subordinates). Written with Core like the rest."""
    user = Model.metadata.tables["ab_user"]
    user_role = Model.metadata.tables["ab_user_role"]
    role = Model.metadata.tables["ab_role"]
    role_ids = dict(conn.execute(select(role.c.name, role.c.id).where(role.c.name.in_([R.PEGAWAI, R.ATASAN]))).all())
    if len(role_ids) < 2:
        raise GeneratorError("the roles are missing: run `flask portal sync-roles` first")
    config = current_app.config
    hashed = generate_password_hash(password, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                    salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
    has_subs = {r["supervisor_id"] for r in all_rows if r["supervisor_id"]}
    next_user = bulk.IdAllocator(conn, user)
    now = datetime.now()
    users, links, employee_links = [], [], []
    for row in chosen:
        uid = next_user()
        words = row["name"].split()
        users.append({"id": uid, "first_name": words[0][:64], "last_name": (" ".join(words[1:]) or "-")[:64],
                      "username": row["nip"], "password": hashed, "active": True,
                      "email": f"{row['nip']}@{EMAIL_DOMAIN}", "login_count": 0, "fail_login_count": 0,
                      "created_on": now, "changed_on": now})
        links.append({"user_id": uid, "role_id": role_ids[R.PEGAWAI]})
        if row["id"] in has_subs:
            links.append({"user_id": uid, "role_id": role_ids[R.ATASAN]})
        employee_links.append({"eid": row["id"], "uid": uid})
        row["user_id"] = uid
    bulk.insert_rows(conn, user, users)
    bulk.insert_rows(conn, user_role, links)
    table = Employee.__table__
    conn.execute(update(table).where(table.c.id == bindparam("eid")).values(user_id=bindparam("uid")),
                 employee_links)
    bulk.sync_sequences(conn, ("ab_user", "ab_user_role"))
