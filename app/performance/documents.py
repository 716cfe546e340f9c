"""The official performance documents as PDF: the SKP (Sasaran Kinerja Pegawai) and the Dokumen Evaluasi
Kinerja Pegawai (PermenPANRB 6/2022), built from loaded ORM objects.

Every caption in these documents ("SASARAN KINERJA PEGAWAI", "PEJABAT PENILAI KINERJA", "RATING HASIL
KERJA", the rating and predikat names, month names, …) is the official Indonesian term of the regulation's
forms and is written here in Indonesian on purpose: an official document reads the same whatever the
language of the screen that asked for it, so none of them is a translatable string (and the lazy labels of
``rating`` are not used: they follow the user's locale).

Library: fpdf2 (pure Python; with Pillow, fontTools and defusedxml, all wheels from PyPI, no system
library). Font: Open Sans from the ``fontpkg-open-sans`` package (OFL-1.1, a 745 kB wheel; it covers
Indonesian text and the typographic signs users paste, "≥", "—", "…", curly quotes). The package ships a
variable font; its regular and bold instances are cut once per process with fontTools into a temporary
folder (0.7 s once, instead of 0.4 s per document), then embedded as subsets.

Output is deterministic for the same input: the creation date comes from ``printed_on``, and nothing else
in the file depends on the clock.

Query use: the builders only read attributes that ``load_skp_for_document`` /
``load_evaluation_for_document`` load (a constant number of queries whatever the number of RHKs), plus one
query for the 7 BerAKHLAK core values with their guides when ``core_values`` is not passed.

Layout: A4 portrait, the evaluation's detail pages landscape (eight columns). Tables use no rowspan (a
rowspan block taller than a page cannot be printed): an RHK is a block of rows whose boxes run down beside
its indicators, and any cell taller than a page is cut over several rows, so long texts wrap, break across
pages under the repeated heading row, and are never lost.

No Flask imports here (the models bring SQLAlchemy and Flask-AppBuilder's ``Model`` only): the views turn
the bytes into a download.
"""
from __future__ import annotations

import atexit
import math
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Optional, Sequence

import sqlalchemy as sa
from fpdf import FPDF
from fpdf.enums import Align, CellBordersLayout, MethodReturnValue, TableCellFillMode, VAlign, XPos, YPos
from fpdf.fonts import FontFace
from sqlalchemy.orm import Session, joinedload, lazyload, object_session, selectinload

from ..organisation.models import Employee, Position, Unit
from .deadlines import PeriodKind
from .models import Approach, CoreValue, Evaluation, Indicator, Progress, Rhk, RhkKind, Skp
from .rating import OrgRating, Predikat, Rating
from .workflow import ObjectionDecision, ObjectionState

AUTHOR = "e-Kinerja Kota Palembang"
DEFAULT_CITY = "Pemerintah Kota Palembang"

# --- official Indonesian terms ---------------------------------------------------------------------

RATING_TEXT = {
    Rating.DI_ATAS: "Di Atas Ekspektasi",
    Rating.SESUAI: "Sesuai Ekspektasi",
    Rating.DI_BAWAH: "Di Bawah Ekspektasi",
}
PREDIKAT_TEXT = {
    Predikat.SANGAT_BAIK: "Sangat Baik",
    Predikat.BAIK: "Baik",
    Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predikat.KURANG: "Kurang/Misconduct",
    Predikat.SANGAT_KURANG: "Sangat Kurang",
}
ORG_RATING_TEXT = {
    OrgRating.ISTIMEWA: "Istimewa",
    OrgRating.BAIK: "Baik",
    OrgRating.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    OrgRating.KURANG: "Kurang",
    OrgRating.SANGAT_KURANG: "Sangat Kurang",
}
ASPECT_TEXT = {"KUANTITAS": "Kuantitas", "KUALITAS": "Kualitas", "WAKTU": "Waktu", "BIAYA": "Biaya"}
APPROACH_TEXT = {Approach.KUANTITATIF: "KUANTITATIF", Approach.KUALITATIF: "KUALITATIF"}
OBJECTION_DECISION_TEXT = {
    ObjectionDecision.TETAP: "Hasil evaluasi kinerja tetap",
    ObjectionDecision.DIUBAH: "Hasil evaluasi kinerja diubah",
}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
ROMAN = ("I", "II", "III", "IV")

# Captions of the numbered sections of the Dokumen Evaluasi Kinerja Pegawai, in order.
EVALUATION_SECTIONS = (
    "PEGAWAI YANG DINILAI",
    "PEJABAT PENILAI KINERJA",
    "ATASAN PEJABAT PENILAI KINERJA",
    "EVALUASI KINERJA",
    "CATATAN/REKOMENDASI",
    "KEBERATAN",
    "PENJELASAN PEJABAT PENILAI KINERJA ATAS KEBERATAN",
    "KEPUTUSAN ATASAN PEJABAT PENILAI KINERJA ATAS KEBERATAN",
)
IDENTITY_FIELDS = ("NAMA", "NIP", "PANGKAT/GOL. RUANG", "JABATAN", "UNIT KERJA")

