"""`flask portal backup`, `flask portal restore` and `flask portal verify-backup`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app

from app.cli import portal
from app.maintenance import backup as core


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _backup_dir() -> Path:
    import config

    folder = current_app.config.get("BACKUP_DIR") or os.environ.get("BACKUP_DIR")
    return Path(folder) if folder else config.INSTANCE_DIR / "backups"


def _out_path(out: str | None) -> Path:
    if not out:
        return _backup_dir() / core.default_archive_name()
    path = Path(out)
    if out.endswith(("/", "\\")) or path.is_dir():
        return path / core.default_archive_name()
    return path


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).absolute()


def _describe(manifest: dict) -> str:
    tables = manifest.get("tables", {})
    rows = sum(t["rows"] for t in tables.values())
    database = manifest["database"]
    return (f"made {manifest.get('created_at')} on {manifest.get('host', '?')}: "
            f"{core.DIALECT_LABELS.get(database['dialect'], database['dialect'])} database, "
            f"schema revision {manifest.get('alembic_revision') or '-'}, {len(tables)} tables, {rows} rows, "
            f"{len(manifest.get('uploads', []))} uploaded files")


def _check_revision(manifest: dict) -> str | None:
    """Refuse an archive whose schema revision this code does not know; a note when it is not the head."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    revision = manifest.get("alembic_revision")
    if not revision:
        return None
    script = ScriptDirectory(str(current_app.config["MIGRATIONS_DIR"]))
    for rev in revision.split(","):
        try:
            if script.get_revision(rev) is None:
                raise CommandError(rev)
        except CommandError:
            raise core.IncompatibleArchiveError(
                f"the archive's schema revision {rev} is unknown to this version of the portal (made by a newer "
                f"release?): install the matching portal version first") from None
    if set(revision.split(",")) != set(script.get_heads()):
        return (f"the backup is at schema revision {revision}, this portal at {','.join(script.get_heads())}: "
                f"run `flask db upgrade` after the restore")
    return None


@portal.command("backup")
@click.option("--out", "out", metavar="PATH",
              help="Archive file to write, or a folder for a timestamped name "
                   "(default: $BACKUP_DIR or instance/backups/).")
def backup_command(out):
    """Back up the database (online) and the uploaded files into one .tar.gz archive."""
    from app.extensions import db

    path = _out_path(out)
    try:
        result = core.create_backup(db.engine, _upload_dir(), path)
    except core.BackupError as exc:
        raise click.ClickException(f"backup failed: {exc}") from exc
    for warning in result.manifest.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"backup written: {result.path} ({_size(result.size)})")
    click.echo(f"  {_describe(result.manifest)}")


@portal.command("verify-backup")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def verify_backup_command(archive):
    """Check a backup archive (format, manifest, every checksum) without restoring it."""
    try:
        with core.verify_archive(archive, staging_parent=_upload_dir().parent) as staged:
            click.echo(f"archive OK: {archive}")
            click.echo(f"  {_describe(staged.manifest)}")
    except core.BackupError as exc:
        raise click.ClickException(f"archive refused: {exc}") from exc


@portal.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (scripts, CI).")
def restore_command(archive, yes):
    """Replace the database and the uploaded files with the content of a backup archive.

    Stop the portal (web server and workers) first. The archive is checked completely before anything is
    changed, and the result is compared with the archive's manifest afterwards."""
    from app.extensions import db

    upload_dir = _upload_dir()
    url = db.engine.url.render_as_string(hide_password=True)
    try:
        with core.verify_archive(archive, staging_parent=upload_dir.parent) as staged:
            core.check_compatible(staged.manifest, db.engine.dialect.name)
            note = _check_revision(staged.manifest)
            click.echo(f"archive OK: {archive}")
            click.echo(f"  {_describe(staged.manifest)}")
            if not yes:
                if not sys.stdin.isatty():
                    raise click.ClickException("restore needs a confirmation: no terminal to ask on, so pass "
                                               "--yes to confirm that all current data may be replaced")
                click.confirm(f"This REPLACES all data of {url} and every file in {upload_dir}. Continue?",
                              abort=True)
            db.session.remove()
            result = core.restore_staged(staged, db.engine, upload_dir)
    except core.ArchiveError as exc:
        raise click.ClickException(f"restore refused, nothing was changed: {exc}") from exc
    except core.BackupError as exc:
        raise click.ClickException(f"restore failed: {exc}") from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"restore complete: {len(result.tables)} tables, {result.row_count} rows and "
               f"{len(result.uploads)} uploaded files match the backup manifest")
    if note:
        click.echo(f"note: {note}")
