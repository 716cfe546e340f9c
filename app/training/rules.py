"""Training and socialization (pelatihan dan sosialisasi): vocabularies and pure rules.

What domain.md ("Training and socialization", "Follow-up") asks, as plain functions:

* every PNS needs at least 20 JP (jam pelajaran, 1 JP = 45 minutes) of competence development a year, PPPK up
  to 24 JP (verify: configurable per ASN type, ``DEFAULT_JP_TARGETS`` is only the fallback when the stored
  table has no row for a type);
* channels: classical (klasikal) and non-classical (e-learning, coaching, mentoring, seminar, workshop);
  socialization sessions are tracked like trainings (``SessionKind``);
* per participant: invitation (with a waiting list when the session is full), attendance (hadir / izin /
  tidak hadir), pre/post test scores 0-100, certificate number; participant feedback 1-5;
* self check-in with a short code valid only while the session runs, once per participant;
* training needs from the performance gap: rules map evaluation outcomes (a predikat at or below a level,
  the rater's feedback on a BerAKHLAK core value, indicators whose progress stayed below target) to topics
  (``recommend``); the effect of training is the next evaluation result beside the earlier one
  (``training_effect``).

No Flask app, request or database here: plain values in, plain values (and lazy, translatable messages)
out. Unit-tested in tests/unit/test_training_rules.py.
"""
from __future__ import annotations

import math
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Iterable, Mapping, Optional, Sequence

from flask_babel import lazy_gettext as _l

from app.performance.rating import PREDIKAT_RANK, Predikat

# --- bounds (the columns' lengths and the check constraints use the same numbers) -------------------------

MINUTES_PER_JP = 45
JP_MAX = 1000  # a long classical training (Latsar CPNS is about 500 JP); a typo beyond this is refused
CAPACITY_MAX = 10000
SCORE_MIN, SCORE_MAX = 0, 100
RATING_MIN, RATING_MAX = 1, 5
TITLE_MAX = 200
TOPIC_CODE_MAX = 30
TOPIC_NAME_MAX = 200
DESCRIPTION_MAX = 2000
ORGANISER_MAX = 200
PLACE_MAX = 300
URL_MAX = 500
CERTIFICATE_MAX = 100
COMMENT_MAX = 2000
NOTES_MAX = 2000
CODE_LENGTH = 6
CHECKIN_MAX_FAILURES = 5  # wrong check-in codes in a row before the employee is locked out of the session's check-in
CHECKIN_LOCK_MINUTES = 10
REOPEN_REASON_MIN = 10  # a reason to reopen a closed attendance: a sentence, not "x"
REOPEN_REASON_MAX = 1000
# No 0/O, 1/I/L: a code read aloud or from a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
YEAR_MIN, YEAR_MAX = 2000, 2100


class TrainingRuleError(ValueError):
    """A refused action; ``message`` is a lazy, translatable string, ``code`` a stable machine name."""

    def __init__(self, message, code: str = "REFUSED"):
        super().__init__(str(message))
        self.message = message
        self.code = code


# --- vocabularies ---------------------------------------------------------------------------------------

class SessionKind(StrEnum):
    """Jenis kegiatan: pelatihan (competence development) or sosialisasi (e.g. of the rating criteria)."""

    PELATIHAN = "PELATIHAN"
    SOSIALISASI = "SOSIALISASI"

    @property
    def label(self):
        return SESSION_KIND_LABELS[self]


SESSION_KIND_LABELS = MappingProxyType({
    SessionKind.PELATIHAN: _l("Training"),
    SessionKind.SOSIALISASI: _l("Socialization"),
})


class Method(StrEnum):
    """Jalur pengembangan kompetensi: klasikal (classroom) or one of the non-classical channels."""

    KLASIKAL = "KLASIKAL"
    E_LEARNING = "E_LEARNING"
    COACHING = "COACHING"
    MENTORING = "MENTORING"
    SEMINAR = "SEMINAR"
    WORKSHOP = "WORKSHOP"

    @property
    def label(self):
        return METHOD_LABELS[self]

    @property
    def classical(self) -> bool:
        return self is Method.KLASIKAL


METHOD_LABELS = MappingProxyType({
    Method.KLASIKAL: _l("Classroom (classical)"),
    Method.E_LEARNING: _l("E-learning"),
    Method.COACHING: _l("Coaching"),
    Method.MENTORING: _l("Mentoring"),
    Method.SEMINAR: _l("Seminar"),
    Method.WORKSHOP: _l("Workshop"),
})


