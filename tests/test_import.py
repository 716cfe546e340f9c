"""Bulk import of units, positions and employees (CSV and XLSX) on a real database: validation by line
and column, all or nothing, idempotent re-import, loops, file types, and the import page."""
from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import count_queries, csrf_token, login, make_nip

DATA = Path(__file__).parent / "data"


def _csv(rows, delimiter=",", bom=False) -> bytes:
    text = "\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _import(db, kind, data):
    from app.organisation.importing import import_file

    return import_file(db.session, kind, data)


def _count(db, model):
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def _en(message) -> str:
    """A message in English (the msgid), whatever the default locale is."""
    from flask_babel import force_locale

    with force_locale("en"):
        return str(message)


def _errors(result):
    return [(e.line, e.column, _en(e.message)) for e in result.errors]


UNIT_HEADER = ["kode", "nama", "jenis", "kode_induk", "aktif"]
POSITION_HEADER = ["nama", "jenis_jabatan", "jenjang", "kelas_jabatan", "kode_unit", "jabatan_atasan"]
EMPLOYEE_HEADER = ["nip", "nama", "jenis_kelamin", "tanggal_lahir", "jenis_asn", "golongan", "kode_unit",
                   "jabatan", "nip_atasan", "email"]


def _nip(birth, gender="L", seq=1, start=None):
    return make_nip(birth, start or (birth.year + 24, 3), 1 if gender == "L" else 2, seq)


# --- units ---------------------------------------------------------------------------------------

def test_units_csv_semicolon_bom_and_parent_defined_later(db):
    from app.organisation.models import Unit

    data = _csv([UNIT_HEADER,
                 ["DINKES-P2P", "Bidang P2P", "bidang", "DINKES", ""],  # parent comes two lines later
                 ["PEMKOT", "Pemerintah Kota Palembang", "PEMKOT", "", "ya"],
                 ["DINKES", "Dinas Kesehatan", "OPD", "PEMKOT", "Ya"],
                 ["UPTD-X", "UPTD lama", "UPTD", "DINKES", "tidak"]], delimiter=";", bom=True)
    result = _import(db, "units", data)
    assert result.ok, _errors(result)
    assert result.created == {"units": 4} and result.updated == {"units": 0}
    units = {u.code: u for u in db.session.query(Unit)}
    assert units["DINKES-P2P"].parent.code == "DINKES"
    assert units["DINKES"].parent.code == "PEMKOT"
    assert units["PEMKOT"].parent is None
    assert units["DINKES-P2P"].unit_type == "BIDANG"
    assert units["UPTD-X"].active is False and units["DINKES"].active is True


def test_units_xlsx(db):
    from app.organisation.models import Unit

    data = _xlsx([["Code", "Name", "Unit_Type", "Parent_Code"],
                  ["PEMKOT", "Pemerintah Kota Palembang", "PEMKOT", None],
                  ["KEC-SKR", "Kecamatan Sukarami", "KECAMATAN", "PEMKOT"],
                  ["KEL-SKR", "Kelurahan Sukarami", "kelurahan", "KEC-SKR"]])
    result = _import(db, "units", data)
    assert result.ok, _errors(result)
    assert result.created == {"units": 3}
    assert db.session.query(Unit).filter_by(code="KEL-SKR").one().parent.code == "KEC-SKR"


def test_unit_loop_inside_file(db):
    from app.organisation.models import Unit

    data = _csv([UNIT_HEADER,
                 ["A", "Unit A", "OPD", "B", ""],
                 ["B", "Unit B", "BIDANG", "C", ""],
                 ["C", "Unit C", "BIDANG", "A", ""]])
    result = _import(db, "units", data)
    assert not result.ok
    lines = {(e.line, e.column) for e in result.errors}
    assert lines == {(2, "kode_induk"), (3, "kode_induk"), (4, "kode_induk")}
    assert all("loop" in _en(e.message) for e in result.errors)
    assert _count(db, Unit) == 0


def test_unit_loop_with_database(db, org):
    # DINKES-P2P is below DINKES in the database: DINKES cannot move under it.
    data = _csv([UNIT_HEADER, ["DINKES", "Dinas Kesehatan", "OPD", "DINKES-P2P", ""]])
    result = _import(db, "units", data)
    assert _errors(result) == [(2, "kode_induk", "Placing unit DINKES under DINKES-P2P creates a loop in the "
                                                 "unit tree.")]
    db.session.expire_all()
    assert org.units["dinkes"].parent_id == org.units["city"].id


