"""Flags and queue items, shared by the API and the HTML forms. Flaggers are never named, not even here."""
import marshmallow as ma
from marshmallow import validate

from app.core.pagination import PageArgs
from app.core.schemas import ListSchema, StrictSchema, UTCDateTime
from app.forum.schemas import PostSchema
from app.moderation.models import FlagReason, QueueKind, QueueStatus, Resolution
from app.moderation.reason import REASON_RULE, REQUIRED

# The queue's rules, declared once: the schemas validate with them, and so do the services.
NOTE_MAX = 500
BULK_MAX = 100
NOTE_RULE = validate.Length(max=NOTE_MAX, error=f"Keep the note under {NOTE_MAX} characters.")
CHOOSE_FLAG_REASON = "Choose what is wrong with the post."
CHOOSE_DECISION = "Choose what to do with the post."
CHOOSE_STATUS = "Choose open or resolved."


def BULK_RULE(item_ids: list) -> list:  # noqa: N802 (a rule, named like the others)
    if not item_ids:
        raise ma.ValidationError("Select at least one held post to approve.")
    if len(item_ids) > BULK_MAX:
        raise ma.ValidationError(f"Approve at most {BULK_MAX} posts at once.")
    return item_ids


def _acting_member(member):
    """A member where a moderator acts: handle and role; a deleted account is a former member (null)."""
    if member is None or member.status.value == "deleted":
        return None
    return {"handle": member.handle, "role": member.role.value}


# --- requests ------------------------------------------------------------------------

class FlagCreateSchema(StrictSchema):
    post_id = ma.fields.Integer(required=True, strict=True)
    reason = ma.fields.Enum(FlagReason, by_value=True, required=True,
                            error_messages={"required": CHOOSE_FLAG_REASON})
    note = ma.fields.String(load_default=None, allow_none=True, validate=NOTE_RULE,
                            metadata={"description": "Optional; moderators read it, without the flagger's name"})


class QueueQuerySchema(PageArgs):
    status = ma.fields.String(load_default=QueueStatus.open.value,
                              validate=validate.OneOf([s.value for s in QueueStatus], error=CHOOSE_STATUS))


class ResolveSchema(StrictSchema):
    action = ma.fields.Enum(Resolution, by_value=True, required=True,
                            error_messages={"required": CHOOSE_DECISION})
    reason = ma.fields.String(required=True, validate=REASON_RULE,
                              error_messages={"required": REQUIRED},
                              metadata={"description": "Told to the author (except for dismiss) and kept in the audit log"})


class BulkApproveSchema(StrictSchema):
    item_ids = ma.fields.List(ma.fields.Integer(), required=True,
                              validate=BULK_RULE, error_messages={"required": "Select at least one held post to approve."})
    reason = ma.fields.String(required=True, validate=REASON_RULE,
                              error_messages={"required": "Give a reason. The authors are told it."})


# --- responses -----------------------------------------------------------------------

class FlagSchema(ma.Schema):
    id = ma.fields.Integer()
    post_id = ma.fields.Integer()
    reason = ma.fields.Enum(FlagReason, by_value=True)
    note = ma.fields.String(allow_none=True)
    created_at = UTCDateTime()


class QueuePostSchema(PostSchema):
    author = ma.fields.Function(lambda p: _acting_member(p.author), metadata={"type": "object", "nullable": True})


class FlagGroupSchema(ma.Schema):
    reason = ma.fields.Enum(FlagReason, by_value=True)
    label = ma.fields.String()
    count = ma.fields.Integer()
    notes = ma.fields.List(ma.fields.String())


class AuthorHistorySchema(ma.Schema):
    removals = ma.fields.Integer()
    hides = ma.fields.Integer()
    warnings = ma.fields.Integer()
    suspensions = ma.fields.Integer()


class QueueItemSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(QueueKind, by_value=True)
    priority = ma.fields.String(metadata={"enum": ["urgent", "normal"]})
    status = ma.fields.Enum(QueueStatus, by_value=True)
    cause = ma.fields.String(allow_none=True)
    post = ma.fields.Nested(QueuePostSchema)
    thread = ma.fields.Function(lambda i: {"id": i.post.thread.id, "title": i.post.thread.title},
                                metadata={"type": "object"})
    parent = ma.fields.Function(
        lambda i: {"id": i.parent.id, "author": _acting_member(i.parent.author), "excerpt": i.parent_excerpt}
        if i.parent is not None else None, metadata={"type": "object", "nullable": True})
    flags = ma.fields.List(ma.fields.Nested(FlagGroupSchema), attribute="flag_groups")
    author_history = ma.fields.Nested(AuthorHistorySchema, allow_none=True)
    actions = ma.fields.List(ma.fields.Enum(Resolution, by_value=True),
                             metadata={"description": "The decisions the caller may take on this item now"})
    created_at = UTCDateTime()
    resolved_at = UTCDateTime(allow_none=True)
    resolved_by = ma.fields.Function(lambda i: _acting_member(i.resolved_by), metadata={"type": "object", "nullable": True})
    resolution = ma.fields.Enum(Resolution, by_value=True, allow_none=True)
    resolution_reason = ma.fields.String(allow_none=True)


class QueueListSchema(ListSchema):
    items = ma.fields.List(ma.fields.Nested(QueueItemSchema))


class BulkRefusalSchema(ma.Schema):
    id = ma.fields.Integer()
    reason = ma.fields.String()


class BulkApprovalSchema(ma.Schema):
    approved = ma.fields.List(ma.fields.Nested(QueueItemSchema))
    refused = ma.fields.List(ma.fields.Nested(BulkRefusalSchema),
                             metadata={"description": "Items left as they were, each with the reason"})
