"""Pure rules of the performance cycle: the rating matrix, the distribution curve, the workflows and the
deadlines and periods (app/performance).

No database and no request: the autouse fixture only provides an app context so that lazy (translated)
messages can be rendered with str(); messages are compared in English (the msgids).
"""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest

from app.performance import deadlines as dl
from app.performance import distribution as dist
from app.performance import rating as rt
from app.performance import workflow as wf
from app.performance.distribution import DistributionRule, RuleKind, check_distribution
from app.performance.rating import OrgRating, Predikat, Rating, RatingError, predikat
from app.performance.workflow import (Actor, EvaluationState as E, ObjectionState as J, SkpState as S,
                                      TransitionError, check_transition)


@pytest.fixture(autouse=True)
def _english():
    from flask_babel import force_locale

    with force_locale("en"):
        yield


SB, B, BP, K, SK = (Predikat.SANGAT_BAIK, Predikat.BAIK, Predikat.BUTUH_PERBAIKAN, Predikat.KURANG,
                    Predikat.SANGAT_KURANG)


# --- the rating matrix ----------------------------------------------------------------------------

@pytest.mark.parametrize("hasil, perilaku, expected", [
    (Rating.DI_ATAS, Rating.DI_ATAS, SB),
    (Rating.DI_ATAS, Rating.SESUAI, B),
    (Rating.DI_ATAS, Rating.DI_BAWAH, K),
    (Rating.SESUAI, Rating.DI_ATAS, B),
    (Rating.SESUAI, Rating.SESUAI, B),
    (Rating.SESUAI, Rating.DI_BAWAH, K),
    (Rating.DI_BAWAH, Rating.DI_ATAS, BP),
    (Rating.DI_BAWAH, Rating.SESUAI, BP),
    (Rating.DI_BAWAH, Rating.DI_BAWAH, SK),
])
def test_predikat_matrix(hasil, perilaku, expected):
    assert predikat(hasil, perilaku) is expected
    assert predikat(str(hasil.value), f" {perilaku.value} ") is expected  # stored codes work too
    assert predikat(hasil, perilaku) == expected.value  # StrEnum: equal to the stored code


def test_matrix_is_complete_and_labels_are_official():
    assert len(rt.PREDIKAT_MATRIX) == 9 and set(rt.PREDIKAT_MATRIX.values()) == set(Predikat)
    assert str(Rating.DI_ATAS.label) == "Di Atas Ekspektasi"
    assert str(Rating.SESUAI.label) == "Sesuai Ekspektasi"
    assert str(Rating.DI_BAWAH.label) == "Di Bawah Ekspektasi"
    assert [str(p.label) for p in rt.PREDIKAT_ORDER] == [
        "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"]
    assert [str(o.label) for o in rt.ORG_RATING_ORDER] == [
        "Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"]
    assert [p.rank for p in rt.PREDIKAT_ORDER] == [5, 4, 3, 2, 1]


@pytest.mark.parametrize("hasil, perilaku", [
    (None, Rating.SESUAI), (Rating.SESUAI, None), ("", "SESUAI"), ("sesuai", "SESUAI"),
    ("SANGAT_BAIK", "SESUAI"), ("SESUAI", "DI ATAS"), (1, "SESUAI"), ("SESUAI", ["DI_ATAS"]),
])
def test_predikat_refuses_unknown_ratings(hasil, perilaku):
    with pytest.raises(ValueError) as info:
        predikat(hasil, perilaku)
    assert isinstance(info.value, RatingError)
    assert "Unknown rating" in str(info.value.message)


def test_predikat_with_a_configured_matrix():
    partial = {(Rating.SESUAI, Rating.SESUAI): B}
    assert predikat("SESUAI", "SESUAI", matrix=partial) is B
    with pytest.raises(RatingError, match="no predikat"):
        predikat("DI_ATAS", "SESUAI", matrix=partial)


def test_org_rating_codes():
    assert rt.as_org_rating("ISTIMEWA") is OrgRating.ISTIMEWA
    with pytest.raises(RatingError):
        rt.as_org_rating("SANGAT_BAIK")


@pytest.mark.parametrize("p, factor", [(SB, "1.5"), (B, "1"), (BP, "0.75"), (K, "0.5"), (SK, "0.25")])
def test_credit_point_factors(p, factor):
    assert rt.credit_point_factor(p) == Decimal(factor)
    assert rt.credit_point_factor(p.value) == Decimal(factor)


def test_credit_points():
    assert rt.credit_points(Decimal("12.5"), SB) == Decimal("18.750")  # Ahli Pertama, Sangat Baik
    assert rt.credit_points(12.5, "BAIK") == Decimal("12.500")
    assert rt.credit_points(25, BP, months=3) == Decimal("4.688")  # 25 x 0.75 x 3/12 = 4.6875, half up
    assert rt.credit_points(25, BP, months=3, places=None) == Decimal("4.6875")
    assert rt.credit_points(5, SK, factors={SK: 40}) == Decimal("2.000")  # configured table
    with pytest.raises(RatingError, match="No credit-point factor"):
        rt.credit_points(5, SB, factors={SK: 40})
    with pytest.raises(RatingError):
        rt.credit_points(5, "EXCELLENT")
    with pytest.raises(ValueError):
        rt.credit_points(5, SB, months=13)


