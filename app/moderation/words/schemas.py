"""Watched words, shared by the API and the admin page's form."""
import marshmallow as ma
from marshmallow import validate

from app.core.pagination import PageArgs
from app.core.schemas import ListSchema, StrictSchema, UTCDateTime
from app.moderation.models import WatchedAction
from app.moderation.reason import OPTIONAL_REASON_RULE
from app.moderation.words.services import PATTERN_MAX

ACTION_ERROR = "Choose block, review or crisis."


class WatchedWordCreateSchema(StrictSchema):
    pattern = ma.fields.String(required=True, validate=validate.Length(
        max=PATTERN_MAX, error=f"Keep it under {PATTERN_MAX} characters."),
        error_messages={"required": "Write a word, a phrase or a regular expression."},
        metadata={"description": "A word or phrase (whole words, any case) or, with is_regex, a regular "
                                 "expression used as written"})
    action = ma.fields.Enum(WatchedAction, by_value=True, required=True,
                            error_messages={"required": ACTION_ERROR, "unknown": ACTION_ERROR},
                            metadata={"description": "block refuses the post; review holds it for a moderator; "
                                                     "crisis opens an urgent item and shows the author support"})
    is_regex = ma.fields.Boolean(load_default=False)
    reason = ma.fields.String(load_default="", validate=OPTIONAL_REASON_RULE,
        metadata={"description": "Kept in the audit log"})


class WatchedWordRemoveSchema(StrictSchema):
    reason = ma.fields.String(load_default="", validate=OPTIONAL_REASON_RULE,
        metadata={"description": "Kept in the audit log"})


class WatchedWordQuerySchema(PageArgs):
    action = ma.fields.Enum(WatchedAction, by_value=True, load_default=None,
                            error_messages={"unknown": ACTION_ERROR})


class WatchedWordSchema(ma.Schema):
    id = ma.fields.Integer()
    pattern = ma.fields.String()
    is_regex = ma.fields.Boolean()
    action = ma.fields.Enum(WatchedAction, by_value=True)
    created_at = UTCDateTime()


class WatchedWordListSchema(ListSchema):
    items = ma.fields.List(ma.fields.Nested(WatchedWordSchema))
