"""The distribution curve (*pola distribusi*) of staff predikat, by the unit's organisation rating.

PermenPANRB 6/2022 expects the predikat kinerja of a unit's staff to follow a curve that depends on the
unit's *predikat kinerja organisasi*. The curve comes from secondary sources (verify), so it is data:
``DEFAULT_RULES`` maps each organisation rating to a tuple of ``DistributionRule`` and every function takes
the table as a parameter. The check only warns (it never blocks saving and never raises).

Default curve (domain.md):

==================  ==========================================================================================
Istimewa            at most 70 % Sangat Baik; the rest any predikat
Baik                at most 70 % Baik; some Butuh Perbaikan and/or Kurang; the rest Sangat Baik / Sangat Kurang
Butuh Perbaikan     at least 60 % Butuh Perbaikan; at most 10 % Sangat Baik
Kurang              at least 60 % Kurang; at least 10 % Butuh Perbaikan; at most 10 % Sangat Baik
Sangat Kurang       at least 60 % Sangat Kurang; at least 10 % Kurang and/or Butuh Perbaikan; no Sangat Baik
==================  ==========================================================================================

("The rest ..." lines restrict nothing: the remaining staff may hold any of the other predikat.)

Shares are compared exactly with ``fractions.Fraction``: 7 of 10 satisfies "at most 70 %", 6 of 10
satisfies "at least 60 %". Thresholds are inclusive. An empty unit (no rated staff) gives no warnings.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from math import ceil, floor
from types import MappingProxyType
from typing import Iterable, Mapping, Optional, Union

from flask_babel import LazyString, format_decimal
from flask_babel import lazy_gettext as _l

from app.performance.rating import PREDIKAT_ORDER, OrgRating, Predikat


class RuleKind(StrEnum):
    """What a distribution rule requires of the staff holding one of its predikat."""

    AT_MOST = "AT_MOST"  # their share is at most ``share``
    AT_LEAST = "AT_LEAST"  # their share is at least ``share``
    SOME = "SOME"  # at least one of them ("must include some ...")
    NONE = "NONE"  # none of them ("no ...")


@dataclass(frozen=True)
class DistributionRule:
    """One line of the curve, e.g. ``DistributionRule(RuleKind.AT_MOST, {SANGAT_BAIK}, Fraction(70, 100))``.

    ``predikat`` is the set whose staff are counted together ("Kurang and/or Butuh Perbaikan"); ``share``
    (a fraction of the rated staff, 0-1) is required for AT_MOST / AT_LEAST and ignored otherwise.
    """

    kind: RuleKind
    predikat: frozenset
    share: Optional[Fraction] = None

    def __post_init__(self):
        object.__setattr__(self, "kind", RuleKind(self.kind))
        object.__setattr__(self, "predikat", frozenset(Predikat(p) for p in self.predikat))
        if not self.predikat:
            raise ValueError("a distribution rule needs at least one predikat")
        if self.kind in (RuleKind.AT_MOST, RuleKind.AT_LEAST):
            if self.share is None:
                raise ValueError(f"a {self.kind} rule needs a share")
            share = Fraction(self.share)
            if not 0 <= share <= 1:
                raise ValueError("a share must lie between 0 and 1")
            object.__setattr__(self, "share", share)
        else:
            object.__setattr__(self, "share", None)

    @property
    def predikat_text(self):
        """The rule's predikat as lazy text, in the curve's order: 'Kurang/Misconduct and/or Butuh Perbaikan'."""
        return _join_predikat(self.predikat)

    @property
    def description(self):
        """The rule as lazy text, e.g. 'at most 70% Sangat Baik' (for the curve legend and the guides)."""
        names = self.predikat_text
        if self.kind == RuleKind.AT_MOST:
            return _l("at most %(share)s %(predikat)s", share=percent_text(self.share), predikat=names)
        if self.kind == RuleKind.AT_LEAST:
            return _l("at least %(share)s %(predikat)s", share=percent_text(self.share), predikat=names)
        if self.kind == RuleKind.SOME:
            return _l("some %(predikat)s", predikat=names)
        return _l("no %(predikat)s", predikat=names)

    def count(self, counts: Mapping[Predikat, int]) -> int:
        """How many staff hold one of the rule's predikat."""
        return sum(counts.get(p, 0) for p in self.predikat)

    def satisfied(self, count: int, total: int) -> bool:
        """Whether ``count`` of ``total`` rated staff satisfy the rule (exact, thresholds inclusive)."""
        if total <= 0:
            return True
        if self.kind == RuleKind.AT_MOST:
            return Fraction(count, total) <= self.share
        if self.kind == RuleKind.AT_LEAST:
            return Fraction(count, total) >= self.share
        if self.kind == RuleKind.SOME:
            return count > 0
        return count == 0


