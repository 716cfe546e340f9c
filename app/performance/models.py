"""The performance cycle as data (PP 30/2019, PermenPANRB 6/2022): periods and organisation ratings, the
plan (SKP with its RHKs, indicators and behaviour expectations), its execution (progress with evidence,
feedback, coaching notes), its evaluation (with objection), the transition history and in-app
notifications. The BerAKHLAK core values with their guides are reference data loaded by a migration.

State and rating columns store the codes of the ``StrEnum`` vocabularies of ``rating``, ``workflow`` and
``deadlines`` (one source of truth: the check constraints are built from them); the few vocabularies that
only the data needs (RHK kind, aspect, …) are defined here the same way, as codes only: their Indonesian
labels belong with the screens (and the translation catalogs) of the next step.

Eager loading, chosen for the list pages of this issue (at most 15 queries per screen):

* a many-to-one that every list row shows is ``selectin`` — one extra query per page for all of them,
  instead of one per row (N+1) or a join that widens every query: ``Skp.employee``, ``Evaluation.skp``,
  ``Evaluation.period``, ``Objection.evaluation``, ``OrganisationRating.unit`` / ``.period``;
  ``Rhk.parent`` (each RHK of a plan shows the supervisor's RHK it supports; ``join_depth=1``: one level);
* children that are always shown with their parent are ``selectin``: ``Rhk.indicators``,
  ``Progress.evidence``, ``CoreValue.guides``;
* everything else is ``select`` (lazy): SKP list pages do not show the RHKs, so ``Skp.rhks`` and the other
  collections of a plan load only when a screen asks for them (the plan screen uses
  ``selectinload(Skp.rhks)``: RHKs, then their indicators and parents, in three queries).

Deletion: the parts of a plan (RHKs, indicators, expectations, progress, evidence, feedback, coaching
notes) go with it (ON DELETE CASCADE, and ``cascade="all, delete-orphan"`` in the ORM); evaluations and
objections are official records: ON DELETE RESTRICT, so a plan with an evaluation cannot be deleted.
Evidence files on disk are not removed by the database: the service that deletes a plan removes them.
"""
from __future__ import annotations

from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        String, Text, UniqueConstraint, false, func, text, true)
from sqlalchemy.orm import relationship

from .deadlines import PeriodKind
from .rating import PREDIKAT_MATRIX, OrgRating, Predikat, Rating
from .workflow import Actor, EvaluationState, ObjectionDecision, ObjectionState, SkpState


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _null_or_in(column: str, values) -> str:
    return f"{column} IS NULL OR {_in(column, values)}"


def _matrix_check(hasil: str, perilaku: str, predikat: str) -> str:
    """SQL: ``predikat`` is NULL, or both ratings are set and ``predikat`` is the matrix's cell for them."""
    cells = " OR ".join(f"({hasil} = '{h}' AND {perilaku} = '{p}' AND {predikat} = '{result}')"
                        for (h, p), result in PREDIKAT_MATRIX.items())
    return f"{predikat} IS NULL OR {cells}"


def _now_column(**kwargs):
    return Column(DateTime, nullable=False, default=func.now(), server_default=func.now(), **kwargs)


# --- vocabularies only the data needs ------------------------------------------------------------

class Approach(StrEnum):
    """Pendekatan SKP: quantitative (numeric targets) or qualitative."""

    KUANTITATIF = "KUANTITATIF"
    KUALITATIF = "KUALITATIF"


class RhkKind(StrEnum):
    """RHK utama (main) or tambahan (additional)."""

    UTAMA = "UTAMA"
    TAMBAHAN = "TAMBAHAN"


class Aspect(StrEnum):
    """Aspek of an indicator."""

    KUANTITAS = "KUANTITAS"
    KUALITAS = "KUALITAS"
    WAKTU = "WAKTU"
    BIAYA = "BIAYA"


class ValueSource(StrEnum):
    """Where an indicator's realised value comes from: typed progress, or (later) the unit's IKM."""

    MANUAL = "MANUAL"
    IKM = "IKM"  # Indeks Kepuasan Masyarakat of the unit (ikm_unit_id), read from app/survey


class EvidenceKind(StrEnum):
    """Bukti dukung: an uploaded file or a link."""

    FILE = "FILE"
    LINK = "LINK"


class CoachingKind(StrEnum):
    """Bimbingan kinerja: coaching, mentoring or counselling."""

    COACHING = "COACHING"
    MENTORING = "MENTORING"
    COUNSELLING = "COUNSELLING"


class TransitionEntity(StrEnum):
    """The kind of record a transition log row belongs to."""

    SKP = "SKP"
    EVALUATION = "EVALUATION"
    OBJECTION = "OBJECTION"


YEAR_MIN, YEAR_MAX = 2000, 2100
ACHIEVEMENT_MAX = 200  # capaian kinerja organisasi, percent


