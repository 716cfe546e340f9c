"""Training and socialization as data: the catalogue of topics, sessions (pelatihan / sosialisasi) with
their trainers and target units, participants (invitation, waiting list, attendance, test scores,
certificate), participant feedback, external trainings with their certificate, the yearly JP targets per ASN
type, and the rules that turn evaluation outcomes into training needs.

Codes are those of the ``StrEnum`` vocabularies of ``rules`` (the check constraints are built from them).

Eager loading (list screens stay within 15 queries whatever the number of rows):

* ``TrainingSession.topic`` and ``TrainingParticipant.session`` / ``.employee`` are ``selectin``: every list
  row shows them (one extra query per page);
* ``TrainingSession.trainers`` and ``.units`` are ``selectin`` too (small collections shown on the list);
* everything else loads when a screen asks for it (the roster loads its participants in one query).

Deletion: a session's participants, feedback, trainer and unit links go with it (ON DELETE CASCADE); an
employee with training records cannot be deleted (RESTRICT), the records are history. A topic used by a
session or a rule cannot be deleted (RESTRICT).
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        String, Table, Text, UniqueConstraint, func, true)
from sqlalchemy.orm import relationship

from app.performance.rating import Predikat

from . import rules
from .rules import (Attendance, CheckInMethod, CompetencyKind, EnrollmentSource, EnrollmentStatus, ExternalStatus,
                    Method, NeedOutcome, ParticipantLabels, SessionKind, SessionStatus)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _null_or_in(column: str, values) -> str:
    return f"{column} IS NULL OR {_in(column, values)}"


def _now_column(**kwargs):
    return Column(DateTime, nullable=False, default=func.now(), server_default=func.now(), **kwargs)


def _length(table: str, column: str, maximum: int, required: bool = False):
    """CHECK that the text fits its bound (SQLite does not enforce VARCHAR lengths; Text has none), and that a
    required text is not empty."""
    if required:
        return CheckConstraint(f"length({column}) >= 1 AND length({column}) <= {maximum}", name=f"ck_{table}_{column}")
    return CheckConstraint(f"{column} IS NULL OR length({column}) <= {maximum}", name=f"ck_{table}_{column}")


def _score_check(column: str, table: str):
    return CheckConstraint(f"{column} IS NULL OR ({column} >= {rules.SCORE_MIN} AND {column} <= {rules.SCORE_MAX})",
                           name=f"ck_{table}_{column}")


class TrainingTopic(Model):
    """Topik / kompetensi: an entry of the training catalogue (e.g. "Penyusunan SKP dan RHK"), of a kind of
    ASN competency (teknis, manajerial, sosial kultural), optionally tied to a BerAKHLAK core value."""

    __tablename__ = "training_topic"
    __table_args__ = (
        CheckConstraint(_in("competency", CompetencyKind), name="ck_training_topic_competency"),
        _length("training_topic", "code", rules.TOPIC_CODE_MAX, required=True),
        _length("training_topic", "name", rules.TOPIC_NAME_MAX, required=True),
        _length("training_topic", "description", rules.DESCRIPTION_MAX),
        UniqueConstraint("code", name="uq_training_topic_code"),
        Index("ix_training_topic_core_value_id", "core_value_id"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(rules.TOPIC_CODE_MAX), nullable=False)
    name = Column(String(rules.TOPIC_NAME_MAX), nullable=False)
    competency = Column(String(20), nullable=False, default=CompetencyKind.TEKNIS.value,
                        server_default=CompetencyKind.TEKNIS.value)
    description = Column(Text)
    core_value_id = Column(Integer, ForeignKey("core_value.id", ondelete="SET NULL",
                                               name="fk_training_topic_core_value"))
    active = Column(Boolean, nullable=False, default=True, server_default=true())

    core_value = relationship("CoreValue", lazy="select")

    @property
    def competency_label(self):
        return CompetencyKind(self.competency).label if self.competency in CompetencyKind.__members__ \
            else self.competency

    def __repr__(self):
        return f"{self.name}"


# Pelatih of a session: user accounts holding the Pelatih role (checked when they are assigned).
training_session_trainer = Table(
    "training_session_trainer", Model.metadata,
    Column("session_id", Integer, ForeignKey("training_session.id", ondelete="CASCADE",
                                             name="fk_training_session_trainer_session"), primary_key=True),
    Column("user_id", Integer, ForeignKey("ab_user.id", ondelete="CASCADE",
                                          name="fk_training_session_trainer_user"), primary_key=True),
    Index("ix_training_session_trainer_user_id", "user_id"),
)

# Target units of a session (unit kerja sasaran): who it is meant for; a Pimpinan of such a unit sees it.
training_session_unit = Table(
    "training_session_unit", Model.metadata,
    Column("session_id", Integer, ForeignKey("training_session.id", ondelete="CASCADE",
                                             name="fk_training_session_unit_session"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("unit.id", ondelete="CASCADE", name="fk_training_session_unit_unit"),
           primary_key=True),
    Index("ix_training_session_unit_unit_id", "unit_id"),
)


class TrainingSession(Model):
    """Sesi pelatihan (or sesi sosialisasi): one activity of competence development, classical or
    non-classical, with its organiser (penyelenggara), trainers (pelatih), place or online link, start and
    end, JP (1 JP = 45 minutes), capacity and target units. ``checkin_code`` is the short code participants
    type to check in while the session runs; ``status`` DITUTUP once the attendance is closed (only then
    does attendance count towards the JP)."""

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint(_in("kind", SessionKind), name="ck_training_session_kind"),
        CheckConstraint(_in("method", Method), name="ck_training_session_method"),
        CheckConstraint(_in("status", SessionStatus), name="ck_training_session_status"),
        CheckConstraint("ends_at > starts_at", name="ck_training_session_dates"),
        CheckConstraint(f"jp > 0 AND jp <= {rules.JP_MAX}", name="ck_training_session_jp"),
        CheckConstraint(f"capacity > 0 AND capacity <= {rules.CAPACITY_MAX}", name="ck_training_session_capacity"),
        _length("training_session", "title", rules.TITLE_MAX, required=True),
        _length("training_session", "organiser", rules.ORGANISER_MAX, required=True),
        _length("training_session", "place", rules.PLACE_MAX),
        _length("training_session", "online_url", rules.URL_MAX),
        _length("training_session", "description", rules.DESCRIPTION_MAX),
        CheckConstraint(f"(status = '{SessionStatus.DITUTUP}' AND closed_at IS NOT NULL) "
                        f"OR (status = '{SessionStatus.DIBUKA}' AND closed_at IS NULL)",
                        name="ck_training_session_closed"),
        Index("ix_training_session_ends_at_status", "ends_at", "status"),
        Index("ix_training_session_starts_at", "starts_at"),
        Index("ix_training_session_topic_id", "topic_id"),
        Index("ix_training_session_created_by_id", "created_by_id"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(12), nullable=False, default=SessionKind.PELATIHAN.value,
                  server_default=SessionKind.PELATIHAN.value)
    method = Column(String(12), nullable=False, default=Method.KLASIKAL.value, server_default=Method.KLASIKAL.value)
    title = Column(String(rules.TITLE_MAX), nullable=False)
    topic_id = Column(Integer, ForeignKey("training_topic.id", ondelete="RESTRICT", name="fk_training_session_topic"))
    organiser = Column(String(rules.ORGANISER_MAX), nullable=False)
    place = Column(String(rules.PLACE_MAX))
    online_url = Column(String(rules.URL_MAX))
    starts_at = Column(DateTime, nullable=False)
    ends_at = Column(DateTime, nullable=False)
    jp = Column(Integer, nullable=False)
    capacity = Column(Integer, nullable=False)
    description = Column(Text)
    status = Column(String(10), nullable=False, default=SessionStatus.DIBUKA.value,
                    server_default=SessionStatus.DIBUKA.value)
    checkin_code = Column(String(rules.CODE_LENGTH), nullable=False)
    closed_at = Column(DateTime)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_training_session_created_by"))
    created_on = _now_column()
    changed_on = _now_column(onupdate=func.now())

    topic = relationship("TrainingTopic", lazy="selectin")
    trainers = relationship("User", secondary=training_session_trainer, lazy="selectin", order_by="User.first_name")
    units = relationship("Unit", secondary=training_session_unit, lazy="selectin", order_by="Unit.name")
    participants = relationship("TrainingParticipant", back_populates="session", lazy="select",
                                cascade="all, delete-orphan", passive_deletes=True)

    @property
    def kind_label(self):
        return SessionKind(self.kind).label if self.kind in SessionKind.__members__ else self.kind

    @property
    def method_label(self):
        return Method(self.method).label if self.method in Method.__members__ else self.method

    @property
    def status_label(self):
        return SessionStatus(self.status).label if self.status in SessionStatus.__members__ else self.status

    @property
    def is_closed(self) -> bool:
        return self.status == SessionStatus.DITUTUP

    @property
    def trainer_names(self) -> str:
        return ", ".join(" ".join(p for p in (u.first_name, u.last_name) if p) for u in self.trainers)

    @property
    def unit_names(self) -> str:
        return ", ".join(u.name for u in self.units)

    def __repr__(self):
        return f"{self.title} ({self.starts_at:%d-%m-%Y})" if self.starts_at else f"{self.title}"


class TrainingParticipant(ParticipantLabels, Model):
    """Peserta: an employee's enrollment in a session — the invitation (or the place on the waiting list),
    the attendance (hadir / izin / tidak hadir) with how it was recorded, the pre- and post-test scores and
    the certificate number. ``unit_id`` is the employee's unit at the invitation (row scope of a Pimpinan,
    like ``Skp.unit_id``). One row per employee and session: inviting again is refused."""

    __tablename__ = "training_participant"
    __table_args__ = (
        CheckConstraint(_in("status", EnrollmentStatus), name="ck_training_participant_status"),
        CheckConstraint(_in("source", EnrollmentSource), name="ck_training_participant_source"),
        CheckConstraint(_null_or_in("attendance", Attendance), name="ck_training_participant_attendance"),
        CheckConstraint(_null_or_in("checkin_method", CheckInMethod), name="ck_training_participant_checkin_method"),
        CheckConstraint(f"attendance IS NULL OR status = '{EnrollmentStatus.DIUNDANG}'",
                        name="ck_training_participant_attendance_invited"),
        _length("training_participant", "certificate_number", rules.CERTIFICATE_MAX),
        _score_check("pre_score", "training_participant"),
        _score_check("post_score", "training_participant"),
        UniqueConstraint("session_id", "employee_id", name="uq_training_participant_session_employee"),
        Index("ix_training_participant_session_status", "session_id", "status", "invited_at"),
        Index("ix_training_participant_attendance", "session_id", "attendance", "employee_id"),
        # the dashboards' attendance per unit and participants per topic, from the index alone (migration 0014)
        Index("ix_training_participant_session_attendance_unit", "session_id", "attendance", "unit_id"),
        # the sessions of the participants in a row scope, an employee's attended sessions (the JP ledger of an
        # OPD) come from these indexes alone (0016)
        Index("ix_training_participant_employee_attendance", "employee_id", "attendance", "session_id"),
        Index("ix_training_participant_unit_session", "unit_id", "session_id"),
        # a Pimpinan's participant count: the subordinates' rows outside the subtree, from the index alone (0020)
        Index("ix_training_participant_employee_unit", "employee_id", "unit_id"),
        Index("ix_training_participant_invited_at", "invited_at", "id"),  # the participant list, newest first
        # who of a topic's sessions is invited or trained (training needs), from the index alone (0025)
        Index("ix_training_participant_session_status_employee", "session_id", "status", "employee_id"),
    )

    id = Column(Integer, primary_key=True)
    session_id = Column(Integer, ForeignKey("training_session.id", ondelete="CASCADE",
                                            name="fk_training_participant_session"), nullable=False)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="RESTRICT",
                                             name="fk_training_participant_employee"), nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT", name="fk_training_participant_unit"),
                     nullable=False)
    status = Column(String(14), nullable=False, default=EnrollmentStatus.DIUNDANG.value,
                    server_default=EnrollmentStatus.DIUNDANG.value)
    source = Column(String(10), nullable=False, default=EnrollmentSource.DAFTAR.value,
                    server_default=EnrollmentSource.DAFTAR.value)
    invited_at = _now_column()
    attendance = Column(String(12))
    checked_in_at = Column(DateTime)
    checkin_method = Column(String(8))
    pre_score = Column(Numeric(5, 2))
    post_score = Column(Numeric(5, 2))
    certificate_number = Column(String(rules.CERTIFICATE_MAX))
    # wrong self check-in codes in a row, and the end of the lock after too many (in the database: every
    # gunicorn worker sees them)
    checkin_failures = Column(Integer, nullable=False, default=0, server_default="0")
    checkin_locked_until = Column(DateTime)
    changed_on = _now_column(onupdate=func.now())

    session = relationship("TrainingSession", back_populates="participants", lazy="selectin")
    employee = relationship("Employee", lazy="selectin")
    unit = relationship("Unit", lazy="select")
    feedback = relationship("TrainingFeedback", back_populates="participant", uselist=False, lazy="select",
                            cascade="all, delete-orphan", passive_deletes=True)

    @property
    def source_label(self):
        return EnrollmentSource(self.source).label if self.source in EnrollmentSource.__members__ else self.source

    def __repr__(self):
        return f"{self.employee_id}@{self.session_id}"


class TrainingSessionEvent(Model):
    """Riwayat sesi: the closing of a session's attendance and its reopening (by the Pengelola Kinerja, with
    the reason), with who and when. Shown on the session's roster; the audit trail holds the same change."""

    __tablename__ = "training_session_event"
    __table_args__ = (
        CheckConstraint(_in("kind", rules.SessionEventKind), name="ck_training_session_event_kind"),
        _length("training_session_event", "reason", rules.REOPEN_REASON_MAX),
        Index("ix_training_session_event_session_id", "session_id", "created_on"),
        Index("ix_training_session_event_user_id", "user_id"),
    )

    id = Column(Integer, primary_key=True)
    session_id = Column(Integer, ForeignKey("training_session.id", ondelete="CASCADE",
                                            name="fk_training_session_event_session"), nullable=False)
    kind = Column(String(16), nullable=False)
    reason = Column(Text)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_training_session_event_user"))
    created_on = _now_column()

    user = relationship("User", lazy="joined")

    @property
    def kind_label(self):
        return rules.SessionEventKind(self.kind).label if self.kind in rules.SessionEventKind.__members__ \
            else self.kind

    @property
    def user_name(self) -> str:
        if self.user is None:
            return ""
        return " ".join(p for p in (self.user.first_name, self.user.last_name) if p) or self.user.username

    def __repr__(self):
        return f"{self.kind}@{self.session_id}"


