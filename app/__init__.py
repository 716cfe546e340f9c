"""Application factory of the Palembang performance portal (e-Kinerja)."""
from __future__ import annotations

import logging

from flask import Flask

from config import resolve

log = logging.getLogger(__name__)


def create_app(config=None) -> Flask:
    """Build the app. ``config``: a config class, its name ("development", "test", "production"), or a
    dict of overrides applied on top of the environment's config (its optional "PORTAL_CONFIG" key names
    the base config)."""
    app = Flask(__name__, instance_path=None)
    overrides = {}
    if isinstance(config, dict):
        overrides = dict(config)
        config = overrides.pop("PORTAL_CONFIG", None)
    app.config.from_object(resolve(config))
    app.config.update(overrides)
    _finish_config(app)

    from flask_appbuilder import AppBuilder

    from app.core import audit, web
    from app.extensions import csrf, db, migrate
    from app.security import roles

    app.config.setdefault("FAB_ROLES", roles.fab_roles())
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config["MIGRATIONS_DIR"]))
    csrf.init_app(app)  # before AppBuilder, so FAB's API blueprints are exempted

    # Import every model before AppBuilder (so Alembic and FAB see them all).
    from app import models as _models  # noqa: F401

    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        _register_areas(appbuilder)

    web.init_web(app)
    audit.set_actor_getter(web.current_actor)

    from app import cli

    cli.init_app(app)
    return app


def _finish_config(app: Flask) -> None:
    import config as cfg

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = cfg._secret_key()
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = cfg._database_url()
    app.config.setdefault("MIGRATIONS_DIR", cfg.BASE_DIR / "migrations")
    app.config.setdefault("UPLOAD_DIR", str(cfg.INSTANCE_DIR / "uploads"))


def _register_areas(appbuilder) -> None:
    """Each domain area registers its own menus, views and APIs."""
    from app import organisation, performance
    from app.core import views as core_views
    from app.core import admin_views

    organisation.register(appbuilder)
    performance.register(appbuilder)
    __import__("app.socialization").socialization.register(appbuilder)  # socialization material
    __import__("app.awards").awards.register(appbuilder)  # awards (penghargaan)
    __import__("app.training").training.register(appbuilder)  # training sessions, attendance, JP ledger
    __import__("app.dashboards").dashboards.register(appbuilder)  # dashboards (charts, no external code)
    __import__("app.survey").survey.register(appbuilder)  # public satisfaction survey (IKM)
    __import__("app.analytics").analytics.register(appbuilder)  # rater-bias analytics (subjektivitas penilaian)
    appbuilder.add_view_no_menu(core_views.LookupView)
    admin_views.register(appbuilder)