# --- look ----------------------------------------------------------------------------------------------

FONT = "OpenSans"
BODY_SIZE = 9
TABLE_SIZE = 8
LINE = 4.2  # mm per line of table text
HEAD_FILL = (222, 226, 230)
SECTION_FILL = (241, 243, 245)
HEADINGS = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=TABLE_SIZE)
SECTION = FontFace(emphasis="BOLD", fill_color=SECTION_FILL)
BOLD = FontFace(emphasis="BOLD")
CELL_PADDING = 1.2  # mm, left and right of table text
SIGNATURE_HEIGHT = 40  # mm: place/date, caption, room to sign, name, NIP


# --- fonts -----------------------------------------------------------------------------------------------

_font_lock = threading.Lock()
_font_files: Optional[dict[str, Path]] = None


def _fonts() -> dict[str, Path]:
    """Static regular and bold Open Sans cut from the packaged variable font, once per process."""
    global _font_files
    with _font_lock:
        if _font_files is None or not all(p.exists() for p in _font_files.values()):
            import fontpkg
            from fontTools.ttLib import TTFont
            from fontTools.varLib import instancer

            source = fontpkg.path("Open Sans")
            folder = Path(tempfile.mkdtemp(prefix="ekinerja-fonts-"))
            atexit.register(shutil.rmtree, folder, True)
            files = {}
            for style, weight in (("", 400), ("B", 700)):
                instance = instancer.instantiateVariableFont(TTFont(source), {"wght": weight, "wdth": 100})
                files[style] = folder / f"OpenSans-{weight}.ttf"
                instance.save(files[style])
            _font_files = files
        return _font_files