@pytest.mark.parametrize("before, now, expected", [
    (SB, SB, rt.FollowUp.TALENT_POOL),
    (B, "BAIK", rt.FollowUp.COMPETENCE_DEVELOPMENT),
    (SB, B, None), (B, SB, None), (BP, BP, None), (None, SB, None), (SB, None, None),
])
def test_follow_up_two_years_in_a_row(before, now, expected):
    assert rt.follow_up(before, now) == expected


# --- the distribution curve ---------------------------------------------------------------------

def _failing(org, counts, **kwargs):
    """(kind, predikat set) of each warning."""
    return [(w.rule.kind, w.rule.predikat) for w in check_distribution(org, counts, **kwargs)]


AT_MOST, AT_LEAST, SOME, NONE = RuleKind.AT_MOST, RuleKind.AT_LEAST, RuleKind.SOME, RuleKind.NONE


@pytest.mark.parametrize("org, counts, failing", [
    # Istimewa: at most 70 % Sangat Baik
    (OrgRating.ISTIMEWA, {SB: 69, B: 31}, []),
    (OrgRating.ISTIMEWA, {SB: 70, B: 30}, []),
    (OrgRating.ISTIMEWA, {SB: 71, B: 29}, [(AT_MOST, {SB})]),
    (OrgRating.ISTIMEWA, {SB: 7, SK: 3}, []),
    (OrgRating.ISTIMEWA, {SB: 8, SK: 2}, [(AT_MOST, {SB})]),
    (OrgRating.ISTIMEWA, {SB: 10}, [(AT_MOST, {SB})]),
    (OrgRating.ISTIMEWA, {B: 10}, []),  # the rest: any predikat
    # Baik: at most 70 % Baik; some Butuh Perbaikan and/or Kurang
    (OrgRating.BAIK, {B: 69, BP: 10, SB: 21}, []),
    (OrgRating.BAIK, {B: 70, BP: 10, SB: 20}, []),
    (OrgRating.BAIK, {B: 71, BP: 10, SB: 19}, [(AT_MOST, {B})]),
    (OrgRating.BAIK, {B: 70, K: 1, SB: 29}, []),
    (OrgRating.BAIK, {B: 70, BP: 1, SK: 29}, []),
    (OrgRating.BAIK, {B: 70, SB: 15, SK: 15}, [(SOME, {BP, K})]),
    (OrgRating.BAIK, {B: 80, SB: 20}, [(AT_MOST, {B}), (SOME, {BP, K})]),
    # Butuh Perbaikan: at least 60 % Butuh Perbaikan; at most 10 % Sangat Baik
    (OrgRating.BUTUH_PERBAIKAN, {BP: 59, SB: 10, B: 31}, [(AT_LEAST, {BP})]),
    (OrgRating.BUTUH_PERBAIKAN, {BP: 60, SB: 10, B: 30}, []),
    (OrgRating.BUTUH_PERBAIKAN, {BP: 61, SB: 10, B: 29}, []),
    (OrgRating.BUTUH_PERBAIKAN, {BP: 60, SB: 9, B: 31}, []),
    (OrgRating.BUTUH_PERBAIKAN, {BP: 60, SB: 11, B: 29}, [(AT_MOST, {SB})]),
    (OrgRating.BUTUH_PERBAIKAN, {BP: 3, SB: 2}, [(AT_MOST, {SB})]),  # 60 % exactly, 40 % Sangat Baik
    # Kurang: at least 60 % Kurang; at least 10 % Butuh Perbaikan; at most 10 % Sangat Baik
    (OrgRating.KURANG, {K: 60, BP: 10, SB: 10, B: 20}, []),
    (OrgRating.KURANG, {K: 59, BP: 10, SB: 10, B: 21}, [(AT_LEAST, {K})]),
    (OrgRating.KURANG, {K: 61, BP: 10, SB: 10, B: 19}, []),
    (OrgRating.KURANG, {K: 60, BP: 9, SB: 10, B: 21}, [(AT_LEAST, {BP})]),
    (OrgRating.KURANG, {K: 60, BP: 11, SB: 10, B: 19}, []),
    (OrgRating.KURANG, {K: 60, BP: 10, SB: 11, B: 19}, [(AT_MOST, {SB})]),
    (OrgRating.KURANG, {K: 60, BP: 10, SB: 9, B: 21}, []),
    (OrgRating.KURANG, {SB: 10}, [(AT_LEAST, {K}), (AT_LEAST, {BP}), (AT_MOST, {SB})]),
    # Sangat Kurang: at least 60 % Sangat Kurang; at least 10 % Kurang and/or Butuh Perbaikan; no Sangat Baik
    (OrgRating.SANGAT_KURANG, {SK: 60, K: 5, BP: 5, B: 30}, []),
    (OrgRating.SANGAT_KURANG, {SK: 59, K: 5, BP: 5, B: 31}, [(AT_LEAST, {SK})]),
    (OrgRating.SANGAT_KURANG, {SK: 61, K: 5, BP: 5, B: 29}, []),
    (OrgRating.SANGAT_KURANG, {SK: 60, K: 5, BP: 4, B: 31}, [(AT_LEAST, {K, BP})]),
    (OrgRating.SANGAT_KURANG, {SK: 60, K: 5, BP: 6, B: 29}, []),
    (OrgRating.SANGAT_KURANG, {SK: 60, K: 10, B: 30}, []),
    (OrgRating.SANGAT_KURANG, {SK: 60, BP: 10, B: 30}, []),
    (OrgRating.SANGAT_KURANG, {SK: 60, K: 10, B: 29, SB: 1}, [(NONE, {SB})]),
    (OrgRating.SANGAT_KURANG, {SK: 60, K: 10, SB: 30}, [(NONE, {SB})]),
])
def test_distribution_boundaries(org, counts, failing):
    assert _failing(org, counts) == [(kind, frozenset(ps)) for kind, ps in failing]
    # the same with stored codes
    assert _failing(org.value, {p.value: n for p, n in counts.items()}) == \
        [(kind, frozenset(ps)) for kind, ps in failing]


