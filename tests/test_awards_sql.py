"""The award candidates computed in SQL (``services.candidate_page`` / ``all_candidates``, what the screens and the
REST list use) are exactly those of the reference computation (``services.gather``: the pure rules of
app/awards/rules.py over the rows), on data with the edge cases: exactly 10 / 20 / 30 years and a month less,
milestones approved in another year (lower, same, higher) or in the same year, not approved ones, several final
annual evaluations in one year (the one finalised last counts; a missing finalisation time counts as earliest),
quarterly and non-final evaluations, inactive and PPPK employees, the scope and the unit filter; paging and the
counts; a constant number of queries whatever the number of candidates."""
from __future__ import annotations

import random
from datetime import date, datetime

import pytest
from sqlalchemy import select

from conftest import count_queries, make_nip
from test_awards import ON, YEAR, _evaluate

PREDIKAT = ["SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG"]


def _everyone():
    from app.security.scope import Scope

    return Scope(everything=True)


def _same(db, year=YEAR, on=ON, scope=None, unit_id=None):
    from app.awards import services

    scope = scope or _everyone()
    reference = services.gather(db.session, year, on, scope, unit_id).candidates
    computed = services.all_candidates(db.session, year, on, scope, unit_id)
    assert computed == reference
    return reference


@pytest.fixture
def crowd(db, org):
    """120 more employees with varied NIPs, evaluations and earlier decisions (seeded)."""
    from app.awards.models import AwardDecision
    from app.organisation.models import Employee, Rank

    rng = random.Random(7)
    rank = db.session.query(Rank).filter_by(asn_type="PNS", code="III/a").one()
    units = [org.units[k] for k in ("pkm", "p2p", "dinkes")]
    people = []
    for i in range(120):
        birth = date(1962 + i % 35, 1 + i % 12, 1 + i % 27)
        # start months around the milestones of 17 August 2025: 1995-08 (30 y), 2005-08 / 2005-09 (20 y / 19y11m),
        # 2015-08 / 2015-09 (10 y / 9y11m), and others
        start = [(1995, 8), (1995, 9), (2005, 8), (2005, 9), (2015, 8), (2015, 9)][i % 6] if i < 36 else \
            (max(birth.year + 19, 1985 + i % 38), 1 + i % 12)
        employee = Employee(nip=make_nip(birth, start, 1 + i % 2, 400 + i), name=f"Pegawai Uji {i:03d}",
                            gender="L" if i % 2 == 0 else "P", birth_date=birth,
                            asn_type="PPPK" if i % 17 == 5 else "PNS", status="PENSIUN" if i % 23 == 4 else "AKTIF",
                            rank=rank, unit=units[i % 3])
        db.session.add(employee)
        people.append(employee)
    db.session.flush()
    for i, employee in enumerate(people):
        for year in (YEAR - 1, YEAR):
            roll = rng.random()
            if roll < 0.15:
                continue
            predikat = rng.choice(PREDIKAT[:2] * 3 + PREDIKAT[2:])
            if roll < 0.25:  # two final annual evaluations of the year: the one finalised last counts
                _evaluate(db, employee, year, rng.choice(PREDIKAT), finalised=datetime(year + 1, 1, 10))
                _evaluate(db, employee, year, predikat, finalised=datetime(year + 1, 2, 10))
            elif roll < 0.3:
                _evaluate(db, employee, year, predikat, kind="QUARTERLY")
            elif roll < 0.35:
                _evaluate(db, employee, year, predikat, status="DINILAI")
            else:
                _evaluate(db, employee, year, predikat)
        if i % 7 == 0:
            kind = ["SATYALANCANA_10", "SATYALANCANA_20", "SATYALANCANA_30"][i % 3]
            year = [YEAR - 10, YEAR, YEAR - 3][i % 3]
            approved = i % 2 == 0
            db.session.add(AwardDecision(employee_id=employee.id, year=year, kind=kind,
                                         decision="DISETUJUI" if approved else "TIDAK_DISETUJUI",
                                         decree_number="800/1/X" if approved else None,
                                         decree_date=date(year, 8, 17) if approved else None))
    db.session.commit()
    return people


def test_sql_candidates_equal_the_rules(db, crowd, org):
    found = _same(db)
    kinds = {c.kind.value for c in found}
    assert kinds == {"TALENT_POOL", "COMPETENCE_DEVELOPMENT", "SATYALANCANA_10", "SATYALANCANA_20",
                     "SATYALANCANA_30"}
    for on in (date(2025, 8, 1), date(2025, 7, 31), date(2025, 9, 1), date(2026, 1, 1)):
        _same(db, on=on)
    _same(db, year=YEAR - 1, on=date(YEAR - 1, 8, 17))


def test_null_finalisation_counts_as_earliest(db, org):
    from app.performance.models import Evaluation

    staff = org.employees["staff2"]
    _evaluate(db, staff, YEAR - 1, "BAIK")
    first = _evaluate(db, staff, YEAR, "SANGAT_BAIK")
    _evaluate(db, staff, YEAR, "BAIK")
    db.session.execute(Evaluation.__table__.update().where(Evaluation.id == first.id).values(finalised_at=None))
    db.session.commit()
    assert ("COMPETENCE_DEVELOPMENT" in {c.kind.value for c in _same(db) if c.employee_id == staff.id})


