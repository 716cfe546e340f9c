"""Rater-bias rules (app/analytics/rules.py): the statistics and every flag at its threshold."""
from __future__ import annotations

import pytest

from app.analytics import rules
from app.analytics.rules import Flag, Tally
from app.performance.rating import Rating


@pytest.fixture(autouse=True)
def _english():
    """The reasons are checked in English (the msgids); the Indonesian catalog is checked by tests/test_i18n.py."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield

A, S, B = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH


def tally(pairs, ratees=None, self_pairs=None):
    """A tally from a list of (hasil, perilaku) pairs (one evaluation per ratee); ``self_pairs``: the employees'
    own ratings, one per evaluation (None: not self-rated)."""
    hasil, perilaku = {}, {}
    for h, p in pairs:
        hasil[h] = hasil.get(h, 0) + 1
        perilaku[p] = perilaku.get(p, 0) + 1
    self_rated, gap = 0, 0
    for (h, p), own in zip(pairs, self_pairs or [None] * len(pairs)):
        if own:
            self_rated += 1
            gap += rules.SCORES[own[0]] - rules.SCORES[h] + rules.SCORES[own[1]] - rules.SCORES[p]
    return Tally(hasil=hasil, perilaku=perilaku, evaluations=len(pairs),
                 ratees=len(pairs) if ratees is None else ratees, pairs=len(set(pairs)), self_rated=self_rated,
                 self_gap_sum=gap)


NORMAL = [(A, S), (S, A), (S, S), (S, S), (B, S), (S, B), (A, A), (S, S), (S, A), (B, B)]


def city_of(*tallies):
    return rules.total(tallies)


def test_mean_and_sd():
    t = tally([(A, A), (B, B)])
    assert t.mean == 2.0 and t.sd == pytest.approx(1.0)
    assert tally([(S, S)] * 4).sd == 0.0
    assert Tally().mean is None and Tally().sd is None


def test_percent_and_points_round_half_up():
    assert rules.percent(0.945) == "95%" and rules.percent(0.3) == "30%" and rules.percent(None) == "–"
    assert rules.points(0.25) == "0.3" and rules.points(-0.84) == "0.8"


def test_standardised_difference_floors_the_spread():
    same = tally([(S, S)] * 40)
    one_up = tally([(A, S)] * 10)
    # reference sd is 0: the floor (0.25) is used, d = (2.5 - 2) / 0.25 = 2
    assert rules.standardised_difference(one_up, same) == pytest.approx(2.0)


def reference_with(sd_pairs, n=40):
    return tally((sd_pairs * n)[:n])


def test_lenient_at_threshold():
    ref = tally(NORMAL * 4)
    sd = ref.sd
    # a rater whose mean is exactly LENIENCY_D * sd above: flagged; just below: not
    city = ref
    needed = rules.LENIENCY_D * sd
    # ratings of a rater with k "A/A" pairs and the rest "S/S" out of 20: mean = 2 + k/20
    k_at = next(k for k in range(21) if 2 + k / 20 - ref.mean >= needed)
    at = tally([(A, A)] * k_at + [(S, S)] * (20 - k_at))
    below = tally([(A, A)] * (k_at - 1) + [(S, S)] * (21 - k_at))
    assert rules.standardised_difference(at, ref) >= rules.LENIENCY_D
    assert rules.standardised_difference(below, ref) < rules.LENIENCY_D
    flags_at = rules.assess(at, ref + at, city + at).flags
    assert Flag.LENIENT in flags_at
    assert Flag.LENIENT not in rules.assess(below, ref + below, city + below).flags


def test_lenient_reason_quotes_the_shares():
    ref = tally(NORMAL * 4)
    lenient = tally([(A, A)] * 19 + [(A, S)])
    a = rules.assess(lenient, ref + lenient, ref + lenient)
    assert a.flags == (Flag.LENIENT,)
    text = a.findings[0].text
    assert "98%" in text and "25%" in text and "the unit" in text  # 39 of 40 ratings; unit 10 of 40


def test_severe():
    ref = tally(NORMAL * 4)
    severe = tally([(B, B)] * 10 + [(B, S)] * 2)
    a = rules.assess(severe, ref + severe, ref + severe)
    assert a.flags == (Flag.SEVERE,) and a.d <= -rules.LENIENCY_D


def test_central_tendency_at_threshold():
    ref = tally(NORMAL * 4)
    # 20 evaluations = 40 ratings; CENTRAL_MIN_SHARE 0.85 → at least 34 "Sesuai"
    at = tally([(S, S)] * 14 + [(S, A)] * 6)  # 34 of 40 Sesuai, 6 Di Atas: mean 2.15
    below = tally([(S, S)] * 13 + [(S, A)] * 7)  # 33 of 40
    assert at.share(S) == pytest.approx(0.85)
    assert Flag.CENTRAL in rules.assess(at, ref + at, ref + at).flags
    assert Flag.CENTRAL not in rules.assess(below, ref + below, ref + below).flags


def test_central_needs_low_spread_against_the_reference():
    ref = tally([(S, S)] * 30 + [(S, A)] * 10)  # a unit that itself rates mostly "Sesuai": sd ≈ 0.33
    rater = tally([(S, S)] * 14 + [(S, A)] * 6)  # sd ≈ 0.36: not narrower than half the unit's
    assert not rules.is_central(rater, ref)


def test_identical_ratings_for_everyone_with_minimum():
    ref = tally(NORMAL * 4)
    same = tally([(S, A)] * rules.IDENTICAL_MIN_RATEES)
    a = rules.assess(same, ref + same, ref + same)
    assert Flag.IDENTICAL in a.flags and Flag.CENTRAL not in a.flags
    assert "10" in a.findings[-1].text
    fewer = tally([(S, A)] * (rules.IDENTICAL_MIN_RATEES - 1))
    assert rules.assess(fewer, ref + fewer, ref + fewer).flags == ()


def test_identical_pair_needs_one_pair():
    assert tally([(S, S)] * 3).identical_pair() == (S, S)
    assert tally([(S, S), (S, A)]).identical_pair() is None


def test_nothing_flagged_below_minimum_ratees():
    ref = tally(NORMAL * 4)
    few = tally([(A, A)] * (rules.MIN_RATEES - 1) + [(A, S)])
    assert few.ratees == rules.MIN_RATEES
    assert rules.assess(few, ref + few, ref + few).flagged
    fewer = tally([(A, A)] * (rules.MIN_RATEES - 2) + [(A, S)])
    a = rules.assess(fewer, ref + fewer, ref + fewer)
    assert not a.eligible and not a.flagged and a.departure == 0.0


def test_normal_rater_not_flagged():
    ref = tally(NORMAL * 4)
    normal = tally(NORMAL * 2)
    a = rules.assess(normal, ref + normal, ref + normal)
    assert a.eligible and a.flags == () and abs(a.d) < 0.1


def test_reference_falls_back_to_the_city_for_a_small_unit():
    rater = tally(NORMAL * 2)
    small_unit = rater + tally(NORMAL[:rules.MIN_REFERENCE_RATINGS - 1 - 0][:9])
    city = small_unit + tally(NORMAL * 10)
    ref, is_city = rules.choose_reference(rater, small_unit, city)
    assert is_city and ref.evaluations == city.evaluations - rater.evaluations
    big_unit = rater + tally(NORMAL * 3)
    ref, is_city = rules.choose_reference(rater, big_unit, city)
    assert not is_city and ref.evaluations == 30


def test_self_gap_at_threshold():
    # reference: employees rate themselves exactly as their raters do (gap 0)
    ref_pairs = NORMAL * 4
    ref = tally(ref_pairs, self_pairs=ref_pairs)
    pairs = [(S, S)] * rules.MIN_SELF_RATED
    # each self-rating "A/S" over an "S/S" rating: gap (1 + 0) / 2 = 0.5 points = GAP_MIN_POINTS
    at = tally(pairs, self_pairs=[(A, S)] * rules.MIN_SELF_RATED)
    assert at.mean_gap == pytest.approx(rules.GAP_MIN_POINTS)
    assert Flag.SELF_GAP in rules.assess(at, ref + at, ref + at).flags
    # one evaluation less than MIN_SELF_RATED self-rated: not judged
    fewer = tally(pairs, self_pairs=[(A, S)] * (rules.MIN_SELF_RATED - 1) + [None])
    assert Flag.SELF_GAP not in rules.assess(fewer, ref + fewer, ref + fewer).flags
    # a smaller gap (0.45 points): not flagged
    smaller = tally([(S, S)] * 20, self_pairs=[(A, S)] * 9 + [(S, S)] * 11)
    assert Flag.SELF_GAP not in rules.assess(smaller, ref + smaller, ref + smaller).flags


def test_top_unit():
    parent_of = {1: None, 2: 1, 3: 2, 4: 3, 5: 1}
    assert rules.top_unit(4, parent_of) == 2 and rules.top_unit(2, parent_of) == 2
    assert rules.top_unit(1, parent_of) == 1 and rules.top_unit(None, parent_of) is None
    assert rules.top_unit(7, {7: 8, 8: 7}) in (7, 8)  # a loop stops


def test_departure_orders_by_distance():
    ref = tally(NORMAL * 4)
    strong = tally([(A, A)] * 12)
    mild = tally([(A, A)] * 6 + [(S, S)] * 6)
    a_strong = rules.assess(strong, ref + strong, ref + strong)
    a_mild = rules.assess(mild, ref + mild, ref + mild)
    assert a_strong.departure > a_mild.departure > 0


def test_method_mentions_the_thresholds(app):
    with app.test_request_context():
        text = " ".join(str(x) for x in rules.method_items())
    assert "0.8" in text and "85%" in text and str(rules.MIN_RATEES) in text


def test_self_gap_reason_in_both_directions():
    ref_pairs = NORMAL * 4
    ref = tally(ref_pairs, self_pairs=ref_pairs)
    harsh = tally([(S, S)] * 10, self_pairs=[(A, A)] * 10)
    text = rules.assess(harsh, ref + harsh, ref + harsh).findings[-1].text
    assert "1.0 points below" in text and "the unit the average is 0.0 points below" in text
    soft = tally([(A, A)] * 5 + [(S, S)] * 5, self_pairs=[(S, S)] * 5 + [(B, B)] * 5)
    finding = rules.assess(soft, ref + soft, ref + soft).findings
    assert Flag.SELF_GAP in [f.flag for f in finding]
    assert "1.0 points above" in [f for f in finding if f.flag == Flag.SELF_GAP][0].text
    assert rules.signed_points(-0.31) == "-0.3" and rules.signed_points(-0.01) == "0.0"
