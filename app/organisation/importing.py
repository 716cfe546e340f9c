"""Bulk import of units (unit kerja), positions (jabatan) and employees (pegawai) from CSV or XLSX, as
exported by SIMPEG/SIASN.

No web imports: the import page, the CLI and the tests call it alike. Three steps:

1. ``read_table`` turns the uploaded bytes into a header and rows (CSV: UTF-8 with or without BOM, ``,``
   or ``;``; XLSX: the first sheet, read-only). Anything else is refused with a clear message.
2. ``validate_*`` checks every row with the pure rules (rules.py) and looks up what the rows refer to in
   a few bulk queries (never one per row). Each problem is a RowError(line, column, message) where the
   line is the row number a spreadsheet shows (the header is line 1).
3. When no row has a problem, everything is written in ONE transaction (upsert by unit code, by
   (unit, position name) and by NIP); otherwise nothing is written.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Dict, Iterable, List, NamedTuple, Optional, Tuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.transactions import atomic

from . import rules
from .models import Employee, Position, Rank, Unit

KINDS = ("units", "positions", "employees")
KIND_LABELS = {"units": _l("Work units"), "positions": _l("Positions"), "employees": _l("Employees")}

DEFAULT_MAX_ROWS = 50000
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 200
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024  # refuse zip bombs before openpyxl unpacks them
MAX_ERRORS = 1000  # more than this and the file is clearly not the expected one
IN_CHUNK = 900  # ids per IN (...) list: below SQLite's parameter limit


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, empty, too large, bad encoding)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class RowError(NamedTuple):
    """One problem: spreadsheet line number (header = 1), column name as in the file, message."""

    line: int
    column: str
    message: object  # lazy string

    def __str__(self):
        return f"{self.line}:{self.column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: Dict[str, int] = field(default_factory=dict)
    updated: Dict[str, int] = field(default_factory=dict)
    errors: List[RowError] = field(default_factory=list)
    errors_truncated: bool = False
    ignored_columns: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- column definitions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # internal field name
    aliases: Tuple[str, ...]  # accepted header names (normalised); the first one is the template header
    required: bool = False
    help: object = ""

    @property
    def header(self) -> str:
        return self.aliases[0]


COLUMNS: Dict[str, List[Column]] = {
    "units": [
        Column("code", ("kode", "kode_unit", "code", "unit_code"), True, _l("Unique unit code, e.g. DINKES")),
        Column("name", ("nama", "nama_unit", "unit_kerja", "name"), True, _l("Unit name")),
        Column("unit_type", ("jenis", "jenis_unit", "unit_type", "type"), True,
               _l("One of: %(v)s", v=", ".join(rules.UNIT_TYPES))),
        Column("parent_code", ("kode_induk", "induk", "kode_unit_induk", "parent_code", "parent"), False,
               _l("Code of the parent unit (in the database or in this file); blank for the top unit")),
        Column("active", ("aktif", "active", "status_aktif"), False, _l("Ya/Tidak (blank: Ya)")),
    ],
    "positions": [
        Column("name", ("nama", "nama_jabatan", "jabatan", "name", "position"), True, _l("Position name")),
        Column("position_type", ("jenis_jabatan", "jenis", "position_type", "type"), True,
               _l("One of: %(v)s", v=", ".join(rules.POSITION_TYPES))),
        Column("level", ("jenjang", "level", "jenjang_jabatan"), False,
               _l("JPT: UTAMA/MADYA/PRATAMA; Pelaksana: KLEREK/OPERATOR/TEKNISI; Fungsional: AHLI_PERTAMA "
                  "… PENYELIA; blank for Administrator and Pengawas")),
        Column("grade", ("kelas_jabatan", "kelas", "grade"), True,
               _l("Position class, %(a)d to %(b)d", a=rules.GRADE_MIN, b=rules.GRADE_MAX)),
        Column("unit_code", ("kode_unit", "unit_code", "unit"), True, _l("Code of the unit of the position")),
        Column("parent", ("jabatan_atasan", "atasan", "parent", "parent_position"), False,
               _l("Name of the position it reports to, in the same unit or a parent unit; blank for none")),
        Column("parent_unit_code", ("kode_unit_jabatan_atasan", "kode_unit_atasan", "parent_unit_code"), False,
               _l("Optional: the unit of the parent position, when the name alone is ambiguous")),
    ],
    "employees": [
        Column("nip", ("nip", "nip_baru", "ni_pppk"), True, _l("18 digits (format the column as Text in Excel)")),
        Column("name", ("nama", "nama_lengkap", "name", "full_name"), True, _l("Name without titles")),
        Column("front_title", ("gelar_depan", "front_title"), False, _l("e.g. dr., Ir.")),
        Column("back_title", ("gelar_belakang", "back_title"), False, _l("e.g. S.Kom., M.Si.")),
        Column("gender", ("jenis_kelamin", "jk", "gender", "sex"), False,
               _l("L or P (blank: taken from the NIP)")),
        Column("birth_place", ("tempat_lahir", "birth_place"), False, _l("Birth place")),
        Column("birth_date", ("tanggal_lahir", "tgl_lahir", "birth_date", "date_of_birth"), False,
               _l("YYYY-MM-DD or DD-MM-YYYY (blank: taken from the NIP)")),
        Column("asn_type", ("jenis_asn", "jenis_pegawai", "asn_type"), False, _l("PNS, CPNS or PPPK (blank: PNS)")),
        Column("status", ("status", "status_pegawai", "kedudukan"), False,
               _l("One of: %(v)s (blank: AKTIF)", v=", ".join(rules.EMPLOYEE_STATUSES))),
        Column("rank", ("golongan", "gol", "golongan_ruang", "pangkat_golongan", "rank"), False,
               _l("PNS: e.g. III/a; PPPK: e.g. IX or PPPK IX")),
        Column("unit_code", ("kode_unit", "unit_code", "unit"), True, _l("Code of the employee's unit")),
        Column("position", ("jabatan", "nama_jabatan", "position"), False, _l("Position name within that unit")),
        Column("position_id", ("id_jabatan", "position_id"), False,
               _l("Optional: the position's id in the portal, instead of its name")),
        Column("supervisor_nip", ("nip_atasan", "supervisor_nip"), False,
               _l("Optional: NIP of the direct supervisor (blank: the holder of the parent position)")),
        Column("email", ("email", "e_mail", "surel"), False, _l("E-mail")),
        Column("phone", ("telepon", "no_hp", "hp", "phone"), False, _l("Phone")),
    ],
}


def template_headers(kind: str) -> List[str]:
    return [c.header for c in COLUMNS[kind]]


def normalise_header(text) -> str:
    text = str(text if text is not None else "").strip().lower().lstrip("\ufeff")
    text = re.sub(r"[^0-9a-z]+", "_", text)
    return text.strip("_")


# --- reading files -----------------------------------------------------------------------------------

@dataclass
class Table:
    headers: List[str]  # as written in the file
    rows: List[Tuple[int, list]]  # (spreadsheet line number, cell values)


XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls / .doc


def read_table(data: bytes, max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """Header and data rows of a CSV or XLSX file, recognised by its content (not its name)."""
    if not data:
        raise ImportFileError(_l("The file is empty."))
    if len(data) > max_bytes:
        raise ImportFileError(_l("The file is larger than %(mb)s MB. Split it into smaller files.",
                                 mb=round(max_bytes / 1024 / 1024, 1)))
    if data.startswith(XLSX_MAGIC):
        table = _read_xlsx(data, max_rows)
    elif data.startswith(OLE_MAGIC):
        raise ImportFileError(_l("This is an old Excel (.xls) file. Save it as Excel Workbook (.xlsx) or "
                                 "CSV UTF-8 and upload it again."))
    else:
        table = _read_csv(data, max_rows)
    if not any(h.strip() for h in table.headers):
        raise ImportFileError(_l("The first line must hold the column names."))
    return table


def _read_csv(data: bytes, max_rows: int) -> Table:
    head = data[:4096]
    if b"\x00" in head or sum(1 for b in head if b < 9 or 13 < b < 32) > 0:
        raise ImportFileError(_l("The file is neither a CSV nor an XLSX file. Upload a CSV (UTF-8) or "
                                 "Excel .xlsx file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_l("The CSV file is not UTF-8 encoded. In Excel choose \"Save as\" → "
                                 "\"CSV UTF-8 (Comma delimited)\".")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if "\t" in first_line and first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = None
    rows = []
    try:
        for index, record in enumerate(reader, start=1):
            if headers is None:
                headers = [c.strip() for c in record[:MAX_COLUMNS]]
                continue
            if not any(c.strip() for c in record):
                continue
            if len(rows) >= max_rows:
                raise ImportFileError(_l("The file has more than %(n)d data rows. Split it into smaller files.",
                                         n=max_rows))
            rows.append((index, record[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise ImportFileError(_l("The CSV file cannot be read near line %(line)d: %(error)s",
                                 line=reader.line_num, error=str(exc))) from None
    if headers is None:
        raise ImportFileError(_l("The file is empty."))
    return Table(headers, rows)


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise ImportFileError(_l("The file is a ZIP archive but not an Excel .xlsx workbook."))
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise ImportFileError(_l("The workbook is too large once unpacked. Split it into smaller files."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds on damaged files
        raise ImportFileError(_l("The Excel file is damaged or not an .xlsx workbook.")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_l("The workbook has no sheet."))
        headers = None
        rows = []
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(values[:MAX_COLUMNS])
            if headers is None:
                if not any(v is not None and str(v).strip() for v in values):
                    raise ImportFileError(_l("The first line must hold the column names."))
                headers = ["" if v is None else str(v).strip() for v in values]
                continue
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if len(rows) >= max_rows:
                raise ImportFileError(_l("The file has more than %(n)d data rows. Split it into smaller files.",
                                         n=max_rows))
            rows.append((index, values))
    finally:
        workbook.close()
    if headers is None:
        raise ImportFileError(_l("The file is empty."))
    return Table(headers, rows)


# --- cell parsing (pure) -------------------------------------------------------------------------------

class CellError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def text_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return re.sub(r"\s+", " ", str(value)).strip()


_SCIENTIFIC = re.compile(r"^\d([.,]\d+)?[eE]\+?\d+$")


def parse_nip_cell(value) -> str:
    """The NIP as text. Spreadsheets turn long numbers into rounded floats: say so instead of
    accepting a wrong NIP."""
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and value > 10 ** 15):
        raise CellError(_l("The NIP was stored as a number and the spreadsheet rounded it. Format the NIP "
                           "column as Text and type the 18 digits again."))
    text = text_value(value).replace(" ", "").lstrip("'")
    if _SCIENTIFIC.match(text):
        raise CellError(_l("The NIP is written in scientific notation (%(v)s): the spreadsheet rounded it. "
                           "Format the NIP column as Text and type the 18 digits again.", v=text))
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y")


def parse_date_cell(value) -> Optional[date]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            result = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            result = None
        if isinstance(result, datetime):
            return result.date()
        raise CellError(_l("Not a date: %(v)s (use YYYY-MM-DD or DD-MM-YYYY)", v=value))
    text = text_value(value)
    if " " in text:
        text = text.split(" ", 1)[0]  # "1986-09-26 00:00:00"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_l("Not a date: %(v)s (use YYYY-MM-DD or DD-MM-YYYY)", v=text))


_TRUE = {"1", "y", "ya", "yes", "true", "t", "aktif", "active", "benar"}
_FALSE = {"0", "n", "tidak", "no", "false", "f", "nonaktif", "non_aktif", "tidak_aktif", "inactive", "salah"}


def parse_bool_cell(value, default: bool = True) -> bool:
    if isinstance(value, bool):
        return value
    text = normalise_header(text_value(value))
    if not text:
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_l("Write Ya or Tidak (found %(v)s)", v=text_value(value)))


def parse_int_cell(value) -> int:
    if isinstance(value, bool):
        raise CellError(_l("Not a whole number: %(v)s", v=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = text_value(value)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise CellError(_l("Not a whole number: %(v)s", v=text))


def vocabulary_code(value, vocabulary: dict, aliases: Optional[dict] = None) -> Optional[str]:
    """Map a cell to a stored code: the code itself (any case, spaces as _) or a known alias."""
    text = normalise_header(text_value(value)).upper()
    if not text:
        return None
    if text in vocabulary:
        return text
    if aliases and text in aliases:
        return aliases[text]
    raise KeyError(text)


GENDER_ALIASES = {"LAKI_LAKI": "L", "LAKI": "L", "PRIA": "L", "M": "L", "MALE": "L", "1": "L",
                  "PEREMPUAN": "P", "WANITA": "P", "F": "P", "FEMALE": "P", "W": "P", "2": "P"}
POSITION_TYPE_ALIASES = {"JABATAN_PIMPINAN_TINGGI": "JPT", "PIMPINAN_TINGGI": "JPT", "STRUKTURAL_JPT": "JPT",
                         "JABATAN_ADMINISTRATOR": "ADMINISTRATOR", "JABATAN_PENGAWAS": "PENGAWAS",
                         "JABATAN_PELAKSANA": "PELAKSANA", "JFU": "PELAKSANA", "JABATAN_FUNGSIONAL": "FUNGSIONAL",
                         "JFT": "FUNGSIONAL"}
LEVEL_ALIASES = {"CLERK": "KLEREK", "KLERK": "KLEREK", "TECHNICIAN": "TEKNISI"}
STATUS_ALIASES = {"ACTIVE": "AKTIF", "RETIRED": "PENSIUN", "MOVED": "PINDAH", "MUTASI": "PINDAH",
                  "SUSPENDED": "DIBERHENTIKAN_SEMENTARA"}

_PNS_RANK = re.compile(r"^(IV|III|II|I)\s*/\s*([A-Ea-e])\b")
_PPPK_RANK = re.compile(r"^(?:PPPK\s*)?(?:GOL(?:ONGAN)?\.?\s*)?([IVX]+)$")


def rank_key(value, asn_type: str) -> Optional[Tuple[str, str]]:
    """('PNS', 'III/a') or ('PPPK', 'IX') from a cell such as 'III/a', 'iii/A - Penata Muda', 'PPPK IX'."""
    text = text_value(value)
    if not text:
        return None
    kind = "PPPK" if asn_type == "PPPK" else "PNS"
    match = _PNS_RANK.match(text.upper())
    if match:
        return "PNS", f"{match.group(1)}/{match.group(2).lower()}"
    match = _PPPK_RANK.match(text.upper().strip())
    if match and match.group(1) in rules.ROMAN:
        return "PPPK", match.group(1)
    return kind, text  # maybe a rank name ("Penata Muda"): resolved by the caller


def normalise_name(text) -> str:
    """Key for matching position names: case- and whitespace-insensitive."""
    return text_value(text).casefold()


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+() -]*$")


# --- shared machinery -----------------------------------------------------------------------------------

class _Rows:
    """Header mapping and per-row access with error collection."""

    def __init__(self, kind: str, table: Table, result: ImportResult):
        self.kind = kind
        self.table = table
        self.result = result
        self.index: Dict[str, int] = {}
        self.names: Dict[str, str] = {}
        columns = COLUMNS[kind]
        by_alias = {alias: col for col in columns for alias in col.aliases}
        for position, header in enumerate(table.headers):
            key = normalise_header(header)
            if not key:
                continue
            col = by_alias.get(key)
            if col is None:
                result.ignored_columns.append(header)
                continue
            if col.key in self.index:
                self.error(1, header, _l("Column %(a)s and column %(b)s both mean %(c)s; keep only one.",
                                         a=self.names[col.key], b=header, c=col.header))
                continue
            self.index[col.key] = position
            self.names[col.key] = header
        for col in columns:
            if col.required and col.key not in self.index:
                self.error(1, col.header, _l("Required column %(c)s is missing (accepted names: %(names)s).",
                                             c=col.header, names=", ".join(col.aliases)))

    def has(self, key: str) -> bool:
        return key in self.index

    def column_name(self, key: str) -> str:
        if key in self.names:
            return self.names[key]
        return next(c.header for c in COLUMNS[self.kind] if c.key == key)

    def get(self, values: list, key: str):
        position = self.index.get(key)
        if position is None or position >= len(values):
            return None
        return values[position]

    def text(self, values, key):
        return text_value(self.get(values, key))

    def error(self, line: int, column: str, message) -> None:
        if len(self.result.errors) >= MAX_ERRORS:
            self.result.errors_truncated = True
            return
        self.result.errors.append(RowError(line, column, message))

    def field_error(self, line: int, key: str, message) -> None:
        self.error(line, self.column_name(key), message)

    def check_length(self, line, key, text, limit) -> None:
        if len(text) > limit:
            self.field_error(line, key, _l("%(c)s is longer than %(n)d characters.", c=self.column_name(key),
                                           n=limit))


def _chunks(items: Iterable, size: int = IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _select_in(session: Session, stmt_for: Callable, values) -> list:
    out = []
    for chunk in _chunks(values):
        out.extend(session.execute(stmt_for(chunk)).unique().scalars().all())
    return out


def _rows_in(session: Session, stmt_for: Callable, values) -> list:
    out = []
    for chunk in _chunks(values):
        out.extend(session.execute(stmt_for(chunk)).all())
    return out


def import_file(session: Session, kind: str, data: bytes, max_rows: int = DEFAULT_MAX_ROWS,
                max_bytes: int = DEFAULT_MAX_BYTES, commit: bool = True) -> ImportResult:
    """Read, validate and (when every row is valid) write one file. Raises ImportFileError when the file
    itself cannot be read; row problems are in ``result.errors`` and then nothing is written."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    table = read_table(data, max_rows=max_rows, max_bytes=max_bytes)
    return import_table(session, kind, table, commit=commit)


