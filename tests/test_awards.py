"""Awards (app/awards): candidates from two final annual predikat and from the years of service, gathered in a
constant number of queries; the Pengelola's bulk decisions (one transaction, unique per employee × year ×
kind, nothing half saved); the scope of every screen, export and API; "Penghargaan Saya"."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conftest import count_queries, csrf_token, login, logout, make_nip

YEAR = 2025
ON = date(2025, 8, 17)
RATINGS = {"SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"), "BAIK": ("SESUAI", "SESUAI"),
           "BUTUH_PERBAIKAN": ("DI_BAWAH", "SESUAI"), "KURANG": ("SESUAI", "DI_BAWAH")}


def _period(db, year, kind="ANNUAL", number=1):
    from app.performance.models import Period

    code = str(year) if kind == "ANNUAL" else f"{year}-Q{number}"
    found = db.session.scalar(select(Period).where(Period.code == code))
    if found is None:
        found = Period(year=year, kind=kind, number=number, code=code, starts_on=date(year, 1, 1),
                       ends_on=date(year, 12, 31) if kind == "ANNUAL" else date(year, 3, 31))
        db.session.add(found)
        db.session.flush()
    return found


def _evaluate(db, employee, year, predikat, status="FINAL", kind="ANNUAL", finalised=None):
    from app.performance.models import Evaluation, Skp

    n = db.session.scalar(select(func.count()).select_from(Skp)) + 1
    skp = Skp(employee_id=employee.id, unit_id=employee.unit_id, year=year, status="DISETUJUI", revision=n,
              is_current=False)
    db.session.add(skp)
    db.session.flush()
    hasil, perilaku = RATINGS[predikat]
    evaluation = Evaluation(skp_id=skp.id, period_id=_period(db, year, kind).id, status=status)
    if status in ("DINILAI", "FINAL"):
        evaluation.hasil_rating, evaluation.perilaku_rating, evaluation.predikat = hasil, perilaku, predikat
    if status == "FINAL":
        evaluation.finalised_at = finalised or datetime(year + 1, 1, 20, 9)
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


@pytest.fixture
def rated(db, org):
    """staff1: Sangat Baik 2024 and 2025; staff2: Baik twice; perawat: Baik then Sangat Baik; guru: Sangat Baik
    twice but 2025 only rated (not final); kapus: Baik twice but one of them quarterly."""
    e = org.employees
    _evaluate(db, e["staff1"], 2024, "SANGAT_BAIK")
    _evaluate(db, e["staff1"], 2025, "SANGAT_BAIK")
    _evaluate(db, e["staff2"], 2024, "BAIK")
    _evaluate(db, e["staff2"], 2025, "BAIK")
    _evaluate(db, e["perawat"], 2024, "BAIK")
    _evaluate(db, e["perawat"], 2025, "SANGAT_BAIK")
    _evaluate(db, e["guru"], 2024, "SANGAT_BAIK")
    _evaluate(db, e["guru"], 2025, "SANGAT_BAIK", status="DINILAI")
    _evaluate(db, e["kapus"], 2024, "BAIK")
    _evaluate(db, e["kapus"], 2025, "BAIK", kind="QUARTERLY")
    return org


def _gather(db, scope=None, year=YEAR, on=ON, unit_id=None):
    from app.awards import services
    from app.security.scope import Scope

    return services.gather(db.session, year, on, scope or Scope(everything=True), unit_id)


def _keys(found, org):
    names = {e.id: k for k, e in org.employees.items()}
    return {(names[c.employee_id], c.kind.value) for c in found.candidates}


# --- candidates -----------------------------------------------------------------------------------------------

def test_candidates_from_predikat_and_service(db, rated):
    found = _gather(db)
    # NIPs of the org fixture start 24 years after birth, in March: on 17 August 2025 kadis (1994) and kadisdik
    # (1993) have 31-32 years, kabid (2002) 23, kapus (1999) 26, analis (2012) 13, staff1 (2014) 11, guru (2015)
    # 10; staff2 (2016) and perawat (2018) not yet 10.
    assert _keys(found, rated) == {
        ("staff1", "TALENT_POOL"), ("staff2", "COMPETENCE_DEVELOPMENT"),
        ("kadis", "SATYALANCANA_30"), ("kadisdik", "SATYALANCANA_30"), ("kabid", "SATYALANCANA_20"),
        ("kapus", "SATYALANCANA_20"), ("analis", "SATYALANCANA_10"), ("staff1", "SATYALANCANA_10"),
        ("guru", "SATYALANCANA_10")}
    guru = next(c for c in found.candidates if c.employee_id == rated.employees["guru"].id)
    assert (guru.service_years, guru.service_months) == (10, 5)


def test_exactly_ten_years_counts_and_a_month_less_does_not(db, org):
    guru = org.employees["guru"]  # CPNS start March 2015
    assert ("guru", "SATYALANCANA_10") in _keys(_gather(db, on=date(2025, 3, 1)), org)
    assert "guru" not in {k for k, _ in _keys(_gather(db, on=date(2025, 2, 28)), org)}
    assert guru.nip[8:14] == "201503"


def test_satyalancana_already_approved_in_another_year_is_not_proposed_again(db, org):
    from app.awards.models import AwardDecision

    db.session.add(AwardDecision(employee_id=org.employees["analis"].id, year=2023, kind="SATYALANCANA_10",
                                 decision="DISETUJUI", decree_number="800/1/2023", decree_date=date(2023, 8, 17)))
    db.session.add(AwardDecision(employee_id=org.employees["kabid"].id, year=2023, kind="SATYALANCANA_10",
                                 decision="TIDAK_DISETUJUI"))
    db.session.commit()
    keys = _keys(_gather(db), org)
    assert ("analis", "SATYALANCANA_10") not in keys and ("kabid", "SATYALANCANA_20") in keys


def test_inactive_and_pppk_employees_are_not_candidates(db, org):
    org.employees["kadis"].status = "PENSIUN"
    org.employees["kadisdik"].asn_type = "PPPK"
    db.session.commit()
    keys = {k for k, _ in _keys(_gather(db), org)}
    assert "kadis" not in keys and "kadisdik" not in keys


def test_gathering_is_a_constant_number_of_queries(db, rated):
    from app.organisation.models import Employee, Rank

    def queries():
        with count_queries(db) as q:
            _gather(db)
        return len(q)

    few = queries()
    rank = db.session.query(Rank).filter_by(asn_type="PNS", code="III/a").one()
    for i in range(150):
        birth = date(1960 + i % 30, 1 + i % 12, 1 + i % 28)
        employee = Employee(nip=make_nip(birth, (birth.year + 23, 1 + i % 12), 1 + i % 2, 300 + i),
                            name=f"Pegawai Lama {i:03d}", gender="L" if i % 2 == 0 else "P", birth_date=birth,
                            asn_type="PNS", status="AKTIF", rank=rank, unit=rated.units["pkm"])
        db.session.add(employee)
        db.session.flush()
        if i % 5 == 0:
            _evaluate(db, employee, 2024, "BAIK")
            _evaluate(db, employee, 2025, "BAIK")
    db.session.commit()
    assert queries() == few <= 4
    assert len(_gather(db).candidates) > 150


def test_pimpinan_scope_and_unit_filter(db, rated):
    from app.security.scope import Scope

    kadis = rated.employees["kadis"]
    keys = _keys(_gather(db, Scope(employee_id=kadis.id, unit_root_id=rated.units["dinkes"].id)), rated)
    assert {k for k, _ in keys} == {"kadis", "kabid", "kapus", "staff1", "staff2"}
    keys = _keys(_gather(db, unit_id=rated.units["p2p"].id), rated)
    assert {k for k, _ in keys} == {"kabid", "staff1", "staff2"}


# --- decisions -------------------------------------------------------------------------------------------------

def _decide_form(token, keys, **overrides):
    data = {"csrf_token": token, "year": str(YEAR), "on": ON.isoformat(), "candidate": keys, "decision": "DISETUJUI",
            "decree_number": "800/123/BKPSDM/2025", "decree_date": "2025-08-10", "notes": "Upacara 17 Agustus"}
    data.update(overrides)
    return data


def _key(org, who, kind):
    return f"{org.employees[who].id}:{kind}"


def test_pengelola_decides_in_bulk_and_can_change_the_decision(app, db, client, rated):
    from app.awards.models import AwardDecision

    login(client, rated.username("analis"))
    page = client.get(f"/award-candidates/?year={YEAR}").get_data(as_text=True)
    assert f'data-candidate="{_key(rated, "staff1", "TALENT_POOL")}"' in page and 'name="candidate"' in page
    token = csrf_token(client, "/resetmypassword/form")
    keys = [_key(rated, "staff1", "SATYALANCANA_10"), _key(rated, "guru", "SATYALANCANA_10"),
            _key(rated, "staff1", "TALENT_POOL")]
    r = client.post("/award-candidates/decide", data=_decide_form(token, keys))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    rows = db.session.scalars(select(AwardDecision).order_by(AwardDecision.id)).all()
    assert len(rows) == 3 and {r.decision for r in rows} == {"DISETUJUI"}
    by_kind = {(r.employee_id, r.kind): r for r in rows}
    staff1 = rated.employees["staff1"].id
    assert by_kind[(staff1, "SATYALANCANA_10")].reason.startswith("Masa kerja 11 tahun")
    assert by_kind[(staff1, "SATYALANCANA_10")].decided_by_name
    assert by_kind[(staff1, "TALENT_POOL")].reason == "Predikat 2024: Sangat Baik; 2025: Sangat Baik"
    first = by_kind[(staff1, "SATYALANCANA_10")]
    # again, now not approved: the same rows change, nothing is added
    r = client.post("/award-candidates/decide", data=_decide_form(token, keys[:1], decision="TIDAK_DISETUJUI",
                                                                    decree_number="", decree_date=""))
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AwardDecision)) == 3
    assert db.session.get(AwardDecision, first.id).decision == "TIDAK_DISETUJUI"
    page = client.get(f"/award-candidates/?year={YEAR}&kind=SATYALANCANA_10").get_data(as_text=True)
    assert "800/123/BKPSDM/2025" in page


@pytest.mark.parametrize("overrides, field", [
    ({"decree_number": ""}, "decree_number"),
    ({"decree_date": ""}, "decree_date"),
    ({"decree_date": "2999-01-01"}, "decree_date"),
    ({"decree_date": "kemarin"}, "decree_date"),
    ({"decree_number": "x" * 101}, "decree_number"),
    ({"notes": "x" * 2001}, "notes"),
    ({"decision": "MUNGKIN"}, "decision"),
    ({"candidate": []}, "candidates"),
    ({"candidate": ["abc"]}, "candidates"),
    ({"on": "17-08-2025"}, "on"),
])
def test_bad_decisions_are_refused_and_nothing_is_saved(app, db, client, rated, overrides, field):
    from app.awards.models import AwardDecision

    login(client, rated.username("analis"))
    token = csrf_token(client, "/resetmypassword/form")
    keys = [_key(rated, "staff1", "SATYALANCANA_10"), _key(rated, "guru", "SATYALANCANA_10")]
    r = client.post("/award-candidates/decide", data=_decide_form(token, keys, **overrides))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert f'data-error-for="{field}"' in html or field in ("candidates",) and "alert-danger" in html
    assert db.session.scalar(select(func.count()).select_from(AwardDecision)) == 0


def test_a_non_candidate_refuses_the_whole_batch(app, db, client, rated):
    from app.awards.models import AwardDecision

    login(client, rated.username("analis"))
    token = csrf_token(client, "/resetmypassword/form")
    keys = [_key(rated, "staff1", "SATYALANCANA_10"), _key(rated, "staff2", "SATYALANCANA_10")]  # staff2: 9 years
    r = client.post("/award-candidates/decide", data=_decide_form(token, keys))
    assert r.status_code == 422 and "Dewi Lestari" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AwardDecision)) == 0


def test_unique_decision_per_employee_year_and_kind_in_the_database(db, org):
    from app.awards.models import AwardDecision

    row = dict(employee_id=org.employees["staff1"].id, year=YEAR, kind="SATYALANCANA_10", decision="TIDAK_DISETUJUI")
    db.session.add(AwardDecision(**row))
    db.session.commit()
    db.session.add(AwardDecision(**row))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(AwardDecision(**dict(row, year=YEAR + 1, decision="DISETUJUI")))  # approved needs a decree
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_decisions_outside_the_scope_are_refused_by_the_service(db, rated):
    from app.awards import services
    from app.core.errors import OutOfScope
    from app.security.scope import Scope

    scope = Scope(employee_id=rated.employees["kadis"].id, unit_root_id=rated.units["dinkes"].id)
    with pytest.raises(OutOfScope):
        services.decide(db.session, year=YEAR, on=ON, keys=[_key(rated, "guru", "SATYALANCANA_10")],
                        decision="TIDAK_DISETUJUI", decree_number=None, decree_date=None, notes=None, scope=scope,
                        today=date(2025, 9, 1), user_id=None, user_name="x")


def test_pimpinan_reads_their_subtree_and_cannot_decide(app, db, client, rated):
    login(client, rated.username("kadis"))
    page = client.get(f"/award-candidates/?year={YEAR}").get_data(as_text=True)
    assert f'data-employee="{rated.employees["staff1"].id}"' in page
    assert f'data-employee="{rated.employees["guru"].id}"' not in page
    assert 'name="candidate"' not in page
    assert client.get(f"/award-candidates/?unit={rated.units['disdik'].id}").status_code == 404
    token = csrf_token(client, "/resetmypassword/form")
    r = client.post("/award-candidates/decide", data=_decide_form(token, [_key(rated, "staff1", "SATYALANCANA_10")]))
    assert r.status_code == 403


def test_decision_list_export_and_my_awards_follow_the_scope(app, db, client, rated):
    from app.awards.models import AwardDecision

    e = rated.employees
    for who in ("staff1", "guru"):
        db.session.add(AwardDecision(employee_id=e[who].id, year=YEAR, kind="SATYALANCANA_10", decision="DISETUJUI",
                                     decree_number=f"SK-{who}", decree_date=date(2025, 8, 10), reason="Masa kerja"))
    db.session.add(AwardDecision(employee_id=e["staff2"].id, year=YEAR, kind="COMPETENCE_DEVELOPMENT",
                                 decision="TIDAK_DISETUJUI"))
    db.session.commit()
    login(client, rated.username("kadis"))
    page = client.get("/awards/").get_data(as_text=True)
    assert "SK-staff1" in page and "SK-guru" not in page
    export = client.get("/awards/export/csv")
    text = export.get_data(as_text=True)
    assert export.status_code == 200 and e["staff1"].nip in text and e["guru"].nip not in text
    assert client.get("/awards/export/xlsx").data[:2] == b"PK"
    logout(client)
    login(client, rated.username("staff2"))
    assert client.get("/awards/").status_code == 403
    mine = client.get("/my-awards/").get_data(as_text=True)
    assert "SK-" not in mine  # not approved: not an award
    logout(client)
    login(client, rated.username("staff1"))
    mine = client.get("/my-awards/").get_data(as_text=True)
    assert "SK-staff1" in mine and "SK-guru" not in mine
    logout(client)
    login(client, "pelatih")
    assert client.get("/my-awards/").status_code == 403


# --- the REST API ---------------------------------------------------------------------------------------------

def test_api_candidates_decide_and_scope(app, db, client, rated):
    login(client, rated.username("analis"))
    body = client.get(f"/api/v1/award/candidates?year={YEAR}&on={ON.isoformat()}&kind=SATYALANCANA_10").get_json()
    assert body["count"] == 3 and {r["kind"] for r in body["result"]} == {"SATYALANCANA_10"}
    assert client.get("/api/v1/award/candidates?year=1800").status_code == 422
    assert client.get("/api/v1/award/candidates?on=kemarin").status_code == 422
    key = _key(rated, "guru", "SATYALANCANA_10")
    r = client.post("/api/v1/award/decide", json={"year": YEAR, "on": ON.isoformat(), "candidates": [key],
                                                  "decision": "DISETUJUI", "decree_number": "SK-1",
                                                  "decree_date": "2025-08-10"})
    assert r.status_code == 200 and r.get_json() == {"created": 1, "updated": 0}
    r = client.post("/api/v1/award/decide", json={"year": YEAR, "candidates": [key], "decision": "DISETUJUI"})
    assert r.status_code == 422 and "decree_number" in r.get_json()["message"]
    assert client.post("/api/v1/award/decide", json=[1]).status_code == 400
    assert client.post("/api/v1/award/decide", json={"year": "x", "candidates": [key]}).status_code == 422
    listed = client.get("/api/v1/award/?q=(page_size:100)").get_json()
    assert listed["count"] == 1
    decision_id = listed["ids"][0]
    logout(client)
    login(client, rated.username("kadis"))
    assert client.get(f"/api/v1/award/{decision_id}").status_code == 404  # guru is in Dinas Pendidikan
    assert client.post("/api/v1/award/decide", json={"year": YEAR, "candidates": [key]}).status_code == 403
    logout(client)
    login(client, rated.username("staff1"))
    assert client.get("/api/v1/award/").status_code == 403


# --- query budget ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, url", [
    ("analis", f"/award-candidates/?year={YEAR}"), ("analis", "/awards/"), ("kadis", f"/award-candidates/?year={YEAR}"),
    ("staff1", "/my-awards/"),
])
def test_screens_stay_within_the_query_budget(app, db, client, rated, who, url):
    login(client, rated.username(who))
    client.get(url)
    with count_queries(db) as q:
        r = client.get(url)
    assert r.status_code == 200
    assert len(q) <= 15, "\n".join(s[:150] for s in q)