# --- periods and organisation ratings ------------------------------------------------------------

class Period(Model):
    """Periode penilaian: a year, a quarter (triwulan) or a month of it, with the dates staff may act."""

    __tablename__ = "period"
    __table_args__ = (
        CheckConstraint(_in("kind", PeriodKind), name="ck_period_kind"),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="ck_period_year"),
        CheckConstraint(" OR ".join(f"(kind = '{k}' AND number = 1)" if k.count == 1 else
                                    f"(kind = '{k}' AND number BETWEEN 1 AND {k.count})" for k in PeriodKind),
                        name="ck_period_number"),
        CheckConstraint("ends_on >= starts_on", name="ck_period_dates"),
        CheckConstraint("opens_on IS NULL OR closes_on IS NULL OR closes_on >= opens_on",
                        name="ck_period_open_dates"),
        UniqueConstraint("year", "kind", "number", name="uq_period_year_kind_number"),
        UniqueConstraint("code", name="uq_period_code"),
    )

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    kind = Column(String(10), nullable=False)
    number = Column(Integer, nullable=False, default=1, server_default="1")
    code = Column(String(10), nullable=False)  # "2026", "2026-Q1", "2026-M01" (deadlines.Period.code)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    opens_on = Column(Date)
    closes_on = Column(Date)
    is_open = Column(Boolean, nullable=False, default=False, server_default=false())

    @property
    def kind_label(self):
        return PeriodKind(self.kind).label if self.kind in PeriodKind.__members__ else self.kind

    def __repr__(self):
        return f"{self.code}"


class OrganisationRating(Model):
    """Predikat kinerja organisasi: a unit's rating for a period, from its achievement of the performance
    agreement; drives the expected distribution of its staff's predikat."""

    __tablename__ = "organisation_rating"
    __table_args__ = (
        CheckConstraint(_in("rating", OrgRating), name="ck_organisation_rating_rating"),
        CheckConstraint(f"achievement IS NULL OR achievement BETWEEN 0 AND {ACHIEVEMENT_MAX}",
                        name="ck_organisation_rating_achievement"),
        UniqueConstraint("unit_id", "period_id", name="uq_organisation_rating_unit_period"),
        Index("ix_organisation_rating_period_id", "period_id"),
    )

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT", name="fk_organisation_rating_unit"),
                     nullable=False)
    period_id = Column(Integer, ForeignKey("period.id", ondelete="RESTRICT",
                                           name="fk_organisation_rating_period"), nullable=False)
    rating = Column(String(20), nullable=False)
    achievement = Column(Numeric(6, 2))
    notes = Column(Text)
    created_on = _now_column()
    changed_on = _now_column(onupdate=func.now())

    unit = relationship("Unit", lazy="selectin")
    period = relationship("Period", lazy="selectin")

    @property
    def rating_label(self):
        return OrgRating(self.rating).label if self.rating in OrgRating.__members__ else self.rating

    def __repr__(self):
        return f"{self.unit_id}/{self.period_id}: {self.rating}"


# --- BerAKHLAK core values (reference data) -----------------------------------------------------

class CoreValue(Model):
    """Nilai dasar BerAKHLAK: one of the 7 core values of the ASN (SE MenPANRB 20/2021). Reference data
    loaded by a migration."""

    __tablename__ = "core_value"
    __table_args__ = (UniqueConstraint("code", name="uq_core_value_code"),)

    id = Column(Integer, primary_key=True)
    code = Column(String(30), nullable=False)
    name = Column(String(100), nullable=False)
    sort_order = Column(Integer, nullable=False)

    # selectin: a core value is never shown without its three guides (7 values → 1 extra query)
    guides = relationship("CoreValueGuide", back_populates="core_value", lazy="selectin",
                          order_by="CoreValueGuide.sort_order", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self):
        return f"{self.name}"


class CoreValueGuide(Model):
    """Panduan perilaku: one of the three behaviour guides of a BerAKHLAK core value."""

    __tablename__ = "core_value_guide"
    __table_args__ = (
        UniqueConstraint("core_value_id", "sort_order", name="uq_core_value_guide_order"),
    )

    id = Column(Integer, primary_key=True)
    core_value_id = Column(Integer, ForeignKey("core_value.id", ondelete="CASCADE",
                                               name="fk_core_value_guide_core_value"), nullable=False)
    sort_order = Column(Integer, nullable=False)
    text = Column(String(500), nullable=False)

    core_value = relationship("CoreValue", back_populates="guides", lazy="select")

    def __repr__(self):
        return f"{self.text}"


# --- planning: the SKP ---------------------------------------------------------------------------

