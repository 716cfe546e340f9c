"""Socialization material (materi sosialisasi): vocabularies and pure rules.

domain.md, "Training and socialization": rollouts fail when employees do not understand the criteria, so
guides (how to write an RHK, the rating matrix, the distribution curve, the objection procedure, FAQs)
are published to employees, versioned, and each employee's reading of each version is acknowledged.

* ``Category`` / ``Audience``  — the stored codes (check constraints are built from them) and their labels.
* ``sanitize_html``           — the allow-list sanitiser (nh3, the Ammonia HTML sanitiser) every body goes
                                through before it is stored: no scripts, no event handlers, no styles, no
                                images or frames (nothing may load from another host), safe link schemes.
* ``validate_content`` / ``validate_settings`` — {field: message} for the editor's input.
* ``is_published``, ``audience_includes``, ``reading_state`` — who sees what, and what is new to them.
* ``branch_reach``, ``percent``  — reach per unit (audience, acknowledged, percent), summed by branch of
                                the unit tree from per-unit counts that the database aggregates.

No Flask app, request or database here: plain values in, plain values (and lazy messages) out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from html import unescape
from types import MappingProxyType
from typing import Iterable, Mapping, Optional

import nh3
from flask_babel import lazy_gettext as _l

from app.security import roles as R

TITLE_MAX = 200
NOTE_MAX = 500
BODY_MAX = 100_000  # characters of sanitised HTML
CODE_MAX = 60
FILES_MAX = 10  # attachments per version
NEW_DAYS = 14  # a material published (or changed) this recently is marked "new" until read


class Category(StrEnum):
    """Kategori materi sosialisasi."""

    RHK_GUIDE = "RHK_GUIDE"  # cara menulis RHK
    RATING_MATRIX = "RATING_MATRIX"  # matriks predikat kinerja
    DISTRIBUTION = "DISTRIBUTION"  # kurva / pola distribusi
    OBJECTION = "OBJECTION"  # prosedur keberatan
    FAQ = "FAQ"  # tanya jawab
    OTHER = "OTHER"

    @property
    def label(self):
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = MappingProxyType({
    Category.RHK_GUIDE: _l("How to write an RHK"),
    Category.RATING_MATRIX: _l("The rating matrix"),
    Category.DISTRIBUTION: _l("The distribution curve"),
    Category.OBJECTION: _l("The objection procedure"),
    Category.FAQ: _l("FAQ"),
    Category.OTHER: _l("Other"),
})


class Audience(StrEnum):
    """Who a material is published to (sasaran)."""

    ALL = "ALL"  # every signed-in person
    UNITS = "UNITS"  # the employees of some units, each with all its sub-units
    ROLES = "ROLES"  # the holders of some roles

    @property
    def label(self):
        return AUDIENCE_LABELS[self]


AUDIENCE_LABELS = MappingProxyType({
    Audience.ALL: _l("Everyone"),
    Audience.UNITS: _l("Some units (with their sub-units)"),
    Audience.ROLES: _l("Some roles"),
})

# Roles a material can be published to (Admin is a system role, not an employee audience).
AUDIENCE_ROLES = (R.PEGAWAI, R.ATASAN, R.PIMPINAN, R.PENGELOLA, R.PELATIH)
ROLE_LABELS = MappingProxyType({
    R.PEGAWAI: _l("Pegawai"),
    R.ATASAN: _l("Atasan"),
    R.PIMPINAN: _l("Pimpinan"),
    R.PENGELOLA: _l("Pengelola Kinerja"),
    R.PELATIH: _l("Pelatih"),
})


class ReadingState(StrEnum):
    """Where a reader stands with a material's current version."""

    UNREAD = "UNREAD"  # never acknowledged any version
    NEW_VERSION = "NEW_VERSION"  # acknowledged an earlier version: the current one asks again
    READ = "READ"  # acknowledged the current version

    @property
    def label(self):
        return READING_LABELS[self]


READING_LABELS = MappingProxyType({
    ReadingState.UNREAD: _l("Not read yet"),
    ReadingState.NEW_VERSION: _l("New version"),
    ReadingState.READ: _l("Read"),
})


