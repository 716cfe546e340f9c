"""The performance-cycle tables on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).

- a full plan (SKP with RHKs, indicators, behaviour expectations, progress with evidence, feedback, coaching
  notes, an evaluation with an objection, the transition log and a notification) for Budi (staff1) rated by
  Siti (kabid) is stored and read back through the relationships, in a bounded number of queries;
- the database refuses bad rows (check, unique and partial-unique constraints), each in its own savepoint;
- two sessions saving the same SKP: the second gets StaleDataError (optimistic version check);
- deleting a plan without evaluations removes its parts (ON DELETE CASCADE); one with an evaluation is
  refused (RESTRICT); an RHK that supported a deleted RHK keeps going with no parent (SET NULL);
- the 7 BerAKHLAK core values with 3 guides each are loaded by migration 0004 (on a freshly migrated
  database, and still there in the session database after other tests clean up).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from conftest import count_queries

CORE_VALUE_CODES = ["BERORIENTASI_PELAYANAN", "AKUNTABEL", "KOMPETEN", "HARMONIS", "LOYAL", "ADAPTIF",
                    "KOLABORATIF"]


def _core_values(db):
    from app.performance.models import CoreValue

    return {cv.code: cv for cv in db.session.scalars(sa.select(CoreValue))}


def _skp_for(employee, rater=None, rater_supervisor=None, **values):
    from app.performance.models import Skp

    row = dict(employee=employee, unit_id=employee.unit_id, position_id=employee.position_id, rater=rater,
               rater_supervisor=rater_supervisor, year=2026)
    row.update(values)
    return Skp(**row)


@pytest.fixture
def plan(db, org):
    """Budi's 2026 plan, rated by Siti for Triwulan I, objected to; Siti's own plan above it (committed)."""
    from app.performance import models as m
    from app.performance.rating import Predikat, Rating, predikat

    staff, kabid, kadis = org.employees["staff1"], org.employees["kabid"], org.employees["kadis"]
    staff_user_id, kabid_user_id = org.users["staff1"].id, org.users["kabid"].id
    for person in (staff, kabid, kadis):  # load them now: no lazy load (and autoflush) mid-construction
        person.full_name, person.position.name, person.unit.name
    cv = _core_values(db)

    annual = m.Period(year=2026, kind="ANNUAL", number=1, code="2026", starts_on=date(2026, 1, 1),
                      ends_on=date(2026, 12, 31))
    q1 = m.Period(year=2026, kind="QUARTERLY", number=1, code="2026-Q1", starts_on=date(2026, 1, 1),
                  ends_on=date(2026, 3, 31), opens_on=date(2026, 4, 1), closes_on=date(2026, 4, 30), is_open=True)
    org_rating = m.OrganisationRating(unit=org.units["p2p"], period=q1, rating="BAIK",
                                      achievement=Decimal("97.50"))
    db.session.add_all([annual, q1, org_rating])

    # Siti's plan: her RHK is the one Budi's first RHK supports (the cascade)
    boss = _skp_for(kabid, rater=kadis, status="DISETUJUI", approved_at=datetime(2026, 1, 20, 9))
    boss_rhk = m.Rhk(kind="UTAMA", sort_order=1, text="Menurunnya angka kesakitan penyakit menular")
    boss_rhk.indicators.append(m.Indicator(aspect="KUANTITAS", text="Angka kesakitan DBD",
                                           target_value=Decimal("20"), target_unit="per 100.000 penduduk"))
    boss_progress = m.Progress(description="Rekap kasus DBD Januari", achieved_on=date(2026, 1, 31),
                               value=Decimal("4"), period=q1)
    boss_progress.evidence.append(m.Evidence(kind="FILE", original_name="rekap.pdf", stored_name="a" * 32,
                                             content_type="application/pdf", size_bytes=1024, sha256="0" * 64))
    boss_rhk.progress.append(boss_progress)
    boss.rhks.append(boss_rhk)
    db.session.add(boss)

    skp = _skp_for(staff, rater=kabid, rater_supervisor=kadis, status="DISETUJUI",
                   submitted_at=datetime(2026, 1, 10, 8), approved_at=datetime(2026, 1, 15, 10))
    # added out of order: the relationship orders UTAMA before TAMBAHAN, then by sort_order
    extra = m.Rhk(kind="TAMBAHAN", sort_order=1, text="Menjadi narasumber sosialisasi SKP")
    extra.indicators.append(m.Indicator(aspect="KUALITAS", text="Materi diterima peserta",
                                        target_text="Materi disetujui atasan"))
    second = m.Rhk(kind="UTAMA", sort_order=2, text="Tersusunnya laporan surveilans bulanan")
    second.indicators.append(m.Indicator(aspect="WAKTU", text="Laporan tepat waktu", sort_order=2,
                                         target_value=Decimal("12"), target_unit="bulan"))
    second.indicators.append(m.Indicator(aspect="KUANTITAS", text="Jumlah laporan", sort_order=1,
                                         target_value=Decimal("12"), target_unit="dokumen"))
    first = m.Rhk(kind="UTAMA", sort_order=1, text="Tersedianya data kasus penyakit menular yang mutakhir",
                  parent=boss_rhk)
    indicator = m.Indicator(aspect="KUANTITAS", text="Persentase data terverifikasi",
                            target_value=Decimal("100"), target_unit="%")
    first.indicators.append(indicator)
    skp.rhks.extend([extra, second, first])
    skp.expectations.append(m.BehaviourExpectation(core_value=cv["BERORIENTASI_PELAYANAN"],
                                                   text="Melayani permintaan data puskesmas paling lambat 2 hari"))
    skp.expectations.append(m.BehaviourExpectation(core_value=cv["KOLABORATIF"],
                                                   text="Aktif dalam tim surveilans lintas bidang"))
    progress = m.Progress(indicator=indicator, period=q1, value=Decimal("85.5"),
                          description="Verifikasi data Januari-Maret", achieved_on=date(2026, 3, 28),
                          created_by_id=staff_user_id)
    progress.evidence.append(m.Evidence(kind="FILE", original_name="verifikasi.xlsx", stored_name="b" * 32,
                                        content_type="application/vnd.openxmlformats-officedocument"
                                                     ".spreadsheetml.sheet", size_bytes=20480, sha256="1" * 64))
    progress.evidence.append(m.Evidence(kind="LINK", url="https://drive.palembang.go.id/surveilans/q1"))
    first.progress.append(progress)
    skp.feedback.append(m.Feedback(rhk=first, author=kabid, author_name=kabid.full_name,
                                   text="Lengkapi data dari puskesmas Sukarami"))
    skp.feedback.append(m.Feedback(core_value=cv["BERORIENTASI_PELAYANAN"], author=kabid,
                                   author_name=kabid.full_name, text="Respons permintaan data sudah cepat"))
    skp.coaching_notes.append(m.CoachingNote(kind="COACHING", noted_on=date(2026, 2, 12), author=kabid,
                                             text="Pendampingan analisis tren kasus"))
    hasil, perilaku = Rating.SESUAI, Rating.DI_ATAS
    evaluation = m.Evaluation(skp=skp, period=q1, status="FINAL", self_assessment="Target triwulan tercapai",
                              hasil_rating=hasil, perilaku_rating=perilaku, predikat=predikat(hasil, perilaku),
                              notes="Pertahankan", recommendation="Pelatihan analisis data",
                              rated_at=datetime(2026, 4, 10, 9), finalised_at=datetime(2026, 4, 12, 9),
                              employee_name=staff.full_name, employee_nip=staff.nip,
                              employee_rank="III/a Penata Muda", employee_position=staff.position.name,
                              employee_unit=staff.unit.name, rater_name=kabid.full_name, rater_nip=kabid.nip,
                              rater_rank="III/a Penata Muda", rater_position=kabid.position.name,
                              rater_unit=kabid.unit.name, rater_supervisor_name=kadis.full_name,
                              rater_supervisor_nip=kadis.nip, organisation_rating="BAIK",
                              organisation_achievement=Decimal("97.50"))
    objection = m.Objection(evaluation=evaluation, reasons="Realisasi Maret belum diperhitungkan",
                            filed_at=datetime(2026, 4, 20, 8))
    db.session.add_all([skp, evaluation, objection])
    db.session.flush()
    db.session.add_all([
        m.TransitionLog(entity="SKP", entity_id=skp.id, from_state="DIAJUKAN", to_state="DISETUJUI",
                        actor_user_id=kabid_user_id, actor_name=kabid.full_name, actor_kind="RATER",
                        at=datetime(2026, 1, 15, 10)),
        m.TransitionLog(entity="OBJECTION", entity_id=objection.id, from_state=None, to_state="DIAJUKAN",
                        actor_user_id=staff_user_id, actor_name=staff.full_name, actor_kind="OWNER",
                        comment="Keberatan diajukan"),
        m.Notification(user_id=kabid_user_id, kind="OBJECTION_FILED", title="Keberatan baru",
                       body="Budi Santoso mengajukan keberatan", link=f"/keberatan/{objection.id}"),
    ])
    db.session.commit()
    assert evaluation.predikat == Predikat.BAIK
    return SimpleNamespace(skp_id=skp.id, boss_skp_id=boss.id, boss_rhk_id=boss_rhk.id, first_rhk_id=first.id,
                           evaluation_id=evaluation.id, objection_id=objection.id, q1_id=q1.id,
                           annual_id=annual.id, indicator_id=indicator.id)


def _count(db, table):
    return db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


# --- the full plan -----------------------------------------------------------------------------------

def test_full_plan_reads_back_through_relationships(db, org, plan):
    from app.performance.models import Notification, Skp, TransitionLog

    nips = {key: org.employees[key].nip for key in ("staff1", "kabid", "kadis")}
    kabid_user_id, staff_username = org.users["kabid"].id, org.username("staff1")
    db.session.expunge_all()
    skp = db.session.get(Skp, plan.skp_id)
    assert skp.employee.nip == nips["staff1"]
    assert skp.rater.nip == nips["kabid"]
    assert skp.rater_supervisor.nip == nips["kadis"]
    assert skp.unit.code == "DINKES-P2P" and skp.position.name == "Pengelola Data P2P"
    assert (skp.status, skp.approach, skp.revision, skp.is_current, skp.version) == \
        ("DISETUJUI", "KUANTITATIF", 1, True, 1)

    # the plan screen: RHKs, their indicators and the supervisor's RHK each supports, in a fixed number of
    # queries whatever the number of RHKs (rhk, indicator, parent rhk, the parent's indicators)
    with count_queries(db) as queries:
        rhks = list(skp.rhks)
        texts = [(r.kind, r.sort_order) for r in rhks]
        indicators = [[i.text for i in r.indicators] for r in rhks]
        parents = [r.parent.text if r.parent else None for r in rhks]
    assert len(queries) <= 4, queries
    assert texts == [("UTAMA", 1), ("UTAMA", 2), ("TAMBAHAN", 1)]
    assert indicators[1] == ["Jumlah laporan", "Laporan tepat waktu"]
    assert parents == ["Menurunnya angka kesakitan penyakit menular", None, None]
    assert rhks[0].parent.children == [rhks[0]]
    assert rhks[0].parent.skp.employee.nip == nips["kabid"]
    assert rhks[2].indicators[0].target_value is None and rhks[2].indicators[0].target_display == \
        "Materi disetujui atasan"
    assert rhks[0].indicators[0].target_display == "100 %"

    progress = rhks[0].progress
    assert len(progress) == 1 and progress[0].value == Decimal("85.50")
    assert progress[0].indicator.text == "Persentase data terverifikasi" and progress[0].period.code == "2026-Q1"
    assert progress[0].created_by.username == staff_username
    assert sorted(e.kind for e in progress[0].evidence) == ["FILE", "LINK"]

    assert {e.core_value.code for e in skp.expectations} == {"BERORIENTASI_PELAYANAN", "KOLABORATIF"}
    assert [(f.rhk_id is not None, f.core_value_id is not None) for f in skp.feedback] == [(True, False),
                                                                                          (False, True)]
    assert rhks[0].feedback[0].author.nip == nips["kabid"]
    assert [n.kind for n in skp.coaching_notes] == ["COACHING"]

    (evaluation,) = skp.evaluations
    assert evaluation.period.code == "2026-Q1"
    assert (evaluation.hasil_rating, evaluation.perilaku_rating, evaluation.predikat) == ("SESUAI", "DI_ATAS",
                                                                                          "BAIK")
    assert evaluation.employee_nip == nips["staff1"] and evaluation.rater_name == "Siti Aminah"
    assert evaluation.objection.status == "DIAJUKAN" and evaluation.objection.version == 1
    assert evaluation.objection.evaluation is evaluation

    timeline = db.session.scalars(sa.select(TransitionLog).where(TransitionLog.entity == "SKP",
                                                                 TransitionLog.entity_id == skp.id)).all()
    assert [(t.from_state, t.to_state, t.actor_kind) for t in timeline] == [("DIAJUKAN", "DISETUJUI", "RATER")]
    unread = db.session.scalars(sa.select(Notification).where(Notification.user_id == kabid_user_id,
                                                              Notification.read_at.is_(None))).all()
    assert [n.kind for n in unread] == ["OBJECTION_FILED"]


def test_server_defaults_fill_a_bare_insert(db, org):
    """Raw SQL with only the required columns: state, flags, counters and timestamps come from the
    database's own defaults (the same on SQLite and PostgreSQL)."""
    staff = org.employees["staff1"]
    db.session.execute(sa.text("INSERT INTO skp (employee_id, unit_id, year) VALUES (:e, :u, 2026)"),
                       {"e": staff.id, "u": staff.unit_id})
    row = db.session.execute(sa.text("SELECT status, approach, revision, is_current, version, created_on "
                                     "FROM skp WHERE employee_id = :e"), {"e": staff.id}).one()
    assert (row.status, row.approach, row.revision, bool(row.is_current), row.version) == \
        ("DRAFT", "KUANTITATIF", 1, True, 1)
    assert row.created_on is not None
    db.session.rollback()


