import marshmallow as ma

from app.core.schemas import StrictSchema, UTCDateTime

MESSAGE_MAX = 5000


class StartConversationSchema(StrictSchema):
    member = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=30),
                              metadata={"description": "The member's handle"})
    body = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MESSAGE_MAX))
    queue_item_id = ma.fields.Integer(load_default=None, allow_none=True,
                                      metadata={"description": "The queue item that prompted it (a crisis item)"})


class MessageCreateSchema(StrictSchema):
    body = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MESSAGE_MAX))


class MessageSchema(ma.Schema):
    id = ma.fields.Integer()
    from_moderators = ma.fields.Boolean()
    author = ma.fields.Function(lambda m: f"the moderators (@{m.author_handle})" if m.from_moderators
                                else f"@{m.author_handle}", metadata={"type": "string"})
    body = ma.fields.String()
    created_at = UTCDateTime()


class ConversationSummarySchema(ma.Schema):
    id = ma.fields.Integer()
    member = ma.fields.Function(lambda c: c.member.handle, metadata={"type": "string"})
    queue_item_id = ma.fields.Integer(allow_none=True)
    created_at = UTCDateTime()
    last_message_at = UTCDateTime()
    awaiting_moderators = ma.fields.Boolean(metadata={"description": "The member wrote last"})


class ConversationSchema(ConversationSummarySchema):
    messages = ma.fields.List(ma.fields.Nested(MessageSchema))


class ConversationListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ConversationSummarySchema))
