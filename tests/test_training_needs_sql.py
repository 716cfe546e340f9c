"""The training-need rules run in SQL (``needs.recommend_sql`` / ``need_page``, what the screen uses) give exactly
the recommendations of the reference computation (``needs.recommend_reference``: the outcomes of the year per
employee, then the pure ``rules.recommend``) on generated data with the edge cases: several final evaluations
of a year (a quarter and the year ending on the same day; a revision no longer current), non-final ones, other
years, feedback by the employee or without an author, progress without an indicator (counted towards the RHK's
first indicator), indicators without a target, plans not approved or not current, inactive employees, equal
names; every outcome, several levels and thresholds, the scope and the unit. The page and the counts follow
from the same rows, and the screen's statements do not grow with the number of employees.

The effect of training counted in SQL (``needs.effect_page``) equals the reference (``needs.training_effect``:
the pure ``rules.pick_results`` over every result of each participant)."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from access_training import make_session, now, topic
from conftest import count_queries, make_nip

YEAR = 2025
PREDIKAT = {"BAIK": ("SESUAI", "SESUAI"), "BUTUH_PERBAIKAN": ("DI_BAWAH", "SESUAI"),
            "SANGAT_KURANG": ("DI_BAWAH", "DI_BAWAH"), "SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"),
            "KURANG": ("SESUAI", "DI_BAWAH")}


def _everyone():
    from app.security.scope import Scope
    from app.training.scope import Viewer

    return Viewer(Scope(everything=True), None, frozenset({"Admin"}))


def _periods(db):
    from app.performance.models import Period

    out = {}
    for year in (YEAR - 2, YEAR - 1, YEAR, YEAR + 1):
        for number in range(1, 5):
            code = f"{year}-Q{number}"
            out[code] = db.session.scalar(select(Period).where(Period.code == code)) or Period(
                year=year, kind="QUARTERLY", number=number, code=code, starts_on=date(year, 3 * number - 2, 1),
                ends_on=date(year, 12, 31) if number == 4 else date(year, 3 * number + 1, 1) - timedelta(days=1))
        out[str(year)] = db.session.scalar(select(Period).where(Period.code == str(year))) or Period(
            year=year, kind="ANNUAL", number=1, code=str(year), starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
    db.session.add_all(out.values())
    db.session.flush()
    return out


@pytest.fixture
def staff(db, org):
    """90 employees with varied plans, evaluations, feedback and progress over three years (seeded)."""
    from app.organisation.models import Employee, Rank
    from app.performance.models import CoreValue, Evaluation, Feedback, Indicator, Progress, Rhk, Skp

    rng = random.Random(5)
    rank = db.session.query(Rank).filter_by(asn_type="PNS", code="III/a").one()
    units = [org.units[k] for k in ("pkm", "p2p", "dinkes", "disdik")]
    cores = db.session.scalars(select(CoreValue.id).order_by(CoreValue.id)).all()[:3]
    periods = _periods(db)
    people = []
    for i in range(90):
        birth = date(1970 + i % 25, 1 + i % 12, 1 + i % 27)
        e = Employee(nip=make_nip(birth, (birth.year + 25, 1 + i % 12), 1 + i % 2, 700 + i),
                     name=f"Pegawai Kebutuhan {i % 30:02d}",  # equal names: the id decides
                     gender="L" if i % 2 == 0 else "P", birth_date=birth, asn_type="PNS",
                     status="PENSIUN" if i % 19 == 7 else "AKTIF", rank=rank, unit=units[i % 4])
        db.session.add(e)
        people.append(e)
    db.session.flush()
    for e in people:
        for year in (YEAR - 1, YEAR, YEAR + 1):
            if rng.random() < 0.1:
                continue
            revisions = [True] + ([False] if rng.random() < 0.2 else [])
            for current in revisions:
                skp = Skp(employee_id=e.id, unit_id=e.unit_id, year=year, revision=1 if current else 2,
                          is_current=current, status=rng.choice(["DISETUJUI"] * 4 + ["DIAJUKAN", "DRAFT"]))
                for r in range(rng.randint(0, 3)):
                    rhk = Rhk(kind="UTAMA", sort_order=r + 1, text=f"RHK {r}")
                    for k in rng.sample(range(1, 6), rng.randint(1, 3)):
                        target = None if rng.random() < 0.15 else Decimal(rng.choice([1, 3, 5, 10]))
                        rhk.indicators.append(Indicator(
                            aspect="KUANTITAS", text=f"Indikator {k}", sort_order=k,
                            target_unit="dokumen" if target is not None else None, target_value=target,
                            target_text="Sesuai standar" if target is None else None))
                    skp.rhks.append(rhk)
                db.session.add(skp)
                db.session.flush()
                for rhk in skp.rhks:
                    for _ in range(rng.randint(0, 4)):
                        indicator = rng.choice(list(rhk.indicators) + [None])
                        db.session.add(Progress(rhk_id=rhk.id, indicator_id=indicator.id if indicator else None,
                                                value=Decimal(rng.choice([1, 2, 3, 4])), description="x",
                                                achieved_on=date(year, 6, 1)))
                if rng.random() < 0.4:
                    author = rng.choice([None, e.id, people[(people.index(e) + 1) % len(people)].id])
                    db.session.add(Feedback(skp_id=skp.id, core_value_id=rng.choice(cores), author_id=author,
                                            text="Perlu ditingkatkan"))
                for code in rng.sample([f"{year}-Q2", f"{year}-Q4", str(year)], rng.randint(0, 3)):
                    predikat = rng.choice(list(PREDIKAT))
                    hasil, perilaku = PREDIKAT[predikat]
                    final = rng.random() < 0.85
                    db.session.add(Evaluation(skp_id=skp.id, period_id=periods[code].id,
                                              status="FINAL" if final else "DINILAI", hasil_rating=hasil,
                                              perilaku_rating=perilaku, predikat=predikat))
    db.session.commit()
    return people


@pytest.fixture
def need_rules(db, staff):
    from app.performance.models import CoreValue
    from app.training.models import TrainingNeedRule

    cores = db.session.scalars(select(CoreValue.id).order_by(CoreValue.id)).all()[:3]
    t = [topic(db, f"KEB{i}") for i in range(5)]
    db.session.add_all([
        TrainingNeedRule(outcome="PREDIKAT", predikat="BUTUH_PERBAIKAN", topic_id=t[0].id),
        TrainingNeedRule(outcome="PREDIKAT", predikat="BAIK", topic_id=t[1].id),
        TrainingNeedRule(outcome="PERILAKU", core_value_id=cores[0], topic_id=t[1].id),  # a second rule, same topic
        TrainingNeedRule(outcome="PERILAKU", core_value_id=cores[1], topic_id=t[2].id),
        TrainingNeedRule(outcome="INDIKATOR", min_missed=1, topic_id=t[3].id),
        TrainingNeedRule(outcome="INDIKATOR", min_missed=3, topic_id=t[4].id),
        TrainingNeedRule(outcome="INDIKATOR", min_missed=2, topic_id=t[0].id),
        TrainingNeedRule(outcome="PREDIKAT", predikat="SANGAT_BAIK", topic_id=t[4].id, active=False),
    ])
    db.session.commit()
    return t


def _same(db, viewer, unit_id, year=YEAR):
    from app.training import needs

    reference = needs.recommend_reference(db.session, viewer, unit_id, year)
    computed = needs.recommend_sql(db.session, viewer, unit_id, year)
    assert computed == reference
    return reference


def test_sql_rules_equal_the_pure_rules(db, org, need_rules):
    found = _same(db, _everyone(), org.units["city"].id)
    assert set(found) == {t.id for t in need_rules[:5]}  # every outcome fires for someone; the inactive rule never
    assert any(len(reasons) > 1 for rows in found.values() for _, reasons in rows)  # two rules, one topic
    for year in (YEAR - 1, YEAR + 1, YEAR + 3):
        _same(db, _everyone(), org.units["city"].id, year)
    for key in ("dinkes", "p2p", "disdik"):
        _same(db, _everyone(), org.units[key].id)


def test_sql_rules_follow_the_scope(app, db, org, need_rules):
    from test_training_services import _viewer

    kadis = _viewer(app, org, "kadis")
    found = _same(db, kadis, org.units["city"].id)
    from app.organisation.models import Employee

    dinkes = set(db.session.scalars(select(Employee.id).where(
        Employee.unit_id.in_([org.units[k].id for k in ("dinkes", "p2p", "pkm")]))))
    assert found and {e for rows in found.values() for e, _ in rows} <= dinkes


def test_page_counts_and_rows_follow_the_reference(db, org, need_rules):
    from app.training import needs

    city = org.units["city"].id
    reference = needs.recommend_reference(db.session, _everyone(), city, YEAR)
    first = next(iter(reference))
    page = needs.need_page(db.session, _everyone(), city, YEAR, page=2, page_size=7)
    assert [(t.topic.id, t.count) for t in page.topics] == [(t, len(rows)) for t, rows in reference.items()]
    assert page.topic.id == first and page.total == len(reference[first])
    assert [(r.employee_id, tuple(x.id for x in r.reasons)) for r in page.rows] == reference[first][7:14]
    last = list(reference)[-1]
    tail = needs.need_page(db.session, _everyone(), city, YEAR, topic_id=last, page=999, page_size=7)
    assert tail.topic.id == last and tail.page == tail.pages == -(-len(reference[last]) // 7)
    assert [r.employee_id for r in tail.rows] == [e for e, _ in reference[last]][(tail.page - 1) * 7:]
    # "all of the topic" for the one-step session: every recommended, also beyond the page
    assert needs.topic_employee_ids(db.session, _everyone(), city, YEAR, last, untrained_only=False) == \
        [e for e, _ in reference[last]]


def test_untrained_leaves_out_those_already_invited(db, org, need_rules):
    from app.training import needs
    from app.training.models import TrainingParticipant

    city = org.units["city"].id
    page = needs.need_page(db.session, _everyone(), city, YEAR)
    chosen = page.rows[0].employee_id
    s = make_session(db, org, starts_at=datetime(YEAR + 1, 2, 1, 8), topic_item=page.topic)
    from app.organisation.models import Employee

    db.session.add(TrainingParticipant(session_id=s.id, employee_id=chosen,
                                       unit_id=db.session.get(Employee, chosen).unit_id, status="DIUNDANG",
                                       source="KEBUTUHAN", invited_at=datetime(YEAR + 1, 1, 5)))
    db.session.commit()
    again = needs.need_page(db.session, _everyone(), city, YEAR)
    assert again.rows[0].trained and again.untrained == page.untrained - 1 and again.total == page.total
    ids = needs.topic_employee_ids(db.session, _everyone(), city, YEAR, page.topic.id)
    assert chosen not in ids and len(ids) == again.untrained


def test_need_page_is_a_constant_number_of_statements(db, org, need_rules):
    from app.training import needs

    rules_loaded = needs.active_rules(db.session)
    p2p, city_id = org.units["p2p"].id, org.units["city"].id
    with count_queries(db) as small:
        needs.need_page(db.session, _everyone(), p2p, YEAR, need_rules=rules_loaded)
    with count_queries(db) as city:
        needs.need_page(db.session, _everyone(), city_id, YEAR, page=2, page_size=5, need_rules=rules_loaded)
    assert len(small) == len(city) <= 4


def closed_sessions(db, org, staff, need_rules):
    """Four closed sessions (two topics, across the year boundary) with 25 present or excused participants each,
    invited three days before; the active staff."""
    from app.training.models import TrainingParticipant

    rng = random.Random(3)
    active = [e for e in staff if e.status == "AKTIF"]
    for i, start in enumerate([datetime(YEAR - 1, 2, 1, 8), datetime(YEAR - 1, 12, 31, 8), datetime(YEAR, 6, 10, 8),
                               datetime(YEAR, 12, 30, 8)]):
        s = make_session(db, org, starts_at=start, hours=30 if i == 3 else 8, topic_item=need_rules[i % 2])
        for e in rng.sample(active, 25):
            db.session.add(TrainingParticipant(session_id=s.id, employee_id=e.id, unit_id=e.unit_id, status="DIUNDANG",
                                               source="DAFTAR", attendance=rng.choice(["HADIR"] * 4 + ["IZIN"]),
                                               invited_at=start - timedelta(days=3)))
        s.status, s.closed_at = "DITUTUP", s.ends_at
    db.session.commit()
    return active


def test_effect_counted_in_sql_equals_the_reference(db, org, staff, need_rules):
    from app.training import needs, rules

    closed_sessions(db, org, staff, need_rules)
    for topic_id, unit_id in ((None, None), (need_rules[0].id, None), (None, org.units["dinkes"].id)):
        rows, summary = needs.training_effect(db.session, _everyone(), topic_id, unit_id, limit=10000)
        found = needs.effect_page(db.session, _everyone(), topic_id, unit_id, page=1, page_size=10000)
        assert found.summary.counts == summary.counts and found.total == len(rows)
        assert [(r.employee_id, r.session_id, r.before, r.after, r.effect) for r in found.rows] == \
            [(r.employee_id, r.session_id, r.before, r.after, r.effect) for r in rows]
        assert sum(t.summary.counts[rules.Effect.IMPROVED] for t in found.topics) == summary.counts[rules.Effect.IMPROVED]
    assert summary.compared > 0
    second = needs.effect_page(db.session, _everyone(), page=2, page_size=10)
    rows, _ = needs.training_effect(db.session, _everyone(), limit=20)
    assert [(r.employee_id, r.session_id) for r in second.rows] == [(r.employee_id, r.session_id) for r in rows[10:20]]


def test_needs_screen_pages_a_topic_and_invites_all_of_it_in_one_step(client, db, org, monkeypatch):
    from app.training import needs
    from app.training.models import TrainingNeedRule, TrainingSession
    from test_training_services import _plan
    from test_training_views import _token, sign_in

    t = topic(db, "HAL", "Penyusunan SKP bertahap")
    db.session.add(TrainingNeedRule(outcome="PREDIKAT", predikat="BUTUH_PERBAIKAN", topic_id=t.id))
    db.session.commit()
    keys = ("staff1", "staff2", "kabid")
    for key in keys:
        _plan(db, org, key, YEAR, predikat="BUTUH_PERBAIKAN")
    expected = {org.employees[k].id for k in keys}
    monkeypatch.setattr(needs, "NEED_PAGE_SIZE", 2)
    sign_in(client, org.username("analis"))
    base = f"/training-needs/?unit={org.units['dinkes'].id}&year={YEAR}&topic={t.id}"
    first, second = (client.get(f"{base}&page={n}").get_data(as_text=True) for n in (1, 2))
    assert 'data-total="3"' in first and 'data-untrained="3"' in first
    shown = [{e for e in expected if f'tr data-employee="{e}"' in page} for page in (first, second)]
    assert len(shown[0]) == 2 and len(shown[1]) == 1 and shown[0] | shown[1] == expected
    assert 'class="pagination pagination-sm portal-need-pages"' in first
    start = (now() + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    data = {"csrf_token": _token(client), "topic": str(t.id), "unit": str(org.units["dinkes"].id), "year": str(YEAR),
            "invite": "new", "title": "Penyusunan SKP", "kind": "PELATIHAN", "method": "KLASIKAL",
            "organiser": "BKPSDM", "place": "Aula", "online_url": "", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"), "jp": "8", "capacity": "10",
            "trainers": [str(org.users["pelatih"].id)]}
    r = client.post("/training-needs/create-session", data=data)  # nothing ticked: every one of the topic
    assert r.status_code == 302 and "/training-sessions/" in r.headers["Location"]
    item = db.session.scalar(select(TrainingSession).where(TrainingSession.topic_id == t.id))
    assert {p.employee_id for p in item.participants} == expected
    # now all of them are invited: "not yet invited or trained" leaves nobody, and says so
    again = client.post("/training-needs/create-session", data=dict(data, csrf_token=_token(client)),
                        follow_redirects=True)
    assert again.status_code == 200 and "No recommended employees of this topic are left to invite." in \
        again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)
                             .where(TrainingSession.topic_id == t.id)) == 1
    page = client.get(base).get_data(as_text=True)
    assert 'data-untrained="0"' in page and 'data-total="3"' in page
    bad = client.post("/training-needs/create-session", data=dict(data, csrf_token=_token(client), year="x"),
                      follow_redirects=True)
    assert bad.status_code == 200 and "Choose the unit and the year of the training needs." in bad.get_data(as_text=True)


def test_effect_screen_pages_the_participants(client, db, org, staff, need_rules, monkeypatch):
    from app.training import needs
    from app.training.models import TrainingParticipant
    from test_training_views import sign_in

    s = make_session(db, org, starts_at=datetime(YEAR, 6, 10, 8), topic_item=need_rules[0])
    active = [e for e in staff if e.status == "AKTIF"][:5]
    for e in active:
        db.session.add(TrainingParticipant(session_id=s.id, employee_id=e.id, unit_id=e.unit_id, status="DIUNDANG",
                                           source="DAFTAR", attendance="HADIR", invited_at=datetime(YEAR, 6, 1)))
    s.status, s.closed_at = "DITUTUP", s.ends_at
    db.session.commit()
    monkeypatch.setattr(needs, "EFFECT_PAGE_SIZE", 2)
    sign_in(client, org.username("analis"))
    pages = [client.get(f"/training-needs/effect?topic={need_rules[0].id}&page={n}").get_data(as_text=True)
             for n in (1, 2, 3)]
    seen = [sum(f'tr data-employee="{e.id}"' in page for e in active) for page in pages]
    assert seen == [2, 2, 1]
    assert all('data-count=' in page for page in pages) and "portal-effect-pages" in pages[0]


def test_effect_of_the_whole_city_waits_for_a_topic_or_a_unit(client, db, org, staff, need_rules):
    from app.training.models import TrainingParticipant
    from test_training_views import sign_in

    s = make_session(db, org, starts_at=datetime(YEAR, 6, 10, 8), topic_item=need_rules[1])
    active = [e for e in staff if e.status == "AKTIF"][:3]
    for e in active:
        db.session.add(TrainingParticipant(session_id=s.id, employee_id=e.id, unit_id=e.unit_id, status="DIUNDANG",
                                           source="DAFTAR", attendance="HADIR", invited_at=datetime(YEAR, 6, 1)))
    s.status, s.closed_at = "DITUTUP", s.ends_at
    db.session.commit()
    sign_in(client, org.username("analis"))
    overview = client.get("/training-needs/effect").get_data(as_text=True)
    assert f'data-topic="{need_rules[1].id}" data-count="3"' in overview and "portal-effect-table" not in overview
    assert "portal-effect-whole-city" in overview
    city = client.get("/training-needs/effect?all=1").get_data(as_text=True)
    assert "portal-effect-summary" in city and all(f'tr data-employee="{e.id}"' in city for e in active)
