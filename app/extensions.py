"""The one place where Flask extensions are instantiated (bound to the app in ``create_app``).

The AppBuilder object itself is created inside ``create_app`` (a module-level one reused by a second
app leaves that app without routes); reach it as ``current_app.appbuilder``.
"""
from flask_appbuilder import Model
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# FAB's metadata, so that Alembic sees FAB's ab_* tables and ours in one MetaData.
db = get_sqla_class()(metadata=Model.metadata)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()


def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys (off by default), WAL for concurrent readers, wait on locks."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        # 64 MB page cache per connection (default 2 MB): the city-wide dashboards read more than 2 MB of
        # index pages per request (training dashboard of a year: 108-134 -> 88 ms CPU). Grows only as used.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()


from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

event.listen(Engine, "connect", _sqlite_pragmas)