class Skp(Model):
    """Sasaran Kinerja Pegawai: one revision of an employee's yearly performance plan, with its rater.

    One plan per employee per year; an approved revision is frozen and a change is a new revision (the
    previous one stays, ``is_current`` moves to the new one). A change of position within the year is a
    new revision carrying the new ``position_id``/``unit_id`` (they are the employee's at the time, for row
    scope and for the distribution per unit), hence unique (employee, year, revision) and at most one
    current revision per (employee, year)."""

    __tablename__ = "skp"
    __table_args__ = (
        CheckConstraint(_in("status", SkpState), name="ck_skp_status"),
        CheckConstraint(_in("approach", Approach), name="ck_skp_approach"),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="ck_skp_year"),
        CheckConstraint("revision >= 1", name="ck_skp_revision"),
        CheckConstraint("previous_id IS NULL OR previous_id <> id", name="ck_skp_not_own_previous"),
        CheckConstraint("rater_id IS NULL OR rater_id <> employee_id", name="ck_skp_not_own_rater"),
        UniqueConstraint("employee_id", "year", "revision", name="uq_skp_employee_year_revision"),
        # at most one revision in force per employee and year (a partial unique index)
        Index("uq_skp_current", "employee_id", "year", unique=True, sqlite_where=text("is_current"),
              postgresql_where=text("is_current")),
        Index("ix_skp_employee_year", "employee_id", "year"),
        Index("ix_skp_unit_year", "unit_id", "year"),
        # the plans in force of a year per unit (the cascade's table of sub-units; migration 0013), with the
        # condition as the queries write it (``is_current.is_(True)``) so that both databases use the index
        Index("ix_skp_current_year_unit", "year", "unit_id", "employee_id", "id", sqlite_where=text("is_current IS 1"),
              postgresql_where=text("is_current IS TRUE")),
        # the same plans in id order with their unit: the city's cascade merges them with ix_rhk_unsupported (its
        # RHKs that support nothing per unit) instead of hashing them (migration 0024)
        Index("ix_skp_current_year_id", "year", "id", "unit_id", sqlite_where=text("is_current IS 1"),
              postgresql_where=text("is_current IS TRUE")),
        # the dashboards' compliance counts per unit, from the index alone (migration 0014)
        Index("ix_skp_current_year_unit_status", "year", "unit_id", "status", "submitted_at",
              sqlite_where=text("is_current IS 1"), postgresql_where=text("is_current IS TRUE")),
        Index("ix_skp_rater_status", "rater_id", "status"),
        # the plans of a year with unit, rater and ratee from the index alone: the dashboards' evaluation counts
        # per unit and the rater-bias aggregate join a period's evaluations to it (migration 0018)
        Index("ix_skp_year_id", "year", "id", "unit_id", "rater_id", "employee_id"),
        Index("ix_skp_previous_id", "previous_id"),
        Index("ix_skp_rater_supervisor_id", "rater_supervisor_id"),
        Index("ix_skp_position_id", "position_id"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="RESTRICT", name="fk_skp_employee"),
                         nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT", name="fk_skp_unit"), nullable=False)
    position_id = Column(Integer, ForeignKey("position.id", ondelete="SET NULL", name="fk_skp_position"))
    rater_id = Column(Integer, ForeignKey("employee.id", ondelete="SET NULL", name="fk_skp_rater"))
    rater_supervisor_id = Column(Integer, ForeignKey("employee.id", ondelete="SET NULL",
                                                     name="fk_skp_rater_supervisor"))
    year = Column(Integer, nullable=False)
    approach = Column(String(12), nullable=False, default=Approach.KUANTITATIF.value,
                      server_default=Approach.KUANTITATIF.value)
    status = Column(String(20), nullable=False, default=SkpState.DRAFT.value, server_default=SkpState.DRAFT.value)
    revision = Column(Integer, nullable=False, default=1, server_default="1")
    previous_id = Column(Integer, ForeignKey("skp.id", ondelete="SET NULL", name="fk_skp_previous"))
    is_current = Column(Boolean, nullable=False, default=True, server_default=true())
    return_notes = Column(Text)
    submitted_at = Column(DateTime)
    approved_at = Column(DateTime)
    created_on = _now_column()
    changed_on = _now_column(onupdate=func.now())
    version = Column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    # selectin: every list of plans shows whose plan it is (one query per page; the employee row brings
    # its rank, position and unit by its own joined loads)
    employee = relationship("Employee", foreign_keys=[employee_id], lazy="selectin")
    unit = relationship("Unit", foreign_keys=[unit_id], lazy="select")
    position = relationship("Position", foreign_keys=[position_id], lazy="select")
    rater = relationship("Employee", foreign_keys=[rater_id], lazy="select")
    rater_supervisor = relationship("Employee", foreign_keys=[rater_supervisor_id], lazy="select")
    previous = relationship("Skp", remote_side=[id], foreign_keys=[previous_id], lazy="select")
    # UTAMA before TAMBAHAN ("UTAMA" > "TAMBAHAN"), then the employee's own order
    rhks = relationship("Rhk", back_populates="skp", lazy="select", cascade="all, delete-orphan",
                        passive_deletes=True, order_by="(Rhk.kind.desc(), Rhk.sort_order, Rhk.id)")
    expectations = relationship("BehaviourExpectation", back_populates="skp", lazy="select",
                                cascade="all, delete-orphan", passive_deletes=True)
    feedback = relationship("Feedback", back_populates="skp", lazy="select", cascade="all, delete-orphan",
                            passive_deletes=True, order_by="Feedback.created_on")
    coaching_notes = relationship("CoachingNote", back_populates="skp", lazy="select",
                                  cascade="all, delete-orphan", passive_deletes=True,
                                  order_by="CoachingNote.noted_on")
    # RESTRICT: the ORM never touches evaluations when a plan is deleted; the database refuses
    evaluations = relationship("Evaluation", back_populates="skp", lazy="select", passive_deletes="all",
                               order_by="Evaluation.period_id")

    @property
    def status_label(self):
        from .workflow import SKP_MACHINE

        return SKP_MACHINE.states.get(self.status, self.status)

    def __repr__(self):
        return f"SKP {self.year} r{self.revision} ({self.employee_id})"