# --- sanitising ------------------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "code", "pre", "a", "abbr",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = MappingProxyType({
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "td": frozenset({"colspan", "rowspan"}),
    "ol": frozenset({"start"}),
})
# Bootstrap classes a body may use (tables and callouts); any other class is dropped.
ALLOWED_CLASSES = MappingProxyType({
    "table": frozenset({"table", "table-bordered", "table-condensed", "table-striped"}),
    "p": frozenset({"lead", "text-muted"}),
    "td": frozenset({"success", "warning", "danger", "info", "text-center"}),
    "th": frozenset({"text-center"}),
    "blockquote": frozenset({"text-muted"}),
})
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def sanitize_html(raw: Optional[str]) -> str:
    """The body as safe HTML: only the allow-listed tags, attributes, classes and URL schemes are kept
    (scripts, styles, event handlers, images, frames, forms and comments are removed; links get
    rel="noopener noreferrer"). Plain text without tags comes back escaped, with its paragraphs kept."""
    text = (raw or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    if "<" not in text:  # plain text typed into the editor: paragraphs from blank lines
        from markupsafe import escape

        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(f"<p>{escape(p)}</p>".replace("\n", "<br>") for p in paragraphs)
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(classes) for tag, classes in ALLOWED_CLASSES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        clean_content_tags={"script", "style"},
    ).strip()


def plain_text(html: Optional[str]) -> str:
    """The visible text of some HTML (for "is it empty?" and previews)."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html or ""))).strip()


def excerpt(html: Optional[str], length: int = 180) -> str:
    text = plain_text(html)
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


# --- validation ------------------------------------------------------------------------------------------

def clean_text(value, max_length: int) -> str:
    """A one-line text: surrounding spaces and control characters removed (length checked by the caller)."""
    text = "" if value is None else str(value)
    return "".join(ch for ch in text if ch.isprintable() or ch == " ").strip()


def validate_content(title, body_html: str, change_note, *, first: bool) -> dict:
    """Errors {field: message} of one version's content. ``body_html`` is the sanitised body; a change note
    is required for every version after the first."""
    errors = {}
    title = clean_text(title, TITLE_MAX)
    if not title:
        errors["title"] = _l("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("The title may have at most %(max)d characters.", max=TITLE_MAX)
    if not plain_text(body_html):
        errors["body"] = _l("Write the content of the material (it is empty after removing what is not "
                            "allowed).")
    elif len(body_html) > BODY_MAX:
        errors["body"] = _l("The content is too long (at most %(max)d characters).", max=BODY_MAX)
    note = clean_text(change_note, NOTE_MAX)
    if not first and not note:
        errors["change_note"] = _l("Describe what changed in this version.")
    elif len(note) > NOTE_MAX:
        errors["change_note"] = _l("The change note may have at most %(max)d characters.", max=NOTE_MAX)
    return errors


def validate_settings(category, audience, unit_ids: Iterable[int], roles: Iterable[str],
                      published_from: Optional[date], published_until: Optional[date]) -> dict:
    """Errors {field: message} of a material's category, audience and publication dates."""
    errors = {}
    if category not in Category.__members__:
        errors["category"] = _l("Choose a category.")
    if audience not in Audience.__members__:
        errors["audience"] = _l("Choose who the material is for.")
    elif audience == Audience.UNITS and not list(unit_ids):
        errors["units"] = _l("Choose at least one unit.")
    elif audience == Audience.ROLES:
        chosen = list(roles)
        if not chosen:
            errors["roles"] = _l("Choose at least one role.")
        elif any(r not in AUDIENCE_ROLES for r in chosen):
            errors["roles"] = _l("Unknown role.")
    if published_from is None:
        errors["published_from"] = _l("Enter the date from which the material is published.")
    elif published_until is not None and published_until < published_from:
        errors["published_until"] = _l("The end of publication cannot be before its start.")
    return errors


# --- who sees what --------------------------------------------------------------------------------------

