"""Configuration for the Palembang performance portal.

Everything that differs between machines comes from the environment; nothing secret lives here.
``create_app`` takes one of these classes (or a dict of overrides) as its argument.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/ (0600)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the common "postgres://" / "postgresql://" spellings; always use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'kinerja.db'}"


def password_complexity(password: str) -> None:
    """FAB hook: raise PasswordComplexityValidationError when the password breaks the policy.

    FAB turns that exception into a form error (WTForms) or a 400/422 answer (user API, marshmallow);
    any other exception type would be a 500 on the API."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    from app.security.passwords import password_problems

    problems = password_problems(password)
    if problems:
        raise PasswordComplexityValidationError("; ".join(str(p) for p in problems))


class Config:
    APP_NAME = "e-Kinerja Kota Palembang"
    APP_ICON = "/static/img/logo.svg"
    SECRET_KEY = None  # filled lazily in create_app so importing config never writes files
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Flask-AppBuilder
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_USER_REGISTRATION = False
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    FAB_CREATE_DB = False  # Alembic owns every table, FAB's included
    FAB_UPDATE_PERMS = False  # roles are defined in code (FAB_ROLES), synced by `flask portal sync-roles`
    FAB_ADD_SECURITY_VIEWS = True
    FAB_ADD_SECURITY_PERMISSION_VIEW = False
    FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
    FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.PortalSecurityManager"
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(password_complexity)
    FAB_BASE_TEMPLATE = "portal/baselayout.html"
    FAB_INDEX_VIEW = "app.core.views.PortalIndexView"
    APP_THEME = ""

    # Login rate limit (form and API) and lockout
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per 5 minutes")
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_MAX_FAILURES = 5

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30")))
    SESSION_REFRESH_EACH_REQUEST = True
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # Language: Indonesian first
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_FOLDER = str(BASE_DIR / "translations")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {
        "id": {"flag": "id", "name": "Bahasa Indonesia"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Lists
    PAGE_SIZE = 25
    PAGE_SIZE_MAX = 100
    IMPORT_MAX_ROWS = 50000
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024  # one evidence file (bukti dukung) of a progress entry
    # stored derived results (award candidates): each process compares the inputs' fingerprint at most this often
    DERIVED_CHECK_SECONDS = float(os.environ.get("DERIVED_CHECK_SECONDS", "15"))


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests only
    DERIVED_CHECK_SECONDS = 0  # every request compares the fingerprint of the stored results


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def resolve(config=None):
    """Return a config object from a class, a name, a dict of overrides, or the environment."""
    if config is None:
        config = os.environ.get("PORTAL_CONFIG", "development")
    if isinstance(config, str):
        config = CONFIGS[config]
    return config
