"""A moderator's reason: every moderation action takes one, under one limit.

The member concerned is told it and it goes in the audit log, so it is
required wherever the action affects a member (watched words take an optional one).
"""
from marshmallow import validate

from app.core.errors import InvalidInput

REASON_MAX = 1000
REQUIRED = "Give a reason: the member concerned is told it, and it goes in the audit log."
TOO_LONG = f"Keep the reason under {REASON_MAX:,} characters."

# For schemas: a required reason, and an optional one.
REASON_RULE = validate.Length(1, REASON_MAX, error=f"Give a reason of up to {REASON_MAX:,} characters.")
OPTIONAL_REASON_RULE = validate.Length(max=REASON_MAX, error=TOO_LONG)


def reason_errors(reason: str | None) -> tuple[str, list[str]]:
    """The reason stripped, and what is wrong with it (nothing when it will do)."""
    reason = (reason or "").strip()
    if not reason:
        return reason, [REQUIRED]
    if len(reason) > REASON_MAX:
        return reason, [f"Keep the reason under {REASON_MAX:,} characters (this is {len(reason):,})."]
    return reason, []


def checked_reason(reason: str | None) -> str:
    reason, errors = reason_errors(reason)
    if errors:
        raise InvalidInput({"reason": errors})
    return reason