def test_unit_row_problems_named_by_line_and_column(db):
    data = _csv([UNIT_HEADER,
                 ["OK1", "Baik", "OPD", "", ""],
                 ["", "Tanpa kode", "OPD", "", ""],
                 ["OK1", "Dobel", "OPD", "", ""],
                 ["X", "", "PLANET", "NOPE", "mungkin"]])
    result = _import(db, "units", data)
    errors = _errors(result)
    assert (3, "kode", "Unit code is required.") in errors
    assert (4, "kode", "Unit code OK1 appears twice in the file (also on line 2).") in errors
    assert (5, "nama", "Unit name is required.") in errors
    assert any(e[:2] == (5, "jenis") and "PLANET" in e[2] for e in errors)
    assert any(e[:2] == (5, "kode_induk") and "NOPE" in e[2] for e in errors)
    assert any(e[:2] == (5, "aktif") and "mungkin" in e[2] for e in errors)


# --- positions -----------------------------------------------------------------------------------

def test_positions_csv_parent_in_parent_unit_and_later_in_file(db, org):
    from app.organisation.models import Position

    data = _csv([POSITION_HEADER,
                 ["Analis Data P2P", "FUNGSIONAL", "Ahli Muda", 9, "DINKES-P2P", "Kepala Seksi Surveilans"],
                 ["Kepala Seksi Surveilans", "PENGAWAS", "", 9, "DINKES-P2P", "Kepala Bidang P2P"],
                 ["Sekretaris Dinas", "ADMINISTRATOR", "", 12, "DINKES", "Kepala Dinas Kesehatan"]])
    result = _import(db, "positions", data)
    assert result.ok, _errors(result)
    assert result.created == {"positions": 3}
    by_name = {p.name: p for p in db.session.query(Position)}
    assert by_name["Analis Data P2P"].parent.name == "Kepala Seksi Surveilans"
    assert by_name["Analis Data P2P"].level == "AHLI_MUDA"
    assert by_name["Kepala Seksi Surveilans"].parent_id == org.positions["kabid"].id
    assert by_name["Sekretaris Dinas"].parent_id == org.positions["kadis"].id


def test_positions_xlsx_update_existing_by_unit_and_name(db, org):
    from app.organisation.models import Position

    before = _count(db, Position)
    data = _xlsx([["Nama", "Jenis_Jabatan", "Jenjang", "Kelas_Jabatan", "Kode_Unit", "Jabatan_Atasan"],
                  ["kepala bidang p2p", "ADMINISTRATOR", None, 12, "DINKES-P2P", "Kepala Dinas Kesehatan"],
                  ["Perawat Ahli Muda", "FUNGSIONAL", "AHLI_MUDA", 9, "PKM-001", "Kepala Puskesmas Sukarami"]])
    result = _import(db, "positions", data)
    assert result.ok, _errors(result)
    assert result.created == {"positions": 1} and result.updated == {"positions": 1}
    assert _count(db, Position) == before + 1
    db.session.expire_all()
    assert org.positions["kabid"].grade == 12


def test_position_problems(db, org):
    data = _csv([POSITION_HEADER,
                 ["Kepala X", "ADMINISTRATOR", "MADYA", 11, "DINKES", ""],
                 ["Staf Y", "PELAKSANA", "", 30, "DINKES", ""],
                 ["Staf Z", "PELAKSANA", "OPERATOR", 6, "NOPE", ""],
                 ["Staf W", "PELAKSANA", "OPERATOR", 6, "DISDIK", "Kepala Dinas Kesehatan"]])
    result = _import(db, "positions", data)
    errors = _errors(result)
    assert (2, "jenjang", "Position type ADMINISTRATOR has no level; leave jenjang blank.") in errors
    assert any(e[:2] == (3, "jenjang") for e in errors)
    assert any(e[:2] == (3, "kelas_jabatan") and "between 1 and 17" in e[2] for e in errors)
    assert (4, "kode_unit", "Unknown unit code NOPE (import the units first).") in errors
    # Kepala Dinas Kesehatan is in DINKES, not in DISDIK or above it.
    assert any(e[:2] == (5, "jabatan_atasan") and "Kepala Dinas Kesehatan" in e[2] for e in errors)


