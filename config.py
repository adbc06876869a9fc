"""Configuration classes. Every setting can be given by an environment variable."""
import json
import logging
import os
from datetime import timedelta
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


def env_json(name: str, default: dict) -> dict:
    value = env_str(name)
    return json.loads(value) if value is not None else default


def database_url(default: str) -> str:
    url = env_str("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"
# 32 bytes: what `secrets.token_hex(32)` (64 characters) comfortably exceeds, and a brute force cannot reach.
MIN_SECRET_KEY_BYTES = 32


class ConfigurationError(RuntimeError):
    """A setting that must not reach a running server; the message says what to set."""


class Config:
    SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
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

    # Rate limits (Flask-Limiter syntax). Memory storage (per worker) unless REDIS_URL is set.
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    # A Redis that stops answering must not take sign-in and writes down: each worker counts in its own
    # memory meanwhile (logged), and checks Redis again with a growing interval. Short timeouts, so an
    # unreachable host costs a second, not a hung request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = env_json("RATELIMIT_STORAGE_OPTIONS",
                                         {"socket_connect_timeout": 1, "socket_timeout": 1})
    RATELIMIT_HEADERS_ENABLED = True
    SIGNIN_RATE_LIMIT = env_str("SIGNIN_RATE_LIMIT", "10 per 5 minutes")
    # Failed sign-ins per account, from any address: the delay grows (minutes, then an hour, then a day),
    # but never for an address that signed in to the account before (README, "Sign-in limits").
    SIGNIN_ACCOUNT_RATE_LIMIT = env_str("SIGNIN_ACCOUNT_RATE_LIMIT", "5 per 5 minutes;20 per hour;50 per day")
    SIGNIN_KNOWN_ADDRESS_DAYS = env_int("SIGNIN_KNOWN_ADDRESS_DAYS", 90)
    REGISTER_RATE_LIMIT = env_str("REGISTER_RATE_LIMIT", "5 per hour")
    WRITE_RATE_LIMIT = env_str("WRITE_RATE_LIMIT", "30 per minute;300 per hour")
    SEARCH_RATE_LIMIT = env_str("SEARCH_RATE_LIMIT", "30 per minute;300 per hour")  # per address and per member
    # Reactions ("me too", "thank you", "sending support") a member may add or take back.
    REACTION_RATE_LIMIT = env_str("REACTION_RATE_LIMIT", "30 per minute;300 per day")

    # Notification jobs (fan-out, email) run on RQ over this Redis with `flask jobs worker`; unset, they run
    # in the process right after the commit that caused them (README, "Notifications and jobs").
    JOBS_REDIS_URL = env_str("JOBS_REDIS_URL")
    JOBS_QUEUE = env_str("JOBS_QUEUE", "thaw")

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
    STATS_MIN_MEMBERS = env_int("STATS_MIN_MEMBERS", 10)
    STATS_MIN_CELL = env_int("STATS_MIN_CELL", 5)
    # Privacy per member (README, "Statistics"): each release spends STATS_EPSILON, and at most
    # STATS_EPSILON_BUDGET may be spent in any 365 days: four quarterly releases at 1.0.
    STATS_EPSILON = env_float("STATS_EPSILON", 1.0)
    STATS_EPSILON_BUDGET = env_float("STATS_EPSILON_BUDGET", 4.0)
    STATS_MAX_TREATMENTS_PER_MEMBER = env_int("STATS_MAX_TREATMENTS_PER_MEMBER", 3)
    # Exact releases (epsilon 0) exist for tests only; no environment variable can turn them on.
    STATS_ALLOW_EXACT = False

    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto / -Host (werkzeug ProxyFix).
    # 0 (the default) trusts none of these headers, so a client cannot choose its own address.
    PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = env_int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = env_int("PROXY_FIX_X_HOST", 0)

    # Sessions (README, "Accounts and sessions"): every sign-in carries its time and ends after SESSION_HOURS,
    # or REMEMBER_DAYS when "keep me signed in" was ticked (never more than 30 days).
    SESSION_HOURS = env_int("SESSION_HOURS", 12)
    REMEMBER_DAYS = min(env_int("REMEMBER_DAYS", 30), 30)
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_DAYS)
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Emailed links: a password reset lives an hour, an address verification two days.
    PASSWORD_RESET_MINUTES = env_int("PASSWORD_RESET_MINUTES", 60)
    EMAIL_VERIFY_HOURS = env_int("EMAIL_VERIFY_HOURS", 48)
    # A deleted member's handle may not be taken by anyone for this long (it then becomes free).
    HANDLE_HOLD_DAYS = env_int("HANDLE_HOLD_DAYS", 365)
    # What `flask purge` keeps (README, "Retention").
    PURGE_READ_NOTIFICATIONS_DAYS = env_int("PURGE_READ_NOTIFICATIONS_DAYS", 90)
    PURGE_REVISIONS_DAYS = env_int("PURGE_REVISIONS_DAYS", 365)
    PURGE_EMAIL_LINKS_DAYS = env_int("PURGE_EMAIL_LINKS_DAYS", 7)
    PURGE_FAILED_MAIL_DAYS = env_int("PURGE_FAILED_MAIL_DAYS", 30)

    # Email (Flask-Mailman). Without MAIL_SERVER every message is written to instance/mail/ as an .eml file.
    MAIL_SERVER = env_str("MAIL_SERVER")
    MAIL_PORT = env_int("MAIL_PORT", 587)
    MAIL_USERNAME = env_str("MAIL_USERNAME")
    MAIL_PASSWORD = env_str("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
    MAIL_DEFAULT_SENDER = env_str("MAIL_DEFAULT_SENDER", "Thaw <no-reply@thaw.invalid>")
    MAIL_BACKEND = env_str("MAIL_BACKEND", "smtp" if MAIL_SERVER else "app.core.mail.FileEmailBackend")
    # Links in emails point here (no request to read the host from when `flask mail send-pending` runs).
    PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:5000")
    # After commit, messages are sent by a background thread, so no request waits on the mail server.
    MAIL_SEND_IN_BACKGROUND = env_bool("MAIL_SEND_IN_BACKGROUND", True)
    # A message the server refused is tried again after 1, 2, 4 ... minutes, up to this many attempts.
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 12)

    # A POST repeated with the same Idempotency-Key within this time returns the first answer.
    IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
    # Seconds a client is asked to wait (Retry-After) while the database does not answer.
    DATABASE_RETRY_AFTER = env_int("DATABASE_RETRY_AFTER", 5)

    # Forum display.
    THREAD_MAX_DEPTH = env_int("THREAD_MAX_DEPTH", 6)
    POST_MAX_CHARS = env_int("POST_MAX_CHARS", 20000)

    # OpenAPI (flask-smorest).
    API_TITLE = "Thaw API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


    @staticmethod
    def check(config: dict, log: logging.Logger) -> None:
        """Refuses, or warns about, settings unfit for this environment (production only)."""