class Rhk(Model):
    """Rencana Hasil Kerja: a planned work result of an SKP (utama or tambahan), linked to the supervisor's
    RHK it supports ("RHK pimpinan yang diintervensi": the cascade) or, for JPT plans, to a perspektif."""

    __tablename__ = "rhk"
    __table_args__ = (
        CheckConstraint(_in("kind", RhkKind), name="ck_rhk_kind"),
        CheckConstraint("parent_rhk_id IS NULL OR parent_rhk_id <> id", name="ck_rhk_not_own_parent"),
        Index("ix_rhk_skp_id", "skp_id"),
        Index("ix_rhk_parent_rhk_id", "parent_rhk_id"),
        # the RHKs that support nothing (the cascade tree counts them per sub-unit): migration 0007
        Index("ix_rhk_unsupported", "skp_id", sqlite_where=text("parent_rhk_id IS NULL"),
              postgresql_where=text("parent_rhk_id IS NULL")),
    )

    id = Column(Integer, primary_key=True)
    skp_id = Column(Integer, ForeignKey("skp.id", ondelete="CASCADE", name="fk_rhk_skp"), nullable=False)
    kind = Column(String(10), nullable=False, default=RhkKind.UTAMA.value, server_default=RhkKind.UTAMA.value)
    sort_order = Column(Integer, nullable=False, default=0, server_default="0")
    text = Column(String(1000), nullable=False)
    parent_rhk_id = Column(Integer, ForeignKey("rhk.id", ondelete="SET NULL", name="fk_rhk_parent"))
    perspective = Column(String(100))

    skp = relationship("Skp", back_populates="rhks", lazy="select")
    # selectin, one level: each RHK of a plan shows the supervisor's RHK it supports
    parent = relationship("Rhk", remote_side=[id], back_populates="children", lazy="selectin", join_depth=1)
    children = relationship("Rhk", back_populates="parent", lazy="select", passive_deletes=True)
    # selectin: an RHK is never shown without its indicators
    indicators = relationship("Indicator", back_populates="rhk", lazy="selectin", cascade="all, delete-orphan",
                              passive_deletes=True, order_by="(Indicator.sort_order, Indicator.id)")
    progress = relationship("Progress", back_populates="rhk", lazy="select", cascade="all, delete-orphan",
                            passive_deletes=True, order_by="(Progress.achieved_on, Progress.id)")
    # deleted with the RHK (as ON DELETE CASCADE does), never orphaned to a NULL rhk_id
    feedback = relationship("Feedback", back_populates="rhk", lazy="select", cascade="all", passive_deletes=True,
                            order_by="Feedback.created_on")

    def __repr__(self):
        return f"{self.text}"