def is_published(published_from: Optional[date], published_until: Optional[date], today: date) -> bool:
    """Published on ``today``: from ``published_from`` to ``published_until`` inclusive (open-ended when
    there is no end)."""
    if published_from is None or today < published_from:
        return False
    return published_until is None or today <= published_until


def audience_includes(audience, audience_unit_ids: Iterable[int], audience_roles: Iterable[str],
                      person_unit_ids: Iterable[int], person_roles: Iterable[str]) -> bool:
    """Whether a person is in a material's audience. ``person_unit_ids``: the person's unit and every unit
    above it (a material for a unit reaches its sub-units); ``person_roles``: the roles they hold."""
    if audience == Audience.ALL:
        return True
    if audience == Audience.UNITS:
        return bool(set(audience_unit_ids) & set(person_unit_ids))
    if audience == Audience.ROLES:
        return bool(set(audience_roles) & set(person_roles))
    return False


def reading_state(current_version_id: Optional[int], acknowledged_version_ids: Iterable[int]) -> ReadingState:
    """READ when the current version is acknowledged, NEW_VERSION when only an earlier one is, else UNREAD."""
    acknowledged = set(acknowledged_version_ids)
    if current_version_id is not None and current_version_id in acknowledged:
        return ReadingState.READ
    return ReadingState.NEW_VERSION if acknowledged else ReadingState.UNREAD


def is_new(published_on: Optional[date], today: date, state: ReadingState, days: int = NEW_DAYS) -> bool:
    """Marked "new": not read, and published (or changed) within the last ``days`` days."""
    if state == ReadingState.READ or published_on is None:
        return False
    return 0 <= (today - published_on).days <= days


# --- reach ------------------------------------------------------------------------------------------------

def percent(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in percent with one decimal, rounded half up; 0 for an empty whole."""
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ReachRow:
    """One line of the reach report: a unit (with everything below it) or the root's own staff."""

    unit_id: Optional[int]
    name: str
    audience: int = 0
    acknowledged: int = 0
    has_children: bool = False
    own_staff: bool = False  # the root unit's own staff only (not its sub-units)

    @property
    def unread(self) -> int:
        return self.audience - self.acknowledged

    @property
    def percent(self) -> Decimal:
        return percent(self.acknowledged, self.audience)


@dataclass
class Reach:
    total: ReachRow
    rows: list = field(default_factory=list)


def branch_reach(counts: Mapping[int, tuple], root_id: int, parent_of: Mapping[int, Optional[int]],
                 names: Mapping[int, str], own_staff_label: str = "") -> Reach:
    """Sum per-unit ``counts`` {unit_id: (audience, acknowledged)} by the direct child of ``root_id`` each
    unit lies under; the root's own staff make a row of their own. Units not under the root (or in a
    looping tree) are left out. Rows: the root's children by name, then its own staff."""
    children = sorted((u for u, p in parent_of.items() if p == root_id and u != root_id),
                      key=lambda u: (names.get(u) or "", u))
    has_children = {p for p in parent_of.values() if p is not None}
    branch_of: dict = {root_id: root_id}
    for child in children:
        branch_of[child] = child

    def branch(unit_id):
        path = []
        node = unit_id
        while node not in branch_of:
            if node in path or node is None:
                return None
            path.append(node)
            node = parent_of.get(node)
        result = branch_of[node]
        for step in path:
            branch_of[step] = result
        return result

    rows = {c: ReachRow(c, names.get(c, ""), has_children=c in has_children) for c in children}
    own = ReachRow(root_id, own_staff_label or names.get(root_id, ""), own_staff=True)
    total = ReachRow(root_id, names.get(root_id, ""), has_children=bool(children))
    for unit_id, (audience, acknowledged) in counts.items():
        b = branch(unit_id)
        if b is None:
            continue
        row = own if b == root_id else rows[b]
        row.audience += int(audience)
        row.acknowledged += int(acknowledged)
        total.audience += int(audience)
        total.acknowledged += int(acknowledged)
    result = list(rows.values())
    if own.audience:
        result.append(own)
    return Reach(total=total, rows=result)
