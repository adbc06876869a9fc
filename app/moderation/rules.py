"""Who may moderate whom, and how often a member may flag. Declared here once, used by the moderation
services, pages and API."""
from functools import wraps

from flask import current_app
from flask_login import login_required

from app.core.errors import NotAllowed, NotAuthenticated
from app.core.pages import viewer
from app.extensions import limiter
from app.members.auth import rate_limit_key
from app.members.models import ROLE_RANK, Member


def require_moderator(member: Member | None) -> Member:
    """Moderators and admins, and only while their account is in good standing."""
    if member is None:
        raise NotAuthenticated("Please sign in first.")
    if not member.is_moderator or not member.can_sign_in:
        raise NotAllowed("Only moderators can do that.")
    return member


def require_admin(member: Member | None) -> Member:
    member = require_moderator(member)
    if not member.is_admin:
        raise NotAllowed("Only admins can do that.")
    return member


def may_act_on(actor: Member, target: Member | None) -> bool:
    """A moderator acts on members; an admin also on moderators and other admins; nobody on themselves.

    A post or thread whose author has gone (target None) may be acted on by any moderator.
    """
    if target is None:
        return actor.is_moderator
    if target.id == actor.id:
        return False
    if actor.is_admin:
        return True
    return actor.is_moderator and ROLE_RANK[actor.role] > ROLE_RANK[target.role]


def require_may_act_on(actor: Member, target: Member | None) -> None:
    if not may_act_on(actor, target):
        if target is not None and target.id == actor.id:
            raise NotAllowed("Another moderator has to act on your own account or posts.")
        article = "an" if target.role.value[0] in "aeiou" else "a"
        raise NotAllowed(f"A {actor.role.value} cannot act on {article} {target.role.value}.")


def moderator_required(view):
    """Pages for moderators and admins: visitors are sent to sign in, members get 403."""
    @wraps(view)
    def checked(*args, **kwargs):
        require_moderator(viewer())
        return view(*args, **kwargs)
    return login_required(checked)


def flag_limit():
    """Flags filed per member (FLAG_RATE_LIMIT), one bucket for the API and the report form; only flags
    that were filed count, so a refused report costs nothing. Beyond it: 429 with Retry-After."""
    return limiter.shared_limit(lambda: current_app.config["FLAG_RATE_LIMIT"], scope="flags",
                                key_func=rate_limit_key, methods=["POST"],
                                deduct_when=lambda response: response.status_code in (201, 302))
