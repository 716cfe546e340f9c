"""Pure helpers of the dashboards (app/dashboards/rules.py): branches of the unit tree, sums, rates."""
from decimal import Decimal

from app.dashboards import rules

# city (1) → OPD A (2) → bidang (3) → seksi (4); city → OPD B (5); a loop 6 ↔ 7 hanging nowhere
UNITS = [(1, None), (2, 1), (3, 2), (4, 3), (5, 1), (6, 7), (7, 6)]


def test_branches_of_a_root_are_its_own_staff_and_its_direct_children():
    assert rules.branch_of(UNITS, 2) == {2: 2, 3: 3, 4: 3}
    assert rules.branch_of(UNITS, 1) == {1: 1, 2: 2, 3: 2, 4: 2, 5: 5}


def test_branches_of_the_city_are_the_top_level_units_and_loops_are_left_out():
    assert rules.branch_of(UNITS, None) == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    two_tops = [(1, None), (2, 1), (8, None), (9, 8)]
    assert rules.branch_of(two_tops, None) == {1: 1, 2: 1, 8: 8, 9: 8}


def test_sum_by_branch_adds_numbers_tuples_and_dicts():
    branches = rules.branch_of(UNITS, 1)
    assert rules.sum_by_branch({3: 2, 4: 5, 5: 1, 6: 9}, branches) == {2: 7, 5: 1}
    assert rules.sum_by_branch({3: (1, 2), 4: (3, 4)}, branches) == {2: [4, 6]}
    assert rules.sum_by_branch({3: {"a": 1}, 4: {"a": 2, "b": 1}}, branches) == {2: {"a": 3, "b": 1}}


def test_rate_rounds_half_up_and_knows_no_whole():
    assert rules.rate(2, 3) == Decimal("66.7")
    assert rules.rate(1, 8) == Decimal("12.5")
    assert rules.rate(1, 16) == Decimal("6.3")  # 6.25 → 6.3 (half up)
    assert rules.rate(0, 5) == Decimal("0.0")
    assert rules.rate(1, 0) is None


def test_years():
    assert rules.year_range(2025) == [2021, 2022, 2023, 2024, 2025]
    assert rules.valid_year("2024", 2025) == 2024
    for bad in ("", None, "abc", "1999", "２０２４", "2024.0", "99999"):
        assert rules.valid_year(bad, 2025) == 2025
