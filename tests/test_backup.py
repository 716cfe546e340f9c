"""Online backup and restore (`flask portal backup` / `flask portal restore`), on SQLite or — with
TEST_DATABASE_URL — PostgreSQL.

- round trip: the `org` city plus uploaded files → backup → rows deleted, a name edited, a file deleted and
  one added → restore → row counts and checksums equal the manifest and the original content is back;
- a backup taken while another connection keeps inserting is consistent (its manifest matches its dump);
- refusals, each with a clear message and with the database and the upload folder untouched: a damaged
  archive (bytes flipped in the dump member, bytes flipped in the compressed file, a truncated file), a
  foreign archive (a tar.gz without our manifest, one from another application, a file that is not a
  tar.gz), unsafe member paths, an archive of the other database engine, an unknown schema revision, a
  manifest that does not match its dump, and a restore without --yes and without a terminal.
"""
from __future__ import annotations

import io
import json
import shutil
import tarfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.maintenance import backup as core

FILES = {
    "kinerja/2025/bukti-dukung-01.pdf": b"%PDF-1.4 bukti dukung SKP triwulan I\n" + bytes(range(256)) * 40,
    "foto/ahmad-fauzi.jpg": b"\xff\xd8\xff\xe0 foto pegawai" + b"\x00\x01" * 500,
    "catatan.txt": "Evaluasi kinerja — Dinas Kesehatan Kota Palembang\n".encode(),
}


@pytest.fixture
def upload_dir(app):
    """The app's upload folder holding FILES; emptied again after the test."""
    root = Path(app.config["UPLOAD_DIR"])
    _empty(root)
    for rel, data in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    yield root
    _empty(root)


def _empty(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _cli(app, db, *args):
    db.session.remove()  # the test's own session must not hold a connection (SQLite WAL, PostgreSQL locks)
    return app.test_cli_runner().invoke(args=["portal", *args], catch_exceptions=False)


def _state(db, upload_dir: Path):
    db.session.remove()
    files = {p.relative_to(upload_dir).as_posix(): p.read_bytes()
             for p in sorted(upload_dir.rglob("*")) if p.is_file()}
    return core.table_checksums(db.engine), files


def _read_members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isreg()}


def _write_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(archive: Path) -> dict:
    return json.loads(_read_members(archive)["manifest.json"])


def _with_manifest(archive: Path, out: Path, change) -> Path:
    members = _read_members(archive)
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    return _write_archive(out, members)


