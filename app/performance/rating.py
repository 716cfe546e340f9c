"""Ratings and predikat kinerja (PermenPANRB 6/2022).

The pejabat penilai (rater) gives two ratings per evaluation: *rating hasil kerja* (work results) and
*rating perilaku kerja* (work behaviour), each one of Di Atas / Sesuai / Di Bawah Ekspektasi. The
*predikat kinerja pegawai* follows from the pair through a fixed matrix (never typed by hand). Each unit
gets a *predikat kinerja organisasi* per period, which drives the expected distribution of its staff's
predikat (see ``distribution``). Functional positions earn *angka kredit* (credit points) per year:
coefficient × a factor that depends on the predikat.

Codes are ``StrEnum`` members, so they compare equal to (and can be stored as) their plain string codes:
``Predikat.BAIK == "BAIK"``. Labels are lazy strings whose msgids are the official Indonesian terms (they
are printed as such on official documents; a catalog may still translate them for the English UI).

Pure functions and value objects only (no Flask app, no database).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping, Optional, Union

from flask_babel import lazy_gettext as _l


class RatingError(ValueError):
    """An unknown rating, predikat or organisation rating; ``message`` is a lazy, translatable string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- the three ratings (rating hasil kerja / rating perilaku kerja) ----------------------------------

class Rating(StrEnum):
    """A rater's rating of work results (*rating hasil kerja*) or of work behaviour (*rating perilaku kerja*)."""

    DI_ATAS = "DI_ATAS"  # Di Atas Ekspektasi: above expectations
    SESUAI = "SESUAI"  # Sesuai Ekspektasi: as expected
    DI_BAWAH = "DI_BAWAH"  # Di Bawah Ekspektasi: below expectations

    @property
    def label(self):
        return RATING_LABELS[self]


RATING_LABELS = MappingProxyType({
    Rating.DI_ATAS: _l("Di Atas Ekspektasi"),
    Rating.SESUAI: _l("Sesuai Ekspektasi"),
    Rating.DI_BAWAH: _l("Di Bawah Ekspektasi"),
})


# --- predikat kinerja pegawai -------------------------------------------------------------------------

class Predikat(StrEnum):
    """The employee's final performance category (*predikat kinerja pegawai*), best first."""

    SANGAT_BAIK = "SANGAT_BAIK"
    BAIK = "BAIK"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
    KURANG = "KURANG"  # "Kurang/Misconduct": results met but behaviour below expectations
    SANGAT_KURANG = "SANGAT_KURANG"

    @property
    def label(self):
        return PREDIKAT_LABELS[self]

    @property
    def rank(self) -> int:
        """5 for Sangat Baik down to 1 for Sangat Kurang (for sorting and charts)."""
        return PREDIKAT_RANK[self]


PREDIKAT_LABELS = MappingProxyType({
    Predikat.SANGAT_BAIK: _l("Sangat Baik"),
    Predikat.BAIK: _l("Baik"),
    Predikat.BUTUH_PERBAIKAN: _l("Butuh Perbaikan"),
    Predikat.KURANG: _l("Kurang/Misconduct"),
    Predikat.SANGAT_KURANG: _l("Sangat Kurang"),
})

# Best first: the order of the matrix columns and of the distribution screen.
PREDIKAT_ORDER = (Predikat.SANGAT_BAIK, Predikat.BAIK, Predikat.BUTUH_PERBAIKAN, Predikat.KURANG,
                  Predikat.SANGAT_KURANG)
PREDIKAT_RANK = MappingProxyType({p: len(PREDIKAT_ORDER) - i for i, p in enumerate(PREDIKAT_ORDER)})