def test_default_curve_is_the_documented_table():
    table = {org: [(r.kind, set(r.predikat), r.share) for r in rules] for org, rules in dist.DEFAULT_RULES.items()}
    pct = lambda n: Fraction(n, 100)  # noqa: E731
    assert table == {
        OrgRating.ISTIMEWA: [(AT_MOST, {SB}, pct(70))],
        OrgRating.BAIK: [(AT_MOST, {B}, pct(70)), (SOME, {BP, K}, None)],
        OrgRating.BUTUH_PERBAIKAN: [(AT_LEAST, {BP}, pct(60)), (AT_MOST, {SB}, pct(10))],
        OrgRating.KURANG: [(AT_LEAST, {K}, pct(60)), (AT_LEAST, {BP}, pct(10)), (AT_MOST, {SB}, pct(10))],
        OrgRating.SANGAT_KURANG: [(AT_LEAST, {SK}, pct(60)), (AT_LEAST, {K, BP}, pct(10)), (NONE, {SB}, None)],
    }
    assert [str(t) for t in dist.describe_rules(OrgRating.SANGAT_KURANG)] == [
        "at least 60% Sangat Kurang", "at least 10% Butuh Perbaikan and/or Kurang/Misconduct", "no Sangat Baik"]


def test_distribution_shares_are_exact():
    # 7001 of 10000 is over 70 % (a float rounding or a 1-decimal display must not hide it)
    [warning] = check_distribution(OrgRating.ISTIMEWA, {SB: 7001, B: 2999})
    assert warning.actual_share == Fraction(7001, 10000) and warning.expected_share == Fraction(7, 10)
    assert "70.1%" in warning.text
    assert check_distribution(OrgRating.ISTIMEWA, {SB: 7000, B: 3000}) == []
    # 5999 of 10000 is under 60 %, displayed as 59.9 %, never 60.0 %
    [warning] = check_distribution(OrgRating.BUTUH_PERBAIKAN, {BP: 5999, B: 4001})
    assert "59.9%" in warning.text
    # thirds: 2 of 3 Sangat Baik is under 70 %
    assert check_distribution(OrgRating.ISTIMEWA, {SB: 2, B: 1}) == []
    # "at least 10 %" in a unit of 3 needs one person
    assert _failing(OrgRating.KURANG, {K: 2, SK: 1}) == [(AT_LEAST, frozenset({BP}))]
    assert _failing(OrgRating.KURANG, {K: 2, BP: 1}) == []


def test_distribution_warning_messages():
    [warning] = check_distribution(OrgRating.ISTIMEWA, {SB: 8, B: 2})
    assert warning.text == "At most 70% of the staff should be Sangat Baik; actual: 8 of 10 (80%)."
    assert (warning.count, warning.total, warning.org_rating) == (8, 10, OrgRating.ISTIMEWA)
    [warning] = check_distribution(OrgRating.BUTUH_PERBAIKAN, {BP: 1, B: 2})
    assert warning.text == "At least 60% of the staff should be Butuh Perbaikan; actual: 1 of 3 (33.3%)."
    [warning] = check_distribution(OrgRating.BAIK, {SB: 4})
    assert warning.text == "The staff should include some Butuh Perbaikan and/or Kurang/Misconduct; " \
                           "actual: none of 4."
    none_rule = check_distribution(OrgRating.SANGAT_KURANG, {SK: 6, K: 1, SB: 1})
    assert [str(w) for w in none_rule] == ["No staff should be Sangat Baik; actual: 1 of 8 (12.5%)."]


@pytest.mark.parametrize("org", list(OrgRating) + ["ISTIMEWA"])
@pytest.mark.parametrize("counts", [{}, None, {SB: 0, B: 0}, {None: 5}])
def test_empty_unit_gives_no_warnings(org, counts):
    assert check_distribution(org, counts) == []


def test_distribution_never_raises():
    assert check_distribution(None, {SB: 10}) == []  # no organisation rating set yet
    assert check_distribution("", {SB: 10}) == []
    [warning] = check_distribution("EXCELLENT", {SB: 10})
    assert warning.rule is None and "Unknown organisation rating 'EXCELLENT'" in warning.text
    warnings = check_distribution(OrgRating.ISTIMEWA, {"GREAT": 3, SB: 7, B: -1, BP: 2.5, SK: 3})
    texts = [w.text for w in warnings]
    assert texts == ["Unknown predikat 'GREAT' left out of the distribution.",
                     "Invalid count -1 for Baik left out of the distribution.",
                     "Invalid count 2.5 for Butuh Perbaikan left out of the distribution."]  # 7 of 10: fine
    assert [w.text for w in check_distribution(OrgRating.ISTIMEWA, {"GREAT": 3, SB: 8, SK: 2})][1:] == [
        "At most 70% of the staff should be Sangat Baik; actual: 8 of 10 (80%)."]