# --- constraints ------------------------------------------------------------------------------------

def _refused(db, build):
    """``build(session)`` adds or changes rows; flushing them must fail. Runs in a savepoint that is rolled
    back, then the whole transaction is rolled back too: nothing of it stays."""
    try:
        with pytest.raises(IntegrityError) as refused:
            with db.session.begin_nested():
                build(db.session)
                db.session.flush()
    finally:
        db.session.rollback()
    return refused.value


def _indicator(plan, **values):
    from app.performance.models import Indicator

    row = dict(rhk_id=plan.first_rhk_id, aspect="KUANTITAS", text="Indikator uji", target_value=Decimal("1"),
               target_unit="dokumen")
    row.update(values)
    return Indicator(**row)


def _evaluation(plan, **values):
    from app.performance.models import Evaluation

    row = dict(skp_id=plan.skp_id, period_id=plan.annual_id, status="DIBUKA")
    row.update(values)
    return Evaluation(**row)


def _evidence(plan, **values):
    from app.performance.models import Evidence, Progress

    progress_id = Progress.__table__.c.id
    row = dict(kind="FILE", stored_name="c" * 32)
    row.update(values)
    return lambda s: s.add(Evidence(progress_id=s.scalar(sa.select(sa.func.min(progress_id))), **row))


