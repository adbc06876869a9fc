"""Operations: what the health check asks of the database and of the rate-limit counters' storage."""
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, limiter

SHARED_STORAGE_SCHEMES = ("redis", "rediss", "valkey", "memcached", "mongodb")


def database_answers() -> bool:
    """Whether the database answers a trivial query; a failed one leaves the session usable."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def rate_limit_storage() -> str:
    """`ok`; `degraded` when the shared storage (Redis) does not answer and each worker counts in its own
    memory meanwhile; `not configured` when counters are per worker by configuration; `disabled`."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True) or not limiter.initialized:
        return "disabled"
    if not str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith(SHARED_STORAGE_SCHEMES):
        return "not configured"
    try:
        return "ok" if limiter.storage.check() else "degraded"
    except Exception:
        return "degraded"