class TrainingFeedback(Model):
    """Umpan balik peserta: a participant's reaction to a session they attended (1-5 and a comment)."""

    __tablename__ = "training_feedback"
    __table_args__ = (
        CheckConstraint(f"rating >= {rules.RATING_MIN} AND rating <= {rules.RATING_MAX}",
                        name="ck_training_feedback_rating"),
        _length("training_feedback", "comment", rules.COMMENT_MAX),
        UniqueConstraint("participant_id", name="uq_training_feedback_participant"),
        Index("ix_training_feedback_session_rating", "session_id", "rating"),  # the summaries from the index (0016)
    )

    id = Column(Integer, primary_key=True)
    participant_id = Column(Integer, ForeignKey("training_participant.id", ondelete="CASCADE",
                                                name="fk_training_feedback_participant"), nullable=False)
    session_id = Column(Integer, ForeignKey("training_session.id", ondelete="CASCADE",
                                            name="fk_training_feedback_session"), nullable=False)
    rating = Column(Integer, nullable=False)
    comment = Column(Text)
    created_on = _now_column()

    participant = relationship("TrainingParticipant", back_populates="feedback", lazy="select")

    def __repr__(self):
        return f"{self.rating}"


class ExternalTraining(Model):
    """Pelatihan di luar sistem: a training attended elsewhere (BPSDM Provinsi, LAN, a ministry, a
    university…) recorded with its certificate (sertifikat, a content-checked upload). Counts towards the
    employee's JP of the year it ended once verified."""

    __tablename__ = "external_training"
    __table_args__ = (
        CheckConstraint(_in("status", ExternalStatus), name="ck_external_training_status"),
        CheckConstraint(_in("method", Method), name="ck_external_training_method"),
        CheckConstraint(f"jp > 0 AND jp <= {rules.JP_MAX}", name="ck_external_training_jp"),
        CheckConstraint("ended_on >= started_on", name="ck_external_training_dates"),
        _length("external_training", "title", rules.TITLE_MAX, required=True),
        _length("external_training", "organiser", rules.ORGANISER_MAX, required=True),
        _length("external_training", "certificate_number", rules.CERTIFICATE_MAX, required=True),
        _length("external_training", "notes", rules.NOTES_MAX),
        CheckConstraint("size_bytes IS NULL OR size_bytes >= 0", name="ck_external_training_size"),
        UniqueConstraint("stored_name", name="uq_external_training_stored_name"),
        Index("ix_external_training_employee_ended_on", "employee_id", "ended_on"),
        Index("ix_external_training_ended_on_status", "ended_on", "status"),
        Index("ix_external_training_topic_id", "topic_id"),
        Index("ix_external_training_recorded_by_id", "recorded_by_id"),
        Index("ix_external_training_verified_by_id", "verified_by_id"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="RESTRICT", name="fk_external_training_employee"),
                         nullable=False)
    title = Column(String(rules.TITLE_MAX), nullable=False)
    organiser = Column(String(rules.ORGANISER_MAX), nullable=False)
    method = Column(String(12), nullable=False, default=Method.KLASIKAL.value, server_default=Method.KLASIKAL.value)
    topic_id = Column(Integer, ForeignKey("training_topic.id", ondelete="SET NULL", name="fk_external_training_topic"))
    started_on = Column(Date, nullable=False)
    ended_on = Column(Date, nullable=False)
    jp = Column(Integer, nullable=False)
    certificate_number = Column(String(rules.CERTIFICATE_MAX), nullable=False)
    original_name = Column(String(255))
    stored_name = Column(String(64))
    content_type = Column(String(100))
    size_bytes = Column(Integer)
    sha256 = Column(String(64))
    status = Column(String(10), nullable=False, default=ExternalStatus.DIAJUKAN.value,
                    server_default=ExternalStatus.DIAJUKAN.value)
    notes = Column(Text)
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_external_training_recorded_by"))
    verified_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_external_training_verified_by"))
    verified_at = Column(DateTime)
    created_on = _now_column()

    employee = relationship("Employee", lazy="selectin")
    topic = relationship("TrainingTopic", lazy="selectin")

    @property
    def status_label(self):
        return ExternalStatus(self.status).label if self.status in ExternalStatus.__members__ else self.status

    @property
    def method_label(self):
        return Method(self.method).label if self.method in Method.__members__ else self.method

    def __repr__(self):
        return f"{self.title}"


