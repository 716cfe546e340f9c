"""Pure rules of the awards (app/awards/rules.py): years of service at their boundaries, the Satyalancana
milestones, two years of predikat, the candidate list and decision validation.

No database and no request (an app context from the autouse fixtures, messages compared in English)."""
from datetime import date, datetime

import pytest

from app.awards import rules as r
from app.awards.rules import AwardKind as K


@pytest.fixture(autouse=True)
def _english():
    from flask_babel import force_locale

    with force_locale("en"):
        yield


START = date(2015, 3, 1)


@pytest.mark.parametrize("on, years, months", [
    (date(2015, 2, 28), 0, 0),  # before the start
    (date(2015, 3, 1), 0, 0),
    (date(2025, 2, 28), 9, 119),  # 9 years 11 months: not 10
    (date(2025, 3, 1), 10, 120),  # exactly 10 years
    (date(2035, 3, 1), 20, 240),
    (date(2045, 2, 28), 29, 359),
    (date(2045, 3, 1), 30, 360),
])
def test_years_of_service_at_the_boundaries(on, years, months):
    assert r.years_of_service(START, on) == years
    assert r.service_months(START, on) == months


def test_start_in_mid_month_counts_the_day():
    start = date(2015, 3, 15)
    assert r.years_of_service(start, date(2025, 3, 14)) == 9
    assert r.years_of_service(start, date(2025, 3, 15)) == 10


@pytest.mark.parametrize("on, expected", [
    (date(2025, 2, 28), None), (date(2025, 3, 1), K.SATYALANCANA_10), (date(2034, 12, 31), K.SATYALANCANA_10),
    (date(2035, 3, 1), K.SATYALANCANA_20), (date(2045, 3, 1), K.SATYALANCANA_30), (date(2060, 1, 1), K.SATYALANCANA_30),
])
def test_milestone_reached(on, expected):
    assert r.milestone_reached(START, on) == expected


def test_satyalancana_candidate_skips_what_was_awarded():
    on = date(2037, 8, 17)  # 22 years
    assert r.satyalancana_candidate(START, on) == K.SATYALANCANA_20
    assert r.satyalancana_candidate(START, on, {K.SATYALANCANA_10}) == K.SATYALANCANA_20
    assert r.satyalancana_candidate(START, on, {K.SATYALANCANA_20}) is None
    assert r.satyalancana_candidate(START, on, {K.SATYALANCANA_30}) is None
    assert r.satyalancana_candidate(START, on, {K.TALENT_POOL}) == K.SATYALANCANA_20
    assert r.satyalancana_candidate(None, on) is None
    assert r.satyalancana_candidate(START, date(2020, 1, 1)) is None


def test_service_start_from_the_nip_or_a_date():
    assert r.service_start("198609262015051001") == date(2015, 5, 1)
    assert r.service_start("198609262015051001", start_date=date(2014, 1, 2)) == date(2014, 1, 2)
    assert r.service_start("198609262015051001", "PPPK") is None
    assert r.service_start("19860926201505100") is None  # 17 digits
    assert r.service_start("198609262015131001") is None  # month 13
    assert r.service_start(None) is None


@pytest.mark.parametrize("before, now, expected", [
    ("SANGAT_BAIK", "SANGAT_BAIK", K.TALENT_POOL),
    ("BAIK", "BAIK", K.COMPETENCE_DEVELOPMENT),
    ("BAIK", "SANGAT_BAIK", None),
    ("SANGAT_BAIK", "BAIK", None),
    ("BUTUH_PERBAIKAN", "BUTUH_PERBAIKAN", None),
    (None, "SANGAT_BAIK", None),
    ("SANGAT_BAIK", None, None),
    ("NOPE", "NOPE", None),
])
def test_follow_up_candidate(before, now, expected):
    assert r.follow_up_candidate(before, now) == expected


def test_annual_predikat_takes_the_last_finalised_of_a_year():
    rows = [(1, 2025, "BAIK", datetime(2026, 1, 5)), (1, 2025, "SANGAT_BAIK", datetime(2026, 1, 20)),
            (2, 2025, "BAIK", None), (2, 2025, "KURANG", date(2026, 1, 1)), (3, 2024, "XX", None)]
    assert r.annual_predikat(rows) == {(1, 2025): "SANGAT_BAIK", (2, 2025): "KURANG"}


def test_candidates_of_a_year():
    on = date(2025, 8, 17)
    predikat = {(1, 2024): "SANGAT_BAIK", (1, 2025): "SANGAT_BAIK", (2, 2024): "BAIK", (2, 2025): "BAIK",
                (3, 2023): "BAIK", (3, 2025): "BAIK", (4, 2024): "SANGAT_BAIK"}
    starts = {1: date(2014, 1, 1), 5: date(1995, 1, 1), 6: date(2016, 1, 1), 7: None}
    approved = {5: {(2015, K.SATYALANCANA_20)}, 1: {(2025, K.SATYALANCANA_10)}}
    result = r.candidates(2025, on, predikat, starts, approved)
    assert [(c.employee_id, c.kind) for c in result] == [
        (1, K.TALENT_POOL), (2, K.COMPETENCE_DEVELOPMENT), (1, K.SATYALANCANA_10), (5, K.SATYALANCANA_30)]
    sl = next(c for c in result if c.employee_id == 5)
    assert (sl.service_years, sl.service_months) == (30, 7)
    assert result[0].key == "1:TALENT_POOL"
    assert r.reason_text(result[0]) == "Predikat 2024: Sangat Baik; 2025: Sangat Baik"
    assert r.reason_text(sl) == "Masa kerja 30 tahun 7 bulan"


def test_reference_date_and_sql_prefilter():
    assert r.reference_date(2025) == date(2025, 8, 17)
    assert r.reference_date(2025, (12, 31)) == date(2025, 12, 31)
    assert r.earliest_start_for(date(2025, 8, 17)) == "201508"


@pytest.mark.parametrize("kwargs, fields", [
    ({}, set()),
    ({"decision": "X"}, {"decision"}),
    ({"decree_number": ""}, {"decree_number"}),
    ({"decree_number": "x" * 101}, {"decree_number"}),
    ({"decree_date": None}, {"decree_date"}),
    ({"decree_date": date(2025, 9, 2)}, {"decree_date"}),
    ({"notes": "x" * 2001}, {"notes"}),
    ({"notes": "x" * 2000}, set()),
    ({"decision": "TIDAK_DISETUJUI", "decree_number": "", "decree_date": None}, set()),
])
def test_validate_decision(kwargs, fields):
    args = dict(decision="DISETUJUI", decree_number="800/1/2025", decree_date=date(2025, 9, 1), notes="")
    args.update(kwargs)
    assert set(r.validate_decision(args["decision"], args["decree_number"], args["decree_date"], args["notes"],
                                   date(2025, 9, 1))) == fields
