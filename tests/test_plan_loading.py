"""The plan page's loader (app/performance/planning_views.py ``_load``: statements built once, results set as the
loaded collections) gives the same objects, in the same order, as the ORM's own relationships: the RHKs
(UTAMA first, then their order), each one's indicators, the supervisor's RHK it supports, its progress (by date)
with the evidence and the indicator, the expectations and the feedback; and nothing the page reads is loaded
again afterwards."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.organisation.models import Employee
from app.performance import models as m
from conftest import count_queries

YEAR = 2026


def _plan(db, org):
    """An approved plan of staff1 with RHKs in a mixed order, supported RHKs of two kinds, progress entered out of
    date order with evidence, feedback and expectations; and the rater's plan whose RHKs it supports."""
    staff, kabid, kadis = (db.session.get(Employee, org.employees[key].id) for key in ("staff1", "kabid", "kadis"))
    cv = {c.code: c for c in db.session.scalars(sa.select(m.CoreValue))}
    q1 = m.Period(year=YEAR, kind="QUARTERLY", number=1, code=f"{YEAR}-Q1", starts_on=date(YEAR, 1, 1),
                  ends_on=date(YEAR, 3, 31))
    boss = m.Skp(employee=kabid, unit_id=kabid.unit_id, position_id=kabid.position_id, rater=kadis, year=YEAR,
                 status="DISETUJUI")
    boss_rhks = [m.Rhk(kind="UTAMA", sort_order=n, text=f"RHK atasan {n}") for n in (1, 2)]
    boss.rhks.extend(boss_rhks)
    skp = m.Skp(employee=staff, unit_id=staff.unit_id, position_id=staff.position_id, rater=kabid,
                rater_supervisor=kadis, year=YEAR, status="DISETUJUI")
    # kind, sort order, supported RHK: the page shows UTAMA (by sort order) before TAMBAHAN
    for n, (kind, order, parent) in enumerate((("TAMBAHAN", 1, None), ("UTAMA", 2, boss_rhks[1]),
                                               ("UTAMA", 1, boss_rhks[0]), ("UTAMA", 1, boss_rhks[0]))):
        rhk = m.Rhk(kind=kind, sort_order=order, text=f"RHK {n}", parent=parent)
        second = m.Indicator(aspect="WAKTU", text=f"Waktu {n}", sort_order=2, target_text="Setiap tanggal 5")
        first = m.Indicator(aspect="KUANTITAS", text=f"Jumlah {n}", sort_order=1, target_value=Decimal("12"),
                            target_unit="dokumen")
        rhk.indicators.extend([second, first])  # inserted against their order
        for day, indicator in ((20, first), (3, None), (11, second)):  # entered out of date order
            progress = m.Progress(period=q1, indicator=indicator, value=Decimal("1"), description=f"Laporan {day}",
                                  achieved_on=date(YEAR, 3, day))
            progress.evidence.append(m.Evidence(kind="LINK", url=f"https://example.org/{n}/{day}/b"))
            progress.evidence.append(m.Evidence(kind="LINK", url=f"https://example.org/{n}/{day}/a"))
            rhk.progress.append(progress)
        skp.rhks.append(rhk)
        skp.feedback.append(m.Feedback(rhk=rhk, author=kabid, author_name=kabid.full_name, text=f"Umpan {n}",
                                       created_on=datetime(YEAR, 4, 10 - n, 9)))
    skp.feedback.append(m.Feedback(core_value=cv["KOLABORATIF"], author=kabid, author_name=kabid.full_name,
                                   text="Kolaboratif", created_on=datetime(YEAR, 4, 1, 9)))
    skp.expectations.append(m.BehaviourExpectation(core_value=cv["KOLABORATIF"], text="Aktif dalam tim"))
    skp.expectations.append(m.BehaviourExpectation(core_value=cv["BERORIENTASI_PELAYANAN"], text="Cepat"))
    db.session.add_all([q1, boss, skp])
    db.session.commit()
    return skp.id, staff.id


def _shown(skp):
    """What the plan page reads of the plan, as ids in the order the page shows them."""
    return {
        "people": (skp.employee.id, skp.rater.id, skp.position_id and skp.position.id, skp.unit.id),
        "rhks": [(r.id, r.kind, r.parent.id if r.parent is not None else None, [i.id for i in r.indicators],
                  [(p.id, p.achieved_on, p.indicator.id if p.indicator is not None else None,
                    [e.id for e in p.evidence]) for p in r.progress]) for r in skp.rhks],
        "parents": sorted({r.parent.text for r in skp.rhks if r.parent is not None}),
        "expectations": sorted(e.id for e in skp.expectations),
        "feedback": [(f.created_on, f.rhk_id, f.core_value_id) for f in skp.feedback],
    }


def test_the_plan_page_loader_gives_what_the_relationships_give(db, org):
    from app.performance import planning_views  # late: the views import the API (the mappers are configured then)

    skp_id, employee_id = _plan(db, org)

    db.session.expunge_all()
    with count_queries(db) as queries:
        loaded = planning_views._load(False, {"pk": skp_id})
    assert len(queries) == 6, queries  # plan, RHKs, supported RHKs, progress, expectations, feedback
    with count_queries(db) as queries:
        shown = _shown(loaded)
    assert queries == []  # everything the page reads is loaded

    db.session.expunge_all()
    newest = _shown(planning_views._load(True, {"employee_id": employee_id, "year": YEAR}))

    db.session.expunge_all()
    expected = _shown(db.session.get(m.Skp, skp_id))  # the relationships, loaded one by one
    assert shown == expected == newest
    assert [r[1] for r in shown["rhks"]] == ["UTAMA", "UTAMA", "UTAMA", "TAMBAHAN"]
    assert [p[1].day for p in shown["rhks"][0][4]] == [3, 11, 20]
    assert len(shown["parents"]) == 2 and len(shown["feedback"]) == 5

    db.session.expunge_all()
    assert planning_views._load(False, {"pk": skp_id + 1000}) is None
    assert planning_views._load(True, {"employee_id": employee_id, "year": YEAR + 1}) is None
