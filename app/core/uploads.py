"""Uploaded files (bukti dukung and other attachments): checked by content, stored outside the static
folder under random names, and served only as downloads. No web imports except in ``send_stored``.

A file is accepted when its bytes are one of the allowed kinds — the name's extension must agree, but
the name alone never decides — and it is not larger than the limit.
"""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Optional

from flask_babel import lazy_gettext as _l

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# kind -> (content type, extensions accepted for it)
KINDS = {
    "pdf": ("application/pdf", {".pdf"}),
    "png": ("image/png", {".png"}),
    "jpg": ("image/jpeg", {".jpg", ".jpeg"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
}
EVIDENCE_KINDS = ("pdf", "jpg", "png", "docx", "xlsx")
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNPACKED = 200 * 1024 * 1024


class UploadError(ValueError):
    """A refused upload; ``message`` is a lazy, translatable string naming what is wrong."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    stored_name: str  # random name on disk (also the download key)
    original_name: str
    kind: str
    content_type: str
    size_bytes: int
    sha256: str


def sniff(head: bytes, data: Optional[bytes] = None) -> Optional[str]:
    """The kind of file these bytes are, by their content; None when not an allowed kind."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04") and data is not None:
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> Optional[str]:
    """docx / xlsx are zip packages with a content-types part and their main part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_UNPACKED:
                return None  # a zip bomb is not a document
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def safe_original_name(name: str) -> str:
    """The user's file name without any path, control characters or quotes (kept for display only)."""
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name[:255] or "file"


def check_upload(data: bytes, filename: str, allowed=EVIDENCE_KINDS, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the file's kind, or raise UploadError saying why it is refused."""
    if not data:
        raise UploadError(_l("The file is empty."))
    if len(data) > max_bytes:
        raise UploadError(_l("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    kind = sniff(data[:16], data)
    allowed_text = ", ".join(allowed)
    if kind is None or kind not in allowed:
        raise UploadError(_l("This file type is not accepted. Allowed: %(kinds)s (checked by the file's "
                             "content, not its name).", kinds=allowed_text))
    extension = Path(safe_original_name(filename)).suffix.lower()
    if extension not in KINDS[kind][1]:
        raise UploadError(_l("The file name does not match its content (%(kind)s). Rename it with the right "
                             "extension.", kind=kind))
    return kind


class FileStore:
    """Files under one directory (outside the static folder), named by random tokens."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, stored_name: str) -> Path:
        if not stored_name or not all(c.isalnum() or c in "-_" for c in stored_name):
            raise UploadError(_l("Unknown file."))
        return self.root / stored_name[:2] / stored_name

    def save(self, stream: BinaryIO | bytes, filename: str, allowed=EVIDENCE_KINDS,
             max_bytes: int = DEFAULT_MAX_BYTES) -> StoredFile:
        data = stream if isinstance(stream, bytes) else stream.read(max_bytes + 1)
        kind = check_upload(data, filename, allowed, max_bytes)
        stored_name = secrets.token_urlsafe(24)
        path = self._path(stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return StoredFile(stored_name, safe_original_name(filename), kind, KINDS[kind][0], len(data),
                          hashlib.sha256(data).hexdigest())

    def open(self, stored_name: str) -> BinaryIO:
        path = self._path(stored_name)
        if not path.is_file():
            raise UploadError(_l("Unknown file."))
        return open(path, "rb")

    def delete(self, stored_name: str) -> None:
        try:
            self._path(stored_name).unlink()
        except FileNotFoundError:
            pass


def send_stored(store: FileStore, stored: StoredFile | object):
    """A download response: always an attachment, never rendered inline, with the detected type."""
    from flask import send_file

    response = send_file(store.open(stored.stored_name), mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
