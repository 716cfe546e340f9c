"""Awards (penghargaan; domain.md "Follow-up"): who is a candidate, as pure rules.

* Two annual predikat in a row (PermenPANRB 6/2022, tindak lanjut; ``app.performance.rating.follow_up``):
  Sangat Baik in year Y-1 and Y → priority for the talent pool; Baik in Y-1 and Y → priority for
  competence development. The annual predikat is the one of the FINAL evaluation of an ANNUAL period.
* Satyalancana Karya Satya for 10, 20 or 30 years of service on a reference date. Service counts from the
  CPNS start month (the first day of the month in digits 9-14 of the NIP) or from a start date when the
  record has one. Exactly 10 years counts; 9 years and 11 months does not. A candidate is proposed for the
  highest milestone reached, unless that milestone (or a higher one) was awarded (approved) in another year.

Decisions (approved / not approved, with decree number and date) are validated by ``validate_decision``.
No Flask app, request or database here: plain values in, plain values (and lazy messages) out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Iterable, Mapping, Optional

from flask_babel import lazy_gettext as _l

from app.organisation.rules import NipError, nip_start_date, parse_nip
from app.performance.rating import FollowUp, Predikat, follow_up

DECREE_MAX = 100
NOTES_MAX = 2000
REASON_MAX = 200
YEAR_MIN, YEAR_MAX = 2000, 2100
DEFAULT_REFERENCE_MONTH_DAY = (8, 17)  # Satyalancana are conferred on Independence Day (configurable)


class AwardKind(StrEnum):
    """Jenis penghargaan / tindak lanjut."""

    TALENT_POOL = "TALENT_POOL"  # prioritas kelompok rencana suksesi (talent pool)
    COMPETENCE_DEVELOPMENT = "COMPETENCE_DEVELOPMENT"  # prioritas pengembangan kompetensi
    SATYALANCANA_10 = "SATYALANCANA_10"  # Satyalancana Karya Satya X tahun
    SATYALANCANA_20 = "SATYALANCANA_20"  # Satyalancana Karya Satya XX tahun
    SATYALANCANA_30 = "SATYALANCANA_30"  # Satyalancana Karya Satya XXX tahun

    @property
    def label(self):
        return AWARD_LABELS[self]


AWARD_LABELS = MappingProxyType({
    AwardKind.TALENT_POOL: _l("Priority for the talent pool"),
    AwardKind.COMPETENCE_DEVELOPMENT: _l("Priority for competence development"),
    AwardKind.SATYALANCANA_10: _l("Satyalancana Karya Satya 10 years"),
    AwardKind.SATYALANCANA_20: _l("Satyalancana Karya Satya 20 years"),
    AwardKind.SATYALANCANA_30: _l("Satyalancana Karya Satya 30 years"),
})
AWARD_ORDER = tuple(AwardKind)

# The milestones of service (years → award), configurable data.
SERVICE_MILESTONES: Mapping[int, AwardKind] = MappingProxyType({
    10: AwardKind.SATYALANCANA_10, 20: AwardKind.SATYALANCANA_20, 30: AwardKind.SATYALANCANA_30})
SATYALANCANA = frozenset(SERVICE_MILESTONES.values())
FOLLOW_UP_AWARDS: Mapping[FollowUp, AwardKind] = MappingProxyType({
    FollowUp.TALENT_POOL: AwardKind.TALENT_POOL, FollowUp.COMPETENCE_DEVELOPMENT: AwardKind.COMPETENCE_DEVELOPMENT})


class Decision(StrEnum):
    """The decision on a candidate."""

    APPROVED = "DISETUJUI"
    NOT_APPROVED = "TIDAK_DISETUJUI"

    @property
    def label(self):
        return DECISION_LABELS[self]


DECISION_LABELS = MappingProxyType({
    Decision.APPROVED: _l("Approved"),
    Decision.NOT_APPROVED: _l("Not approved"),
})


# --- years of service ------------------------------------------------------------------------------------

def service_start(nip: Optional[str], asn_type: Optional[str] = "PNS", start_date: Optional[date] = None
                  ) -> Optional[date]:
    """When service began: ``start_date`` when known, else the first day of the CPNS start month of a PNS /
    CPNS NIP. None for a PPPK number (its layout is not verified) or an invalid NIP."""
    if start_date is not None:
        return start_date
    if asn_type == "PPPK":
        return None
    try:
        info = parse_nip(nip or "", "PNS")
    except NipError:
        return None
    return nip_start_date(info) if info is not None else None


def service_months(start: date, on: date) -> int:
    """Whole months of service from ``start`` to ``on`` (0 before the start)."""
    months = (on.year - start.year) * 12 + (on.month - start.month) - (on.day < start.day)
    return max(months, 0)


def years_of_service(start: date, on: date) -> int:
    """Whole years of service: on the 10th anniversary of the start exactly 10; the day before, 9."""
    return service_months(start, on) // 12


def milestone_reached(start: date, on: date,
                      milestones: Mapping[int, AwardKind] = SERVICE_MILESTONES) -> Optional[AwardKind]:
    """The highest Satyalancana milestone reached on ``on``, or None."""
    years = years_of_service(start, on)
    reached = [m for m in milestones if years >= m]
    return milestones[max(reached)] if reached else None


def satyalancana_candidate(start: Optional[date], on: date, awarded_elsewhere: Iterable = (),
                           milestones: Mapping[int, AwardKind] = SERVICE_MILESTONES) -> Optional[AwardKind]:
    """The Satyalancana an employee is a candidate for on ``on``: the highest milestone reached, unless that
    milestone or a higher one was already awarded (``awarded_elsewhere``: kinds approved in other years)."""
    if start is None:
        return None
    kind = milestone_reached(start, on, milestones)
    if kind is None:
        return None
    years_of = {k: y for y, k in milestones.items()}
    done = {k for k in awarded_elsewhere if k in years_of}
    if any(years_of[k] >= years_of[kind] for k in done):
        return None
    return kind


# --- two years of predikat --------------------------------------------------------------------------------

def follow_up_candidate(previous_year: Optional[str], this_year: Optional[str]) -> Optional[AwardKind]:
    """TALENT_POOL for Sangat Baik twice in a row, COMPETENCE_DEVELOPMENT for Baik twice, else None."""
    try:
        result = follow_up(previous_year, this_year)
    except ValueError:
        return None
    return FOLLOW_UP_AWARDS.get(result) if result is not None else None


def annual_predikat(rows: Iterable) -> dict:
    """{(employee_id, year): predikat} from (employee_id, year, predikat, finalised_at) rows of final annual
    evaluations: when an employee has several in one year (a new plan after a change of position), the one
    finalised last counts."""
    best: dict = {}
    for employee_id, year, value, finalised_at in rows:
        if value not in Predikat.__members__:
            continue
        key = (employee_id, year)
        if finalised_at is None:
            stamp = datetime.min
        elif isinstance(finalised_at, datetime):
            stamp = finalised_at
        else:
            stamp = datetime(finalised_at.year, finalised_at.month, finalised_at.day)
        if key not in best or (stamp, value) > best[key][0]:
            best[key] = ((stamp, value), value)
    return {key: value for key, (_, value) in best.items()}


# --- candidates -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    employee_id: int
    kind: AwardKind
    year: int
    previous_predikat: Optional[str] = None  # follow-up: year - 1
    predikat: Optional[str] = None  # follow-up: year
    service_years: Optional[int] = None  # Satyalancana: on the reference date
    service_months: Optional[int] = None

    @property
    def key(self) -> str:
        return f"{self.employee_id}:{self.kind.value}"


def reference_date(year: int, month_day: tuple = DEFAULT_REFERENCE_MONTH_DAY) -> date:
    """The default reference date of a year's Satyalancana (17 August)."""
    month, day = month_day
    return date(year, month, day)