class JpTarget(Model):
    """Target JP per tahun: the yearly competence-development target of an ASN type (PNS 20 JP; PPPK up to
    24 JP, verify). Seeded by the migration, edited by the Pengelola Kinerja."""

    __tablename__ = "jp_target"
    __table_args__ = (
        CheckConstraint(_in("asn_type", rules.ASN_TYPES), name="ck_jp_target_asn_type"),
        CheckConstraint(f"target_jp > 0 AND target_jp <= {rules.JP_MAX}", name="ck_jp_target_target_jp"),
        _length("jp_target", "notes", 500),
        UniqueConstraint("asn_type", name="uq_jp_target_asn_type"),
    )

    id = Column(Integer, primary_key=True)
    asn_type = Column(String(4), nullable=False)
    target_jp = Column(Integer, nullable=False)
    notes = Column(String(500))

    def __repr__(self):
        return f"{self.asn_type}: {self.target_jp} JP"


class TrainingNeedRule(Model):
    """Aturan kebutuhan pelatihan: an evaluation outcome (predikat at or below a level; the rater's feedback on
    a BerAKHLAK core value; indicators whose progress stayed below target) that recommends a training topic.
    Written by the Pengelola Kinerja."""

    __tablename__ = "training_need_rule"
    __table_args__ = (
        CheckConstraint(_in("outcome", NeedOutcome), name="ck_training_need_rule_outcome"),
        CheckConstraint(_null_or_in("predikat", Predikat), name="ck_training_need_rule_predikat_code"),
        CheckConstraint(f"outcome <> '{NeedOutcome.PREDIKAT}' OR predikat IS NOT NULL",
                        name="ck_training_need_rule_predikat"),
        CheckConstraint(f"outcome <> '{NeedOutcome.PERILAKU}' OR core_value_id IS NOT NULL",
                        name="ck_training_need_rule_core_value"),
        CheckConstraint("min_missed >= 1 AND min_missed <= 100", name="ck_training_need_rule_min_missed"),
        _length("training_need_rule", "notes", 500),
        Index("ix_training_need_rule_topic_id", "topic_id"),
        Index("ix_training_need_rule_core_value_id", "core_value_id"),
    )

    id = Column(Integer, primary_key=True)
    outcome = Column(String(10), nullable=False)
    predikat = Column(String(20))
    core_value_id = Column(Integer, ForeignKey("core_value.id", ondelete="RESTRICT",
                                               name="fk_training_need_rule_core_value"))
    min_missed = Column(Integer, nullable=False, default=1, server_default="1")
    topic_id = Column(Integer, ForeignKey("training_topic.id", ondelete="RESTRICT", name="fk_training_need_rule_topic"),
                      nullable=False)
    active = Column(Boolean, nullable=False, default=True, server_default=true())
    notes = Column(String(500))

    topic = relationship("TrainingTopic", lazy="selectin")
    core_value = relationship("CoreValue", lazy="selectin")

    @property
    def outcome_label(self):
        return NeedOutcome(self.outcome).label if self.outcome in NeedOutcome.__members__ else self.outcome

    @property
    def predikat_label(self):
        return Predikat(self.predikat).label if self.predikat in Predikat.__members__ else (self.predikat or "")

    @property
    def condition_text(self) -> str:
        if self.outcome == NeedOutcome.PREDIKAT:
            return f"{self.outcome_label}: {self.predikat_label}"
        if self.outcome == NeedOutcome.PERILAKU:
            return f"{self.outcome_label}: {self.core_value.name if self.core_value else ''}"
        return f"{self.outcome_label}: ≥ {self.min_missed}"

    def to_rule(self) -> rules.NeedRule:
        return rules.NeedRule(self.id, self.outcome, self.topic_id, self.predikat, self.core_value_id,
                              self.min_missed or 1)

    def __repr__(self):
        return f"{self.outcome} → {self.topic_id}"


