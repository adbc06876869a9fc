import marshmallow as ma
from marshmallow import validate

from app.core.pagination import PageArgs
from flask import current_app

from app.core.schemas import Count, ListSchema, StrictSchema, UTCDateTime
from app.forum.models import PostStatus
from app.vocabulary.schemas import TagBriefSchema

# The forum's rules, declared once: the schemas validate with them, and so do the services.
MAX_TAGS = 8
TITLE_RULE = validate.Length(5, 150, error="Use 5 to 150 characters.")
TAGS_RULE = Count(1, MAX_TAGS, "tag")


def BODY_RULE(body: str) -> str:  # noqa: N802 (a rule, named like the others)
    """Something written, and no longer than POST_MAX_CHARS."""
    limit = current_app.config["POST_MAX_CHARS"]
    if not body:
        raise ma.ValidationError("Write something first.")
    if len(body) > limit:
        raise ma.ValidationError(f"Keep it under {limit:,} characters (this is {len(body):,}).")
    return body


def _confirm_personal_details():
    return ma.fields.Boolean(load_default=False, metadata={
        "description": "Publish even though the body seems to hold an email address or phone number; "
                       "without it such a post is refused with a 422 naming this field"})


def _support():
    return ma.fields.Function(lambda obj: getattr(obj, "support", None), metadata={
        "type": "string", "nullable": True,
        "description": "Crisis support information for the author, when the post holds crisis words"})


class AuthorSchema(ma.Schema):
    handle = ma.fields.String()


def _author(obj):
    author = obj.author
    if author is None or author.status.value == "deleted" or not getattr(obj, "readable", True):
        return None
    return {"handle": author.handle}


class ThreadCreateSchema(StrictSchema):
    title = ma.fields.String(required=True, validate=TITLE_RULE)
    body = ma.fields.String(required=True, validate=BODY_RULE, metadata={"description": "Markdown"})
    tags = ma.fields.List(ma.fields.String(), required=True, validate=TAGS_RULE,
                          metadata={"description": "Slugs, names or synonyms, any case"})
    confirm_personal_details = _confirm_personal_details()


class ThreadUpdateSchema(StrictSchema):
    title = ma.fields.String(validate=TITLE_RULE)
    tags = ma.fields.List(ma.fields.String(), validate=TAGS_RULE)
    # Read when a moderator changes someone else's thread: it goes to the audit log and to the author.
    reason = ma.fields.String(load_default=None, validate=ma.validate.Length(max=1000))


class ReplySchema(StrictSchema):
    body = ma.fields.String(required=True, validate=BODY_RULE, metadata={"description": "Markdown"})
    parent_id = ma.fields.Integer(allow_none=True, load_default=None,
                                  metadata={"description": "The post answered; the opening post when left out"})
    confirm_personal_details = _confirm_personal_details()


class PostEditSchema(StrictSchema):
    body = ma.fields.String(required=True, validate=BODY_RULE)
    confirm_personal_details = _confirm_personal_details()
    # Read when a moderator edits someone else's post: it goes to the audit log and to the author.
    reason = ma.fields.String(load_default=None, validate=ma.validate.Length(max=1000))


class PostSchema(ma.Schema):
    id = ma.fields.Integer()
    thread_id = ma.fields.Integer()
    parent_id = ma.fields.Integer(allow_none=True)
    depth = ma.fields.Integer()
    author = ma.fields.Function(_author, metadata={"type": "object", "nullable": True})
    body_html = ma.fields.Function(lambda p: p.body_html if getattr(p, "readable", True) else None,
                                   metadata={"type": "string", "nullable": True})
    created_at = UTCDateTime()
    edited_at = UTCDateTime(allow_none=True)
    status = ma.fields.Enum(PostStatus, by_value=True)
    # Set by the notifications feature through the forum's annotate_posts hook; who reacted is never shown.
    reactions = ma.fields.Function(
        lambda p: getattr(p, "reactions", None) or {"me_too": 0, "thanks": 0, "support": 0},
        metadata={"type": "object", "description": "How many members said me too, thank you, sending support",
                  "properties": {k: {"type": "integer"} for k in ("me_too", "thanks", "support")}})
    my_reactions = ma.fields.Function(
        lambda p: getattr(p, "my_reactions", None) or [],
        metadata={"type": "array", "items": {"type": "string", "enum": ["me_too", "thanks", "support"]},
                  "description": "The caller's own reactions on this post"})


class WrittenPostSchema(PostSchema):
    """A post as its author gets it back after writing it."""
    support = _support()


class PostListSchema(ListSchema):
    items = ma.fields.List(ma.fields.Nested(PostSchema))


class ThreadSummarySchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    tags = ma.fields.List(ma.fields.Nested(TagBriefSchema))
    author = ma.fields.Function(_author, metadata={"type": "object", "nullable": True})
    created_at = UTCDateTime()
    last_activity_at = UTCDateTime()
    reply_count = ma.fields.Integer()
    has_poll = ma.fields.Boolean()
    status = ma.fields.Enum(PostStatus, by_value=True)
    locked = ma.fields.Boolean()
    pinned = ma.fields.Boolean()


class ThreadDetailSchema(ThreadSummarySchema):
    posts = ma.fields.List(ma.fields.Nested(PostSchema), attribute="first_posts")
    next_cursor = ma.fields.String(allow_none=True)
    # Named, not imported: polls build on the forum (marshmallow finds the schema by its name).
    polls = ma.fields.List(ma.fields.Nested("PollSchema"))


class StartedThreadSchema(ThreadDetailSchema):
    """A thread as its author gets it back after starting it."""
    support = _support()


class ThreadListSchema(ListSchema):
    items = ma.fields.List(ma.fields.Nested(ThreadSummarySchema))


class ThreadQuerySchema(PageArgs):
    tag = ma.fields.List(ma.fields.String(), load_default=list,
                         metadata={"description": "Repeat for several; threads carrying all of them"})
    sort = ma.fields.String(load_default="active", validate=validate.OneOf(["active", "new"]))


class RevisionSchema(ma.Schema):
    id = ma.fields.Integer()
    editor = ma.fields.Function(lambda r: {"handle": r.editor.handle} if r.editor else None,
                                metadata={"type": "object", "nullable": True})
    body_source = ma.fields.String()
    body_html = ma.fields.String()
    created_at = UTCDateTime()


class RevisionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RevisionSchema))
