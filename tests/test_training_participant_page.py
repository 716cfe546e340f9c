"""The participant list of a trainer: on SQLite its page asks the trainer's sessions as a correlated EXISTS (so the
``(invited_at, id)`` index is walked and the page stops early); the rows and their order are those of the plain
``session_id IN (their sessions)`` clause, for every role, on every page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from access_training import ctx_for, enroll, make_session, now
from conftest import count_queries, login
from app.training.models import TrainingParticipant
from app.training.scope import Viewer, participant_clause

PEOPLE = ("staff1", "staff2", "kabid", "guru", "perawat", "kapus", "kadis")


@pytest.fixture
def rosters(db, org):
    """Three sessions of the Pelatih and one without a trainer; invitation times with ties."""
    base = now() - timedelta(days=20)
    for s_index in range(4):
        session = make_session(db, org, trainers=("pelatih",) if s_index < 3 else (),
                               starts_at=base + timedelta(days=s_index))
        for p_index, key in enumerate(PEOPLE[s_index:] + PEOPLE[:s_index]):
            enroll(db, org, session, key, at=base + timedelta(hours=(s_index * 7 + p_index) // 2))
    return org


def _viewer(org, key):
    from app.security.scope import build_scope

    ctx = ctx_for(org, key)
    employee = org.employees.get(key)
    return Viewer(build_scope(ctx.role_names, ctx.employee_id, employee.unit_id if employee else None), ctx.user_id,
                  frozenset(ctx.role_names))


@pytest.mark.parametrize("who", ["pelatih", "kadis", "kabid", "staff1", "analis"])
def test_trainer_exists_gives_the_same_rows_in_the_same_order(db, rosters, who):
    viewer = _viewer(rosters, who)
    p = TrainingParticipant
    order = (p.invited_at.desc(), p.id.desc())
    plain = db.session.scalars(select(p.id).where(participant_clause(viewer)).order_by(*order)).all()
    walked = db.session.scalars(select(p.id).where(participant_clause(viewer, trainer_exists=True))
                                .order_by(*order)).all()
    assert walked == plain
    if who == "pelatih":
        assert len(plain) == 3 * len(PEOPLE)


def test_trainer_list_pages_are_the_same_with_the_index_walk(client, db, rosters, monkeypatch):
    """The list screen of the Pelatih, page by page: the same HTML as with the plain IN clause; on SQLite the
    page's statement carries the EXISTS, the count keeps the IN."""
    from app.training import views

    login(client, "pelatih")
    volatile = re.compile(r'nonce="[^"]*"|name="csrf_token"[^>]*')
    urls = [f"/trainingparticipantview/list/?psize_TrainingParticipantView=5&page_TrainingParticipantView={n}"
            for n in range(5)]
    pages = []
    for url in urls:
        client.get(url)
        with count_queries(db) as statements:
            html = client.get(url).get_data(as_text=True)
        pages.append(volatile.sub("", html))
        listed = [s for s in statements if "training_participant.invited_at DESC" in s]
        assert len(listed) == 1
        if db.engine.dialect.name == "sqlite":
            assert "EXISTS" in listed[0]
    monkeypatch.setattr(views.ParticipantListInterface, "apply_all", views.ListInterface.apply_all)
    for url, walked in zip(urls, pages):
        assert volatile.sub("", client.get(url).get_data(as_text=True)) == walked
    assert pages[0].count("/trainingparticipantview/show/") == 5
    assert pages[4].count("/trainingparticipantview/show/") == 1  # 21 rows: the last page holds one
