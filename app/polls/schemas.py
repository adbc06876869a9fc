import marshmallow as ma
from marshmallow import validate

from app.core.pagination import PageArgs
from app.core.schemas import ListSchema, StrictSchema, UTCDateTime
from app.polls.models import Effect, PollKind, ResultsVisibility


# The rules of a poll, declared once: the schemas validate with them, and so does the service.
QUESTION_RULE = validate.Length(5, 300, error="Use 5 to 300 characters.")


def OPTIONS_RULE(labels: list[str]) -> list[str]:  # noqa: N802 (a rule, named like the others)
    """2 to 10 different labels of up to 200 characters (blank ones are left out before)."""
    if not 2 <= len(labels) <= 10:
        raise ma.ValidationError("Give 2 to 10 options.")
    if len({label.casefold() for label in labels}) != len(labels):
        raise ma.ValidationError("Each option must be different.")
    if any(len(label) > 200 for label in labels):
        raise ma.ValidationError("Keep each option under 200 characters.")
    return labels


class PollCreateSchema(StrictSchema):
    question = ma.fields.String(required=True, validate=QUESTION_RULE)
    kind = ma.fields.Enum(PollKind, by_value=True, required=True)
    options = ma.fields.List(ma.fields.String(validate=validate.Length(1, 200)), load_default=None,
                             metadata={"description": "2–10 labels; not for experience polls"})
    treatment = ma.fields.String(load_default=None, metadata={"description": "Experience polls: the treatment"})
    closes_at = UTCDateTime(load_default=None, allow_none=True)
    results = ma.fields.Enum(ResultsVisibility, by_value=True, load_default=ResultsVisibility.always)


class VoteSchema(StrictSchema):
    option_ids = ma.fields.List(ma.fields.Integer(), required=True,
                                validate=validate.Length(min=1, error="Choose at least one option."))


class PollOptionSchema(ma.Schema):
    id = ma.fields.Integer()
    label = ma.fields.String()
    effect = ma.fields.Enum(Effect, by_value=True, allow_none=True)
    votes = ma.fields.Integer(allow_none=True)


class ExperienceStatisticsSchema(ma.Schema):
    """An experience poll's results: the treatment's numbers in the latest statistics release."""
    release = ma.fields.Integer(attribute="release_id", allow_none=True,
                                metadata={"description": "The release (GET /stats/releases); null before the first"})
    published_at = UTCDateTime(allow_none=True)
    published = ma.fields.Boolean(metadata={"description": "False while too few members have shared "
                                                           "(\"not enough members yet\"): every number is null"})
    members = ma.fields.Integer(allow_none=True, metadata={"description": "Noised member count"})
    helped_share = ma.fields.Float(allow_none=True)
    ci_low = ma.fields.Float(allow_none=True)
    ci_high = ma.fields.Float(allow_none=True)


class PollSchema(ma.Schema):
    id = ma.fields.Integer()
    thread_id = ma.fields.Integer()
    question = ma.fields.String()
    kind = ma.fields.Enum(PollKind, by_value=True)
    treatment = ma.fields.Function(lambda p: {"slug": p.treatment.slug, "name": p.treatment.name} if p.treatment else None,
                                   metadata={"type": "object", "nullable": True})
    closes_at = UTCDateTime(allow_none=True)
    closed = ma.fields.Boolean()
    results = ma.fields.Enum(ResultsVisibility, by_value=True, attribute="results_visibility")
    results_visible = ma.fields.Boolean()
    total_voters = ma.fields.Integer(allow_none=True)
    votes_needed = ma.fields.Integer(allow_none=True, metadata={
        "description": "Always 0 for single and multiple polls; null for experience polls, which never count live"})
    statistics = ma.fields.Nested(ExperienceStatisticsSchema, allow_none=True, metadata={
        "description": "Experience polls only: the treatment's published statistics, which stand in for counts "
                       "(a live count would give away each voter's answer); a vote counts from the next release"})
    options = ma.fields.List(ma.fields.Nested(PollOptionSchema))
    my_vote = ma.fields.List(ma.fields.Integer())


class PollListSchema(ListSchema):
    items = ma.fields.List(ma.fields.Nested(PollSchema))


class PollQuerySchema(PageArgs):
    treatment = ma.fields.String(load_default=None)
    state = ma.fields.String(load_default=None, validate=validate.OneOf(["open", "closed"]))
