"""The one reaction limit, shared by the page buttons and the API (per member)."""
from flask import current_app

from app.extensions import limiter
from app.members.auth import rate_limit_key


def reaction_limit():
    return limiter.shared_limit(lambda: current_app.config["REACTION_RATE_LIMIT"], scope="reactions",
                                key_func=rate_limit_key, methods=["POST", "PUT", "DELETE"])
