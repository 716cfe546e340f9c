"""Journeys that exist now, each as a user does it in a real browser (see README.md to add one).

The guards of the ``journey`` fixture (conftest.py) fail any journey with a failed or foreign request, an
HTTP error it did not expect, a console or page error, a server exception, or an untranslated title.
"""
from __future__ import annotations

import io
import re
from datetime import date

import pytest

pytestmark = pytest.mark.browser

NIP = re.compile(r"\b\d{18}\b")
ALL_SEEDED = ("kadis", "kabid", "staff1", "staff2", "kapus", "perawat", "kadisdik", "guru", "analis")
ADMIN_ONLY = {"/users/list/", "/roles/list/", "/auditlogview/list/", "/import/"}
MASTER_DATA = {"/employeeview/list/", "/unitview/list/", "/unit-tree/", "/positionview/list/", "/rankview/list/"}


def listed_nips(j) -> set:
    """NIPs in the list table of the current page."""
    table = j.list_table()
    return set(NIP.findall(table.inner_text())) if table.count() else set()


def tree_units(j) -> set:
    """Unit names of the unit tree (collapsed branches included)."""
    return {t.strip() for t in j.page.locator(".portal-tree a").all_text_contents()}


# --- (1) each role logs in and sees only what it may ------------------------------------------------

def test_admin_sees_everything_and_the_security_menu(journey):
    j, city = journey, journey.city
    j.login("admin")
    j.shot("home")
    assert ADMIN_ONLY | MASTER_DATA <= j.nav_hrefs()
    j.menu("/users/list/")
    j.shot("users")
    j.menu("/employeeview/list/")
    assert city.nips(*ALL_SEEDED) <= listed_nips(j)
    j.shot("employees")


def test_pengelola_reads_the_whole_city_without_admin_screens(journey):
    j, city = journey, journey.city
    j.login("analis")
    hrefs = j.nav_hrefs()
    assert MASTER_DATA <= hrefs and not ADMIN_ONLY & hrefs
    j.menu("/employeeview/list/")
    assert city.nips(*ALL_SEEDED) <= listed_nips(j)
    j.menu("/unit-tree/")
    assert city.unit_names("city", "dinkes", "p2p", "pkm", "disdik", "bkpsdm") <= tree_units(j)
    j.shot("unit-tree")
    j.visit("/users/list/", status=403)


def test_pimpinan_sees_own_unit_subtree_only(journey):
    j, city = journey, journey.city
    j.login("kadis")  # Kepala Dinas Kesehatan: Pimpinan (and Atasan)
    j.menu("/unit-tree/")
    assert tree_units(j) == city.unit_names("dinkes", "p2p", "pkm")
    j.shot("unit-tree")
    j.menu("/employeeview/list/")
    assert listed_nips(j) == city.nips("kadis", "kabid", "staff1", "staff2", "kapus", "perawat")
    j.shot("employees")
    j.visit(f"/employeeview/show/{city.employees['guru'].id}", status=404)  # Dinas Pendidikan


def test_atasan_sees_own_record_and_subordinates(journey):
    j, city = journey, journey.city
    j.login("kabid")
    hrefs = j.nav_hrefs()
    assert "/employeeview/list/" in hrefs and not {"/unit-tree/", "/unitview/list/"} & hrefs
    j.menu("/employeeview/list/")
    assert listed_nips(j) == city.nips("kabid", "staff1", "staff2")
    j.shot("employees")
    j.click(j.list_table().locator("tr", has_text=city.employees["staff1"].nip).locator(
        'a[href*="/employeeview/show/"]').first)
    assert city.employees["staff1"].name in j.text()
    j.shot("subordinate")


def test_pegawai_sees_own_profile_only(journey):
    j, city = journey, journey.city
    me = city.employees["staff1"]
    j.login("staff1")
    hrefs = j.nav_hrefs()
    assert "/my-profile/" in hrefs and not (MASTER_DATA | ADMIN_ONLY) & hrefs
    j.menu("/my-profile/")
    assert j.page.url.endswith(f"/employeeview/show/{me.id}")
    assert me.nip in j.text() and me.name in j.text()
    j.shot("my-profile")
    j.visit("/employeeview/list/")  # typed by hand: the list holds only their own record
    assert listed_nips(j) == {me.nip}
    j.visit("/unit-tree/", status=403)


