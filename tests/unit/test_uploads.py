"""Uploads are checked by content, stored under random names outside the static folder, and served as
attachments only."""
import io
import zipfile

import pytest
from flask_babel import force_locale

from app.core.uploads import FileStore, UploadError, check_upload, safe_original_name, send_stored, sniff

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _office(main_part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main_part, "<x/>")
    return buf.getvalue()


DOCX, XLSX = _office("word/document.xml"), _office("xl/workbook.xml")


@pytest.mark.parametrize("data,name,kind", [
    (PDF, "laporan.pdf", "pdf"), (PNG, "foto.PNG", "png"), (JPG, "foto.jpeg", "jpg"), (JPG, "a.jpg", "jpg"),
    (DOCX, "nota.docx", "docx"), (XLSX, "data.xlsx", "xlsx"),
])
def test_allowed_kinds_by_content(data, name, kind):
    assert check_upload(data, name) == kind


@pytest.mark.parametrize("data,name,needle", [
    (b"<html><script>alert(1)</script></html>", "evil.pdf", "not accepted"),
    (b"<svg onload=alert(1)>", "x.png", "not accepted"),
    (PDF, "laporan.html", "does not match"),
    (PNG, "foto.pdf", "does not match"),
    (_office("other/part.xml"), "x.docx", "not accepted"),
    (b"PK\x03\x04garbage", "x.xlsx", "not accepted"),
    (b"", "kosong.pdf", "empty"),
    (b"MZ\x90\x00", "setup.exe", "not accepted"),
])
def test_refused_uploads_say_why(data, name, needle):
    with force_locale("en"):
        with pytest.raises(UploadError) as err:
            check_upload(data, name)
        assert needle in str(err.value.message)


def test_size_limit():
    with force_locale("en"):
        with pytest.raises(UploadError) as err:
            check_upload(PDF + b"0" * 2048, "big.pdf", max_bytes=1024)
        assert "larger than" in str(err.value.message)


def test_only_listed_kinds():
    with pytest.raises(UploadError):
        check_upload(PNG, "x.png", allowed=("pdf",))


def test_sniff_needs_content_not_name():
    assert sniff(b"just text") is None


def test_original_name_is_sanitised():
    assert safe_original_name("../../etc/passwd") == "passwd"
    assert safe_original_name('C:\\Users\\a\\"bad"<name>.pdf') == "badname.pdf"
    assert safe_original_name("") == "file"


def test_store_round_trip_random_names_and_download_headers(tmp_path, app):
    store = FileStore(tmp_path)
    saved = store.save(io.BytesIO(PDF), "../Laporan Q1.pdf")
    assert saved.kind == "pdf" and saved.original_name == "Laporan Q1.pdf" and saved.size_bytes == len(PDF)
    assert "Laporan" not in saved.stored_name and len(saved.stored_name) >= 30
    path = tmp_path / saved.stored_name[:2] / saved.stored_name
    assert path.read_bytes() == PDF and (path.stat().st_mode & 0o777) == 0o600
    other = store.save(PDF, "Laporan Q1.pdf")
    assert other.stored_name != saved.stored_name
    with app.test_request_context():
        response = send_stored(store, saved)
        response.direct_passthrough = False
        assert response.get_data() == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.mimetype == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    with pytest.raises(UploadError):
        store.open("../../etc/passwd")
    store.delete(saved.stored_name)
    with pytest.raises(UploadError):
        store.open(saved.stored_name)