def test_position_loop(db, org):
    # Kepala Dinas Kesehatan would report to Kepala Bidang P2P, who reports to it.
    data = _csv([POSITION_HEADER + ["kode_unit_jabatan_atasan"],
                 ["Kepala Dinas Kesehatan", "JPT", "PRATAMA", 14, "DINKES", "Kepala Bidang P2P", "DINKES-P2P"]])
    result = _import(db, "positions", data)
    assert [(e.line, e.column) for e in result.errors] == [(2, "jabatan_atasan")]
    assert "loop" in _en(result.errors[0].message)


# --- employees -----------------------------------------------------------------------------------

def _employee_row(nip, name, gender="L", birth="", asn="PNS", rank="III/a", unit="DINKES-P2P",
                  position="Pengelola Data P2P", supervisor="", email=""):
    return [nip, name, gender, birth, asn, rank, unit, position, supervisor, email]


def test_employees_csv_supervisor_derived_and_overridden(db, org):
    from app.organisation.models import Employee

    new1 = _nip(date(1995, 1, 2), "L")
    new2 = _nip(date(1996, 2, 3), "P")
    pppk = "199001012021211001"
    data = _csv([EMPLOYEE_HEADER,
                 _employee_row(new1, "Agus Salim", birth="1995-01-02"),
                 _employee_row(new2, "Maya Sari", gender="P", birth="03-02-1996", supervisor=new1),
                 _employee_row(pppk, "Andi Saputra", birth="1990-01-01", asn="PPPK", rank="PPPK IX",
                               unit="PKM-001", position="Perawat Ahli Pertama")])
    result = _import(db, "employees", data)
    assert result.ok, _errors(result)
    assert result.created == {"employees": 3}
    by_nip = {e.nip: e for e in db.session.query(Employee)}
    assert by_nip[new1].supervisor_id == org.employees["kabid"].id  # holder of the parent position
    assert by_nip[new1].supervisor_override is False
    assert by_nip[new2].supervisor.nip == new1 and by_nip[new2].supervisor_override is True
    assert by_nip[new2].birth_date == date(1996, 2, 3)
    assert by_nip[pppk].rank.code == "IX" and by_nip[pppk].rank.asn_type == "PPPK"
    assert by_nip[pppk].supervisor_id == org.employees["kapus"].id


def test_employees_xlsx_with_excel_dates_and_gender_from_nip(db, org):
    from app.organisation.models import Employee

    nip = _nip(date(1993, 12, 31), "P")
    data = _xlsx([["NIP", "Nama", "Gelar_Depan", "Gelar_Belakang", "Tanggal_Lahir", "Golongan", "Kode_Unit",
                   "Jabatan", "Telepon"],
                  [nip, "Nur Aini", "dr.", "Sp.A", datetime(1993, 12, 31), "iii/b", "PKM-001",
                   "perawat ahli pertama", "0812 345 678"]])
    result = _import(db, "employees", data)
    assert result.ok, _errors(result)
    e = db.session.query(Employee).filter_by(nip=nip).one()
    assert e.gender == "P" and e.birth_date == date(1993, 12, 31)
    assert e.full_name == "dr. Nur Aini, Sp.A" and e.rank.code == "III/b"
    assert e.position_id == org.positions["perawat"].id and e.supervisor_id == org.employees["kapus"].id


def test_employee_update_by_nip(db, org):
    from app.organisation.models import Employee

    staff = org.employees["staff1"]
    data = _csv([EMPLOYEE_HEADER,
                 _employee_row(staff.nip, "Budi Santoso Putra", birth=staff.birth_date.isoformat(), rank="III/b")])
    before = _count(db, Employee)
    result = _import(db, "employees", data)
    assert result.ok, _errors(result)
    assert result.created == {"employees": 0} and result.updated == {"employees": 1}
    assert _count(db, Employee) == before
    db.session.expire_all()
    assert staff.name == "Budi Santoso Putra" and staff.rank.code == "III/b"
    assert staff.user_id == org.users["staff1"].id  # the account link is kept


@pytest.mark.parametrize("nip, fragment", [
    ("19860926201505100", "exactly 18 digits (this one has 17)"),
    ("1986092620150510011", "exactly 18 digits (this one has 19)"),
    ("19860926201505A001", "digits only"),
    ("198613262015051001", "Digits 1-8"),
    ("198609262015131001", "Digits 9-14"),
    ("198609262000051001", "before the employee's 18th birthday"),
    ("198609262015053001", "Digit 15"),
    ("1.98609E+17", "scientific notation"),
    ("", "NIP is required"),
])
def test_bad_nip_variants_are_named(db, org, nip, fragment):
    from app.organisation.models import Employee

    before = _count(db, Employee)
    data = _csv([EMPLOYEE_HEADER, _employee_row(nip, "Test Orang")])
    result = _import(db, "employees", data)
    nip_errors = [e for e in result.errors if e.column == "nip"]
    assert nip_errors, _errors(result)
    assert nip_errors[0].line == 2
    assert fragment in _en(nip_errors[0].message)
    assert _count(db, Employee) == before


