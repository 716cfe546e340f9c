"""Deadlines and periods of the performance cycle.

* Objection (*keberatan*): the employee may object within 14 days of receiving the final result
  (PP 30/2019). Counting: the day the evaluation became final is day 0, so with 14 days an objection on
  day 14 (final date + 14) is accepted and one on day 15 refused. The decision of the *atasan pejabat
  penilai* has its own deadline, configurable (verify): ``DEFAULT_DECISION_DAYS`` counted from the filing
  date the same way. Days are calendar days; ``working_days=True`` counts Monday-Friday minus ``holidays``
  instead, should a regulation say *hari kerja*.
* SKP (*Sasaran Kinerja Pegawai*): submitted by the end of January of the plan year
  (``SKP_DEADLINE_MONTH``, configurable).
* Periods (*periode penilaian*): the annual period of a year and its sub-periods: four quarters
  (*Triwulan I-IV*; IV is also called *Triwulan Akhir*) and twelve months. Periods are inclusive
  date ranges.

All dates are calendar dates in the city's time zone (WIB, Asia/Jakarta): convert timestamps before
calling. A datetime passed where a date is expected is reduced to its date.
Pure functions and value objects only (no Flask app, no database).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Collection, Optional, Union

from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l

DEFAULT_OBJECTION_DAYS = 14  # PP 30/2019: keberatan within 14 days of receiving the final result
DEFAULT_DECISION_DAYS = 14  # decision of the atasan pejabat penilai (verify)
SKP_DEADLINE_MONTH = 1  # the SKP is due by the end of this month of the plan year (January)


def as_date(value: Union[date, datetime]) -> date:
    """The calendar date of a date or datetime (a datetime keeps its own wall-clock date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, not {type(value).__name__}")


def add_days(start: Union[date, datetime], days: int, working_days: bool = False,
             holidays: Collection[date] = ()) -> date:
    """``start`` + ``days`` calendar days, or + ``days`` working days (Mon-Fri, not in ``holidays``)."""
    if days < 0:
        raise ValueError("days cannot be negative")
    day = as_date(start)
    if not working_days:
        return day + timedelta(days=days)
    left = days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


# --- objection ----------------------------------------------------------------------------------

def objection_deadline(final_at: Union[date, datetime], days: int = DEFAULT_OBJECTION_DAYS, *,
                       working_days: bool = False, holidays: Collection[date] = ()) -> date:
    """The last day on which an objection may be filed: the final date (day 0) + ``days``."""
    return add_days(final_at, days, working_days, holidays)


def can_object(final_at: Union[date, datetime], on: Union[date, datetime], days: int = DEFAULT_OBJECTION_DAYS,
               *, working_days: bool = False, holidays: Collection[date] = ()) -> bool:
    """Whether an objection filed on ``on`` is in time: from the final date (day 0) to day ``days``
    inclusive. Before the final date it is refused as well."""
    day = as_date(on)
    return as_date(final_at) <= day <= objection_deadline(final_at, days, working_days=working_days,
                                                          holidays=holidays)


def objection_days_left(final_at: Union[date, datetime], on: Union[date, datetime],
                        days: int = DEFAULT_OBJECTION_DAYS) -> int:
    """Calendar days left to object after ``on`` (0 on the last day, negative once it has passed)."""
    return (objection_deadline(final_at, days) - as_date(on)).days


def decision_deadline(filed_on: Union[date, datetime], days: int = DEFAULT_DECISION_DAYS, *,
                      working_days: bool = False, holidays: Collection[date] = ()) -> date:
    """The last day for the *atasan pejabat penilai* to decide an objection filed on ``filed_on`` (day 0)."""
    return add_days(filed_on, days, working_days, holidays)


def decision_overdue(filed_on: Union[date, datetime], on: Union[date, datetime],
                     days: int = DEFAULT_DECISION_DAYS, *, working_days: bool = False,
                     holidays: Collection[date] = ()) -> bool:
    """Whether an objection still undecided on ``on`` is past its decision deadline."""
    return as_date(on) > decision_deadline(filed_on, days, working_days=working_days, holidays=holidays)


# --- SKP submission -----------------------------------------------------------------------------

def last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def skp_submission_deadline(year: int, month: int = SKP_DEADLINE_MONTH) -> date:
    """The last day to submit the SKP of plan year ``year``: the end of January (``month``) of that year."""
    return last_day_of_month(year, month)


def skp_submission_late(year: int, submitted_on: Union[date, datetime], month: int = SKP_DEADLINE_MONTH) -> bool:
    """Whether an SKP for ``year`` submitted on ``submitted_on`` missed the deadline (the last day is in time)."""
    return as_date(submitted_on) > skp_submission_deadline(year, month)


# --- periods ------------------------------------------------------------------------------------

class PeriodKind(StrEnum):
    """Length of an evaluation period."""

    ANNUAL = "ANNUAL"  # tahunan
    QUARTERLY = "QUARTERLY"  # triwulanan (Triwulan I-IV)
    MONTHLY = "MONTHLY"  # bulanan

    @property
    def label(self):
        return PERIOD_KIND_LABELS[self]

    @property
    def count(self) -> int:
        """Periods of this kind in a year."""
        return {PeriodKind.ANNUAL: 1, PeriodKind.QUARTERLY: 4, PeriodKind.MONTHLY: 12}[self]

    @property
    def months(self) -> int:
        """Months in one period of this kind."""
        return 12 // self.count


PERIOD_KIND_LABELS = {
    PeriodKind.ANNUAL: _l("Annual"),
    PeriodKind.QUARTERLY: _l("Quarterly"),
    PeriodKind.MONTHLY: _l("Monthly"),
}

ROMAN_QUARTERS = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """An evaluation period: ``year``, ``kind`` and ``number`` (1 for annual, 1-4 quarters, 1-12 months);
    ``start`` and ``end`` (inclusive) follow."""

    year: int
    kind: PeriodKind
    number: int = 1
    start: date = field(init=False, compare=False)
    end: date = field(init=False, compare=False)

    def __post_init__(self):
        kind = PeriodKind(self.kind)
        object.__setattr__(self, "kind", kind)
        if not isinstance(self.year, int) or not 1900 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year!r}")
        if not isinstance(self.number, int) or not 1 <= self.number <= kind.count:
            raise ValueError(f"a {kind.value.lower()} period is numbered 1-{kind.count}, not {self.number!r}")
        first_month = (self.number - 1) * kind.months + 1
        last_month = first_month + kind.months - 1
        object.__setattr__(self, "start", date(self.year, first_month, 1))
        object.__setattr__(self, "end", last_day_of_month(self.year, last_month))

    @property
    def code(self) -> str:
        """Stable key: '2025', '2025-Q1', '2025-M01'."""
        if self.kind == PeriodKind.ANNUAL:
            return f"{self.year}"
        if self.kind == PeriodKind.QUARTERLY:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-M{self.number:02d}"

    @property
    def months(self) -> int:
        """Months covered (12, 3 or 1), e.g. to prorate credit points."""
        return self.kind.months

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self):
        """Lazy name: 'Annual 2025', 'Quarter I 2025' ('Triwulan I 2025'), 'January 2025' ('Januari 2025')."""
        if self.kind == PeriodKind.ANNUAL:
            return _l("Annual %(year)s", year=str(self.year))
        if self.kind == PeriodKind.QUARTERLY:
            return _l("Quarter %(number)s %(year)s", number=ROMAN_QUARTERS[self.number - 1], year=str(self.year))
        start = self.start
        return LazyString(lambda: format_date(start, "LLLL y"))

    def contains(self, day: Union[date, datetime]) -> bool:
        return self.start <= as_date(day) <= self.end

    def sub_periods(self, kind: Union[PeriodKind, str]) -> list["Period"]:
        """The periods of ``kind`` inside this one (e.g. the three months of a quarter)."""
        return [p for p in sub_periods(self.year, kind) if self.start <= p.start and p.end <= self.end]

    def __str__(self) -> str:
        return self.code


