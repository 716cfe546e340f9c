"""The performance-cycle services on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), on the
`org` city: Budi (staff1) and Dewi (staff2) report to Siti (kabid), who reports to Ahmad (kadis, head of
Dinas Kesehatan); Rudi (kapus) rates Rina (perawat); Fitri (analis) is Pengelola Kinerja.

Covers every SKP transition allowed and refused per person, the cascade check, bad input (targets, dates,
links, files), evaluations with snapshots and the nine cells of the predikat matrix through the service,
the objection window (day 14 accepted, day 15 refused), the decision, nothing after final, the version
conflict, notifications (in-app and e-mail) and idempotent reminders.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.core.errors import ConflictError, DomainValidationError
from app.performance import notify
from app.performance import services as S
from app.performance.models import Evaluation, Notification, Objection, OrganisationRating, Period, Rhk, Skp
from app.performance.rating import PREDIKAT_MATRIX
from app.performance.workflow import TransitionError

YEAR = 2026


def ctx(org, key) -> S.ActorContext:
    user = org.users[key]
    employee = org.employees.get(key)
    names = {r.name for r in user.roles}
    if employee is not None:
        names.add("Pegawai")
    return S.ActorContext(user.id, f"{user.first_name} {user.last_name}", employee.id if employee else None, names)


def plan_data(parent_id=None, target="12", approach="KUANTITATIF"):
    return {"approach": approach, "rhks": [
        {"kind": "UTAMA", "text": "Tersedianya data kasus penyakit menular", "parent_rhk_id": parent_id,
         "indicators": [{"aspect": "KUANTITAS", "text": "Jumlah laporan", "target_value": target,
                         "target_unit": "dokumen"}]}]}


def approved_plan(db, org, key, rater_key, parent_id=None):
    skp = S.start_plan(db.session, ctx(org, key), org.employees[key], YEAR)
    S.save_plan(db.session, ctx(org, key), skp, plan_data(parent_id), skp.version)
    S.submit_plan(db.session, ctx(org, key), skp, skp.version)
    S.approve_plan(db.session, ctx(org, rater_key), skp, skp.version)
    return skp


@pytest.fixture
def periods(db):
    annual = Period(year=YEAR, kind="ANNUAL", number=1, code=str(YEAR), starts_on=date(YEAR, 1, 1),
                    ends_on=date(YEAR, 12, 31))
    q1 = Period(year=YEAR, kind="QUARTERLY", number=1, code=f"{YEAR}-Q1", starts_on=date(YEAR, 1, 1),
                ends_on=date(YEAR, 3, 31), opens_on=date(YEAR, 4, 1), closes_on=date(YEAR, 4, 30), is_open=True)
    db.session.add_all([annual, q1])
    db.session.commit()
    return {"annual": annual, "q1": q1}


@pytest.fixture
def boss_plan(db, org):
    """Siti's (kabid) approved plan, approved by Ahmad (kadis): the RHKs her staff may support."""
    return approved_plan(db, org, "kabid", "kadis")


def refused(code, func, *args, **kwargs):
    with pytest.raises(TransitionError) as info:
        func(*args, **kwargs)
    assert info.value.code == code, (info.value.code, str(info.value.message))
    return info.value


def invalid(field, func, *args, **kwargs):
    with pytest.raises(DomainValidationError) as info:
        func(*args, **kwargs)
    assert field in info.value.errors, info.value.errors
    return info.value


def notes_for(db, org, key, kind):
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == org.users[key].id,
                                                            Notification.kind == kind)).all()


# --- plans -----------------------------------------------------------------------------------------------