# The matrix of PermenPANRB 6/2022: (rating hasil kerja, rating perilaku kerja) -> predikat kinerja.
#
#   Hasil \ Perilaku | Di Bawah        | Sesuai          | Di Atas
#   Di Atas          | Kurang (Misc.)  | Baik            | Sangat Baik
#   Sesuai           | Kurang (Misc.)  | Baik            | Baik
#   Di Bawah         | Sangat Kurang   | Butuh Perbaikan | Butuh Perbaikan
PREDIKAT_MATRIX: Mapping[tuple[Rating, Rating], Predikat] = MappingProxyType({
    (Rating.DI_ATAS, Rating.DI_BAWAH): Predikat.KURANG,
    (Rating.DI_ATAS, Rating.SESUAI): Predikat.BAIK,
    (Rating.DI_ATAS, Rating.DI_ATAS): Predikat.SANGAT_BAIK,
    (Rating.SESUAI, Rating.DI_BAWAH): Predikat.KURANG,
    (Rating.SESUAI, Rating.SESUAI): Predikat.BAIK,
    (Rating.SESUAI, Rating.DI_ATAS): Predikat.BAIK,
    (Rating.DI_BAWAH, Rating.DI_BAWAH): Predikat.SANGAT_KURANG,
    (Rating.DI_BAWAH, Rating.SESUAI): Predikat.BUTUH_PERBAIKAN,
    (Rating.DI_BAWAH, Rating.DI_ATAS): Predikat.BUTUH_PERBAIKAN,
})


