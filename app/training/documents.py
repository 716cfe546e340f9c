"""The printable attendance list of a session (Daftar Hadir) as PDF, with fpdf2 and the fonts and canvas of
app.performance.documents (Open Sans; page numbers; deterministic output for the same input).

The captions are the Indonesian terms of the forms training units print ("DAFTAR HADIR PESERTA", "TANDA
TANGAN"…): an attendance list reads the same whatever the language of the screen that asked for it, so none
of them is a translatable string. Only the participants the viewer may see are passed in (the caller applies
the row scope). No Flask imports.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Optional

from fpdf.enums import Align, XPos, YPos

from app.performance.documents import BODY_SIZE, FONT, TABLE_SIZE, _long_date, _number, _Pdf, _place, _text

from .rules import Attendance, EnrollmentStatus, Method, SessionKind

ATTENDANCE_TEXT = {Attendance.HADIR: "Hadir", Attendance.IZIN: "Izin", Attendance.TIDAK_HADIR: "Tidak hadir"}
KIND_TEXT = {SessionKind.PELATIHAN: "PELATIHAN", SessionKind.SOSIALISASI: "SOSIALISASI"}
METHOD_TEXT = {Method.KLASIKAL: "Klasikal", Method.E_LEARNING: "E-learning", Method.COACHING: "Coaching",
               Method.MENTORING: "Mentoring", Method.SEMINAR: "Seminar", Method.WORKSHOP: "Workshop"}


def _moment(value: datetime) -> str:
    return f"{_long_date(value.date())} pukul {value:%H.%M}"


def _span(starts: datetime, ends: datetime) -> str:
    if starts.date() == ends.date():
        return f"{_long_date(starts.date())}, pukul {starts:%H.%M} s.d. {ends:%H.%M} WIB"
    return f"{_moment(starts)} s.d. {_moment(ends)} WIB"


def attendance_pdf(training_session, participants: Iterable, printed_on: date,
                   city: str = "Pemerintah Kota Palembang", trainer_names: Optional[str] = None) -> bytes:
    """The attendance list: the session's details, then one row per invited participant (number, name, NIP,
    unit, attendance, scores, certificate number, room to sign), then the trainers' signature block."""
    title = f"Daftar Hadir - {_text(training_session.title)}"
    pdf = _Pdf(title=title, subject="Daftar hadir peserta", footer_left=_text(training_session.title)[:90],
               printed_on=printed_on)
    pdf.add_page()
    pdf.centered(city.upper(), size=10)
    pdf.centered(f"DAFTAR HADIR PESERTA {KIND_TEXT.get(training_session.kind, 'PELATIHAN')}", size=12)
    pdf.centered(_text(training_session.title), size=11)
    pdf.ln(3)
    place = _text(training_session.place) or _text(training_session.online_url) or "-"
    for label, value in (
            ("Penyelenggara", _text(training_session.organiser) or "-"),
            ("Topik", _text(training_session.topic.name) if training_session.topic else "-"),
            ("Jalur", METHOD_TEXT.get(training_session.method, _text(training_session.method))),
            ("Waktu", _span(training_session.starts_at, training_session.ends_at)),
            ("Tempat", place),
            ("Jumlah JP", f"{_number(training_session.jp)} JP (1 JP = 45 menit)"),
            ("Pelatih", _text(trainer_names if trainer_names is not None else training_session.trainer_names) or "-")):
        pdf.labelled(label, value, label_width=32)
    pdf.ln(3)
    rows = [p for p in participants if p.status == EnrollmentStatus.DIUNDANG]
    pdf.set_font(FONT, "", TABLE_SIZE)
    widths = (8, 44, 30, 38, 16, 12, 12, 20)
    with pdf.table(col_widths=widths, repeat_headings=1,
                   text_align=(Align.R, Align.L, Align.L, Align.L, Align.L, Align.R, Align.R, Align.L)) as table:
        heading = table.row()
        for caption in ("NO", "NAMA", "NIP", "UNIT KERJA", "KEHADIRAN", "PRE", "POST", "TANDA TANGAN"):
            heading.cell(caption)
        for number, p in enumerate(rows, start=1):
            row = table.row()
            employee = p.employee
            row.cell(str(number))
            row.cell(_text(employee.full_name))
            row.cell(_text(employee.nip))
            row.cell(_text(p.unit.name if p.unit is not None else (employee.unit.name if employee.unit else "")))
            row.cell(ATTENDANCE_TEXT.get(p.attendance, ""))
            row.cell(_number(p.pre_score))
            row.cell(_number(p.post_score))
            row.cell("")
    if not rows:
        pdf.set_font(FONT, "", BODY_SIZE)
        pdf.cell(pdf.body_width, 6, "Belum ada peserta yang diundang.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    present = sum(1 for p in rows if p.attendance == Attendance.HADIR)
    pdf.set_font(FONT, "", BODY_SIZE)
    pdf.ln(2)
    pdf.cell(pdf.body_width, 5.5, f"Jumlah peserta: {len(rows)}; hadir: {present}.", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    pdf.blank_signature(_place(city), printed_on, "PELATIH / PENYELENGGARA")
    return pdf.finish()