def test_skp_transitions_per_role(db, org, boss_plan):
    s = db.session
    staff = org.employees["staff1"]
    refused("WRONG_ACTOR", S.start_plan, s, ctx(org, "kabid"), staff, YEAR)  # only the employee starts it
    refused("WRONG_ACTOR", S.start_plan, s, ctx(org, "admin"), staff, YEAR)
    skp = S.start_plan(s, ctx(org, "staff1"), staff, YEAR)
    assert (skp.status, skp.revision, skp.is_current) == ("DRAFT", 1, True)
    assert (skp.rater_id, skp.rater_supervisor_id) == (org.employees["kabid"].id, org.employees["kadis"].id)
    assert (skp.unit_id, skp.position_id) == (staff.unit_id, staff.position_id)
    invalid("year", S.start_plan, s, ctx(org, "staff1"), staff, YEAR)  # one plan per year
    invalid("rhks", S.submit_plan, s, ctx(org, "staff1"), skp, skp.version)  # empty plan
    S.save_plan(s, ctx(org, "staff1"), skp, plan_data(boss_plan.rhks[0].id), skp.version)

    for key in ("kabid", "kadis", "analis", "admin", "staff2"):  # only the owner submits
        refused("WRONG_ACTOR", S.submit_plan, s, ctx(org, key), skp)
    S.submit_plan(s, ctx(org, "staff1"), skp, skp.version)
    assert skp.status == "DIAJUKAN" and skp.submitted_at is not None
    assert len(notes_for(db, org, "kabid", S.PLAN_SUBMITTED)) == 1
    # the rater may write the expectations while the plan is submitted, not the RHKs; the owner nothing
    refused("NOT_ALLOWED", S.save_plan, s, ctx(org, "staff1"), skp, plan_data(), skp.version)
    invalid("rhks", S.save_plan, s, ctx(org, "kabid"), skp, plan_data(), skp.version)
    core_value_id = s.scalar(sa.text("SELECT id FROM core_value ORDER BY sort_order LIMIT 1"))
    S.save_plan(s, ctx(org, "kabid"), skp, {"expectations": [{"core_value_id": core_value_id,
                                                              "text": "Melayani data dalam 2 hari"}]}, skp.version)
    assert [e.text for e in skp.expectations] == ["Melayani data dalam 2 hari"]

    for key in ("staff1", "kadis", "analis", "admin", "staff2"):  # only the rater approves or returns
        refused("WRONG_ACTOR", S.approve_plan, s, ctx(org, key), skp)
        refused("WRONG_ACTOR", S.return_plan, s, ctx(org, key), skp, "x")
    refused("COMMENT_REQUIRED", S.return_plan, s, ctx(org, "kabid"), skp, "  ")
    S.return_plan(s, ctx(org, "kabid"), skp, "Tambahkan indikator kualitas", skp.version)
    assert (skp.status, skp.return_notes) == ("DIKEMBALIKAN", "Tambahkan indikator kualitas")
    assert len(notes_for(db, org, "staff1", S.PLAN_RETURNED)) == 1
    refused("NOT_ALLOWED", S.approve_plan, s, ctx(org, "kabid"), skp)  # no skipping: returned → approved
    refused("NOT_ALLOWED", S.submit_plan, s, ctx(org, "staff1"), skp)  # reopen first
    refused("WRONG_ACTOR", S.reopen_plan, s, ctx(org, "kabid"), skp)
    S.reopen_plan(s, ctx(org, "staff1"), skp, skp.version)
    assert skp.status == "DRAFT"
    S.submit_plan(s, ctx(org, "staff1"), skp, skp.version)
    refused("WRONG_ACTOR", S.withdraw_plan, s, ctx(org, "kabid"), skp)
    S.withdraw_plan(s, ctx(org, "staff1"), skp, skp.version)
    S.submit_plan(s, ctx(org, "staff1"), skp, skp.version)
    S.approve_plan(s, ctx(org, "kabid"), skp, skp.version)
    assert skp.status == "DISETUJUI" and skp.approved_at is not None
    assert len(notes_for(db, org, "staff1", S.PLAN_APPROVED)) == 1

    # approved: frozen; any change is a new revision, started by the owner
    refused("FINAL", S.save_plan, s, ctx(org, "staff1"), skp, plan_data(), skp.version)
    refused("FINAL", S.withdraw_plan, s, ctx(org, "staff1"), skp)
    refused("FINAL", S.return_plan, s, ctx(org, "kabid"), skp, "x")
    refused("WRONG_ACTOR", S.revise_plan, s, ctx(org, "kabid"), skp)
    revision = S.revise_plan(s, ctx(org, "staff1"), skp, skp.version)
    assert (revision.revision, revision.status, revision.is_current, revision.previous_id) == (2, "DRAFT", False,
                                                                                              skp.id)
    assert [r.text for r in revision.rhks] == [r.text for r in skp.rhks]
    assert revision.rhks[0].parent_rhk_id == boss_plan.rhks[0].id
    assert [i.target_value for i in revision.rhks[0].indicators] == [Decimal("12.00")]
    assert len(revision.expectations) == 1
    refused("NOT_ALLOWED", S.revise_plan, s, ctx(org, "staff1"), skp)  # one open revision at a time
    assert S.current_plan(s, staff.id, YEAR).id == skp.id  # the approved plan stays in force meanwhile
    S.save_plan(s, ctx(org, "staff1"), revision, plan_data(boss_plan.rhks[0].id, target="24"), revision.version)
    S.submit_plan(s, ctx(org, "staff1"), revision, revision.version)
    S.approve_plan(s, ctx(org, "kabid"), revision, revision.version)
    s.expire_all()
    assert S.current_plan(s, staff.id, YEAR).id == revision.id
    assert s.get(Skp, skp.id).is_current is False

    steps = [(t.from_state, t.to_state, t.actor_kind) for t in S.timeline(s, "SKP", skp.id)]
    assert steps[0] == (None, "DRAFT", "OWNER")
    assert ("DIAJUKAN", "DIKEMBALIKAN", "RATER") in steps and steps[-1] == ("DIAJUKAN", "DISETUJUI", "RATER")
    returned = next(t for t in S.timeline(s, "SKP", skp.id) if t.to_state == "DIKEMBALIKAN")
    assert returned.comment == "Tambahkan indikator kualitas" and returned.actor_user_id == org.users["kabid"].id