class TrainingNeedSnapshot(Model):
    """Kebutuhan pelatihan (hasil tersimpan): the stored training needs of a year (``app/training/derived.py``),
    one row per recommended employee and topic over the whole city, with the employee's unit when computed (the
    unit filter and the row scope are applied when reading), the rules that fired (ids in rule order) and the
    employee's place in the screen's order (name, id). Derived data: refreshed as a whole per year."""

    __tablename__ = "training_need_snapshot"
    __table_args__ = (
        Index("ix_training_need_snapshot_year_topic_order", "year", "topic_id", "ord"),
        Index("ix_training_need_snapshot_year_unit", "year", "unit_id", "topic_id"),
        Index("ix_training_need_snapshot_employee_id", "employee_id"),
    )
    __audit__ = False  # derived data, rewritten by any request that finds it stale: not an official record

    year = Column(Integer, primary_key=True, autoincrement=False)
    topic_id = Column(Integer, ForeignKey("training_topic.id", ondelete="CASCADE",
                                          name="fk_training_need_snapshot_topic"), primary_key=True, autoincrement=False)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="CASCADE",
                                             name="fk_training_need_snapshot_employee"), primary_key=True,
                         autoincrement=False)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="CASCADE", name="fk_training_need_snapshot_unit"),
                     nullable=False)
    rule_ids = Column(String(200), nullable=False)
    ord = Column(Integer, nullable=False)


