"""The stored training needs and effect of training (app/training/derived.py): the stored rows equal the live SQL
(``needs.need_page`` / ``needs.effect_page``, themselves proven equal to the pure rules in
tests/test_training_needs_sql.py) and the pure rules on the same generated data, for the whole city, a unit, a
Pimpinan's scope and a trainer's; a refresh is all or nothing; a finalised evaluation, a rule edit (through the
rule screen) and a closed attendance change the result on the next view; the screens show "computed at" and the
Pengelola's "Recompute" works, the Pimpinan's does not."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from access_training import ctx_for, make_session
from test_training_needs_sql import YEAR, _everyone, closed_sessions, need_rules, staff  # noqa: F401  (fixtures)

NOW = datetime(2026, 1, 5, 8, 0)


def _need_rows(page):
    return [(r.employee_id, tuple(x.id for x in r.reasons), r.trained, r.unit_name, r.name) for r in page.rows]


def _needs_equal(db, viewer, unit_id, year=YEAR):
    """Every topic of the stored page equals the live page (topics and counts, untrained, rows in order)."""
    from app.training import derived, needs

    live = needs.need_page(db.session, viewer, unit_id, year, page_size=100000)
    stored = derived.need_page(db.session, viewer, unit_id, year, page_size=100000)
    assert [(t.topic.id, t.count) for t in stored.topics] == [(t.topic.id, t.count) for t in live.topics]
    for t in live.topics:
        a = needs.need_page(db.session, viewer, unit_id, year, t.topic.id, page_size=100000)
        b = derived.need_page(db.session, viewer, unit_id, year, t.topic.id, page_size=100000)
        assert (b.topic.id, b.total, b.untrained) == (a.topic.id, a.total, a.untrained)
        assert _need_rows(b) == _need_rows(a)
        for untrained in (True, False):
            assert derived.topic_employee_ids(db.session, viewer, unit_id, year, t.topic.id, untrained) == \
                needs.topic_employee_ids(db.session, viewer, unit_id, year, t.topic.id, untrained)
    return stored


def _effect_rows(page):
    return [(r.employee_id, r.session_id, r.unit_name, r.name, r.topic_name, r.ended_on, r.before, r.after, r.effect)
            for r in page.rows]


def _effect_equal(db, viewer, topic_id=None, unit_id=None, page=1, page_size=100000):
    from app.training import derived, needs

    live = needs.effect_page(db.session, viewer, topic_id, unit_id, page, page_size)
    stored = derived.effect_page(db.session, viewer, topic_id, unit_id, page, page_size)
    assert stored.summary.counts == live.summary.counts and stored.total == live.total
    assert [(t.topic_id, t.topic_name, t.summary.counts) for t in stored.topics] == \
        [(t.topic_id, t.topic_name, t.summary.counts) for t in live.topics]
    assert _effect_rows(stored) == _effect_rows(live) and (stored.page, stored.pages) == (live.page, live.pages)
    assert derived.effect_overview(db.session, viewer) == needs.effect_overview(db.session, viewer)
    return stored


@pytest.fixture
def trained(db, org, staff, need_rules):  # noqa: F811
    """Four closed sessions with present and excused participants, and an invitation since the year began."""
    return closed_sessions(db, org, staff, need_rules)

def test_stored_needs_equal_the_live_sql_and_the_pure_rules(app, db, org, trained):
    from app.training import derived, needs
    from test_training_services import _viewer

    derived.refresh_needs(db.session, YEAR, NOW)
    city = org.units["city"].id
    # the whole city's stored rows are the pure rules' recommendations (employees by name, id; rules in order)
    assert derived.stored_needs(db.session, YEAR) == {
        t: rows for t, rows in sorted(needs.recommend_reference(db.session, _everyone(), city, YEAR).items())}
    stored = _needs_equal(db, _everyone(), city)
    assert len(stored.topics) == 5 and 0 < stored.untrained < stored.total  # some already invited or trained
    for key in ("dinkes", "p2p", "disdik"):
        _needs_equal(db, _everyone(), org.units[key].id)
    _needs_equal(db, _viewer(app, org, "kadis"), city)  # a Pimpinan: their subtree only
    _needs_equal(db, _viewer(app, org, "kadis"), org.units["dinkes"].id)  # their own OPD (the scope is implied)
    _needs_equal(db, _viewer(app, org, "kadis"), org.units["p2p"].id)
    _needs_equal(db, _viewer(app, org, "staff1"), city)  # no unit scope: their own row only
    # paging reads the stored order
    a = needs.need_page(db.session, _everyone(), city, YEAR, page=2, page_size=7)
    b = derived.need_page(db.session, _everyone(), city, YEAR, page=2, page_size=7)
    assert _need_rows(a) == _need_rows(b) and (a.page, a.pages) == (b.page, b.pages)
    # another year is another stored result
    derived.refresh_needs(db.session, YEAR + 1, NOW)
    _needs_equal(db, _everyone(), city, YEAR + 1)


def test_stored_effect_equals_the_live_sql(app, db, org, trained, need_rules):  # noqa: F811
    from app.training import derived
    from test_training_services import _viewer

    derived.refresh_effect(db.session, now=NOW)
    whole = _effect_equal(db, _everyone())
    assert whole.total > 50 and whole.summary.compared > 0
    _effect_equal(db, _everyone(), topic_id=need_rules[0].id)
    _effect_equal(db, _everyone(), unit_id=org.units["dinkes"].id)
    _effect_equal(db, _everyone(), page=3, page_size=10)
    assert _effect_equal(db, _viewer(app, org, "kadis"), unit_id=org.units["dinkes"].id).total > 0
    _effect_equal(db, _viewer(app, org, "kadis"), unit_id=org.units["city"].id)  # wider than the scope
    _effect_equal(db, _viewer(app, org, "pelatih"), unit_id=org.units["p2p"].id)
    assert _effect_equal(db, _viewer(app, org, "kadis")).total < whole.total
    _effect_equal(db, _viewer(app, org, "staff1"))
    _effect_equal(db, _viewer(app, org, "pelatih"))  # a trainer: the participants of the sessions they train


def test_a_failed_refresh_keeps_the_old_rows(db, org, trained, monkeypatch):
    from app.core import derived as core_derived
    from app.training import derived

    derived.refresh_needs(db.session, YEAR, NOW)
    derived.refresh_effect(db.session, now=NOW)
    needs_before = derived.stored_needs(db.session, YEAR)
    effect_before = _effect_rows(derived.effect_page(db.session, _everyone(), page_size=100000))
    assert needs_before and effect_before

    def fail(*args, **kwargs):  # after the delete and the insert, before the state row: a crash mid-way
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(core_derived, "record", fail)
    with pytest.raises(RuntimeError):
        derived.refresh_needs(db.session, YEAR, datetime(2026, 2, 1))
    with pytest.raises(RuntimeError):
        derived.refresh_effect(db.session, now=datetime(2026, 2, 1))
    db.session.expire_all()
    assert derived.stored_needs(db.session, YEAR) == needs_before
    assert _effect_rows(derived.effect_page(db.session, _everyone(), page_size=100000)) == effect_before
    assert core_derived.state(db.session, derived.NEEDS, YEAR).computed_at == NOW
    assert core_derived.state(db.session, derived.EFFECT, derived.EFFECT_YEAR).computed_at == NOW


def test_a_finalised_evaluation_changes_the_needs_on_the_next_view(db, org, need_rules):  # noqa: F811
    from app.performance.models import Evaluation
    from app.training import derived
    from test_training_services import _plan

    assert derived.ensure_needs(db.session, YEAR, NOW) == NOW
    assert derived.ensure_needs(db.session, YEAR, datetime(2026, 1, 6)) == NOW  # nothing changed: no refresh
    staff1 = org.employees["staff1"]

    def topics_of_staff1():
        return {t for t, rows in derived.stored_needs(db.session, YEAR).items() for e, _ in rows if e == staff1.id}

    assert topics_of_staff1() == set()
    # an approved plan with an indicator below target (1 missed: the INDIKATOR rule of 1), rated, not final yet
    _plan(db, org, "staff1", YEAR, predikat="BUTUH_PERBAIKAN")
    evaluation = db.session.scalar(select(Evaluation).order_by(Evaluation.id.desc()).limit(1))
    evaluation.status = "DINILAI"
    db.session.commit()
    assert derived.ensure_needs(db.session, YEAR, datetime(2026, 1, 6)) == datetime(2026, 1, 6)
    assert topics_of_staff1() == {need_rules[3].id}
    # with a check interval, a fingerprint compared a moment ago (and found fresh) is not compared again yet
    evaluation.status, evaluation.finalised_at = "FINAL", datetime(2026, 1, 7, 9)
    db.session.commit()
    assert derived.ensure_needs(db.session, YEAR, datetime(2026, 1, 7), check_every=3600) == datetime(2026, 1, 6)
    assert derived.ensure_needs(db.session, YEAR, datetime(2026, 1, 7)) == datetime(2026, 1, 7)
    assert topics_of_staff1() == {need_rules[0].id, need_rules[1].id, need_rules[3].id}  # Butuh Perbaikan too
    _needs_equal(db, _everyone(), org.units["city"].id)
    # an employee moved to another unit: the stored unit follows (the unit filter and the scope of the reads)
    from app.organisation.models import Employee

    staff1 = db.session.get(Employee, staff1.id)
    staff1.unit_id = org.units["disdik"].id
    db.session.commit()
    derived.ensure_needs(db.session, YEAR, datetime(2026, 1, 8))
    _needs_equal(db, _everyone(), org.units["disdik"].id)
    _needs_equal(db, _everyone(), org.units["dinkes"].id)


def test_a_rule_edit_shows_on_the_next_view(client, db, org):
    from app.training import derived
    from app.training.models import TrainingNeedRule
    from test_training_services import _plan
    from access_training import topic
    from app.core import derived as core_derived
    from test_training_views import _token, sign_in

    t = topic(db, "ATR", "Aturan uji")
    rule = TrainingNeedRule(outcome="PREDIKAT", predikat="SANGAT_KURANG", topic_id=t.id)
    db.session.add(rule)
    db.session.commit()
    _plan(db, org, "staff2", YEAR, predikat="BUTUH_PERBAIKAN")
    sign_in(client, org.username("analis"))
    url = f"/training-needs/?unit={org.units['dinkes'].id}&year={YEAR}"
    page = client.get(url).get_data(as_text=True)
    assert f'tr data-employee="{org.employees["staff2"].id}"' not in page and "data-computed-at=" in page
    computed = core_derived.state(db.session, derived.NEEDS, YEAR).computed_at
    db.session.execute(core_derived.DerivedResultState.__table__.update().values(computed_at=datetime(2020, 1, 1)))
    db.session.commit()
    computed = datetime(2020, 1, 1)
    # the Pengelola widens the rule: Butuh Perbaikan or lower (the fingerprint's sums would not tell on their own)
    r = client.post(f"/trainingneedruleview/edit/{rule.id}", data={
        "csrf_token": _token(client), "outcome": "PREDIKAT", "predikat": "BUTUH_PERBAIKAN", "core_value": "",
        "min_missed": "1", "topic": str(t.id), "active": "y", "notes": ""})
    assert r.status_code == 302
    # recomputed by the save itself, before any view
    assert core_derived.state(db.session, derived.NEEDS, YEAR).computed_at > computed
    assert [e for e, _ in derived.stored_needs(db.session, YEAR)[t.id]] == [org.employees["staff2"].id]
    page = client.get(url).get_data(as_text=True)
    assert f'tr data-employee="{org.employees["staff2"].id}"' in page



def test_a_rule_edit_recomputes_the_newest_year_and_makes_older_years_stale(db, org, need_rules):  # noqa: F811
    """Saving a rule recomputes the newest stored year at once; an older stored year is only marked stale (a rule
    save does not wait seconds per year) and is recomputed on its next view, with the new rules."""
    from app.core import derived as core_derived
    from app.training import derived

    for year in (YEAR - 1, YEAR):
        derived.ensure_needs(db.session, year, NOW)
    old = {year: core_derived.state(db.session, derived.NEEDS, year).fingerprint for year in (YEAR - 1, YEAR)}
    later = NOW + timedelta(hours=1)
    derived.rules_changed(db.session, later)
    newest = core_derived.state(db.session, derived.NEEDS, YEAR)
    older = core_derived.state(db.session, derived.NEEDS, YEAR - 1)
    assert newest.computed_at == later and newest.fingerprint == old[YEAR]
    assert older.computed_at == NOW and older.fingerprint == ""
    # the next view of the older year recomputes it, even right after a check of this process
    assert derived.ensure_needs(db.session, YEAR - 1, later + timedelta(minutes=1), check_every=900) == \
        later + timedelta(minutes=1)
    assert core_derived.state(db.session, derived.NEEDS, YEAR - 1).fingerprint == old[YEAR - 1]

def test_a_closed_attendance_changes_the_effect_on_the_next_view(db, org, trained, need_rules):  # noqa: F811
    from app.training import derived, services
    from app.training.models import TrainingParticipant

    assert derived.ensure_effect(db.session, NOW) == NOW
    before = derived.effect_page(db.session, _everyone()).total
    s = make_session(db, org, starts_at=datetime(YEAR, 3, 2, 8), topic_item=need_rules[2])
    for e in trained[:4]:
        db.session.add(TrainingParticipant(session_id=s.id, employee_id=e.id, unit_id=e.unit_id, status="DIUNDANG",
                                           source="DAFTAR", attendance="HADIR", invited_at=datetime(YEAR, 3, 1)))
    db.session.commit()
    assert derived.ensure_effect(db.session, datetime(2026, 1, 6)) == datetime(2026, 1, 6)  # invited: not yet
    assert derived.effect_page(db.session, _everyone()).total == before
    services.close_attendance(db.session, ctx_for(org, "analis"), s, now=datetime(YEAR, 3, 2, 16))
    assert derived.ensure_effect(db.session, datetime(2026, 1, 7)) == datetime(2026, 1, 7)
    assert derived.effect_page(db.session, _everyone()).total == before + 4
    _effect_equal(db, _everyone(), topic_id=need_rules[2].id)


def test_screens_show_the_time_and_the_pengelola_recomputes(db, client, org, trained, need_rules):  # noqa: F811
    from app.core import derived as core_derived
    from app.training import derived
    from test_training_views import _token, sign_in

    sign_in(client, org.username("analis"))
    needs_page = client.get(f"/training-needs/?unit={org.units['city'].id}&year={YEAR}").get_data(as_text=True)
    effect_page = client.get("/training-needs/effect").get_data(as_text=True)
    for body in (needs_page, effect_page):
        assert "data-computed-at=" in body and "/training-needs/refresh" in body
    db.session.execute(core_derived.DerivedResultState.__table__.update().values(computed_at=datetime(2020, 1, 1)))
    db.session.commit()
    token = _token(client)
    r = client.post("/training-needs/refresh", data={"csrf_token": token, "what": "needs", "year": str(YEAR),
                                                     "unit": str(org.units["dinkes"].id)})
    assert r.status_code == 302 and f"year={YEAR}" in r.headers["Location"]
    r = client.post("/training-needs/refresh", data={"csrf_token": token, "what": "effect",
                                                     "topic": str(need_rules[0].id)})
    assert r.status_code == 302 and f"topic={need_rules[0].id}" in r.headers["Location"]
    db.session.expire_all()
    assert core_derived.state(db.session, derived.NEEDS, YEAR).computed_at > datetime(2020, 1, 1)
    assert core_derived.state(db.session, derived.EFFECT, derived.EFFECT_YEAR).computed_at > datetime(2020, 1, 1)
    bad = client.post("/training-needs/refresh", data={"csrf_token": token, "what": "needs", "year": "abc"},
                      follow_redirects=True)
    assert bad.status_code == 200 and "Choose the unit and the year of the training needs." in bad.get_data(as_text=True)
    # a Pimpinan sees the time, not the button, and cannot recompute
    sign_in(client, org.username("kadis"))
    body = client.get(f"/training-needs/?year={YEAR}").get_data(as_text=True)
    assert "data-computed-at=" in body and "/training-needs/refresh" not in body
    db.session.execute(core_derived.DerivedResultState.__table__.update().values(computed_at=datetime(2020, 1, 1)))
    db.session.commit()
    r = client.post("/training-needs/refresh", data={"csrf_token": _token(client), "what": "needs", "year": str(YEAR)})
    assert r.status_code in (302, 403) and "/training-needs/?" not in r.headers.get("Location", "")
    db.session.expire_all()
    assert core_derived.state(db.session, derived.NEEDS, YEAR).computed_at == datetime(2020, 1, 1)


def test_refresh_derived_cli_refreshes_the_training_results(app, db, org, trained):
    from app.core import derived as core_derived
    from app.training import derived

    result = app.test_cli_runner().invoke(args=["portal", "refresh-derived", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert f"training needs {YEAR}:" in result.output and "training effect:" in result.output
    db.session.expire_all()
    needs_state = core_derived.state(db.session, derived.NEEDS, YEAR)
    effect_state = core_derived.state(db.session, derived.EFFECT, derived.EFFECT_YEAR)
    assert needs_state.rows == sum(len(rows) for rows in derived.stored_needs(db.session, YEAR).values()) > 0
    assert effect_state.rows == derived.effect_page(db.session, _everyone()).total > 0
    again = app.test_cli_runner().invoke(args=["portal", "refresh-derived", "--year", str(YEAR), "--if-stale"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert core_derived.state(db.session, derived.NEEDS, YEAR).computed_at == needs_state.computed_at  # fresh