def _rule(kind, predikat, percent=None) -> DistributionRule:
    return DistributionRule(kind, frozenset(predikat), None if percent is None else Fraction(percent, 100))


_SB, _B, _BP, _K, _SK = (Predikat.SANGAT_BAIK, Predikat.BAIK, Predikat.BUTUH_PERBAIKAN, Predikat.KURANG,
                    Predikat.SANGAT_KURANG)

DEFAULT_RULES: Mapping[OrgRating, tuple[DistributionRule, ...]] = MappingProxyType({
    OrgRating.ISTIMEWA: (
        _rule(RuleKind.AT_MOST, {_SB}, 70),
    ),
    OrgRating.BAIK: (
        _rule(RuleKind.AT_MOST, {_B}, 70),
        _rule(RuleKind.SOME, {_BP, _K}),
    ),
    OrgRating.BUTUH_PERBAIKAN: (
        _rule(RuleKind.AT_LEAST, {_BP}, 60),
        _rule(RuleKind.AT_MOST, {_SB}, 10),
    ),
    OrgRating.KURANG: (
        _rule(RuleKind.AT_LEAST, {_K}, 60),
        _rule(RuleKind.AT_LEAST, {_BP}, 10),
        _rule(RuleKind.AT_MOST, {_SB}, 10),
    ),
    OrgRating.SANGAT_KURANG: (
        _rule(RuleKind.AT_LEAST, {_SK}, 60),
        _rule(RuleKind.AT_LEAST, {_K, _BP}, 10),
        _rule(RuleKind.NONE, {_SB}),
    ),
})


# --- the check ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DistributionWarning:
    """A departure from the curve: the rule, how many staff it counted, out of how many rated staff.

    ``rule`` is None for a warning about the input itself (an unknown organisation rating or predikat,
    a negative count); ``message`` is then set. ``str(warning)`` (or ``warning.text``) is the readable
    message in the current language.
    """

    rule: Optional[DistributionRule]
    count: int
    total: int
    org_rating: Optional[OrgRating] = None
    note: object = None  # a lazy message for input warnings

    @property
    def actual_share(self) -> Fraction:
        """Exact share of the rated staff counted by the rule (0 for an empty unit)."""
        return Fraction(self.count, self.total) if self.total > 0 else Fraction(0)

    @property
    def expected_share(self) -> Optional[Fraction]:
        """The rule's threshold (AT_MOST / AT_LEAST), else None."""
        return self.rule.share if self.rule is not None else None

    @property
    def message(self):
        """Lazy text naming the rule, the expected share and the actual count and share."""
        if self.rule is None:
            return self.note
        rule, names = self.rule, self.rule.predikat_text
        if rule.kind == RuleKind.AT_MOST:
            return _l("At most %(expected)s of the staff should be %(predikat)s; actual: %(count)d of "
                      "%(total)d (%(actual)s).", expected=percent_text(rule.share), predikat=names,
                      count=self.count, total=self.total, actual=percent_text(self.actual_share, "up"))
        if rule.kind == RuleKind.AT_LEAST:
            return _l("At least %(expected)s of the staff should be %(predikat)s; actual: %(count)d of "
                      "%(total)d (%(actual)s).", expected=percent_text(rule.share), predikat=names,
                      count=self.count, total=self.total, actual=percent_text(self.actual_share, "down"))
        if rule.kind == RuleKind.SOME:
            return _l("The staff should include some %(predikat)s; actual: none of %(total)d.",
                      predikat=names, total=self.total)
        return _l("No staff should be %(predikat)s; actual: %(count)d of %(total)d (%(actual)s).",
                  predikat=names, count=self.count, total=self.total,
                  actual=percent_text(self.actual_share, "up"))

    @property
    def text(self) -> str:
        return str(self.message)

    def __str__(self) -> str:
        return str(self.message)


def normalise_counts(counts: Mapping) -> tuple[dict[Predikat, int], list[DistributionWarning]]:
    """Counts keyed by Predikat (codes accepted) and warnings for unusable entries (never raises).

    Unknown predikat codes and negative or non-integer counts are left out and reported; zero counts and
    a None key (staff not rated yet) are silently left out.
    """
    clean: dict[Predikat, int] = {}
    problems: list[DistributionWarning] = []
    for key, value in (counts or {}).items():
        if key is None:
            continue
        try:
            p = Predikat(key.strip() if isinstance(key, str) else key)
        except (ValueError, TypeError):
            problems.append(DistributionWarning(None, 0, 0, note=_l(
                "Unknown predikat %(value)s left out of the distribution.", value=repr(key))))
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(DistributionWarning(None, 0, 0, note=_l(
                "Invalid count %(count)s for %(predikat)s left out of the distribution.",
                count=repr(value), predikat=p.label)))
            continue
        if value:
            clean[p] = clean.get(p, 0) + value
    return clean, problems