def _period(**values):
    from app.performance.models import Period

    row = dict(year=2027, kind="QUARTERLY", number=2, code="2027-Q2", starts_on=date(2027, 4, 1),
               ends_on=date(2027, 6, 30))
    row.update(values)
    return Period(**row)


def _skp_row(org, **values):
    from app.performance.models import Skp

    staff = org.employees["staff1"]
    row = dict(employee_id=staff.id, unit_id=staff.unit_id, year=2027)
    row.update(values)
    return Skp(**row)


def _objection_update(plan, **values):
    from app.performance.models import Objection

    def build(s):
        objection = s.get(Objection, plan.objection_id)
        for key, value in values.items():
            setattr(objection, key, value)
    return build


def _objection(plan):
    from app.performance.models import Objection

    return Objection(evaluation_id=plan.evaluation_id, reasons="Keberatan kedua")


def _feedback(plan, **values):
    from app.performance.models import Feedback

    row = dict(skp_id=plan.skp_id, text="Umpan balik uji")
    row.update(values)
    return Feedback(**row)


BAD_ROWS = {
    # indicators: quantitative targets are positive; some target is required; known aspect and source
    "indicator negative target": lambda p, o: _indicator(p, target_value=Decimal("-5")),
    "indicator zero target": lambda p, o: _indicator(p, target_value=Decimal("0")),
    "indicator without any target": lambda p, o: _indicator(p, target_value=None, target_text=None),
    "indicator unknown aspect": lambda p, o: _indicator(p, aspect="MUTU"),
    "indicator unknown value source": lambda p, o: _indicator(p, value_source="SURVEI"),
    # SKP: known status and approach, year in range, one revision number and one current revision each
    "skp unknown status": lambda p, o: _skp_row(o, status="SELESAI"),
    "skp unknown approach": lambda p, o: _skp_row(o, approach="CAMPURAN"),
    "skp year out of range": lambda p, o: _skp_row(o, year=1999),
    "skp revision zero": lambda p, o: _skp_row(o, revision=0),
    "skp duplicate revision": lambda p, o: _skp_row(o, year=2026, revision=1, is_current=False),
    "skp second current revision": lambda p, o: _skp_row(o, year=2026, revision=2, is_current=True),
    "skp rated by its own employee": lambda p, o: _skp_row(o, rater_id=o.employees["staff1"].id),
    # evaluation: predikat only from two ratings and as the matrix says; one per plan and period
    "evaluation predikat without ratings": lambda p, o: _evaluation(p, predikat="BAIK"),
    "evaluation predikat with one rating": lambda p, o: _evaluation(p, hasil_rating="SESUAI", predikat="BAIK"),
    "evaluation predikat against the matrix": lambda p, o: _evaluation(
        p, hasil_rating="DI_BAWAH", perilaku_rating="DI_BAWAH", predikat="BAIK"),
    "evaluation rated without predikat": lambda p, o: _evaluation(
        p, status="DINILAI", hasil_rating="SESUAI", perilaku_rating="SESUAI"),
    "evaluation unknown status": lambda p, o: _evaluation(p, status="SELESAI"),
    "evaluation unknown rating": lambda p, o: _evaluation(p, hasil_rating="ISTIMEWA"),
    "evaluation duplicate per plan and period": lambda p, o: _evaluation(p, period_id=p.q1_id),
    # evidence: a file has its stored name, a link its URL
    "evidence FILE without stored_name": lambda p, o: _evidence(p, stored_name=None, url="https://x.invalid"),
    "evidence LINK without url": lambda p, o: _evidence(p, kind="LINK", stored_name=None),
    "evidence unknown kind": lambda p, o: _evidence(p, kind="FAX"),
    "evidence negative size": lambda p, o: _evidence(p, size_bytes=-1),
    "evidence duplicate stored name": lambda p, o: _evidence(p, stored_name="b" * 32),
    # feedback is about an RHK or a core value
    "feedback with neither rhk nor core value": lambda p, o: _feedback(p),
    # periods
    "period quarter 5": lambda p, o: _period(number=5),
    "period annual number 2": lambda p, o: _period(kind="ANNUAL", number=2, code="2027-X"),
    "period ends before it starts": lambda p, o: _period(ends_on=date(2027, 3, 31)),
    "period closes before it opens": lambda p, o: _period(opens_on=date(2027, 7, 10), closes_on=date(2027, 7, 1)),
    "period duplicate year/kind/number": lambda p, o: _period(year=2026, number=1, code="2026-Q1b"),
    "period duplicate code": lambda p, o: _period(code="2026-Q1"),
    # objection: one per evaluation; decision only when decided; a changed result follows the matrix
    "objection second for the same evaluation": lambda p, o: _objection(p),
    "objection decision before it is decided": lambda p, o: _objection_update(p, decision="TETAP"),
    "objection decided without decision": lambda p, o: _objection_update(p, status="DIPUTUS"),
    "objection changed without new result": lambda p, o: _objection_update(p, status="DIPUTUS",
                                                                          decision="DIUBAH"),
    "objection kept with new result": lambda p, o: _objection_update(
        p, status="DIPUTUS", decision="TETAP", new_hasil_rating="DI_ATAS", new_perilaku_rating="DI_ATAS",
        new_predikat="SANGAT_BAIK"),
    "objection new predikat against the matrix": lambda p, o: _objection_update(
        p, status="DIPUTUS", decision="DIUBAH", new_hasil_rating="DI_ATAS", new_perilaku_rating="DI_ATAS",
        new_predikat="BAIK"),
}


