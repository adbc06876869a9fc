import marshmallow as ma
from marshmallow import validate

from app.core.schemas import StrictSchema


class DeleteAccountSchema(StrictSchema):
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))
    erase_posts = ma.fields.Boolean(load_default=False, metadata={
        "description": "Also erase the words of every post and revision (replies keep their place)"})


class ConsentSchema(StrictSchema):
    ballots_in_stats = ma.fields.Boolean(load_default=False)


_ROWS = ma.fields.List(ma.fields.Dict())


class ExportSchema(ma.Schema):
    """Everything stored about the caller (README, "Your data"): one list of rows per kind."""
    format = ma.fields.String(metadata={"description": "thaw-export/1"})
    exported_at = ma.fields.String()
    profile = ma.fields.Dict()
    consent = ma.fields.Dict()
    threads = _ROWS
    posts = _ROWS
    post_revisions = _ROWS
    polls = _ROWS
    ballots = _ROWS
    experience_reports = _ROWS
    experience_revisions = _ROWS
    flags_filed = _ROWS
    notifications = _ROWS
    thread_follows = _ROWS
    tag_follows = _ROWS
    notification_preferences = _ROWS
    notification_settings = _ROWS
    reactions = _ROWS
    moderation_actions = _ROWS
    api_tokens = _ROWS
    email_links = _ROWS
    idempotency_keys = _ROWS