def candidates(year: int, on: date, predikat_by_year: Mapping, service_starts: Mapping,
               approved: Mapping) -> list:
    """Every candidate of ``year``.

    ``predikat_by_year`` {(employee_id, year): predikat} (years ``year``-1 and ``year``);
    ``service_starts`` {employee_id: start date or None} (active PNS/CPNS); ``approved`` {employee_id:
    {(year, kind), …}} of approved decisions. Sorted by kind, then employee id."""
    result = []
    employees = {e for (e, y) in predikat_by_year if y == year}
    for employee_id in employees:
        kind = follow_up_candidate(predikat_by_year.get((employee_id, year - 1)),
                                   predikat_by_year.get((employee_id, year)))
        if kind is not None:
            result.append(Candidate(employee_id, kind, year, predikat_by_year.get((employee_id, year - 1)),
                                    predikat_by_year.get((employee_id, year))))
    for employee_id, start in service_starts.items():
        elsewhere = {k for (y, k) in approved.get(employee_id, ()) if y != year}
        kind = satyalancana_candidate(start, on, elsewhere)
        if kind is not None:
            months = service_months(start, on)
            result.append(Candidate(employee_id, kind, year, service_years=months // 12,
                                    service_months=months % 12))
    order = {k: i for i, k in enumerate(AWARD_ORDER)}
    result.sort(key=lambda c: (order[c.kind], c.employee_id))
    return result