def test_distribution_rules_are_configurable():
    strict = {OrgRating.ISTIMEWA: (DistributionRule(RuleKind.AT_MOST, {"SANGAT_BAIK"}, Fraction(1, 2)),)}
    assert _failing(OrgRating.ISTIMEWA, {SB: 5, B: 5}, rules=strict) == []
    assert _failing(OrgRating.ISTIMEWA, {SB: 6, B: 4}, rules=strict) == [(AT_MOST, frozenset({SB}))]
    assert check_distribution(OrgRating.BAIK, {B: 10}, rules=strict) == []  # no rules for Baik here
    with pytest.raises(ValueError):
        DistributionRule(RuleKind.AT_LEAST, {SB})  # a share is required
    with pytest.raises(ValueError):
        DistributionRule(RuleKind.AT_LEAST, {SB}, Fraction(3, 2))
    with pytest.raises(ValueError):
        DistributionRule(RuleKind.SOME, set())


def test_shares_and_counts():
    counts = dist.count_predikat(["BAIK", B, SB, None, "X", SK])
    assert counts == {B: 2, SB: 1, SK: 1}
    shares = dist.shares(counts)
    assert list(shares) == list(rt.PREDIKAT_ORDER)
    assert shares[B] == Fraction(1, 2) and shares[K] == 0 and sum(shares.values()) == 1
    assert set(dist.shares({}).values()) == {0}


# --- workflows ------------------------------------------------------------------------------------

O, R, RS, P, A = Actor.OWNER, Actor.RATER, Actor.RATERS_SUPERVISOR, Actor.PENGELOLA, Actor.ADMIN

# The allowed transitions, written out once more: any change to the machines must change this table.
EXPECTED = {
    "skp": {
        (None, S.DRAFT): {O},
        (S.DRAFT, S.DIAJUKAN): {O},
        (S.DIAJUKAN, S.DRAFT): {O},
        (S.DIAJUKAN, S.DISETUJUI): {R},
        (S.DIAJUKAN, S.DIKEMBALIKAN): {R},
        (S.DIKEMBALIKAN, S.DRAFT): {O},
    },
    "evaluation": {
        (None, E.DIBUKA): {P, A},
        (E.DIBUKA, E.PENILAIAN_DIRI): {O},
        (E.DIBUKA, E.DINILAI): {R},
        (E.PENILAIAN_DIRI, E.DINILAI): {R},
        (E.DINILAI, E.FINAL): {R, P},
    },
    "objection": {
        (None, J.DIAJUKAN): {O},
        (J.DIAJUKAN, J.DIJELASKAN): {R},
        (J.DIJELASKAN, J.DIPUTUS): {RS},
    },
}

ALL_CASES = [(name, source, target, actor)
             for name, machine in wf.MACHINES.items()
             for source in [None, *machine.states]
             for target in machine.states
             for actor in Actor]


@pytest.mark.parametrize("name, source, target, actor", ALL_CASES)
def test_every_transition_per_actor(name, source, target, actor):
    machine = wf.MACHINES[name]
    allowed = actor in EXPECTED[name].get((source, target), set())
    if allowed:
        check_transition(machine, source, target, {actor}, comment="Catatan")
        check_transition(machine, source, target, {actor.value}, comment="Catatan")  # codes work too
    else:
        with pytest.raises(TransitionError):
            check_transition(machine, source, target, {actor}, comment="Catatan")


def test_machines_hold_exactly_the_expected_steps():
    for name, machine in wf.MACHINES.items():
        assert {(s.source, s.target): set(s.actors) for s in machine.steps} == EXPECTED[name]


