"""The stored effect of training counted per unit (``TrainingEffectUnitSummary``, app/training/derived.py): its rows
are the stored participants counted per (unit, topic, results), and a unit's effect screen read from it (a viewer who
sees every row of the subtree: the Admin/Pengelola, a Pimpinan in their own OPD) equals the live SQL for every unit,
with and without a topic; a viewer who sees only some rows of the units still counts the participants."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from test_training_needs_sql import _everyone, closed_sessions, need_rules, staff  # noqa: F401  (fixtures)
from test_training_snapshot import NOW, _effect_equal


@pytest.fixture
def trained(db, org, staff, need_rules):  # noqa: F811
    return closed_sessions(db, org, staff, need_rules)


def _statements(db, call):
    seen = []

    def before(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return result, seen


def test_unit_counts_are_the_stored_participants_counted(db, org, trained):
    from app.training import derived
    from app.training.models import TrainingEffectSnapshot as Effect
    from app.training.models import TrainingEffectUnitSummary as UnitSummary

    derived.refresh_effect(db.session, now=NOW)
    key = (Effect.unit_id, Effect.topic_id, Effect.result_before, Effect.result_after)
    counted = sorted(db.session.execute(select(*key, func.count()).group_by(*key)).all(), key=repr)
    stored = sorted(db.session.execute(select(UnitSummary.unit_id, UnitSummary.topic_id, UnitSummary.result_before,
                                              UnitSummary.result_after, UnitSummary.participants)).all(), key=repr)
    assert [tuple(r) for r in stored] == [tuple(r) for r in counted] and len(stored) > 5
    # a refresh replaces them (no row twice)
    derived.refresh_effect(db.session, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(UnitSummary)) == len(stored)


def test_every_unit_read_from_the_unit_counts_equals_the_live_sql(app, db, org, trained, need_rules):  # noqa: F811
    from app.training import derived
    from app.organisation.models import Unit
    from test_training_services import _viewer

    derived.refresh_effect(db.session, now=NOW)
    topics = sorted(t.id for t in need_rules)  # the fixture gives the topics
    for unit_id in db.session.scalars(select(Unit.id).order_by(Unit.id)):
        _effect_equal(db, _everyone(), unit_id=unit_id)
        for topic_id in topics:
            _effect_equal(db, _everyone(), topic_id=topic_id, unit_id=unit_id)
    kadis = _viewer(app, org, "kadis")
    page, seen = _statements(db, lambda: derived.effect_page(db.session, kadis, None, org.units["dinkes"].id))
    assert page.total > 0 and any("training_effect_unit_summary" in s for s in seen)  # the own OPD: unit counts
    page, seen = _statements(db, lambda: derived.effect_page(db.session, kadis, None, org.units["city"].id))
    assert not any("training_effect_unit_summary" in s for s in seen)  # wider than the scope: counted per row
    _effect_equal(db, kadis, unit_id=org.units["city"].id)
    _effect_equal(db, _viewer(app, org, "pelatih"), unit_id=org.units["p2p"].id)
