"""Who is calling, and what they may do: declared on views, checked in one place.

The API authenticates by bearer token only; it never trusts the HTML session
cookie, so a page cannot be tricked into writing through the API (CSRF).
"""
from functools import wraps

from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint

from app.core.api import BEARER
from app.core.errors import NotAllowed, NotAuthenticated
from app.extensions import limiter
from app.members import services
from app.members.models import Member, Role


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _api_auth() -> tuple[Member | None, object]:
    # Cached on the request itself: an app context (and its g) can outlive one request.
    cached = request.environ.get("thaw.api_auth")
    if cached is None:
        token = _bearer_token()
        found = services.member_for_token(token) if token else None
        cached = request.environ["thaw.api_auth"] = found or (None, None)
    return cached


def current_api_member() -> Member | None:
    """The member whose token came with this API request, or None."""
    return _api_auth()[0]


def current_api_token():
    return _api_auth()[1]


def _require(role: Role | None) -> Member:
    member = current_api_member()
    if member is None:
        raise NotAuthenticated("Send a valid token: Authorization: Bearer <token>.")
    if role is not None and not member.has_role(role):
        raise NotAllowed(f"This needs the {role.value} role.")
    return member


def token_required(view=None, *, role: Role | None = None):
    """API views: 401 without a valid token, 403 without the role."""
    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            _require(role)
            return func(*args, **kwargs)
        return Blueprint.doc(security=BEARER)(wrapper)
    return decorator(view) if view is not None else decorator


def rate_limit_key() -> str:
    """Writes are counted per member when one is known, else per address."""
    member = current_api_member() if request.path.startswith("/api/") else (
        current_user if current_user.is_authenticated else None)
    return f"member:{member.id}" if member is not None else f"ip:{request.remote_addr}"


def write_limit():
    """Flask-Limiter decorator for endpoints that write on a member's behalf."""
    return limiter.limit(lambda: current_app.config["WRITE_RATE_LIMIT"], key_func=rate_limit_key,
                         methods=["POST", "PUT", "PATCH", "DELETE"])
