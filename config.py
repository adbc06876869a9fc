"""Configuration classes. Every setting can be given by an environment variable."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    return int(value) if value is not None else default


def env_float(name: str, default: float) -> float:
    value = env_str(name)
    return float(value) if value is not None else default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(default: str) -> str:
    url = env_str("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{BASE_DIR / 'instance' / 'thaw.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = env_str("REDIS_URL")

    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 256 * 1024)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # a form left open while resting must still submit

    # Passwords (Argon2id). Defaults follow argon2-cffi's RFC 9106 low-memory profile.
    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 65536)
    ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 4)
    API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

    # Rate limits (Flask-Limiter syntax). Memory storage unless REDIS_URL is set.
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    SIGNIN_RATE_LIMIT = env_str("SIGNIN_RATE_LIMIT", "10 per 5 minutes")
    REGISTER_RATE_LIMIT = env_str("REGISTER_RATE_LIMIT", "5 per hour")
    WRITE_RATE_LIMIT = env_str("WRITE_RATE_LIMIT", "30 per minute;300 per hour")

    # Moderation thresholds (PRODUCT.md, moderation model).
    HOLD_FIRST_POSTS = env_int("HOLD_FIRST_POSTS", 1)
    FLAG_HIDE_THRESHOLD = env_int("FLAG_HIDE_THRESHOLD", 3)
    NEW_MEMBER_LINK_HOURS = env_int("NEW_MEMBER_LINK_HOURS", 24)
    # Only established members' flags count towards FLAG_HIDE_THRESHOLD: a week old with 3 published posts
    # (0 and 0: every member's). Flags per member: FLAG_RATE_LIMIT (README, "Moderation that cannot be gamed").
    FLAG_TRUST_DAYS = env_int("FLAG_TRUST_DAYS", 7)
    FLAG_TRUST_POSTS = env_int("FLAG_TRUST_POSTS", 3)
    FLAG_RATE_LIMIT = env_str("FLAG_RATE_LIMIT", "10 per hour;30 per day")
    # Shown to the author of a post with crisis words; a blank line (or "\n\n") starts a paragraph.
    # Unset, the text shipped in app/moderation/data.py (read there, as config must not import the app).
    CRISIS_SUPPORT_TEXT = env_str("CRISIS_SUPPORT_TEXT")
    # Polls and statistics (PRODUCT.md, privacy model).
    POLL_MIN_VOTERS = env_int("POLL_MIN_VOTERS", 5)
    STATS_MIN_MEMBERS = env_int("STATS_MIN_MEMBERS", 10)
    STATS_MIN_CELL = env_int("STATS_MIN_CELL", 5)
    # Privacy per member (README, "Statistics"): each release spends STATS_EPSILON, and at most
    # STATS_EPSILON_BUDGET may be spent in any 365 days: four quarterly releases at 1.0.
    STATS_EPSILON = env_float("STATS_EPSILON", 1.0)
    STATS_EPSILON_BUDGET = env_float("STATS_EPSILON_BUDGET", 4.0)
    STATS_MAX_TREATMENTS_PER_MEMBER = env_int("STATS_MAX_TREATMENTS_PER_MEMBER", 3)
    # Exact releases (epsilon 0) exist for tests only; no environment variable can turn them on.
    STATS_ALLOW_EXACT = False

    # Forum display.
    THREAD_MAX_DEPTH = env_int("THREAD_MAX_DEPTH", 6)
    POST_MAX_CHARS = env_int("POST_MAX_CHARS", 20000)

    # OpenAPI (flask-smorest).
    API_TITLE = "Thaw API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    DEBUG = env_bool("FLASK_DEBUG", False)


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheap hashing keeps the suite fast; production cost comes from the defaults above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    # Pre-moderation is off unless a test turns it on, so forum and poll tests post straight away;
    # the moderation tests set these back to the production defaults.
    HOLD_FIRST_POSTS = 0
    NEW_MEMBER_LINK_HOURS = 0
    # Every member's flag counts, unless a test sets the production trust levels.
    FLAG_TRUST_DAYS = 0
    FLAG_TRUST_POSTS = 0
    # Statistics tests may publish exact counts (epsilon 0, not charged to the budget) to check arithmetic.
    STATS_ALLOW_EXACT = True


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_for(name: str | None) -> type[Config]:
    return CONFIGS.get(name or env_str("THAW_ENV", "development"), DevelopmentConfig)