def test_pelatih_without_employee_record(journey):
    j = journey
    j.login("pelatih")
    hrefs = j.nav_hrefs()
    assert "/my-profile/" in hrefs and not (MASTER_DATA | ADMIN_ONLY) & hrefs
    j.menu("/my-profile/")
    assert not NIP.search(j.text())  # no employee record linked: nobody's data is shown
    j.shot("my-profile")
    j.visit("/employeeview/list/")
    assert listed_nips(j) == set()


# --- (2) language switch --------------------------------------------------------------------------

def test_language_switch_to_english_and_back(journey):
    j = journey
    j.login("staff1")
    j.menu("/my-profile/")
    indonesian = j.page.title()
    j.shot("indonesian")
    j.switch_language("en")
    english = j.page.title()
    assert english != indonesian and "/lang/id" in j.nav_hrefs()
    j.shot("english")
    j.menu("/my-profile/")  # and it stays English on the next page
    assert j.page.title() == english
    j.switch_language("id")
    assert j.page.title() == indonesian and "/lang/en" in j.nav_hrefs()
    j.shot("indonesian-again")


# --- (3) another employee's URL --------------------------------------------------------------------

def test_pegawai_opening_another_employees_url_gets_not_found(journey):
    j, city = journey, journey.city
    j.login("staff1")
    for other in ("staff2", "kabid", "guru"):  # colleague, own supervisor, another agency
        j.visit(f"/employeeview/show/{city.employees[other].id}", status=404)
        assert "404" in j.text() and city.employees[other].nip not in j.text()
    j.shot("not-found")


# --- (4) import from XLSX and bulk accounts ---------------------------------------------------------