@pytest.fixture
def archive(app, db, org, upload_dir, tmp_path):
    result = _cli(app, db, "backup", "--out", str(tmp_path / "backup.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "backup written" in result.output
    return tmp_path / "backup.tar.gz"


def _no_staging_left(upload_dir: Path) -> None:
    prefixes = (".ekinerja-", f".{upload_dir.name}.")
    leftovers = [p.name for p in upload_dir.parent.iterdir() if p.name.startswith(prefixes)]
    assert leftovers == []


# --- round trip ---------------------------------------------------------------------------------

def test_backup_manifest_describes_database_and_uploads(app, db, archive, upload_dir):
    tables, files = _state(db, upload_dir)
    manifest = _manifest(archive)
    members = _read_members(archive)

    assert manifest["format"] == core.FORMAT and manifest["format_version"] == core.FORMAT_VERSION
    assert manifest["app"] == "e-kinerja-palembang"
    assert manifest["created_at"].endswith("Z")
    assert manifest["database"]["dialect"] == db.engine.dialect.name
    assert manifest["alembic_revision"] == core.alembic_revision(db.engine) is not None
    assert manifest["tables"] == tables
    assert manifest["tables"]["employee"]["rows"] == 9 and manifest["tables"]["unit"]["rows"] == 6
    assert manifest["database"]["path"] in members
    assert {u["path"] for u in manifest["uploads"]} == {f"uploads/{rel}" for rel in FILES}
    for entry in manifest["uploads"]:
        assert members[entry["path"]] == FILES[entry["path"][len("uploads/"):]]
    assert (archive.stat().st_mode & 0o777) == 0o600  # password hashes and personal data inside


def test_round_trip_restores_rows_checksums_and_files(app, db, org, archive, upload_dir):
    from app.organisation.models import Employee, Unit

    before_tables, before_files = _state(db, upload_dir)
    manifest = _manifest(archive)

    def employee(name):
        return db.session.query(Employee).filter_by(name=name).one_or_none()

    def unit(code):
        return db.session.query(Unit).filter_by(code=code).one()

    # Change everything a restore must undo.
    db.session.delete(employee("Yuni Kartika"))
    db.session.delete(employee("Rina Marlina"))
    unit("DINKES").name = "Dinas Kesehatan (diubah)"
    employee("Siti Aminah").name = "Nama Diubah"
    db.session.commit()
    (upload_dir / "foto/ahmad-fauzi.jpg").unlink()
    (upload_dir / "catatan.txt").write_bytes(b"ditimpa")
    (upload_dir / "baru.txt").write_bytes(b"file added after the backup")
    changed_tables, changed_files = _state(db, upload_dir)
    assert core.compare_tables(before_tables, changed_tables)
    assert changed_files != before_files

    result = _cli(app, db, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    assert "restore complete" in result.output and "match the backup manifest" in result.output

    after_tables, after_files = _state(db, upload_dir)
    assert after_tables == before_tables == manifest["tables"]
    assert after_files == before_files == FILES
    assert unit("DINKES").name == "Dinas Kesehatan"
    assert employee("Siti Aminah") is not None and employee("Nama Diubah") is None
    assert employee("Yuni Kartika").position.name == "Guru Ahli Pertama"
    assert employee("Rina Marlina").supervisor.name == "Rudi Hartono"
    assert db.session.query(Employee).count() == 9
    _no_staging_left(upload_dir)

    # The restored database is a normal, writable database (sequences/autoincrement included).
    db.session.add(Unit(code="BAPPEDA", name="Badan Perencanaan Pembangunan Daerah", unit_type="OPD",
                        parent_id=unit("PEMKOT").id, active=True))
    db.session.commit()


def test_core_restore_without_flask(app, db, org, upload_dir, tmp_path):
    """The core functions take a URL and a folder: no Flask needed."""
    url = db.engine.url.render_as_string(hide_password=False)
    before = _state(db, upload_dir)
    result = core.create_backup(url, upload_dir, tmp_path / "core.tar.gz")
    assert result.manifest["tables"] == before[0] and result.row_count > 0

    db.session.execute(sa.text("DELETE FROM ab_user_role"))
    db.session.commit()
    shutil.rmtree(upload_dir / "kinerja")
    db.session.remove()
    db.engine.dispose()

    restored = core.restore_backup(tmp_path / "core.tar.gz", url, upload_dir)
    assert restored.tables == before[0]
    assert _state(db, upload_dir) == before


def test_backup_while_writing_is_consistent(app, db, org, upload_dir, tmp_path):
    """Another connection keeps inserting during the backup: the manifest still matches the dump."""
    stop = threading.Event()
    written = []
    engine = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)

    def writer():
        n = 0
        while not stop.is_set() and n < 2000:
            with engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO ab_group (name) VALUES (:n)"), {"n": f"grup-{n}"})
            n += 1
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        result = _cli(app, db, "backup", "--out", str(tmp_path / "busy.tar.gz"))
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert result.exit_code == 0, result.output
    in_backup = _manifest(tmp_path / "busy.tar.gz")["tables"]["ab_group"]["rows"]
    assert 20 <= in_backup <= len(written)

    restore = _cli(app, db, "restore", str(tmp_path / "busy.tar.gz"), "--yes")  # verifies dump == manifest
    assert restore.exit_code == 0, restore.output
    assert db.session.execute(sa.text("SELECT count(*) FROM ab_group")).scalar() == in_backup


def test_verify_backup_command(app, db, archive):
    result = _cli(app, db, "verify-backup", str(archive))
    assert result.exit_code == 0, result.output
    assert "archive OK" in result.output and "uploaded files" in result.output


# --- refusals -----------------------------------------------------------------------------------

def _assert_refused(app, db, upload_dir, archive_path: Path, *messages: str, args=("--yes",)):
    before = _state(db, upload_dir)
    result = _cli(app, db, "restore", str(archive_path), *args)
    assert result.exit_code != 0, result.output
    for message in messages:
        assert message in result.output, result.output
    assert _state(db, upload_dir) == before, "a refused restore changed the database or the uploads"
    _no_staging_left(upload_dir)
    return result.output


def test_refuses_flipped_bytes_in_the_dump_member(app, db, archive, upload_dir, tmp_path):
    members = _read_members(archive)
    name = _manifest(archive)["database"]["path"]
    dump = bytearray(members[name])
    for offset in (len(dump) // 3, len(dump) // 2, len(dump) - 10):
        dump[offset] ^= 0xFF
    members[name] = bytes(dump)
    bad = _write_archive(tmp_path / "flipped.tar.gz", members)
    output = _assert_refused(app, db, upload_dir, bad, "restore refused, nothing was changed",
                             f"checksum mismatch for {name}", "damaged")
    assert "Traceback" not in output


def test_refuses_corrupted_and_truncated_files(app, db, archive, upload_dir, tmp_path):
    data = archive.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x55
    (tmp_path / "corrupt.tar.gz").write_bytes(bytes(flipped))
    _assert_refused(app, db, upload_dir, tmp_path / "corrupt.tar.gz", "damaged")

    (tmp_path / "truncated.tar.gz").write_bytes(data[: len(data) // 2])
    _assert_refused(app, db, upload_dir, tmp_path / "truncated.tar.gz", "damaged or truncated")

    (tmp_path / "empty.tar.gz").write_bytes(b"")
    _assert_refused(app, db, upload_dir, tmp_path / "empty.tar.gz", "not a .tar.gz file")


def test_refuses_a_member_altered_in_the_uploads(app, db, archive, upload_dir, tmp_path):
    members = _read_members(archive)
    members["uploads/catatan.txt"] = b"tampered"
    members["uploads/extra.txt"] = b"not in the manifest"
    bad = _write_archive(tmp_path / "altered.tar.gz", members)
    _assert_refused(app, db, upload_dir, bad, "not listed in manifest.json")
    del members["uploads/extra.txt"]
    _assert_refused(app, db, upload_dir, _write_archive(tmp_path / "altered2.tar.gz", members),
                    "checksum mismatch for uploads/catatan.txt")
    del members["uploads/catatan.txt"]
    _assert_refused(app, db, upload_dir, _write_archive(tmp_path / "missing.tar.gz", members),
                    "missing uploads/catatan.txt")


def test_refuses_foreign_archives(app, db, archive, upload_dir, tmp_path):
    other = _write_archive(tmp_path / "other.tar.gz", {"dump.sql": b"CREATE TABLE x (id int);",
                                                      "README": b"some other backup"})
    _assert_refused(app, db, upload_dir, other, "not an e-Kinerja Kota Palembang backup archive")

    foreign = _with_manifest(archive, tmp_path / "foreign.tar.gz", lambda m: m.update(app="simpeg-lain"))
    _assert_refused(app, db, upload_dir, foreign, "made by another application", "'simpeg-lain'",
                    "not an e-Kinerja Kota Palembang backup archive")

    other_format = _with_manifest(archive, tmp_path / "format.tar.gz", lambda m: m.update(format="x-backup"))
    _assert_refused(app, db, upload_dir, other_format, "made by another application")

    (tmp_path / "plain.txt").write_text("bukan arsip")
    _assert_refused(app, db, upload_dir, tmp_path / "plain.txt", "is not a .tar.gz file")

    gz_not_tar = tmp_path / "not-tar.tar.gz"
    import gzip

    gz_not_tar.write_bytes(gzip.compress(b"just text, no tar inside" * 100))
    _assert_refused(app, db, upload_dir, gz_not_tar, "not an e-Kinerja Kota Palembang backup archive")


def test_refuses_path_traversal_and_links(app, db, archive, upload_dir, tmp_path):
    members = _read_members(archive)
    for evil in ("../escaped.txt", "uploads/../../escaped.txt", "/tmp/escaped.txt"):
        bad = _write_archive(tmp_path / "evil.tar.gz", {**members, evil: b"owned"})
        _assert_refused(app, db, upload_dir, bad, "unsafe path")
        assert not (upload_dir.parent / "escaped.txt").exists()
        assert not (tmp_path.parent / "escaped.txt").exists()

    linked = tmp_path / "link.tar.gz"
    with tarfile.open(linked, "w:gz") as tar:
        info = tarfile.TarInfo("uploads/passwd")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    _assert_refused(app, db, upload_dir, linked, "links and special files are not allowed")


def test_refuses_other_database_engine(app, db, archive, upload_dir, tmp_path):
    here = db.engine.dialect.name
    other = "postgresql" if here == "sqlite" else "sqlite"
    bad = _with_manifest(archive, tmp_path / "engine.tar.gz", lambda m: m["database"].update(dialect=other))
    _assert_refused(app, db, upload_dir, bad, f"holds a {core.DIALECT_LABELS[other]} database",
                    f"the target database is {core.DIALECT_LABELS[here]}", "not supported")
    with pytest.raises(core.IncompatibleArchiveError, match="SQLite database but the target database is PostgreSQL"):
        core.check_compatible({"database": {"dialect": "sqlite"}}, "postgresql")


def test_refuses_unknown_schema_revision_and_newer_format(app, db, archive, upload_dir, tmp_path):
    bad = _with_manifest(archive, tmp_path / "rev.tar.gz", lambda m: m.update(alembic_revision="9999"))
    _assert_refused(app, db, upload_dir, bad, "schema revision 9999 is unknown")
    newer = _with_manifest(archive, tmp_path / "v99.tar.gz", lambda m: m.update(format_version=99))
    _assert_refused(app, db, upload_dir, newer, "format version 99", "upgrade the portal")


def test_manifest_not_matching_the_dump_fails_loudly(app, db, archive, upload_dir, tmp_path):
    def more_units(manifest):
        manifest["tables"]["unit"]["rows"] += 1

    bad = _with_manifest(archive, tmp_path / "counts.tar.gz", more_units)
    before = _state(db, upload_dir)
    result = _cli(app, db, "restore", str(bad), "--yes")
    assert result.exit_code != 0
    assert "table unit: 6 rows, the backup has 7" in result.output
    # SQLite is checked before the swap; PostgreSQL after pg_restore, which brought back the same data.
    assert _state(db, upload_dir) == before
    _no_staging_left(upload_dir)


def test_restore_needs_confirmation(app, db, archive, upload_dir):
    output = _assert_refused(app, db, upload_dir, archive, "pass --yes", args=())
    assert "restore complete" not in output
    missing = _cli(app, db, "restore", str(upload_dir / "nope.tar.gz"), "--yes")
    assert missing.exit_code != 0 and "no such file" in missing.output


def test_checksums_normalise_values():
    import datetime as dt
    import decimal

    assert core._normalise(True) is True and core._normalise(1) == 1
    assert core._normalise(dt.datetime(2025, 1, 2, 3, 4, 5)) == ["dt", "2025-01-02 03:04:05.000000"]
    aware = dt.datetime(2025, 1, 2, 10, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # WIB
    assert core._normalise(aware) == ["dt", "2025-01-02 03:04:05.000000"]
    assert core._normalise(dt.date(2025, 1, 2)) == ["date", "2025-01-02"]
    assert core._normalise(decimal.Decimal("12.500")) == core._normalise(decimal.Decimal("12.5"))
    assert core._normalise(memoryview(b"\x01\x02")) == core._normalise(b"\x01\x02") == ["b", "0102"]
