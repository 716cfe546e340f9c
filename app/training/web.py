"""Helpers the training screens, CRUD views and REST API share: who is looking (``current_viewer``), who
acts (``request_context``, the performance cycle's). Web code only."""
from __future__ import annotations

from flask import current_app, g

from app.extensions import db
from app.performance.api import request_context  # noqa: F401 - the services' ActorContext of the request

from .scope import Viewer


def current_viewer() -> Viewer:
    """The signed-in person for the training row scope (cached for the request: the cache is keyed by the
    request's own Scope object, so a shared app context never hands one person's viewer to the next)."""
    sm = current_app.appbuilder.sm
    scope = sm.current_scope()
    user = getattr(g, "user", None)
    cached = g.get("training_viewer")
    if cached is not None and cached[0] is scope and cached[1] is user:
        return cached[2]
    arrays = db.session.get_bind().dialect.name == "postgresql"  # the scope's list form (scope.py)
    if user is None or not getattr(user, "is_authenticated", False):
        viewer = Viewer(scope, arrays=arrays)
    else:
        viewer = Viewer(scope, user.id, frozenset(r.name for r in sm.get_user_roles(user)), arrays)
    g.training_viewer = (scope, user, viewer)
    return viewer
