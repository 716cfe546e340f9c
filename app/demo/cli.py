"""`flask portal demo` and `flask portal generate` (added to the `flask portal` group)."""
from __future__ import annotations

import os

import click
from flask import current_app, g

from app.cli import portal


@portal.command("demo")
@click.option("--reset", is_flag=True,
              help="Replace every unit, position and employee (and the records that depend on them) and the "
                   "demo accounts, then load the demo again.")
@click.option("--size", type=click.Choice(["full", "small"]), default="full", show_default=True,
              help="small: every unit but few staff (used by the tests).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date the performance data is placed around (last year and this year; default: today).")
def demo_command(reset, size, today):
    """Load the Palembang demo: OPD tree, 18 kecamatan and their kelurahan, schools, puskesmas, about
    2,000 employees and one account per role. Passwords: DEMO_PASSWORD when set, else generated and
    printed once."""
    from app.demo.loader import DemoError, demo_password_from_env, load_demo

    g.actor = "cli:demo"
    try:
        password = demo_password_from_env()
        result = load_demo(current_app.appbuilder.sm, reset=reset, size=size, password=password,
                           today=today.date() if today else None)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(result.message)
    if not result.loaded:
        return
    click.echo(f"units: {result.units}; positions: {result.positions}; employees: {result.employees}")
    if result.performance:
        click.echo("performance: " + ", ".join(f"{k} {v}" for k, v in result.performance.items()))
    rows = [("Role", "Username", "Name", "Password")]
    for acc in result.accounts:
        shown = acc.password if acc.password and not password else (
            "(DEMO_PASSWORD)" if acc.password else "(unchanged)")
        rows.append((acc.role, acc.username, acc.name, shown))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    click.echo(line)
    for i, row in enumerate(rows):
        click.echo("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")
        if i == 0:
            click.echo(line)
    click.echo(line)
    if not password:
        click.echo("These passwords are shown only now: note them (or set DEMO_PASSWORD and use --reset).")


@portal.command("generate")
@click.option("--employees", type=click.IntRange(min=2), default=15000, show_default=True)
@click.option("--units", type=click.IntRange(min=2), default=250, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--accounts", type=click.IntRange(min=0), default=0, show_default=True,
              help="Give the first N employees (unit heads first) a user account (user name = NIP).")
@click.option("--reset", is_flag=True, help="Replace the organisation data already in the database.")
@click.option("--years", type=click.IntRange(min=0, max=20), default=0, show_default=True,
              help="Years of performance data (plans, progress, evaluations) ending with this year; the bench "
                   "uses 5.")
@click.option("--training", is_flag=True,
              help="Also generate training, socialization and award data at Palembang scale (2,000 sessions, "
                   "150,000 participants, material and acknowledgements, award decisions): "
                   "app.demo.training_generator.")
@click.option("--survey", is_flag=True,
              help="Also generate public satisfaction survey data (service units, a campaign per year, answers): "
                   "app.demo.survey.generate_survey.")
def generate_command(employees, units, seed, accounts, reset, years, training, survey=False):
    """Generate benchmark data of any size (bulk inserts, no audit trail). Accounts share one password:
    BENCH_PASSWORD when set, else generated and printed."""
    from app.demo.generator import GeneratorError, generate
    from app.extensions import db
    from app.security.passwords import generate_password, password_problems

    g.actor = "cli:generate"
    password = None
    if accounts:
        password = os.environ.get("BENCH_PASSWORD") or generate_password()
        problems = password_problems(password)
        if problems:
            raise click.ClickException("BENCH_PASSWORD does not satisfy the password policy: "
                                       + "; ".join(str(p) for p in problems))
    try:
        result = generate(db.session, employees=employees, units=units, seed=seed, accounts=accounts,
                          password=password, reset=reset, years=years)
    except GeneratorError as exc:
        raise click.ClickException(str(exc)) from None
    timings = ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
    click.echo(f"generated {result.units} units, {result.positions} positions, {result.employees} employees, "
               f"{result.accounts} accounts in {result.seconds:.2f} s ({timings})")
    if result.performance:
        click.echo("performance: " + ", ".join(f"{k} {v}" for k, v in result.performance.items()))
    if survey:
        from app.demo.survey import generate_survey

        done = generate_survey(db.session, seed=seed, years=max(years, 1))
        db.session.commit()
        click.echo(f"survey in {done.seconds:.2f} s: " + ", ".join(f"{k} {v}" for k, v in done.counts.items()))
    if training:
        from app.demo.training_generator import generate_training

        done = generate_training(db.session, seed=seed, years=max(years, 1))
        click.echo(f"training in {done.seconds:.2f} s: " + ", ".join(f"{k} {v}" for k, v in done.counts.items()))
    if accounts and not os.environ.get("BENCH_PASSWORD"):
        click.echo(f"password of every generated account: {password}")