class Indicator(Model):
    """Indikator kinerja individu: how an RHK is measured (aspek, target value and unit, or a qualitative
    target)."""

    __tablename__ = "indicator"
    __table_args__ = (
        CheckConstraint(_in("aspect", Aspect), name="ck_indicator_aspect"),
        CheckConstraint(_in("value_source", ValueSource), name="ck_indicator_value_source"),
        CheckConstraint("target_value IS NULL OR target_value > 0", name="ck_indicator_target_positive"),
        CheckConstraint("target_value IS NOT NULL OR target_text IS NOT NULL", name="ck_indicator_target_present"),
        CheckConstraint("value_source <> 'IKM' OR ikm_unit_id IS NOT NULL", name="ck_indicator_ikm_unit"),
        Index("ix_indicator_rhk_id", "rhk_id"),
    )

    id = Column(Integer, primary_key=True)
    rhk_id = Column(Integer, ForeignKey("rhk.id", ondelete="CASCADE", name="fk_indicator_rhk"), nullable=False)
    aspect = Column(String(10), nullable=False, default=Aspect.KUANTITAS.value,
                    server_default=Aspect.KUANTITAS.value)
    text = Column(String(1000), nullable=False)
    target_value = Column(Numeric(14, 2))
    target_unit = Column(String(50))
    target_text = Column(String(500))
    sort_order = Column(Integer, nullable=False, default=0, server_default="0")
    value_source = Column(String(10), nullable=False, default=ValueSource.MANUAL.value,
                          server_default=ValueSource.MANUAL.value)
    # value_source IKM: the public-service unit whose IKM is the realised value (app/survey, migration 0010_survey)
    ikm_unit_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT", name="fk_indicator_ikm_unit"))

    rhk = relationship("Rhk", back_populates="indicators", lazy="select")

    @property
    def target_display(self) -> str:
        if self.target_value is None:
            return self.target_text or ""
        value = f"{self.target_value.normalize():f}" if hasattr(self.target_value, "normalize") else \
            str(self.target_value)
        return f"{value} {self.target_unit or ''}".strip()

    def __repr__(self):
        return f"{self.text}"


class BehaviourExpectation(Model):
    """Ekspektasi khusus pimpinan: the supervisor's own expectation for one BerAKHLAK core value in a
    plan."""

    __tablename__ = "behaviour_expectation"
    __table_args__ = (
        UniqueConstraint("skp_id", "core_value_id", name="uq_behaviour_expectation_skp_core_value"),
        Index("ix_behaviour_expectation_core_value_id", "core_value_id"),
    )

    id = Column(Integer, primary_key=True)
    skp_id = Column(Integer, ForeignKey("skp.id", ondelete="CASCADE", name="fk_behaviour_expectation_skp"),
                    nullable=False)
    core_value_id = Column(Integer, ForeignKey("core_value.id", ondelete="RESTRICT",
                                               name="fk_behaviour_expectation_core_value"), nullable=False)
    text = Column(String(1000), nullable=False)

    skp = relationship("Skp", back_populates="expectations", lazy="select")
    core_value = relationship("CoreValue", lazy="select")  # 7 rows: the identity map serves them

    def __repr__(self):
        return f"{self.text}"


# --- execution and monitoring -------------------------------------------------------------------

class Progress(Model):
    """Realisasi: progress on an RHK (and optionally one of its indicators): value achieved, description,
    date, with evidence."""

    __tablename__ = "progress"
    __table_args__ = (
        CheckConstraint("value IS NULL OR value >= 0", name="ck_progress_value"),
        Index("ix_progress_rhk_achieved_on", "rhk_id", "achieved_on"),
        Index("ix_progress_achieved_on_id", "achieved_on", "id"),  # a year's progress, counted from the index alone
        Index("ix_progress_indicator_id", "indicator_id"),
        Index("ix_progress_period_id", "period_id"),
        Index("ix_progress_created_by_id", "created_by_id"),
    )

    id = Column(Integer, primary_key=True)
    rhk_id = Column(Integer, ForeignKey("rhk.id", ondelete="CASCADE", name="fk_progress_rhk"), nullable=False)
    indicator_id = Column(Integer, ForeignKey("indicator.id", ondelete="CASCADE", name="fk_progress_indicator"))
    period_id = Column(Integer, ForeignKey("period.id", ondelete="RESTRICT", name="fk_progress_period"))
    value = Column(Numeric(14, 2))
    description = Column(Text, nullable=False)
    achieved_on = Column(Date, nullable=False)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_progress_created_by"))
    created_on = _now_column()

    rhk = relationship("Rhk", back_populates="progress", lazy="select")
    indicator = relationship("Indicator", lazy="select")
    period = relationship("Period", lazy="select")
    created_by = relationship("User", lazy="select", foreign_keys=[created_by_id])
    # selectin: progress is always listed with its evidence
    evidence = relationship("Evidence", back_populates="progress", lazy="selectin", cascade="all, delete-orphan",
                            passive_deletes=True, order_by="Evidence.id")

    def __repr__(self):
        return f"{self.achieved_on}: {self.description[:40]}"


