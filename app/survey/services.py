"""Database work of the public satisfaction survey: IKM aggregates (per campaign, per unit and year, the
series for the dashboards), storing a citizen's response behind the abuse protection, campaign upkeep.

``db`` is a SQLAlchemy session everywhere (``app.extensions.db.session`` in the app)."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, text
from sqlalchemy import Integer, literal
from sqlalchemy import false as sa_false
from sqlalchemy.orm import aliased

from app.core.errors import DomainValidationError
from app.core.transactions import atomic
from app.organisation.models import Unit

from . import rules
from .models import SurveyCampaign, SurveyResponse, SurveyService, SurveyThrottle

_ELEMENT_SUMS = [func.sum(getattr(SurveyResponse, key)).label(key) for key in rules.ELEMENT_KEYS]


def new_token() -> str:
    """A public campaign token: 22 URL-safe characters (128 random bits)."""
    return secrets.token_urlsafe(rules.TOKEN_BYTES)


# --- results ----------------------------------------------------------------------------------------------

def _result_from_row(row) -> rules.IkmResult:
    return rules.ikm_result(row.respondents, {key: getattr(row, key) for key in rules.ELEMENT_KEYS})


def unit_year_results(db, unit_ids: Optional[Iterable[int]], years: Iterable[int]) -> dict:
    """{(unit_id, year): IkmResult} over every response of the unit's campaigns of that year (one query).
    ``unit_ids=None``: every service unit."""
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    stmt = (select(SurveyCampaign.unit_id, SurveyCampaign.year,
                   func.count(SurveyResponse.id).label("respondents"), *_ELEMENT_SUMS)
            .join(SurveyResponse, SurveyResponse.campaign_id == SurveyCampaign.id)
            .where(SurveyCampaign.year.in_(years))
            .group_by(SurveyCampaign.unit_id, SurveyCampaign.year))
    if unit_ids is not None:
        ids = sorted({int(u) for u in unit_ids})
        if not ids:
            return {}
        stmt = stmt.where(SurveyCampaign.unit_id.in_(ids))
    return {(row.unit_id, row.year): _result_from_row(row) for row in db.execute(stmt)}


def ikm_series(db, unit_ids: list[int] | None, years: list[int]) -> list[dict]:
    """Public satisfaction per service unit over time (for the dashboards): one dict per (service unit, year)
    with keys unit_id, unit_name, year, respondents, ikm (Decimal or None), grade (grade code "A"–"D" or None).

    ``unit_ids=None`` means the whole city (every service unit); otherwise only the service units among
    ``unit_ids`` (other units are not surveyed and are left out). Every requested year appears for every
    service unit, with respondents 0 and ikm/grade None when nobody answered. Sorted by unit name, unit id,
    year. Two queries whatever the number of units and years."""
    years = sorted({int(y) for y in years})
    if not years or (unit_ids is not None and not unit_ids):
        return []
    services = select(SurveyService.unit_id, Unit.name).join(Unit, Unit.id == SurveyService.unit_id)
    if unit_ids is not None:
        services = services.where(SurveyService.unit_id.in_(sorted({int(u) for u in unit_ids})))
    services = db.execute(services.order_by(Unit.name, Unit.id)).all()
    if not services:
        return []
    results = unit_year_results(db, [unit_id for unit_id, _name in services], years)
    out = []
    for unit_id, name in services:
        for year in years:
            result = results.get((unit_id, year))
            out.append({
                "unit_id": unit_id, "unit_name": name, "year": year,
                "respondents": result.respondents if result else 0,
                "ikm": result.ikm if result else None,
                "grade": result.grade_code if result else None,
            })
    return out


def campaign_result(db, campaign_id: int) -> rules.IkmResult:
    row = db.execute(select(func.count(SurveyResponse.id).label("respondents"), *_ELEMENT_SUMS)
                     .where(SurveyResponse.campaign_id == campaign_id)).one()
    return _result_from_row(row)


def profile_counts(db, unit_id: int, year: int) -> dict:
    """{field: {code: count}} of the respondent profile of a unit's campaigns in a year (four small queries)."""
    out = {}
    for field in rules.PROFILE_FIELDS:
        column = getattr(SurveyResponse, field)
        rows = db.execute(select(column, func.count()).join(SurveyCampaign,
                                                            SurveyCampaign.id == SurveyResponse.campaign_id)
                          .where(SurveyCampaign.unit_id == unit_id, SurveyCampaign.year == year)
                          .group_by(column)).all()
        out[field] = {code: count for code, count in rows}
    return out


def _today_wib() -> date:
    """The city's date (WIB): the default "today" of the campaign and IKM rules, as the screens pass it."""
    from app.performance.services import today_wib

    return today_wib()