# --- small formatting helpers -------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value) -> str:
    """Printable text: line breaks kept, tabs as spaces, other control characters dropped; None → ''."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def _or_dash(value) -> str:
    return _text(value) or "-"


def _number(value) -> str:
    """12 → '12', Decimal('85.50') → '85,5', 12500 → '12.500' (Indonesian separators)."""
    if value is None:
        return ""
    d = Decimal(str(value)).normalize()
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    whole, _, frac = f"{d:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + (f",{frac}" if frac else "")


def _long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _short_date(day: Optional[date]) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year}" if day else ""


def _place(city: str) -> str:
    """'Pemerintah Kota Palembang' → 'Palembang' (the place printed before the date)."""
    for prefix in ("pemerintah kota ", "pemerintah kabupaten ", "pemerintah provinsi ", "pemerintah "):
        if city.lower().startswith(prefix):
            return city[len(prefix):].strip()
    return city.strip()


def _rating(code) -> str:
    return RATING_TEXT.get(code, _text(code)) if code else "-"


def _predikat(code) -> str:
    return PREDIKAT_TEXT.get(code, _text(code)) if code else "-"


def _target(indicator: Indicator) -> str:
    if indicator.target_value is None:
        return _or_dash(indicator.target_text)
    return f"{_number(indicator.target_value)} {_text(indicator.target_unit)}".strip()


def _period_kind_name(period) -> str:
    """'Triwulan I', 'Triwulan IV/Akhir', 'Bulan Maret', 'Tahunan'."""
    if period is None:
        return ""
    if period.kind == PeriodKind.QUARTERLY:
        roman = ROMAN[period.number - 1] if 1 <= period.number <= 4 else str(period.number)
        return f"Triwulan {roman}{'/Akhir' if period.number == 4 else ''}"
    if period.kind == PeriodKind.MONTHLY:
        return f"Bulan {MONTHS[period.number - 1]}" if 1 <= period.number <= 12 else f"Bulan {period.number}"
    return "Tahunan"


def _span(starts_on: date, ends_on: date) -> str:
    """'1 Januari s.d. 31 Maret 2026' (the first year only when it differs)."""
    start = _long_date(starts_on) if starts_on.year != ends_on.year else \
        f"{starts_on.day} {MONTHS[starts_on.month - 1]}"
    return f"{start} s.d. {_long_date(ends_on)}"


# --- people --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Person:
    name: str = ""
    nip: str = ""
    rank: str = ""
    position: str = ""
    unit: str = ""

    def rows(self) -> list[tuple[str, str]]:
        return list(zip(IDENTITY_FIELDS, (_or_dash(v) for v in (self.name, self.nip, self.rank, self.position,
                                                              self.unit))))


def _live(employee: Optional[Employee]) -> _Person:
    if employee is None:
        return _Person()
    return _Person(name=employee.full_name, nip=employee.nip, rank=str(employee.rank) if employee.rank else "",
                   position=employee.position.name if employee.position else "",
                   unit=employee.unit.name if employee.unit else "")


def _snapshot(name, nip, rank, position, unit, live: Optional[Employee]) -> _Person:
    """The identity copied onto the evaluation; a field the snapshot lacks (or an evaluation not finalised
    yet) is taken from the employee record, but only when it is the same person (same NIP)."""
    current = _live(live)
    if not (name or nip):
        return current
    same = bool(nip) and nip == current.nip
    return _Person(name=name or (current.name if same else ""), nip=nip or "",
                   rank=rank or (current.rank if same else ""),
                   position=position or (current.position if same else ""),
                   unit=unit or (current.unit if same else ""))


# --- the PDF canvas ------------------------------------------------------------------------------------

class _Pdf(FPDF):
    """A4 with Open Sans, 'Halaman n dari m' in the footer, document metadata, fixed creation date."""

    def __init__(self, *, title: str, subject: str, footer_left: str, printed_on: date):
        super().__init__(orientation="P", unit="mm", format="A4")
        fonts = _fonts()
        self.add_font(FONT, "", fonts[""])
        self.add_font(FONT, "B", fonts["B"])
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=16)
        self.alias_nb_pages("{nb}")
        self.footer_left = footer_left
        self.set_title(title)
        self.set_subject(subject)
        self.set_author(AUTHOR)
        self.set_creator(AUTHOR)
        self.set_producer(AUTHOR)
        self.set_lang("id-ID")
        stamp = datetime(printed_on.year, printed_on.month, printed_on.day, tzinfo=timezone.utc)
        self.set_creation_date(stamp)
        self.set_font(FONT, "", BODY_SIZE)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(90, 90, 90)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width / 2, 5, self.footer_left, align=Align.L)
        self.cell(width / 2, 5, f"Halaman {self.page_no()} dari {{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)

    # layout helpers

    @property
    def body_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def centered(self, text: str, size: float = 11, bold: bool = True, gap: float = 5.5):
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(self.body_width, gap, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", BODY_SIZE)

    def heading(self, text: str):
        self.ensure(40)  # the heading, the table's heading row and a first row
        self.ln(3)
        self.set_font(FONT, "B", BODY_SIZE + 1)
        self.cell(self.body_width, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", BODY_SIZE)

    def labelled(self, label: str, value: str, label_width: float = 48):
        """'LABEL : value' on one line (value wraps)."""
        self.ensure(6)
        self.set_font(FONT, "B", BODY_SIZE)
        self.cell(label_width, 5.5, label)
        self.set_font(FONT, "", BODY_SIZE)
        self.multi_cell(self.body_width - label_width, 5.5, f": {value}", align=Align.L,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def ensure(self, height: float):
        """Start a new page unless ``height`` mm fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page(same=True)

    def lines(self, text: str, width: float) -> list[str]:
        """``text`` wrapped to a table column ``width`` mm wide, in the table font."""
        if not text:
            return []
        self.set_font(FONT, "", TABLE_SIZE)
        inner = width - 2 * CELL_PADDING - 0.5  # as the table passes it to multi_cell
        return self.multi_cell(inner, LINE, text, dry_run=True, output=MethodReturnValue.LINES, padding=0)

    @property
    def max_cell_lines(self) -> int:
        """Lines of table text that fit on one page below a repeated heading row."""
        return max(5, int((self.page_break_trigger - self.t_margin - 40) / LINE))

    def table(self, *args, **kwargs):
        kwargs.setdefault("line_height", LINE)
        kwargs.setdefault("padding", (1, CELL_PADDING))
        self.set_font(FONT, "", TABLE_SIZE)
        kwargs.setdefault("v_align", VAlign.T)
        kwargs.setdefault("text_align", Align.L)
        kwargs.setdefault("headings_style", HEADINGS)
        kwargs.setdefault("width", self.body_width)
        return super().table(*args, **kwargs)

    def signatures(self, place: str, printed_on: date, *blocks: tuple[str, _Person]):
        """Signature blocks side by side (two or three), the place and date above the last one; each with
        its caption, room to sign, the name and the NIP."""
        self.ensure(SIGNATURE_HEIGHT + 6)
        self.ln(6)
        column = self.body_width / len(blocks)
        top = self.get_y()
        self.set_x(self.l_margin + column * (len(blocks) - 1))
        self.set_font(FONT, "", BODY_SIZE)
        self.cell(column, 5, f"{place}, {_long_date(printed_on)}", align=Align.C)
        for i, (caption, person) in enumerate(blocks):
            self._signature_block(self.l_margin + column * i, top + 5, column, caption, person)
        self.set_xy(self.l_margin, top + SIGNATURE_HEIGHT)

    def _signature_block(self, x: float, y: float, width: float, caption: str, person: _Person):
        self.set_xy(x, y)
        self.set_font(FONT, "", BODY_SIZE)
        self.multi_cell(width, 5, caption, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(x, y + 22)
        self.set_font(FONT, "B", BODY_SIZE)
        self.multi_cell(width, 5, _or_dash(person.name), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FONT, "", BODY_SIZE)
        self.set_x(x)
        self.cell(width, 5, f"NIP. {_or_dash(person.nip)}", align=Align.C)

    def blank_signature(self, place: str, printed_on: date, caption: str):
        """One signature block on the right half (place and date, ``caption``, room to sign, a dotted line for
        the name): for lists signed by whoever runs them (attendance list, survey report)."""
        self.ensure(40)
        self.ln(6)
        x = self.l_margin + self.body_width / 2
        self.set_x(x)
        self.cell(self.body_width / 2, 5.5, f"{place}, {_long_date(printed_on)}", new_x=XPos.LMARGIN,
                  new_y=YPos.NEXT, align=Align.C)
        self.set_x(x)
        self.set_font(FONT, "B", BODY_SIZE)
        self.cell(self.body_width / 2, 5.5, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align=Align.C)
        self.ln(18)
        self.set_x(x)
        self.set_font(FONT, "", BODY_SIZE)
        self.cell(self.body_width / 2, 5.5, "(................................................)", align=Align.C,
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def finish(self) -> bytes:
        return bytes(self.output())


def _group(pdf: _Pdf, table, rows: Sequence[Sequence[Optional[str]]], widths: Sequence[float], *,
           spans: Optional[Sequence[int]] = None, continues=None, aligns: Optional[Sequence] = None,
           styles: Optional[Sequence] = None):
    """Table rows that read as one block: no rowspan (a rowspan group taller than a page cannot be
    printed), but boxes that run down the block. ``rows`` are logical rows of cell texts (one per
    ``spans`` entry, the number of columns each cell covers); ``continues(r, c)`` tells whether cell ``c``
    of logical row ``r`` > 0 is the same box as the one above it (its text, if any, goes on below).
    A logical row taller than a page is cut into several table rows whose boxes continue, so long texts
    never stop the document and never get lost."""
    spans = list(spans or [1] * len(widths))
    starts = [sum(spans[:i]) for i in range(len(spans))]
    cell_widths = [sum(widths[starts[i]:starts[i] + spans[i]]) for i in range(len(spans))]
    limit = pdf.max_cell_lines
    physical: list[tuple[list[str], list[bool]]] = []
    for r, row in enumerate(rows):
        wrapped = [pdf.lines(text or "", cell_widths[c]) for c, text in enumerate(row)]
        parts = max(1, max(math.ceil(len(w) / limit) for w in wrapped))
        for k in range(parts):
            cells = ["\n".join(w[k * limit:(k + 1) * limit]) for w in wrapped]
            cont = [k > 0 or (r > 0 and bool(continues and continues(r, c))) for c in range(len(row))]
            physical.append((cells, cont))
    for i, (cells, cont) in enumerate(physical):
        following = physical[i + 1][1] if i + 1 < len(physical) else [False] * len(cells)
        row = table.row()
        for c, text in enumerate(cells):
            options = {}
            if spans[c] > 1:
                options["colspan"] = spans[c]
            if aligns and aligns[c] is not None:
                options["align"] = aligns[c]
            if styles and styles[c] is not None:
                options["style"] = styles[c]
            if cont[c] or following[c]:
                border = CellBordersLayout.LEFT | CellBordersLayout.RIGHT
                if not cont[c]:
                    border |= CellBordersLayout.TOP
                if not following[c]:
                    border |= CellBordersLayout.BOTTOM
                options["border"] = border
            row.cell(text, **options)


# --- shared tables --------------------------------------------------------------------------------------

def _identity_table(pdf: _Pdf, left_caption: str, left: _Person, right_caption: str, right: _Person):
    """NO | PEGAWAI YANG DINILAI | NO | PEJABAT PENILAI KINERJA, five rows each."""
    w = pdf.body_width
    label, no = 30, 8
    value = (w - 2 * no - 2 * label) / 2
    with pdf.table(col_widths=(no, label, value, no, label, value), first_row_as_headings=True,
                   text_align=(Align.C, Align.L, Align.L, Align.C, Align.L, Align.L)) as table:
        head = table.row()
        head.cell("NO", align=Align.C)
        head.cell(left_caption, colspan=2, align=Align.C)
        head.cell("NO", align=Align.C)
        head.cell(right_caption, colspan=2, align=Align.C)
        for i, ((lf, lv), (rf, rv)) in enumerate(zip(left.rows(), right.rows()), start=1):
            row = table.row()
            row.cell(str(i))
            row.cell(lf)
            row.cell(lv)
            row.cell(str(i))
            row.cell(rf)
            row.cell(rv)


def _core_values_for(obj, core_values: Optional[Sequence[CoreValue]]) -> list[CoreValue]:
    if core_values is not None:
        return sorted(core_values, key=lambda cv: cv.sort_order)
    session = object_session(obj)
    if session is None:
        raise ValueError("pass core_values, or an object attached to a session")
    return list(session.scalars(sa.select(CoreValue).options(joinedload(CoreValue.guides))
                                .order_by(CoreValue.sort_order)).unique())


def _core_value_text(cv: CoreValue) -> str:
    guides = [f"{i}. {_text(g.text)}" for i, g in enumerate(cv.guides, start=1)]
    return "\n".join([_text(cv.name)] + guides)


def _rhk_groups(rhks: Iterable[Rhk]) -> list[tuple[str, list[Rhk]]]:
    rhks = list(rhks)
    return [("A. UTAMA", [r for r in rhks if r.kind == RhkKind.UTAMA]),
            ("B. TAMBAHAN", [r for r in rhks if r.kind == RhkKind.TAMBAHAN])]


def _parent_text(rhk: Rhk) -> str:
    if rhk.parent is not None:
        return _text(rhk.parent.text)
    if rhk.perspective:
        return f"Perspektif: {_text(rhk.perspective)}"
    return "-"


def _rhk_table_body(pdf: _Pdf, table, rhks: Iterable[Rhk], widths: Sequence[float], *, period=None,
                    feedback: Optional[dict] = None):
    """The RHK rows, Utama then Tambahan: per RHK a block with its number, the supervisor's RHK and its
    text running down beside its indicators (aspek, indikator, target), one indicator a row; with
    ``feedback`` (the evaluation's detail) also the realisasi and the umpan balik, one entry a row, in
    boxes that run down the block."""
    columns = len(widths)
    aligns = [Align.C] + [None] * (columns - 1)
    for caption, group in _rhk_groups(rhks):
        table.row().cell(caption, colspan=columns, style=SECTION, align=Align.L)
        if not group:
            table.row().cell("-", colspan=columns, align=Align.C)
        for number, rhk in enumerate(group, start=1):
            indicators = list(rhk.indicators)
            entries: list[list[str]] = []
            if feedback is not None:
                entries = [_realisasi_lines(rhk, period) or ["-"],
                           _feedback_lines(feedback.get(rhk.id, [])) or ["-"]]
            count = max([1, len(indicators)] + [len(e) for e in entries])
            rows = []
            for i in range(count):
                row: list[Optional[str]] = [str(number), _parent_text(rhk), _text(rhk.text)] if i == 0 else \
                    [None, None, None]
                if i < len(indicators):
                    ind = indicators[i]
                    row += [ASPECT_TEXT.get(ind.aspect, _text(ind.aspect)), _text(ind.text), _target(ind)]
                else:
                    row += ["-", "-", "-"] if i == 0 else [None, None, None]
                row += [e[i] if i < len(e) else None for e in entries]
                rows.append(row)
            last_indicator = max(len(indicators), 1)

            def continues(r, c, last_indicator=last_indicator):
                return c < 3 or c >= 6 or r >= last_indicator

            _group(pdf, table, rows, widths, continues=continues, aligns=aligns)


# --- SKP -------------------------------------------------------------------------------------------------

def _person(relationship):
    """Load option: a person of the plan with what the documents print (rank, position, unit) in the same
    query, and nothing more (no supervisor, no parent units)."""
    return joinedload(relationship).options(
        lazyload(Employee.supervisor), joinedload(Employee.rank),
        joinedload(Employee.unit).lazyload(Unit.parent),
        joinedload(Employee.position).options(lazyload(Position.parent),
                                               joinedload(Position.unit).lazyload(Unit.parent)))


def load_skp_for_document(session: Session, skp_id: int) -> Optional[Skp]:
    """The SKP with everything ``skp_pdf`` reads (people, RHKs with indicators and the supervisor's RHK,
    expectations), in four queries whatever its size: the plan joined with its three people; the RHKs joined
    with their indicators; the supervisor's RHKs; the expectations. None if there is no such plan."""
    return session.scalars(
        sa.select(Skp).where(Skp.id == skp_id).options(
            _person(Skp.employee), _person(Skp.rater), _person(Skp.rater_supervisor),
            selectinload(Skp.rhks).options(joinedload(Rhk.indicators), selectinload(Rhk.parent)
                                           .options(lazyload(Rhk.indicators), lazyload(Rhk.parent))),
            selectinload(Skp.expectations),
        )
    ).unique().one_or_none()


def skp_pdf(skp: Skp, *, city: str = DEFAULT_CITY, printed_on: date, place: Optional[str] = None,
            core_values: Optional[Sequence[CoreValue]] = None) -> bytes:
    """The Sasaran Kinerja Pegawai as a PDF: header with the period and approach, the employee and the
    rater side by side, the RHK table (Utama, then Tambahan), the work-behaviour expectations (the 7
    BerAKHLAK values with their guides and the supervisor's special expectation), signature blocks.

    ``place`` (before the date) defaults to the city without "Pemerintah Kota"; ``core_values`` default to
    all core values, read through the plan's session."""
    values = _core_values_for(skp, core_values)
    employee = _live(skp.employee)
    rater = _live(skp.rater)
    approach = APPROACH_TEXT.get(skp.approach, _text(skp.approach).upper())
    pdf = _Pdf(title=f"Sasaran Kinerja Pegawai {skp.year} - {employee.name}",
               subject=f"SKP {skp.year} {employee.nip}",
               footer_left=f"SKP {skp.year} - {employee.name} - NIP {employee.nip}", printed_on=printed_on)
    pdf.add_page()

    pdf.centered(_text(city).upper(), size=10)
    pdf.centered("SASARAN KINERJA PEGAWAI", size=13)
    pdf.centered(f"PENDEKATAN HASIL KERJA {approach}", size=10)
    pdf.ln(2)
    pdf.set_font(FONT, "", BODY_SIZE)
    pdf.cell(pdf.body_width, 5, f"PERIODE PENILAIAN: {_span(date(skp.year, 1, 1), date(skp.year, 12, 31)).upper()}",
             align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)

    _identity_table(pdf, "PEGAWAI YANG DINILAI", employee, "PEJABAT PENILAI KINERJA", rater)

    pdf.heading("HASIL KERJA")
    w = pdf.body_width
    widths = (8, 36, 44, 18, 0, 26)
    widths = widths[:4] + (w - sum(widths),) + widths[5:]
    with pdf.table(col_widths=widths, text_align=(Align.C, Align.L, Align.L, Align.L, Align.L, Align.L)) as table:
        head = table.row()
        for caption in ("NO", "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "RENCANA HASIL KERJA", "ASPEK",
                        "INDIKATOR KINERJA INDIVIDU", "TARGET"):
            head.cell(caption, align=Align.C, v_align=VAlign.M)
        _rhk_table_body(pdf, table, skp.rhks, widths)

    pdf.heading("PERILAKU KERJA")
    expectations = {e.core_value_id: e for e in skp.expectations}
    with pdf.table(col_widths=(8, (w - 8) * 0.6, (w - 8) * 0.4), text_align=(Align.C, Align.L, Align.L)) as table:
        head = table.row()
        for caption in ("NO", "PERILAKU KERJA", "EKSPEKTASI KHUSUS PIMPINAN"):
            head.cell(caption, align=Align.C)
        for number, cv in enumerate(values, start=1):
            _group(pdf, table, [[str(number), _core_value_text(cv),
                                 _or_dash(expectations[cv.id].text if cv.id in expectations else None)]],
                   (8, (w - 8) * 0.6, (w - 8) * 0.4), aligns=(Align.C, None, None))

    pdf.signatures(place or _place(city), printed_on, ("Pegawai yang Dinilai", employee),
                   ("Pejabat Penilai Kinerja", rater))
    return pdf.finish()


# --- Dokumen Evaluasi Kinerja Pegawai -----------------------------------------------------------------------

def load_evaluation_for_document(session: Session, evaluation_id: int) -> Optional[Evaluation]:
    """The evaluation with everything ``evaluation_pdf`` reads (period, objection, the plan's people, RHKs
    with indicators, the supervisor's RHK, progress with evidence, feedback, expectations), in seven queries
    whatever the plan's size: the evaluation joined with its period, objection, plan and the plan's people;
    the RHKs joined with their indicators; the supervisor's RHKs; the progress joined with its evidence; the
    feedback; the expectations. None if there is no such evaluation."""
    return session.scalars(
        sa.select(Evaluation).where(Evaluation.id == evaluation_id).options(
            joinedload(Evaluation.period),
            joinedload(Evaluation.objection).lazyload("*"),
            joinedload(Evaluation.skp).options(
                _person(Skp.employee), _person(Skp.rater), _person(Skp.rater_supervisor),
                selectinload(Skp.rhks).options(
                    joinedload(Rhk.indicators),
                    selectinload(Rhk.parent).options(lazyload(Rhk.indicators), lazyload(Rhk.parent)),
                    selectinload(Rhk.progress).joinedload(Progress.evidence),
                ),
                selectinload(Skp.feedback),
                selectinload(Skp.expectations),
            ),
        )
    ).unique().one_or_none()


def _in_period(progress: Progress, period) -> bool:
    """Progress counted in an evaluation: all of the plan's for an annual evaluation, else the entries of
    that period (or, with no period recorded, achieved within its dates)."""
    if period is None or period.kind == PeriodKind.ANNUAL:
        return True
    if progress.period_id is not None:
        return progress.period_id == period.id
    return period.starts_on <= progress.achieved_on <= period.ends_on


def _realisasi_lines(rhk: Rhk, period) -> list[str]:
    units = {i.id: i for i in rhk.indicators}
    lines = []
    for p in rhk.progress:
        if not _in_period(p, period):
            continue
        indicator = units.get(p.indicator_id)
        value = ""
        if p.value is not None:
            value = f"{_number(p.value)} {_text(indicator.target_unit) if indicator else ''}".strip() + ": "
        line = f"{_short_date(p.achieved_on)}: {value}{_text(p.description)}"
        evidence = [_text(e.original_name or e.url) for e in p.evidence]
        if evidence:
            line += f" (bukti dukung: {', '.join(evidence)})"
        lines.append(line)
    return lines


def _feedback_lines(items) -> list[str]:
    return [f"{_short_date(f.created_on.date() if f.created_on else None)} {_text(f.author_name)}: "
            f"{_text(f.text)}".strip() for f in items]


def _final_result(evaluation: Evaluation) -> tuple[Optional[str], Optional[str], Optional[str], bool]:
    """(hasil, perilaku, predikat, changed): the evaluation's result, or the one the atasan set on a
    decided objection."""
    objection = evaluation.objection
    if objection is not None and objection.decision == ObjectionDecision.DIUBAH and objection.new_predikat:
        return objection.new_hasil_rating, objection.new_perilaku_rating, objection.new_predikat, True
    return evaluation.hasil_rating, evaluation.perilaku_rating, evaluation.predikat, False


def evaluation_pdf(evaluation: Evaluation, *, printed_on: date, city: str = DEFAULT_CITY,
                   place: Optional[str] = None, core_values: Optional[Sequence[CoreValue]] = None) -> bytes:
    """The Dokumen Evaluasi Kinerja Pegawai as a PDF: sections 1-8 (the employee, the rater and the rater's
    supervisor from the evaluation's snapshots, the evaluation, notes and recommendation, the objection,
    the rater's explanation, the decision), dated signature blocks, then the detail pages (each RHK with
    realisasi and umpan balik, the rating hasil kerja, each core value with umpan balik, the rating
    perilaku kerja, the predikat kinerja pegawai)."""
    skp = evaluation.skp
    period = evaluation.period
    values = _core_values_for(evaluation, core_values)
    e = evaluation
    employee = _snapshot(e.employee_name, e.employee_nip, e.employee_rank, e.employee_position, e.employee_unit,
                         skp.employee)
    rater = _snapshot(e.rater_name, e.rater_nip, e.rater_rank, e.rater_position, e.rater_unit, skp.rater)
    supervisor = _snapshot(e.rater_supervisor_name, e.rater_supervisor_nip, None, None, None,
                           skp.rater_supervisor)
    objection = e.objection
    place = place or _place(city)
    period_name = _period_kind_name(period)
    year = period.year if period is not None else skp.year
    pdf = _Pdf(title=f"Dokumen Evaluasi Kinerja Pegawai {period_name} {year} - {employee.name}",
               subject=f"Evaluasi kinerja {period.code if period else year} {employee.nip}",
               footer_left=f"Evaluasi Kinerja {period_name} {year} - {employee.name} - NIP {employee.nip}",
               printed_on=printed_on)
    pdf.add_page()
    pdf.centered(_text(city).upper(), size=10)
    pdf.centered("DOKUMEN EVALUASI KINERJA PEGAWAI", size=13)
    pdf.centered(f"PERIODE: {period_name.upper()}", size=10)
    pdf.ln(2)
    if period is not None:
        pdf.cell(pdf.body_width, 5, f"PERIODE PENILAIAN: {_span(period.starts_on, period.ends_on).upper()}",
                 align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)

    w = pdf.body_width
    hasil, perilaku, final_predikat, changed = _final_result(e)
    with pdf.table(col_widths=(8, 8, 58, w - 74), first_row_as_headings=False,
                   text_align=(Align.C, Align.C, Align.L, Align.L)) as table:
        widths = (8, 8, 58, w - 74)

        def section(number: int):
            row = table.row()
            row.cell(str(number), style=SECTION, align=Align.C)
            row.cell(EVALUATION_SECTIONS[number - 1], colspan=3, style=SECTION, align=Align.L)

        def field(number, label, value):
            _group(pdf, table, [["", str(number) if number else "", label, value]], widths,
                   aligns=(Align.C, Align.C, Align.L, Align.L))

        def text(value):
            _group(pdf, table, [["", value]], widths, spans=(1, 3), aligns=(Align.C, Align.L))

        for number, person in ((1, employee), (2, rater), (3, supervisor)):
            section(number)
            for i, (label, value) in enumerate(person.rows(), start=1):
                field(i, label, value)

        section(4)
        achievement = "-"
        if e.organisation_rating or e.organisation_achievement is not None:
            parts = []
            if e.organisation_achievement is not None:
                parts.append(f"{_number(e.organisation_achievement)}%")
            if e.organisation_rating:
                rating = ORG_RATING_TEXT.get(e.organisation_rating, _text(e.organisation_rating))
                parts.append(f"({rating})" if parts else rating)
            achievement = " ".join(parts)
        field(1, "CAPAIAN KINERJA ORGANISASI", achievement)
        field(2, "PREDIKAT KINERJA PEGAWAI", _predikat(e.predikat).upper() if e.predikat else "-")

        section(5)
        field(None, "CATATAN", _or_dash(e.notes))
        field(None, "REKOMENDASI", _or_dash(e.recommendation))

        section(6)
        if objection is None:
            text("Tidak ada keberatan.")
        else:
            text(f"{_short_date(objection.filed_at.date() if objection.filed_at else None)}: "
                 f"{_text(objection.reasons)}".lstrip(": "))
        section(7)
        text(_or_dash(objection.explanation) if objection is not None else "-")
        section(8)
        if objection is None or objection.status != ObjectionState.DIPUTUS or not objection.decision:
            text("Belum diputus." if objection is not None else "-")
        else:
            decision = OBJECTION_DECISION_TEXT.get(objection.decision, _text(objection.decision))
            if objection.decision == ObjectionDecision.DIUBAH:
                decision += (f": rating hasil kerja {_rating(objection.new_hasil_rating)}, rating perilaku kerja "
                             f"{_rating(objection.new_perilaku_rating)}, predikat kinerja "
                             f"{_predikat(objection.new_predikat)}")
            if objection.decision_text:
                decision += f".\n{_text(objection.decision_text)}"
            text(decision)

    blocks = [("Pegawai yang Dinilai", employee), ("Pejabat Penilai Kinerja", rater)]
    if objection is not None:
        blocks.append(("Atasan Pejabat Penilai Kinerja", supervisor))
    pdf.signatures(place, printed_on, *blocks)

    # --- detail pages (landscape: eight columns) ---
    pdf.add_page(orientation="L")
    pdf.centered("LAMPIRAN DOKUMEN EVALUASI KINERJA PEGAWAI", size=11)
    pdf.centered(f"{employee.name} - NIP {employee.nip} - PERIODE: {period_name.upper()} {year}", size=9,
                 bold=False)
    pdf.heading("HASIL KERJA")
    w = pdf.body_width
    widths = [8, 38, 44, 19, 0, 24, 56, 50]
    widths[4] = w - sum(widths)
    feedback_by_rhk: dict[int, list] = {}
    feedback_by_value: dict[int, list] = {}
    for f in skp.feedback:
        if f.rhk_id is not None:
            feedback_by_rhk.setdefault(f.rhk_id, []).append(f)
        elif f.core_value_id is not None:
            feedback_by_value.setdefault(f.core_value_id, []).append(f)
    with pdf.table(col_widths=widths) as table:
        head = table.row()
        for caption in ("NO", "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "RENCANA HASIL KERJA", "ASPEK",
                        "INDIKATOR KINERJA INDIVIDU", "TARGET", "REALISASI BERDASARKAN BUKTI DUKUNG",
                        "UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG"):
            head.cell(caption, align=Align.C, v_align=VAlign.M)
        _rhk_table_body(pdf, table, skp.rhks, widths, period=period, feedback=feedback_by_rhk)
        row = table.row()
        row.cell("RATING HASIL KERJA", colspan=6, style=BOLD, align=Align.R)
        row.cell(_rating(hasil).upper() if hasil else "-", colspan=2, style=BOLD)

    pdf.heading("PERILAKU KERJA")
    expectations = {x.core_value_id: x for x in skp.expectations}
    with pdf.table(col_widths=(8, (w - 8) * 0.42, (w - 8) * 0.26, (w - 8) * 0.32),
                   text_align=(Align.C, Align.L, Align.L, Align.L)) as table:
        head = table.row()
        for caption in ("NO", "PERILAKU KERJA", "EKSPEKTASI KHUSUS PIMPINAN",
                        "UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG"):
            head.cell(caption, align=Align.C, v_align=VAlign.M)
        widths = (8, (w - 8) * 0.42, (w - 8) * 0.26, (w - 8) * 0.32)
        for number, cv in enumerate(values, start=1):
            _group(pdf, table, [[str(number), _core_value_text(cv),
                                 _or_dash(expectations[cv.id].text if cv.id in expectations else None),
                                 "\n".join(_feedback_lines(feedback_by_value.get(cv.id, []))) or "-"]],
                   widths, aligns=(Align.C, None, None, None))
        row = table.row()
        row.cell("RATING PERILAKU KERJA", colspan=2, style=BOLD, align=Align.R)
        row.cell(_rating(perilaku).upper() if perilaku else "-", colspan=2, style=BOLD)

    pdf.ensure(16)
    pdf.ln(3)
    with pdf.table(col_widths=(w * 0.4, w * 0.6), first_row_as_headings=False,
                   cell_fill_color=SECTION_FILL, cell_fill_mode=TableCellFillMode.ALL) as table:
        row = table.row()
        row.cell("PREDIKAT KINERJA PEGAWAI", style=BOLD)
        label = _predikat(final_predikat).upper() if final_predikat else "-"
        if changed:
            label += " (setelah keputusan atas keberatan)"
        row.cell(label, style=BOLD)

    pdf.signatures(place, printed_on, ("Pegawai yang Dinilai", employee), ("Pejabat Penilai Kinerja", rater))
    return pdf.finish()


__all__ = ["skp_pdf", "evaluation_pdf", "load_skp_for_document", "load_evaluation_for_document",
           "EVALUATION_SECTIONS", "RATING_TEXT", "PREDIKAT_TEXT", "ORG_RATING_TEXT"]
