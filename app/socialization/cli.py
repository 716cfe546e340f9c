"""`flask portal load-material` (added to the `flask portal` group): the starter set of socialization
material (app/socialization/starter.py), published to everyone. Idempotent: a material whose code exists
is left as it is, unless ``--update`` is given and its text differs, which publishes a new version."""
from __future__ import annotations

from datetime import date

import click
from flask import g

from app.cli import portal
from app.extensions import db


@portal.command("load-material")
@click.option("--update", is_flag=True, help="Publish a new version of a starter material whose text changed.")
@click.option("--today", "today", default=None, metavar="YYYY-MM-DD",
              help="The publication date of new material (default: today in WIB).")
def load_material_command(update, today):
    """Load the starter socialization material (RHK guide, rating matrix, distribution curve, objection
    procedure, FAQ) in Indonesian."""
    from app.socialization.loading import load_starter_material

    day = None
    if today:
        try:
            day = date.fromisoformat(today)
        except ValueError:
            raise click.BadParameter("expected a date as YYYY-MM-DD", param_hint="--today") from None
    g.actor = "cli:load-material"
    result = load_starter_material(db.session, day, update=update)
    click.echo(f"material: created {len(result.created)}, new versions {len(result.updated)}, "
               f"unchanged {len(result.unchanged)}, changed but kept {len(result.kept)}")
    for code in result.kept:
        click.echo(f"  {code}: the text differs from the starter set (use --update to publish it)")