def current_ikm(db, unit_id: int, today: Optional[date] = None) -> tuple[Optional[int], rules.IkmResult]:
    """The unit's current IKM: of the latest year that has responses, not after ``today``'s year.
    Returns (year or None, IkmResult)."""
    today = today or _today_wib()
    year = db.scalar(select(func.max(SurveyCampaign.year))
                     .where(SurveyCampaign.unit_id == unit_id, SurveyCampaign.year <= today.year,
                            select(SurveyResponse.id).where(SurveyResponse.campaign_id == SurveyCampaign.id)
                            .exists()))
    if year is None:
        return None, rules.ikm_result(0, {})
    return year, unit_year_results(db, [unit_id], [year]).get((unit_id, year), rules.ikm_result(0, {}))


# --- abuse protection -------------------------------------------------------------------------------------

# One statement for both counters, the same text on PostgreSQL and SQLite (3.35+): built once, so SQLAlchemy
# neither rebuilds nor recompiles it per submission.
_HIT_SQL = text(
    "INSERT INTO survey_throttle (key, window_start, hits) VALUES (:k1, :w1, 1), (:k2, :w2, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN survey_throttle.window_start = excluded.window_start THEN survey_throttle.hits + 1 ELSE 1 END, "
    "window_start = excluded.window_start RETURNING key, hits")
_INSERT_RESPONSE = SurveyResponse.__table__.insert()


