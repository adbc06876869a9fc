"""Who is calling, and what they may do: declared on views, checked in one place.

The API authenticates by bearer token only; it never trusts the HTML session
cookie, so a page cannot be tricked into writing through the API (CSRF).
"""
import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from limits import parse

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


# -- Sign-in limits -------------------------------------------------------------------------------------
#
# Pages and API share two buckets of failed sign-ins (README, "Sign-in limits"):
# - per address (SIGNIN_RATE_LIMIT), against one address guessing many accounts;
# - per account (SIGNIN_ACCOUNT_RATE_LIMIT, tiers that grow: minutes, an hour, a day), against many
#   addresses guessing one account. While it is spent, the password is not even checked.
# An attacker could spend an account's bucket on purpose, so an address that signed in to that account
# before (within SIGNIN_KNOWN_ADDRESS_DAYS) neither counts against it nor is stopped by it: the member
# still signs in from home while someone else's guesses are refused.

log = logging.getLogger(__name__)

SIGNIN_SCOPE = "signin"
ACCOUNT_SCOPE = "signin-account"
KNOWN_ADDRESS_SCOPE = "signin-known-address"


def _login_sent() -> str | None:
    data = request.get_json(silent=True) if request.is_json else request.form
    login = data.get("login") if hasattr(data, "get") else None
    return login if isinstance(login, str) else None


def _usable(login: str) -> bool:
    """Whether a login may reach the database at all (bad input is refused later by the schema)."""
    return 0 < len(login) <= 320 and "\x00" not in login and login.isprintable() and _encodes(login)


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _signin_account() -> tuple[str, int | None]:
    """The account a sign-in aims at: `member:<id>`, or a digest of the login when no member has it."""
    cached = request.environ.get("thaw.signin_account")
    if cached is None:
        login = _login_sent() or ""
        member = services.member_for_login(login) if _usable(login) else None
        if member is not None:
            cached = (f"member:{member.id}", member.id)
        else:
            folded = services.fold_login(login).encode("utf-8", "surrogatepass")
            cached = ("login:" + hashlib.sha256(folded).hexdigest(), None)
        request.environ["thaw.signin_account"] = cached
    return cached


def _known_address_item():
    return parse(f"1 per {current_app.config['SIGNIN_KNOWN_ADDRESS_DAYS']} days")


def _known_address_key(member_id: int) -> list[str]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return [part for part in (prefix, KNOWN_ADDRESS_SCOPE, str(member_id), request.remote_addr or "") if part]


def _from_known_address() -> bool:
    """Whether this address signed in to the account it now names (a spent marker means: seen)."""
    member_id = _signin_account()[1]
    if member_id is None:
        return False
    # An unreachable Redis raises here, inside Flask-Limiter's check, which then falls back to memory.
    return not limiter.limiter.test(_known_address_item(), *_known_address_key(member_id))


def remember_signin_address(member: Member) -> None:
    """After a successful sign-in: this address is the member's for SIGNIN_KNOWN_ADDRESS_DAYS."""
    item, key = _known_address_item(), _known_address_key(member.id)
    try:
        limiter.limiter.clear(item, *key)
        limiter.limiter.hit(item, *key)
    except Exception as error:  # the sign-in itself succeeded; the storage's own state is in /healthz
        log.warning("Could not remember the sign-in address: %s", error)


def _wrong_credentials(response) -> bool:
    return response.status_code == 401


def signin_limits(failed: Callable[[object], bool]):
    """The sign-in limits, for the page and the API alike; `failed(response)` says what the address pays for."""
    def decorator(view):
        view = limiter.shared_limit(lambda: current_app.config["SIGNIN_ACCOUNT_RATE_LIMIT"], ACCOUNT_SCOPE,
                                    key_func=lambda: _signin_account()[0], methods=["POST"],
                                    deduct_when=_wrong_credentials, exempt_when=_from_known_address)(view)
        return limiter.shared_limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], SIGNIN_SCOPE,
                                    methods=["POST"], deduct_when=failed)(view)
    return decorator