@pytest.mark.parametrize("machine, current, target, actors, code, words", [
    # skipping a state
    (wf.SKP_MACHINE, S.DRAFT, S.DISETUJUI, {R}, "NOT_ALLOWED", ["Draft", "Approved", "only go to Submitted"]),
    (wf.SKP_MACHINE, S.DIKEMBALIKAN, S.DIAJUKAN, {O}, "NOT_ALLOWED", ["Returned", "Submitted"]),
    (wf.SKP_MACHINE, S.DIKEMBALIKAN, S.DISETUJUI, {R}, "NOT_ALLOWED", ["Returned", "Approved"]),
    (wf.EVALUATION_MACHINE, E.DIBUKA, E.FINAL, {R, P}, "NOT_ALLOWED", ["Opened", "Final"]),
    (wf.EVALUATION_MACHINE, E.PENILAIAN_DIRI, E.FINAL, {R}, "NOT_ALLOWED", ["Self-assessed", "Final"]),
    (wf.EVALUATION_MACHINE, E.DINILAI, E.DIBUKA, {R}, "NOT_ALLOWED", ["Rated", "Opened"]),
    (wf.OBJECTION_MACHINE, J.DIAJUKAN, J.DIPUTUS, {RS}, "NOT_ALLOWED", ["Filed", "Decided"]),
    (wf.OBJECTION_MACHINE, None, J.DIPUTUS, {O}, "NOT_ALLOWED", ["starts as Filed", "Decided"]),
    (wf.EVALUATION_MACHINE, None, E.FINAL, {P}, "NOT_ALLOWED", ["starts as Opened", "Final"]),
    # acting after final
    (wf.SKP_MACHINE, S.DISETUJUI, S.DRAFT, {O}, "FINAL", ["Approved", "Draft", "final"]),
    (wf.SKP_MACHINE, S.DISETUJUI, S.DIKEMBALIKAN, {R}, "FINAL", ["Approved", "Returned"]),
    (wf.EVALUATION_MACHINE, E.FINAL, E.DINILAI, {R}, "FINAL", ["Final", "Rated"]),
    (wf.EVALUATION_MACHINE, E.FINAL, E.DIBUKA, {A}, "FINAL", ["Final", "Opened"]),
    (wf.OBJECTION_MACHINE, J.DIPUTUS, J.DIJELASKAN, {RS}, "FINAL", ["Decided", "Explained by the rater"]),
    # the wrong actor
    (wf.SKP_MACHINE, S.DIAJUKAN, S.DISETUJUI, {O}, "WRONG_ACTOR",
     ["Only the rater (pejabat penilai)", "Submitted", "Approved"]),
    (wf.SKP_MACHINE, S.DIAJUKAN, S.DISETUJUI, {RS, P, A}, "WRONG_ACTOR", ["Submitted", "Approved"]),
    (wf.SKP_MACHINE, S.DRAFT, S.DIAJUKAN, {R}, "WRONG_ACTOR", ["Only the employee", "Draft", "Submitted"]),
    (wf.SKP_MACHINE, None, S.DRAFT, {A}, "WRONG_ACTOR", ["Only the employee may create"]),
    (wf.EVALUATION_MACHINE, E.DINILAI, E.FINAL, {O}, "WRONG_ACTOR",
     ["Only the rater (pejabat penilai) or Pengelola Kinerja", "Rated", "Final"]),
    (wf.EVALUATION_MACHINE, E.DIBUKA, E.PENILAIAN_DIRI, {R}, "WRONG_ACTOR", ["Opened", "Self-assessed"]),
    (wf.OBJECTION_MACHINE, J.DIJELASKAN, J.DIPUTUS, {R}, "WRONG_ACTOR",
     ["the rater's supervisor (atasan pejabat penilai)", "Explained by the rater", "Decided"]),
    (wf.OBJECTION_MACHINE, J.DIAJUKAN, J.DIJELASKAN, {O}, "WRONG_ACTOR", ["Filed", "Explained"]),
    (wf.SKP_MACHINE, S.DIAJUKAN, S.DISETUJUI, set(), "WRONG_ACTOR", ["Submitted", "Approved"]),
    (wf.SKP_MACHINE, S.DIAJUKAN, S.DISETUJUI, {"Atasan", "Pegawai"}, "WRONG_ACTOR", ["Approved"]),  # role names
    # acting on one's own record in another capacity
    (wf.SKP_MACHINE, S.DIAJUKAN, S.DISETUJUI, {O, R}, "OWN_RECORD", ["your own", "Submitted", "Approved"]),
    (wf.EVALUATION_MACHINE, E.DINILAI, E.FINAL, {O, P}, "OWN_RECORD", ["your own", "Rated", "Final"]),
    (wf.EVALUATION_MACHINE, None, E.DIBUKA, {O, A}, "OWN_RECORD", ["your own"]),
    # a state that does not exist, a move to the same state
    (wf.SKP_MACHINE, S.DRAFT, "PUBLISHED", {O}, "UNKNOWN_STATE", ["'PUBLISHED'"]),
    (wf.SKP_MACHINE, "FINAL", S.DRAFT, {O}, "UNKNOWN_STATE", ["'FINAL'"]),
    (wf.SKP_MACHINE, S.DRAFT, S.DRAFT, {O}, "SAME_STATE", ["already Draft"]),
])
def test_refused_transitions(machine, current, target, actors, code, words):
    with pytest.raises(TransitionError) as info:
        check_transition(machine, current, target, actors, comment="Catatan")
    error = info.value
    assert error.code == code and (error.current, error.target) == (current, target)
    assert isinstance(error, ValueError)
    message = str(error.message)
    for word in words:
        assert word in message, message


def test_transition_messages_name_both_states():
    with pytest.raises(TransitionError) as info:
        check_transition(wf.SKP_MACHINE, S.DRAFT, S.DISETUJUI, {R})
    assert str(info.value.message) == ("The performance plan (SKP) cannot go from Draft to Approved; "
                                       "from Draft it can only go to Submitted.")
    with pytest.raises(TransitionError) as info:
        check_transition(wf.EVALUATION_MACHINE, E.FINAL, E.DINILAI, {R})
    assert str(info.value.message) == ("The performance evaluation is Final, which is final: it cannot change "
                                       "to Rated.")


@pytest.mark.parametrize("machine, current, target, actor", [
    (wf.SKP_MACHINE, S.DIAJUKAN, S.DIKEMBALIKAN, R),  # returned with notes
    (wf.OBJECTION_MACHINE, None, J.DIAJUKAN, O),  # the reasons
    (wf.OBJECTION_MACHINE, J.DIAJUKAN, J.DIJELASKAN, R),  # the rater's explanation
    (wf.OBJECTION_MACHINE, J.DIJELASKAN, J.DIPUTUS, RS),  # the decision
])
def test_comment_required(machine, current, target, actor):
    for blank in (None, "", "   \n"):
        with pytest.raises(TransitionError) as info:
            check_transition(machine, current, target, {actor}, comment=blank)
        assert info.value.code == "COMMENT_REQUIRED"
        assert "needs a comment" in str(info.value.message)
    check_transition(machine, current, target, {actor}, comment="Indikator kinerja belum terukur")


