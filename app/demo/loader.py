"""The Palembang demo: the city's organisation tree (OPD with their bidang, sekretariat and UPTD, the
18 kecamatan with their 107 kelurahan, state schools under Dinas Pendidikan, puskesmas under Dinas
Kesehatan), positions whose parent positions make the supervisor chains, about 2,000 employees
(PNS, some PPPK and CPNS) with valid NIPs, and one demo account for every role.

Deterministic: a fixed seed and a fixed reference date, so the demo is the same every time (only
generated passwords differ). Idempotent: the root unit code ``PLG`` marks a loaded demo; loading again
does nothing unless ``reset`` is asked for.

The organisation rows are written with SQLAlchemy Core in bulk (app.demo.bulk), so they are not in the
audit trail; the demo accounts are created through FAB's security manager and are audited. Everything
is one transaction: a failure leaves the database as it was.
"""
from __future__ import annotations

import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from flask import current_app
from flask_appbuilder import Model
from sqlalchemy import bindparam, select, update
from werkzeug.security import generate_password_hash

from app.organisation import rules
from app.organisation.models import Employee, Position, Unit
from app.security import roles as R
from app.security.passwords import generate_password, password_problems

from . import bulk
from . import palembang as P

SEED = 1998  # any constant: the demo must be the same every time
REFERENCE_DATE = date(2025, 1, 1)  # "today" of the demo (ages, years of service, CPNS cohort)
SIZES = ("full", "small")


class DemoError(Exception):
    """The demo cannot be loaded as asked (message for the operator)."""


# --- jobs and the people who hold them ------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    name: str
    position_type: str
    level: Optional[str]
    grade: int
    profile: str  # key of PROFILES: age, education, rank band
    kind: tuple = ("general",)  # title flavour(s): guru, perawat, dokter, ... (one picked per person)


# profile: (min age, max age, education weights {SMA, D3, S1, S2}, PNS rank band (lowest, highest),
#           PPPK share, female share)
PROFILES = {
    "sekda": (50, 57, {"S2": 1}, ("IV/c", "IV/d"), 0.0, 0.2),
    "jpt": (46, 57, {"S1": 1, "S2": 4}, ("IV/b", "IV/d"), 0.0, 0.3),
    "administrator": (40, 56, {"S1": 2, "S2": 3}, ("III/d", "IV/b"), 0.0, 0.35),
    "pengawas": (33, 56, {"S1": 7, "S2": 3}, ("III/b", "IV/a"), 0.0, 0.4),
    "ahli_madya": (42, 57, {"S1": 1, "S2": 1}, ("IV/a", "IV/c"), 0.0, 0.5),
    "ahli_muda": (32, 52, {"S1": 7, "S2": 3}, ("III/c", "III/d"), 0.05, 0.5),
    "ahli_pertama": (24, 45, {"S1": 1}, ("III/a", "III/b"), 0.12, 0.5),
    "mahir": (30, 55, {"D3": 1}, ("III/a", "III/b"), 0.0, 0.45),
    "terampil": (24, 50, {"D3": 1}, ("II/c", "III/b"), 0.15, 0.5),
    "pelaksana": (22, 57, {"SMA": 4, "D3": 3, "S1": 3}, ("II/a", "III/d"), 0.12, 0.45),
}
FEMALE_SHARE_BY_KIND = {"bidan": 1.0, "perawat": 0.7, "guru": 0.65, "dokter": 0.6, "dokter_gigi": 0.65}
PPPK_SHARE_BY_KIND = {"guru": 0.3, "perawat": 0.25, "bidan": 0.25}
CPNS_SHARE = 0.04  # of young staff: the 2024 cohort, still CPNS on the reference date
PNS_CODES = [code for code, _ in rules.PNS_RANKS]
PPPK_BY_EDUCATION = {"SMA": "V", "D3": "VII", "S1": "IX", "S2": "X"}
ENTRY_RANK = {"SMA": "II/a", "D3": "II/c", "S1": "III/a", "S2": "III/a"}

# Academic titles by kind and education: (front, back)
TITLES = {
    "guru": {"S1": ["S.Pd."], "S2": ["M.Pd."]},
    "perawat": {"D3": ["A.Md.Kep."], "S1": ["S.Kep., Ners"], "S2": ["M.Kep."]},
    "bidan": {"D3": ["A.Md.Keb."], "S1": ["S.Tr.Keb."]},
    "kesmas": {"D3": ["A.Md.Kes."], "S1": ["S.K.M."], "S2": ["M.Kes."]},
    "farmasi": {"D3": ["A.Md.Farm."], "S1": ["S.Farm., Apt."]},
    "audit": {"S1": ["S.E.", "S.Ak."], "S2": ["M.Ak.", "M.Si."]},
    "komputer": {"D3": ["A.Md.Kom."], "S1": ["S.Kom."], "S2": ["M.Kom."]},
    "teknik": {"D3": ["A.Md.T."], "S1": ["S.T."], "S2": ["M.T."]},
    "pertanian": {"D3": ["A.Md.P."], "S1": ["S.P."], "S2": ["M.Si."]},
    "dokter": {"S2": ["M.Kes."]},
    "dokter_gigi": {"S2": ["M.Kes."]},
    "general": {"D3": P.TITLES_D3, "S1": P.TITLES_S1_GENERAL, "S2": P.TITLES_S2},
}
FRONT_BY_KIND = {"dokter": "dr.", "dokter_gigi": "drg."}