class SessionStatus(StrEnum):
    """A session is open (invitations, check-in, attendance) until its attendance is closed."""

    DIBUKA = "DIBUKA"
    DITUTUP = "DITUTUP"

    @property
    def label(self):
        return SESSION_STATUS_LABELS[self]


SESSION_STATUS_LABELS = MappingProxyType({
    SessionStatus.DIBUKA: _l("Open"),
    SessionStatus.DITUTUP: _l("Attendance closed"),
})


class SessionEventKind(StrEnum):
    """Riwayat sesi: the attendance was closed (by a trainer or the organisers) or reopened (by the Pengelola
    Kinerja, with a reason)."""

    DITUTUP = "DITUTUP"
    DIBUKA_KEMBALI = "DIBUKA_KEMBALI"

    @property
    def label(self):
        return SESSION_EVENT_LABELS[self]


SESSION_EVENT_LABELS = MappingProxyType({
    SessionEventKind.DITUTUP: _l("Attendance closed"),
    SessionEventKind.DIBUKA_KEMBALI: _l("Attendance reopened"),
})


def reopen_problem(reason) -> Optional[str]:
    """Why a reason to reopen a closed attendance is refused (a message), else None."""
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < REOPEN_REASON_MIN:
        return _l("Give the reason for reopening the attendance (at least %(n)d characters).", n=REOPEN_REASON_MIN)
    if len(text) > REOPEN_REASON_MAX:
        return _l("The reason can be at most %(n)d characters long.", n=REOPEN_REASON_MAX)
    return None


def checkin_lock_refusal(locked_until: Optional[datetime], now: datetime):
    """A ``TrainingRuleError`` while the employee is locked out of the session's self check-in (after
    ``CHECKIN_MAX_FAILURES`` wrong codes), saying how long to wait; None when not locked."""
    if locked_until is None or now >= locked_until:
        return None
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return TrainingRuleError(_l("Too many wrong attendance codes: self check-in for this session is locked for "
                                "%(minutes)d more minute(s). Check the code with the trainer and try again later.",
                                minutes=minutes), "LOCKED")


def after_wrong_code(failures: int, locked_until: Optional[datetime], now: datetime) -> tuple:
    """(failures, locked_until) after one more wrong code: a lock that has run out starts the count again; the
    ``CHECKIN_MAX_FAILURES``-th wrong code in a row locks the check-in for ``CHECKIN_LOCK_MINUTES``."""
    if locked_until is not None and now >= locked_until:
        failures = 0
    failures = (failures or 0) + 1
    if failures >= CHECKIN_MAX_FAILURES:
        return failures, now + timedelta(minutes=CHECKIN_LOCK_MINUTES)
    return failures, None


class EnrollmentStatus(StrEnum):
    """Undangan: invited (holds a place), on the waiting list (daftar tunggu), or cancelled (frees the place)."""

    DIUNDANG = "DIUNDANG"
    DAFTAR_TUNGGU = "DAFTAR_TUNGGU"
    DIBATALKAN = "DIBATALKAN"

    @property
    def label(self):
        return ENROLLMENT_STATUS_LABELS[self]


ENROLLMENT_STATUS_LABELS = MappingProxyType({
    EnrollmentStatus.DIUNDANG: _l("Invited"),
    EnrollmentStatus.DAFTAR_TUNGGU: _l("Waiting list"),
    EnrollmentStatus.DIBATALKAN: _l("Cancelled"),
})
ACTIVE_ENROLLMENT = (EnrollmentStatus.DIUNDANG, EnrollmentStatus.DAFTAR_TUNGGU)


class Attendance(StrEnum):
    """Kehadiran: hadir (present), izin (excused), tidak hadir (absent)."""

    HADIR = "HADIR"
    IZIN = "IZIN"
    TIDAK_HADIR = "TIDAK_HADIR"

    @property
    def label(self):
        return ATTENDANCE_LABELS[self]


ATTENDANCE_LABELS = MappingProxyType({
    Attendance.HADIR: _l("Present"),
    Attendance.IZIN: _l("Excused"),
    Attendance.TIDAK_HADIR: _l("Absent"),
})


class ParticipantLabels:
    """The status and attendance labels of a participant (``status``, ``attendance``): the table's rows and the
    roster's plain rows alike."""

    status: str
    attendance: "str | None"

    @property
    def status_label(self):
        return EnrollmentStatus(self.status).label if self.status in EnrollmentStatus.__members__ else self.status

    @property
    def attendance_label(self):
        return Attendance(self.attendance).label if self.attendance in Attendance.__members__ else ""


