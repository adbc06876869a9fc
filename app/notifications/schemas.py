import marshmallow as ma

from app.core.pagination import PageArgs
from app.core.schemas import ListSchema, StrictSchema, UTCDateTime
from app.notifications.models import NotificationKind


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(NotificationKind, by_value=True)
    message = ma.fields.String(attribute="shown_message")
    reason = ma.fields.String(allow_none=True, metadata={"description": "Why, in the moderator's words"})
    post_id = ma.fields.Integer(allow_none=True)
    thread_id = ma.fields.Function(lambda n: getattr(n, "link_thread_id", n.thread_id),
                                   metadata={"type": "integer", "nullable": True})
    created_at = UTCDateTime()
    read = ma.fields.Function(lambda n: n.read_at is not None, metadata={"type": "boolean"})
    read_at = UTCDateTime(allow_none=True)


class NotificationListSchema(ListSchema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema))
    unread_count = ma.fields.Integer()


class NotificationQuerySchema(PageArgs):
    unread = ma.fields.Boolean(load_default=False, metadata={"description": "Only unread notifications"})


class MarkReadSchema(StrictSchema):
    up_to = ma.fields.Integer(load_default=None, allow_none=True,
                              metadata={"description": "Mark only notifications up to this id (the newest the "
                                                       "client has shown); all unread ones when left out"})


class MarkedSchema(ma.Schema):
    marked = ma.fields.Integer(metadata={"description": "How many were marked read"})
    unread_count = ma.fields.Integer()
