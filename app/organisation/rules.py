"""Organisation business rules: NIP parsing, identity consistency, tree loops.

Pure functions and value objects only (no Flask, no database), unit-tested in tests/unit.
Messages are lazy strings so that callers render them in the user's language.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Hashable, Optional

from flask_babel import lazy_gettext as _l

# --- reference vocabularies (stored codes -> labels) ------------------------------------------

UNIT_TYPES = {
    "PEMKOT": _l("City government"),
    "OPD": _l("Regional agency (OPD)"),
    "SEKRETARIAT": _l("Secretariat"),
    "BIDANG": _l("Division (bidang/bagian)"),
    "SUBBAGIAN": _l("Sub-division"),
    "UPTD": _l("Technical unit (UPTD)"),
    "SEKOLAH": _l("School"),
    "PUSKESMAS": _l("Community health centre (puskesmas)"),
    "KECAMATAN": _l("District (kecamatan)"),
    "KELURAHAN": _l("Urban village (kelurahan)"),
}

POSITION_TYPES = {
    "JPT": _l("Senior executive (JPT)"),
    "ADMINISTRATOR": _l("Administrator"),
    "PENGAWAS": _l("Supervisor (pengawas)"),
    "PELAKSANA": _l("Executor (pelaksana)"),
    "FUNGSIONAL": _l("Functional"),
}

# Levels allowed per position type; None means the type has no level.
POSITION_LEVELS = {
    "JPT": {"UTAMA": _l("Utama"), "MADYA": _l("Madya"), "PRATAMA": _l("Pratama")},
    "ADMINISTRATOR": None,
    "PENGAWAS": None,
    "PELAKSANA": {"KLEREK": _l("Clerk (klerek)"), "OPERATOR": _l("Operator"), "TEKNISI": _l("Technician (teknisi)")},
    "FUNGSIONAL": {
        "AHLI_PERTAMA": _l("Ahli Pertama"),
        "AHLI_MUDA": _l("Ahli Muda"),
        "AHLI_MADYA": _l("Ahli Madya"),
        "AHLI_UTAMA": _l("Ahli Utama"),
        "PEMULA": _l("Pemula"),
        "TERAMPIL": _l("Terampil"),
        "MAHIR": _l("Mahir"),
        "PENYELIA": _l("Penyelia"),
    },
}
ALL_POSITION_LEVELS = {k: v for levels in POSITION_LEVELS.values() if levels for k, v in levels.items()}

GRADE_MIN, GRADE_MAX = 1, 17  # kelas jabatan

ASN_TYPES = {"CPNS": _l("CPNS"), "PNS": _l("PNS"), "PPPK": _l("PPPK")}
EMPLOYEE_STATUSES = {
    "AKTIF": _l("Active"),
    "PENSIUN": _l("Retired"),
    "PINDAH": _l("Moved"),
    "DIBERHENTIKAN_SEMENTARA": _l("Suspended"),
}
GENDERS = {"L": _l("Male"), "P": _l("Female")}

# The 17 PNS ranks (golongan/ruang, pangkat) and PPPK golongan I-XVII, in order.
PNS_RANKS = [
    ("I/a", "Juru Muda"), ("I/b", "Juru Muda Tingkat I"), ("I/c", "Juru"), ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"), ("II/b", "Pengatur Muda Tingkat I"), ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"), ("III/a", "Penata Muda"), ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"), ("III/d", "Penata Tingkat I"), ("IV/a", "Pembina"), ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"), ("IV/d", "Pembina Utama Madya"), ("IV/e", "Pembina Utama"),
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII"]
PPPK_RANKS = [(r, f"Golongan {r}") for r in ROMAN]


# --- NIP ----------------------------------------------------------------------------------------

class NipError(ValueError):
    """A NIP that breaks a rule; ``message`` is a lazy, translatable string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class NipInfo:
    """What a PNS NIP encodes."""

    birth_date: date
    start_year: int
    start_month: int
    gender: str  # "L" or "P"
    sequence: str