class CheckInMethod(StrEnum):
    """How the attendance was recorded: the participant's own check-in with the code, or by the trainer."""

    KODE = "KODE"
    PELATIH = "PELATIH"


class EnrollmentSource(StrEnum):
    """How a participant was invited: a list of employees, a unit, a position, or the training-needs page."""

    DAFTAR = "DAFTAR"
    UNIT = "UNIT"
    JABATAN = "JABATAN"
    KEBUTUHAN = "KEBUTUHAN"

    @property
    def label(self):
        return ENROLLMENT_SOURCE_LABELS[self]


ENROLLMENT_SOURCE_LABELS = MappingProxyType({
    EnrollmentSource.DAFTAR: _l("List of employees"),
    EnrollmentSource.UNIT: _l("Unit"),
    EnrollmentSource.JABATAN: _l("Position"),
    EnrollmentSource.KEBUTUHAN: _l("Training needs"),
})


class CompetencyKind(StrEnum):
    """Jenis kompetensi ASN: teknis, manajerial, sosial kultural."""

    TEKNIS = "TEKNIS"
    MANAJERIAL = "MANAJERIAL"
    SOSIOKULTURAL = "SOSIOKULTURAL"

    @property
    def label(self):
        return COMPETENCY_LABELS[self]


COMPETENCY_LABELS = MappingProxyType({
    CompetencyKind.TEKNIS: _l("Technical"),
    CompetencyKind.MANAJERIAL: _l("Managerial"),
    CompetencyKind.SOSIOKULTURAL: _l("Socio-cultural"),
})


class ExternalStatus(StrEnum):
    """An external training recorded by the employee waits for verification by the Pengelola Kinerja; one
    recorded by the Pengelola (or Admin) is verified at once. Only verified ones count towards the JP."""

    DIAJUKAN = "DIAJUKAN"
    DISETUJUI = "DISETUJUI"
    DITOLAK = "DITOLAK"

    @property
    def label(self):
        return EXTERNAL_STATUS_LABELS[self]


EXTERNAL_STATUS_LABELS = MappingProxyType({
    ExternalStatus.DIAJUKAN: _l("Submitted"),
    ExternalStatus.DISETUJUI: _l("Verified"),
    ExternalStatus.DITOLAK: _l("Rejected"),
})


class NeedOutcome(StrEnum):
    """The evaluation outcome a training-need rule looks for."""

    PREDIKAT = "PREDIKAT"  # the predikat of the year is at or below the rule's level
    PERILAKU = "PERILAKU"  # the rater gave feedback (umpan balik) on the rule's BerAKHLAK core value
    INDIKATOR = "INDIKATOR"  # at least N indicators whose progress stayed below the target

    @property
    def label(self):
        return NEED_OUTCOME_LABELS[self]


NEED_OUTCOME_LABELS = MappingProxyType({
    NeedOutcome.PREDIKAT: _l("Predikat at or below"),
    NeedOutcome.PERILAKU: _l("Behaviour feedback on a core value"),
    NeedOutcome.INDIKATOR: _l("Indicators below target"),
})

ASN_TYPES = ("CPNS", "PNS", "PPPK")
# domain.md: PNS at least 20 JP a year; PPPK up to 24 JP (verify); CPNS as PNS. The jp_target table (seeded
# with these by the migration, editable by the Pengelola Kinerja) wins; these apply when a type has no row.
DEFAULT_JP_TARGETS = MappingProxyType({"CPNS": 20, "PNS": 20, "PPPK": 24})


# --- session details ------------------------------------------------------------------------------------

def max_jp(starts_at: datetime, ends_at: datetime) -> int:
    """The most JP a session from ``starts_at`` to ``ends_at`` can be worth: whole 45-minute units."""
    minutes = (ends_at - starts_at).total_seconds() / 60
    return max(0, math.floor(minutes / MINUTES_PER_JP + 1e-9))


def jp_for_minutes(minutes: float) -> int:
    """JP for a duration in minutes (1 JP = 45 minutes), rounded down."""
    return max(0, math.floor(minutes / MINUTES_PER_JP + 1e-9))


