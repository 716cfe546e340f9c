"""Socialization material (app/socialization): the starter set, reading and acknowledging per version, audience
and publication dates, the sanitiser on save, content-checked attachments served only as downloads and only
to the audience, the editor's refusals, the reach per unit (aggregate SQL) and who has not read, the REST
API, the database constraints and the query budget of every screen."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conftest import count_queries, csrf_token, login, logout, make_nip

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BUDGET = 15


def _today():
    from app.performance.services import today_wib

    return today_wib()


def _load_starter(app):
    result = app.test_cli_runner().invoke(args=["portal", "load-material"])
    assert result.exit_code == 0, result.output
    return result


def _material(db, code):
    from app.socialization.models import Material

    db.session.expire_all()
    return db.session.scalars(select(Material).where(Material.code == code)).unique().one()


def _make(db, title="Materi Uji", body="<p>Isi materi uji.</p>", audience="ALL", units=(), roles=(),
          published_from=None, published_until=None, code=None, category="OTHER"):
    from app.socialization import services

    return services.create_material(db.session, services.Reader(user_id=None, user_name="Uji"), services.MaterialInput(
        title=title, body=body, category=category, audience=audience, unit_ids=[u.id for u in units],
        roles=list(roles), published_from=published_from or _today() - timedelta(days=1),
        published_until=published_until, code=code))


def _token(client, url="/materials/"):
    return csrf_token(client, "/resetmypassword/form")


def _ack(client, material, version_id=None):
    token = _token(client)
    return client.post(f"/materials/{material.id}/acknowledge",
                       data={"csrf_token": token, "version": str(version_id or material.current_version.id)})


def _new_version(db, material, body="<p>Isi versi baru.</p>", note="Perbaikan contoh"):
    from app.socialization import services

    return services.publish_version(db.session, services.Reader(user_id=None, user_name="Uji"), material,
                                    services.MaterialInput(title=material.title, body=body, change_note=note))


# --- the starter set -----------------------------------------------------------------------------------------

def test_load_material_is_idempotent_and_updates_on_request(app, db, org):
    from app.performance.rating import PREDIKAT_MATRIX
    from app.socialization import starter
    from app.socialization.models import Material, MaterialVersion

    first = _load_starter(app)
    assert "created 5" in first.output
    assert db.session.scalar(select(func.count()).select_from(Material)) == 5
    again = _load_starter(app)
    assert "created 0" in again.output and "unchanged 5" in again.output
    assert db.session.scalar(select(func.count()).select_from(MaterialVersion)) == 5

    matrix = _material(db, "matriks-predikat").current_version.body_html
    for (hasil, perilaku), predikat in PREDIKAT_MATRIX.items():  # all nine cells, from the rules
        assert f"<strong>{starter.RATING_ID[hasil]}</strong> dan perilaku kerja <strong>{starter.RATING_ID[perilaku]}" \
               f"</strong> → predikat <strong>{starter.PREDIKAT_ID[predikat]}</strong>" in matrix
    curve = _material(db, "kurva-distribusi").current_version.body_html
    assert "paling banyak 70 % pegawai berpredikat Sangat Baik" in curve
    assert "tidak boleh ada pegawai berpredikat Sangat Baik" in curve
    assert "14 hari" in _material(db, "prosedur-keberatan").current_version.body_html

    # someone edited the guide in the portal: kept unless --update, which publishes a new version
    faq = _material(db, "tanya-jawab")
    _new_version(db, faq, body="<p>Versi lokal.</p>")
    kept = _load_starter(app)
    assert "changed but kept 1" in kept.output
    updated = app.test_cli_runner().invoke(args=["portal", "load-material", "--update"])
    assert "new versions 1" in updated.output, updated.output
    faq = _material(db, "tanya-jawab")
    assert faq.current_number == 3 and faq.current_version.change_note == "Diperbarui dari materi awal portal."
    assert faq.current_version.body_html == starter.faq().body_html


# --- reading and acknowledging -------------------------------------------------------------------------------

def test_employee_reads_and_acknowledges_each_version(app, db, client, org):
    from app.socialization.models import MaterialAcknowledgement

    _load_starter(app)
    guide = _material(db, "panduan-rhk")
    login(client, org.username("staff1"))
    page = client.get("/materials/").get_data(as_text=True)
    assert page.count('data-state="UNREAD"') == 5
    assert "Panduan Menulis Rencana Hasil Kerja" in page

    show = client.get(f"/materials/{guide.id}").get_data(as_text=True)
    assert "Tulis hasil, bukan kegiatan" in show and 'id="acknowledge"' in show
    r = _ack(client, guide)
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MaterialAcknowledgement)) == 1
    show = client.get(f"/materials/{guide.id}").get_data(as_text=True)
    assert 'id="acknowledge"' not in show
    assert client.get("/materials/").get_data(as_text=True).count('data-state="READ"') == 1
    # twice: harmless, nothing more written
    assert _ack(client, guide).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MaterialAcknowledgement)) == 1

    # a new version asks again; confirming the old one is refused with a message
    old_version = guide.current_version.id
    _new_version(db, guide)
    guide = _material(db, "panduan-rhk")
    listing = client.get("/materials/").get_data(as_text=True)
    assert f'data-material="{guide.id}" data-state="NEW_VERSION"' in listing
    show = client.get(f"/materials/{guide.id}").get_data(as_text=True)
    assert "Perbaikan contoh" in show and 'id="acknowledge"' in show
    r = _ack(client, guide, old_version)
    assert r.status_code == 422
    assert "versi yang lebih baru" in r.get_data(as_text=True).lower() or "newer version" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MaterialAcknowledgement)) == 1
    assert _ack(client, guide).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MaterialAcknowledgement)) == 2


def test_acknowledgement_is_unique_in_the_database(app, db, org):
    from app.socialization.models import MaterialAcknowledgement

    material = _make(db)
    staff = org.employees["staff1"]
    db.session.add(MaterialAcknowledgement(version_id=material.current_version.id, employee_id=staff.id))
    db.session.commit()
    db.session.add(MaterialAcknowledgement(version_id=material.current_version.id, employee_id=staff.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_account_without_employee_reads_but_cannot_confirm(app, db, client, org):
    material = _make(db)
    login(client, "pelatih")
    assert client.get(f"/materials/{material.id}").status_code == 200
    r = _ack(client, material)
    assert r.status_code == 302
    from app.socialization.models import MaterialAcknowledgement

    assert db.session.scalar(select(func.count()).select_from(MaterialAcknowledgement)) == 0


# --- audience and publication dates --------------------------------------------------------------------------

def test_audience_by_unit_reaches_sub_units_only(app, db, client, org):
    material = _make(db, title="Khusus Dinkes", audience="UNITS", units=[org.units["dinkes"]])
    login(client, org.username("staff1"))  # Bidang P2P, under Dinas Kesehatan
    assert "Khusus Dinkes" in client.get("/materials/").get_data(as_text=True)
    assert client.get(f"/materials/{material.id}").status_code == 200
    logout(client)
    login(client, org.username("guru"))  # Dinas Pendidikan
    assert "Khusus Dinkes" not in client.get("/materials/").get_data(as_text=True)
    assert client.get(f"/materials/{material.id}").status_code == 404
    assert _ack(client, material).status_code == 404
    assert client.get(f"/api/v1/material/{material.id}").status_code == 404


@pytest.mark.parametrize("roles, sees, not_sees", [
    (("Atasan",), "kabid", "staff1"),
    (("Pimpinan",), "kadis", "kabid"),
    (("Pengelola Kinerja",), "analis", "guru"),
    (("Pelatih",), "pelatih", "staff2"),
])
def test_audience_by_role(app, db, client, org, roles, sees, not_sees):
    material = _make(db, title="Untuk Peran Tertentu", audience="ROLES", roles=roles)
    login(client, org.username(sees))
    assert client.get(f"/materials/{material.id}").status_code == 200
    logout(client)
    login(client, org.username(not_sees))
    assert client.get(f"/materials/{material.id}").status_code == 404


def test_publication_dates(app, db, client, org):
    today = _today()
    future = _make(db, title="Belum Terbit", published_from=today + timedelta(days=3))
    ended = _make(db, title="Sudah Berakhir", published_from=today - timedelta(days=30),
                  published_until=today - timedelta(days=1))
    last_day = _make(db, title="Hari Terakhir", published_from=today - timedelta(days=30), published_until=today)
    login(client, org.username("staff1"))
    listing = client.get("/materials/").get_data(as_text=True)
    assert "Hari Terakhir" in listing and "Belum Terbit" not in listing and "Sudah Berakhir" not in listing
    assert client.get(f"/materials/{future.id}").status_code == 404
    assert client.get(f"/materials/{ended.id}").status_code == 404
    assert client.get(f"/materials/{last_day.id}").status_code == 200
    logout(client)
    login(client, org.username("analis"))  # a manager opens everything, with a note
    page = client.get(f"/materials/{future.id}").get_data(as_text=True)
    assert "Belum Terbit" in page and 'id="acknowledge"' not in page


# --- the editor: sanitising, validation, files -----------------------------------------------------------------

EVIL = ('<h3 onclick="alert(1)">Judul</h3><script>alert(2)</script><p style="color:red">Teks '
        '<a href="javascript:alert(3)">klik</a> <a href="https://bkpsdm.palembang.go.id/x">situs</a></p>'
        '<img src="https://evil.example/x.png" onerror="alert(4)"><iframe src="https://evil.example"></iframe>'
        '<style>body{display:none}</style><form action="https://evil.example"><input name="x"></form>'
        '<table class="table evil"><tr><td>sel</td></tr></table>')


def _add_form(token, **overrides):
    data = {"csrf_token": token, "title": "Materi Baru", "body": "<p>Isi</p>", "category": "FAQ",
            "audience": "ALL", "published_from": _today().isoformat(), "published_until": ""}
    data.update(overrides)
    return data


def test_body_is_sanitised_on_save_and_rendered_safely(app, db, client, org):
    from app.socialization.models import Material

    login(client, org.username("analis"))
    r = client.post("/material-admin/new", data=_add_form(_token(client), body=EVIL), content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    material = db.session.scalars(select(Material)).unique().one()
    body = material.current_version.body_html
    for bad in ("<script", "onclick", "javascript:", "<img", "<iframe", "<style", "style=", "<form", "<input",
                "evil", "alert(2)"):
        assert bad not in body, (bad, body)
    assert '<h3>Judul</h3>' in body and 'href="https://bkpsdm.palembang.go.id/x"' in body
    assert 'rel="noopener noreferrer"' in body and '<table class="table">' in body
    page = client.get(f"/materials/{material.id}").get_data(as_text=True)
    assert "alert(" not in page and "evil.example" not in page


@pytest.mark.parametrize("overrides, field, words", [
    ({"title": ""}, "title", "title"),
    ({"body": "<script>alert(1)</script>"}, "body", "empty"),
    ({"body": "x" * 100_001}, "body", "too long"),
    ({"audience": "UNITS"}, "units", "unit"),
    ({"audience": "ROLES"}, "roles", "role"),
    ({"audience": "ROLES", "roles": "Admin"}, "roles", "Unknown role"),
    ({"audience": "EVERYBODY"}, "audience", "who"),
    ({"category": "NOPE"}, "category", "category"),
    ({"published_from": ""}, "published_from", "date"),
    ({"published_from": "2026-13-40"}, "published_from", "YYYY-MM-DD"),
    ({"published_until": "2000-01-01"}, "published_until", "before"),
    ({"units": "99999999", "audience": "UNITS"}, "units", "does not exist"),
])
def test_editor_refuses_bad_input_naming_the_field(app, db, client, org, overrides, field, words):
    from app.socialization.models import Material

    login(client, org.username("analis"))
    client.get("/lang/en")
    r = client.post("/material-admin/new", data=_add_form(_token(client), **overrides),
                    content_type="multipart/form-data")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    match = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    assert match and words.lower() in match.group(1).lower(), html[:3000]
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0


def _stored_files(app):
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_attachments_checked_by_content_and_nothing_half_saved(app, db, client, org):
    from app.socialization.models import Material, MaterialFile

    login(client, org.username("analis"))
    before = _stored_files(app)
    data = _add_form(_token(client))
    data["files"] = [(io.BytesIO(PDF), "panduan.pdf"), (io.BytesIO(b"<html><script>alert(1)</script>"), "jahat.pdf")]
    r = client.post("/material-admin/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    assert "jahat.pdf" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    assert db.session.scalar(select(func.count()).select_from(MaterialFile)) == 0
    assert _stored_files(app) == before  # the good file was removed again

    data = _add_form(_token(client))
    data["files"] = [(io.BytesIO(PDF), "panduan.pdf")]
    r = client.post("/material-admin/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 302
    material = db.session.scalars(select(Material)).unique().one()
    file = material.current_version.files[0]
    r = client.get(f"/materials/{material.id}/files/{file.id}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in r.headers["Content-Security-Policy"]


def test_downloads_only_for_the_audience_and_the_right_material(app, db, client, org):
    from app.core.uploads import FileStore
    from app.socialization import services

    store = FileStore(app.config["UPLOAD_DIR"])
    reader = services.Reader(user_id=None, user_name="Uji")

    def with_file(**kwargs):
        data = services.MaterialInput(title=kwargs.pop("title"), body="<p>Isi</p>", category="OTHER",
                                      published_from=_today(), **kwargs)
        return services.create_material(db.session, reader, data, [(io.BytesIO(PDF), "lampiran.pdf")], store)

    dinkes = with_file(title="Lampiran Dinkes", audience="UNITS", unit_ids=[org.units["dinkes"].id])
    everyone = with_file(title="Lampiran Semua", audience="ALL")
    dinkes_file = dinkes.current_version.files[0].id
    login(client, org.username("guru"))
    assert client.get(f"/materials/{dinkes.id}/files/{dinkes_file}").status_code == 404
    assert client.get(f"/materials/{everyone.id}/files/{dinkes_file}").status_code == 404  # not its file
    assert client.get(f"/materials/{everyone.id}/files/{everyone.current_version.files[0].id}").status_code == 200
    logout(client)
    login(client, org.username("staff1"))
    assert client.get(f"/materials/{dinkes.id}/files/{dinkes_file}").status_code == 200


def test_new_version_keeps_chosen_files_and_needs_a_change_note(app, db, client, org):
    from app.core.uploads import FileStore
    from app.socialization import services
    from app.socialization.models import MaterialVersion

    store = FileStore(app.config["UPLOAD_DIR"])
    material = services.create_material(
        db.session, services.Reader(user_id=None, user_name="Uji"),
        services.MaterialInput(title="Berkas", body="<p>Isi</p>", category="OTHER", published_from=_today()),
        [(io.BytesIO(PDF), "satu.pdf"), (io.BytesIO(PDF), "dua.pdf")], store)
    one, two = material.current_version.files
    login(client, org.username("analis"))
    token = _token(client)
    url = f"/material-admin/{material.id}/version"
    assert client.get(url).status_code == 200
    r = client.post(url, data={"csrf_token": token, "title": "Berkas", "body": "<p>Isi baru</p>", "change_note": "",
                               "keep_files": str(one.id)}, content_type="multipart/form-data")
    assert r.status_code == 422 and 'data-error-for="change_note"' in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": token, "title": "Berkas", "body": "<p>Isi baru</p>",
                               "change_note": "Lampiran dua dihapus", "keep_files": str(one.id),
                               "files": [(io.BytesIO(PDF), "tiga.pdf")]}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    material = _material_by_id(db, material.id)
    assert material.current_number == 2
    assert sorted(f.original_name for f in material.current_version.files) == ["satu.pdf", "tiga.pdf"]
    assert db.session.scalar(select(func.count()).select_from(MaterialVersion)) == 2
    # a reader gets only the current version's files; the manager every version's
    logout(client)
    login(client, org.username("staff1"))
    assert client.get(f"/materials/{material.id}/files/{two.id}").status_code == 404
    logout(client)
    login(client, org.username("analis"))
    assert client.get(f"/materials/{material.id}/files/{two.id}").status_code == 200
    # keeping a file of another material is refused
    other = _make(db, title="Lain")
    r = client.post(f"/material-admin/{other.id}/version", data={
        "csrf_token": _token(client), "title": "Lain", "body": "<p>x</p>", "change_note": "x", "keep_files": str(one.id)},
        content_type="multipart/form-data")
    assert r.status_code == 422


def _material_by_id(db, pk):
    from app.socialization.models import Material

    db.session.expire_all()
    return db.session.get(Material, pk)


def test_settings_change_audience_without_a_new_version(app, db, client, org):
    material = _make(db, title="Pengaturan")
    login(client, org.username("analis"))
    token = _token(client)
    url = f"/material-admin/{material.id}/settings"
    assert client.get(url).status_code == 200
    r = client.post(url, data={"csrf_token": token, "category": "FAQ", "audience": "UNITS",
                               "units": str(org.units["disdik"].id), "published_from": _today().isoformat()})
    assert r.status_code == 302
    material = _material_by_id(db, material.id)
    assert material.current_number == 1 and [a.unit_id for a in material.audience_units] == [org.units["disdik"].id]
    logout(client)
    login(client, org.username("staff1"))
    assert client.get(f"/materials/{material.id}").status_code == 404


def test_only_managers_manage_and_reach_is_for_managers_and_pimpinan(app, db, client, org):
    material = _make(db)
    for who, manage, reach in (("staff1", 403, 403), ("kabid", 403, 403), ("kadis", 403, 200),
                               ("analis", 200, 200), ("pelatih", 403, 403)):
        login(client, org.username(who))
        assert client.get("/material-admin/").status_code == manage, who
        assert client.get(f"/material-admin/{material.id}").status_code == manage, who
        assert client.get(f"/material-reach/{material.id}").status_code == reach, who
        logout(client)


# --- reach ---------------------------------------------------------------------------------------------------

def _acknowledge_directly(db, material, *employees):
    from app.socialization.models import MaterialAcknowledgement

    for e in employees:
        db.session.add(MaterialAcknowledgement(version_id=material.current_version.id, employee_id=e.id))
    db.session.commit()


def _reach_rows(html):
    rows = {}
    for unit, cells in re.findall(r'<tr data-unit="(\d*)">(.*?)</tr>', html, re.S):
        numbers = re.findall(r'<td class="text-right">(?:<a[^>]*>)?([\d.]+)', cells)
        rows[unit] = numbers
    total = re.search(r'portal-reach-total.*?</tr>', html, re.S).group(0)
    return rows, re.findall(r'<th class="text-right">([\d.]+)</th>', total)


def test_reach_per_unit_for_the_whole_city_and_a_pimpinan(app, db, client, org):
    material = _make(db)
    o = org
    _acknowledge_directly(db, material, o.employees["staff1"], o.employees["kabid"], o.employees["guru"])
    login(client, o.username("analis"))
    html = client.get(f"/material-reach/{material.id}").get_data(as_text=True)
    rows, total = _reach_rows(html)
    assert total[:3] == ["9", "3", "6"]  # 9 active employees, 3 confirmed
    assert rows[str(o.units["dinkes"].id)][:3] == ["6", "2", "4"]
    assert rows[str(o.units["disdik"].id)][:3] == ["2", "1", "1"]
    assert rows[str(o.units["bkpsdm"].id)][:3] == ["1", "0", "1"]
    html = client.get(f"/material-reach/{material.id}?unit={o.units['dinkes'].id}").get_data(as_text=True)
    rows, total = _reach_rows(html)
    assert total[:2] == ["6", "2"] and rows[str(o.units["p2p"].id)][:2] == ["3", "2"]
    logout(client)

    login(client, o.username("kadis"))  # Pimpinan of Dinas Kesehatan: their subtree only
    html = client.get(f"/material-reach/{material.id}").get_data(as_text=True)
    rows, total = _reach_rows(html)
    assert total[:2] == ["6", "2"] and str(o.units["disdik"].id) not in rows
    assert client.get(f"/material-reach/{material.id}?unit={o.units['disdik'].id}").status_code == 404
    unread = client.get(f"/material-reach/{material.id}/unread").get_data(as_text=True)
    assert o.employees["staff2"].nip in unread and o.employees["staff1"].nip not in unread
    assert o.employees["perawat"].nip in unread and o.employees["analis"].nip not in unread  # not their subtree
    export = client.get(f"/material-reach/{material.id}/unread/export/csv")
    assert export.status_code == 200 and export.headers["Content-Disposition"].startswith("attachment")
    nips = {row[0] for row in csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")))}
    assert nips >= {o.employees[k].nip for k in ("staff2", "kadis", "kapus", "perawat")}
    assert not nips & {o.employees[k].nip for k in ("staff1", "kabid", "guru", "analis", "kadisdik")}
    xlsx = client.get(f"/material-reach/{material.id}/unread/export/xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get(f"/material-reach/{material.id}/unread/export/pdf").status_code == 404


def test_reach_follows_the_audience_and_the_current_version(app, db, client, org):
    o = org
    material = _make(db, audience="ROLES", roles=("Atasan",))  # kadis, kabid, kapus, kadisdik have subordinates
    _acknowledge_directly(db, material, o.employees["kabid"])
    login(client, o.username("analis"))
    _rows, total = _reach_rows(client.get(f"/material-reach/{material.id}").get_data(as_text=True))
    assert total[:2] == ["4", "1"]
    _new_version(db, _material_by_id(db, material.id))  # a new version: nobody has confirmed it yet
    _rows, total = _reach_rows(client.get(f"/material-reach/{material.id}").get_data(as_text=True))
    assert total[:2] == ["4", "0"]


def test_reach_counts_in_one_aggregate_query(app, db, org):
    """reach_counts is one GROUP BY query whatever the number of employees."""
    from app.security.scope import Scope
    from app.socialization import services

    material = _make(db)
    assert material.current_version.id  # loaded before counting
    with count_queries(db) as q:
        counts = services.reach_counts(db.session, material, Scope(everything=True))
    assert len(q) == 1 and "GROUP BY" in q[0]
    assert sum(n for n, _ in counts.values()) == 9


def test_whole_city_reach_equals_the_reach_from_the_city_unit(app, db, client, org, crowd):
    """The whole city's default report (every unit, no subtree clause) shows the same rows and totals as the
    same report asked for the city's top unit (?unit=, the recursive subtree)."""
    login(client, org.username("analis"))
    city = org.units["city"].id
    default = client.get(f"/material-reach/{crowd.id}").get_data(as_text=True)
    chosen = client.get(f"/material-reach/{crowd.id}?unit={city}").get_data(as_text=True)
    assert _reach_rows(default) == _reach_rows(chosen)
    rows, total = _reach_rows(default)
    assert total[:3] == ["129", "60", "69"]  # 9 + 120 active employees, 60 of the crowd confirmed
    assert rows[str(org.units["dinkes"].id)][:3] == ["126", "60", "66"]


