"""Socialization material as data: the material (category, audience, publication dates), its published
versions (each kept), the files attached to a version, and each employee's acknowledgement of a version.

Codes come from the ``StrEnum`` vocabularies of ``rules`` (the check constraints are built from them).

* ``Material.current_number`` is the number of the version in force: publishing a new version adds a
  ``MaterialVersion`` row with the next number and moves it (no foreign key cycle between the two tables).
* A file (``MaterialFile``) belongs to the material; a version lists the files it carries
  (``material_version_file``), so a new version can keep earlier files without copying them.
* ``MaterialAcknowledgement`` is unique per (version, employee): acknowledging a version twice is refused
  by the database too; a new version asks again because it has no row yet.

Deletion: the parts of a material go with it (ON DELETE CASCADE). The portal never deletes a material (it
ends its publication instead); the demo's reset and a deleted unit or employee take their rows along.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint, and_, func)
from sqlalchemy.orm import foreign, relationship

from .rules import (AUDIENCE_ROLES, BODY_MAX, CODE_MAX, NOTE_MAX, TITLE_MAX, Audience, Category)

from app.core.uploads import KINDS


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _now_column(**kwargs):
    return Column(DateTime, nullable=False, default=func.now(), server_default=func.now(), **kwargs)


material_version_file = Table(
    "material_version_file", Model.metadata,
    Column("version_id", Integer, ForeignKey("material_version.id", ondelete="CASCADE",
                                             name="fk_material_version_file_version"), primary_key=True),
    Column("file_id", Integer, ForeignKey("material_file.id", ondelete="CASCADE",
                                          name="fk_material_version_file_file"), primary_key=True),
    Index("ix_material_version_file_file_id", "file_id"),
)


class Material(Model):
    """Materi sosialisasi: a guide published to employees, with its category, audience (sasaran) and
    publication dates; its content lives in its versions."""

    __tablename__ = "material"
    __table_args__ = (
        CheckConstraint(_in("category", Category), name="ck_material_category"),
        CheckConstraint(_in("audience", Audience), name="ck_material_audience"),
        CheckConstraint("published_until IS NULL OR published_until >= published_from",
                        name="ck_material_published_dates"),
        CheckConstraint("current_number >= 1", name="ck_material_current_number"),
        UniqueConstraint("code", name="uq_material_code"),
        Index("ix_material_published", "published_from", "published_until"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(CODE_MAX))  # set for the starter set (idempotent loading), else empty
    category = Column(String(20), nullable=False, default=Category.OTHER.value)
    audience = Column(String(10), nullable=False, default=Audience.ALL.value, server_default=Audience.ALL.value)
    published_from = Column(Date, nullable=False)
    published_until = Column(Date)
    current_number = Column(Integer, nullable=False, default=1, server_default="1")
    created_on = _now_column()
    changed_on = _now_column(onupdate=func.now())
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL", name="fk_material_created_by"))

    # joined: every screen shows a material with its current title
    current_version = relationship(
        "MaterialVersion", uselist=False, viewonly=True, lazy="joined",
        primaryjoin=lambda: and_(foreign(MaterialVersion.material_id) == Material.id,
                                 MaterialVersion.number == Material.current_number))
    versions = relationship("MaterialVersion", back_populates="material", lazy="select",
                            order_by="MaterialVersion.number.desc()", cascade="all, delete-orphan",
                            passive_deletes=True)
    audience_units = relationship("MaterialAudienceUnit", lazy="select", cascade="all, delete-orphan",
                                  passive_deletes=True)
    audience_roles = relationship("MaterialAudienceRole", lazy="select", cascade="all, delete-orphan",
                                  passive_deletes=True)
    files = relationship("MaterialFile", back_populates="material", lazy="select", cascade="all, delete-orphan",
                         passive_deletes=True, order_by="MaterialFile.id")

    @property
    def category_label(self):
        return Category(self.category).label if self.category in Category.__members__ else self.category

    @property
    def audience_label(self):
        return Audience(self.audience).label if self.audience in Audience.__members__ else self.audience

    @property
    def title(self) -> str:
        return self.current_version.title if self.current_version is not None else ""

    def __repr__(self):
        return self.title or f"Materi {self.id}"


class MaterialVersion(Model):
    """Versi materi: one published version of a material (title, sanitised HTML body, change note), kept
    for good; editing a material publishes the next version."""

    __tablename__ = "material_version"
    __table_args__ = (
        CheckConstraint("number >= 1", name="ck_material_version_number"),
        CheckConstraint(f"length(body_html) <= {BODY_MAX}", name="ck_material_version_body_length"),
        CheckConstraint("length(title) > 0", name="ck_material_version_title"),
        UniqueConstraint("material_id", "number", name="uq_material_version_number"),
    )

    id = Column(Integer, primary_key=True)
    material_id = Column(Integer, ForeignKey("material.id", ondelete="CASCADE", name="fk_material_version_material"),
                         nullable=False)
    number = Column(Integer, nullable=False)
    title = Column(String(TITLE_MAX), nullable=False)
    body_html = Column(Text, nullable=False)
    change_note = Column(String(NOTE_MAX))
    published_at = _now_column()
    published_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL",
                                                 name="fk_material_version_published_by"))
    published_by_name = Column(String(150))  # snapshot: the history still reads right if the account goes

    material = relationship("Material", back_populates="versions", lazy="select")
    files = relationship("MaterialFile", secondary=material_version_file, lazy="select", order_by="MaterialFile.id",
                         passive_deletes=True)

    def __repr__(self):
        return f"{self.title} (v{self.number})"


class MaterialFile(Model):
    """Lampiran: a file attached to a material (pdf, docx, xlsx, png or jpg, checked by its content),
    stored outside the static folder under a random name and only ever downloaded as an attachment."""

    __tablename__ = "material_file"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="ck_material_file_kind"),
        CheckConstraint("size_bytes >= 0", name="ck_material_file_size"),
        UniqueConstraint("stored_name", name="uq_material_file_stored_name"),
        Index("ix_material_file_material_id", "material_id"),
    )

    id = Column(Integer, primary_key=True)
    material_id = Column(Integer, ForeignKey("material.id", ondelete="CASCADE", name="fk_material_file_material"),
                         nullable=False)
    kind = Column(String(4), nullable=False)
    original_name = Column(String(255), nullable=False)
    stored_name = Column(String(64), nullable=False)
    content_type = Column(String(100), nullable=False)
    size_bytes = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    uploaded_at = _now_column()

    material = relationship("Material", back_populates="files", lazy="select")

    def __repr__(self):
        return self.original_name


class MaterialAudienceUnit(Model):
    """Sasaran unit: a unit whose employees (and those of every unit below it) are the audience."""

    __tablename__ = "material_audience_unit"
    __table_args__ = (Index("ix_material_audience_unit_unit_id", "unit_id"),)

    material_id = Column(Integer, ForeignKey("material.id", ondelete="CASCADE",
                                             name="fk_material_audience_unit_material"), primary_key=True)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="CASCADE", name="fk_material_audience_unit_unit"),
                     primary_key=True)

    unit = relationship("Unit", lazy="select")


class MaterialAudienceRole(Model):
    """Sasaran peran: a role whose holders are the audience."""

    __tablename__ = "material_audience_role"
    __table_args__ = (CheckConstraint(_in("role", AUDIENCE_ROLES), name="ck_material_audience_role_role"),)

    material_id = Column(Integer, ForeignKey("material.id", ondelete="CASCADE",
                                             name="fk_material_audience_role_material"), primary_key=True)
    role = Column(String(30), primary_key=True)


class MaterialAcknowledgement(Model):
    """Konfirmasi baca: an employee's "I have read and understood" for one version of a material.

    Not copied into the audit trail (one row per employee and version, with its own time stamp)."""

    __tablename__ = "material_acknowledgement"
    __table_args__ = (
        UniqueConstraint("version_id", "employee_id", name="uq_material_acknowledgement_version_employee"),
        # an employee's acknowledgements; the dashboards' reach asks EXISTS per employee and year (migration 0018)
        Index("ix_material_acknowledgement_employee_at", "employee_id", "acknowledged_at"),
        # the dashboards' socialization reach of a year, from the index alone (migration 0014)
        Index("ix_material_acknowledgement_acknowledged_at", "acknowledged_at", "employee_id"),
    )
    __audit__ = False

    id = Column(Integer, primary_key=True)
    version_id = Column(Integer, ForeignKey("material_version.id", ondelete="CASCADE",
                                            name="fk_material_acknowledgement_version"), nullable=False)
    employee_id = Column(Integer, ForeignKey("employee.id", ondelete="CASCADE",
                                             name="fk_material_acknowledgement_employee"), nullable=False)
    acknowledged_at = _now_column()

    version = relationship("MaterialVersion", lazy="select")

    def __repr__(self):
        return f"{self.employee_id} ✓ {self.version_id}"