def xlsx(header, *rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"]:
        cell.number_format = "@"  # NIPs as text, as the import page asks
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(j, kind: str, name: str, data: bytes):
    """Import one file through the import page, as the admin does."""
    j.page.select_option("#kind", kind)
    j.page.set_input_files("#file", files=[{
        "name": name, "buffer": data,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    j.click(j.page.locator("form button[type=submit]").first)
    errors = j.page.locator(".portal-import-errors, .portal-import-file-error")
    assert j.page.locator(".portal-import-success").count() == 1, \
        f"import of {name} failed: {errors.all_inner_texts() if errors.count() else j.text()[:500]}"
    j.shot(f"imported-{kind}")


NEW = [  # NIP, name, gender, position: Dinas Komunikasi dan Informatika, new in the city
    ("198001012005011001", "Agus Salim", "L", "Kepala Dinas Kominfo"),
    ("199203042015032002", "Maya Sari", "P", "Pranata Komputer"),
    ("199405062018031003", "Rizky Pratama", "L", "Pranata Komputer"),
]


def test_admin_imports_employees_and_creates_their_accounts(journey):
    j = journey
    if not j.portal.has_endpoint("ImportView.form"):
        pytest.skip("the import screen (ImportView.form) is not in this build yet")
    j.login("admin")
    j.menu("/import/")
    upload(j, "units", "unit-kerja.xlsx", xlsx(
        ["kode", "nama", "jenis", "kode_induk"],
        ["DISKOMINFO", "Dinas Komunikasi dan Informatika", "OPD", "PEMKOT"]))
    upload(j, "positions", "jabatan.xlsx", xlsx(
        ["nama", "jenis_jabatan", "jenjang", "kelas_jabatan", "kode_unit", "jabatan_atasan"],
        ["Kepala Dinas Kominfo", "JPT", "PRATAMA", 14, "DISKOMINFO", None],
        ["Pranata Komputer", "FUNGSIONAL", "AHLI_PERTAMA", 8, "DISKOMINFO", "Kepala Dinas Kominfo"]))
    upload(j, "employees", "pegawai.xlsx", xlsx(
        ["nip", "nama", "jenis_kelamin", "golongan", "kode_unit", "jabatan"],
        *[[nip, name, gender, "III/a", "DISKOMINFO", position] for nip, name, gender, position in NEW]))

    j.menu("/employeeview/list/")
    for nip, *_ in NEW:
        j.list_table().locator("tr", has_text=nip).locator("input.action_check").check()
    j.shot("selected")
    j.list_action("create_accounts", screenshot="confirm")

    rows = [r.locator("td").all_inner_texts()
            for r in j.page.locator("table.portal-accounts-created tbody tr").all()]
    assert [r[0] for r in rows] == sorted(nip for nip, *_ in NEW)
    j.shot("accounts-created")

    nip, password = rows[-1][0], rows[-1][2].strip()
    person = next(n for n in NEW if n[0] == nip)
    j.logout()
    j.login(nip, password)
    j.menu("/my-profile/")
    assert nip in j.text() and person[1] in j.text()
    j.shot("new-employee-profile")


# --- stored payloads never run (tests/test_xss.py checks the HTML; this is the browser's view) ----------

XSS_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "{{7*7}}",
                "</textarea><svg onload=alert(1)>", '=HYPERLINK("http://x.invalid","klik")']


def test_stored_payloads_never_run(journey):
    """Admin opens list, show and edit pages and the unit tree with script payloads stored in every text
    field: no dialog opens, no injected element exists, the payload reads as text. Own records in a unit
    directly under the city (other journeys compare the Dinas Kesehatan subtree exactly)."""
    from app.extensions import db
    from app.organisation.models import Employee, Position, Unit

    j = journey
    app = j.portal.app
    with app.app_context():
        parent = db.session.query(Unit).filter_by(code="PEMKOT").one()
        unit = Unit(code="XSS-JOURNEY", name=XSS_PAYLOADS[1], unit_type="OPD", parent=parent, active=True)
        db.session.add(unit)
        ids = []
        for i, p in enumerate(XSS_PAYLOADS):
            child = Unit(code=f"XSS-J{i}", name=p, unit_type="BIDANG", parent=unit, active=True)
            position = Position(name=p, position_type="PELAKSANA", level="KLEREK", grade=5, unit=child)
            birth = date(1991, 2, 1 + i)
            e = Employee(nip=f"{birth:%Y%m%d}201503{1}{880 + i:03d}", name=p, front_title=p[:50], back_title=p,
                         birth_place=p, email=p, gender="L", birth_date=birth, asn_type="PNS", status="AKTIF",
                         unit=child, position=position)
            db.session.add_all([child, position, e])
            db.session.flush()
            ids.append((child.id, position.id, e.id))
        db.session.commit()
        unit_id = unit.id

    dialogs = []
    j.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def injected():
        return {sel: j.page.locator(sel).count() for sel in (
            "img[src=x]", "svg[onload]", "[onerror]", "[onload]", "a[href^='javascript:']")
            if j.page.locator(sel).count()} | (
            {"script": 1} if j.page.locator("script", has_text="alert(1)").count() else {})

    j.login("admin")
    pages = ["/employeeview/list/?psize_EmployeeView=100", "/unitview/list/?psize_UnitView=100",
             "/positionview/list/?psize_PositionView=100", "/unit-tree/", f"/unitview/show/{unit_id}"]
    for child_id, position_id, employee_id in ids:
        pages += [f"/employeeview/show/{employee_id}", f"/employeeview/edit/{employee_id}",
                  f"/unitview/show/{child_id}", f"/positionview/show/{position_id}"]
    problems = []
    for path in pages:
        j.visit(path)
        found = injected()
        if found:
            problems.append(f"{path}: injected {found}")
        if path.startswith("/employeeview/show/") and not any(p in j.text() for p in XSS_PAYLOADS):
            problems.append(f"{path}: the payload is not shown as text")
    j.visit(f"/employeeview/show/{ids[0][2]}")
    assert XSS_PAYLOADS[0] in j.text()  # read as text, literally
    j.shot("payload-as-text")
    assert not dialogs, dialogs
    assert not problems, "\n".join(problems)


# --- the evaluation, rating and objection screens (app/performance/evaluation_views.py) --------------------

def _evaluation_team(portal):
    """Its own people (new NIPs) and period year, so the shared city stays as it is: Sari (boss, the rater's
    supervisor) → Tono (Atasan, the rater) → Ani (Pegawai); Ani's approved plan and opened evaluation."""
    from datetime import date as _date

    from sqlalchemy import select as _select

    from app.extensions import db
    from app.organisation.models import Employee, Position, Rank, Unit
    from app.performance import services as S
    from app.performance.models import Evaluation, Period, Skp

    app = portal.app
    with app.app_context():
        sm = app.appbuilder.sm
        used = set(db.session.scalars(_select(Period.year)))
        year = next(y for y in range(2040, 2100) if y not in used)
        rank = db.session.scalar(_select(Rank).where(Rank.asn_type == "PNS", Rank.code == "III/a"))
        unit = Unit(code=f"EVAL-{year}", name=f"Bidang Evaluasi {year}", unit_type="BIDANG", active=True)
        db.session.add(unit)
        people, ctxs = {}, {}
        for i, (key, name, roles, boss) in enumerate((
                ("boss", "Sari Wulandari", ("Pegawai", "Atasan", "Pimpinan"), None),
                ("rater", "Tono Prasetyo", ("Pegawai", "Atasan"), "boss"),
                ("staff", "Ani Rahmawati", ("Pegawai",), "rater"))):
            birth = _date(1980 + i, 3, 3)
            nip = f"{birth:%Y%m%d}{birth.year + 24:04d}03{1 + i % 2}{year % 1000:03d}"
            position = Position(name=f"Jabatan {name}", position_type="PELAKSANA", level="OPERATOR", grade=6, unit=unit)
            user = sm.add_user(nip, name.split()[0], name.split()[-1], f"{nip}@test.invalid",
                               [sm.find_role(r) for r in roles], password="Rahasia12345")
            e = Employee(nip=nip, name=name, gender="L" if i % 2 else "P", birth_date=birth, asn_type="PNS",
                         status="AKTIF", rank=rank, position=position, unit=unit, supervisor=people.get(boss),
                         user_id=user.id)
            db.session.add_all([position, e])
            db.session.flush()
            people[key] = e
            ctxs[key] = S.ActorContext(user.id, name, e.id, set(roles))
        period = Period(year=year, kind="ANNUAL", number=1, code=str(year), starts_on=_date(year, 1, 1),
                        ends_on=_date(year, 12, 31), is_open=True)
        db.session.add(period)
        db.session.commit()
        staff = people["staff"]
        skp = S.start_plan(db.session, ctxs["staff"], staff, year)
        S.save_plan(db.session, ctxs["staff"], skp, {"approach": "KUANTITATIF", "rhks": [
            {"kind": "UTAMA", "text": "Tersedianya laporan evaluasi", "indicators": [
                {"aspect": "KUANTITAS", "text": "Jumlah laporan", "target_value": "4", "target_unit": "dokumen"}]}]},
            skp.version)
        S.submit_plan(db.session, ctxs["staff"], skp, skp.version)
        S.approve_plan(db.session, ctxs["rater"], skp, skp.version)
        admin = S.ActorContext(None, "admin", None, {"Admin"})
        S.open_evaluations(db.session, admin, period)
        evaluation_id = db.session.scalar(_select(Evaluation.id).join(Skp).where(Skp.employee_id == staff.id))
        return {k: e.nip for k, e in people.items()}, evaluation_id


def test_atasan_rates_pegawai_objects_and_the_supervisor_decides(journey):
    j = journey
    nips, evaluation_id = _evaluation_team(j.portal)
    page = f"/evaluations/{evaluation_id}"
    preview = ".portal-rating-form [data-predikat-preview]"

    # the Atasan rates: the predikat preview follows the radios, the server stores the matrix's predikat
    j.login(nips["rater"])
    j.visit("/rate/")
    j.click(f'tr[data-evaluation="{evaluation_id}"] a')
    j.page.check('.portal-rating-form input[name="hasil_rating"][value="DI_ATAS"]')
    j.page.check('.portal-rating-form input[name="perilaku_rating"][value="DI_ATAS"]')
    assert j.page.get_attribute(preview, "data-predikat") == "SANGAT_BAIK"
    j.page.check('.portal-rating-form input[name="perilaku_rating"][value="DI_BAWAH"]')
    assert j.page.get_attribute(preview, "data-predikat") == "KURANG"
    j.page.check('.portal-rating-form input[name="hasil_rating"][value="DI_BAWAH"]')
    assert j.page.get_attribute(preview, "data-predikat") == "SANGAT_KURANG"
    j.page.check('.portal-rating-form input[name="hasil_rating"][value="SESUAI"]')
    assert j.page.get_attribute(preview, "data-predikat") == "KURANG"
    j.shot("rating-preview")
    j.page.fill("#notes", "Kehadiran rapat perlu diperbaiki")
    j.click(".portal-save-rating")
    assert j.page.get_attribute(".portal-evaluation-predikat", "data-predikat") == "KURANG"
    j.click(".portal-finalise")
    assert j.page.get_attribute(".portal-evaluation", "data-status") == "FINAL"
    j.logout()

    # the Pegawai objects within the window
    j.login(nips["staff"])
    j.visit("/my-evaluations/")
    j.click(f'tr[data-evaluation="{evaluation_id}"] a')
    assert j.page.get_attribute(".portal-objection-window", "data-days-left") == "14"
    j.page.fill("#reasons", "Keterlambatan rapat karena tugas lapangan")
    j.click(".portal-file-objection")
    assert j.page.get_attribute(".portal-objection", "data-status") == "DIAJUKAN"
    j.logout()

    # the Atasan explains
    j.login(nips["rater"])
    j.visit("/objections/")
    j.click(".portal-objection-list tbody tr a")
    j.page.fill("#explanation", "Tiga kali tidak hadir tanpa kabar")
    j.click(".portal-explain")
    assert j.page.get_attribute(".portal-objection", "data-status") == "DIJELASKAN"
    j.logout()

    # the Atasan's supervisor decides: result changed, the preview follows the new ratings
    j.login(nips["boss"])
    j.visit(page)
    j.page.check('.portal-decide-form input[name="decision"][value="DIUBAH"]')
    j.page.check('.portal-decide-form input[name="new_perilaku_rating"][value="SESUAI"]')
    assert j.page.get_attribute(".portal-decide-form [data-predikat-preview]", "data-predikat") == "BAIK"
    j.page.fill("#decision_text", "Tugas lapangan terbukti")
    j.click(".portal-decide")
    assert j.page.get_attribute(".portal-objection", "data-status") == "DIPUTUS"
    assert j.page.get_attribute(".portal-evaluation-predikat", "data-predikat") == "BAIK"
    j.shot("decided")


# --- (n) planning: the Pegawai writes and submits a plan, the Atasan returns then approves it, progress -------

def test_pegawai_plans_atasan_returns_and_approves_pegawai_reports_progress(journey):
    j, city = journey, journey.city
    if not j.portal.has_endpoint("PlanningView.my_plan"):
        pytest.skip("the planning screens are not there")
    year = 2031  # a year no other journey uses: Dewi's plan is this journey's own record
    j.login("staff2")
    j.visit(f"/my-plan/?year={year}")
    j.click("#plan-start")
    j.page.click("#plan-add-rhk")
    rhk = j.page.locator("#plan-rhks .plan-rhk").last
    rhk.locator("[data-field=text]").fill("Terlaksananya imunisasi dasar lengkap")
    rhk.locator("[data-ind-field=text]").first.fill("Cakupan imunisasi")
    rhk.locator("[data-ind-field=target_value]").first.fill("95")
    rhk.locator("[data-ind-field=target_unit]").first.fill("%")
    rhk.locator(".plan-add-indicator").click()
    rhk.locator("[data-ind-field=text]").nth(1).fill("Laporan bulanan")
    rhk.locator("[data-ind-field=target_value]").nth(1).fill("12")
    rhk.locator("[data-ind-field=target_unit]").nth(1).fill("laporan")
    j.shot("plan-written")
    j.click("#plan-submit")
    assert j.page.locator(".plan-status").inner_text().strip() != ""
    assert "plan-form" not in j.page.content()
    j.logout()

    j.login("kabid")
    j.visit("/plan-inbox/")
    j.click(j.page.locator("#plan-inbox tr", has_text=city.employees["staff2"].nip).locator("a.plan-open"))
    j.page.fill("#return-notes", "Tambahkan indikator kualitas")
    j.click("#plan-return")
    j.logout()

    j.login("staff2")
    j.visit(f"/my-plan/?year={year}")
    assert "Tambahkan indikator kualitas" in j.text()
    rhk = j.page.locator("#plan-rhks .plan-rhk").first
    rhk.locator(".plan-add-indicator").click()
    rhk.locator("[data-ind-field=aspect]").nth(2).select_option("KUALITAS")
    rhk.locator("[data-ind-field=text]").nth(2).fill("Keluhan orang tua ditindaklanjuti")
    rhk.locator("[data-ind-field=target_value]").nth(2).fill("100")
    rhk.locator("[data-ind-field=target_unit]").nth(2).fill("%")
    j.click("#plan-submit")
    j.logout()

    j.login("kabid")
    j.visit("/plan-inbox/")
    j.click(j.page.locator("#plan-inbox tr", has_text=city.employees["staff2"].nip).locator("a.plan-open"))
    assert "Keluhan orang tua ditindaklanjuti" in j.text()
    j.click("#plan-approve")
    j.shot("plan-approved")
    j.logout()

    j.login("staff2")
    j.visit(f"/my-plan/?year={year}")
    form = j.page.locator(".plan-progress-form").first
    form.locator("input[name=achieved_on]").fill(f"{year}-03-31")
    form.locator("input[name=value]").fill("40")
    form.locator("input[name=description]").fill("Imunisasi triwulan I")
    form.locator("input[name=file]").set_input_files(
        files=[{"name": "bukti.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"}])
    j.click(form.locator("button.plan-add-progress"))
    assert "Imunisasi triwulan I" in j.text() and "bukti.pdf" in j.text()
    j.shot("progress")
