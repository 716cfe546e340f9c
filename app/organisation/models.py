"""Organisation master data: units, positions, ranks and employees."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer,
                        String, false, func, true)
from sqlalchemy.orm import relationship

from . import rules


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(Model):
    """Unit kerja: a node of the city's organisation tree (Pemkot → OPD → bidang, UPTD, sekolah…)."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint(_in("unit_type", rules.UNIT_TYPES), name="ck_unit_type"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="ck_unit_not_own_parent"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    name = Column(String(200), nullable=False, index=True)
    unit_type = Column(String(20), nullable=False)
    parent_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    head_position_id = Column(Integer, ForeignKey("position.id", use_alter=True, name="fk_unit_head_position",
                                                  ondelete="SET NULL"))
    active = Column(Boolean, nullable=False, default=True, server_default=true())

    # selectin: one extra query per page for all parents, instead of widening every employee query
    parent = relationship("Unit", remote_side=[id], back_populates="children", lazy="selectin",
                          join_depth=1)
    children = relationship("Unit", back_populates="parent", lazy="select")
    head_position = relationship("Position", foreign_keys=[head_position_id], lazy="select", post_update=True)

    @property
    def unit_type_label(self):
        return rules.UNIT_TYPES.get(self.unit_type, self.unit_type)

    def __repr__(self):
        return f"{self.name}"


class Position(Model):
    """Jabatan: a position with its type (JPT, administrator, pengawas, pelaksana, fungsional), level and
    kelas jabatan, in a unit; the parent position is the one its holder reports to."""

    __tablename__ = "position"
    __table_args__ = (
        CheckConstraint(_in("position_type", rules.POSITION_TYPES), name="ck_position_type"),
        CheckConstraint(f"level IS NULL OR {_in('level', rules.ALL_POSITION_LEVELS)}", name="ck_position_level"),
        CheckConstraint(f"grade BETWEEN {rules.GRADE_MIN} AND {rules.GRADE_MAX}", name="ck_position_grade"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="ck_position_not_own_parent"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False, index=True)
    position_type = Column(String(20), nullable=False)
    level = Column(String(20))
    grade = Column(Integer, nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT"), nullable=False, index=True)
    parent_id = Column(Integer, ForeignKey("position.id", ondelete="SET NULL"), index=True)

    # "unnested": a plain inner join, not a nested one SQLite would materialise for every query
    unit = relationship("Unit", foreign_keys=[unit_id], lazy="joined", innerjoin="unnested")
    parent = relationship("Position", remote_side=[id], lazy="select")

    @property
    def position_type_label(self):
        return rules.POSITION_TYPES.get(self.position_type, self.position_type)

    @property
    def level_label(self):
        return rules.ALL_POSITION_LEVELS.get(self.level, self.level or "")

    def __repr__(self):
        return f"{self.name}"


class Rank(Model):
    """Golongan/pangkat: the 17 PNS ranks (I/a Juru Muda … IV/e Pembina Utama) and PPPK golongan I–XVII.
    Reference data loaded by a migration."""

    __tablename__ = "rank"
    __table_args__ = (
        CheckConstraint("asn_type IN ('PNS', 'PPPK')", name="ck_rank_asn_type"),
        Index("uq_rank_asn_type_code", "asn_type", "code", unique=True),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(10), nullable=False)
    name = Column(String(60), nullable=False)
    asn_type = Column(String(4), nullable=False)
    sort_order = Column(Integer, nullable=False)

    def __repr__(self):
        return f"{self.code} {self.name}" if self.asn_type == "PNS" else f"PPPK {self.code}"


class Employee(Model):
    """Pegawai: a civil servant (PNS, CPNS or PPPK), identified by NIP, with rank, position, unit and
    direct supervisor (atasan langsung)."""

    __tablename__ = "employee"
    __table_args__ = (
        CheckConstraint(_in("asn_type", rules.ASN_TYPES), name="ck_employee_asn_type"),
        CheckConstraint(_in("status", rules.EMPLOYEE_STATUSES), name="ck_employee_status"),
        CheckConstraint(_in("gender", rules.GENDERS), name="ck_employee_gender"),
        CheckConstraint("length(nip) = 18", name="ck_employee_nip_length"),
        CheckConstraint("supervisor_id IS NULL OR supervisor_id <> id", name="ck_employee_not_own_supervisor"),
        # a unit's employees with their status from the index alone (the socialization reach and unread counts
        # of every active employee per unit); serves every look-up by unit as well (migration 0020)
        Index("ix_employee_unit_status", "unit_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    nip = Column(String(18), nullable=False, unique=True)
    name = Column(String(150), nullable=False, index=True)
    front_title = Column(String(50))
    back_title = Column(String(80))
    gender = Column(String(1), nullable=False)
    birth_date = Column(Date, nullable=False)
    birth_place = Column(String(100))
    asn_type = Column(String(4), nullable=False, default="PNS")
    status = Column(String(30), nullable=False, default="AKTIF", server_default="AKTIF")
    rank_id = Column(Integer, ForeignKey("rank.id", ondelete="RESTRICT"), index=True)
    position_id = Column(Integer, ForeignKey("position.id", ondelete="SET NULL"), index=True)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT"), nullable=False)
    supervisor_id = Column(Integer, ForeignKey("employee.id", ondelete="SET NULL"), index=True)
    supervisor_override = Column(Boolean, nullable=False, default=False, server_default=false())
    email = Column(String(120))
    phone = Column(String(30))
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), unique=True)
    created_on = Column(DateTime, nullable=False, default=func.now(), server_default=func.now())
    changed_on = Column(DateTime, nullable=False, default=func.now(), server_default=func.now(),
                        onupdate=func.now())

    rank = relationship("Rank", lazy="joined")
    position = relationship("Position", lazy="joined")
    unit = relationship("Unit", lazy="joined", innerjoin="unnested")
    # selectin: lists do not show the supervisor; a page loads all of them in one extra query
    supervisor = relationship("Employee", remote_side=[id], lazy="selectin", join_depth=1)
    user = relationship("User", lazy="select", foreign_keys=[user_id])

    @property
    def full_name(self) -> str:
        return rules.full_name(self.name, self.front_title, self.back_title)

    @property
    def asn_type_label(self):
        return rules.ASN_TYPES.get(self.asn_type, self.asn_type)

    @property
    def status_label(self):
        return rules.EMPLOYEE_STATUSES.get(self.status, self.status)

    @property
    def gender_label(self):
        return rules.GENDERS.get(self.gender, self.gender)

    def __repr__(self):
        return f"{self.full_name} ({self.nip})"