class DevelopmentConfig(Config):
    DEBUG = env_bool("FLASK_DEBUG", False)


class ProductionConfig(Config):
    # FLASK_DEBUG would open the Werkzeug debugger (a Python console) to anyone: never in production.
    DEBUG = False
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @staticmethod
    def check(config: dict, log: logging.Logger) -> None:
        key = config.get("SECRET_KEY") or ""
        key_bytes = key.encode() if isinstance(key, str) else bytes(key)
        if not key or key == DEVELOPMENT_SECRET_KEY or len(key_bytes) < MIN_SECRET_KEY_BYTES:
            problem = ("is not set" if not key else "is the public development key" if key == DEVELOPMENT_SECRET_KEY
                       else f"is {len(key_bytes)} bytes long")
            raise ConfigurationError(
                f"THAW_ENV=production refuses to start: SECRET_KEY {problem}. It signs sessions and CSRF "
                f"tokens, so it must be secret and at least {MIN_SECRET_KEY_BYTES} bytes, e.g. "
                "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))').")
        if not config.get("RATELIMIT_STORAGE_URI", "memory://").startswith(("redis", "rediss", "valkey")):
            log.warning("RATE LIMITS ARE PER WORKER: no REDIS_URL (or RATELIMIT_STORAGE_URI) is set, so each "
                        "worker process counts sign-ins and writes on its own and N workers allow N times "
                        "every limit. Set REDIS_URL to share the counters.")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STORAGE_OPTIONS: dict = {}
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
    # Mail stays in memory (flask_mailman's outbox) unless a test points it at its SMTP server, and is sent
    # in the request that commits it, so a test reads it at once.
    MAIL_BACKEND = "locmem"
    MAIL_SEND_IN_BACKGROUND = False
    PUBLIC_URL = "http://localhost"
    # Statistics tests may publish exact counts (epsilon 0, not charged to the budget) to check arithmetic.
    STATS_ALLOW_EXACT = True


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_for(name: str | None) -> type[Config]:
    """The configuration class for `name`, or for THAW_ENV; a misspelt name is an error, not development."""
    name = name or env_str("THAW_ENV", "development")
    try:
        return CONFIGS[name.strip().lower()]
    except KeyError:
        raise ConfigurationError(
            f"THAW_ENV={name!r} is not an environment Thaw knows: use one of {', '.join(CONFIGS)}.") from None
