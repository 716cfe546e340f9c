"""Online backup and verified restore of the portal's database and uploaded files.

An archive is one ``.tar.gz`` holding:

- ``database/portal.sqlite3`` — a consistent copy made with SQLite's online backup API
  (``sqlite3.Connection.backup``) while the portal may keep writing, or
  ``database/portal.pgdump`` — ``pg_dump --format=custom --no-owner --no-privileges`` run on a snapshot
  exported by the same transaction that computes the checksums below;
- ``uploads/…`` — every regular file of the upload folder;
- ``manifest.json`` (written last) — format name and version, application name, creation time, database
  dialect, Alembic revision, per-table row count and content checksum, and the size and sha256 of every
  other member.

Restore never touches the database before the whole archive has been read and checked: a file that is not
a ``.tar.gz``, a missing or foreign manifest, an unsafe member path (absolute, ``..``, links, devices),
a member missing, unlisted or with a wrong checksum, or a dialect that differs from the target's, are all
refused. Then SQLite is replaced atomically (temp file + ``os.replace``) and PostgreSQL is restored with
``pg_restore --clean --if-exists --no-owner --single-transaction``; the upload folder is swapped with a
staged copy; finally row counts and checksums are recomputed and compared with the manifest.

This module imports no Flask: functions take a SQLAlchemy URL or engine and the upload folder.
Passwords are handed to the PostgreSQL tools through ``PGPASSWORD`` in their environment, never on the
command line.
"""
from __future__ import annotations

import datetime as dt
import decimal
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

FORMAT = "e-kinerja-backup"
FORMAT_VERSION = 1
APP_NAME = "e-kinerja-palembang"
CHECKSUM_ALGORITHM = "sha256-rows-v1"
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
UPLOADS_DIR = "uploads"
DUMP_NAMES = {"sqlite": "portal.sqlite3", "postgresql": "portal.pgdump"}
DIALECT_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1024 * 1024


# --- errors -----------------------------------------------------------------------------------

class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for an operator."""


class ArchiveError(BackupError):
    """The archive was refused before anything was changed."""


class ForeignArchiveError(ArchiveError):
    """The file is not an e-Kinerja backup archive (another format or another application)."""


class DamagedArchiveError(ArchiveError):
    """The archive is truncated, corrupted or was altered after it was written."""


class IncompatibleArchiveError(ArchiveError):
    """The archive is sound but cannot be restored into this target (other database engine, newer format)."""


class RestoreError(BackupError):
    """The restore itself failed, or its result does not match the manifest."""


# --- results ----------------------------------------------------------------------------------

@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size: int

    @property
    def row_count(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"].values())


@dataclass
class RestoreResult:
    manifest: dict
    tables: dict
    uploads: list
    warnings: list = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(t["rows"] for t in self.tables.values())


# --- content checksums ------------------------------------------------------------------------

def _normalise(value):
    """A JSON value that is the same for the same data read from SQLite or PostgreSQL."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, decimal.Decimal):
        return ["d", format(value.normalize(), "f")] if value.is_finite() else ["d", str(value)]
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return ["dt", value.isoformat(sep=" ", timespec="microseconds")]
    if isinstance(value, dt.date):
        return ["date", value.isoformat()]
    if isinstance(value, dt.time):
        return ["time", value.replace(tzinfo=None).isoformat(timespec="microseconds")]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ["b", bytes(value).hex()]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        return ["j", json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)]
    return ["r", str(value)]


def _order_key(column, dialect: str):
    expr = column
    if dialect == "postgresql" and isinstance(column.type, sa.String):
        expr = column.collate("C")  # byte order, like SQLite's BINARY collation
    if column.nullable:
        expr = expr.nulls_first()  # the two engines disagree on the default
    return expr