def test_no_comment_needed_elsewhere():
    check_transition(wf.SKP_MACHINE, S.DRAFT, S.DIAJUKAN, {O})
    check_transition(wf.SKP_MACHINE, S.DIAJUKAN, S.DISETUJUI, {R})
    check_transition(wf.EVALUATION_MACHINE, E.DINILAI, E.FINAL, {P})


def test_full_paths():
    def walk(machine, path, comment="ok"):
        state = None
        for target, actor in path:
            check_transition(machine, state, target, {actor}, comment)
            state = target
        return state

    # returned once, then approved
    assert walk(wf.SKP_MACHINE, [(S.DRAFT, O), (S.DIAJUKAN, O), (S.DIKEMBALIKAN, R), (S.DRAFT, O),
                                 (S.DIAJUKAN, O), (S.DISETUJUI, R)]) == S.DISETUJUI
    # with and without a self-assessment
    assert walk(wf.EVALUATION_MACHINE, [(E.DIBUKA, P), (E.PENILAIAN_DIRI, O), (E.DINILAI, R),
                                        (E.FINAL, R)]) == E.FINAL
    assert walk(wf.EVALUATION_MACHINE, [(E.DIBUKA, A), (E.DINILAI, R), (E.FINAL, P)]) == E.FINAL
    assert walk(wf.OBJECTION_MACHINE, [(J.DIAJUKAN, O), (J.DIJELASKAN, R), (J.DIPUTUS, RS)]) == J.DIPUTUS


def test_revisions_and_editing():
    assert wf.needs_new_revision(S.DISETUJUI) and wf.needs_new_revision("DISETUJUI")
    for state in (S.DRAFT, S.DIAJUKAN, S.DIKEMBALIKAN):
        assert not wf.needs_new_revision(state)
    assert wf.can_edit(wf.SKP_MACHINE, S.DRAFT, {O})
    assert not wf.can_edit(wf.SKP_MACHINE, S.DRAFT, {R})
    assert wf.can_edit(wf.SKP_MACHINE, S.DIAJUKAN, {R})
    assert not wf.can_edit(wf.SKP_MACHINE, S.DIAJUKAN, {O})
    assert not wf.can_edit(wf.SKP_MACHINE, S.DIKEMBALIKAN, {O})  # reopen it first
    assert not wf.can_edit(wf.SKP_MACHINE, S.DISETUJUI, {O, R, A})  # frozen
    assert wf.can_edit(wf.EVALUATION_MACHINE, E.DIBUKA, {O})
    assert not wf.can_edit(wf.EVALUATION_MACHINE, E.PENILAIAN_DIRI, {O})
    assert wf.can_edit(wf.EVALUATION_MACHINE, E.DINILAI, {R})
    assert not wf.can_edit(wf.EVALUATION_MACHINE, E.DINILAI, {O, R})  # not one's own rating
    assert not wf.can_edit(wf.EVALUATION_MACHINE, E.FINAL, {R, P, A})
    assert not wf.can_edit(wf.OBJECTION_MACHINE, J.DIAJUKAN, {O, R, RS})


def test_allowed_steps_and_acting_as():
    assert [s.target for s in wf.allowed_steps(wf.SKP_MACHINE, S.DIAJUKAN, {R})] == [S.DISETUJUI, S.DIKEMBALIKAN]
    assert [s.target for s in wf.allowed_steps(wf.SKP_MACHINE, S.DIAJUKAN, {O})] == [S.DRAFT]
    assert [str(s.action) for s in wf.allowed_steps(wf.SKP_MACHINE, S.DRAFT, {O})] == ["Submit"]
    assert wf.allowed_steps(wf.SKP_MACHINE, S.DISETUJUI, set(Actor)) == []
    assert wf.allowed_steps(wf.EVALUATION_MACHINE, E.DINILAI, {O, R}) == []
    assert wf.acting_as(wf.EVALUATION_MACHINE, E.DINILAI, E.FINAL, {P, R}) is R
    assert wf.acting_as(wf.EVALUATION_MACHINE, E.DINILAI, E.FINAL, {"PENGELOLA", A}) is P
    with pytest.raises(TransitionError):
        wf.acting_as(wf.EVALUATION_MACHINE, E.DINILAI, E.FINAL, {A})


