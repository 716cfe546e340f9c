"""`flask portal reminders` (added to the `flask portal` group): deadline reminders, to run daily from cron.

    # crontab: every morning at 07:00 WIB
    0 7 * * *  cd /srv/kinerja && .venv/bin/flask --app run portal reminders

Idempotent per day: running it twice the same day notifies nobody twice (``services.send_reminders``).
E-mail goes out only when MAIL_SERVER is configured.
"""
from __future__ import annotations

from datetime import date

import click
from flask import g

from app.cli import portal
from app.extensions import db


@portal.command("reminders")
@click.option("--today", "today", default=None, metavar="YYYY-MM-DD",
              help="The day to remind for (default: today in WIB).")
def reminders_command(today):
    """Remind of plans not submitted after January, evaluations pending after their period closed and
    objections close to their decision deadline (in-app, and e-mail when configured)."""
    from app.performance.services import send_reminders

    day = None
    if today:
        try:
            day = date.fromisoformat(today)
        except ValueError:
            raise click.BadParameter("expected a date as YYYY-MM-DD", param_hint="--today") from None
    g.actor = "cli:reminders"
    result = send_reminders(db.session, day)
    click.echo(f"reminders: plans {result.skp}, evaluations {result.evaluation}, objections {result.objection}; "
               f"e-mails queued {result.emails}")