def table_checksums(bind) -> dict:
    """``{table: {"rows": n, "sha256": hex}}`` for every table of the database.

    Rows are read ordered by primary key (all columns when there is none; strings in byte order), columns
    sorted by name, values normalised (dates, times, decimals, booleans, bytes) so that the same data gives
    the same checksum on SQLite and on PostgreSQL. ``bind``: an Engine or a Connection (whose transaction,
    e.g. a snapshot, is used as is)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return _table_checksums(conn)
    return _table_checksums(bind)


def _table_checksums(conn: Connection) -> dict:
    dialect = conn.dialect.name
    metadata = sa.MetaData()
    metadata.reflect(bind=conn)
    result = {}
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        columns = sorted(table.columns, key=lambda c: c.name)
        keys = list(table.primary_key.columns) or columns
        digest = hashlib.sha256()
        digest.update(json.dumps([c.name for c in columns]).encode() + b"\n")
        rows = 0
        query = sa.select(*columns).order_by(*(_order_key(c, dialect) for c in keys))
        for row in conn.execution_options(yield_per=2000).execute(query):
            line = json.dumps([_normalise(v) for v in row], ensure_ascii=False, separators=(",", ":"))
            digest.update(line.encode() + b"\n")
            rows += 1
        result[name] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def compare_tables(expected: dict, actual: dict) -> list[str]:
    """Differences between two ``table_checksums`` results, as readable lines (empty: identical)."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None:
            problems.append(f"table {name}: present in the database but not in the backup")
        elif got is None:
            problems.append(f"table {name}: in the backup but missing from the database")
        elif want["rows"] != got["rows"]:
            problems.append(f"table {name}: {got['rows']} rows, the backup has {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"table {name}: content checksum differs from the backup")
    return problems


def alembic_revision(bind) -> str | None:
    """The schema revision in ``alembic_version`` (heads joined by ``,``), or None without that table."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return alembic_revision(conn)
    if not sa.inspect(bind).has_table("alembic_version"):
        return None
    revisions = bind.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY version_num")).scalars()
    return ",".join(revisions) or None


# --- small helpers ----------------------------------------------------------------------------

def _engine(database) -> tuple[Engine, bool]:
    """(engine, owned): an Engine is used as is; a URL gets a throw-away engine disposed by the caller."""
    if isinstance(database, Engine):
        return database, False
    return sa.create_engine(database, poolclass=NullPool), True


def _sqlite_path(url: sa.engine.URL) -> Path:
    name = url.database
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    if name.startswith("file:"):
        name = name[len("file:"):].split("?", 1)[0]
    return Path(name).absolute()


def _file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def scan_uploads(upload_dir) -> tuple[list[dict], list[str]]:
    """The regular files under ``upload_dir`` as ``[{"path": "uploads/…", "sha256", "size"}]`` sorted by
    path, and warnings for what is skipped (symbolic links, special files)."""
    root = Path(upload_dir)
    files, warnings = [], []
    if not root.exists():
        return files, warnings
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for d in list(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):
                warnings.append(f"skipped symbolic link {os.path.join(dirpath, d)}")
                dirnames.remove(d)
        for name in filenames:
            full = Path(dirpath, name)
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() or not full.is_file():
                warnings.append(f"skipped {full} (not a regular file)")
                continue
            sha, size = _file_sha256(full)
            files.append({"path": f"{UPLOADS_DIR}/{rel}", "sha256": sha, "size": size})
    files.sort(key=lambda f: f["path"])
    return files, warnings


class _HashingReader:
    """File wrapper hashing exactly the bytes tarfile copies into the archive."""

    def __init__(self, fh):
        self._fh = fh
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        data = self._fh.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _tarinfo(name: str, size: int, mtime: float, mode: int = 0o644) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = mode
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        reader = _HashingReader(fh)
        try:
            tar.addfile(_tarinfo(name, st.st_size, st.st_mtime, (st.st_mode & 0o755) | 0o600), reader)
        except OSError as exc:  # the file shrank while it was being read
            raise BackupError(f"{path} changed while it was being archived ({exc}); run the backup again") \
                from exc
    return {"path": name, "sha256": reader.digest.hexdigest(), "size": reader.size}


# --- backup -----------------------------------------------------------------------------------

def _dump_sqlite(engine: Engine, work: Path) -> tuple[Path, dict, str | None, str]:
    source_path = _sqlite_path(engine.url)
    if not source_path.is_file():
        raise BackupError(f"the SQLite database {source_path} does not exist")
    copy = work / DUMP_NAMES["sqlite"]
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(copy)
    try:
        # One step: the copy is a consistent snapshot even while the portal keeps writing.
        source.backup(target)
    finally:
        target.close()
        source.close()
    tables, revision = _sqlite_file_contents(copy)
    return copy, tables, revision, sqlite3.sqlite_version


def _sqlite_file_contents(path: Path) -> tuple[dict, str | None]:
    """Checksums and revision of a standalone SQLite file, left in rollback-journal mode and checked."""
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            tables = _table_checksums(conn)
            revision = alembic_revision(conn)
    except sa.exc.DatabaseError as exc:
        raise BackupError(f"the SQLite database file cannot be read ({exc.orig})") from exc
    finally:
        engine.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # self-contained file, no -wal/-shm companions
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the SQLite database file is damaged ({exc})") from exc
    finally:
        conn.close()
    if status != "ok":
        raise BackupError(f"the SQLite database file fails its integrity check: {status}")
    return tables, revision


_PG_QUERY_ENV = {
    "host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS", "target_session_attrs": "PGTARGETSESSIONATTRS", "service": "PGSERVICE",
}


def pg_environment(url: sa.engine.URL, base: dict | None = None) -> dict:
    """Environment for pg_dump/pg_restore/psql connecting to ``url``; the password goes in PGPASSWORD."""
    env = dict(os.environ if base is None else base)
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE"):
        env.pop(key, None)
    if url.host:
        env["PGHOST"] = url.host
    if url.port:
        env["PGPORT"] = str(url.port)
    if url.username:
        env["PGUSER"] = url.username
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    if url.database:
        env["PGDATABASE"] = url.database
    for key, value in url.query.items():
        if key in _PG_QUERY_ENV:
            env[_PG_QUERY_ENV[key]] = value if isinstance(value, str) else value[0]
    env.setdefault("PGAPPNAME", "e-kinerja-backup")
    return env


def _run_tool(cmd: list[str], env: dict, what: str, error=BackupError) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{cmd[0]} was not found: install the PostgreSQL client tools (the server's major "
                          f"version or newer) or put them on PATH") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise error(f"{what} failed (exit code {proc.returncode}): {detail}")
    return proc


def _dump_postgresql(engine: Engine, work: Path, pg_dump: str) -> tuple[Path, dict, str | None, str]:
    dump = work / DUMP_NAMES["postgresql"]
    env = pg_environment(engine.url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            # pg_dump reads the very snapshot in which the checksums are computed: they agree even while
            # the portal keeps writing.
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
            _run_tool([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                       f"--file={dump}"], env, "pg_dump")
            tables = _table_checksums(conn)
            revision = alembic_revision(conn)
    return dump, tables, revision, version


def default_archive_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"ekinerja-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"


def create_backup(database, upload_dir, out_path, *, pg_dump: str = "pg_dump") -> BackupResult:
    """Write a backup archive of ``database`` (URL or Engine) and ``upload_dir`` to ``out_path``.

    The archive appears atomically (written to a temporary file beside it, then renamed) with mode 0600:
    it holds password hashes and personal data."""
    engine, owned = _engine(database)
    out_path = Path(out_path).absolute()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    created_at = dt.datetime.now(dt.timezone.utc)
    part = None
    try:
        with tempfile.TemporaryDirectory(prefix=".ekinerja-backup-", dir=out_path.parent) as tmp:
            work = Path(tmp)
            if dialect == "sqlite":
                dump, tables, revision, version = _dump_sqlite(engine, work)
            elif dialect == "postgresql":
                dump, tables, revision, version = _dump_postgresql(engine, work, pg_dump)
            else:
                raise BackupError(f"backups of {dialect} databases are not supported (SQLite or PostgreSQL only)")
            fd, part_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent)
            part = Path(part_name)
            os.fchmod(fd, 0o600)
            warnings: list[str] = []
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                    db_entry = _add_file(tar, dump, f"{DATABASE_DIR}/{dump.name}")
                    uploads = _archive_uploads(tar, Path(upload_dir), warnings)
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "app": APP_NAME,
                        "created_at": created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
                        "host": socket.gethostname(),
                        "alembic_revision": revision,
                        "database": {"dialect": dialect, "server_version": version, **db_entry},
                        "checksum_algorithm": CHECKSUM_ALGORITHM,
                        "tables": tables,
                        "uploads": uploads,
                    }
                    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                    info = _tarinfo(MANIFEST, len(data), time.time())
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(part, out_path)
            part = None
            _fsync_dir(out_path.parent)
    finally:
        if part is not None:
            part.unlink(missing_ok=True)
        if owned:
            engine.dispose()
    manifest["warnings"] = warnings
    return BackupResult(out_path, manifest, out_path.stat().st_size)


def _archive_uploads(tar: tarfile.TarFile, root: Path, warnings: list) -> list[dict]:
    entries = []
    if not root.exists():
        return entries
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for d in list(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):
                warnings.append(f"skipped symbolic link {os.path.join(dirpath, d)}")
                dirnames.remove(d)
        for name in sorted(filenames):
            full = Path(dirpath, name)
            if full.is_symlink() or not full.is_file():
                warnings.append(f"skipped {full} (not a regular file)")
                continue
            try:
                entries.append(_add_file(tar, full, f"{UPLOADS_DIR}/{full.relative_to(root).as_posix()}"))
            except FileNotFoundError:
                warnings.append(f"skipped {full} (deleted during the backup)")
    entries.sort(key=lambda e: e["path"])
    return entries


# --- reading and checking an archive ----------------------------------------------------------

_NOT_OURS = "not an e-Kinerja Kota Palembang backup archive"


def _member_name(raw: str) -> str:
    """The normalised member path, or a refusal for absolute paths, ``..`` and other tricks."""
    if not raw or "\x00" in raw or "\\" in raw or raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
        raise DamagedArchiveError(f"refusing unsafe path in the archive: {raw!r}")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise DamagedArchiveError(f"refusing unsafe path in the archive: {raw!r}")
    return "/".join(parts)


@dataclass
class StagedArchive:
    """An archive extracted into a private staging folder and checked against its manifest."""

    archive: Path
    root: Path
    manifest: dict

    @property
    def dialect(self) -> str:
        return self.manifest["database"]["dialect"]

    @property
    def database_file(self) -> Path:
        return self.root.joinpath(*self.manifest["database"]["path"].split("/"))

    @property
    def uploads_dir(self) -> Path:
        return self.root / UPLOADS_DIR

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def verify_archive(archive, staging_parent=None) -> StagedArchive:
    """Extract ``archive`` into a new folder under ``staging_parent`` and check it completely.

    Raises ForeignArchiveError (not a tar.gz, no manifest, another application or format),
    DamagedArchiveError (truncated, corrupted, unsafe paths, missing/extra members, checksum mismatch) or
    IncompatibleArchiveError (newer format). Use the result as a context manager: the staging folder is
    removed on exit."""
    archive = Path(archive)
    if not archive.is_file():
        raise ArchiveError(f"{archive}: no such file")
    with open(archive, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b":
        raise ForeignArchiveError(f"{archive.name} is not a .tar.gz file: {_NOT_OURS}")
    parent = Path(staging_parent) if staging_parent else archive.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=".ekinerja-restore-", dir=parent))
    try:
        members = _extract(archive, root)
        manifest = _check_manifest(root, members)
        return StagedArchive(archive, root, manifest)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _check_gzip(archive: Path) -> None:
    """Read the whole compressed stream: truncation and corruption show up here (CRC, length, zlib),
    where tarfile would silently take a damaged header for the end of the archive."""
    try:
        with gzip.open(archive, "rb") as stream:
            while stream.read(_CHUNK):
                pass
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DamagedArchiveError(f"{archive.name} is damaged or truncated ({exc})") from exc


def _extract(archive: Path, root: Path) -> dict:
    _check_gzip(archive)
    members: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                name = _member_name(member.name)
                top = name.split("/", 1)[0]
                if name != MANIFEST and top not in (DATABASE_DIR, UPLOADS_DIR):
                    raise ForeignArchiveError(f"{archive.name} has an unexpected member {name!r}: {_NOT_OURS}")
                if member.isdir():
                    continue
                if not member.isreg():
                    raise DamagedArchiveError(f"refusing {name!r} in the archive: links and special files "
                                              f"are not allowed")
                if name in members:
                    raise DamagedArchiveError(f"the archive holds {name!r} twice")
                dest = root.joinpath(*name.split("/"))
                try:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    out = open(dest, "xb")
                except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
                    raise DamagedArchiveError(f"the archive has conflicting paths at {name!r}") from exc
                digest, size = hashlib.sha256(), 0
                with out, tar.extractfile(member) as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                os.chmod(dest, (member.mode & 0o755) | 0o600)
                os.utime(dest, (member.mtime, member.mtime))
                members[name] = (digest.hexdigest(), size)
    except tarfile.ReadError as exc:
        if not members:  # a sound gzip stream that holds no tar archive
            raise ForeignArchiveError(f"{archive.name} is not a tar archive ({exc}): {_NOT_OURS}") from exc
        raise DamagedArchiveError(f"{archive.name} is damaged ({exc})") from exc
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DamagedArchiveError(f"{archive.name} is damaged or truncated ({exc})") from exc
    return members


def _check_manifest(root: Path, members: dict) -> dict:
    if MANIFEST not in members and members:
        raise DamagedArchiveError(f"the archive has no {MANIFEST} although it holds backup members: it is "
                                  f"incomplete or damaged")
    if MANIFEST not in members:
        raise ForeignArchiveError(f"the archive has no {MANIFEST}: {_NOT_OURS}")
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedArchiveError(f"{MANIFEST} is not valid JSON: the archive is damaged ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("app") != APP_NAME:
        app = manifest.get("app") if isinstance(manifest, dict) else None
        fmt = manifest.get("format") if isinstance(manifest, dict) else None
        raise ForeignArchiveError(f"the archive was made by another application (app {app!r}, format {fmt!r}): "
                                  f"{_NOT_OURS}")
    version = manifest.get("format_version")
    if not isinstance(version, int):
        raise DamagedArchiveError(f"{MANIFEST} has no format_version: the archive is damaged")
    if version > FORMAT_VERSION:
        raise IncompatibleArchiveError(f"the archive has format version {version}, newer than this portal "
                                       f"understands ({FORMAT_VERSION}): upgrade the portal first")
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("dialect") not in DUMP_NAMES or \
            not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("uploads"), list):
        raise DamagedArchiveError(f"{MANIFEST} is incomplete: the archive is damaged")

    expected: dict[str, dict] = {}
    for entry in [database, *manifest["uploads"]]:
        if not isinstance(entry, dict) or not {"path", "sha256", "size"} <= set(entry):
            raise DamagedArchiveError(f"{MANIFEST} is incomplete: the archive is damaged")
        path = _member_name(entry["path"])
        top = DATABASE_DIR if entry is database else UPLOADS_DIR
        if not path.startswith(top + "/"):
            raise DamagedArchiveError(f"{MANIFEST} lists {path!r} outside {top}/: the archive is damaged")
        expected[path] = entry
    missing = sorted(set(expected) - set(members))
    if missing:
        raise DamagedArchiveError(f"the archive is damaged or incomplete: missing {', '.join(missing[:5])}"
                                  + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
    extra = sorted(set(members) - set(expected) - {MANIFEST})
    if extra:
        raise DamagedArchiveError(f"the archive was altered: {', '.join(extra[:5])} not listed in {MANIFEST}")
    for path, entry in sorted(expected.items()):
        sha, size = members[path]
        if size != entry["size"] or sha != entry["sha256"]:
            raise DamagedArchiveError(f"checksum mismatch for {path}: the archive is damaged or was altered")
    return manifest


def check_compatible(manifest: dict, dialect: str) -> None:
    """Refuse to restore an archive of one database engine into another."""
    source = manifest["database"]["dialect"]
    if source != dialect:
        raise IncompatibleArchiveError(
            f"this archive holds a {DIALECT_LABELS.get(source, source)} database but the target database is "
            f"{DIALECT_LABELS.get(dialect, dialect)}: restoring across database engines is not supported. "
            f"Restore it into a {DIALECT_LABELS.get(source, source)} database (DATABASE_URL), then migrate "
            f"the data separately.")


# --- restore ----------------------------------------------------------------------------------

def restore_backup(archive, database, upload_dir, *, pg_restore: str = "pg_restore",
                   lock_timeout: str = "60s") -> RestoreResult:
    """Check ``archive`` completely, then replace the database and the upload folder with its content."""
    upload_dir = Path(upload_dir).absolute()
    with verify_archive(archive, staging_parent=upload_dir.parent) as staged:
        return restore_staged(staged, database, upload_dir, pg_restore=pg_restore, lock_timeout=lock_timeout)


def restore_staged(staged: StagedArchive, database, upload_dir, *, pg_restore: str = "pg_restore",
                   lock_timeout: str = "60s") -> RestoreResult:
    """Restore a verified archive. Every session of the target database must be closed first (an Engine
    passed in is disposed here; Flask-SQLAlchemy users call ``db.session.remove()`` before)."""
    engine, owned = _engine(database)
    upload_dir = Path(upload_dir).absolute()
    manifest = staged.manifest
    warnings: list[str] = []
    try:
        dialect = engine.dialect.name
        check_compatible(manifest, dialect)
        if dialect == "sqlite":
            _restore_sqlite(staged, engine)
        else:
            _restore_postgresql(staged, engine, pg_restore, lock_timeout)
        _swap_uploads(staged, upload_dir, warnings)

        tables = table_checksums(engine)
        problems = compare_tables(manifest["tables"], tables)
        uploads, skipped = scan_uploads(upload_dir)
        warnings.extend(skipped)
        want = {u["path"]: u["sha256"] for u in manifest["uploads"]}
        got = {u["path"]: u["sha256"] for u in uploads}
        for path in sorted(set(want) | set(got)):
            if want.get(path) != got.get(path):
                problems.append(f"uploaded file {path}: does not match the backup")
        if problems:
            raise RestoreError("the restored data does not match the backup manifest:\n  " + "\n  ".join(problems))
        return RestoreResult(manifest, tables, uploads, warnings)
    finally:
        if owned:
            engine.dispose()


def _restore_sqlite(staged: StagedArchive, engine: Engine) -> None:
    target = _sqlite_path(engine.url)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.restore-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(staged.database_file, tmp)
        if target.exists():
            shutil.copymode(target, tmp)
        # Check the content before anything is replaced.
        try:
            tables, _ = _sqlite_file_contents(tmp)
        except BackupError as exc:
            raise DamagedArchiveError(f"the database in the archive is damaged: {exc}") from exc
        problems = compare_tables(staged.manifest["tables"], tables)
        if problems:
            raise DamagedArchiveError("the database in the archive does not match its manifest:\n  "
                                      + "\n  ".join(problems))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())

        engine.dispose()
        if target.exists():
            # Fold the write-ahead log into the file; as the last connection, SQLite then removes -wal/-shm.
            conn = sqlite3.connect(target, timeout=30)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            for suffix in ("-wal", "-journal"):
                if Path(f"{target}{suffix}").exists():
                    raise RestoreError(f"the database {target} is still in use by another process "
                                       f"({target.name}{suffix} exists): stop the portal (web server, workers) "
                                       f"and run the restore again")
        os.replace(tmp, target)
        tmp = None
        Path(f"{target}-shm").unlink(missing_ok=True)
        _fsync_dir(target.parent)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _restore_postgresql(staged: StagedArchive, engine: Engine, pg_restore: str, lock_timeout: str) -> None:
    env = pg_environment(engine.url)
    dump = str(staged.database_file)
    # The dump must be readable by this pg_restore before anything is dropped.
    _run_tool([pg_restore, "--list", dump], env, "pg_restore --list (reading the dump)", IncompatibleArchiveError)
    with engine.connect() as conn:
        existing = set(sa.inspect(conn).get_table_names())
    extra = sorted(existing - set(staged.manifest["tables"]))
    if extra:
        raise IncompatibleArchiveError(
            f"the target database has tables that are not in the backup ({', '.join(extra)}): restore into an "
            f"empty database or one at the backup's schema revision ({staged.manifest.get('alembic_revision')})")
    engine.dispose()
    options = env.get("PGOPTIONS", "")
    env["PGOPTIONS"] = f"{options} -c lock_timeout={lock_timeout}".strip()  # fail instead of waiting forever
    _run_tool([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
               "--exit-on-error", f"--dbname={env.get('PGDATABASE', '')}", dump], env, "pg_restore", RestoreError)


def _swap_uploads(staged: StagedArchive, upload_dir: Path, warnings: list) -> None:
    new = staged.uploads_dir
    new.mkdir(exist_ok=True)
    if upload_dir.exists() and not upload_dir.is_dir():
        raise RestoreError(f"the upload folder {upload_dir} is not a folder")
    if upload_dir.exists():
        shutil.copymode(upload_dir, new)
    old = upload_dir.with_name(f".{upload_dir.name}.old-{secrets.token_hex(4)}")
    try:
        if upload_dir.exists():
            os.replace(upload_dir, old)
        try:
            os.replace(new, upload_dir)
        except OSError:
            if old.exists():
                os.replace(old, upload_dir)
            raise
    except OSError:
        # Not renamable (a mount point, another file system): replace the content instead.
        warnings.append(f"{upload_dir} could not be swapped atomically; its content was replaced in place")
        upload_dir.mkdir(parents=True, exist_ok=True)
        for child in upload_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for child in new.iterdir():
            shutil.move(str(child), str(upload_dir / child.name))
        return
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(upload_dir.parent)
