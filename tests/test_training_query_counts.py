"""Query budget of the training screens: at most 15 statements per screen, and no statement per row (the same
count with a few rows as with many)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from access_training import enroll, external, make_session, now, topic
from conftest import count_queries, login, make_nip

BUDGET = 15


@pytest.fixture
def crowd(db, org):
    """40 more employees in Bidang P2P; sessions and participants in two sizes (see ``grow``)."""
    from app.organisation.models import Employee

    for i in range(40):
        birth = date(1980 + i % 15, 1 + i % 12, 1 + i % 27)
        e = Employee(nip=make_nip(birth, (birth.year + 25, 3), 1 + i % 2, 200 + i), name=f"Peserta Uji {i:02d}",
                     gender="L" if i % 2 == 0 else "P", birth_date=birth, asn_type="PNS" if i % 3 else "PPPK",
                     status="AKTIF", unit=org.units["p2p"], position=org.positions["staff"],
                     supervisor=org.employees["kabid"], supervisor_override=True)
        db.session.add(e)
        org.employees[f"p{i}"] = e
    db.session.commit()
    return org


def grow(db, org, n_sessions, n_people):
    t = topic(db)
    sessions = []
    for k in range(n_sessions):
        s = make_session(db, org, starts_at=now() - timedelta(days=k + 1), hours=4, topic_item=t,
                         units=("p2p",), capacity=100)
        for i in range(n_people):
            enroll(db, org, s, f"p{i}", attendance="HADIR")
        enroll(db, org, s, "staff1", attendance="HADIR")
        s.status, s.closed_at = "DITUTUP", s.ends_at
        sessions.append(s)
    for i in range(n_people):
        external(db, org, f"p{i}", jp=2)
    db.session.commit()
    return sessions


def _count(client, db, url):
    client.get(url)  # warm caches
    with count_queries(db) as statements:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(statements)


SCREENS = {
    "analis": ["/trainingsessionview/list/", "/trainingparticipantview/list/?psize_TrainingParticipantView=100",
               "/externaltrainingview/list/?psize_ExternalTrainingView=100", "/jp-ledger/", "/training-feedback/",
               "/training-needs/effect", "/my-training/", "/trainingtopicview/list/", "/jptargetview/list/",
               "/trainingneedruleview/list/", "ROSTER"],
    "pelatih": ["/my-sessions/", "ROSTER", "/trainingsessionview/list/"],
    "staff1": ["/my-training/", "/jp-ledger/", "/trainingsessionview/list/"],
    "kadis": ["/jp-ledger/", "/trainingparticipantview/list/", "ROSTER"],
}


@pytest.mark.parametrize("who", list(SCREENS))
def test_training_screens_within_budget_and_flat(client, db, crowd, who):
    org = crowd
    small = grow(db, org, 2, 3)
    login(client, org.username(who) if who in org.employees else who)
    counts_small = {url: _count(client, db, url.replace("ROSTER", f"/training-sessions/{small[0].id}"))
                    for url in SCREENS[who]}
    big = grow(db, org, 6, 35)
    counts_big = {url: _count(client, db, url.replace("ROSTER", f"/training-sessions/{big[0].id}"))
                  for url in SCREENS[who]}
    for url in SCREENS[who]:
        assert counts_big[url] <= BUDGET, (who, url, counts_big[url])
        assert counts_big[url] == counts_small[url], (who, url, counts_small[url], counts_big[url])