def hit(db, keys, windows, now: Optional[float] = None) -> dict:
    """Count one hit for each of two keys in its current fixed window (``windows``: seconds, one per key);
    return {key: hits in that window so far, this one included}. One statement (INSERT … ON CONFLICT DO
    UPDATE … RETURNING), atomic across processes; the rows stay locked until the caller's transaction ends
    (keys in sorted order, so two transactions never wait on each other in a cycle)."""
    now = time.time() if now is None else now
    rows = sorted({key[:120]: int(now // w) * int(w) for key, w in zip(keys, windows)}.items())
    if len(rows) != 2:
        raise ValueError("hit() counts two distinct keys")
    (k1, w1), (k2, w2) = rows
    return {key: hits for key, hits in db.connection().execute(_HIT_SQL, {"k1": k1, "w1": w1, "k2": k2, "w2": w2})}


def prune_throttle(db, older_than_seconds: int = 86400 * 2, now: Optional[float] = None) -> int:
    now = time.time() if now is None else now
    result = db.execute(SurveyThrottle.__table__.delete().where(
        SurveyThrottle.window_start < int(now - older_than_seconds)))
    return result.rowcount or 0


@dataclass(frozen=True)
class Limits:
    ip_limit: int = 60  # submissions per IP address …
    ip_window: int = 600  # … per 10 minutes (a counter PC or a busy office NAT stays below)
    device_limit: int = 3  # submissions per device and campaign …
    device_window: int = 86400  # … per day

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(ip_limit=int(config.get("SURVEY_IP_LIMIT", cls.ip_limit)),
                   ip_window=int(config.get("SURVEY_IP_WINDOW", cls.ip_window)),
                   device_limit=int(config.get("SURVEY_DEVICE_LIMIT", cls.device_limit)),
                   device_window=int(config.get("SURVEY_DEVICE_WINDOW", cls.device_window)))


class Refused(Exception):
    """A submission refused by the abuse protection (HTTP 429); the message is for the citizen."""

    def __init__(self, message, reason: str = "refused"):
        super().__init__(str(message))
        self.message = message
        self.reason = reason  # closed, ip-limit, device-limit


@dataclass(frozen=True)
class CampaignInfo:
    """What the public pages need of a campaign (one query, no ORM objects)."""

    id: int
    token: str
    year: int
    opens_on: date
    closes_on: date
    active: bool
    service_active: bool
    service_name: str
    unit_id: int
    unit_name: str

    def is_open(self, today) -> bool:
        return self.service_active and rules.campaign_is_open(self.active, self.opens_on, self.closes_on, today)


_CAMPAIGN_STMT = (
    select(SurveyCampaign.id, SurveyCampaign.token, SurveyCampaign.year, SurveyCampaign.opens_on,
           SurveyCampaign.closes_on, SurveyCampaign.active, SurveyService.active, SurveyService.service_name,
           Unit.id, Unit.name)
    .join(SurveyService, SurveyService.unit_id == SurveyCampaign.unit_id)
    .join(Unit, Unit.id == SurveyService.unit_id)
    .where(SurveyCampaign.token == bindparam("token")))
_CAMPAIGN_CACHE: dict = {}


def campaign_by_token(db, token: str, cache_seconds: float = 0) -> Optional[CampaignInfo]:
    """The campaign of a public token, or None. With ``cache_seconds``, a campaign read in this process within
    that many seconds is not read again (the public pages: a change of a campaign reaches them that late)."""
    if not token or len(token) > 64:
        return None
    if cache_seconds:
        cached = _CAMPAIGN_CACHE.get(token)
        if cached is not None and time.monotonic() - cached[0] < cache_seconds:
            return cached[1]
    row = db.connection().execute(_CAMPAIGN_STMT, {"token": token}).first()
    info = CampaignInfo(*row) if row is not None else None
    if cache_seconds:
        if len(_CAMPAIGN_CACHE) > 1000:
            _CAMPAIGN_CACHE.clear()
        _CAMPAIGN_CACHE[token] = (time.monotonic(), info)
    return info


def submit_response(db, campaign: CampaignInfo, form, ip: str, device: str, limits: Limits,
                    today: Optional[date] = None, now: Optional[float] = None) -> None:
    """Validate and store one response, in one transaction with the throttle counters (two statements and the
    commit). Raises DomainValidationError({field: message}) for bad answers, Refused for a closed campaign or
    too many submissions. Nothing is stored when it raises (the counters of a refused attempt do count)."""
    today = today or _today_wib()
    if not campaign.is_open(today):
        raise Refused(_l("This survey is closed. Thank you for your interest."), "closed")
    clean, problems = rules.validate_answers(form)
    if problems:
        errors = {}
        for field, message in problems:
            errors.setdefault(field, message)
        raise DomainValidationError(errors)
    ip_key, device_key = f"ip:{ip}", f"dev:{campaign.id}:{device}"
    with atomic(db):
        hits = hit(db, [ip_key, device_key], [limits.ip_window, limits.device_window], now)
        if hits[ip_key[:120]] > limits.ip_limit:
            db.commit()  # keep the count of the refused attempt
            raise Refused(_l("Too many answers were sent from this network. Please try again later."), "ip-limit")
        if hits[device_key[:120]] > limits.device_limit:
            db.commit()
            raise Refused(_l("This device has already answered this survey. Thank you!"), "device-limit")
        db.connection().execute(_INSERT_RESPONSE, dict(clean, campaign_id=campaign.id))


# --- campaigns --------------------------------------------------------------------------------------------

def validate_campaign(db, item: SurveyCampaign) -> None:
    errors = {}
    if item.opens_on and item.closes_on and item.closes_on < item.opens_on:
        errors["closes_on"] = _l("The closing date must not be before the opening date.")
    if item.year and item.opens_on and item.opens_on.year != int(item.year):
        errors["opens_on"] = _l("The opening date must be in the survey year.")
    if item.unit_id and db.scalar(select(SurveyService.id).where(SurveyService.unit_id == item.unit_id)) is None:
        errors["unit_id"] = _l("This unit is not a public-service unit.")
    if errors:
        raise DomainValidationError(errors)
    if not item.token:
        item.token = new_token()


# --- the IKM as an RHK indicator's value source (app/performance) ----------------------------------------

def service_unit_states(db, unit_ids: Iterable[int]) -> dict:
    """For each unit id: ``"unknown"`` (no such unit kerja), ``"not-service"`` (a unit kerja that is not a
    public-service unit), ``"inactive"`` (a service unit switched off) or ``"ok"``. One query."""
    ids = {int(u) for u in unit_ids}
    if not ids:
        return {}
    rows = db.execute(select(Unit.id, SurveyService.active).outerjoin(SurveyService, SurveyService.unit_id == Unit.id)
                      .where(Unit.id.in_(ids))).all()
    found = {uid: ("not-service" if active is None else "ok" if active else "inactive") for uid, active in rows}
    return {uid: found.get(uid, "unknown") for uid in ids}


def top_unit_id(db, unit_id: Optional[int]) -> Optional[int]:
    """The OPD of a unit: its ancestor just below the root of the tree (the unit itself when it is that
    OPD; the root when the unit is the root). One recursive query upwards; None for no unit."""
    if unit_id is None:
        return None
    chain = select(Unit.id, Unit.parent_id, literal(0, Integer).label("depth")).where(Unit.id == unit_id) \
        .cte("unit_chain", recursive=True)
    up = aliased(Unit)
    chain = chain.union_all(select(up.id, up.parent_id, (chain.c.depth + 1).label("depth"))
                            .where(up.id == chain.c.parent_id, chain.c.depth < 50))
    rows = db.execute(select(chain.c.id, chain.c.parent_id).order_by(chain.c.depth.desc())).all()
    if not rows:
        return None
    return rows[1].id if len(rows) > 1 else rows[0].id


def service_unit_choices(db, unit_id: Optional[int]) -> list:
    """The active public-service units an indicator can take its IKM from, for a plan of a person in
    ``unit_id``: those of the person's own OPD (its subtree) first, then the others, each by name.
    Rows ``(unit_id, unit name, service name, own_opd)``. Two queries."""
    from app.security.scope import unit_subtree_ids

    opd = top_unit_id(db, unit_id)
    own = SurveyService.unit_id.in_(unit_subtree_ids(opd)) if opd is not None else sa_false()
    rows = db.execute(select(SurveyService.unit_id, Unit.name, SurveyService.service_name, own.label("own_opd"))
                      .join(Unit, Unit.id == SurveyService.unit_id).where(SurveyService.active)
                      .order_by(own.desc(), Unit.name, SurveyService.unit_id)).all()
    return [(r.unit_id, r.name, r.service_name, bool(r.own_opd)) for r in rows]