# The constraint each case must trip, as PostgreSQL and SQLite name it in the error: a check constraint by
# its name on both; a unique constraint or index by its name (PostgreSQL) or its columns (SQLite).
TRIPS = {
    "indicator negative target": "ck_indicator_target_positive",
    "indicator zero target": "ck_indicator_target_positive",
    "indicator without any target": "ck_indicator_target_present",
    "indicator unknown aspect": "ck_indicator_aspect",
    "indicator unknown value source": "ck_indicator_value_source",
    "skp unknown status": "ck_skp_status",
    "skp unknown approach": "ck_skp_approach",
    "skp year out of range": "ck_skp_year",
    "skp revision zero": "ck_skp_revision",
    "skp duplicate revision": ("uq_skp_employee_year_revision", "skp.employee_id, skp.year, skp.revision"),
    "skp second current revision": ("uq_skp_current", "skp.employee_id, skp.year"),
    "skp rated by its own employee": "ck_skp_not_own_rater",
    "evaluation predikat without ratings": "ck_evaluation_predikat_",
    "evaluation predikat with one rating": "ck_evaluation_predikat_",
    "evaluation predikat against the matrix": "ck_evaluation_predikat_matrix",
    "evaluation rated without predikat": "ck_evaluation_rated_has_predikat",
    "evaluation unknown status": "ck_evaluation_status",
    "evaluation unknown rating": "ck_evaluation_hasil_rating",
    "evaluation duplicate per plan and period": ("uq_evaluation_skp_period", "evaluation.skp_id, evaluation.period_id"),
    "evidence FILE without stored_name": "ck_evidence_target",
    "evidence LINK without url": "ck_evidence_target",
    "evidence unknown kind": "ck_evidence_",
    "evidence negative size": "ck_evidence_size",
    "evidence duplicate stored name": ("uq_evidence_stored_name", "evidence.stored_name"),
    "feedback with neither rhk nor core value": "ck_feedback_subject",
    "period quarter 5": "ck_period_number",
    "period annual number 2": "ck_period_number",
    "period ends before it starts": "ck_period_dates",
    "period closes before it opens": "ck_period_open_dates",
    "period duplicate year/kind/number": ("uq_period_year_kind_number", "period.year, period.kind, period.number"),
    "period duplicate code": ("uq_period_code", "period.code"),
    "objection second for the same evaluation": ("uq_objection_evaluation", "objection.evaluation_id"),
    "objection decision before it is decided": "ck_objection_decided",
    "objection decided without decision": "ck_objection_decided",
    "objection changed without new result": "ck_objection_changed_has_result",
    "objection kept with new result": "ck_objection_new_result_only_if_changed",
    "objection new predikat against the matrix": "ck_objection_new_predikat_matrix",
}


