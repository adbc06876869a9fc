import marshmallow as ma

from app.forum.schemas import ThreadSummarySchema
from app.vocabulary.schemas import TagBriefSchema


class FollowingSchema(ma.Schema):
    threads = ma.fields.List(ma.fields.Nested(ThreadSummarySchema), metadata={"description": "Followed threads"})
    muted = ma.fields.List(ma.fields.Nested(ThreadSummarySchema), metadata={"description": "Muted threads"})
    tags = ma.fields.List(ma.fields.Nested(TagBriefSchema), metadata={"description": "Followed tags"})
