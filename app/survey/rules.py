"""Public satisfaction survey rules (Survei Kepuasan Masyarakat, PermenPANRB 14/2017). Pure: no Flask, no database.

The nine elements (unsur) are answered on a 1–4 scale. For one service unit and period:

* NRR per element (nilai rata-rata unsur) = sum of the answers / number of respondents;
* IKM (Indeks Kepuasan Masyarakat) = mean of the nine NRR × 25, range 25–100.

Rounding (documented, and the only place it happens): every element is answered by every respondent
(answers are required), so the mean of the nine NRR is exactly ``total / (9 × respondents)``. The IKM is
computed exactly as ``Decimal(25 × total) / (9 × respondents)`` and rounded once, half up, to 2 decimals
(``IKM_QUANT``); the NRR shown per element is rounded half up to 3 decimals (``NRR_QUANT``) for display only.
This avoids the regulation's approximate weight 0.111 (= 1/9 rounded), which can shift an IKM by up to 0.1.
The grade (mutu pelayanan) is read from the rounded IKM, so the bands below have no gaps:

    A Sangat Baik 88.31–100 · B Baik 76.61–88.30 · C Kurang Baik 65.00–76.60 · D Tidak Baik 25.00–64.99
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Iterable, Mapping, Sequence

from flask_babel import lazy_gettext as _l

SCALE_MIN = 1
SCALE_MAX = 4
ELEMENT_COUNT = 9
COMMENT_MAX = 1000
TOKEN_BYTES = 16
IKM_QUANT = Decimal("0.01")
NRR_QUANT = Decimal("0.001")
IKM_FACTOR = 25

# The nine elements (unsur pelayanan) of PermenPANRB 14/2017, in the order of the form (u1 … u9).
ELEMENTS: tuple[tuple[str, object], ...] = (
    ("u1", _l("Requirements")),
    ("u2", _l("System, mechanism and procedure")),
    ("u3", _l("Completion time")),
    ("u4", _l("Cost / tariff")),
    ("u5", _l("Product specification of the service")),
    ("u6", _l("Staff competence")),
    ("u7", _l("Staff behaviour")),
    ("u8", _l("Handling of complaints, suggestions and input")),
    ("u9", _l("Facilities and infrastructure")),
)
ELEMENT_KEYS = tuple(key for key, _label in ELEMENTS)

# The answer labels of the 1–4 scale (generic wording; the form shows them per element).
SCALE_LABELS = {
    1: _l("Not good"),
    2: _l("Fairly good"),
    3: _l("Good"),
    4: _l("Very good"),
}


class AgeBand(StrEnum):
    UNDER_20 = "lt20"
    A20_29 = "20_29"
    A30_39 = "30_39"
    A40_49 = "40_49"
    A50_59 = "50_59"
    A60_PLUS = "60plus"


class Gender(StrEnum):
    MALE = "L"
    FEMALE = "P"


class Education(StrEnum):
    SD = "SD"
    SMP = "SMP"
    SMA = "SMA"
    D3 = "D3"
    S1 = "S1"
    S2 = "S2PLUS"


class Occupation(StrEnum):
    PNS = "PNS"
    TNI_POLRI = "TNI_POLRI"
    SWASTA = "SWASTA"
    WIRAUSAHA = "WIRAUSAHA"
    PELAJAR = "PELAJAR"
    LAINNYA = "LAINNYA"


AGE_BAND_LABELS = {
    AgeBand.UNDER_20: _l("Under 20"), AgeBand.A20_29: "20–29", AgeBand.A30_39: "30–39",
    AgeBand.A40_49: "40–49", AgeBand.A50_59: "50–59", AgeBand.A60_PLUS: _l("60 or older"),
}
GENDER_LABELS = {Gender.MALE: _l("Male"), Gender.FEMALE: _l("Female")}
EDUCATION_LABELS = {
    Education.SD: _l("Primary school (SD)"), Education.SMP: _l("Junior high school (SMP)"),
    Education.SMA: _l("Senior high school (SMA/SMK)"), Education.D3: _l("Diploma (D1–D3)"),
    Education.S1: _l("Bachelor (D4/S1)"), Education.S2: _l("Master or doctorate (S2/S3)"),
}
OCCUPATION_LABELS = {
    Occupation.PNS: _l("Civil servant (PNS/PPPK)"), Occupation.TNI_POLRI: _l("TNI / POLRI"),
    Occupation.SWASTA: _l("Private employee"), Occupation.WIRAUSAHA: _l("Self-employed"),
    Occupation.PELAJAR: _l("Student"), Occupation.LAINNYA: _l("Other"),
}
PROFILE_FIELDS = {
    "age_band": AGE_BAND_LABELS,
    "gender": GENDER_LABELS,
    "education": EDUCATION_LABELS,
    "occupation": OCCUPATION_LABELS,
}


@dataclass(frozen=True)
class Grade:
    code: str
    label: object
    lower: Decimal
    upper: Decimal


# Mutu pelayanan: (code, label, lower bound, upper bound) on the IKM rounded to 2 decimals.
GRADES: tuple[Grade, ...] = (
    Grade("A", _l("Very good (Sangat Baik)"), Decimal("88.31"), Decimal("100.00")),
    Grade("B", _l("Good (Baik)"), Decimal("76.61"), Decimal("88.30")),
    Grade("C", _l("Less than good (Kurang Baik)"), Decimal("65.00"), Decimal("76.60")),
    Grade("D", _l("Not good (Tidak Baik)"), Decimal("25.00"), Decimal("64.99")),
)
GRADE_BY_CODE = {g.code: g for g in GRADES}


def round_ikm(value) -> Decimal:
    return Decimal(value).quantize(IKM_QUANT, rounding=ROUND_HALF_UP)


def grade_for(ikm) -> Grade | None:
    """The grade of an IKM (rounded half up to 2 decimals first); None for None. Raises ValueError outside
    25–100 (an IKM cannot be there)."""
    if ikm is None:
        return None
    value = round_ikm(ikm)
    for grade in GRADES:
        if grade.lower <= value <= grade.upper:
            return grade
    raise ValueError(f"IKM {value} is outside 25–100")


def ikm_from_total(total: int, respondents: int) -> Decimal | None:
    """IKM from the sum of all answers of ``respondents`` complete responses: 25 × total / (9 × n), rounded
    half up to 2 decimals. None without respondents."""
    if not respondents:
        return None
    return round_ikm(Decimal(IKM_FACTOR * int(total)) / Decimal(ELEMENT_COUNT * int(respondents)))


def nrr(element_total: int, respondents: int) -> Decimal | None:
    """NRR of one element: its answers' sum / respondents, rounded half up to 3 decimals (display)."""
    if not respondents:
        return None
    return (Decimal(int(element_total)) / Decimal(int(respondents))).quantize(NRR_QUANT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    nrr: dict  # element key -> Decimal | None
    ikm: Decimal | None
    grade: Grade | None

    @property
    def grade_code(self):
        return self.grade.code if self.grade else None


def ikm_result(respondents: int, element_totals: Mapping[str, int]) -> IkmResult:
    """NRR per element, IKM and grade from the respondents count and the per-element answer sums."""
    respondents = int(respondents or 0)
    totals = {key: int(element_totals.get(key) or 0) for key in ELEMENT_KEYS}
    ikm = ikm_from_total(sum(totals.values()), respondents)
    return IkmResult(respondents=respondents,
                     nrr={key: nrr(totals[key], respondents) for key in ELEMENT_KEYS},
                     ikm=ikm, grade=grade_for(ikm))


def ikm_from_responses(responses: Iterable[Sequence[int]]) -> IkmResult:
    """The same from complete answer rows (nine values each); handy for tests and small sets."""
    n = 0
    totals = dict.fromkeys(ELEMENT_KEYS, 0)
    for row in responses:
        answers = list(row)
        if len(answers) != ELEMENT_COUNT:
            raise ValueError("a response has nine answers")
        n += 1
        for key, value in zip(ELEMENT_KEYS, answers):
            totals[key] += int(value)
    return ikm_result(n, totals)


def validate_answers(form: Mapping[str, object]) -> tuple[dict, list]:
    """Check a submitted form (mapping of field -> raw text). Returns (clean values, problems): the nine
    answers as ints 1–4 (required), the optional profile codes (must be one of the vocabulary when given) and
    the optional comment (at most COMMENT_MAX characters, stripped). ``problems`` is a list of
    (field, message); the values are only meaningful when it is empty."""
    clean: dict = {}
    problems: list = []
    for key, label in ELEMENTS:
        raw = form.get(key)
        raw = "" if raw is None else str(raw).strip()
        if not raw:
            problems.append((key, _l("Please answer every question (%(element)s is missing).", element=label)))
            continue
        if not (raw.isascii() and raw.isdigit()) or not SCALE_MIN <= int(raw) <= SCALE_MAX:
            problems.append((key, _l("The answer to %(element)s must be between 1 and 4.", element=label)))
            continue
        clean[key] = int(raw)
    for field, labels in PROFILE_FIELDS.items():
        raw = form.get(field)
        raw = "" if raw is None else str(raw).strip()
        if not raw:
            clean[field] = None
        elif raw in {str(code) for code in labels}:
            clean[field] = raw
        else:
            problems.append((field, _l("Please choose one of the listed options.")))
    comment = form.get("comment")
    comment = "" if comment is None else str(comment).strip()
    if len(comment) > COMMENT_MAX:
        problems.append(("comment", _l("The comment may have at most %(max)d characters.", max=COMMENT_MAX)))
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in comment):
        problems.append(("comment", _l("The comment contains characters that are not allowed.")))
    clean["comment"] = comment or None
    return clean, problems


def campaign_is_open(active: bool, opens_on, closes_on, today) -> bool:
    """A campaign takes answers when it is active and today is within its dates (both inclusive)."""
    return bool(active) and opens_on <= today <= closes_on