def check_distribution(org_rating: Union[OrgRating, str, None], counts: Mapping,
                       rules: Mapping[OrgRating, Iterable[DistributionRule]] = DEFAULT_RULES
                       ) -> list[DistributionWarning]:
    """Warnings where a unit's staff predikat depart from the curve for its organisation rating.

    ``counts`` maps predikat (members or codes) to the number of rated staff holding it. Returns an empty
    list when the distribution fits, when the unit has no rated staff, or when no organisation rating is
    set (None). Never raises: an unknown organisation rating or bad counts come back as warnings.
    """
    clean, warnings = normalise_counts(counts)
    if org_rating is None or (isinstance(org_rating, str) and not org_rating.strip()):
        return warnings
    try:
        org = OrgRating(org_rating.strip() if isinstance(org_rating, str) else org_rating)
    except (ValueError, TypeError):
        warnings.append(DistributionWarning(None, 0, 0, note=_l(
            "Unknown organisation rating %(value)s: the distribution was not checked.", value=repr(org_rating))))
        return warnings
    total = sum(clean.values())
    if total == 0:
        return warnings
    for rule in rules.get(org, ()):
        count = rule.count(clean)
        if not rule.satisfied(count, total):
            warnings.append(DistributionWarning(rule, count, total, org))
    return warnings


def shares(counts: Mapping) -> dict[Predikat, Fraction]:
    """Exact share of every predikat (all five, best first) among the rated staff; all 0 when empty."""
    clean, _ = normalise_counts(counts)
    total = sum(clean.values())
    return {p: (Fraction(clean.get(p, 0), total) if total else Fraction(0)) for p in PREDIKAT_ORDER}


def count_predikat(values: Iterable) -> dict[Predikat, int]:
    """Counts per predikat of an iterable of predikat (members or codes); None and unknown values skipped."""
    result: dict[Predikat, int] = {}
    for value in values:
        try:
            p = Predikat(value)
        except (ValueError, TypeError):
            continue
        result[p] = result.get(p, 0) + 1
    return result


def describe_rules(org_rating: Union[OrgRating, str],
                   rules: Mapping[OrgRating, Iterable[DistributionRule]] = DEFAULT_RULES) -> list:
    """The expected distribution for an organisation rating as lazy lines (legend, socialization guides)."""
    try:
        org = OrgRating(org_rating)
    except ValueError:
        return []
    return [rule.description for rule in rules.get(org, ())]


# --- formatting ---------------------------------------------------------------------------------

def percent_value(share: Fraction, rounding: str = "half-up") -> Decimal:
    """A share as a percentage with at most one decimal: Fraction(2, 3) -> Decimal('66.7').

    Whole percentages stay whole (Decimal('70')). ``rounding`` "up" / "down" rounds the decimal up / down
    (shares are never negative), so that a share just over (under) a threshold is never displayed as the
    threshold itself (70.1 %, not 70.0 %); the default rounds half up.
    """
    tenths = Fraction(share) * 1000
    if tenths.denominator == 1 and tenths.numerator % 10 == 0:
        return Decimal(tenths.numerator // 10)
    if rounding == "up":
        value = ceil(tenths)
    elif rounding == "down":
        value = floor(tenths)
    else:
        value = floor(tenths + Fraction(1, 2))
    return Decimal(value).scaleb(-1)


def percent_text(share: Fraction, rounding: str = "half-up"):
    """Lazy '66.7%' (English) / '66,7%' (Indonesian) text of a share, rounded as ``percent_value``."""
    value = percent_value(share, rounding)
    return LazyString(lambda: f"{format_decimal(value, format='#,##0.#')}%")


def _join_predikat(predikat: Iterable[Predikat]):
    """Lazy 'A and/or B' text of predikat labels in the curve's order."""
    ordered = [p for p in PREDIKAT_ORDER if p in set(predikat)]

    def render():
        labels = [str(p.label) for p in ordered]
        if len(labels) <= 1:
            return "".join(labels)
        return str(_l("%(first)s and/or %(last)s", first=", ".join(labels[:-1]), last=labels[-1]))

    return LazyString(render)