def test_every_case_names_its_constraint():
    assert set(TRIPS) == set(BAD_ROWS)


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_database_refuses(db, org, plan, case):
    made = BAD_ROWS[case](plan, org)  # a row to add, or a function that adds or changes rows
    error = _refused(db, made if callable(made) else lambda s: s.add(made))
    expected = TRIPS[case] if isinstance(TRIPS[case], tuple) else (TRIPS[case],)
    assert any(fragment in str(error.orig) for fragment in expected), str(error.orig)


def test_good_variants_of_the_refused_rows_are_accepted(db, org, plan):
    """The refusals above are about the bad value, not the rest of the row: the same rows with good values
    pass (then everything is rolled back)."""
    from app.performance.models import Objection

    with db.session.begin_nested():
        db.session.add_all([
            _indicator(plan, target_value=Decimal("0.01")),
            _indicator(plan, target_value=None, target_text="Laporan diterima"),
            _skp_row(org), _skp_row(org, year=2026, revision=2, is_current=False),
            _evaluation(plan, status="DINILAI", hasil_rating="DI_BAWAH", perilaku_rating="SESUAI",
                        predikat="BUTUH_PERBAIKAN"),
            _feedback(plan, rhk_id=plan.first_rhk_id), _period(), _period(kind="ANNUAL", number=1, code="2028",
                                                                         year=2028, starts_on=date(2028, 1, 1),
                                                                         ends_on=date(2028, 12, 31)),
        ])
        _evidence(plan, kind="LINK", stored_name=None, url="https://x.invalid")(db.session)
        _evidence(plan, size_bytes=0)(db.session)
        db.session.flush()
        objection = db.session.get(Objection, plan.objection_id)
        objection.status, objection.explanation = "DIJELASKAN", "Realisasi Maret sudah dihitung"
        db.session.flush()
        objection.status, objection.decision = "DIPUTUS", "DIUBAH"
        objection.new_hasil_rating, objection.new_perilaku_rating, objection.new_predikat = \
            "DI_ATAS", "DI_ATAS", "SANGAT_BAIK"
        db.session.flush()
        assert objection.version == 3
    db.session.rollback()