class TrainingEffectSnapshot(Model):
    """Efek pelatihan (hasil tersimpan): each present participant of a closed session with a topic, with the
    latest final result before the training and the first after it (``app/training/derived.py``), the
    participant's unit at the invitation and their place in the screen's order (topic, unit, name, start,
    participant). Derived data: refreshed as a whole."""

    __tablename__ = "training_effect_snapshot"
    __table_args__ = (
        Index("ix_training_effect_snapshot_ord", "ord"),
        Index("ix_training_effect_snapshot_topic_ord", "topic_id", "ord"),
        # a unit subtree: the counts from the index alone, the page's rows by their order
        Index("ix_training_effect_snapshot_unit_counts", "unit_id", "topic_id", "result_before", "result_after", "ord"),
        Index("ix_training_effect_snapshot_employee_id", "employee_id"),
        Index("ix_training_effect_snapshot_session_id", "session_id"),
    )
    __audit__ = False

    participant_id = Column(Integer, ForeignKey("training_participant.id", ondelete="CASCADE",
                                                name="fk_training_effect_snapshot_participant"), primary_key=True,
                            autoincrement=False)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="CASCADE",
                                             name="fk_training_effect_snapshot_employee"), nullable=False)
    session_id = Column(Integer, ForeignKey("training_session.id", ondelete="CASCADE",
                                            name="fk_training_effect_snapshot_session"), nullable=False)
    topic_id = Column(Integer, ForeignKey("training_topic.id", ondelete="CASCADE",
                                          name="fk_training_effect_snapshot_topic"), nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="CASCADE", name="fk_training_effect_snapshot_unit"),
                     nullable=False)
    result_before = Column(String(20))
    result_after = Column(String(20))
    ord = Column(Integer, nullable=False)