def annual_period(year: int) -> Period:
    return Period(year, PeriodKind.ANNUAL)


def quarters(year: int) -> list[Period]:
    """Triwulan I-IV of ``year``."""
    return sub_periods(year, PeriodKind.QUARTERLY)


def months(year: int) -> list[Period]:
    return sub_periods(year, PeriodKind.MONTHLY)


def sub_periods(year: int, kind: Union[PeriodKind, str]) -> list[Period]:
    """All periods of ``kind`` in ``year``, in order; together they cover the year without gap or overlap."""
    kind = PeriodKind(kind)
    return [Period(year, kind, n) for n in range(1, kind.count + 1)]


def period_contains(period: Period, day: Union[date, datetime]) -> bool:
    """Whether ``day`` lies in ``period`` (start and end inclusive)."""
    return period.contains(day)


def period_of(day: Union[date, datetime], kind: Union[PeriodKind, str]) -> Period:
    """The period of ``kind`` that contains ``day``."""
    d = as_date(day)
    kind = PeriodKind(kind)
    return Period(d.year, kind, (d.month - 1) // kind.months + 1)


_CODE = re.compile(r"^(\d{4})(?:-(Q)([1-4])|-(M)(\d{2}))?$")


def parse_period(code: str) -> Period:
    """The Period of a code made by ``Period.code`` ('2025', '2025-Q3', '2025-M07'); ValueError otherwise."""
    match = _CODE.match((code or "").strip().upper())
    if not match:
        raise ValueError(f"not a period code: {code!r}")
    year = int(match.group(1))
    if match.group(2):
        return Period(year, PeriodKind.QUARTERLY, int(match.group(3)))
    if match.group(4):
        return Period(year, PeriodKind.MONTHLY, int(match.group(5)))
    return annual_period(year)


def within(day: Union[date, datetime], opens_on: Optional[date], closes_on: Optional[date]) -> bool:
    """Whether ``day`` lies in a window from ``opens_on`` to ``closes_on`` (inclusive; None: unbounded).

    For a period's open/close dates set by the Pengelola Kinerja.
    """
    d = as_date(day)
    return (opens_on is None or as_date(opens_on) <= d) and (closes_on is None or d <= as_date(closes_on))