# --- optimistic version check -----------------------------------------------------------------------

def test_two_sessions_saving_the_same_skp_conflict(db, plan):
    from app.performance.models import Skp

    first, second = Session(db.engine), Session(db.engine)
    try:
        mine, theirs = first.get(Skp, plan.skp_id), second.get(Skp, plan.skp_id)
        assert mine.version == theirs.version == 1
        mine.return_notes = "Perbaiki indikator RHK 2"
        first.commit()
        assert mine.version == 2

        theirs.return_notes = "Tambahkan RHK tambahan"
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
        # nothing was lost: the first save stands; after reloading, the second person can save again
        theirs = second.get(Skp, plan.skp_id, populate_existing=True)
        assert (theirs.return_notes, theirs.version) == ("Perbaiki indikator RHK 2", 2)
        theirs.return_notes = "Tambahkan RHK tambahan"
        second.commit()
        assert theirs.version == 3
    finally:
        first.close()
        second.close()


def test_evaluation_and_objection_are_versioned_too(db, plan):
    from app.performance.models import Evaluation, Objection

    first, second = Session(db.engine), Session(db.engine)
    try:
        for model, pk, column, values in ((Evaluation, plan.evaluation_id, "notes", ("A", "B")),
                                          (Objection, plan.objection_id, "explanation", ("A", "B"))):
            a, b = first.get(model, pk), second.get(model, pk)
            setattr(a, column, values[0])
            first.commit()
            setattr(b, column, values[1])
            with pytest.raises(StaleDataError):
                second.commit()
            second.rollback()
    finally:
        first.close()
        second.close()