def import_table(session: Session, kind: str, table: Table, commit: bool = True) -> ImportResult:
    result = ImportResult(kind=kind, rows=len(table.rows))
    rows = _Rows(kind, table, result)
    if result.errors:  # header problems: the rows cannot be read meaningfully
        return result
    if not table.rows:
        rows.error(2, "", _l("The file has column names but no data rows."))
        return result
    planner = {"units": _plan_units, "positions": _plan_positions, "employees": _plan_employees}[kind]
    apply = planner(session, rows)  # reads only: validates every row and plans the writes
    if result.errors:
        return result  # nothing is written
    with atomic(session, commit), session.no_autoflush:
        apply()
    return result


def _first_line(seen: dict, key, line) -> Optional[int]:
    if key in seen:
        return seen[key]
    seen[key] = line
    return None


# --- units ------------------------------------------------------------------------------------------------

def _plan_units(session: Session, rows: _Rows):
    units = session.execute(select(Unit)).unique().scalars().all()
    by_code = {u.code: u for u in units}
    db_parent = {u.code: (u.parent.code if u.parent is not None else None) for u in units}
    planned = []  # (line, code, name, unit_type, parent_code|None, active|None)
    seen = {}
    for line, values in rows.table.rows:
        code = rows.text(values, "code")
        name = rows.text(values, "name")
        ok = True
        if not code:
            rows.field_error(line, "code", _l("Unit code is required."))
            ok = False
        else:
            rows.check_length(line, "code", code, 32)
            first = _first_line(seen, code, line)
            if first is not None:
                rows.field_error(line, "code", _l("Unit code %(code)s appears twice in the file (also on line "
                                                  "%(line)d).", code=code, line=first))
                ok = False
        if not name:
            rows.field_error(line, "name", _l("Unit name is required."))
        rows.check_length(line, "name", name, 200)
        unit_type = None
        try:
            unit_type = vocabulary_code(rows.get(values, "unit_type"), rules.UNIT_TYPES)
            if unit_type is None:
                rows.field_error(line, "unit_type", _l("Unit type is required (one of: %(v)s).",
                                                       v=", ".join(rules.UNIT_TYPES)))
        except KeyError:
            rows.field_error(line, "unit_type", _l("Unknown unit type %(t)s (use one of: %(v)s).",
                                                   t=rows.text(values, "unit_type"), v=", ".join(rules.UNIT_TYPES)))
        parent_code = rows.text(values, "parent_code") if rows.has("parent_code") else None
        active = None
        if rows.has("active"):
            try:
                active = parse_bool_cell(rows.get(values, "active"))
            except CellError as exc:
                rows.field_error(line, "active", exc.message)
        if ok:
            planned.append((line, code, name, unit_type, parent_code, active))
    in_file = {p[1] for p in planned}
    # Parents: in the database or anywhere in this file; the final tree must have no loop.
    final_parent = dict(db_parent)
    for line, code, _n, _t, parent_code, _a in planned:
        if parent_code is not None:
            final_parent[code] = parent_code or None
    for line, code, _n, _t, parent_code, _a in planned:
        if not parent_code:
            continue
        if parent_code == code:
            rows.field_error(line, "parent_code", _l("Unit %(code)s cannot be its own parent unit.", code=code))
        elif parent_code not in by_code and parent_code not in in_file:
            rows.field_error(line, "parent_code", _l("Parent unit code %(code)s does not exist (neither in the "
                                                     "database nor in this file).", code=parent_code))
        elif rules.creates_cycle(code, parent_code, final_parent.get):
            rows.field_error(line, "parent_code", _l("Placing unit %(code)s under %(parent)s creates a loop in "
                                                     "the unit tree.", code=code, parent=parent_code))

    def apply():
        created = updated = 0
        objects = dict(by_code)
        for _line, code, name, unit_type, _p, active in planned:
            unit = objects.get(code)
            if unit is None:
                unit = Unit(code=code, active=True if active is None else active)
                session.add(unit)
                objects[code] = unit
                created += 1
            else:
                updated += 1
                if active is not None:
                    unit.active = active
            unit.name = name
            unit.unit_type = unit_type
        for _line, code, _n, _t, parent_code, _a in planned:
            if parent_code is not None:
                objects[code].parent = objects[parent_code] if parent_code else None
        rows.result.created["units"] = created
        rows.result.updated["units"] = updated

    return apply


