"""Searching costs the database real work: SEARCH_RATE_LIMIT per address and per member, pages and API alike."""
from flask import current_app
from flask_limiter.util import get_remote_address

from app.extensions import limiter
from app.members.auth import rate_limit_key


def _limit():
    return current_app.config["SEARCH_RATE_LIMIT"]


def search_limits(view):
    # One bucket per address (however many accounts share it) and one per member (from any address).
    view = limiter.shared_limit(_limit, scope="search-member", key_func=rate_limit_key)(view)
    return limiter.shared_limit(_limit, scope="search-address", key_func=get_remote_address)(view)