def test_nip_stored_as_number_in_xlsx(db, org):
    data = _xlsx([["nip", "nama", "kode_unit"], [198609262015051001, "Angka", "DINKES"]])
    result = _import(db, "employees", data)
    assert [(e.line, e.column) for e in result.errors] == [(2, "nip")]
    assert "Format the NIP column as Text" in _en(result.errors[0].message)


def test_gender_and_birth_date_must_match_nip(db, org):
    nip = _nip(date(1990, 5, 5), "L")
    data = _csv([EMPLOYEE_HEADER, _employee_row(nip, "Salah Data", gender="P", birth="1990-05-06")])
    errors = _errors(_import(db, "employees", data))
    assert (2, "jenis_kelamin", "Gender does not match digit 15 of the NIP") in errors
    assert any(e[:2] == (2, "tanggal_lahir") and "1990-05-05" in e[2] for e in errors)


def test_unknown_unit_rank_position_and_supervisor(db, org):
    nip = _nip(date(1991, 1, 1))
    data = _csv([EMPLOYEE_HEADER,
                 _employee_row(nip, "Satu", unit="TIDAK-ADA"),
                 _employee_row(_nip(date(1991, 1, 2)), "Dua", rank="V/z"),
                 _employee_row(_nip(date(1991, 1, 3)), "Tiga", position="Jabatan Fiktif"),
                 _employee_row(_nip(date(1991, 1, 4)), "Empat", supervisor=_nip(date(1960, 1, 1)))])
    errors = _errors(_import(db, "employees", data))
    assert (2, "kode_unit", "Unknown unit code TIDAK-ADA (import the units first).") in errors
    assert any(e[:2] == (3, "golongan") and "V/z" in e[2] for e in errors)
    assert any(e[:2] == (4, "jabatan") and "Jabatan Fiktif" in e[2] for e in errors)
    assert any(e[:2] == (5, "nip_atasan") and "No employee with NIP" in e[2] for e in errors)


def test_supervisor_loop_in_file(db, org):
    a, b, c = _nip(date(1980, 1, 1)), _nip(date(1981, 1, 1)), _nip(date(1982, 1, 1))
    data = _csv([EMPLOYEE_HEADER,
                 _employee_row(a, "Satu", supervisor=b),
                 _employee_row(b, "Dua", supervisor=c),
                 _employee_row(c, "Tiga", supervisor=a)])
    result = _import(db, "employees", data)
    assert {(e.line, e.column) for e in result.errors} == {(2, "nip_atasan"), (3, "nip_atasan"), (4, "nip_atasan")}
    assert all("loop" in _en(e.message) for e in result.errors)


def test_supervisor_loop_with_database(db, org):
    # kabid's supervisor is kadis; making kabid the supervisor of kadis closes a loop.
    kadis, kabid = org.employees["kadis"], org.employees["kabid"]
    data = _csv([EMPLOYEE_HEADER,
                 _employee_row(kadis.nip, kadis.name, birth=kadis.birth_date.isoformat(), rank="IV/b",
                               unit="DINKES", position="Kepala Dinas Kesehatan", supervisor=kabid.nip)])
    result = _import(db, "employees", data)
    assert [(e.line, e.column) for e in result.errors] == [(2, "nip_atasan")]


def test_duplicate_nip_in_file(db, org):
    nip = _nip(date(1985, 5, 5))
    data = _csv([EMPLOYEE_HEADER, _employee_row(nip, "Satu"), _employee_row(nip, "Dua")])
    assert _errors(_import(db, "employees", data)) == [
        (3, "nip", f"NIP {nip} appears twice in the file (also on line 2).")]


# --- all or nothing, line numbers, idempotence -------------------------------------------------------

def test_all_or_nothing(db, org):
    from app.core.audit import AuditLog
    from app.organisation.models import Employee

    rows = [EMPLOYEE_HEADER] + [_employee_row(_nip(date(1990, 1, d)), f"Pegawai {d}") for d in range(1, 6)]
    rows[4] = _employee_row(_nip(date(1990, 1, 4)), "Pegawai Rusak", rank="IX")  # PPPK rank on a PNS
    before, audit_before = _count(db, Employee), _count(db, AuditLog)
    result = _import(db, "employees", _csv(rows))
    assert _errors(result) == [(5, "golongan", "Rank IX does not fit ASN type PNS (PPPK use golongan I-XVII, "
                                               "PNS and CPNS I/a-IV/e).")]
    db.session.rollback()
    assert _count(db, Employee) == before
    assert _count(db, AuditLog) == audit_before


