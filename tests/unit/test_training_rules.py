"""Pure rules of training and socialization (app/training/rules.py): no app, no database."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.training import rules as T
from app.training.rules import (Attendance, EmployeeOutcome, EnrollmentStatus, Method, NeedOutcome, NeedRule,
                                SessionKind)

START = datetime(2026, 3, 10, 8, 0)
END = datetime(2026, 3, 10, 16, 0)


# --- session details -----------------------------------------------------------------------------------------

def test_jp_is_45_minutes():
    assert T.max_jp(START, START + timedelta(minutes=45)) == 1
    assert T.max_jp(START, START + timedelta(minutes=89)) == 1
    assert T.max_jp(START, START + timedelta(minutes=90)) == 2
    assert T.max_jp(START, END) == 10  # 8 hours = 480 minutes
    assert T.jp_for_minutes(44) == 0 and T.jp_for_minutes(135) == 3


def test_a_good_session_has_no_problems():
    assert T.session_problems(START, END, 8, 30, place="Aula BKPSDM", method=Method.KLASIKAL) == {}
    assert T.session_problems(START, END, 8, 30, online_url="https://elearning.palembang.go.id/k/1",
                              method=Method.E_LEARNING) == {}


@pytest.mark.parametrize("starts, ends, jp, capacity, field", [
    (END, START, 1, 10, "ends_at"),  # end before start
    (START, START, 1, 10, "ends_at"),  # end equal to start
    (START, END, 0, 10, "jp"),
    (START, END, -3, 10, "jp"),
    (START, END, 11, 10, "jp"),  # more JP than the session lasts
    (START, END, T.JP_MAX + 1, 10, "jp"),
    (START, END, True, 10, "jp"),
    (START, END, None, 10, "jp"),
    (START, END, 2, 0, "capacity"),
    (START, END, 2, -1, "capacity"),
    (START, END, 2, T.CAPACITY_MAX + 1, "capacity"),
    (START, END, 2, None, "capacity"),
    (None, END, 2, 10, "starts_at"),
    (START, None, 2, 10, "ends_at"),
])
def test_session_problems_name_the_field(starts, ends, jp, capacity, field):
    problems = T.session_problems(starts, ends, jp, capacity)
    assert field in problems and str(problems[field])


def test_classroom_needs_a_place_and_elearning_a_link():
    assert "place" in T.session_problems(START, END, 2, 10, method=Method.KLASIKAL)
    assert "online_url" in T.session_problems(START, END, 2, 10, method=Method.E_LEARNING)
    assert "method" in T.session_problems(START, END, 2, 10, method="TELEPATHY")


def test_vocabularies_have_labels():
    for enum in (SessionKind, Method, T.SessionStatus, EnrollmentStatus, Attendance, T.ExternalStatus, NeedOutcome,
                 T.CompetencyKind, T.EnrollmentSource, T.Effect):
        for member in enum:
            assert str(member.label)
    assert Method.KLASIKAL.classical and not Method.WORKSHOP.classical


# --- capacity and waiting list ---------------------------------------------------------------------------------

@pytest.mark.parametrize("capacity, taken, requested, expected", [
    (10, 0, 3, (3, 0)),
    (10, 8, 5, (2, 3)),  # overflow goes to the waiting list
    (10, 10, 4, (0, 4)),
    (10, 12, 1, (0, 1)),  # already over (capacity lowered elsewhere): no place
    (5, 0, 0, (0, 0)),
])
def test_allocate_places_then_waiting_list(capacity, taken, requested, expected):
    assert T.allocate(capacity, taken, requested) == expected


def test_promotions_take_the_oldest_waiting_first():
    waiting = ["a", "b", "c"]
    assert T.promotions(10, 9, waiting) == ["a"]
    assert T.promotions(10, 7, waiting) == ["a", "b", "c"]
    assert T.promotions(10, 10, waiting) == []


def test_capacity_cannot_drop_below_the_places_held():
    assert T.capacity_problem(5, 6) is not None
    assert T.capacity_problem(6, 6) is None


# --- check-in --------------------------------------------------------------------------------------------------

def _refusal(typed="ABC234", code="ABC234", now=START + timedelta(hours=1), closed=False,
             status=EnrollmentStatus.DIUNDANG, already=False):
    return T.check_in_refusal(typed, code, now, START, END, closed, status, already)


def test_check_in_with_the_right_code_while_running():
    assert _refusal() is None
    assert _refusal(typed=" abc-234 ") is None  # spaces, dashes and case do not matter
    assert _refusal(now=START) is None and _refusal(now=END) is None  # both ends included


@pytest.mark.parametrize("kwargs, code", [
    ({"typed": "ZZZ999"}, "WRONG_CODE"),
    ({"typed": ""}, "WRONG_CODE"),
    ({"typed": None}, "WRONG_CODE"),
    ({"now": END + timedelta(minutes=1)}, "EXPIRED"),
    ({"now": START - timedelta(minutes=1)}, "NOT_STARTED"),
    ({"already": True}, "ALREADY"),  # reused: one check-in per participant
    ({"status": None}, "NOT_ENROLLED"),
    ({"status": EnrollmentStatus.DAFTAR_TUNGGU}, "WAITLISTED"),
    ({"status": EnrollmentStatus.DIBATALKAN}, "CANCELLED"),
    ({"closed": True}, "CLOSED"),
])
def test_check_in_refusals(kwargs, code):
    refusal = _refusal(**kwargs)
    assert refusal is not None and refusal.code == code and str(refusal.message)


def test_codes_are_short_and_unambiguous():
    codes = {T.make_code() for _ in range(200)}
    assert len(codes) > 190
    for c in codes:
        assert len(c) == T.CODE_LENGTH and set(c) <= set(T.CODE_ALPHABET)
        assert not set(c) & set("01OIL")
    assert T.normalise_code("ab c-2\t3") == "ABC23" and T.normalise_code(123) == ""


# --- scores and feedback ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [(0, True), (100, True), (Decimal("87.5"), True), (None, True),
                                       (-1, False), (100.01, False), (True, False), ("90", False),
                                       (float("nan"), False)])
def test_scores_are_0_to_100(value, ok):
    assert (T.score_problem(value) is None) is ok


def test_ratings_and_summary():
    assert T.rating_problem(1) is None and T.rating_problem(5) is None
    assert T.rating_problem(0) and T.rating_problem(6) and T.rating_problem("5") and T.rating_problem(True)
    summary = T.summarise_ratings([5, 4, 4, 3, 9])
    assert summary.count == 4 and summary.average == Decimal("4.0") and summary.distribution == (0, 0, 1, 2, 1)
    assert T.summarise_ratings([]).average is None
    assert T.summarise_ratings([4, 5]).average == Decimal("4.5")
    assert T.learning_gain(Decimal("60"), Decimal("85.5")) == Decimal("25.5") and T.learning_gain(None, 80) is None


# --- the JP ledger ---------------------------------------------------------------------------------------------

def test_jp_targets_per_asn_type():
    assert T.jp_target("PNS") == 20 and T.jp_target("CPNS") == 20 and T.jp_target("PPPK") == 24
    assert T.jp_target("PPPK", {"PPPK": 30}) == 30 and T.jp_target("PNS", {"PPPK": 30}) == 20
    assert T.below_target(19, 20) and not T.below_target(20, 20) and T.below_target(None, 20)
    assert T.jp_shortfall(12, 20) == 8 and T.jp_shortfall(25, 20) == 0
    assert T.jp_target_problem("PNS", 20) == {}
    assert set(T.jp_target_problem("XYZ", 0)) == {"asn_type", "target_jp"}


# --- training needs: one test per outcome kind ----------------------------------------------------------------------

RULES = [
    NeedRule(1, NeedOutcome.PREDIKAT, topic_id=10, predikat="BUTUH_PERBAIKAN"),
    NeedRule(2, NeedOutcome.PERILAKU, topic_id=20, core_value_id=3),  # Kompeten
    NeedRule(3, NeedOutcome.INDIKATOR, topic_id=30, min_missed=2),
]


@pytest.mark.parametrize("predikat, recommended", [
    ("SANGAT_BAIK", False), ("BAIK", False), ("BUTUH_PERBAIKAN", True), ("KURANG", True), ("SANGAT_KURANG", True),
    (None, False), ("NONSENSE", False),
])
def test_predikat_butuh_perbaikan_or_lower(predikat, recommended):
    result = T.recommend(RULES, [EmployeeOutcome(7, predikat=predikat)])
    assert (10 in result) is recommended
    if recommended:
        assert result[10][0].employee_id == 7 and result[10][0].reasons == (RULES[0],)


def test_behaviour_feedback_on_a_core_value():
    assert 20 in T.recommend(RULES, [EmployeeOutcome(7, feedback_core_values=frozenset({3, 5}))])
    assert T.recommend(RULES, [EmployeeOutcome(7, feedback_core_values=frozenset({5}))]) == {}


@pytest.mark.parametrize("missed, recommended", [(0, False), (1, False), (2, True), (9, True)])
def test_indicators_missed(missed, recommended):
    assert (30 in T.recommend(RULES, [EmployeeOutcome(7, missed_indicators=missed)])) is recommended


def test_recommend_groups_per_topic_and_keeps_every_reason():
    rules = RULES + [NeedRule(4, NeedOutcome.PREDIKAT, topic_id=20, predikat="KURANG")]
    outcomes = [EmployeeOutcome(1, predikat="KURANG", feedback_core_values=frozenset({3})),
                EmployeeOutcome(2, predikat="BAIK", missed_indicators=5),
                EmployeeOutcome(3, predikat="SANGAT_BAIK")]
    result = T.recommend(rules, outcomes)
    assert list(result) == [10, 20, 30]  # in the order the topics' first rules appear
    assert [r.employee_id for r in result[10]] == [1]
    assert [r.employee_id for r in result[20]] == [1] and [x.id for x in result[20][0].reasons] == [2, 4]
    assert [r.employee_id for r in result[30]] == [2]


def test_need_rule_parameters_must_fit_the_outcome():
    assert T.need_rule_problems("PREDIKAT", "BAIK", None, 1) == {}
    assert "predikat" in T.need_rule_problems("PREDIKAT", None, None, 1)
    assert "core_value" in T.need_rule_problems("PERILAKU", None, None, 1)
    assert "min_missed" in T.need_rule_problems("INDIKATOR", None, None, 0)
    assert "outcome" in T.need_rule_problems("X", None, None, 1)


# --- the effect of training ----------------------------------------------------------------------------------------

def test_training_effect_and_picking_the_results():
    assert T.training_effect("BUTUH_PERBAIKAN", "BAIK") == T.Effect.IMPROVED
    assert T.training_effect("BAIK", "BAIK") == T.Effect.SAME
    assert T.training_effect("BAIK", "KURANG") == T.Effect.WORSE
    assert T.training_effect(None, "BAIK") == T.Effect.PENDING
    results = [(date(2025, 12, 31), "BUTUH_PERBAIKAN"), (date(2026, 3, 31), "KURANG"),
               (date(2026, 6, 30), "BAIK"), (date(2026, 9, 30), "SANGAT_BAIK")]
    # trained 10-12 April 2026: before = Q1 (ended 31 March), after = Q2 (ended 30 June)
    assert T.pick_results(results, date(2026, 4, 10), date(2026, 4, 12)) == ("KURANG", "BAIK")
    assert T.pick_results(results, date(2025, 1, 1), date(2025, 1, 2)) == (None, "BUTUH_PERBAIKAN")
    assert T.pick_results([], date(2026, 1, 1), date(2026, 1, 2)) == (None, None)
    summary = T.EffectSummary()
    for e in (T.Effect.IMPROVED, T.Effect.IMPROVED, T.Effect.PENDING):
        summary.add(e)
    assert summary.counts[T.Effect.IMPROVED] == 2 and summary.compared == 2


# --- the check-in lock and reopening (issue 5) -----------------------------------------------------------------

def test_the_fifth_wrong_code_locks_for_ten_minutes_and_a_lock_that_ran_out_counts_from_zero():
    moment = START + timedelta(minutes=30)
    failures, until = 0, None
    for expected in (1, 2, 3, 4):
        failures, until = T.after_wrong_code(failures, until, moment)
        assert (failures, until) == (expected, None)
    failures, until = T.after_wrong_code(failures, until, moment)
    assert failures == T.CHECKIN_MAX_FAILURES == 5 and until == moment + timedelta(minutes=T.CHECKIN_LOCK_MINUTES)
    assert T.checkin_lock_refusal(until, moment).code == "LOCKED"
    from flask_babel import force_locale

    with force_locale("en"):
        assert "10 more minute" in str(T.checkin_lock_refusal(until, moment).message)
        assert "1 more minute" in str(T.checkin_lock_refusal(until, until - timedelta(seconds=1)).message)
    assert T.checkin_lock_refusal(until, until) is None and T.checkin_lock_refusal(None, moment) is None
    assert T.after_wrong_code(failures, until, until + timedelta(seconds=1)) == (1, None)


@pytest.mark.parametrize("reason, ok", [(None, False), ("", False), ("   ", False), ("singkat", False), (42, False),
                                        ("x" * (T.REOPEN_REASON_MAX + 1), False), ("Koreksi daftar hadir", True),
                                        ("y" * T.REOPEN_REASON_MAX, True)])
def test_reopening_needs_a_reason(reason, ok):
    assert (T.reopen_problem(reason) is None) is ok
