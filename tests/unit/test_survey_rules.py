"""IKM rules at the boundaries (PermenPANRB 14/2017): NRR, IKM = mean NRR × 25, grades, answer validation."""
from decimal import Decimal

import pytest

from app.survey import rules as R


@pytest.mark.parametrize("ikm,grade", [
    ("100", "A"), ("88.31", "A"), ("88.305", "A"), ("88.30", "B"), ("88.304", "B"), ("76.61", "B"),
    ("76.60", "C"), ("65.00", "C"), ("64.99", "D"), ("64.995", "C"), ("25.00", "D"),
])
def test_grade_boundaries(ikm, grade):
    assert R.grade_for(Decimal(ikm)).code == grade


@pytest.mark.parametrize("ikm", ["24.99", "100.01"])
def test_grade_outside_range_is_an_error(ikm):
    with pytest.raises(ValueError):
        R.grade_for(Decimal(ikm))


def test_grade_none():
    assert R.grade_for(None) is None


def test_ikm_extremes_and_mean():
    assert R.ikm_from_responses([[4] * 9]).ikm == Decimal("100.00")
    assert R.ikm_from_responses([[1] * 9]).ikm == Decimal("25.00")
    result = R.ikm_from_responses([[3] * 9, [4] * 9])
    assert result.ikm == Decimal("87.50") and result.grade_code == "B" and result.respondents == 2
    assert result.nrr["u1"] == Decimal("3.500")


def test_ikm_rounds_half_up_once_on_the_exact_mean():
    # one answer of 3 among 9 × 4: total 35 / 9 × 25 = 97.2222… → 97.22
    assert R.ikm_from_responses([[4] * 8 + [3]]).ikm == Decimal("97.22")
    # 25 × 318 / 90 = 88.333… → A; the regulation's weight 0.111 would give 88.245 → B
    rows = [[4] * 9] * 5 + [[3] * 9] * 4 + [[4] * 3 + [3] * 6]
    total = sum(map(sum, rows))
    assert total == 318
    result = R.ikm_from_responses(rows)
    assert result.ikm == Decimal("88.33") and result.grade_code == "A"
    # exactly on a grade boundary after rounding: 76.605 → 76.61 (B)
    assert R.round_ikm(Decimal("76.605")) == Decimal("76.61")


def test_no_respondents():
    result = R.ikm_result(0, {})
    assert result.ikm is None and result.grade is None and result.nrr["u9"] is None


def _form(**over):
    data = {f"u{i}": "4" for i in range(1, 10)}
    data.update(over)
    return data


def test_validate_answers_good():
    clean, problems = R.validate_answers(_form(u3="1", gender="P", age_band="30_39", comment="  ok "))
    assert problems == []
    assert clean["u3"] == 1 and clean["gender"] == "P" and clean["comment"] == "ok" and clean["education"] is None


@pytest.mark.parametrize("value", ["0", "5", "-1", "4.0", "abc", "٤", " "])
def test_validate_answers_out_of_range_or_malformed(value):
    _clean, problems = R.validate_answers(_form(u5=value))
    assert [f for f, _m in problems] == ["u5"]


def test_validate_answers_missing_and_bad_profile_and_long_comment():
    form = _form(gender="X", comment="x" * (R.COMMENT_MAX + 1))
    del form["u9"]
    _clean, problems = R.validate_answers(form)
    assert {f for f, _m in problems} == {"u9", "gender", "comment"}
    _clean, problems = R.validate_answers(_form(comment="x" * R.COMMENT_MAX))
    assert problems == []


def test_campaign_is_open_inclusive():
    from datetime import date

    assert R.campaign_is_open(True, date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 31))
    assert not R.campaign_is_open(True, date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1))
    assert not R.campaign_is_open(False, date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 15))