def test_line_numbers_count_blank_lines_and_header(db, org):
    good = _employee_row(_nip(date(1990, 2, 1)), "Baik")
    bad = _employee_row("123", "Buruk")
    csv_data = _csv([EMPLOYEE_HEADER, good, [""] * len(EMPLOYEE_HEADER), [], bad])
    assert [(e.line, e.column) for e in _import(db, "employees", csv_data).errors] == [(5, "nip")]
    xlsx_data = _xlsx([EMPLOYEE_HEADER, good, [None], [None], [None], bad])
    assert [(e.line, e.column) for e in _import(db, "employees", xlsx_data).errors] == [(6, "nip")]


def test_quoted_multiline_cell_keeps_spreadsheet_line_numbers(db, org):
    data = ('kode,nama,jenis\n"A","Unit\nA",OPD\nB,,OPD\n').encode()
    assert [(e.line, e.column) for e in _import(db, "units", data).errors] == [(3, "nama")]


def test_reimport_is_idempotent(db):
    from app.organisation.models import Employee, Position, Unit

    counts = []
    for _ in range(2):
        run = {}
        for kind in ("units", "positions", "employees"):
            result = _import(db, kind, (DATA / f"{kind}.csv").read_bytes())
            assert result.ok, _errors(result)
            run[kind] = (result.created[kind], result.updated[kind])
        counts.append(run)
    assert counts[0] == {"units": (4, 0), "positions": (4, 0), "employees": (5, 0)}
    assert counts[1] == {"units": (0, 4), "positions": (0, 4), "employees": (0, 5)}
    assert (_count(db, Unit), _count(db, Position), _count(db, Employee)) == (4, 4, 5)
    # The same data as XLSX changes nothing either.
    import csv

    rows = list(csv.reader(io.StringIO((DATA / "employees.csv").read_text(encoding="utf-8-sig"))))
    result = _import(db, "employees", _xlsx(rows))
    assert result.ok and result.created == {"employees": 0} and result.updated == {"employees": 5}


def test_import_uses_a_constant_number_of_queries(db, org):
    def run(n, offset):
        rows = [EMPLOYEE_HEADER] + [_employee_row(_nip(date(1990, 1, 1), seq=offset + i), f"P {i}")
                                    for i in range(n)]
        with count_queries(db) as queries:
            result = _import(db, "employees", _csv(rows))
        assert result.ok, _errors(result)[:3]
        return [q for q in queries if not q.lstrip().upper().startswith(("INSERT", "UPDATE"))]

    small, large = run(3, 100), run(60, 200)
    assert len(large) == len(small) <= 12


# --- the file itself -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, fragment", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "neither a CSV nor an XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old Excel (.xls)"),
    (b"PK\x03\x04garbage-not-a-zip", "damaged"),
    ("kode,nama,jenis\nA,Dinas Kesehatan Kota\xe9,OPD\n".encode("latin-1"), "not UTF-8"),
])
def test_wrong_file_types(db, data, fragment):
    from app.organisation.importing import ImportFileError

    with pytest.raises(ImportFileError) as exc:
        _import(db, "units", data)
    assert fragment in _en(exc.value.message)


def test_zip_that_is_not_a_workbook(db):
    import zipfile

    from app.organisation.importing import ImportFileError

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError) as exc:
        _import(db, "units", buf.getvalue())
    assert "not an Excel" in _en(exc.value.message)


def test_row_and_size_limits(db):
    from app.organisation.importing import ImportFileError, import_file

    data = _csv([["kode", "nama", "jenis"]] + [[f"U{i}", f"Unit {i}", "OPD"] for i in range(11)])
    with pytest.raises(ImportFileError) as exc:
        import_file(db.session, "units", data, max_rows=10)
    assert "more than 10 data rows" in _en(exc.value.message)
    with pytest.raises(ImportFileError) as exc:
        import_file(db.session, "units", data, max_bytes=50)
    assert "larger than" in _en(exc.value.message)