class Evidence(Model):
    """Bukti dukung: a file (stored outside the static folder under a random name) or a link supporting a
    progress entry."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(_in("kind", EvidenceKind), name="ck_evidence_kind"),
        CheckConstraint("(kind = 'LINK' AND url IS NOT NULL) OR (kind = 'FILE' AND stored_name IS NOT NULL)",
                        name="ck_evidence_target"),
        CheckConstraint("size_bytes IS NULL OR size_bytes >= 0", name="ck_evidence_size"),
        UniqueConstraint("stored_name", name="uq_evidence_stored_name"),
        Index("ix_evidence_progress_id", "progress_id"),
    )

    id = Column(Integer, primary_key=True)
    progress_id = Column(Integer, ForeignKey("progress.id", ondelete="CASCADE", name="fk_evidence_progress"),
                         nullable=False)
    kind = Column(String(4), nullable=False)
    url = Column(String(500))
    original_name = Column(String(255))
    stored_name = Column(String(64))
    content_type = Column(String(100))
    size_bytes = Column(Integer)
    sha256 = Column(String(64))
    uploaded_at = _now_column()

    progress = relationship("Progress", back_populates="evidence", lazy="select")

    def __repr__(self):
        return f"{self.original_name or self.url}"


class Feedback(Model):
    """Umpan balik berkelanjutan: the supervisor's continuous feedback on an RHK or on a core value."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rhk_id IS NOT NULL OR core_value_id IS NOT NULL", name="ck_feedback_subject"),
        Index("ix_feedback_skp_created_on", "skp_id", "created_on"),
        Index("ix_feedback_rhk_id", "rhk_id"),
        Index("ix_feedback_author_id", "author_id"),
    )

    id = Column(Integer, primary_key=True)
    skp_id = Column(Integer, ForeignKey("skp.id", ondelete="CASCADE", name="fk_feedback_skp"), nullable=False)
    rhk_id = Column(Integer, ForeignKey("rhk.id", ondelete="CASCADE", name="fk_feedback_rhk"))
    core_value_id = Column(Integer, ForeignKey("core_value.id", ondelete="RESTRICT", name="fk_feedback_core_value"))
    author_id = Column(Integer, ForeignKey("employee.id", ondelete="SET NULL", name="fk_feedback_author"))
    author_name = Column(String(150))  # snapshot: the thread still reads right if the author leaves
    text = Column(Text, nullable=False)
    created_on = _now_column()

    skp = relationship("Skp", back_populates="feedback", lazy="select")
    rhk = relationship("Rhk", back_populates="feedback", lazy="select")
    core_value = relationship("CoreValue", lazy="select")
    author = relationship("Employee", lazy="select")

    def __repr__(self):
        return f"{self.text[:40]}"


class CoachingNote(Model):
    """Bimbingan kinerja: a dated coaching, mentoring or counselling note on a plan."""

    __tablename__ = "coaching_note"
    __table_args__ = (
        CheckConstraint(_in("kind", CoachingKind), name="ck_coaching_note_kind"),
        Index("ix_coaching_note_skp_noted_on", "skp_id", "noted_on"),
        Index("ix_coaching_note_author_id", "author_id"),
    )

    id = Column(Integer, primary_key=True)
    skp_id = Column(Integer, ForeignKey("skp.id", ondelete="CASCADE", name="fk_coaching_note_skp"),
                    nullable=False)
    kind = Column(String(12), nullable=False)
    noted_on = Column(Date, nullable=False)
    text = Column(Text, nullable=False)
    author_id = Column(Integer, ForeignKey("employee.id", ondelete="SET NULL", name="fk_coaching_note_author"))
    created_on = _now_column()

    skp = relationship("Skp", back_populates="coaching_notes", lazy="select")
    author = relationship("Employee", lazy="select")

    def __repr__(self):
        return f"{self.noted_on} {self.kind}"


# --- evaluation ------------------------------------------------------------------------------------