def as_rating(value: Union[Rating, str, None]) -> Rating:
    """``value`` as a Rating (a member or its code, surrounding spaces ignored); RatingError otherwise."""
    try:
        return Rating(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise RatingError(_l("Unknown rating: %(value)s (expected DI_ATAS, SESUAI or DI_BAWAH)",
                             value=repr(value))) from None


def as_predikat(value: Union[Predikat, str, None]) -> Predikat:
    """``value`` as a Predikat (a member or its code); RatingError otherwise."""
    try:
        return Predikat(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise RatingError(_l("Unknown predikat: %(value)s", value=repr(value))) from None


def predikat(hasil: Union[Rating, str], perilaku: Union[Rating, str],
             matrix: Mapping[tuple[Rating, Rating], Predikat] = PREDIKAT_MATRIX) -> Predikat:
    """The *predikat kinerja* for a *rating hasil kerja* and a *rating perilaku kerja*.

    Both ratings must be known (a Rating or its code); anything else (None, "", a typo) raises
    RatingError, a ValueError. ``matrix`` defaults to the PermenPANRB 6/2022 table.
    """
    key = (as_rating(hasil), as_rating(perilaku))
    try:
        return matrix[key]
    except KeyError:
        raise RatingError(_l("The rating matrix has no predikat for %(hasil)s / %(perilaku)s",
                             hasil=key[0].label, perilaku=key[1].label)) from None


# --- predikat kinerja organisasi ------------------------------------------------------------------

class OrgRating(StrEnum):
    """A unit's performance category for a period (*predikat kinerja organisasi*), best first."""

    ISTIMEWA = "ISTIMEWA"
    BAIK = "BAIK"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
    KURANG = "KURANG"
    SANGAT_KURANG = "SANGAT_KURANG"

    @property
    def label(self):
        return ORG_RATING_LABELS[self]


ORG_RATING_LABELS = MappingProxyType({
    OrgRating.ISTIMEWA: _l("Istimewa"),
    OrgRating.BAIK: _l("Baik"),
    OrgRating.BUTUH_PERBAIKAN: _l("Butuh Perbaikan"),
    OrgRating.KURANG: _l("Kurang"),
    OrgRating.SANGAT_KURANG: _l("Sangat Kurang"),
})
ORG_RATING_ORDER = tuple(OrgRating)


def as_org_rating(value: Union[OrgRating, str, None]) -> OrgRating:
    """``value`` as an OrgRating (a member or its code); RatingError otherwise."""
    try:
        return OrgRating(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise RatingError(_l("Unknown organisation rating: %(value)s", value=repr(value))) from None


# --- credit points (angka kredit) of functional positions ----------------------------------------

# Percentage of the yearly coefficient earned per predikat (PermenPANRB 1/2023; configurable data).
CREDIT_POINT_FACTORS: Mapping[Predikat, int] = MappingProxyType({
    Predikat.SANGAT_BAIK: 150,
    Predikat.BAIK: 100,
    Predikat.BUTUH_PERBAIKAN: 75,
    Predikat.KURANG: 50,
    Predikat.SANGAT_KURANG: 25,
})


def credit_point_factor(value: Union[Predikat, str],
                        factors: Mapping[Predikat, Union[int, Decimal]] = CREDIT_POINT_FACTORS) -> Decimal:
    """The factor for a predikat as a decimal fraction (Sangat Baik -> Decimal('1.5')).

    ``factors`` maps each predikat to a percentage. RatingError for an unknown predikat or one missing from
    the table.
    """
    p = as_predikat(value)
    if p not in factors:
        raise RatingError(_l("No credit-point factor is configured for %(predikat)s", predikat=p.label))
    return Decimal(factors[p]) / Decimal(100)


def credit_points(coefficient: Union[Decimal, int, str, float], value: Union[Predikat, str], months: int = 12,
                  factors: Mapping[Predikat, Union[int, Decimal]] = CREDIT_POINT_FACTORS,
                  places: Optional[int] = 3) -> Decimal:
    """*Angka kredit* earned: yearly coefficient × factor(predikat) × months / 12.

    ``coefficient`` is the position's yearly coefficient (e.g. 12.5 for Ahli Pertama); ``months`` (1-12)
    prorates an evaluation that covers part of a year. The result is rounded half-up to ``places`` decimals
    (None: exact). Floats are read through their decimal text (12.5 -> Decimal('12.5')).
    """
    if not 1 <= months <= 12:
        raise ValueError(f"months must be 1-12, not {months}")
    coeff = Decimal(str(coefficient)) if isinstance(coefficient, float) else Decimal(coefficient)
    if coeff < 0:
        raise ValueError("the coefficient cannot be negative")
    result = coeff * credit_point_factor(value, factors) * Decimal(months) / Decimal(12)
    if places is None:
        return result
    return result.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- follow-up (tindak lanjut): priorities from two consecutive years ------------------------------

class FollowUp(StrEnum):
    """Priorities an employee earns from their yearly predikat (PermenPANRB 6/2022, tindak lanjut)."""

    TALENT_POOL = "TALENT_POOL"  # prioritas masuk kelompok rencana suksesi (talent pool)
    COMPETENCE_DEVELOPMENT = "COMPETENCE_DEVELOPMENT"  # prioritas pengembangan kompetensi

    @property
    def label(self):
        return FOLLOW_UP_LABELS[self]


FOLLOW_UP_LABELS = MappingProxyType({
    FollowUp.TALENT_POOL: _l("Priority for the talent pool"),
    FollowUp.COMPETENCE_DEVELOPMENT: _l("Priority for competence development"),
})

# The same predikat two years in a row earns the priority (configurable data).
FOLLOW_UP_TWO_YEARS: Mapping[Predikat, FollowUp] = MappingProxyType({
    Predikat.SANGAT_BAIK: FollowUp.TALENT_POOL,
    Predikat.BAIK: FollowUp.COMPETENCE_DEVELOPMENT,
})


def follow_up(previous_year: Union[Predikat, str, None], this_year: Union[Predikat, str, None],
              table: Mapping[Predikat, FollowUp] = FOLLOW_UP_TWO_YEARS) -> Optional[FollowUp]:
    """The priority earned by the annual predikat of two consecutive years, or None.

    A missing year (None) earns nothing; unknown codes raise RatingError.
    """
    if previous_year is None or this_year is None:
        return None
    before, now = as_predikat(previous_year), as_predikat(this_year)
    return table.get(now) if before == now else None