def test_missing_required_column_and_aliases(db):
    result = _import(db, "units", _csv([["kode", "kode_unit", "nama"], ["A", "A", "Unit A"]]))
    errors = _errors(result)
    assert any(e[:2] == (1, "kode_unit") and "both mean kode" in e[2] for e in errors)
    assert any(e[:2] == (1, "jenis") and "Required column jenis is missing" in e[2] for e in errors)


def test_templates_list_the_headers(app):
    from openpyxl import load_workbook

    from app.organisation.importing import KINDS, template_csv, template_headers, template_xlsx

    with app.test_request_context():
        for kind in KINDS:
            header = template_csv(kind).decode("utf-8-sig").strip().split(",")
            assert header == template_headers(kind)
            wb = load_workbook(io.BytesIO(template_xlsx(kind)), read_only=True)
            assert [c for c in next(wb.worksheets[0].iter_rows(values_only=True))] == header
    assert "nip" in template_headers("employees") and "kode_induk" in template_headers("units")


def test_blank_template_imports_as_no_rows(db):
    from app.organisation.importing import template_csv

    result = _import(db, "units", template_csv("units"))
    assert _errors(result) == [(2, "", "The file has column names but no data rows.")]


# --- the page ------------------------------------------------------------------------------------------

def _upload(client, kind, data, filename):
    token = csrf_token(client, "/import/")
    return client.post("/import/", data={"csrf_token": token, "kind": kind,
                                         "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_import_page_flow_as_admin(client, db, org):
    from app.organisation.models import Unit

    login(client, "admin")
    page = client.get("/import/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "kode_induk" in html

    bad = _csv([UNIT_HEADER, ["BARU", "Unit Baru", "OPD", "PEMKOT", ""], ["", "Tanpa Kode", "OPD", "", ""]])
    r = _upload(client, "units", bad, "unit.csv")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "portal-import-errors" in html
    assert re.search(r"<td>3</td><td>kode</td><td>[^<]+</td>", html)
    assert db.session.query(Unit).filter_by(code="BARU").count() == 0

    good = _xlsx([UNIT_HEADER, ["BARU", "Unit Baru", "OPD", "PEMKOT", "ya"]])
    r = _upload(client, "units", good, "unit.xlsx")
    html = r.get_data(as_text=True)
    assert "portal-import-success" in html
    db.session.expire_all()
    assert db.session.query(Unit).filter_by(code="BARU").one().parent_id == org.units["city"].id

    r = _upload(client, "units", b"\x00\x01\x02binary", "unit.csv")
    assert "portal-import-file-error" in r.get_data(as_text=True)

    for fmt in ("csv", "xlsx"):
        r = client.get(f"/import/template/employees/{fmt}")
        assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert client.get("/import/template/nope/csv").status_code == 404
    assert "/import/" in client.get("/").get_data(as_text=True)  # the home tile


def test_import_of_employees_via_page_gives_supervisors_atasan(client, db, org):
    login(client, "admin")
    analis = org.employees["analis"]
    new = _nip(date(1997, 7, 7))
    data = _csv([EMPLOYEE_HEADER,
                 _employee_row(new, "Bawahan Analis", unit="BKPSDM", position="", supervisor=analis.nip)])
    r = _upload(client, "employees", data, "pegawai.csv")
    assert "portal-import-success" in r.get_data(as_text=True)
    db.session.expire_all()
    assert "Atasan" in {role.name for role in org.users["analis"].roles}


def test_csrf_required(client, org):
    login(client, "admin")
    r = client.post("/import/", data={"kind": "units", "file": (io.BytesIO(b"kode\n"), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 400


@pytest.mark.parametrize("key", ["staff1", "kadis", "analis"])
def test_non_admin_cannot_import(client, org, key):
    login(client, org.username(key))
    assert client.get("/import/").status_code in (403, 404)
    assert client.get("/import/template/units/csv").status_code in (403, 404)
    assert "/import/" not in client.get("/").get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    r = client.get("/import/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_columns_left_out_keep_their_values(db, org):
    guru = org.employees["guru"]
    data = _csv([["nip", "nama", "kode_unit", "telepon"], [guru.nip, "Yuni Kartika Sari", "DISDIK", "0711 555"]])
    result = _import(db, "employees", data)
    assert result.ok and result.updated == {"employees": 1}, _errors(result)
    db.session.expire_all()
    assert guru.name == "Yuni Kartika Sari" and guru.phone == "0711 555"
    assert guru.position_id == org.positions["guru"].id and guru.rank.code == "III/a"
    assert guru.supervisor_id == org.employees["kadisdik"].id and guru.status == "AKTIF"
