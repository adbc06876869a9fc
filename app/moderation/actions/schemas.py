"""Moderator actions, as the API and the moderation pages take and show them."""
import marshmallow as ma

from app.core.schemas import Day, StrictSchema, UTCDateTime
from app.forum.schemas import BODY_RULE, TAGS_RULE
from app.members.models import MemberStatus, Role
from app.moderation.reason import REASON_RULE, REQUIRED


class ReasonSchema(StrictSchema):
    reason = ma.fields.String(
        required=True, validate=REASON_RULE,
        error_messages={"required": REQUIRED},
        metadata={"description": "Why; shown to the member concerned and kept in the audit log"})


class SuspendSchema(ReasonSchema):
    until = UTCDateTime(allow_none=True, load_default=None,
                        metadata={"description": "When the suspension ends; left out or null = until unsuspended"})


class SuspendFormSchema(ReasonSchema):
    """The page's form: a native date box, the suspension ending at the start of that day (UTC)."""
    until = Day(load_default=None, error_messages={"invalid": "Enter a date, for example 2030-05-01."})


class RetagSchema(ReasonSchema):
    tags = ma.fields.List(ma.fields.String(), required=True, validate=TAGS_RULE,
                          metadata={"description": "Slugs, names or synonyms, any case; replaces every tag"})


class ModeratorEditSchema(ReasonSchema):
    body = ma.fields.String(required=True, validate=BODY_RULE, metadata={"description": "Markdown"})


class RemovePostSchema(ReasonSchema):
    reason = ma.fields.String(
        required=True, validate=REASON_RULE,
        error_messages={"required": "Give a reason: the author is told it, and it goes in the audit log."},
        metadata={"description": "Why the post is removed; shown to its author and kept in the audit log"})


class ModeratedMemberSchema(ma.Schema):
    """A member as moderators see them: never their email."""
    handle = ma.fields.String()
    role = ma.fields.Enum(Role, by_value=True)
    status = ma.fields.Enum(MemberStatus, by_value=True)
    suspended_until = UTCDateTime(allow_none=True)
    joined_at = UTCDateTime()
