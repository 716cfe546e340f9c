"""Award decisions as data: one decision per employee, year and award kind (unique), with the decree.

Candidates are computed from the evaluations and the NIPs (``services``); the screens read them from a stored
snapshot per year (``AwardCandidateSnapshot``, refreshed by ``derived``).
A decision keeps why the employee was a candidate (``reason``) and who decided, so the record still reads
right when the data behind it changes. An official record: the employee cannot be deleted while it
exists (ON DELETE RESTRICT).
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, func)
from sqlalchemy.orm import relationship

from .rules import DECREE_MAX, NOTES_MAX, REASON_MAX, YEAR_MAX, YEAR_MIN, AwardKind, Decision


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class AwardDecision(Model):
    """Keputusan penghargaan: the Pengelola Kinerja's decision (disetujui / tidak disetujui, with the number
    and date of the decree — SK) on a candidate for an award or a follow-up priority of one year."""

    __tablename__ = "award_decision"
    __table_args__ = (
        CheckConstraint(_in("kind", AwardKind), name="ck_award_decision_kind"),
        CheckConstraint(_in("decision", [d.value for d in Decision]), name="ck_award_decision_decision"),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="ck_award_decision_year"),
        CheckConstraint(f"decision <> '{Decision.APPROVED.value}' OR (decree_number IS NOT NULL "
                        "AND decree_date IS NOT NULL)", name="ck_award_decision_approved_has_decree"),
        CheckConstraint(f"notes IS NULL OR length(notes) <= {NOTES_MAX}", name="ck_award_decision_notes_length"),
        UniqueConstraint("employee_id", "year", "kind", name="uq_award_decision_employee_year_kind"),
        Index("ix_award_decision_year_kind", "year", "kind"),
        Index("ix_award_decision_decided_by_id", "decided_by_id"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="RESTRICT", name="fk_award_decision_employee"),
                         nullable=False)
    year = Column(Integer, nullable=False)
    kind = Column(String(30), nullable=False)
    decision = Column(String(20), nullable=False)
    decree_number = Column(String(DECREE_MAX))
    decree_date = Column(Date)
    notes = Column(Text)
    reason = Column(String(REASON_MAX))
    decided_at = Column(DateTime, nullable=False, default=func.now(), server_default=func.now())
    decided_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_award_decision_decided_by"))
    decided_by_name = Column(String(150))

    employee = relationship("Employee", lazy="select")

    @property
    def kind_label(self):
        return AwardKind(self.kind).label if self.kind in AwardKind.__members__ else self.kind

    @property
    def decision_label(self):
        return Decision(self.decision).label if self.decision in Decision._value2member_map_ else self.decision

    def __repr__(self):
        return f"{self.kind} {self.year} ({self.employee_id}): {self.decision}"


class AwardCandidateSnapshot(Model):
    """Kandidat penghargaan (hasil tersimpan): the stored award candidates of a year (``app/awards/derived.py``),
    one row per employee and award kind, with the employee's unit (the row scope is applied when reading) and what
    the screen shows (the two predikat, or the months of service on the reference date). Derived data: refreshed
    as a whole per year; deleted with the employee or the unit."""

    __tablename__ = "award_candidate_snapshot"
    __table_args__ = (
        Index("ix_award_candidate_snapshot_year_order", "year", "kind_order", "employee_id"),
        Index("ix_award_candidate_snapshot_year_unit", "year", "unit_id", "kind"),
    )

    year = Column(Integer, primary_key=True, autoincrement=False)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="CASCADE",
                                             name="fk_award_candidate_snapshot_employee"), primary_key=True,
                         autoincrement=False)
    kind = Column(String(30), primary_key=True)
    kind_order = Column(Integer, nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="CASCADE", name="fk_award_candidate_snapshot_unit"),
                     nullable=False)
    previous = Column(String(20))
    current = Column(String(20))
    months = Column(Integer)