def session_problems(starts_at, ends_at, jp, capacity, online_url=None, place=None, method=None) -> dict:
    """{field: message} of what is wrong with a session's times, JP and capacity; {} when all is well."""
    errors = {}
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = _l("The start is required (date and time).")
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = _l("The end is required (date and time).")
    if isinstance(starts_at, datetime) and isinstance(ends_at, datetime):
        if ends_at <= starts_at:
            errors["ends_at"] = _l("The end must be after the start.")
        elif starts_at.year < YEAR_MIN or ends_at.year > YEAR_MAX:
            errors["starts_at"] = _l("The dates must lie between %(min)d and %(max)d.", min=YEAR_MIN, max=YEAR_MAX)
    if jp is None or isinstance(jp, bool) or not isinstance(jp, int):
        errors["jp"] = _l("JP must be a whole number greater than zero.")
    elif jp <= 0:
        errors["jp"] = _l("JP must be greater than zero.")
    elif jp > JP_MAX:
        errors["jp"] = _l("JP cannot be more than %(max)d.", max=JP_MAX)
    elif "ends_at" not in errors and "starts_at" not in errors and jp > max_jp(starts_at, ends_at):
        errors["jp"] = _l("JP cannot be more than the session lasts: at most %(max)d JP of 45 minutes.",
                          max=max_jp(starts_at, ends_at))
    if capacity is None or isinstance(capacity, bool) or not isinstance(capacity, int):
        errors["capacity"] = _l("Capacity must be a whole number greater than zero.")
    elif capacity <= 0:
        errors["capacity"] = _l("Capacity must be greater than zero.")
    elif capacity > CAPACITY_MAX:
        errors["capacity"] = _l("Capacity cannot be more than %(max)d.", max=CAPACITY_MAX)
    if method is not None and method not in Method.__members__:
        errors["method"] = _l("Choose classroom or one of the non-classical channels.")
    if method == Method.E_LEARNING and not online_url:
        errors["online_url"] = _l("An e-learning session needs its online link.")
    if method == Method.KLASIKAL and not place:
        errors["place"] = _l("A classroom session needs its place.")
    return errors


def is_running(now: datetime, starts_at: datetime, ends_at: datetime) -> bool:
    """Is the session running at ``now`` (from its start to its end, both included)?"""
    return starts_at <= now <= ends_at


# --- capacity and the waiting list ----------------------------------------------------------------------

def allocate(capacity: int, taken: int, requested: int) -> tuple[int, int]:
    """(invited, waitlisted) for ``requested`` new participants when ``taken`` of ``capacity`` places are
    held: the free places first (in the order given), the overflow to the waiting list."""
    free = max(0, capacity - taken)
    invited = min(free, requested)
    return invited, requested - invited


def promotions(capacity: int, taken: int, waiting: Sequence) -> list:
    """The first entries of the waiting list (oldest first, as given) that fit in the free places."""
    free = max(0, capacity - taken)
    return list(waiting[:free])


def capacity_problem(new_capacity: int, taken: int):
    """A message when the capacity would drop below the places already held, else None."""
    if isinstance(new_capacity, int) and not isinstance(new_capacity, bool) and new_capacity < taken:
        return _l("The capacity cannot be lower than the %(n)d places already held by invited participants. "
                  "Cancel invitations first.", n=taken)
    return None


# --- self check-in ---------------------------------------------------------------------------------------

def make_code(length: int = CODE_LENGTH) -> str:
    """A fresh random check-in code (``length`` characters of an unambiguous alphabet)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(value) -> str:
    """What the person typed, as a code: upper case, without spaces or dashes (None/other types: "")."""
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text.upper() if ch not in " -\t\r\n")[:32]


def check_in_refusal(typed, code: Optional[str], now: datetime, starts_at: datetime, ends_at: datetime,
                     session_closed: bool, enrollment_status: Optional[str], already_checked_in: bool):
    """Why this check-in is refused (a ``TrainingRuleError`` to raise), or None when it is accepted.

    In order: the person must be invited (not on the waiting list, not cancelled, not absent from the
    list); the session's attendance must still be open; a person checks in once; the code is valid only
    while the session runs; the code must be the session's."""
    if enrollment_status is None:
        return TrainingRuleError(_l("You are not registered for this session, so you cannot check in."),
                                 "NOT_ENROLLED")
    if enrollment_status == EnrollmentStatus.DAFTAR_TUNGGU:
        return TrainingRuleError(_l("You are on the waiting list of this session: you can check in once a place "
                                    "is yours."), "WAITLISTED")
    if enrollment_status != EnrollmentStatus.DIUNDANG:
        return TrainingRuleError(_l("Your invitation to this session was cancelled, so you cannot check in."),
                                 "CANCELLED")
    if session_closed:
        return TrainingRuleError(_l("The attendance of this session is closed."), "CLOSED")
    if already_checked_in:
        return TrainingRuleError(_l("You have already checked in to this session: the code can be used once."),
                                 "ALREADY")
    if now < starts_at:
        return TrainingRuleError(_l("The session has not started yet: the code is valid only while the session "
                                    "runs."), "NOT_STARTED")
    if now > ends_at:
        return TrainingRuleError(_l("The code has expired: it was valid only while the session ran."), "EXPIRED")
    given = normalise_code(typed)
    if not code or not given or not secrets.compare_digest(given.encode(), code.upper().encode()):
        return TrainingRuleError(_l("The attendance code is wrong. Check the code the trainer shows and try "
                                    "again."), "WRONG_CODE")
    return None


