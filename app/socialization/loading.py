"""Loading the starter set of socialization material into the database (CLI and demo). No web imports."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional

from sqlalchemy import select

from . import services
from .models import Material
from .rules import Audience
from .starter import starter_materials

STARTER_NOTE = "Diperbarui dari materi awal portal."


@dataclass
class LoadResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kept: list = field(default_factory=list)  # differs from the starter set, left as it is (no --update)


def load_starter_material(session, today: Optional[date] = None, update: bool = False,
                          now: Optional[datetime] = None, commit: bool = True) -> LoadResult:
    """Create each starter material that does not exist yet (by code), published to everyone from
    ``today``; with ``update``, publish a new version of one whose title or text differs. One transaction
    per material, or none of its own with ``commit`` False (the caller commits, as the demo does)."""
    from app.performance.services import now_wib, today_wib

    today = today or today_wib()
    now = now or now_wib()
    reader = services.Reader(user_id=None, user_name="Sistem")
    result = LoadResult()
    existing = {m.code: m for m in session.scalars(select(Material).where(
        Material.code.in_([s.code for s in starter_materials()]))).unique()}
    for item in starter_materials():
        material = existing.get(item.code)
        if material is None:
            services.create_material(session, reader, services.MaterialInput(
                title=item.title, body=item.body_html, category=item.category, audience=Audience.ALL.value,
                published_from=today, code=item.code), now=now, commit=commit)
            result.created.append(item.code)
            continue
        current = material.current_version
        if current is not None and current.title == item.title and current.body_html == item.body_html:
            result.unchanged.append(item.code)
        elif update:
            services.publish_version(session, reader, material, services.MaterialInput(
                title=item.title, body=item.body_html, change_note=STARTER_NOTE), now=now, commit=commit)
            result.updated.append(item.code)
        else:
            result.kept.append(item.code)
    return result