def test_sql_candidates_follow_the_scope_and_the_unit(db, crowd, org):
    from app.security.scope import Scope

    kadis = org.employees["kadis"]
    _same(db, scope=Scope(employee_id=kadis.id, unit_root_id=org.units["dinkes"].id))
    _same(db, unit_id=org.units["p2p"].id)


def test_page_and_counts(db, crowd):
    from app.awards import services
    from app.awards.rules import AwardKind

    everything = services.gather(db.session, YEAR, ON, _everyone())
    page = services.candidate_page(db.session, YEAR, ON, _everyone(), page=2, page_size=7)
    assert page.counts == everything.counts() and page.total == len(everything.candidates)
    assert page.candidates == everything.candidates[7:14]
    kind = services.candidate_page(db.session, YEAR, ON, _everyone(), kind="SATYALANCANA_10", page=1, page_size=5)
    assert kind.candidates == everything.by_kind(AwardKind.SATYALANCANA_10)[:5]
    shown = {c.employee_id for c in page.candidates}
    assert {e for e, _ in page.decisions} <= shown


def test_candidate_page_is_a_constant_number_of_queries(db, org, crowd):
    from app.awards import services

    with count_queries(db) as few:
        services.candidate_page(db.session, YEAR, ON, _everyone())
    with count_queries(db) as more:
        services.candidate_page(db.session, YEAR, ON, _everyone(), page=2, page_size=20)
    assert len(few) == len(more) <= 3


def test_decide_checks_only_the_chosen_candidates(db, crowd):
    from app.awards import services
    from app.awards.models import AwardDecision

    first = services.all_candidates(db.session, YEAR, ON, _everyone())[0]
    result = services.decide(db.session, year=YEAR, on=ON, keys=[first.key], decision="TIDAK_DISETUJUI",
                             decree_number=None, decree_date=None, notes=None, scope=_everyone(),
                             today=date(2025, 9, 1), user_id=None, user_name="uji")
    assert result.created == 1
    row = db.session.scalar(select(AwardDecision).where(AwardDecision.employee_id == first.employee_id,
                                                        AwardDecision.year == YEAR))
    assert row.kind == first.kind.value


def test_candidate_screen_query_count_does_not_grow_with_candidates(app, db, client, org):
    from conftest import login

    login(client, org.username("analis"))
    url = f"/award-candidates/?year={YEAR}"

    def statements(address):
        client.get(address)
        with count_queries(db) as q:
            r = client.get(address)
        assert r.status_code == 200
        return len(q)

    few = statements(url)
    from app.organisation.models import Employee, Rank

    rank = db.session.query(Rank).filter_by(asn_type="PNS", code="III/a").one()
    for i in range(80):  # 80 more Satyalancana candidates: two pages
        birth = date(1960 + i % 20, 1 + i % 12, 1 + i % 27)
        db.session.add(Employee(nip=make_nip(birth, (birth.year + 22, 1 + i % 12), 1 + i % 2, 600 + i),
                                name=f"Pegawai Senior {i:02d}", gender="L" if i % 2 == 0 else "P", birth_date=birth,
                                asn_type="PNS", status="AKTIF", rank=rank, unit=org.units["pkm"]))
    db.session.commit()
    many, second = statements(url), statements(url + "&page=2")
    assert few == many == second <= 15


def test_rest_candidates_are_paged_with_the_count(app, db, client, org, crowd):
    from app.awards import services
    from conftest import login

    everything = services.all_candidates(db.session, YEAR, ON, _everyone())
    login(client, org.username("analis"))
    url = f"/api/v1/award/candidates?year={YEAR}&on={ON.isoformat()}"
    first = client.get(url + "&page_size=7").get_json()
    second = client.get(url + "&page=2&page_size=7").get_json()
    assert first["count"] == second["count"] == len(everything) > 14
    assert (first["page"], first["page_size"], second["page"]) == (1, 7, 2)
    assert [r["key"] for r in first["result"] + second["result"]] == [c.key for c in everything[:14]]
    assert sum(first["counts"].values()) == len(everything)
    default = client.get(url).get_json()
    assert default["page_size"] == 50 and len(default["result"]) == min(50, len(everything))
    kind = client.get(url + "&kind=SATYALANCANA_10&page_size=500").get_json()
    assert [r["key"] for r in kind["result"]] == [c.key for c in everything if c.kind.value == "SATYALANCANA_10"]
    assert kind["count"] == first["counts"]["SATYALANCANA_10"]
    past = client.get(url + "&page=999").get_json()
    assert past["result"] == [] and past["count"] == len(everything)
    for bad in ("page=0", "page=x", "page_size=0", "page_size=501", "page=-1"):
        r = client.get(f"{url}&{bad}")
        assert r.status_code == 422 and r.get_json()["message"]
