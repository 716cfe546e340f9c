"""`flask portal refresh-derived [--year Y]`: recompute the stored derived results (for cron), and recount the kept
row counts of the big tables (PostgreSQL, app/core/rowcount.py).

Without ``--year``: the default year of the award screens (the last finished year), the current year and every
year that already has a stored result. Each (result, year) is refreshed in its own transaction."""
from __future__ import annotations

import click
from flask import g

from app.cli import portal


@portal.command("refresh-derived")
@click.option("--year", type=int, default=None, help="only this year")
@click.option("--if-stale", is_flag=True, help="only the results whose inputs changed since they were computed")
def refresh_derived(year, if_stale):
    """Recompute the stored award candidates, training needs and effect of training (one transaction each)."""
    from app.awards import derived, rules
    from app.awards.views import default_year, reference_date
    from app.core import derived as core_derived
    from app.extensions import db
    from app.performance.services import now_wib, today_wib

    g.actor = "cli:refresh-derived"
    if year is not None and not rules.YEAR_MIN <= year <= rules.YEAR_MAX:
        raise click.BadParameter(f"the year must lie between {rules.YEAR_MIN} and {rules.YEAR_MAX}",
                                 param_hint="--year")
    today = today_wib()
    years = {year} if year is not None else \
        {default_year(today), today.year, *(s.year for s in core_derived.states(db.session, derived.KIND))}
    for y in sorted(years):
        on = reference_date(y)
        if if_stale:
            derived.ensure_fresh(db.session, y, on, now_wib())
            row = core_derived.state(db.session, derived.KIND, y)
        else:
            row = derived.refresh(db.session, y, on, now_wib())
        click.echo(f"award candidates {y}: {row.rows if row else 0} rows, computed at {row.computed_at if row else '-'}")
    from app.training.cli import refresh_training

    refresh_training(year, if_stale)
    from app.core import rowcount  # the kept row counts recounted (PostgreSQL): the repair of any drift

    for table, rows in rowcount.resync(db.session).items():
        click.echo(f"row count {table}: {rows}")
    db.session.commit()
