"""Public satisfaction survey (Survei Kepuasan Masyarakat, SKM; the index is the IKM, PermenPANRB 14/2017).

* ``SurveyService`` — unit layanan publik: an existing unit kerja flagged as a public-service unit (the
  organisation tables stay as they are; the flag lives here), with the name of the service shown to citizens;
* ``SurveyCampaign`` — periode survei: one survey of a service unit for a year, open between two dates, with
  a random public token used in its URL and its QR code (no numeric id in public links);
* ``SurveyResponse`` — one citizen's answers: the nine elements 1–4 (CHECK in the schema), an optional
  comment and an optional respondent profile (age band, gender, education, occupation). No name, no
  identity number, no IP address;
* ``SurveyThrottle`` — fixed-window counters of the abuse protection (per IP, per device), in the database so
  that every gunicorn worker sees the same counts.

Deletion: a campaign's responses go with it (CASCADE); a service unit with campaigns cannot be removed
(RESTRICT), the unit kerja itself neither.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, SmallInteger,
                        String, Text, UniqueConstraint, func, true)
from sqlalchemy.orm import relationship

from . import rules


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _null_or_in(column: str, values) -> str:
    return f"{column} IS NULL OR {_in(column, values)}"


class SurveyService(Model):
    """Unit layanan publik: a unit kerja that serves citizens and surveys their satisfaction."""

    __tablename__ = "survey_service"
    __table_args__ = (
        UniqueConstraint("unit_id", name="uq_survey_service_unit"),
        CheckConstraint("length(service_name) >= 1 AND length(service_name) <= 200",
                        name="ck_survey_service_service_name"),
    )

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("unit.id", ondelete="RESTRICT", name="fk_survey_service_unit"),
                     nullable=False)
    service_name = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True, server_default=true())

    unit = relationship("Unit", lazy="joined", innerjoin=True)

    def __repr__(self):
        return f"{self.service_name}"


class SurveyCampaign(Model):
    """Periode survei: the survey of a service unit in a year, open from ``opens_on`` to ``closes_on``."""

    __tablename__ = "survey_campaign"
    __table_args__ = (
        UniqueConstraint("token", name="uq_survey_campaign_token"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_survey_campaign_year"),
        CheckConstraint("closes_on >= opens_on", name="ck_survey_campaign_dates"),
        CheckConstraint("length(token) >= 16 AND length(token) <= 64", name="ck_survey_campaign_token"),
        Index("ix_survey_campaign_unit_year", "unit_id", "year"),
    )

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("survey_service.unit_id", ondelete="RESTRICT",
                                         name="fk_survey_campaign_service"), nullable=False)
    year = Column(Integer, nullable=False)
    opens_on = Column(Date, nullable=False)
    closes_on = Column(Date, nullable=False)
    active = Column(Boolean, nullable=False, default=True, server_default=true())
    token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=func.now(), server_default=func.now())

    service = relationship("SurveyService", lazy="joined", innerjoin=True,
                           primaryjoin="SurveyCampaign.unit_id == SurveyService.unit_id", foreign_keys=[unit_id])
    unit = relationship("Unit", lazy="joined", innerjoin=True,
                        primaryjoin="SurveyCampaign.unit_id == Unit.id", foreign_keys=[unit_id], viewonly=True)

    def is_open(self, today) -> bool:
        return rules.campaign_is_open(self.active, self.opens_on, self.closes_on, today)

    def __repr__(self):
        return f"{self.year} {self.opens_on}–{self.closes_on}"


class SurveyResponse(Model):
    """Jawaban responden: the nine answers (1–4), optional comment and profile; anonymous."""

    __tablename__ = "survey_response"
    __audit__ = False  # anonymous citizens' answers, thousands a day: not in the audit trail
    __table_args__ = tuple(
        [CheckConstraint(f"{key} BETWEEN {rules.SCALE_MIN} AND {rules.SCALE_MAX}", name=f"ck_survey_response_{key}")
         for key in rules.ELEMENT_KEYS]
        + [CheckConstraint(_null_or_in("age_band", rules.AgeBand), name="ck_survey_response_age_band"),
           CheckConstraint(_null_or_in("gender", rules.Gender), name="ck_survey_response_gender"),
           CheckConstraint(_null_or_in("education", rules.Education), name="ck_survey_response_education"),
           CheckConstraint(_null_or_in("occupation", rules.Occupation), name="ck_survey_response_occupation"),
           CheckConstraint(f"comment IS NULL OR length(comment) <= {rules.COMMENT_MAX}",
                           name="ck_survey_response_comment"),
           Index("ix_survey_response_campaign_id", "campaign_id")]
    )

    id = Column(Integer, primary_key=True)
    campaign_id = Column(Integer, ForeignKey("survey_campaign.id", ondelete="CASCADE",
                                             name="fk_survey_response_campaign"), nullable=False)
    submitted_at = Column(DateTime, nullable=False, default=func.now(), server_default=func.now())
    u1 = Column(SmallInteger, nullable=False)
    u2 = Column(SmallInteger, nullable=False)
    u3 = Column(SmallInteger, nullable=False)
    u4 = Column(SmallInteger, nullable=False)
    u5 = Column(SmallInteger, nullable=False)
    u6 = Column(SmallInteger, nullable=False)
    u7 = Column(SmallInteger, nullable=False)
    u8 = Column(SmallInteger, nullable=False)
    u9 = Column(SmallInteger, nullable=False)
    comment = Column(Text)
    age_band = Column(String(10))
    gender = Column(String(1))
    education = Column(String(10))
    occupation = Column(String(12))

    campaign = relationship("SurveyCampaign", lazy="select")


class SurveyThrottle(Model):
    """Abuse-protection counter: ``hits`` in the fixed window starting at ``window_start`` (epoch seconds) for
    one key (``ip:<address>`` or ``dev:<campaign>:<device>``). Old rows are pruned by the service."""

    __tablename__ = "survey_throttle"
    __table_args__ = (Index("ix_survey_throttle_window_start", "window_start"),)

    key = Column(String(120), primary_key=True)
    window_start = Column(Integer, nullable=False)
    hits = Column(Integer, nullable=False)