# --- positions --------------------------------------------------------------------------------------------

def _plan_positions(session: Session, rows: _Rows):
    units = session.execute(select(Unit.id, Unit.code, Unit.parent_id)).all()
    unit_by_code = {code: uid for uid, code, _p in units}
    unit_parent = {uid: parent for uid, _c, parent in units}

    def ancestors(unit_id):  # the unit itself first, then upwards
        chain, seen = [], set()
        while unit_id is not None and unit_id not in seen:
            chain.append(unit_id)
            seen.add(unit_id)
            unit_id = unit_parent.get(unit_id)
        return chain

    planned = []
    seen = {}
    for line, values in rows.table.rows:
        name = rows.text(values, "name")
        unit_code = rows.text(values, "unit_code")
        ok = True
        if not name:
            rows.field_error(line, "name", _l("Position name is required."))
            ok = False
        rows.check_length(line, "name", name, 200)
        unit_id = None
        if not unit_code:
            rows.field_error(line, "unit_code", _l("Unit code is required."))
            ok = False
        elif unit_code not in unit_by_code:
            rows.field_error(line, "unit_code", _l("Unknown unit code %(code)s (import the units first).",
                                                   code=unit_code))
            ok = False
        else:
            unit_id = unit_by_code[unit_code]
        ptype = level = grade = None
        try:
            ptype = vocabulary_code(rows.get(values, "position_type"), rules.POSITION_TYPES, POSITION_TYPE_ALIASES)
            if ptype is None:
                rows.field_error(line, "position_type", _l("Position type is required (one of: %(v)s).",
                                                           v=", ".join(rules.POSITION_TYPES)))
        except KeyError:
            rows.field_error(line, "position_type", _l("Unknown position type %(t)s (use one of: %(v)s).",
                                                       t=rows.text(values, "position_type"),
                                                       v=", ".join(rules.POSITION_TYPES)))
        if ptype:
            levels = rules.POSITION_LEVELS[ptype]
            try:
                level = vocabulary_code(rows.get(values, "level"), rules.ALL_POSITION_LEVELS, LEVEL_ALIASES)
            except KeyError:
                level = "?"
            if levels is None and level:
                rows.field_error(line, "level", _l("Position type %(t)s has no level; leave %(c)s blank.",
                                                   t=ptype, c=rows.column_name("level")))
            elif levels is not None and level not in levels:
                rows.field_error(line, "level", _l("Level for position type %(t)s must be one of: %(v)s.",
                                                   t=ptype, v=", ".join(levels)))
        try:
            grade = parse_int_cell(rows.get(values, "grade"))
            if not rules.GRADE_MIN <= grade <= rules.GRADE_MAX:
                raise CellError("")
        except CellError:
            rows.field_error(line, "grade", _l("Position class (kelas jabatan) must be a whole number between "
                                               "%(a)d and %(b)d.", a=rules.GRADE_MIN, b=rules.GRADE_MAX))
        parent_name = rows.text(values, "parent") if rows.has("parent") else None
        parent_unit_code = rows.text(values, "parent_unit_code")
        if parent_unit_code and parent_unit_code not in unit_by_code:
            rows.field_error(line, "parent_unit_code", _l("Unknown unit code %(code)s.", code=parent_unit_code))
            ok = False
        if ok:
            key = (unit_id, normalise_name(name))
            first = _first_line(seen, key, line)
            if first is not None:
                rows.field_error(line, "name", _l("Position %(name)s in unit %(unit)s appears twice in the file "
                                                  "(also on line %(line)d).", name=name, unit=unit_code, line=first))
                continue
            planned.append({"line": line, "key": key, "name": name, "unit_id": unit_id, "unit_code": unit_code,
                            "type": ptype, "level": None if level == "?" else level, "grade": grade,
                            "parent_name": parent_name,
                            "parent_unit_id": unit_by_code.get(parent_unit_code) if parent_unit_code else None})

    # Existing positions of every unit involved (the rows' units and their ancestors), in one query.
    unit_ids = set()
    for p in planned:
        unit_ids.update(ancestors(p["unit_id"]))
        if p["parent_unit_id"]:
            unit_ids.add(p["parent_unit_id"])
    existing = _select_in(session, lambda ids: select(Position).where(Position.unit_id.in_(ids)), unit_ids)
    db_by_key: Dict[tuple, list] = {}
    for pos in existing:
        db_by_key.setdefault((pos.unit_id, normalise_name(pos.name)), []).append(pos)
    # The whole position tree as (id, parent id): cheap columns, for the loop check.
    db_parent = dict(session.execute(select(Position.id, Position.parent_id)).all())

    file_by_key = {p["key"]: p for p in planned}
    for p in planned:
        matches = db_by_key.get(p["key"], [])
        if len(matches) > 1:
            rows.field_error(p["line"], "name", _l("Unit %(unit)s already has %(n)d positions named %(name)s; "
                                                   "rename them first so the row can be matched.",
                                                   unit=p["unit_code"], n=len(matches), name=p["name"]))
        p["existing"] = matches[0] if len(matches) == 1 else None
        p["node"] = ("db", p["existing"].id) if p["existing"] is not None else ("file", p["key"])

    def find_parent(p):
        """Node of the parent position: a row of this file or an existing position, nearest unit first."""
        wanted = normalise_name(p["parent_name"])
        search = [p["parent_unit_id"]] if p["parent_unit_id"] else ancestors(p["unit_id"])
        for unit_id in search:
            key = (unit_id, wanted)
            if key in file_by_key:
                return file_by_key[key]["node"], None
            matches = db_by_key.get(key, [])
            if len(matches) == 1:
                return ("db", matches[0].id), None
            if len(matches) > 1:
                return None, _l("Several positions are named %(name)s in the parent's unit; rename them first.",
                                name=p["parent_name"])
        return None, _l("No position named %(name)s in unit %(unit)s or its parent units (in the database or "
                        "in this file).", name=p["parent_name"], unit=p["unit_code"])

    final_parent: Dict[tuple, Optional[tuple]] = {}
    for p in planned:
        p["parent_node"] = None
        if p["parent_name"]:
            node, problem = find_parent(p)
            if problem is not None:
                rows.field_error(p["line"], "parent", problem)
            p["parent_node"] = node
        if p["parent_name"] is not None:
            final_parent[p["node"]] = p["parent_node"]

    def parent_of(node):
        if node in final_parent:
            return final_parent[node]
        if node[0] == "db":
            parent_id = db_parent.get(node[1])
            return ("db", parent_id) if parent_id is not None else None
        return None

    for p in planned:
        if p["parent_node"] is None:
            continue
        if p["parent_node"] == p["node"]:
            rows.field_error(p["line"], "parent", _l("Position %(name)s cannot report to itself.", name=p["name"]))
        elif rules.creates_cycle(p["node"], p["parent_node"], parent_of):
            rows.field_error(p["line"], "parent", _l("Position %(name)s reporting to %(parent)s creates a loop in "
                                                     "the position tree.", name=p["name"], parent=p["parent_name"]))

    def apply():
        created = updated = 0
        objects = {}
        for p in planned:
            pos = p["existing"]
            if pos is None:
                pos = Position(unit_id=p["unit_id"])
                session.add(pos)
                created += 1
            else:
                updated += 1
            pos.name = p["name"]
            pos.position_type = p["type"]
            pos.level = p["level"]
            pos.grade = p["grade"]
            objects[p["node"]] = pos
        db_objects = {("db", pos.id): pos for pos in existing}
        missing = {p["parent_node"][1] for p in planned
                   if p["parent_node"] and p["parent_node"][0] == "db" and p["parent_node"] not in db_objects}
        for pos in _select_in(session, lambda ids: select(Position).where(Position.id.in_(ids)), missing):
            db_objects[("db", pos.id)] = pos
        for p in planned:
            if p["parent_name"] is None:
                continue  # column absent: keep the current parent
            node = p["parent_node"]
            objects[p["node"]].parent = None if node is None else (objects.get(node) or db_objects[node])
        rows.result.created["positions"] = created
        rows.result.updated["positions"] = updated

    return apply