def test_transition_records_and_timeline():
    t0 = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
    created = wf.make_transition(wf.SKP_MACHINE, None, S.DRAFT, {O}, actor=7, at=t0)
    submitted = wf.make_transition(wf.SKP_MACHINE, S.DRAFT, S.DIAJUKAN, {O, R}, actor=7,
                                   at=t0 + timedelta(days=1), comment="  ")
    returned = wf.make_transition(wf.SKP_MACHINE, S.DIAJUKAN, S.DIKEMBALIKAN, {R, A}, actor=3,
                                  at=t0 + timedelta(days=2), comment="  Target belum terukur ")
    assert submitted == wf.Transition(S.DRAFT, S.DIAJUKAN, 7, t0 + timedelta(days=1), None, O)
    assert (returned.comment, returned.actor_kind) == ("Target belum terukur", R)
    assert str(returned.describe(wf.SKP_MACHINE)) == "Submitted \u2192 Returned"
    assert str(created.describe(wf.SKP_MACHINE)) == "Draft"
    assert wf.replay(wf.SKP_MACHINE, [created, submitted, returned]) == S.DIKEMBALIKAN
    assert wf.replay(wf.SKP_MACHINE, []) is None
    assert wf.replay(wf.SKP_MACHINE, [submitted, returned]) == S.DIKEMBALIKAN  # history starting at Draft
    with pytest.raises(TransitionError):  # a gap
        wf.replay(wf.SKP_MACHINE, [created, returned])
    with pytest.raises(TransitionError):  # recorded actor not allowed
        wf.replay(wf.SKP_MACHINE, [created, wf.Transition(S.DRAFT, S.DIAJUKAN, 3, t0, None, R)])
    with pytest.raises(TransitionError):  # back in time
        wf.replay(wf.SKP_MACHINE, [created, wf.Transition(S.DRAFT, S.DIAJUKAN, 7, t0 - timedelta(1), None, O)])
    with pytest.raises(TransitionError):  # a return without notes in imported history
        wf.replay(wf.SKP_MACHINE, [submitted, wf.Transition(S.DIAJUKAN, S.DIKEMBALIKAN, 3, t0 + timedelta(3))])
    with pytest.raises(TransitionError):  # must be checked before it is recorded
        wf.make_transition(wf.SKP_MACHINE, S.DRAFT, S.DISETUJUI, {R}, actor=3, at=t0)


def test_machine_definitions_are_checked():
    with pytest.raises(ValueError, match="final"):
        wf.Machine("x", "x", {"A": "A", "B": "B"}, "A", {"B"}, (wf.Step("A", "B", {O}), wf.Step("B", "A", {O})))
    with pytest.raises(ValueError, match="unknown state"):
        wf.Machine("x", "x", {"A": "A"}, "A", set(), (wf.Step("A", "C", {O}),))
    with pytest.raises(ValueError, match="created in"):
        wf.Machine("x", "x", {"A": "A", "B": "B"}, "A", set(), (wf.Step(None, "B", {O}),))
    with pytest.raises(ValueError):
        wf.Step("A", "B", set())


# --- objections: the window and the decision ------------------------------------------------------

FINAL_ON = date(2026, 1, 20)


@pytest.mark.parametrize("offset, allowed", [(-1, False), (0, True), (1, True), (13, True), (14, True),
                                             (15, False), (60, False)])
def test_objection_window(offset, allowed):
    on = FINAL_ON + timedelta(days=offset)
    assert dl.can_object(FINAL_ON, on) is allowed
    if allowed:
        wf.check_can_file_objection(E.FINAL, FINAL_ON, on)
    else:
        with pytest.raises(TransitionError) as info:
            wf.check_can_file_objection(E.FINAL, FINAL_ON, on)
        assert info.value.code == "DEADLINE"


def test_objection_deadline():
    assert dl.objection_deadline(FINAL_ON) == date(2026, 2, 3)  # day 14
    assert dl.objection_deadline(date(2025, 12, 25)) == date(2026, 1, 8)  # over the year end
    assert dl.objection_deadline(date(2024, 2, 20)) == date(2024, 3, 5)  # leap year
    assert dl.objection_deadline(datetime(2026, 1, 20, 23, 59)) == date(2026, 2, 3)
    assert dl.can_object(datetime(2026, 1, 20, 8, 0), datetime(2026, 2, 3, 23, 59))  # day 14, late evening
    assert not dl.can_object(FINAL_ON, date(2026, 2, 4))
    assert dl.can_object(FINAL_ON, date(2026, 2, 10), days=21)  # configurable
    assert dl.objection_days_left(FINAL_ON, FINAL_ON) == 14
    assert dl.objection_days_left(FINAL_ON, date(2026, 2, 3)) == 0
    assert dl.objection_days_left(FINAL_ON, date(2026, 2, 4)) == -1
    # working days (Mon-Fri minus holidays), should a regulation count hari kerja
    friday = date(2025, 1, 3)
    assert dl.objection_deadline(friday, working_days=True) == date(2025, 1, 23)
    assert dl.objection_deadline(friday, working_days=True, holidays={date(2025, 1, 6)}) == date(2025, 1, 24)
    assert dl.can_object(friday, date(2025, 1, 23), working_days=True)
    assert not dl.can_object(friday, date(2025, 1, 24), working_days=True)


def test_objection_message_and_other_refusals():
    with pytest.raises(TransitionError) as info:
        wf.check_can_file_objection(E.FINAL, FINAL_ON, date(2026, 2, 4))
    assert str(info.value.message) == "The objection period ended on 2026-02-03."
    with pytest.raises(TransitionError) as info:
        wf.check_can_file_objection(E.DINILAI, None, FINAL_ON)
    assert info.value.code == "NOT_FINAL"
    with pytest.raises(TransitionError) as info:
        wf.check_can_file_objection(E.FINAL, FINAL_ON, FINAL_ON, existing_objection_state=J.DIPUTUS)
    assert info.value.code == "ALREADY_FILED"
    wf.check_can_file_objection("FINAL", datetime(2026, 1, 20, 10), FINAL_ON + timedelta(days=14))


