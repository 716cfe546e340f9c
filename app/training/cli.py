"""The training part of `flask portal refresh-derived` (app/awards/cli.py): the stored training needs of the
default year of the screen (the last finished year), the current year and every year already stored, and the
stored effect of training. Each result is refreshed in its own transaction."""
from __future__ import annotations

from typing import Optional

import click


def refresh_training(year: Optional[int] = None, if_stale: bool = False) -> None:
    from app.core import derived as core_derived
    from app.extensions import db
    from app.performance.services import now_wib, today_wib

    from . import derived

    today = today_wib()
    years = {year} if year is not None else \
        {today.year - 1, today.year, *(s.year for s in core_derived.states(db.session, derived.NEEDS))}
    for y in sorted(years):
        if if_stale:
            derived.ensure_needs(db.session, y, now_wib())
            row = core_derived.state(db.session, derived.NEEDS, y)
        else:
            row = derived.refresh_needs(db.session, y, now_wib())
        click.echo(f"training needs {y}: {row.rows if row else 0} rows, computed at {row.computed_at if row else '-'}")
    if if_stale:
        derived.ensure_effect(db.session, now_wib())
        row = core_derived.state(db.session, derived.EFFECT, derived.EFFECT_YEAR)
    else:
        row = derived.refresh_effect(db.session, now=now_wib())
    click.echo(f"training effect: {row.rows if row else 0} rows, computed at {row.computed_at if row else '-'}")