# --- scores, feedback ------------------------------------------------------------------------------------

def score_problem(value):
    """A message when a test score is not a number from 0 to 100, else None (None itself is fine)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
        return _l("A score must be a number from 0 to 100.")
    if isinstance(value, float) and not math.isfinite(value):
        return _l("A score must be a number from 0 to 100.")
    if not SCORE_MIN <= value <= SCORE_MAX:
        return _l("A score must lie between 0 and 100.")
    return None


def rating_problem(value):
    if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        return _l("Choose a rating from 1 to 5.")
    return None


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: Optional[Decimal]  # one decimal, None without feedback
    distribution: tuple  # counts of ratings 1..5


def summarise_ratings(ratings: Iterable[int]) -> FeedbackSummary:
    """Count, average (one decimal, rounded half up) and the distribution of 1-5 ratings."""
    counts = [0] * (RATING_MAX - RATING_MIN + 1)
    total = n = 0
    for r in ratings:
        if isinstance(r, int) and RATING_MIN <= r <= RATING_MAX:
            counts[r - RATING_MIN] += 1
            total += r
            n += 1
    if not n:
        return FeedbackSummary(0, None, tuple(counts))
    average = (Decimal(total) / Decimal(n)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
    return FeedbackSummary(n, average, tuple(counts))


def learning_gain(pre, post) -> Optional[Decimal]:
    """Post-test minus pre-test score (the learning level of the evaluation of training), None if either
    is missing."""
    if pre is None or post is None:
        return None
    return Decimal(str(post)) - Decimal(str(pre))


# --- the JP ledger ---------------------------------------------------------------------------------------

def jp_target(asn_type: str, stored: Optional[Mapping] = None) -> int:
    """The yearly JP target of an ASN type: the stored one, else the default of domain.md."""
    if stored and asn_type in stored and stored[asn_type] is not None:
        return int(stored[asn_type])
    return DEFAULT_JP_TARGETS.get(asn_type, DEFAULT_JP_TARGETS["PNS"])


def below_target(total_jp, target) -> bool:
    return (total_jp or 0) < (target or 0)


def jp_shortfall(total_jp, target) -> int:
    """How many JP are still missing to reach the target (0 when reached)."""
    return max(0, int(target or 0) - int(total_jp or 0))


def jp_target_problem(asn_type, target_jp) -> dict:
    errors = {}
    if asn_type not in ASN_TYPES:
        errors["asn_type"] = _l("Choose CPNS, PNS or PPPK.")
    if target_jp is None or isinstance(target_jp, bool) or not isinstance(target_jp, int):
        errors["target_jp"] = _l("The target must be a whole number of JP.")
    elif not 0 < target_jp <= JP_MAX:
        errors["target_jp"] = _l("The target must lie between 1 and %(max)d JP.", max=JP_MAX)
    return errors


# --- training needs from evaluations ------------------------------------------------------------------------

@dataclass(frozen=True)
class NeedRule:
    """A rule of the Pengelola Kinerja: this outcome → this training topic."""

    id: int
    outcome: str  # NeedOutcome
    topic_id: int
    predikat: Optional[str] = None  # PREDIKAT: at or below this predikat
    core_value_id: Optional[int] = None  # PERILAKU: feedback on this core value
    min_missed: int = 1  # INDIKATOR: at least this many indicators below target


@dataclass(frozen=True)
class EmployeeOutcome:
    """What the performance records of the year say about one employee."""

    employee_id: int
    predikat: Optional[str] = None  # the latest final predikat of the year
    feedback_core_values: frozenset = frozenset()  # core values the rater gave feedback on
    missed_indicators: int = 0  # indicators with a numeric target whose progress stayed below it
    perilaku_rating: Optional[str] = None


@dataclass(frozen=True)
class Recommendation:
    employee_id: int
    topic_id: int
    reasons: tuple  # the rules (NeedRule) that fired, in rule order


def rule_fires(rule: NeedRule, outcome: EmployeeOutcome) -> bool:
    """Does ``rule`` apply to the employee with ``outcome``?"""
    if rule.outcome == NeedOutcome.PREDIKAT:
        if not outcome.predikat or rule.predikat not in Predikat.__members__ \
                or outcome.predikat not in Predikat.__members__:
            return False
        return PREDIKAT_RANK[Predikat(outcome.predikat)] <= PREDIKAT_RANK[Predikat(rule.predikat)]
    if rule.outcome == NeedOutcome.PERILAKU:
        return rule.core_value_id is not None and rule.core_value_id in outcome.feedback_core_values
    if rule.outcome == NeedOutcome.INDIKATOR:
        return outcome.missed_indicators >= max(1, rule.min_missed or 1)
    return False


def recommend(rules: Iterable[NeedRule], outcomes: Iterable[EmployeeOutcome]) -> dict:
    """{topic id: [Recommendation, …]}: each employee once per topic (with every rule that fired for it),
    employees in the order of ``outcomes``, topics in the order their first rule appears."""
    rules = list(rules)
    by_topic: dict = {}
    for outcome in outcomes:
        fired: dict = defaultdict(list)
        for rule in rules:
            if rule_fires(rule, outcome):
                fired[rule.topic_id].append(rule)
        for topic_id, reasons in fired.items():
            by_topic.setdefault(topic_id, []).append(Recommendation(outcome.employee_id, topic_id, tuple(reasons)))
    order = {}
    for rule in rules:
        order.setdefault(rule.topic_id, len(order))
    return {t: by_topic[t] for t in sorted(by_topic, key=lambda t: order.get(t, len(order)))}


def need_rule_problems(outcome, predikat, core_value_id, min_missed) -> dict:
    """{field: message} for a rule whose parameters do not fit its outcome."""
    errors = {}
    if outcome not in NeedOutcome.__members__:
        errors["outcome"] = _l("Choose the evaluation outcome the rule looks for.")
        return errors
    if outcome == NeedOutcome.PREDIKAT and predikat not in Predikat.__members__:
        errors["predikat"] = _l("Choose the predikat (the rule applies to it and to every lower one).")
    if outcome == NeedOutcome.PERILAKU and not core_value_id:
        errors["core_value"] = _l("Choose the core value.")
    if outcome == NeedOutcome.INDIKATOR:
        if min_missed is None or isinstance(min_missed, bool) or not isinstance(min_missed, int) \
                or not 1 <= min_missed <= 100:
            errors["min_missed"] = _l("Give the number of indicators below target, from 1 to 100.")
    return errors


# --- the effect of training: the next result beside the earlier one ---------------------------------------

class Effect(StrEnum):
    IMPROVED = "IMPROVED"
    SAME = "SAME"
    WORSE = "WORSE"
    PENDING = "PENDING"  # no result before or after yet

    @property
    def label(self):
        return EFFECT_LABELS[self]


EFFECT_LABELS = MappingProxyType({
    Effect.IMPROVED: _l("Improved"),
    Effect.SAME: _l("Unchanged"),
    Effect.WORSE: _l("Worse"),
    Effect.PENDING: _l("No result yet"),
})


def training_effect(before: Optional[str], after: Optional[str]) -> Effect:
    """Compare the predikat before the training with the next one after it."""
    if before not in Predikat.__members__ or after not in Predikat.__members__:
        return Effect.PENDING
    b, a = PREDIKAT_RANK[Predikat(before)], PREDIKAT_RANK[Predikat(after)]
    return Effect.IMPROVED if a > b else Effect.WORSE if a < b else Effect.SAME


def pick_results(results: Iterable[tuple], starts_on, ends_on) -> tuple:
    """(before, after) predikat from ``results`` = (period end date, predikat) of one employee: the latest
    result whose period ended on or before the training started, and the first whose period ended after
    the training ended."""
    before = after = None
    for ended, code in sorted(results, key=lambda r: r[0]):
        if ended <= starts_on:
            before = code
        elif ended > ends_on and after is None:
            after = code
    return before, after


@dataclass
class EffectSummary:
    counts: dict = field(default_factory=lambda: {e: 0 for e in Effect})

    def add(self, effect: Effect) -> None:
        self.counts[effect] += 1

    @property
    def compared(self) -> int:
        return sum(n for e, n in self.counts.items() if e != Effect.PENDING)