def _unread_reference(db, material, scope, root_unit_id):
    """The unread list as before: the plain join from the employees, ordered by the database."""
    from sqlalchemy import select

    from app.organisation.models import Employee, Position, Unit
    from app.socialization import services

    rows = db.session.execute(
        select(Employee.id, Employee.nip, Employee.name, Unit.name.label("unit_name"),
               Position.name.label("position_name"))
        .select_from(Employee).join(Unit, Unit.id == Employee.unit_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .where(*services._unread_clauses(material, scope, root_unit_id))
        .order_by(Unit.name, Employee.name, Employee.id)).all()
    return [(r.unit_name, r.name, r.id, r.nip, r.position_name) for r in rows]


@pytest.mark.parametrize("root", [None, "city", "dinkes", "pkm"])
def test_unread_pages_are_the_same_rows_in_the_same_order(app, db, org, crowd, root):
    """unread_page (units as the outer loop, SQLite's CROSS JOIN) pages through exactly the rows of the plain
    join from the employees, in its order (unit name, employee name, id); the count is the number of rows."""
    from app.security.scope import Scope
    from app.socialization import services

    material = _material_by_id(db, crowd.id)
    root_id = org.units[root].id if root else None
    for scope in (Scope(everything=True), Scope(unit_root_id=org.units["dinkes"].id)):
        expected = _unread_reference(db, material, scope, root_id)
        total, _rows = services.unread_page(db.session, material, scope, root_id, 1, 7)
        assert total == len(expected)
        got = []
        for page in range(1, -(-total // 7) + 2):
            _n, rows = services.unread_page(db.session, material, scope, root_id, page, 7)
            got.extend((r.unit_name, r.name, r.id, r.nip, r.position_name) for r in rows)
        assert got == expected and len({r[0] for r in got}) >= (1 if root == "pkm" else 2)


# --- the REST API ----------------------------------------------------------------------------------------------

def test_api_lists_what_the_reader_may_open_and_acknowledges(app, db, client, org):
    shared = _make(db, title="Untuk Semua")
    private = _make(db, title="Khusus Disdik", audience="UNITS", units=[org.units["disdik"]])
    login(client, org.username("staff1"))
    body = client.get("/api/v1/material/?q=(page_size:100)").get_json()
    assert body["ids"] == [shared.id]
    assert client.get(f"/api/v1/material/{private.id}").status_code == 404
    one = client.get(f"/api/v1/material/{shared.id}").get_json()["result"]
    assert one["current_version"]["title"] == "Untuk Semua" and "Isi materi uji" in one["current_version"]["body_html"]
    version_id = one["current_version"]["id"]
    r = client.post(f"/api/v1/material/{shared.id}/acknowledge", json={"version_id": version_id})
    assert r.status_code == 200 and r.get_json()["recorded"] is True
    r = client.post(f"/api/v1/material/{shared.id}/acknowledge", json={"version_id": version_id})
    assert r.status_code == 200 and r.get_json()["recorded"] is False
    assert client.post(f"/api/v1/material/{shared.id}/acknowledge", json={"version_id": 999999}).status_code == 422
    assert client.post(f"/api/v1/material/{shared.id}/acknowledge", data="x").status_code == 400
    assert client.post(f"/api/v1/material/{private.id}/acknowledge", json={"version_id": 1}).status_code == 404


# --- query budget --------------------------------------------------------------------------------------------------

@pytest.fixture
def crowd(db, org):
    """120 more employees under Dinas Kesehatan, half of whom confirmed the material, and 8 more materials."""
    from app.organisation.models import Employee, Rank

    rank = db.session.query(Rank).filter_by(asn_type="PNS", code="III/a").one()
    material = _make(db, title="Materi Ramai")
    for i in range(8):
        _make(db, title=f"Materi Tambahan {i}")
    people = []
    for i in range(120):
        birth = date(1980 + i % 20, 1 + i % 12, 1 + i % 28)
        people.append(Employee(nip=make_nip(birth, (birth.year + 24, 1 + i % 12), 1 + i % 2, 200 + i),
                               name=f"Pegawai Ramai {i:03d}", gender="L" if i % 2 == 0 else "P", birth_date=birth,
                               asn_type="PNS", status="AKTIF", rank=rank, unit=org.units["pkm" if i % 3 else "p2p"],
                               supervisor=org.employees["kapus"]))
    db.session.add_all(people)
    db.session.commit()
    _acknowledge_directly(db, material, *people[::2])
    return material


def _queries(client, db, url):
    client.get(url)
    with count_queries(db) as q:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(q)


@pytest.mark.parametrize("who, urls", [
    ("staff1", ["/materials/", "/materials/{m}"]),
    ("analis", ["/material-admin/", "/material-admin/{m}", "/material-reach/", "/material-reach/{m}",
                "/material-reach/{m}?unit={dinkes}", "/material-reach/{m}/unread", "/material-reach/{m}/unread?page=2"]),
    ("kadis", ["/material-reach/{m}", "/material-reach/{m}/unread"]),
])
def test_screens_stay_within_the_query_budget(app, db, client, org, crowd, who, urls):
    login(client, org.username(who))
    for url in urls:
        url = url.format(m=crowd.id, dinkes=org.units["dinkes"].id)
        n = _queries(client, db, url)
        assert n <= BUDGET, (url, n)


# --- the demo ---------------------------------------------------------------------------------------------------

def test_demo_has_material_acknowledgements_and_award_decisions(app, db, client):
    from app.awards.models import AwardDecision
    from app.organisation.models import Employee
    from app.socialization.models import Material, MaterialAcknowledgement

    result = app.test_cli_runner().invoke(args=["portal", "demo", "--size", "small", "--today", "2026-11-20"],
                                          env={"DEMO_PASSWORD": "Rahasia12345"})
    assert result.exit_code == 0, result.output
    assert "material 7" in result.output and "award_decision" in result.output
    materials = {m.code: m for m in db.session.scalars(select(Material)).unique()}
    assert len(materials) == 7 and materials["tanya-jawab"].current_number == 2
    assert materials["panduan-rhk-guru"].audience == "UNITS" and materials["panduan-pejabat-penilai"].audience == "ROLES"
    assert db.session.scalar(select(func.count()).select_from(MaterialAcknowledgement)) > 100
    decisions = db.session.execute(select(AwardDecision.year, AwardDecision.decision, AwardDecision.decree_number)).all()
    assert {y for y, _, _ in decisions} == {2024, 2025}
    assert {d for _, d, _ in decisions} == {"DISETUJUI", "TIDAK_DISETUJUI"}
    assert all(n for _, d, n in decisions if d == "DISETUJUI")

    usernames = re.findall(r"^\| (Pegawai|Pengelola Kinerja) +\| (\d{18})", result.output, re.M)
    accounts = dict(usernames)
    login(client, accounts["Pegawai"], "Rahasia12345")
    listing = client.get("/materials/").get_data(as_text=True)
    assert listing.count('data-state="READ"') == 1 and 'data-state="UNREAD"' in listing
    logout(client)
    login(client, accounts["Pengelola Kinerja"], "Rahasia12345")
    reach = client.get(f"/material-reach/{materials['panduan-rhk'].id}").get_data(as_text=True)
    _rows, total = _reach_rows(reach)
    assert 0 < int(total[1]) < int(total[0])
    assert 'data-decision="' in client.get("/awards/").get_data(as_text=True)
    assert client.get("/award-candidates/?year=2025").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Employee)) > 100
