"""`flask portal …` commands: roles, admin account, passwords, unlock. Other areas add their own
sub-commands to the same group (demo data, bulk accounts, benchmark data)."""
from __future__ import annotations

import click
from flask import current_app, g
from flask.cli import AppGroup

portal = AppGroup("portal", help="Palembang performance portal commands.")


def _sm():
    return current_app.appbuilder.sm


def _check_password(password: str) -> None:
    from app.security.passwords import password_problems

    problems = password_problems(password)
    if problems:
        raise click.BadParameter("; ".join(str(p) for p in problems), param_hint="password")


@portal.command("sync-roles")
def sync_roles_command():
    """Create the portal's roles and give each employee account the roles its record implies."""
    from app.accounts.services import sync_roles

    g.actor = "cli:sync-roles"
    created, changed = sync_roles(current_app.appbuilder.sm)
    click.echo(f"roles created: {created}; accounts updated: {changed}")


@portal.command("create-admin")
@click.option("--username", required=True)
@click.option("--firstname", default="Admin")
@click.option("--lastname", default="Portal")
@click.option("--email", required=True)
@click.password_option()
def create_admin(username, firstname, lastname, email, password):
    """Create an Admin account (the password policy applies)."""
    from app.accounts.services import sync_roles

    g.actor = "cli:create-admin"
    _check_password(password)
    sm = _sm()
    sync_roles(sm)
    if sm.find_user(username=username):
        raise click.ClickException(f"user {username} already exists")
    user = sm.add_user(username, firstname, lastname, email, sm.find_role("Admin"), password=password)
    if not user:
        raise click.ClickException("the account could not be created (is the e-mail already used?)")
    click.echo(f"Admin {username} created")


@portal.command("set-password")
@click.argument("username")
@click.password_option()
def set_password(username, password):
    """Set a user's password (the password policy applies)."""
    g.actor = "cli:set-password"
    _check_password(password)
    sm = _sm()
    user = sm.find_user(username=username)
    if not user:
        raise click.ClickException(f"no user {username}")
    sm.reset_password(user.id, password)
    click.echo("password changed")


@portal.command("unlock")
@click.argument("username")
def unlock(username):
    """Unlock an account locked after too many failed logins."""
    g.actor = "cli:unlock"
    sm = _sm()
    user = sm.find_user(username=username)
    if not user:
        raise click.ClickException(f"no user {username}")
    sm.unlock_user(user)
    click.echo(f"{username} unlocked")


def init_app(app) -> None:
    from app.accounts import cli as accounts_cli  # noqa: F401  (registers its sub-commands)
    from app.awards import cli as awards_cli  # noqa: F401  (refresh-derived: stored derived results)
    from app.demo import cli as demo_cli  # noqa: F401  (demo and benchmark data)
    from app.maintenance import cli as maintenance_cli  # noqa: F401  (backup, restore, verify-backup)
    from app.performance import cli as performance_cli  # noqa: F401  (deadline reminders)

    app.cli.add_command(portal)