def test_decision_deadline_is_configurable():
    filed = date(2026, 2, 1)
    assert dl.decision_deadline(filed) == date(2026, 2, 15)
    assert dl.decision_deadline(filed, days=30) == date(2026, 3, 3)
    assert not dl.decision_overdue(filed, date(2026, 2, 15))
    assert dl.decision_overdue(filed, date(2026, 2, 16))
    assert not dl.decision_overdue(filed, date(2026, 2, 16), days=21)


def test_objection_decision():
    before = (Rating.SESUAI, Rating.DI_BAWAH)
    wf.check_objection_decision("TETAP", before)
    wf.check_objection_decision(wf.ObjectionDecision.TETAP, before, ("SESUAI", "DI_BAWAH"))
    wf.check_objection_decision("DIUBAH", before, (Rating.SESUAI, Rating.SESUAI))
    for decision, after in [("TETAP", (Rating.SESUAI, Rating.SESUAI)), ("DIUBAH", before), ("DIUBAH", None),
                            ("MAYBE", before)]:
        with pytest.raises(TransitionError) as info:
            wf.check_objection_decision(decision, before, after)
        assert info.value.code == "INVALID_DECISION"
    with pytest.raises(RatingError):
        wf.check_objection_decision("DIUBAH", before, ("SESUAI", "GOOD"))


# --- SKP deadline and periods ---------------------------------------------------------------------

def test_skp_submission_deadline():
    assert dl.skp_submission_deadline(2026) == date(2026, 1, 31)
    assert not dl.skp_submission_late(2026, date(2026, 1, 31))
    assert not dl.skp_submission_late(2026, date(2025, 12, 20))
    assert dl.skp_submission_late(2026, date(2026, 2, 1))
    assert dl.skp_submission_deadline(2024, month=2) == date(2024, 2, 29)  # configurable month


@pytest.mark.parametrize("year", [2024, 2025, 2100])
@pytest.mark.parametrize("kind, count", [(dl.PeriodKind.ANNUAL, 1), (dl.PeriodKind.QUARTERLY, 4),
                                         (dl.PeriodKind.MONTHLY, 12)])
def test_sub_periods_cover_the_year(year, kind, count):
    periods = dl.sub_periods(year, kind)
    assert len(periods) == count
    assert periods[0].start == date(year, 1, 1) and periods[-1].end == date(year, 12, 31)
    for before, after in zip(periods, periods[1:]):
        assert after.start == before.end + timedelta(days=1)  # no gap, no overlap
    assert sum(p.days for p in periods) == (date(year + 1, 1, 1) - date(year, 1, 1)).days
    day = date(year, 1, 1)
    while day.year == year:  # every day in exactly one period
        assert sum(dl.period_contains(p, day) for p in periods) == 1
        assert dl.period_of(day, kind) in periods and dl.period_of(day, kind).contains(day)
        day += timedelta(days=1)


def test_quarters_and_months():
    q = dl.quarters(2025)
    assert [(p.start, p.end) for p in q] == [
        (date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31))]
    assert [str(p.label) for p in q] == ["Quarter I 2025", "Quarter II 2025", "Quarter III 2025", "Quarter IV 2025"]
    m = dl.months(2024)
    assert m[1].end == date(2024, 2, 29) and dl.months(2025)[1].end == date(2025, 2, 28)
    assert str(m[0].label) == "January 2024" and str(dl.annual_period(2024).label) == "Annual 2024"
    assert [p.code for p in q] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert m[8].code == "2024-M09" and dl.annual_period(2024).code == "2024"
    assert [p.months for p in (dl.annual_period(2024), q[0], m[0])] == [12, 3, 1]
    assert [p.code for p in q[1].sub_periods("MONTHLY")] == ["2025-M04", "2025-M05", "2025-M06"]
    assert dl.annual_period(2025).sub_periods(dl.PeriodKind.QUARTERLY) == q


def test_period_contains_boundaries():
    q2 = dl.Period(2025, dl.PeriodKind.QUARTERLY, 2)
    assert not dl.period_contains(q2, date(2025, 3, 31))
    assert dl.period_contains(q2, date(2025, 4, 1))
    assert dl.period_contains(q2, datetime(2025, 6, 30, 23, 59))
    assert not dl.period_contains(q2, date(2025, 7, 1))
    assert not dl.period_contains(q2, date(2024, 5, 1))


def test_period_codes_and_validation():
    for period in [dl.annual_period(2025), *dl.quarters(2025), *dl.months(2025)]:
        assert dl.parse_period(period.code) == period
    assert dl.parse_period(" 2025-q3 ") == dl.Period(2025, "QUARTERLY", 3)
    for bad in ["", "2025-Q5", "2025-M13", "2025-M00", "25", "2025-Q1x", None]:
        with pytest.raises(ValueError):
            dl.parse_period(bad)
    for args in [(2025, "QUARTERLY", 0), (2025, "QUARTERLY", 5), (2025, "MONTHLY", 13), (2025, "ANNUAL", 2),
                 (1800, "ANNUAL", 1), (2025, "WEEKLY", 1)]:
        with pytest.raises(ValueError):
            dl.Period(*args)


def test_period_windows():
    assert dl.within(date(2026, 1, 5), date(2026, 1, 1), date(2026, 1, 31))
    assert dl.within(date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31))
    assert not dl.within(date(2026, 2, 1), date(2026, 1, 1), date(2026, 1, 31))
    assert dl.within(date(2030, 1, 1), date(2026, 1, 1), None)
    assert not dl.within(date(2025, 12, 31), date(2026, 1, 1), None)
