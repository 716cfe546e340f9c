"""The printable IKM report of a service unit and year (Laporan Hasil Survei Kepuasan Masyarakat) as PDF,
with fpdf2 and the canvas of app.performance.documents. Captions are the Indonesian terms of the official
report (not translatable strings), like the other documents. No Flask imports."""
from __future__ import annotations

from datetime import date

from fpdf.enums import Align, XPos, YPos

from app.performance.documents import BODY_SIZE, FONT, TABLE_SIZE, _Pdf, _place, _text

from . import rules

ELEMENT_TEXT = ("Persyaratan", "Sistem, mekanisme dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
                "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
                "Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana")
GRADE_TEXT = {"A": "A (Sangat Baik)", "B": "B (Baik)", "C": "C (Kurang Baik)", "D": "D (Tidak Baik)"}


def _dec(value, places=2) -> str:
    return "-" if value is None else f"{value:.{places}f}".replace(".", ",")


def ikm_pdf(unit_name: str, service_name: str, year: int, result: rules.IkmResult, printed_on: date,
            city: str = "Pemerintah Kota Palembang") -> bytes:
    title = f"Laporan IKM {year} - {_text(unit_name)}"
    pdf = _Pdf(title=title, subject="Laporan hasil survei kepuasan masyarakat", footer_left=_text(unit_name)[:90],
               printed_on=printed_on)
    pdf.add_page()
    pdf.centered(city.upper(), size=10)
    pdf.centered("LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT", size=12)
    pdf.centered(f"TAHUN {year}", size=11)
    pdf.ln(3)
    for label, value in (("Unit layanan", _text(unit_name)), ("Jenis layanan", _text(service_name)),
                         ("Jumlah responden", str(result.respondents)),
                         ("Dasar", "Peraturan Menteri PANRB Nomor 14 Tahun 2017")):
        pdf.labelled(label, value, label_width=36)
    pdf.ln(3)
    pdf.set_font(FONT, "", TABLE_SIZE)
    with pdf.table(col_widths=(10, 110, 40), text_align=(Align.R, Align.L, Align.R)) as table:
        heading = table.row()
        for caption in ("NO", "UNSUR PELAYANAN", "NRR"):
            heading.cell(caption)
        for number, (key, text) in enumerate(zip(rules.ELEMENT_KEYS, ELEMENT_TEXT), start=1):
            row = table.row()
            row.cell(f"U{number}")
            row.cell(text)
            row.cell(_dec(result.nrr.get(key), 3))
    pdf.ln(3)
    pdf.set_font(FONT, "B", BODY_SIZE)
    pdf.cell(pdf.body_width, 6, f"Nilai IKM: {_dec(result.ikm)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(pdf.body_width, 6, "Mutu pelayanan: " + (GRADE_TEXT.get(result.grade_code) or "-"),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", BODY_SIZE)
    pdf.multi_cell(pdf.body_width, 5, "IKM = rata-rata NRR kesembilan unsur x 25, dibulatkan dua desimal. "
                   "Mutu: A 88,31-100; B 76,61-88,30; C 65,00-76,60; D 25,00-64,99.",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.blank_signature(_place(city), printed_on, "KEPALA UNIT LAYANAN")
    return pdf.finish()