# --- employees --------------------------------------------------------------------------------------------

def _plan_employees(session: Session, rows: _Rows):
    unit_by_code = dict(session.execute(select(Unit.code, Unit.id)).all())
    ranks = session.execute(select(Rank)).scalars().all()
    rank_by_code = {(r.asn_type, r.code): r for r in ranks}
    rank_by_name = {(r.asn_type, r.name.casefold()): r for r in ranks}
    # Employees already registered under the file's NIPs (to update; columns left out keep their values).
    raw_nips = {text_value(rows.get(values, "nip")).replace(" ", "").lstrip("'") for _l_, values in rows.table.rows}
    existing = {e.nip: e for e in _select_in(session, lambda v: select(Employee).where(Employee.nip.in_(v)),
                                             {n for n in raw_nips if n})}

    planned = []
    seen = {}
    for line, values in rows.table.rows:
        ok = True
        nip = ""
        try:
            nip = parse_nip_cell(rows.get(values, "nip"))
        except CellError as exc:
            rows.field_error(line, "nip", exc.message)
            ok = False
        name = rows.text(values, "name")
        if not name:
            rows.field_error(line, "name", _l("Name is required."))
        for key, limit in (("name", 150), ("front_title", 50), ("back_title", 80), ("birth_place", 100),
                           ("email", 120), ("phone", 30)):
            rows.check_length(line, key, rows.text(values, key), limit)
        current = existing.get(text_value(rows.get(values, "nip")).replace(" ", "").lstrip("'"))
        asn_type = current.asn_type if current is not None else "PNS"
        if rows.text(values, "asn_type"):
            try:
                asn_type = vocabulary_code(rows.get(values, "asn_type"), rules.ASN_TYPES)
            except KeyError:
                rows.field_error(line, "asn_type", _l("Unknown ASN type %(t)s (use PNS, CPNS or PPPK).",
                                                      t=rows.text(values, "asn_type")))
        status = current.status if current is not None else "AKTIF"
        if rows.text(values, "status"):
            try:
                status = vocabulary_code(rows.get(values, "status"), rules.EMPLOYEE_STATUSES, STATUS_ALIASES)
            except KeyError:
                rows.field_error(line, "status", _l("Unknown status %(s)s (use one of: %(v)s).",
                                                    s=rows.text(values, "status"),
                                                    v=", ".join(rules.EMPLOYEE_STATUSES)))
        gender = None
        gender_ok = True
        try:
            gender = vocabulary_code(rows.get(values, "gender"), rules.GENDERS, GENDER_ALIASES)
        except KeyError:
            rows.field_error(line, "gender", _l("Gender must be L or P (found %(v)s).",
                                                v=rows.text(values, "gender")))
            gender_ok = False
        birth_date = None
        birth_ok = True
        try:
            birth_date = parse_date_cell(rows.get(values, "birth_date"))
        except CellError as exc:
            rows.field_error(line, "birth_date", exc.message)
            birth_ok = False
        if ok:  # the NIP cell was readable: check it and its consistency with gender and birth date
            for fld, message in rules.identity_problems(nip, asn_type, gender, birth_date).items():
                rows.field_error(line, fld, message)
                if fld == "nip":
                    ok = False
        if ok and (gender is None or birth_date is None):
            info = rules.parse_nip(nip, asn_type)
            if info is None:  # PPPK: the number does not encode them
                if gender is None and gender_ok:
                    rows.field_error(line, "gender", _l("Gender is required for PPPK (L or P)."))
                if birth_date is None and birth_ok:
                    rows.field_error(line, "birth_date", _l("Birth date is required for PPPK."))
            else:
                gender = gender or info.gender
                birth_date = birth_date or info.birth_date
        rank = current.rank if current is not None and not rows.has("rank") else None
        key = rank_key(rows.get(values, "rank"), asn_type)
        if key is not None:
            expected = "PPPK" if asn_type == "PPPK" else "PNS"
            rank = rank_by_code.get(key) or rank_by_name.get((key[0], key[1].casefold()))
            if rank is None:
                rows.field_error(line, "rank", _l("Unknown rank %(r)s (PNS: e.g. III/a; PPPK: e.g. IX).",
                                                  r=rows.text(values, "rank")))
            elif rank.asn_type != expected:
                rows.field_error(line, "rank", _l("Rank %(r)s does not fit ASN type %(t)s (PPPK use golongan "
                                                  "I-XVII, PNS and CPNS I/a-IV/e).", r=rows.text(values, "rank"),
                                                  t=asn_type))
                rank = None
        unit_code = rows.text(values, "unit_code")
        unit_id = None
        if not unit_code:
            rows.field_error(line, "unit_code", _l("Unit code is required."))
        elif unit_code not in unit_by_code:
            rows.field_error(line, "unit_code", _l("Unknown unit code %(code)s (import the units first).",
                                                   code=unit_code))
        else:
            unit_id = unit_by_code[unit_code]
        position_id = None
        if rows.text(values, "position_id"):
            try:
                position_id = parse_int_cell(rows.get(values, "position_id"))
            except CellError as exc:
                rows.field_error(line, "position_id", exc.message)
        supervisor_nip = ""
        if rows.has("supervisor_nip"):
            try:
                supervisor_nip = parse_nip_cell(rows.get(values, "supervisor_nip"))
            except CellError as exc:
                rows.field_error(line, "supervisor_nip", exc.message)
            if supervisor_nip and (not supervisor_nip.isdigit() or len(supervisor_nip) != 18):
                rows.field_error(line, "supervisor_nip", _l("Supervisor NIP %(nip)s is not 18 digits.",
                                                            nip=supervisor_nip))
                supervisor_nip = ""
            elif supervisor_nip and supervisor_nip == nip:
                rows.field_error(line, "supervisor_nip", _l("An employee cannot be their own supervisor."))
                supervisor_nip = ""
        email = rows.text(values, "email")
        if email and not _EMAIL.match(email):
            rows.field_error(line, "email", _l("%(v)s is not a valid e-mail address.", v=email))
        phone = rows.text(values, "phone")
        if phone and not _PHONE.match(phone):
            rows.field_error(line, "phone", _l("Phone may contain digits, spaces, +, ( and ) only."))
        if ok and nip:
            first = _first_line(seen, nip, line)
            if first is not None:
                rows.field_error(line, "nip", _l("NIP %(nip)s appears twice in the file (also on line %(line)d).",
                                                 nip=nip, line=first))
                continue
            planned.append({
                "line": line, "nip": nip, "name": name, "asn_type": asn_type, "status": status,
                "gender": gender, "birth_date": birth_date, "rank": rank, "unit_id": unit_id,
                "unit_code": unit_code, "position_name": rows.text(values, "position"), "position_id": position_id,
                "supervisor_nip": supervisor_nip, "email": email or None, "phone": phone or None,
                "front_title": rows.text(values, "front_title") or None,
                "back_title": rows.text(values, "back_title") or None,
                "birth_place": rows.text(values, "birth_place") or None,
            })

    # Positions of the referenced units (by name) and the referenced ids, in bulk.
    unit_ids = {p["unit_id"] for p in planned if p["unit_id"]}
    position_rows = _rows_in(session, lambda ids: select(Position.id, Position.name, Position.unit_id,
                                                         Position.parent_id).where(Position.unit_id.in_(ids)),
                             unit_ids)
    keeps_position = not (rows.has("position") or rows.has("position_id"))
    if keeps_position:  # no position column: each existing employee keeps their position
        for p in planned:
            current = existing.get(p["nip"])
            p["position_id"] = current.position_id if current is not None else None
    wanted_ids = {p["position_id"] for p in planned if p["position_id"]}
    known = {r[0] for r in position_rows}
    position_rows += _rows_in(session, lambda ids: select(Position.id, Position.name, Position.unit_id,
                                                          Position.parent_id).where(Position.id.in_(ids)),
                              wanted_ids - known)
    position_by_id = {r[0]: r for r in position_rows}
    position_by_name: Dict[tuple, list] = {}
    for r in position_rows:
        position_by_name.setdefault((r[2], normalise_name(r[1])), []).append(r[0])
    for p in planned:
        p["position"] = None
        if p["unit_id"] is None:
            continue
        if p["position_id"]:
            row = position_by_id.get(p["position_id"])
            if row is None:
                rows.field_error(p["line"], "position_id", _l("No position with id %(id)s.", id=p["position_id"]))
            elif row[2] != p["unit_id"]:
                rows.field_error(p["line"], "position_id", _l("Position %(name)s (id %(id)s) belongs to another unit "
                                                              "than %(unit)s.", name=row[1], id=row[0],
                                                              unit=p["unit_code"]))
            else:
                p["position"] = row[0]
        elif p["position_name"]:
            matches = position_by_name.get((p["unit_id"], normalise_name(p["position_name"])), [])
            if not matches:
                rows.field_error(p["line"], "position", _l("Unit %(unit)s has no position named %(name)s (import the "
                                                           "positions first).", unit=p["unit_code"],
                                                           name=p["position_name"]))
            elif len(matches) > 1:
                rows.field_error(p["line"], "position", _l("Unit %(unit)s has %(n)d positions named %(name)s; give "
                                                           "the position id instead.", unit=p["unit_code"],
                                                           n=len(matches), name=p["position_name"]))
            else:
                p["position"] = matches[0]

    # Existing employees: those of the file (to update) and every holder/supervisor the rows refer to.
    nips = {p["nip"] for p in planned}
    # The supervisor chain as light rows: id, nip, supervisor id, position, status of every employee.
    chain = session.execute(select(Employee.id, Employee.nip, Employee.supervisor_id, Employee.position_id,
                                   Employee.status)).all()
    nip_by_id = {r[0]: r[1] for r in chain}
    db_state = {r[1]: {"id": r[0], "supervisor_id": r[2], "position_id": r[3], "status": r[4]} for r in chain}

    # Holders of each position after the import (file rows override the database).
    holders: Dict[int, list] = {}
    final_position = {nip: (s["position_id"], s["status"]) for nip, s in db_state.items()}
    for p in planned:
        final_position[p["nip"]] = (p["position"], p["status"])
    for nip, (position_id, status) in final_position.items():
        if position_id is not None and status == "AKTIF":
            holders.setdefault(position_id, []).append(nip)
    for candidates in holders.values():
        candidates.sort()

    final_supervisor: Dict[str, Optional[str]] = {}
    for p in planned:
        if p["supervisor_nip"]:
            if p["supervisor_nip"] not in nips and p["supervisor_nip"] not in db_state:
                rows.field_error(p["line"], "supervisor_nip", _l("No employee with NIP %(nip)s (neither in the "
                                                                 "database nor in this file).",
                                                                 nip=p["supervisor_nip"]))
                p["supervisor_nip"] = ""
            p["override"] = bool(p["supervisor_nip"])
            final_supervisor[p["nip"]] = p["supervisor_nip"] or None
        else:
            p["override"] = False
            parent_id = position_by_id[p["position"]][3] if p["position"] else None
            derived = None
            for candidate in holders.get(parent_id, []) if parent_id else []:
                if candidate != p["nip"]:
                    derived = candidate
                    break
            final_supervisor[p["nip"]] = derived
        p["supervisor"] = final_supervisor[p["nip"]]

    def supervisor_of(nip):
        if nip in final_supervisor:
            return final_supervisor[nip]
        state = db_state.get(nip)
        return nip_by_id.get(state["supervisor_id"]) if state and state["supervisor_id"] else None

    for p in planned:
        if p["supervisor"] and rules.creates_cycle(p["nip"], p["supervisor"], supervisor_of):
            column = "supervisor_nip" if p["override"] else "position"
            rows.field_error(p["line"], column, _l("Supervisor %(sup)s of %(nip)s creates a loop in the supervisor "
                                                   "chain.", sup=p["supervisor"], nip=p["nip"]))

    def apply():
        created = updated = 0
        objects = dict(existing)
        for p in planned:
            emp = objects.get(p["nip"])
            if emp is None:
                emp = Employee(nip=p["nip"])
                session.add(emp)
                objects[p["nip"]] = emp
                created += 1
            else:
                updated += 1
            emp.name = p["name"]
            emp.gender = p["gender"]
            emp.birth_date = p["birth_date"]
            emp.asn_type = p["asn_type"]
            emp.status = p["status"]
            emp.unit_id = p["unit_id"]
            emp.position_id = p["position"]
            emp.rank_id = p["rank"].id if p["rank"] is not None else None
            emp.supervisor_override = p["override"]
            for key in ("front_title", "back_title", "birth_place", "email", "phone"):
                if rows.has(key):
                    setattr(emp, key, p[key])
        # Supervisors outside the file: load them in one query, then link by relationship.
        outside = {p["supervisor"] for p in planned if p["supervisor"] and p["supervisor"] not in objects}
        for emp in _select_in(session, lambda v: select(Employee).where(Employee.nip.in_(v)), outside):
            objects[emp.nip] = emp
        for p in planned:
            objects[p["nip"]].supervisor = objects[p["supervisor"]] if p["supervisor"] else None
        rows.result.created["employees"] = created
        rows.result.updated["employees"] = updated

    return apply


# --- templates ---------------------------------------------------------------------------------------------

def template_csv(kind: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerow(template_headers(kind))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """A workbook with the header row (text-formatted NIP columns) and a sheet describing each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    columns = COLUMNS[kind]
    for index, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=col.header)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(14, len(col.header) + 4)
        if col.key in ("nip", "supervisor_nip", "code", "unit_code", "parent_code", "phone", "rank"):
            for row in range(2, 1001):  # text format so Excel keeps 18-digit NIPs and codes intact
                ws.cell(row=row, column=index).number_format = "@"
    info = wb.create_sheet("Petunjuk")
    info.append([str(_l("Column")), str(_l("Required")), str(_l("Also accepted")), str(_l("Description"))])
    for cell in info[1]:
        cell.font = Font(bold=True)
    for col in columns:
        info.append([col.header, str(_l("yes")) if col.required else "", ", ".join(col.aliases[1:]), str(col.help)])
    for letter, width in zip("ABCD", (22, 10, 40, 90)):
        info.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
