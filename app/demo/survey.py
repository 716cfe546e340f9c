"""Public satisfaction survey data (Survei Kepuasan Masyarakat, IKM) for the Palembang demo and for the bench.

``load_survey_demo(session, today)`` runs inside the demo's transaction, after the performance data. It marks
as public-service units (survey_service) the Dinas Kependudukan dan Pencatatan Sipil (KTP, KK, akta), the
DPMPTSP (perizinan), the first eight puskesmas and the first four kecamatan offices; gives each a campaign
last year (closed) and this year (open all year) with 40–160 anonymous answers each, their quality set per
unit so that the grades differ (most B, some A, one C, a struggling puskesmas near D). The seed's example
(domain.md): the head of the first puskesmas has, in this year's plan, an RHK indicator "Indeks Kepuasan
Masyarakat" whose realised value is the puskesmas' IKM (value_source IKM); his Pimpinan sees it on the plan.

``generate_survey(session, seed, years)`` (``flask portal generate --survey``) does the same at Palembang
scale for generated data: every PUSKESMAS, KECAMATAN and KELURAHAN unit and every tenth OPD/UPTD become service
units with one campaign per year and 50–400 answers each.

Deterministic (a seeded ``random.Random``; dates follow ``today``). SQLAlchemy Core inserts in one
transaction (the caller commits); anonymous answers are not in the audit trail.
"""
from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import delete, insert, select

from app.survey import rules

SEED = 1717
SERVICE_NAMES = {
    "DUKCAPIL": "Pelayanan KTP-el, Kartu Keluarga dan Akta",
    "DPMPTSP": "Pelayanan Perizinan Berusaha",
    "PUSKESMAS": "Pelayanan Kesehatan Puskesmas",
    "KECAMATAN": "Pelayanan Administrasi Kecamatan",
    "KELURAHAN": "Pelayanan Administrasi Kelurahan",
    "OPD": "Pelayanan Publik",
    "UPTD": "Pelayanan Teknis",
}
COMMENTS = ["Pelayanan cepat dan ramah.", "Antrian terlalu lama.", "Petugas membantu dengan sabar.",
            "Ruang tunggu panas, mohon ditambah kipas.", "Persyaratan jelas di papan informasi.",
            "Mohon informasi biaya lebih jelas.", "Terima kasih, sangat puas.", "Parkir sempit."]


@dataclass
class SurveyDemo:
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


def _tables():
    md = Model.metadata.tables
    return md["unit"], md["survey_service"], md["survey_campaign"], md["survey_response"]


def _answers(rng: random.Random, quality: float) -> dict:
    """One respondent: nine answers around ``quality`` (1–4), a profile, now and then a comment."""
    row = {}
    for key in rules.ELEMENT_KEYS:
        value = round(rng.gauss(quality, 0.55))
        row[key] = min(rules.SCALE_MAX, max(rules.SCALE_MIN, value))
    row["age_band"] = rng.choice([c.value for c in rules.AgeBand] + [None])
    row["gender"] = rng.choice(["L", "P", None])
    row["education"] = rng.choice([c.value for c in rules.Education] + [None])
    row["occupation"] = rng.choice([c.value for c in rules.Occupation] + [None])
    row["comment"] = rng.choice(COMMENTS) if rng.random() < 0.15 else None
    return row


def _write(conn, rng, units: list, years: list, today: date, answers: tuple, closed_before: int) -> dict:
    """Service units, one campaign per unit and year, answers. ``units``: (unit id, unit type, quality)."""
    unit_t, service_t, campaign_t, response_t = _tables()
    existing = set(conn.execute(select(service_t.c.unit_id)).scalars())
    conn.execute(insert(service_t), [{"unit_id": uid, "service_name": SERVICE_NAMES.get(kind, "Pelayanan Publik"),
                                      "active": True} for uid, kind, _q in units if uid not in existing]) \
        if any(uid not in existing for uid, _k, _q in units) else None
    campaigns = responses = 0
    for uid, _kind, quality in units:
        for year in years:
            closes = date(year, 12, 31) if year >= closed_before else date(year, 11, 30)
            token = secrets.token_urlsafe(rules.TOKEN_BYTES)
            cid = conn.execute(insert(campaign_t).values(
                unit_id=uid, year=year, opens_on=date(year, 1, 2), closes_on=closes, active=True, token=token)
                .returning(campaign_t.c.id)).scalar_one()
            campaigns += 1
            last = min(today, closes)
            span = max(1, (last - date(year, 1, 2)).days)
            drift = rng.uniform(-0.15, 0.15)
            rows = []
            for _ in range(rng.randint(*answers)):
                row = _answers(rng, quality + drift)
                day = date(year, 1, 2) + timedelta(days=rng.randrange(span))
                row.update(campaign_id=cid, submitted_at=datetime(day.year, day.month, day.day,
                                                                  rng.randint(8, 15), rng.randint(0, 59)))
                rows.append(row)
            if rows:
                conn.execute(insert(response_t), rows)
                responses += len(rows)
    return {"survey service units": len(units), "survey campaigns": campaigns, "survey responses": responses}