# --- deletion -----------------------------------------------------------------------------------------

def test_deleting_a_plan_without_evaluations_removes_its_parts(db, plan):
    """Siti's plan has no evaluation: deleting it removes its RHK, indicator, progress and evidence; Budi's
    RHK that supported hers stays, with no parent (SET NULL)."""
    from app.performance.models import Rhk, Skp

    before = {t: _count(db, t) for t in ("skp", "rhk", "indicator", "progress", "evidence")}
    db.session.delete(db.session.get(Skp, plan.boss_skp_id))
    db.session.commit()
    after = {t: _count(db, t) for t in before}
    assert {t: before[t] - after[t] for t in before} == {"skp": 1, "rhk": 1, "indicator": 1, "progress": 1,
                                                         "evidence": 1}
    assert db.session.get(Rhk, plan.boss_rhk_id) is None
    db.session.expire_all()
    assert db.session.get(Rhk, plan.first_rhk_id).parent_rhk_id is None


def test_removing_an_rhk_from_a_loaded_plan_removes_its_indicators_progress_and_feedback(db, plan):
    """The ORM agrees with the schema when the children are loaded: dropping an RHK from the plan deletes
    it with its indicators, progress, evidence and feedback (no NULL foreign key left behind)."""
    from app.performance.models import Rhk, Skp

    skp = db.session.get(Skp, plan.skp_id)
    first = db.session.get(Rhk, plan.first_rhk_id)
    assert first.feedback and first.progress and first.indicators  # all loaded in the session
    skp.rhks.remove(first)
    db.session.commit()
    assert [r.sort_order for r in skp.rhks] == [2, 1]
    assert _count(db, "feedback") == 1 and _count(db, "progress") == 1 and _count(db, "evidence") == 1
    assert db.session.execute(sa.text("SELECT count(*) FROM indicator WHERE rhk_id = :id"),
                              {"id": plan.first_rhk_id}).scalar_one() == 0


def test_database_cascades_without_the_orm(db, plan):
    """The same with plain SQL: ON DELETE CASCADE lives in the schema, not only in the ORM."""
    db.session.execute(sa.text("DELETE FROM evidence WHERE 1 = 0"))  # open the transaction
    db.session.execute(sa.text("DELETE FROM skp WHERE id = :id"), {"id": plan.boss_skp_id})
    rows = db.session.execute(sa.text("SELECT count(*) FROM rhk WHERE skp_id = :id"),
                              {"id": plan.boss_skp_id}).scalar_one()
    assert rows == 0
    assert db.session.execute(sa.text("SELECT count(*) FROM evidence WHERE stored_name = :n"),
                              {"n": "a" * 32}).scalar_one() == 0
    db.session.rollback()