class Evaluation(Model):
    """Penilaian kinerja: the evaluation of one plan for one period (self-assessment, rating hasil kerja,
    rating perilaku kerja, predikat), with the identities of the employee and the raters copied when it is
    finalised. An official record: never deleted with its plan."""

    __tablename__ = "evaluation"
    __table_args__ = (
        CheckConstraint(_in("status", EvaluationState), name="ck_evaluation_status"),
        CheckConstraint(_null_or_in("hasil_rating", Rating), name="ck_evaluation_hasil_rating"),
        CheckConstraint(_null_or_in("perilaku_rating", Rating), name="ck_evaluation_perilaku_rating"),
        CheckConstraint(_null_or_in("self_hasil_rating", Rating), name="ck_evaluation_self_hasil_rating"),
        CheckConstraint(_null_or_in("self_perilaku_rating", Rating), name="ck_evaluation_self_perilaku_rating"),
        CheckConstraint(_null_or_in("predikat", Predikat), name="ck_evaluation_predikat"),
        CheckConstraint("predikat IS NULL OR (hasil_rating IS NOT NULL AND perilaku_rating IS NOT NULL)",
                        name="ck_evaluation_predikat_needs_ratings"),
        CheckConstraint(_matrix_check("hasil_rating", "perilaku_rating", "predikat"),
                        name="ck_evaluation_predikat_matrix"),
        CheckConstraint(f"status NOT IN ('{EvaluationState.DINILAI}', '{EvaluationState.FINAL}') "
                        "OR predikat IS NOT NULL", name="ck_evaluation_rated_has_predikat"),
        CheckConstraint(_null_or_in("organisation_rating", OrgRating), name="ck_evaluation_organisation_rating"),
        CheckConstraint(f"organisation_achievement IS NULL OR organisation_achievement BETWEEN 0 "
                        f"AND {ACHIEVEMENT_MAX}", name="ck_evaluation_organisation_achievement"),
        UniqueConstraint("skp_id", "period_id", name="uq_evaluation_skp_period"),
        # the ids of given plans' evaluations (a scoped REST list counts and sorts them before loading its page,
        # app/performance/api.py): from the index alone. Migration 0022
        Index("ix_evaluation_skp_period_id", "skp_id", "period_id", "id"),
        Index("ix_evaluation_period_status", "period_id", "status"),
        # the dashboards' compliance counts and predikat per unit of a period, from the index alone (migration 0014)
        Index("ix_evaluation_period_progress", "period_id", "status", "predikat", "skp_id", "finalised_at"),
        # the evaluations still open ("Evaluations to rate": a page of them is chosen from the index alone):
        # migration 0007
        Index("ix_evaluation_open_skp", "skp_id", "status", "id",
              sqlite_where=text(f"status <> '{EvaluationState.FINAL}'"),
              postgresql_where=text(f"status <> '{EvaluationState.FINAL}'")),
        # the final ratings of a year, per rater (rater-bias analytics, app/analytics): read from the index
        # alone. Migration 0012
        Index("ix_evaluation_final_ratings", "period_id", "skp_id", "hasil_rating", "perilaku_rating", "predikat",
              "self_hasil_rating", "self_perilaku_rating",
              sqlite_where=text(f"status = '{EvaluationState.FINAL}'"),
              postgresql_where=text(f"status = '{EvaluationState.FINAL}'")),
        # the final results of a period for the award candidates, and of given plans for the training needs and
        # the effect of training: read from the indexes alone. Migration 0015
        Index("ix_evaluation_final_period", "period_id", "skp_id", "predikat", "finalised_at",
              sqlite_where=text(f"status = '{EvaluationState.FINAL}'"),
              postgresql_where=text(f"status = '{EvaluationState.FINAL}'")),
        Index("ix_evaluation_final_skp", "skp_id", "period_id", "predikat", "id",
              sqlite_where=text(f"status = '{EvaluationState.FINAL}'"),
              postgresql_where=text(f"status = '{EvaluationState.FINAL}'")),
    )

    id = Column(Integer, primary_key=True)
    skp_id = Column(Integer, ForeignKey("skp.id", ondelete="RESTRICT", name="fk_evaluation_skp"), nullable=False)
    period_id = Column(Integer, ForeignKey("period.id", ondelete="RESTRICT", name="fk_evaluation_period"),
                       nullable=False)
    status = Column(String(20), nullable=False, default=EvaluationState.DIBUKA.value,
                    server_default=EvaluationState.DIBUKA.value)
    self_assessment = Column(Text)
    # the employee's own ratings in the self-assessment (optional; the rater-bias analytics compare them with
    # the rater's, app/analytics; migration 0009)
    self_hasil_rating = Column(String(10))
    self_perilaku_rating = Column(String(10))
    hasil_rating = Column(String(10))
    perilaku_rating = Column(String(10))
    predikat = Column(String(20))
    notes = Column(Text)
    recommendation = Column(Text)
    rated_at = Column(DateTime)
    finalised_at = Column(DateTime)
    # snapshots, filled at finalisation (Dokumen Evaluasi Kinerja Pegawai, parts 1-4)
    employee_name = Column(String(300))
    employee_nip = Column(String(18))
    employee_rank = Column(String(80))
    employee_position = Column(String(200))
    employee_unit = Column(String(200))
    rater_name = Column(String(300))
    rater_nip = Column(String(18))
    rater_rank = Column(String(80))
    rater_position = Column(String(200))
    rater_unit = Column(String(200))
    rater_supervisor_name = Column(String(300))
    rater_supervisor_nip = Column(String(18))
    organisation_rating = Column(String(20))
    organisation_achievement = Column(Numeric(6, 2))
    created_on = _now_column()
    changed_on = _now_column(onupdate=func.now())
    version = Column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    # selectin: every list of evaluations shows the plan's employee and the period
    skp = relationship("Skp", back_populates="evaluations", lazy="selectin")
    period = relationship("Period", lazy="selectin")
    objection = relationship("Objection", back_populates="evaluation", uselist=False, lazy="select",
                             passive_deletes="all")

    @property
    def status_label(self):
        from .workflow import EVALUATION_MACHINE

        return EVALUATION_MACHINE.states.get(self.status, self.status)

    @property
    def predikat_label(self):
        return Predikat(self.predikat).label if self.predikat in Predikat.__members__ else (self.predikat or "")

    def __repr__(self):
        return f"Penilaian {self.skp_id}/{self.period_id}"