def load_survey_demo(session, today: date, seed: int = SEED) -> SurveyDemo:
    conn = session.connection()
    rng = random.Random(seed)
    unit_t, service_t, campaign_t, _response_t = _tables()
    rows = conn.execute(select(unit_t.c.id, unit_t.c.code, unit_t.c.unit_type, unit_t.c.name)
                        .order_by(unit_t.c.code)).all()
    by_code = {r.code: r for r in rows}
    chosen = []
    for code, quality in (("DUKCAPIL", 3.25), ("DPMPTSP", 3.45)):
        if code in by_code:
            chosen.append((by_code[code].id, code, quality))
    puskesmas = [r for r in rows if r.unit_type == "PUSKESMAS"][:8]
    qualities = [3.4, 3.55, 3.1, 3.2, 2.55, 3.3, 3.0, 2.2]
    chosen += [(r.id, "PUSKESMAS", q) for r, q in zip(puskesmas, qualities)]
    chosen += [(r.id, "KECAMATAN", rng.uniform(2.9, 3.4)) for r in [r for r in rows if r.unit_type == "KECAMATAN"][:4]]
    if not chosen:
        return SurveyDemo()
    # a reload after a reset: the campaigns of units that are gone went with them; start these units afresh
    ids = [uid for uid, _k, _q in chosen]
    conn.execute(delete(campaign_t).where(campaign_t.c.unit_id.in_(ids)))
    counts = _write(conn, rng, chosen, [today.year - 1, today.year], today, (40, 160), closed_before=today.year)
    if puskesmas:
        counts["IKM indicators"] = _ikm_indicator(conn, puskesmas[0].id, today.year)
    return SurveyDemo(counts)


def _ikm_indicator(conn, unit_id: int, year: int) -> int:
    """The seed's example: the head of the puskesmas gets an RHK indicator whose realised value is its IKM."""
    md = Model.metadata.tables
    unit, employee, skp, rhk, indicator = md["unit"], md["employee"], md["skp"], md["rhk"], md["indicator"]
    head = conn.execute(select(employee.c.id).join(unit, unit.c.head_position_id == employee.c.position_id)
                        .where(unit.c.id == unit_id, employee.c.status == "AKTIF").order_by(employee.c.id)).first()
    if head is None:
        return 0
    target = conn.execute(select(rhk.c.id).join(skp, skp.c.id == rhk.c.skp_id)
                          .where(skp.c.employee_id == head.id, skp.c.year == year)
                          .order_by(skp.c.is_current.desc(), skp.c.id.desc(), rhk.c.sort_order, rhk.c.id)).first()
    if target is None:
        return 0
    conn.execute(insert(indicator).values(
        rhk_id=target.id, aspect="KUALITAS", text="Indeks Kepuasan Masyarakat (IKM) terhadap pelayanan puskesmas",
        target_value=Decimal("82.00"), target_unit="nilai IKM", target_text=None, sort_order=99,
        value_source="IKM", ikm_unit_id=unit_id))
    return 1


def generate_survey(session, seed: int = 42, years: int = 1, today: date | None = None) -> SurveyDemo:
    """Survey data at Palembang scale for generated organisation data (bench)."""
    started = time.perf_counter()
    today = today or date.today()
    conn = session.connection()
    rng = random.Random(seed)
    unit_t, _service_t, campaign_t, _response_t = _tables()
    rows = conn.execute(select(unit_t.c.id, unit_t.c.unit_type).order_by(unit_t.c.id)).all()
    chosen = [(r.id, r.unit_type, rng.uniform(2.3, 3.7)) for i, r in enumerate(rows)
              if r.unit_type in ("PUSKESMAS", "KECAMATAN", "KELURAHAN") or (r.unit_type in ("OPD", "UPTD") and i % 10 == 0)]
    if not chosen:
        return SurveyDemo()
    conn.execute(delete(campaign_t).where(campaign_t.c.unit_id.in_([uid for uid, _k, _q in chosen])))
    counts = _write(conn, rng, chosen, list(range(today.year - max(years, 1) + 1, today.year + 1)), today,
                    (50, 400), closed_before=today.year)
    return SurveyDemo(counts, time.perf_counter() - started)