def test_cascade_supported_rhk_must_be_in_the_raters_current_plan(db, org, boss_plan):
    s = db.session
    other = approved_plan(db, org, "kapus", "kadis")  # Rudi's plan: not Budi's rater
    skp = S.start_plan(s, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    error = invalid("rhks-0-parent_rhk_id", S.save_plan, s, ctx(org, "staff1"), skp,
                    plan_data(other.rhks[0].id), skp.version)
    assert str(error.errors["rhks-0-parent_rhk_id"])  # a message naming the rater's plan
    invalid("rhks-0-parent_rhk_id", S.save_plan, s, ctx(org, "staff1"), skp, plan_data(999999), skp.version)
    S.save_plan(s, ctx(org, "staff1"), skp, plan_data(boss_plan.rhks[0].id), skp.version)
    assert skp.rhks[0].parent_rhk_id == boss_plan.rhks[0].id


def test_plan_input_is_checked(db, org):
    s = db.session
    skp = S.start_plan(s, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    for target in ("0", "-5", 0):
        invalid("rhks-0-indicators-0-target_value", S.save_plan, s, ctx(org, "staff1"), skp, plan_data(target=target),
                skp.version)
    invalid("rhks-0-indicators-0-target_value", S.save_plan, s, ctx(org, "staff1"), skp, plan_data(target="banyak"),
            skp.version)
    invalid("rhks-0-indicators-0-target_value", S.save_plan, s, ctx(org, "staff1"), skp, plan_data(target=None),
            skp.version)  # quantitative: a number is needed
    data = plan_data()
    data["rhks"][0]["text"] = "x" * 1001
    data["rhks"][0]["indicators"][0]["aspect"] = "RASA"
    data["rhks"].append({"kind": "LAIN", "text": "", "indicators": "x"})
    error = invalid("rhks-0-text", S.save_plan, s, ctx(org, "staff1"), skp, data, skp.version)
    assert {"rhks-0-indicators-0-aspect", "rhks-1-kind", "rhks-1-text", "rhks-1-indicators"} <= set(error.errors)
    invalid("expectations-0-core_value_id", S.save_plan, s, ctx(org, "staff1"), skp,
            {"expectations": [{"core_value_id": 999999, "text": "x"}]}, skp.version)
    s.expire_all()
    assert s.scalar(sa.select(sa.func.count()).select_from(Rhk)) == 0  # nothing half saved
    # qualitative plans may describe the target instead
    data = plan_data(target=None, approach="KUALITATIF")
    data["rhks"][0]["indicators"][0]["target_text"] = "Laporan diterima pimpinan"
    S.save_plan(s, ctx(org, "staff1"), skp, data, skp.version)
    assert skp.rhks[0].indicators[0].target_display == "Laporan diterima pimpinan"
    # update in place keeps the ids
    rhk_id, ind_id = skp.rhks[0].id, skp.rhks[0].indicators[0].id
    data["rhks"][0].update(id=rhk_id, text="Diubah")
    data["rhks"][0]["indicators"][0]["id"] = ind_id
    S.save_plan(s, ctx(org, "staff1"), skp, data, skp.version)
    assert (skp.rhks[0].id, skp.rhks[0].text, skp.rhks[0].indicators[0].id) == (rhk_id, "Diubah", ind_id)


def test_version_conflict_second_save_with_the_same_version_is_refused(db, org):
    s = db.session
    skp = S.start_plan(s, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    seen = skp.version
    S.save_plan(s, ctx(org, "staff1"), skp, plan_data(target="10"), seen)
    with pytest.raises(ConflictError) as info:
        S.save_plan(s, ctx(org, "staff1"), skp, plan_data(target="99"), seen)
    assert str(info.value.message) == str(ConflictError().message)  # "Someone else saved this record first…"
    s.expire_all()
    assert [i.target_value for i in s.get(Skp, skp.id).rhks[0].indicators] == [Decimal("10.00")]  # first kept

    # a concurrent writer between our read and our write: StaleDataError becomes ConflictError
    skp = s.get(Skp, skp.id)
    skp.rhks  # loaded in our session
    with Session(db.engine) as other:
        row = other.get(Skp, skp.id)
        row.return_notes = "another writer"
        other.commit()
    with pytest.raises(ConflictError):
        S.save_plan(s, ctx(org, "staff1"), skp, plan_data(target="11"), None)
    s.expire_all()
    assert s.get(Skp, skp.id).return_notes == "another writer"


# --- progress, evidence, feedback ---------------------------------------------------------------------------

def test_progress_evidence_and_scope(db, org, boss_plan, periods, tmp_path):
    s = db.session
    skp = S.start_plan(s, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    S.save_plan(s, ctx(org, "staff1"), skp, plan_data(boss_plan.rhks[0].id), skp.version)
    rhk = skp.rhks[0]
    indicator = rhk.indicators[0]
    refused("NOT_ALLOWED", S.add_progress, s, ctx(org, "staff1"), rhk, indicator, 1, "x", date(YEAR, 2, 1))
    S.submit_plan(s, ctx(org, "staff1"), skp, skp.version)
    S.approve_plan(s, ctx(org, "kabid"), skp, skp.version)
    me = ctx(org, "staff1")
    refused("WRONG_ACTOR", S.add_progress, s, ctx(org, "kabid"), rhk, indicator, 1, "x", date(YEAR, 2, 1))
    invalid("achieved_on", S.add_progress, s, me, rhk, indicator, 1, "Rekap", date(YEAR + 1, 1, 2))
    invalid("achieved_on", S.add_progress, s, me, rhk, indicator, 1, "Rekap", date(YEAR - 1, 12, 31))
    invalid("achieved_on", S.add_progress, s, me, rhk, indicator, 1, "Rekap", date(YEAR, 5, 1), periods["q1"])
    invalid("value", S.add_progress, s, me, rhk, indicator, -1, "Rekap", date(YEAR, 2, 1))
    invalid("description", S.add_progress, s, me, rhk, indicator, 1, "  ", date(YEAR, 2, 1))
    progress = S.add_progress(s, me, rhk, indicator, "3", "Rekap Februari", date(YEAR, 2, 28), periods["q1"])
    assert (progress.value, progress.period_id) == (Decimal("3.00"), periods["q1"].id)

    store = S.FileStore(tmp_path)
    invalid("file", S.add_evidence_file, s, me, progress, io.BytesIO(b"<html>hi</html>"), "bukti.pdf", store)
    invalid("file", S.add_evidence_file, s, me, progress, io.BytesIO(b"%PDF-1.4 big" * 100), "bukti.pdf", store,
            max_bytes=100)
    evidence = S.add_evidence_file(s, me, progress, io.BytesIO(b"%PDF-1.4\n%%EOF"), "../bukti.pdf", store)
    assert evidence.original_name == "bukti.pdf" and evidence.content_type == "application/pdf"
    assert store.open(evidence.stored_name).read().startswith(b"%PDF")
    for url in ("ftp://x.go.id/a", "javascript:alert(1)", "https://", "http://a b.id"):
        invalid("url", S.add_evidence_link, s, me, progress, url)
    link = S.add_evidence_link(s, me, progress, "https://drive.palembang.go.id/q1")
    refused("WRONG_ACTOR", S.add_evidence_link, s, ctx(org, "kabid"), progress, "https://x.id")

    from app.security.scope import build_scope
    scope_of = {k: build_scope(ctx(org, k).role_names | ({"Atasan"} if k in ("kabid", "kadis", "kapus") else set()),
                               org.employees[k].id, org.employees[k].unit_id) for k in
                ("staff1", "staff2", "kabid", "kadis", "perawat", "kadisdik")}
    for key in ("staff1", "kabid", "kadis"):
        assert S.evidence_for_download(s, scope_of[key], evidence.id).id == evidence.id, key
    for key in ("staff2", "perawat", "kadisdik"):
        assert S.evidence_for_download(s, scope_of[key], evidence.id) is None, key
        assert S.evidence_for_download(s, scope_of[key], link.id) is None, key
    assert S.evidence_for_download(s, build_scope({"Pengelola Kinerja"}, None, None), evidence.id) is not None
    assert S.evidence_for_download(s, scope_of["staff1"], "x") is None


def test_feedback_and_coaching(db, org, boss_plan):
    s = db.session
    skp = approved_plan(db, org, "staff1", "kabid", boss_plan.rhks[0].id)
    rhk = skp.rhks[0]
    S.add_feedback(s, ctx(org, "kabid"), skp, "Lengkapi data puskesmas", rhk=rhk)
    S.add_feedback(s, ctx(org, "staff1"), skp, "Siap, sudah dilengkapi", rhk=rhk)
    refused("WRONG_ACTOR", S.add_feedback, s, ctx(org, "staff2"), skp, "x", rhk=rhk)
    refused("WRONG_ACTOR", S.add_feedback, s, ctx(org, "kadis"), skp, "x", rhk=rhk)
    invalid("text", S.add_feedback, s, ctx(org, "kabid"), skp, "x" * 2001, rhk=rhk)
    invalid("rhk", S.add_feedback, s, ctx(org, "kabid"), skp, "x")
    invalid("rhk", S.add_feedback, s, ctx(org, "kabid"), skp, "x", rhk=boss_plan.rhks[0])
    assert [f.author_name for f in skp.feedback] == ["Siti Aminah", "Budi Santoso"]
    S.add_coaching_note(s, ctx(org, "kabid"), skp, "COACHING", date(YEAR, 2, 12), "Analisis tren kasus")
    refused("WRONG_ACTOR", S.add_coaching_note, s, ctx(org, "staff1"), skp, "COACHING", date(YEAR, 2, 12), "x")
    invalid("noted_on", S.add_coaching_note, s, ctx(org, "kabid"), skp, "COACHING", date(YEAR - 1, 2, 12), "x")
    invalid("kind", S.add_coaching_note, s, ctx(org, "kabid"), skp, "OBROLAN", date(YEAR, 2, 12), "x")


# --- evaluations -------------------------------------------------------------------------------------------

@pytest.fixture
def evaluation(db, org, boss_plan, periods):
    """Budi's approved plan and its opened Q1 evaluation (Siti's and Rudi-less plans too)."""
    approved_plan(db, org, "staff1", "kabid", boss_plan.rhks[0].id)
    db.session.add(OrganisationRating(unit_id=org.units["p2p"].id, period_id=periods["q1"].id, rating="BAIK",
                                      achievement=Decimal("97.50")))
    db.session.commit()
    refused("WRONG_ACTOR", S.open_evaluations, db.session, ctx(org, "kabid"), periods["q1"])
    assert S.open_evaluations(db.session, ctx(org, "analis"), periods["q1"]) == 2  # Budi's and Siti's
    assert S.open_evaluations(db.session, ctx(org, "admin"), periods["q1"]) == 0  # none twice
    return db.session.scalar(sa.select(Evaluation).join(Skp).where(Skp.employee_id == org.employees["staff1"].id))


def test_evaluation_rate_finalise_with_snapshots(db, org, evaluation):
    s = db.session
    assert evaluation.status == "DIBUKA"
    refused("WRONG_ACTOR", S.save_self_assessment, s, ctx(org, "kabid"), evaluation, "x")
    invalid("self_assessment", S.save_self_assessment, s, ctx(org, "staff1"), evaluation, " ")
    S.save_self_assessment(s, ctx(org, "staff1"), evaluation, "Target tercapai", evaluation.version)
    assert evaluation.status == "PENILAIAN_DIRI"
    refused("NOT_ALLOWED", S.finalise, s, ctx(org, "kabid"), evaluation)  # not rated yet: no skipping
    for key in ("staff1", "kadis", "analis", "staff2"):
        refused("WRONG_ACTOR", S.rate, s, ctx(org, key), evaluation,
                "SESUAI", "SESUAI")
    invalid("hasil_rating", S.rate, s, ctx(org, "kabid"), evaluation, "BAGUS", "SESUAI")
    S.rate(s, ctx(org, "kabid"), evaluation, "DI_ATAS", "DI_ATAS", "Pertahankan", "Pelatihan analisis",
           evaluation.version)
    assert (evaluation.status, evaluation.predikat) == ("DINILAI", "SANGAT_BAIK")
    refused("WRONG_ACTOR", S.finalise, s, ctx(org, "staff2"), evaluation)
    refused("WRONG_ACTOR", S.finalise, s, ctx(org, "staff1"), evaluation)
    S.finalise(s, ctx(org, "kabid"), evaluation, evaluation.version)
    assert evaluation.status == "FINAL" and evaluation.finalised_at is not None
    assert (evaluation.employee_name, evaluation.employee_nip) == ("Budi Santoso", org.employees["staff1"].nip)
    assert evaluation.employee_rank == "III/a Penata Muda"
    assert evaluation.employee_position == "Pengelola Data P2P"
    assert evaluation.employee_unit == "Bidang Pencegahan dan Pengendalian Penyakit"
    assert (evaluation.rater_name, evaluation.rater_position) == ("Siti Aminah", "Kepala Bidang P2P")
    assert evaluation.rater_supervisor_name == "Ahmad Fauzi"
    assert (evaluation.organisation_rating, evaluation.organisation_achievement) == ("BAIK", Decimal("97.50"))
    assert len(notes_for(db, org, "staff1", S.EVALUATION_READY)) == 1
    # master data changes later: the evaluation keeps the names it was finalised with
    staff = org.employees["staff1"]
    staff.name = "Budi Santoso Baru"
    s.commit()
    s.expire_all()
    assert s.get(Evaluation, evaluation.id).employee_name == "Budi Santoso"
    # final is final
    refused("FINAL", S.rate, s, ctx(org, "kabid"), evaluation, "DI_BAWAH", "DI_BAWAH")
    refused("SAME_STATE", S.finalise, s, ctx(org, "kabid"), evaluation)  # "already Final"
    refused("FINAL", S.save_self_assessment, s, ctx(org, "staff1"), evaluation, "x")
    steps = [(t.from_state, t.to_state) for t in S.timeline(s, "EVALUATION", evaluation.id)]
    assert steps == [(None, "DIBUKA"), ("DIBUKA", "PENILAIAN_DIRI"), ("PENILAIAN_DIRI", "DINILAI"),
                     ("DINILAI", "FINAL")]


def test_pengelola_finalises_and_all_nine_cells_through_the_service(db, org, evaluation):
    s = db.session
    for (hasil, perilaku), expected in PREDIKAT_MATRIX.items():
        S.rate(s, ctx(org, "kabid"), evaluation, hasil.value, perilaku.value, None, None, evaluation.version)
        s.expire_all()
        stored = s.get(Evaluation, evaluation.id)
        assert (stored.hasil_rating, stored.perilaku_rating, stored.predikat) == (hasil, perilaku, expected)
        evaluation = stored
    assert "predikat" not in S.rate.__code__.co_varnames  # never typed
    S.finalise(s, ctx(org, "analis"), evaluation, evaluation.version)
    assert evaluation.status == "FINAL"


def _final(db, org, evaluation, hasil="SESUAI", perilaku="SESUAI", on=date(YEAR, 4, 10)):
    S.rate(db.session, ctx(org, "kabid"), evaluation, hasil, perilaku)
    S.finalise(db.session, ctx(org, "kabid"), evaluation)
    evaluation.finalised_at = datetime.combine(on, datetime.min.time()).replace(hour=9)
    db.session.commit()
    return evaluation


def test_objection_window_day_14_accepted_day_15_refused(db, org, evaluation):
    s = db.session
    refused("NOT_FINAL", S.file_objection, s, ctx(org, "staff1"), evaluation, "Belum final", date(YEAR, 4, 11))
    _final(db, org, evaluation, on=date(YEAR, 4, 10))
    refused("DEADLINE", S.file_objection, s, ctx(org, "staff1"), evaluation, "Terlambat", date(YEAR, 4, 25))  # day 15
    refused("WRONG_ACTOR", S.file_objection, s, ctx(org, "kabid"), evaluation, "x", date(YEAR, 4, 20))
    refused("COMMENT_REQUIRED", S.file_objection, s, ctx(org, "staff1"), evaluation, " ", date(YEAR, 4, 20))
    objection = S.file_objection(s, ctx(org, "staff1"), evaluation, "Realisasi Maret belum dihitung",
                                 date(YEAR, 4, 24))  # day 14
    assert objection.status == "DIAJUKAN" and objection.filed_at.date() == date(YEAR, 4, 24)
    assert len(notes_for(db, org, "kabid", S.OBJECTION_FILED)) == 1
    assert len(notes_for(db, org, "kadis", S.OBJECTION_FILED)) == 1
    refused("ALREADY_FILED", S.file_objection, s, ctx(org, "staff1"), evaluation, "lagi", date(YEAR, 4, 24))


def test_objection_explained_and_decided_diubah_changes_the_evaluation(db, org, evaluation):
    s = db.session
    _final(db, org, evaluation, "SESUAI", "DI_BAWAH", on=date(YEAR, 4, 10))
    assert evaluation.predikat == "KURANG"
    objection = S.file_objection(s, ctx(org, "staff1"), evaluation, "Perilaku dinilai terlalu rendah",
                                 date(YEAR, 4, 12))
    refused("NOT_ALLOWED", S.decide_objection, s, ctx(org, "kadis"), objection, "TETAP", text="x")  # explain first
    for key in ("kadis", "staff1", "analis"):
        refused("WRONG_ACTOR", S.explain_objection, s, ctx(org, key),
                objection, "x")
    S.explain_objection(s, ctx(org, "kabid"), objection, "Tiga kali terlambat rapat", objection.version)
    assert objection.status == "DIJELASKAN"
    assert len(notes_for(db, org, "kadis", S.OBJECTION_EXPLAINED)) == 1
    for key in ("kabid", "staff1", "analis"):
        refused("WRONG_ACTOR", S.decide_objection, s, ctx(org, key), objection,
                "TETAP", text="x")
    invalid("decision", S.decide_objection, s, ctx(org, "kadis"), objection, "DIUBAH", "SESUAI", "DI_BAWAH", "x")
    invalid("decision", S.decide_objection, s, ctx(org, "kadis"), objection, "MUNGKIN", text="x")
    invalid("new_hasil_rating", S.decide_objection, s, ctx(org, "kadis"), objection, "DIUBAH", "XX", "SESUAI", "x")
    S.decide_objection(s, ctx(org, "kadis"), objection, "DIUBAH", "SESUAI", "SESUAI", "Keterlambatan beralasan",
                       objection.version)
    s.expire_all()
    objection = s.get(Objection, objection.id)
    evaluation = s.get(Evaluation, evaluation.id)
    assert (objection.status, objection.decision, objection.new_predikat) == ("DIPUTUS", "DIUBAH", "BAIK")
    assert (evaluation.status, evaluation.perilaku_rating, evaluation.predikat) == ("FINAL", "SESUAI", "BAIK")
    assert objection.decided_by_id == org.employees["kadis"].id
    assert len(notes_for(db, org, "staff1", S.OBJECTION_DECIDED)) == 1
    # the decision is final
    refused("SAME_STATE", S.decide_objection, s, ctx(org, "kadis"), objection, "TETAP", text="x")
    refused("FINAL", S.explain_objection, s, ctx(org, "kabid"), objection, "x")
    assert [t.to_state for t in S.timeline(s, "OBJECTION", objection.id)] == ["DIAJUKAN", "DIJELASKAN", "DIPUTUS"]


def test_objection_decided_tetap_keeps_the_result(db, org, evaluation):
    s = db.session
    _final(db, org, evaluation, "DI_BAWAH", "SESUAI", on=date(YEAR, 4, 10))
    objection = S.file_objection(s, ctx(org, "staff1"), evaluation, "Alasan", date(YEAR, 4, 11))
    S.explain_objection(s, ctx(org, "kabid"), objection, "Penjelasan")
    S.decide_objection(s, ctx(org, "kadis"), objection, "TETAP", text="Hasil tetap")
    s.expire_all()
    assert s.get(Evaluation, evaluation.id).predikat == "BUTUH_PERBAIKAN"
    assert s.get(Objection, objection.id).new_predikat is None


# --- notifications and reminders ---------------------------------------------------------------------------

def test_email_only_when_configured_and_after_commit(app, db, org, boss_plan, monkeypatch):
    sent = []
    monkeypatch.setattr(notify, "smtp_send", lambda settings, mail: sent.append((settings.server, mail)))
    s = db.session
    skp = S.start_plan(s, ctx(org, "staff1"), org.employees["staff1"], YEAR)
    S.save_plan(s, ctx(org, "staff1"), skp, plan_data(boss_plan.rhks[0].id), skp.version)
    S.submit_plan(s, ctx(org, "staff1"), skp)
    assert sent == []  # off by default
    S.withdraw_plan(s, ctx(org, "staff1"), skp)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.palembang.go.id")
    S.submit_plan(s, ctx(org, "staff1"), skp)
    assert [(server, mail.to) for server, mail in sent] == [("smtp.palembang.go.id", org.users["kabid"].email)]
    assert "Budi Santoso" in sent[0][1].subject
    # a refused transition sends nothing
    sent.clear()
    refused("WRONG_ACTOR", S.approve_plan, s, ctx(org, "staff1"), skp)
    assert sent == [] and notify.pending(s) == []


def test_reminders_are_idempotent_per_day(app, db, org, evaluation, monkeypatch):
    s = db.session
    sent = []
    monkeypatch.setattr(notify, "smtp_send", lambda settings, mail: sent.append(mail))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.palembang.go.id")
    _final(db, org, evaluation, on=date(YEAR, 4, 10))
    objection = S.file_objection(s, ctx(org, "staff1"), evaluation, "Alasan", date(YEAR, 4, 11))
    sent.clear()
    day = date(YEAR, 5, 2)  # after January, Q1 closed (30 April), objection filed 11 April (deadline 25 April)
    first = S.send_reminders(s, day)
    # everyone with an account but Siti and Budi (plans approved) has no submitted plan; Siti's evaluation
    # of Q1 is still open; the objection waits for Siti's explanation
    assert first.skp == 7 and first.evaluation == 1 and first.objection == 1
    assert len(sent) == first.total
    assert len(notes_for(db, org, "kadis", S.REMIND_EVALUATION)) == 1  # Ahmad rates Siti
    assert len(notes_for(db, org, "kabid", S.REMIND_OBJECTION)) == 1  # Siti must explain first
    assert len(notes_for(db, org, "staff2", S.REMIND_SKP)) == 1 and not notes_for(db, org, "staff1", S.REMIND_SKP)
    count = s.scalar(sa.select(sa.func.count()).select_from(Notification))
    again = S.send_reminders(s, day)
    assert again.total == 0 and s.scalar(sa.select(sa.func.count()).select_from(Notification)) == count
    assert S.send_reminders(s, day + timedelta(days=1)).total == first.total  # the next day: again
    # the CLI runs the same
    result = app.test_cli_runner().invoke(args=["portal", "reminders", "--today", (day + timedelta(days=1)).isoformat()])
    assert result.exit_code == 0 and "plans 0, evaluations 0, objections 0" in result.output
    result = app.test_cli_runner().invoke(args=["portal", "reminders", "--today", "kemarin"])
    assert result.exit_code != 0
    assert objection.id