def test_a_plan_with_an_evaluation_cannot_be_deleted(db, plan):
    from app.performance.models import Skp

    _refused(db, lambda s: s.delete(s.get(Skp, plan.skp_id)))
    assert _count(db, "rhk") == 4 and _count(db, "evaluation") == 1
    # nor can a period that has evaluations or progress
    _refused(db, lambda s: s.execute(sa.text("DELETE FROM period WHERE id = :id"), {"id": plan.q1_id}))


def test_deleting_a_user_removes_their_notifications_and_keeps_the_log(db, org, plan):
    user_id = org.users["kabid"].id
    db.session.execute(sa.text("UPDATE employee SET user_id = NULL WHERE user_id = :u"), {"u": user_id})
    db.session.execute(sa.text("DELETE FROM ab_user_role WHERE user_id = :u"), {"u": user_id})
    db.session.execute(sa.text("UPDATE audit_log SET user_id = NULL WHERE user_id = :u"), {"u": user_id})
    db.session.execute(sa.text("DELETE FROM ab_user WHERE id = :u"), {"u": user_id})
    assert db.session.execute(sa.text("SELECT count(*) FROM notification WHERE user_id = :u"),
                              {"u": user_id}).scalar_one() == 0
    log = db.session.execute(sa.text("SELECT actor_user_id, actor_name FROM transition_log WHERE entity = 'SKP'")
                             ).one()
    assert log == (None, "Siti Aminah")
    db.session.rollback()


# --- BerAKHLAK reference data -------------------------------------------------------------------------

def _assert_core_values(conn):
    rows = conn.execute(sa.text(
        "SELECT v.code, v.name, v.sort_order, g.sort_order, g.text FROM core_value v "
        "JOIN core_value_guide g ON g.core_value_id = v.id ORDER BY v.sort_order, g.sort_order")).all()
    assert len(rows) == 21
    assert [r[0] for r in rows[::3]] == CORE_VALUE_CODES
    assert [r[2] for r in rows[::3]] == list(range(1, 8))
    assert all([r[3] for r in rows[i:i + 3]] == [1, 2, 3] for i in range(0, 21, 3))
    assert rows[0][1:] == ("Berorientasi Pelayanan", 1, 1, "Memahami dan memenuhi kebutuhan masyarakat")
    assert rows[-1][4] == "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama"
    assert all(r[4] and r[4] == r[4].strip() for r in rows)


def test_core_values_loaded_by_migration_on_a_fresh_database(tmp_path_factory):
    """On a database of its own, migrated from empty: 7 values × 3 guides; downgrading 0004 removes
    exactly them, upgrading loads them again."""
    from test_migrations import MigratedDb, fresh_database

    with fresh_database(tmp_path_factory) as url:
        mdb = MigratedDb(url)
        try:
            mdb.upgrade()
            with mdb.engine.connect() as conn:
                _assert_core_values(conn)
            mdb.downgrade("0003")
            with mdb.engine.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM core_value")).scalar_one() == 0
                assert conn.execute(sa.text("SELECT count(*) FROM core_value_guide")).scalar_one() == 0
            mdb.upgrade()
            with mdb.engine.connect() as conn:
                _assert_core_values(conn)
        finally:
            mdb.close()


def test_core_values_survive_test_cleanup_and_load_with_their_guides(db):
    """In the session database (kept by conftest's cleanup as reference data); the ORM loads each value's
    guides in order with one extra query for all of them."""
    from app.performance.models import CoreValue

    _assert_core_values(db.session.connection())
    db.session.expunge_all()
    with count_queries(db) as queries:
        values = db.session.scalars(sa.select(CoreValue).order_by(CoreValue.sort_order)).all()
        guides = {v.code: [g.text for g in v.guides] for v in values}
    assert len(queries) == 2
    assert list(guides) == CORE_VALUE_CODES and all(len(g) == 3 for g in guides.values())
    assert guides["AKUNTABEL"][2] == "Tidak menyalahgunakan kewenangan jabatan"