def earliest_start_for(on: date, years: int = min(SERVICE_MILESTONES)) -> str:
    """The latest CPNS start month (YYYYMM, as in NIP digits 9-14) that can have ``years`` of service on
    ``on``: a cheap SQL pre-filter before the exact rule runs (``substr(nip, 9, 6) <= …``)."""
    return f"{on.year - years:04d}{on.month:02d}"


# --- decisions ---------------------------------------------------------------------------------------------

def validate_decision(decision, decree_number, decree_date: Optional[date], notes, today: date) -> dict:
    """Errors {field: message} of a decision: an approval needs the decree's number and date; the date
    cannot be in the future; lengths are bounded."""
    errors = {}
    if decision not in Decision._value2member_map_:
        errors["decision"] = _l("Choose approved or not approved.")
    number = (decree_number or "").strip()
    if len(number) > DECREE_MAX:
        errors["decree_number"] = _l("The decree number may have at most %(max)d characters.", max=DECREE_MAX)
    if decision == Decision.APPROVED:
        if not number:
            errors["decree_number"] = _l("Enter the number of the decree (SK).")
        if decree_date is None:
            errors["decree_date"] = _l("Enter the date of the decree (SK).")
    if decree_date is not None and decree_date > today:
        errors["decree_date"] = _l("The decree date cannot be in the future.")
    if len((notes or "").strip()) > NOTES_MAX:
        errors["notes"] = _l("The notes may have at most %(max)d characters.", max=NOTES_MAX)
    return errors


# The official Indonesian names of the predikat, for the reason stored with a decision (data, not UI text).
PREDIKAT_NAMES = MappingProxyType({
    Predikat.SANGAT_BAIK: "Sangat Baik", Predikat.BAIK: "Baik", Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predikat.KURANG: "Kurang/Misconduct", Predikat.SANGAT_KURANG: "Sangat Kurang"})


def reason_text(candidate: Candidate) -> str:
    """Why the employee is a candidate, in Indonesian (stored with the decision)."""
    if candidate.kind in SATYALANCANA:
        return f"Masa kerja {candidate.service_years} tahun {candidate.service_months} bulan"
    names = lambda p: PREDIKAT_NAMES.get(p, p or "-")  # noqa: E731
    return (f"Predikat {candidate.year - 1}: {names(candidate.previous_predikat)}; "
            f"{candidate.year}: {names(candidate.predikat)}")[:REASON_MAX]