def parse_nip(nip: str, asn_type: str = "PNS") -> Optional[NipInfo]:
    """Validate a NIP and return what it encodes.

    PNS/CPNS NIP: 18 digits = birth date YYYYMMDD, CPNS start YYYYMM, gender (1 male, 2 female),
    3-digit sequence; the birth date must be real, the start month real and not before the month of
    the 18th birthday. PPPK numbers are validated only as 18 digits (layout unverified): returns None.
    Raises NipError with an Indonesian-translatable message.
    """
    nip = (nip or "").strip()
    if not nip:
        raise NipError(_l("NIP is required"))
    if not nip.isdigit() or not nip.isascii():
        raise NipError(_l("NIP may contain digits only"))
    if len(nip) != 18:
        raise NipError(_l("NIP must be exactly 18 digits (this one has %(n)d)", n=len(nip)))
    if asn_type == "PPPK":
        return None
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NipError(_l("Digits 1-8 of the NIP are not a real birth date (YYYYMMDD)")) from None
    if birth.year < 1900:
        raise NipError(_l("Digits 1-8 of the NIP are not a real birth date (YYYYMMDD)"))
    start_year, start_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= start_month <= 12 or start_year < 1900:
        raise NipError(_l("Digits 9-14 of the NIP are not a real start month (YYYYMM)"))
    if (start_year, start_month) < (birth.year + 18, birth.month):
        raise NipError(_l("The start month in the NIP is before the employee's 18th birthday"))
    gender_digit = nip[14]
    if gender_digit not in "12":
        raise NipError(_l("Digit 15 of the NIP must be 1 (male) or 2 (female)"))
    return NipInfo(birth, start_year, start_month, "L" if gender_digit == "1" else "P", nip[15:18])


def nip_start_date(info: NipInfo) -> date:
    """First day of the CPNS start month encoded in the NIP."""
    return date(info.start_year, info.start_month, 1)


def identity_problems(nip: str, asn_type: str, gender: Optional[str], birth_date: Optional[date]) -> dict:
    """Check a NIP against the employee's gender and birth date.

    Returns {field_name: message}; empty when consistent. For PPPK only the 18-digit form is checked.
    """
    problems = {}
    try:
        info = parse_nip(nip, asn_type)
    except NipError as exc:
        return {"nip": exc.message}
    if info is None:
        return problems
    if gender and gender != info.gender:
        problems["gender"] = _l("Gender does not match digit 15 of the NIP")
    if birth_date and birth_date != info.birth_date:
        problems["birth_date"] = _l("Birth date does not match digits 1-8 of the NIP (%(d)s)",
                                    d=info.birth_date.isoformat())
    return problems


# --- trees ----------------------------------------------------------------------------------------

def creates_cycle(node: Hashable, new_parent: Optional[Hashable],
                  parent_of: Callable[[Hashable], Optional[Hashable]], limit: int = 10000) -> bool:
    """True when making ``new_parent`` the parent of ``node`` would close a loop.

    ``parent_of`` returns the current parent of a node (None at a root). Used for the unit tree, the
    position tree and the supervisor chain (an employee cannot be their own (indirect) supervisor).
    """
    if new_parent is None:
        return False
    seen = set()
    current = new_parent
    while current is not None:
        if current == node:
            return True
        if current in seen or len(seen) > limit:
            return True  # an existing loop upstream: refuse rather than extend it
        seen.add(current)
        current = parent_of(current)
    return False


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+() -]{3,30}$")


def is_email(value: str) -> bool:
    """A plausible e-mail address (the form also checks with email-validator)."""
    return bool(_EMAIL.match((value or "").strip())) and len(value) <= 120


def is_phone(value: str) -> bool:
    return bool(_PHONE.match((value or "").strip()))


def full_name(name: str, front_title: Optional[str] = None, back_title: Optional[str] = None) -> str:
    """'Dr. Siti Aminah, S.Pd., M.Pd.' from its parts, as printed on official documents."""
    text = " ".join(p for p in [(front_title or "").strip(), (name or "").strip()] if p)
    back = (back_title or "").strip()
    return f"{text}, {back}" if back else text


def years_of_service(info: NipInfo, on: date) -> int:
    """Whole years since the CPNS start month encoded in the NIP (for Satyalancana later)."""
    start = nip_start_date(info)
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return max(years, 0)


def last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
