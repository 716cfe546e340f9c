"""Rater-bias analytics (*subjektivitas penilaian*, issue 6) as pure rules: the figures of one rater
(*pejabat penilai*) against the rater's unit (OPD) and the city, and the flags with their reasons.

Input: per rater, the counts of the ratings they gave in the chosen year or period (``Tally``: rating hasil
kerja and rating perilaku kerja per value, predikat per value, the number of evaluations and of distinct
ratees, the number of distinct (hasil, perilaku) pairs, and the sums of the self-assessment gap). The unit
and city baselines are sums of tallies; the reference a rater is compared with leaves the rater out
(their own ratings would pull the baseline towards them).

Method (shown on the page, see ``METHOD``):

* Each rating is a score: Di Atas Ekspektasi 3, Sesuai Ekspektasi 2, Di Bawah Ekspektasi 1. A rater's mean
  is the mean of every hasil-kerja and perilaku rating they gave.
* **Leniency / severity**: the standardised difference d = (rater mean − reference mean) / reference
  standard deviation (the reference's spread is floored at ``SD_FLOOR`` so that a unit where everybody
  rates alike does not turn a tiny difference into a huge d). d ≥ ``LENIENCY_D`` flags a lenient rater,
  d ≤ −``LENIENCY_D`` a severe one (0.8 is a "large" effect by Cohen's convention).
* **Central tendency**: at least ``CENTRAL_MIN_SHARE`` of the ratings are Sesuai Ekspektasi and the
  rater's spread is at most ``CENTRAL_SPREAD_RATIO`` of the reference's.
* **Identical ratings**: every ratee got the same (hasil, perilaku) pair, with at least
  ``IDENTICAL_MIN_RATEES`` ratees.
* **Self-assessment gap**: where the employee rated themselves, the mean of (self score − rater score);
  flagged when it departs from the reference's mean gap by at least ``GAP_MIN_POINTS`` points over at
  least ``MIN_SELF_RATED`` self-rated evaluations.
* Nothing is flagged for a rater with fewer than ``MIN_RATEES`` distinct ratees. The reference is the
  rater's unit (OPD) without the rater; when that holds fewer than ``MIN_REFERENCE_RATINGS`` ratings, the
  city (without the rater).

No Flask app, request or database here: plain values in, plain values (and lazy messages) out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Iterable, Mapping, Optional

from flask_babel import lazy_gettext as _l

from app.performance.rating import PREDIKAT_ORDER, RATING_LABELS, Predikat, Rating

# --- thresholds (documented on the page) -----------------------------------------------------------------

MIN_RATEES = 10  # below this many distinct ratees nothing is flagged
IDENTICAL_MIN_RATEES = 10  # "the same rating for everyone" needs at least this many ratees
MIN_REFERENCE_RATINGS = 30  # a unit reference (without the rater) needs this many evaluations, else the city
LENIENCY_D = 0.8  # |standardised difference| at or above this flags leniency (+) or severity (−)
SD_FLOOR = 0.25  # the reference's standard deviation is never taken below this (score points)
CENTRAL_MIN_SHARE = 0.85  # share of "Sesuai Ekspektasi" ratings at or above this …
CENTRAL_SPREAD_RATIO = 0.6  # … with a spread at most this fraction of the reference's: central tendency
MIN_SELF_RATED = 10  # the self-assessment gap needs this many self-rated evaluations
GAP_MIN_POINTS = 0.5  # |rater's mean gap − reference's mean gap| at or above this flags the gap

YEAR_MIN, YEAR_MAX = 2000, 2100

SCORES = MappingProxyType({Rating.DI_ATAS: 3, Rating.SESUAI: 2, Rating.DI_BAWAH: 1})
RATING_ORDER = (Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH)


class Flag(StrEnum):
    """Why a rater is flagged."""

    LENIENT = "LENIENT"
    SEVERE = "SEVERE"
    CENTRAL = "CENTRAL"
    IDENTICAL = "IDENTICAL"
    SELF_GAP = "SELF_GAP"

    @property
    def label(self):
        return FLAG_LABELS[self]


FLAG_LABELS = MappingProxyType({
    Flag.LENIENT: _l("Lenient"),
    Flag.SEVERE: _l("Severe"),
    Flag.CENTRAL: _l("Central tendency"),
    Flag.IDENTICAL: _l("Same rating for everyone"),
    Flag.SELF_GAP: _l("Gap with self-assessments"),
})


# --- the counts of one rater (or of a baseline: a sum of tallies) ------------------------------------------

@dataclass(frozen=True)
class Tally:
    """Counts of the ratings given. ``hasil``/``perilaku``: {Rating: n}; ``predikat``: {Predikat: n};
    ``evaluations``: rated evaluations; ``ratees``: distinct employees; ``pairs``: distinct (hasil, perilaku)
    pairs (1 when everyone got the same pair; any larger number otherwise); ``self_rated``: evaluations with a self-rating; ``self_gap_sum``: the sum over them of
    (self score − rater score), both ratings counted (so the mean gap is ``self_gap_sum / (2 × self_rated)``)."""

    hasil: Mapping = field(default_factory=dict)
    perilaku: Mapping = field(default_factory=dict)
    predikat: Mapping = field(default_factory=dict)
    evaluations: int = 0
    ratees: int = 0
    pairs: int = 0
    self_rated: int = 0
    self_gap_sum: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(_add(self.hasil, other.hasil), _add(self.perilaku, other.perilaku),
                     _add(self.predikat, other.predikat), self.evaluations + other.evaluations,
                     self.ratees + other.ratees, max(self.pairs, other.pairs), self.self_rated + other.self_rated,
                     self.self_gap_sum + other.self_gap_sum)

    def __sub__(self, other: "Tally") -> "Tally":
        return Tally(_add(self.hasil, other.hasil, -1), _add(self.perilaku, other.perilaku, -1),
                     _add(self.predikat, other.predikat, -1), self.evaluations - other.evaluations,
                     self.ratees - other.ratees, 0, self.self_rated - other.self_rated,
                     self.self_gap_sum - other.self_gap_sum)

    # ratings: hasil and perilaku together
    def rating_count(self, rating: Rating) -> int:
        return self.hasil.get(rating, 0) + self.perilaku.get(rating, 0)

    @property
    def ratings(self) -> int:
        return sum(self.rating_count(r) for r in RATING_ORDER)

    def share(self, rating: Rating) -> Optional[float]:
        """Share of all ratings (hasil and perilaku) with this value; None without ratings."""
        n = self.ratings
        return self.rating_count(rating) / n if n else None

    def hasil_share(self, rating: Rating) -> Optional[float]:
        n = sum(self.hasil.get(r, 0) for r in RATING_ORDER)
        return self.hasil.get(rating, 0) / n if n else None

    def predikat_share(self, predikat: Predikat) -> Optional[float]:
        n = sum(self.predikat.get(p, 0) for p in PREDIKAT_ORDER)
        return self.predikat.get(predikat, 0) / n if n else None

    @property
    def mean(self) -> Optional[float]:
        n = self.ratings
        if not n:
            return None
        return sum(SCORES[r] * self.rating_count(r) for r in RATING_ORDER) / n

    @property
    def sd(self) -> Optional[float]:
        """Population standard deviation of the scores."""
        n, mean = self.ratings, self.mean
        if not n:
            return None
        var = sum(self.rating_count(r) * (SCORES[r] - mean) ** 2 for r in RATING_ORDER) / n
        return math.sqrt(max(var, 0.0))

    @property
    def mean_gap(self) -> Optional[float]:
        """Mean of (self score − rater score) over the self-rated evaluations (positive: the rater rated below
        the employee's own view)."""
        return self.self_gap_sum / (2 * self.self_rated) if self.self_rated else None

    def identical_pair(self) -> Optional[tuple]:
        """The one (hasil, perilaku) pair every evaluation got, if there is exactly one."""
        if self.pairs != 1 or not self.evaluations:
            return None
        hasil = next((r for r in RATING_ORDER if self.hasil.get(r, 0) == self.evaluations), None)
        perilaku = next((r for r in RATING_ORDER if self.perilaku.get(r, 0) == self.evaluations), None)
        return (hasil, perilaku) if hasil and perilaku else None


def _add(a: Mapping, b: Mapping, sign: int = 1) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + sign * v
    return out


def total(tallies: Iterable[Tally]) -> Tally:
    """The sum of tallies (a baseline)."""
    out = Tally()
    for t in tallies:
        out = out + t
    return out


# --- the assessment of one rater ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    flag: Flag
    reason: object  # a lazy string

    @property
    def text(self) -> str:
        return str(self.reason)


@dataclass(frozen=True)
class Assessment:
    """A rater's figures against the reference, and the flags with their reasons."""

    tally: Tally
    reference: Tally  # the unit (or the city) without the rater
    reference_is_city: bool
    d: Optional[float]  # standardised difference of the mean against the reference
    eligible: bool  # enough ratees to be flagged at all
    findings: tuple = ()

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    @property
    def flags(self) -> tuple:
        return tuple(f.flag for f in self.findings)

    @property
    def departure(self) -> float:
        """How far the pattern departs (for sorting): the largest of |d| / LENIENCY_D, the central-tendency
        and gap ratios against their thresholds, and 1 for identical ratings; 0 when not eligible."""
        if not self.eligible:
            return 0.0
        parts = [abs(self.d) / LENIENCY_D if self.d is not None else 0.0]
        if self.tally.mean_gap is not None and self.reference.mean_gap is not None \
                and self.tally.self_rated >= MIN_SELF_RATED:
            parts.append(abs(self.tally.mean_gap - self.reference.mean_gap) / GAP_MIN_POINTS)
        if Flag.IDENTICAL in self.flags or Flag.CENTRAL in self.flags:
            parts.append(1.0)
        return max(parts)


def percent(share: Optional[float]) -> str:
    """'95%' (rounded half up to a whole percent); '–' for no value."""
    if share is None:
        return "–"
    return f"{int(math.floor(share * 100 + 0.5))}%"


def points(value: Optional[float]) -> str:
    """A score difference with one decimal (half up), e.g. '0.8'; '–' for no value."""
    if value is None:
        return "–"
    return f"{math.floor(abs(value) * 10 + 0.5) / 10:.1f}"


def signed_points(value: Optional[float]) -> str:
    """A score difference with one decimal and its sign when negative, e.g. '0.2', '-0.3'."""
    if value is None:
        return "–"
    text = points(value)
    return f"-{text}" if value < 0 and text != "0.0" else text


def standardised_difference(tally: Tally, reference: Tally) -> Optional[float]:
    """(rater mean − reference mean) / max(reference sd, SD_FLOOR); None when either has no ratings."""
    if tally.mean is None or reference.mean is None:
        return None
    return (tally.mean - reference.mean) / max(reference.sd or 0.0, SD_FLOOR)


def choose_reference(tally: Tally, unit: Optional[Tally], city: Tally) -> tuple[Tally, bool]:
    """The reference without the rater: the unit's when it keeps at least MIN_REFERENCE_RATINGS evaluations,
    else the city's. Returns (reference, is_city)."""
    if unit is not None:
        rest = unit - tally
        if rest.evaluations >= MIN_REFERENCE_RATINGS:
            return rest, False
    return city - tally, True


def assess(tally: Tally, unit: Optional[Tally], city: Tally) -> Assessment:
    """The assessment of one rater whose unit baseline is ``unit`` (the rater's own ratings included) and
    the city's ``city`` (likewise)."""
    reference, is_city = choose_reference(tally, unit, city)
    d = standardised_difference(tally, reference)
    eligible = tally.ratees >= MIN_RATEES
    findings = []
    if eligible:
        where = _l("the city") if is_city else _l("the unit")
        identical = tally.identical_pair() if tally.ratees >= IDENTICAL_MIN_RATEES else None
        if d is not None and d >= LENIENCY_D:
            findings.append(Finding(Flag.LENIENT, _l(
                "Gave \"Di Atas Ekspektasi\" in %(share)s of ratings, while the average of %(where)s is %(ref)s "
                "(mean rating %(diff)s points higher than %(where)s).",
                share=percent(tally.share(Rating.DI_ATAS)), where=where,
                ref=percent(reference.share(Rating.DI_ATAS)), diff=points(tally.mean - reference.mean))))
        if d is not None and d <= -LENIENCY_D:
            findings.append(Finding(Flag.SEVERE, _l(
                "Gave \"Di Bawah Ekspektasi\" in %(share)s of ratings, while the average of %(where)s is %(ref)s "
                "(mean rating %(diff)s points lower than %(where)s).",
                share=percent(tally.share(Rating.DI_BAWAH)), where=where,
                ref=percent(reference.share(Rating.DI_BAWAH)), diff=points(tally.mean - reference.mean))))
        if identical:
            findings.append(Finding(Flag.IDENTICAL, _l(
                "Gave every one of the %(n)s employees rated the same ratings (work results: %(hasil)s, "
                "behaviour: %(perilaku)s).", n=tally.ratees, hasil=RATING_LABELS[identical[0]],
                perilaku=RATING_LABELS[identical[1]])))
        elif is_central(tally, reference):
            findings.append(Finding(Flag.CENTRAL, _l(
                "Gave \"Sesuai Ekspektasi\" in %(share)s of ratings with little spread, while the average of "
                "%(where)s is %(ref)s.", share=percent(tally.share(Rating.SESUAI)), where=where,
                ref=percent(reference.share(Rating.SESUAI)))))
        gap = self_gap_departure(tally, reference)
        if gap is not None and abs(gap) >= GAP_MIN_POINTS:
            if tally.mean_gap >= 0:
                reason = _l("Rated on average %(gap)s points below the employees' own ratings of themselves; in "
                            "%(where)s the average is %(ref)s points below.", gap=points(tally.mean_gap),
                            where=where, ref=signed_points(reference.mean_gap))
            else:
                reason = _l("Rated on average %(gap)s points above the employees' own ratings of themselves; in "
                            "%(where)s the average is %(ref)s points above.", gap=points(tally.mean_gap),
                            where=where, ref=signed_points(-reference.mean_gap))
            findings.append(Finding(Flag.SELF_GAP, reason))
    return Assessment(tally, reference, is_city, d, eligible, tuple(findings))


def is_central(tally: Tally, reference: Tally) -> bool:
    """Central tendency: at least CENTRAL_MIN_SHARE "Sesuai" and a spread at most CENTRAL_SPREAD_RATIO of the
    reference's (floored at SD_FLOOR, so a reference that rates alike still leaves room)."""
    share = tally.share(Rating.SESUAI)
    if share is None or share < CENTRAL_MIN_SHARE or tally.sd is None:
        return False
    return tally.sd <= CENTRAL_SPREAD_RATIO * max(reference.sd or 0.0, SD_FLOOR * 2)


def self_gap_departure(tally: Tally, reference: Tally) -> Optional[float]:
    """Rater's mean self-assessment gap minus the reference's; None below MIN_SELF_RATED or without a
    reference gap."""
    if tally.self_rated < MIN_SELF_RATED or tally.mean_gap is None or reference.mean_gap is None:
        return None
    return tally.mean_gap - reference.mean_gap


# --- the unit (OPD) of a unit ------------------------------------------------------------------------------

def top_unit(unit_id: Optional[int], parent_of: Mapping[int, Optional[int]]) -> Optional[int]:
    """The OPD a unit belongs to: the unit right below a root of the tree on the way up (the root itself for
    a root). A looping chain stops where it loops."""
    if unit_id is None:
        return None
    path = [unit_id]
    node = unit_id
    while True:
        parent = parent_of.get(node)
        if parent is None or parent in path:
            return path[-2] if len(path) >= 2 else node
        path.append(parent)
        node = parent


# --- the method as shown on the page ---------------------------------------------------------------------

def method_items() -> list:
    """The method in plain sentences (lazy strings), thresholds filled in."""
    return [
        _l("Each rating is a score: Di Atas Ekspektasi 3, Sesuai Ekspektasi 2, Di Bawah Ekspektasi 1. A rater's "
           "mean is the mean of every work-results and behaviour rating they gave in the year or period."),
        _l("Each rater is compared with the other raters of the same unit (OPD), leaving the rater out. When the "
           "unit has fewer than %(n)s other evaluations, the rater is compared with the whole city.",
           n=MIN_REFERENCE_RATINGS),
        _l("Lenient or severe: the difference between the rater's mean and the unit's, divided by the spread "
           "(standard deviation, at least %(floor)s) of the unit's ratings, is %(d)s or more (lenient) or "
           "-%(d)s or less (severe).", d=f"{LENIENCY_D:.1f}", floor=f"{SD_FLOOR:.2f}"),
        _l("Central tendency: at least %(share)s of the ratings are Sesuai Ekspektasi and their spread is at "
           "most %(ratio)s of the unit's.", share=percent(CENTRAL_MIN_SHARE), ratio=percent(CENTRAL_SPREAD_RATIO)),
        _l("Same rating for everyone: every employee rated got the same work-results and behaviour rating, with "
           "at least %(n)s employees rated.", n=IDENTICAL_MIN_RATEES),
        _l("Gap with self-assessments: where employees rated themselves, the rater's ratings are on average "
           "%(points)s points or more further from the employees' own ratings than in the unit (at least %(n)s "
           "self-rated evaluations).", points=f"{GAP_MIN_POINTS:.1f}", n=MIN_SELF_RATED),
        _l("Raters with fewer than %(n)s employees rated are shown but never flagged: too few ratings say "
           "nothing about a pattern.", n=MIN_RATEES),
        _l("A flag is a reason to look, not a verdict: a unit may really have better or weaker staff."),
    ]


def rating_rows(tally: Tally) -> list:
    """[(Rating, hasil count, perilaku count)] best first."""
    return [(r, tally.hasil.get(r, 0), tally.perilaku.get(r, 0)) for r in RATING_ORDER]