class TrainingEffectUnitSummary(Model):
    """Ringkasan efek pelatihan per unit (hasil tersimpan): the stored effect of training counted per unit of the
    participant, topic and pair of results (``app/training/derived.py``, refreshed with ``TrainingEffectSnapshot``):
    what a screen counts for a unit subtree whose every row the viewer may see (the largest OPD: 2,140 rows summed
    instead of 9,154 participants counted)."""

    __tablename__ = "training_effect_unit_summary"
    __audit__ = False
    __table_args__ = (Index("ix_training_effect_unit_summary_unit_topic", "unit_id", "topic_id"),)

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="CASCADE", name="fk_training_effect_unit_summary_unit"),
                     nullable=False)
    topic_id = Column(Integer, ForeignKey("training_topic.id", ondelete="CASCADE",
                                          name="fk_training_effect_unit_summary_topic"), nullable=False)
    result_before = Column(String(20))
    result_after = Column(String(20))
    participants = Column(Integer, nullable=False)


class TrainingEffectSummary(Model):
    """Ringkasan efek pelatihan (hasil tersimpan): the stored effect of training of the whole city counted per
    topic and pair of results (``app/training/derived.py``, refreshed with ``TrainingEffectSnapshot``): what the
    screens of the Admin and the Pengelola count without a unit (at most topics × 36 rows)."""

    __tablename__ = "training_effect_summary"
    __audit__ = False

    id = Column(Integer, primary_key=True)
    topic_id = Column(Integer, ForeignKey("training_topic.id", ondelete="CASCADE",
                                          name="fk_training_effect_summary_topic"), nullable=False, index=True)
    result_before = Column(String(20))
    result_after = Column(String(20))
    participants = Column(Integer, nullable=False)