F, PL = "FUNGSIONAL", "PELAKSANA"
PELAKSANA_JOBS = [
    Job("Pengadministrasi Perkantoran", PL, "KLEREK", 5, "pelaksana"),
    Job("Penata Layanan Operasional", PL, "OPERATOR", 7, "pelaksana"),
    Job("Pengolah Data dan Informasi", PL, "OPERATOR", 6, "pelaksana"),
    Job("Operator Layanan Operasional", PL, "OPERATOR", 5, "pelaksana"),
    Job("Teknisi Sarana dan Prasarana", PL, "TEKNISI", 6, "pelaksana", ("teknik",)),
]


def _fj(name, level, kind="general"):
    """A functional job: grade and profile follow from the level."""
    grade, profile = {"AHLI_PERTAMA": (8, "ahli_pertama"), "AHLI_MUDA": (9, "ahli_muda"),
                      "AHLI_MADYA": (11, "ahli_madya"), "TERAMPIL": (7, "terampil"),
                      "MAHIR": (8, "mahir")}[level]
    return Job(name, F, level, grade, profile, kind if isinstance(kind, tuple) else (kind,))


FUNCTIONAL_BY_DOMAIN = {
    "umum": [_fj("Analis Kebijakan Ahli Muda", "AHLI_MUDA"), _fj("Perencana Ahli Pertama", "AHLI_PERTAMA"),
             _fj("Pranata Hubungan Masyarakat Ahli Pertama", "AHLI_PERTAMA"),
             _fj("Analis Hukum Ahli Pertama", "AHLI_PERTAMA")],
    "inspektorat": [_fj("Auditor Ahli Muda", "AHLI_MUDA", "audit"), _fj("Auditor Ahli Pertama", "AHLI_PERTAMA", "audit"),
                    _fj("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Muda", "AHLI_MUDA")],
    "pendidikan": [_fj("Analis Kebijakan Ahli Muda", "AHLI_MUDA"), _fj("Pengawas Sekolah Ahli Madya", "AHLI_MADYA", "guru"),
                   _fj("Pengembang Teknologi Pembelajaran Ahli Pertama", "AHLI_PERTAMA", "komputer")],
    "kesehatan": [_fj("Epidemiolog Kesehatan Ahli Pertama", "AHLI_PERTAMA", "kesmas"),
                  _fj("Epidemiolog Kesehatan Ahli Muda", "AHLI_MUDA", "kesmas"),
                  _fj("Administrator Kesehatan Ahli Muda", "AHLI_MUDA", "kesmas"),
                  _fj("Sanitarian Terampil", "TERAMPIL", "kesmas")],
    "pupr": [_fj("Teknik Jalan dan Jembatan Ahli Muda", "AHLI_MUDA", "teknik"),
             _fj("Teknik Pengairan Ahli Pertama", "AHLI_PERTAMA", "teknik"),
             _fj("Penata Ruang Ahli Pertama", "AHLI_PERTAMA", "teknik"),
             _fj("Teknik Tata Bangunan dan Perumahan Ahli Pertama", "AHLI_PERTAMA", "teknik")],
    "perhubungan": [_fj("Penguji Kendaraan Bermotor Terampil", "TERAMPIL", "teknik"),
                    _fj("Penguji Kendaraan Bermotor Mahir", "MAHIR", "teknik"),
                    _fj("Perencana Ahli Pertama", "AHLI_PERTAMA")],
    "dukcapil": [_fj("Administrator Database Kependudukan Ahli Pertama", "AHLI_PERTAMA", "komputer"),
                 _fj("Pranata Komputer Terampil", "TERAMPIL", "komputer")],
    "sosial": [_fj("Pekerja Sosial Ahli Pertama", "AHLI_PERTAMA"), _fj("Penyuluh Sosial Ahli Muda", "AHLI_MUDA")],
    "lingkungan": [_fj("Pengendali Dampak Lingkungan Ahli Muda", "AHLI_MUDA", "teknik"),
                   _fj("Pengawas Lingkungan Hidup Ahli Pertama", "AHLI_PERTAMA", "teknik")],
    "perdagangan": [_fj("Penera Terampil", "TERAMPIL", "teknik"), _fj("Pengawas Perdagangan Ahli Pertama", "AHLI_PERTAMA")],
    "kominfo": [_fj("Pranata Komputer Ahli Pertama", "AHLI_PERTAMA", "komputer"),
                _fj("Pranata Komputer Ahli Muda", "AHLI_MUDA", "komputer"),
                _fj("Pranata Hubungan Masyarakat Ahli Muda", "AHLI_MUDA"),
                _fj("Statistisi Ahli Pertama", "AHLI_PERTAMA"), _fj("Sandiman Ahli Pertama", "AHLI_PERTAMA", "komputer")],
    "satpol": [_fj("Polisi Pamong Praja Terampil", "TERAMPIL"), _fj("Polisi Pamong Praja Mahir", "MAHIR"),
               _fj("Polisi Pamong Praja Ahli Pertama", "AHLI_PERTAMA", "general")],
    "damkar": [_fj("Analis Kebakaran Terampil", "TERAMPIL"), _fj("Analis Kebakaran Mahir", "MAHIR")],
    "kepegawaian": [_fj("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "AHLI_PERTAMA"),
                    _fj("Analis Sumber Daya Manusia Aparatur Ahli Muda", "AHLI_MUDA"),
                    _fj("Asesor Sumber Daya Manusia Aparatur Ahli Pertama", "AHLI_PERTAMA")],
    "perencanaan": [_fj("Perencana Ahli Muda", "AHLI_MUDA"), _fj("Perencana Ahli Pertama", "AHLI_PERTAMA"),
                    _fj("Peneliti Ahli Pertama", "AHLI_PERTAMA")],
    "keuangan": [_fj("Analis Keuangan Pusat dan Daerah Ahli Muda", "AHLI_MUDA", "audit"),
                 _fj("Analis Keuangan Pusat dan Daerah Ahli Pertama", "AHLI_PERTAMA", "audit"),
                 _fj("Penilai Pemerintah Ahli Pertama", "AHLI_PERTAMA", "audit")],
    "perpustakaan": [_fj("Pustakawan Ahli Pertama", "AHLI_PERTAMA"), _fj("Pustakawan Terampil", "TERAMPIL"),
                     _fj("Arsiparis Ahli Pertama", "AHLI_PERTAMA"), _fj("Arsiparis Terampil", "TERAMPIL")],
    "pertanian": [_fj("Penyuluh Pertanian Ahli Pertama", "AHLI_PERTAMA", "pertanian"),
                  _fj("Penyuluh Pertanian Ahli Muda", "AHLI_MUDA", "pertanian"),
                  _fj("Pengawas Mutu Hasil Pertanian Terampil", "TERAMPIL", "pertanian")],
}

# Jobs placed in a given bidang on top of the random ones (the demo accounts need them).
PENGELOLA_JOB = _fj("Analis Sumber Daya Manusia Aparatur Ahli Muda", "AHLI_MUDA")
PELATIH_JOB = _fj("Widyaiswara Ahli Muda", "AHLI_MUDA")
PEGAWAI_JOB = _fj("Epidemiolog Kesehatan Ahli Pertama", "AHLI_PERTAMA", "kesmas")
PENGELOLA_BIDANG = ("BKPSDM", "Bidang Penilaian Kinerja Aparatur dan Penghargaan")
PELATIH_BIDANG = ("BKPSDM", "Bidang Pengembangan Kompetensi Aparatur")
ATASAN_BIDANG = ("DINKES", "Bidang Pencegahan dan Pengendalian Penyakit")
PIMPINAN_OPD = "DINKES"
VACANT_BIDANG = ("PUPR", "Bidang Cipta Karya")  # head vacant: staff report to the Sekretaris (Plt.)

PUSKESMAS_STAFF = [
    (_fj("Dokter Ahli Pertama", "AHLI_PERTAMA", "dokter"), 1, 2),
    (_fj("Dokter Gigi Ahli Pertama", "AHLI_PERTAMA", "dokter_gigi"), 0, 1),
    (_fj("Perawat Ahli Pertama", "AHLI_PERTAMA", "perawat"), 1, 2),
    (_fj("Perawat Terampil", "TERAMPIL", "perawat"), 1, 2),
    (_fj("Bidan Terampil", "TERAMPIL", "bidan"), 1, 2),
    (_fj("Bidan Ahli Pertama", "AHLI_PERTAMA", "bidan"), 0, 1),
    (_fj("Nutrisionis Terampil", "TERAMPIL", "kesmas"), 0, 1),
    (_fj("Pranata Laboratorium Kesehatan Terampil", "TERAMPIL", "kesmas"), 0, 1),
    (_fj("Apoteker Ahli Pertama", "AHLI_PERTAMA", "farmasi"), 0, 1),
    (PELAKSANA_JOBS[0], 1, 1),
]
SD_STAFF = [
    (_fj("Guru Ahli Pertama", "AHLI_PERTAMA", "guru"), 2, 3),
    (_fj("Guru Ahli Muda", "AHLI_MUDA", "guru"), 1, 3),
    (_fj("Guru Ahli Madya", "AHLI_MADYA", "guru"), 0, 1),
    (PELAKSANA_JOBS[0], 0, 1),
]
SMP_STAFF = [
    (_fj("Guru Ahli Pertama", "AHLI_PERTAMA", "guru"), 2, 4),
    (_fj("Guru Ahli Muda", "AHLI_MUDA", "guru"), 2, 4),
    (_fj("Guru Ahli Madya", "AHLI_MADYA", "guru"), 1, 2),
    (_fj("Pustakawan Terampil", "TERAMPIL"), 0, 1),
    (PELAKSANA_JOBS[0], 1, 2),
]
UPTD_STAFF = {
    "UPTD Laboratorium Kesehatan Daerah": [(_fj("Pranata Laboratorium Kesehatan Terampil", "TERAMPIL", "kesmas"), 2, 3)],
    "UPTD Instalasi Farmasi": [(_fj("Apoteker Ahli Pertama", "AHLI_PERTAMA", "farmasi"), 1, 2),
                               (_fj("Asisten Apoteker Terampil", "TERAMPIL", "farmasi"), 1, 2)],
}

ASISTEN = [  # Setda: the three assistants and the bagian each coordinates
    ("Asisten Pemerintahan dan Kesejahteraan Rakyat", ["Bagian Tata Pemerintahan", "Bagian Hukum",
                                                        "Bagian Kesejahteraan Rakyat"]),
    ("Asisten Perekonomian dan Pembangunan", ["Bagian Perekonomian dan Sumber Daya Alam",
                                              "Bagian Pengadaan Barang dan Jasa"]),
    ("Asisten Administrasi Umum", ["Bagian Organisasi", "Bagian Umum", "Bagian Protokol dan Komunikasi Pimpinan"]),
]


# Title flavours of the heads of an OPD and its bidang, by the OPD's domain (default: general).
HEAD_KINDS = {"kesehatan": ("dokter", "kesmas"), "pendidikan": ("guru", "general"), "pupr": ("teknik",),
              "lingkungan": ("teknik", "general"), "kominfo": ("komputer", "general"), "keuangan": ("audit",),
              "inspektorat": ("audit", "general"), "pertanian": ("pertanian", "general"),
              "dukcapil": ("komputer", "general")}


def _head_title(unit_name: str) -> str:
    if unit_name.startswith("Inspektur Pembantu"):
        return unit_name
    return f"Kepala {unit_name}"


# --- the plan: rows to insert ------------------------------------------------------------------------

@dataclass
class Plan:
    units: list = field(default_factory=list)
    positions: list = field(default_factory=list)
    employees: list = field(default_factory=list)
    heads: dict = field(default_factory=dict)  # unit id -> head position id
    holders: dict = field(default_factory=lambda: defaultdict(list))  # position id -> [employee rows]
    unit_by_key: dict = field(default_factory=dict)  # (opd code, unit name) -> unit id
    opd_head: dict = field(default_factory=dict)  # opd code -> head position id


class DemoBuilder:
    """Builds the demo as plain rows with explicit ids (no database access but the id allocators)."""

    def __init__(self, rng: random.Random, ids: dict, ranks: dict, size: str = "full"):
        self.rng = rng
        self.ids = ids
        self.ranks = ranks
        self.size = size
        self.plan = Plan()
        self.nips = bulk.NipMaker()
        self.slots = []  # (position row, count, special)

    # units and positions ---------------------------------------------------------------------
    def unit(self, code: str, name: str, unit_type: str, parent_id: Optional[int]) -> int:
        uid = self.ids["unit"]()
        self.plan.units.append({"id": uid, "code": code, "name": name, "unit_type": unit_type,
                                "parent_id": parent_id, "active": True})
        return uid

    def position(self, job: Job, unit_id: int, parent_id: Optional[int], count: int = 1,
                 head: bool = False, special: bool = False) -> dict:
        row = {"id": self.ids["position"](), "name": job.name, "position_type": job.position_type,
               "level": job.level, "grade": job.grade, "unit_id": unit_id, "parent_id": parent_id}
        self.plan.positions.append(row)
        row_job = (row, job)
        if head:
            self.plan.heads[unit_id] = row["id"]
        self.slots.append((row_job, count, special))
        return row

    def staff(self, job: Job, unit_id: int, parent_id: int, lo: int, hi: int) -> Optional[dict]:
        count = self.rng.randint(lo, hi)
        if self.size == "small":
            count = min(count, 1)
        if count <= 0:
            return None
        return self.position(job, unit_id, parent_id, count)

    def head_job(self, name: str, profile: str, grade: int, kind=("general",)) -> Job:
        ptype = {"sekda": "JPT", "jpt": "JPT", "administrator": "ADMINISTRATOR",
                 "pengawas": "PENGAWAS", "ahli_madya": F}[profile]
        level = {"JPT": "PRATAMA", F: "AHLI_MADYA"}.get(ptype)
        return Job(name, ptype, level, grade, profile, kind)

    def bidang_staff(self, domain: str, unit_id: int, head_id: int) -> None:
        jobs = FUNCTIONAL_BY_DOMAIN[domain]
        for job in self.rng.sample(jobs, k=min(len(jobs), self.rng.randint(1, 2))):
            self.staff(job, unit_id, head_id, 1, 2)
        self.staff(self.rng.choice(PELAKSANA_JOBS), unit_id, head_id, 1, 2)

    # the city ------------------------------------------------------------------------------------
    def build(self) -> Plan:
        plan = self.plan
        root = self.unit(P.ROOT_CODE, P.ROOT_NAME, "PEMKOT", None)
        sekda_id = None
        for code, name, head_title, head_grade, bidang, domain in P.OPDS:
            opd = self.unit(f"{P.ROOT_CODE}.{code}", name, "OPD", root)
            profile = "sekda" if code == "SETDA" else "jpt"
            kinds = HEAD_KINDS.get(domain, ("general",))
            head = self.position(self.head_job(head_title, profile, head_grade, kinds), opd, sekda_id, head=True)
            plan.opd_head[code] = head["id"]
            if code == "SETDA":
                sekda_id = head["id"]
                self._setda(opd, head["id"], bidang)
                continue
            bidang_parent = head["id"]
            sekretaris_id = None
            if code != "SETWAN":
                sek = self.unit(f"{P.ROOT_CODE}.{code}.SEK", f"Sekretariat {name}", "SEKRETARIAT", opd)
                plan.unit_by_key[(code, "Sekretariat")] = sek
                sekretaris = self.position(self.head_job(f"Sekretaris {name}", "administrator", 11), sek,
                                           head["id"], head=True)
                sekretaris_id = sekretaris["id"]
                for sub in ("Kepala Subbagian Umum dan Kepegawaian", "Kepala Subbagian Keuangan dan Aset"):
                    kasubbag = self.position(self.head_job(sub, "pengawas", 9), sek, sekretaris_id)
                    self.staff(self.rng.choice(PELAKSANA_JOBS[:3]), sek, kasubbag["id"], 1, 2)
                self.staff(_fj("Perencana Ahli Pertama", "AHLI_PERTAMA"), sek, sekretaris_id, 0, 1)
            for i, bname in enumerate(bidang, start=1):
                self._bidang(code, opd, i, bname, domain, bidang_parent, sekretaris_id)
            for i, uname in enumerate(P.UPTDS.get(code, []), start=1):
                uptd = self.unit(f"{P.ROOT_CODE}.{code}.UPTD{i:02d}", uname, "UPTD", opd)
                kepala = self.position(self.head_job(f"Kepala {uname}", "pengawas", 9), uptd, head["id"], head=True)
                for job, lo, hi in UPTD_STAFF.get(uname, []):
                    self.staff(job, uptd, kepala["id"], lo, hi)
                self.staff(self.rng.choice(PELAKSANA_JOBS), uptd, kepala["id"], 1, 3)
            if code == "DINKES":
                self._puskesmas(opd, head["id"])
            if code == "DISDIK":
                self._schools(opd)
        self._kecamatan(root, sekda_id)
        return plan

    def _setda(self, opd: int, sekda_id: int, bagian: list) -> None:
        parent_of = {}
        for title, names in ASISTEN:
            asisten = self.position(Job(title, "JPT", "PRATAMA", 14, "jpt"), opd, sekda_id)
            for n in names:
                parent_of[n] = asisten["id"]
        for i, bname in enumerate(bagian, start=1):
            self._bidang("SETDA", opd, i, bname, "umum", parent_of.get(bname, sekda_id), None)

    def _bidang(self, code, opd, i, bname, domain, parent_id, sekretaris_id) -> None:
        uid = self.unit(f"{P.ROOT_CODE}.{code}.B{i:02d}", bname, "BIDANG", opd)
        self.plan.unit_by_key[(code, bname)] = uid
        vacant = (code, bname) == VACANT_BIDANG
        kinds = HEAD_KINDS.get(domain, ("general",))
        head = self.position(self.head_job(_head_title(bname), "administrator", 11, kinds), uid, parent_id,
                             count=0 if vacant else 1, head=True)
        # Staff of a vacant bidang report to the Sekretaris as acting head (supervisor set by hand).
        staff_parent = head["id"]
        start = len(self.slots)
        self.bidang_staff(domain, uid, staff_parent)
        if (code, bname) == PENGELOLA_BIDANG:
            self.position(PENGELOLA_JOB, uid, staff_parent, count=2, special=True)
        if (code, bname) == PELATIH_BIDANG:
            self.position(PELATIH_JOB, uid, staff_parent, count=2, special=True)
        if (code, bname) == ATASAN_BIDANG:
            self.position(PEGAWAI_JOB, uid, staff_parent, count=3, special=True)
        if vacant and sekretaris_id:
            for (row, _job), _count, _special in self.slots[start:]:
                row["acting_supervisor_position"] = sekretaris_id

    def _puskesmas(self, dinkes: int, kadis_id: int) -> None:
        names = P.PUSKESMAS if self.size == "full" else P.PUSKESMAS[:4]
        for i, name in enumerate(names, start=1):
            uid = self.unit(f"{P.ROOT_CODE}.DINKES.PKM{i:02d}", name, "PUSKESMAS", dinkes)
            kind = ("dokter",) if i % 2 else ("kesmas",)
            kepala = self.position(self.head_job(f"Kepala {name}", "pengawas", 9, kind), uid, kadis_id, head=True)
            for job, lo, hi in PUSKESMAS_STAFF:
                self.staff(job, uid, kepala["id"], lo, hi)

    def _schools(self, disdik: int) -> None:
        key = self.plan.unit_by_key
        heads = self.plan.heads
        kabid_sd = heads[key[("DISDIK", "Bidang Pembinaan Sekolah Dasar")]]
        kabid_smp = heads[key[("DISDIK", "Bidang Pembinaan Sekolah Menengah Pertama")]]
        sd = P.SD_NUMBERS if self.size == "full" else P.SD_NUMBERS[:4]
        smp = P.SMP_NUMBERS if self.size == "full" else P.SMP_NUMBERS[:3]
        for prefix, numbers, parent, staff in (("SD", sd, kabid_sd, SD_STAFF), ("SMP", smp, kabid_smp, SMP_STAFF)):
            for n in numbers:
                name = f"{prefix} Negeri {n} Palembang"
                uid = self.unit(f"{P.ROOT_CODE}.DISDIK.{prefix}{n:03d}", name, "SEKOLAH", disdik)
                kepala = self.position(self.head_job(f"Kepala {name}", "ahli_madya", 11, ("guru",)), uid, parent,
                                       head=True)
                for job, lo, hi in staff:
                    self.staff(job, uid, kepala["id"], lo, hi)

    def _kecamatan(self, root: int, sekda_id: int) -> None:
        for k, (kec, kelurahan) in enumerate(P.KECAMATAN, start=1):
            kcode = f"{P.ROOT_CODE}.KEC{k:02d}"
            uid = self.unit(kcode, f"Kecamatan {kec}", "KECAMATAN", root)
            camat = self.position(self.head_job(f"Camat {kec}", "administrator", 11), uid, sekda_id, head=True)
            sekcam = self.position(self.head_job(f"Sekretaris Kecamatan {kec}", "administrator", 10), uid, camat["id"])
            for section in P.KECAMATAN_SECTIONS:
                kasi = self.position(self.head_job(f"Kepala {section}", "pengawas", 9), uid, camat["id"])
                self.staff(self.rng.choice(PELAKSANA_JOBS[:4]), uid, kasi["id"], 0, 1)
            kasubbag = self.position(self.head_job("Kepala Subbagian Umum dan Kepegawaian", "pengawas", 9), uid,
                                     sekcam["id"])
            self.staff(PELAKSANA_JOBS[0], uid, kasubbag["id"], 1, 2)
            for j, kel in enumerate(kelurahan, start=1):
                kid = self.unit(f"{kcode}.KEL{j:02d}", f"Kelurahan {kel}", "KELURAHAN", uid)
                lurah = self.position(self.head_job(f"Lurah {kel}", "pengawas", 9), kid, camat["id"], head=True)
                sekel = self.position(self.head_job(f"Sekretaris Kelurahan {kel}", "pengawas", 8), kid, lurah["id"])
                self.staff(self.rng.choice(PELAKSANA_JOBS[:4]), kid, sekel["id"], 1, 2)

    # people ------------------------------------------------------------------------------------------
    def people(self) -> None:
        """Create the holders of every position, then the supervisors (holder of the parent position)."""
        plan = self.plan
        for (row, job), count, special in self.slots:
            for _ in range(count):
                emp = self.person(job, row, special)
                plan.employees.append(emp)
                plan.holders[row["id"]].append(emp)
        # Supervisor = first active holder (by NIP) of the parent position, as services.derive_supervisor.
        first_active = {}
        for pid, rows in plan.holders.items():
            active = sorted((e for e in rows if e["status"] == "AKTIF"), key=lambda e: e["nip"])
            if active:
                first_active[pid] = active[0]
        parent_of = {p["id"]: p["parent_id"] for p in plan.positions}
        acting = {p["id"]: p.get("acting_supervisor_position") for p in plan.positions}
        for emp in plan.employees:
            pid = emp["position_id"]
            if acting.get(pid):
                sup = first_active.get(acting[pid])
                emp["supervisor_override"] = True
            else:
                sup = first_active.get(parent_of.get(pid))
            emp["supervisor_id"] = sup["id"] if sup is not None and sup["id"] != emp["id"] else None

    def person(self, job: Job, position: dict, special: bool) -> dict:
        rng = self.rng
        min_age, max_age, education, band, pppk_share, female_share = PROFILES[job.profile]
        kind = rng.choice(job.kind)
        female_share = FEMALE_SHARE_BY_KIND.get(kind, female_share)
        gender = "P" if rng.random() < female_share else "L"
        pppk_share = PPPK_SHARE_BY_KIND.get(kind, pppk_share) if job.profile in (
            "ahli_pertama", "terampil", "pelaksana", "ahli_muda") else pppk_share
        edu = rng.choices(list(education), weights=list(education.values()))[0]
        roll = rng.random()
        if not special and roll < pppk_share:
            asn_type = "PPPK"
        elif not special and job.profile in ("ahli_pertama", "terampil", "pelaksana") and roll > 1 - CPNS_SHARE:
            asn_type = "CPNS"
        else:
            asn_type = "PNS"
        on = REFERENCE_DATE
        if asn_type == "CPNS":
            birth = bulk.random_birth(rng, 23, 32, on)
        elif asn_type == "PPPK":
            birth = bulk.random_birth(rng, max(min_age, 27), min(max_age + 3, 55), on)
        else:
            birth = bulk.random_birth(rng, min_age, max_age, on)
        if asn_type == "PPPK":
            year = rng.choice([2021, 2022, 2023, 2024])
            nip = self.nips.pppk(birth, year, gender)
            rank_code = PPPK_BY_EDUCATION[edu]
            if job.profile == "ahli_muda":
                rank_code = rng.choice(["X", "XI"])
            rank_id = self.ranks[("PPPK", rank_code)]
        else:
            if asn_type == "CPNS":
                start = (2024, rng.choice([3, 4, 6]))
                start = max(start, (birth.year + 18, birth.month))
            else:
                start = bulk.cpns_start(rng, birth, on, latest_year=2023,
                                        max_age=min(31, max(21, on.year - birth.year - 1)))
            nip = self.nips.pns(birth, start[0], start[1], gender)
            rank_id = self.ranks[("PNS", self._pns_rank(edu, start[0], band, asn_type))]
        front, back = self._titles(kind, edu, job, birth, gender)
        status = "AKTIF"
        if not special and job.position_type in (F, PL) and asn_type != "CPNS" and rng.random() < 0.02:
            status = rng.choice(["PINDAH", "DIBERHENTIKAN_SEMENTARA", "PENSIUN"])
        name = bulk.person_name(rng, gender)
        email = phone = None
        if rng.random() < 0.6:
            local = ".".join(w.lower().strip(".") for w in name.split()[-2:])
            email = f"{local}{rng.randint(1, 99)}@{P.DEMO_EMAIL_DOMAIN}"
        if rng.random() < 0.7:
            phone = f"08{rng.choice(['11', '12', '13', '21', '22', '52', '53', '77', '78', '95'])}" \
                    f"{rng.randint(10000000, 99999999)}"
        return {
            "id": self.ids["employee"](), "nip": nip, "name": name, "front_title": front, "back_title": back,
            "gender": gender, "birth_date": birth, "birth_place": rng.choice(P.BIRTH_PLACES),
            "asn_type": asn_type, "status": status, "rank_id": rank_id, "position_id": position["id"],
            "unit_id": position["unit_id"], "supervisor_id": None, "supervisor_override": False,
            "email": email, "phone": phone, "user_id": None,
        }

    @staticmethod
    def _pns_rank(edu: str, start_year: int, band: tuple, asn_type: str) -> str:
        entry = PNS_CODES.index(ENTRY_RANK[edu])
        if asn_type == "CPNS":
            return PNS_CODES[entry]
        idx = entry + max(0, REFERENCE_DATE.year - start_year) // 4
        lo, hi = PNS_CODES.index(band[0]), PNS_CODES.index(band[1])
        return PNS_CODES[max(lo, min(hi, idx))]

    def _titles(self, kind, edu, job, birth, gender):
        rng = self.rng
        titles = TITLES.get(kind, TITLES["general"])
        back = []
        if edu in ("D3", "S1", "S2"):
            level = "S1" if edu == "S2" else edu
            options = titles.get(level) or TITLES["general"].get(level)
            if options and kind not in ("dokter", "dokter_gigi"):
                back.append(rng.choice(options))
        if edu == "S2":
            options = titles.get("S2") or TITLES["general"]["S2"]
            back.append(rng.choice(options))
        front = []
        age = REFERENCE_DATE.year - birth.year
        if age >= 45 and rng.random() < 0.12:
            front.append("Hj." if gender == "P" else "H.")
        if kind in FRONT_BY_KIND:
            front.append(FRONT_BY_KIND[kind])
        elif job.profile in ("jpt", "sekda") and edu == "S2" and rng.random() < 0.25:
            front.append("Dr.")
        return (" ".join(front) or None), (", ".join(back) or None)


# --- loading ------------------------------------------------------------------------------------------

@dataclass
class DemoAccount:
    role: str
    username: str
    name: str
    password: Optional[str]  # None: an existing account was kept, its password unchanged


@dataclass
class DemoResult:
    loaded: bool
    message: str
    units: int = 0
    positions: int = 0
    employees: int = 0
    accounts: list = field(default_factory=list)
    performance: dict = field(default_factory=dict)  # rows written per performance table


def demo_password_from_env() -> Optional[str]:
    """DEMO_PASSWORD when set; refused with the policy's reasons when it is too weak."""
    value = os.environ.get("DEMO_PASSWORD")
    if not value:
        return None
    problems = password_problems(value)
    if problems:
        raise DemoError("DEMO_PASSWORD does not satisfy the password policy: "
                        + "; ".join(str(p) for p in problems))
    return value


def is_loaded(session) -> bool:
    return session.execute(select(Unit.id).where(Unit.code == P.ROOT_CODE)).first() is not None


def load_demo(sm, reset: bool = False, size: str = "full", password: Optional[str] = None,
              today: Optional[date] = None) -> DemoResult:
    """Load the Palembang demo in one transaction. ``password``: one password for every demo account
    (already checked by the caller), else one generated per account. ``today`` (default: the real date)
    places the performance data (last year and this year, see app.demo.performance). Returns what was done."""
    if size not in SIZES:
        raise DemoError(f"unknown size {size!r} (choose from {', '.join(SIZES)})")
    from app.accounts.services import sync_roles

    session = sm.session
    if not reset and is_loaded(session):
        return DemoResult(False, f"The Palembang demo is already loaded (unit {P.ROOT_CODE} exists): nothing "
                                 "done. Use --reset to load it again.")
    sync_roles(sm)  # the roles must exist before accounts get them (commits on its own)
    conn = session.connection()
    try:
        if reset:
            bulk.wipe_organisation(conn, usernames=_demo_usernames(conn))
        elif not bulk.org_is_empty(conn):
            raise DemoError("The database already holds organisation data that is not the demo: load the demo "
                            "into an empty database, or use --reset to replace every unit, position and "
                            "employee (and the records that depend on them).")
        ranks = bulk.rank_ids(conn)
        ids = {"unit": bulk.IdAllocator(conn, Unit.__table__),
               "position": bulk.IdAllocator(conn, Position.__table__),
               "employee": bulk.IdAllocator(conn, Employee.__table__)}
        builder = DemoBuilder(random.Random(SEED), ids, ranks, size)
        plan = builder.build()
        builder.people()
        bulk.check_employees(plan.employees)
        _write(conn, plan)
        accounts = _create_accounts(sm, conn, plan, password)
        from .performance import load_performance_demo

        performance = load_performance_demo(session, today or date.today())
        from .socialization import load_socialization_demo  # material, acknowledgements, award decisions
        performance.counts.update(load_socialization_demo(session, today or date.today()).counts)
        performance.counts.update(__import__("app.demo.training", fromlist=["load_training_demo"])
                                  .load_training_demo(session, today or date.today()).counts)  # app/demo/training.py
        performance.counts.update(__import__("app.demo.survey", fromlist=["load_survey_demo"])
                                  .load_survey_demo(session, today or date.today()).counts)  # app/demo/survey.py
        session.commit()
        bulk.analyze(session.connection())
        session.commit()
    except Exception:
        session.rollback()
        raise
    return DemoResult(True, "The Palembang demo is loaded.", len(plan.units), len(plan.positions),
                      len(plan.employees), accounts, performance.counts)


def _write(conn, plan: Plan) -> None:
    position_cols = ("id", "name", "position_type", "level", "grade", "unit_id", "parent_id")
    bulk.insert_rows(conn, Unit.__table__, plan.units)
    bulk.insert_rows(conn, Position.__table__, [{k: p[k] for k in position_cols} for p in plan.positions])
    bulk.insert_rows(conn, Employee.__table__, plan.employees)
    heads = [{"uid": uid, "pid": pid} for uid, pid in plan.heads.items()]
    table = Unit.__table__
    conn.execute(update(table).where(table.c.id == bindparam("uid")).values(head_position_id=bindparam("pid")),
                 heads)
    bulk.sync_sequences(conn, ("unit", "position", "employee"))


def _demo_usernames(conn) -> list:
    """Accounts the demo created: those with the demo e-mail domain (linked ones go with their employee)."""
    user = Model.metadata.tables["ab_user"]
    return list(conn.execute(select(user.c.username).where(
        user.c.email.like(f"%@{P.DEMO_EMAIL_DOMAIN}"))).scalars())


def _create_accounts(sm, conn, plan: Plan, password: Optional[str]) -> list:
    """One account per role. Employees log in with their NIP; the Admin is "admin"."""
    by_id = {e["id"]: e for e in plan.employees}
    has_subs = {e["supervisor_id"] for e in plan.employees if e["supervisor_id"]}

    def holder(position_id):
        rows = sorted((e for e in plan.holders[position_id] if e["status"] == "AKTIF"), key=lambda e: e["nip"])
        return rows[0]

    def position_in(key, job_name):
        uid = plan.unit_by_key[key]
        return next(p["id"] for p in plan.positions if p["unit_id"] == uid and p["name"] == job_name)

    atasan = holder(plan.heads[plan.unit_by_key[ATASAN_BIDANG]])
    pegawai = sorted((e for e in plan.employees if e["supervisor_id"] == atasan["id"] and e["status"] == "AKTIF"
                      and e["id"] not in has_subs), key=lambda e: e["nip"])[0]
    chosen = [
        (R.PENGELOLA, holder(position_in(PENGELOLA_BIDANG, PENGELOLA_JOB.name)), {R.PENGELOLA}),
        (R.PIMPINAN, holder(plan.opd_head[PIMPINAN_OPD]), {R.PIMPINAN}),
        (R.ATASAN, atasan, set()),
        (R.PEGAWAI, pegawai, set()),
        (R.PELATIH, holder(position_in(PELATIH_BIDANG, PELATIH_JOB.name)), {R.PELATIH}),
    ]
    accounts = []
    hashed = ""
    if password:  # one shared password: hash it once (scrypt costs about half a second per call)
        config = current_app.config
        hashed = generate_password_hash(password, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                        salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
    admin_name = "admin"
    if sm.find_user(username=admin_name) is None:
        pw = password or generate_password()
        user = sm.add_user(admin_name, "Admin", "Sistem", f"admin@{P.DEMO_EMAIL_DOMAIN}", [sm.find_role(R.ADMIN)],
                           password=pw, hashed_password=hashed, commit=False)
        if not user:
            raise DemoError("the demo Admin account could not be created")
        accounts.append(DemoAccount(R.ADMIN, admin_name, "Admin Sistem", pw))
    else:
        accounts.append(DemoAccount(R.ADMIN, admin_name, "(existing account kept)", None))
    employee_table = Employee.__table__
    for role, emp, extra in chosen:
        wanted = R.roles_for_employee(emp["id"] in has_subs, extra)
        pw = password or generate_password()
        words = emp["name"].split()
        user = sm.add_user(emp["nip"], words[0][:64], (" ".join(words[1:]) or "-")[:64],
                           f"{emp['nip']}@{P.DEMO_EMAIL_DOMAIN}", [sm.find_role(n) for n in sorted(wanted)],
                           password=pw, hashed_password=hashed, commit=False)
        if not user:
            raise DemoError(f"the demo account {emp['nip']} could not be created (is the user name taken?)")
        conn.execute(update(employee_table).where(employee_table.c.id == emp["id"]).values(user_id=user.id))
        by_id[emp["id"]]["user_id"] = user.id
        accounts.append(DemoAccount(role, emp["nip"], _full_name(emp), pw))
    return accounts


def _full_name(emp: dict) -> str:
    return rules.full_name(emp["name"], emp["front_title"], emp["back_title"])
