"""Account commands (bulk creation) added to the `flask portal` group."""
from __future__ import annotations

import csv
import os

import click
from flask import current_app, g
from sqlalchemy import select

from app.cli import portal
from app.core.export import safe_cell


@portal.command("create-accounts")
@click.option("--unit", "unit_code", help="Code of a unit: its employees and those of every unit below it.")
@click.option("--all", "all_employees", is_flag=True, help="Every active employee without an account.")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="CSV file (NIP,name,password) to write; created with mode 0600, never overwritten.")
def create_accounts_command(unit_code, all_employees, out):
    """Create accounts (user name = NIP, random password) for active employees without one.

    The passwords are written only to the --out file (readable by its owner only); hand them over
    and delete the file.
    """
    from app.accounts.services import create_accounts, employees_without_account
    from app.organisation.models import Unit

    if bool(unit_code) == bool(all_employees):
        raise click.UsageError("give either --unit CODE or --all")
    g.actor = "cli:create-accounts"
    sm = current_app.appbuilder.sm
    session = sm.session
    unit_id = None
    if unit_code:
        unit_id = session.execute(select(Unit.id).where(Unit.code == unit_code)).scalar()
        if unit_id is None:
            raise click.ClickException(f"no unit with code {unit_code}")
    ids = employees_without_account(session, unit_id)
    if not ids:
        click.echo("no active employee without an account: nothing to do")
        return
    # Open the file first (exclusive, 0600) so that no account is created when it cannot be written.
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{out} already exists; choose a new file name") from None
    except OSError as exc:
        raise click.ClickException(f"cannot create {out}: {exc.strerror}") from None
    try:
        created = create_accounts(sm, ids)
    except Exception:
        os.close(fd)
        os.unlink(out)
        raise
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["NIP", "name", "password"])
        for employee, username, password in created:
            writer.writerow([username, safe_cell(employee.full_name), password])
    click.echo(f"accounts created: {len(created)}; skipped: {len(created.skipped)}; passwords written to {out}")
    for employee, reason in created.skipped:
        click.echo(f"skipped {employee.nip}: {reason}")