class Objection(Model):
    """Keberatan: the employee's objection to a final evaluation, the rater's explanation and the decision
    of the rater's supervisor (tetap / diubah, with the new ratings), which is final."""

    __tablename__ = "objection"
    __table_args__ = (
        CheckConstraint(_in("status", ObjectionState), name="ck_objection_status"),
        CheckConstraint(_null_or_in("decision", ObjectionDecision), name="ck_objection_decision"),
        CheckConstraint(f"(status = '{ObjectionState.DIPUTUS}' AND decision IS NOT NULL) "
                        f"OR (status <> '{ObjectionState.DIPUTUS}' AND decision IS NULL)",
                        name="ck_objection_decided"),
        CheckConstraint(_null_or_in("new_hasil_rating", Rating), name="ck_objection_new_hasil_rating"),
        CheckConstraint(_null_or_in("new_perilaku_rating", Rating), name="ck_objection_new_perilaku_rating"),
        CheckConstraint(_null_or_in("new_predikat", Predikat), name="ck_objection_new_predikat"),
        CheckConstraint(f"decision = '{ObjectionDecision.DIUBAH}' OR (new_hasil_rating IS NULL "
                        "AND new_perilaku_rating IS NULL AND new_predikat IS NULL)",
                        name="ck_objection_new_result_only_if_changed"),
        CheckConstraint(f"decision IS NULL OR decision <> '{ObjectionDecision.DIUBAH}' OR new_predikat IS NOT NULL",
                        name="ck_objection_changed_has_result"),
        CheckConstraint(_matrix_check("new_hasil_rating", "new_perilaku_rating", "new_predikat"),
                        name="ck_objection_new_predikat_matrix"),
        UniqueConstraint("evaluation_id", name="uq_objection_evaluation"),
        Index("ix_objection_status", "status"),
        Index("ix_objection_decided_by_id", "decided_by_id"),
    )

    id = Column(Integer, primary_key=True)
    evaluation_id = Column(Integer, ForeignKey("evaluation.id", ondelete="RESTRICT", name="fk_objection_evaluation"),
                           nullable=False)
    status = Column(String(20), nullable=False, default=ObjectionState.DIAJUKAN.value,
                    server_default=ObjectionState.DIAJUKAN.value)
    reasons = Column(Text, nullable=False)
    filed_at = _now_column()
    explanation = Column(Text)
    explained_at = Column(DateTime)
    decision = Column(String(10))
    decision_text = Column(Text)
    decided_at = Column(DateTime)
    decided_by_id = Column(Integer, ForeignKey("employee.id", ondelete="SET NULL", name="fk_objection_decided_by"))
    new_hasil_rating = Column(String(10))
    new_perilaku_rating = Column(String(10))
    new_predikat = Column(String(20))
    version = Column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    evaluation = relationship("Evaluation", back_populates="objection", lazy="selectin")
    decided_by = relationship("Employee", lazy="select")

    def __repr__(self):
        return f"Keberatan {self.evaluation_id}"


# --- history and notifications ---------------------------------------------------------------------

class TransitionLog(Model):
    """Riwayat status: one accepted state transition of an SKP, evaluation or objection (who, when, from,
    to, comment), for the record's timeline. Append-only, so not copied into the audit trail."""

    __tablename__ = "transition_log"
    __table_args__ = (
        CheckConstraint(_in("entity", TransitionEntity), name="ck_transition_log_entity"),
        CheckConstraint(_null_or_in("actor_kind", Actor), name="ck_transition_log_actor_kind"),
        Index("ix_transition_log_entity_at", "entity", "entity_id", "at"),
        Index("ix_transition_log_actor_user_id", "actor_user_id"),
    )
    __audit__ = False

    id = Column(Integer, primary_key=True)
    entity = Column(String(12), nullable=False)
    entity_id = Column(Integer, nullable=False)  # no foreign key: points into skp, evaluation or objection
    from_state = Column(String(20))
    to_state = Column(String(20), nullable=False)
    actor_user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_transition_log_actor_user"))
    actor_name = Column(String(150))
    actor_kind = Column(String(20))
    at = _now_column()
    comment = Column(Text)

    actor_user = relationship("User", lazy="select", foreign_keys=[actor_user_id])

    def __repr__(self):
        return f"{self.entity}#{self.entity_id}: {self.from_state} → {self.to_state}"


class Notification(Model):
    """Notifikasi: an in-app message for a user (plan submitted, returned, approved; evaluation ready;
    objection filed, explained, decided; deadline reminders). Not copied into the audit trail."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read_at", "user_id", "read_at"),
    )
    __audit__ = False

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE", name="fk_notification_user"),
                     nullable=False)
    kind = Column(String(40), nullable=False)
    title = Column(String(200), nullable=False)
    body = Column(Text)
    link = Column(String(500))
    created_on = _now_column()
    read_at = Column(DateTime)

    def __repr__(self):
        return f"{self.title}"
