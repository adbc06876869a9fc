"""Watched words, shared by the API and the admin page's form."""
import marshmallow as ma

from app.core.pagination import PageArgs
from app.core.schemas import ListSchema, StrictSchema, UTCDateTime
from app.moderation.models import WatchedAction
from app.moderation.reason import OPTIONAL_REASON_RULE

# The rules of a watched word that a schema can state, declared once; the service checks them too,
# and then what only it can (a regular expression that compiles, is fast, and matches something).
PATTERN_MAX = 200
PATTERN_REQUIRED = "Write a word, a phrase or a regular expression."
ACTION_ERROR = "Choose block, review or crisis."


def PATTERN_RULE(pattern: str) -> str:  # noqa: N802 (a rule, named like the others)
    if not pattern:
        raise ma.ValidationError(PATTERN_REQUIRED)
    if len(pattern) > PATTERN_MAX:
        raise ma.ValidationError(f"Keep it under {PATTERN_MAX} characters (this is {len(pattern)}).")
    return pattern


class WatchedWordCreateSchema(StrictSchema):
    pattern = ma.fields.String(required=True, validate=PATTERN_RULE, error_messages={"required": PATTERN_REQUIRED},
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
