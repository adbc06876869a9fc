import marshmallow as ma
from marshmallow import validate

from app.core.schemas import StrictSchema, UTCDateTime
from app.experiences.models import Duration, Severity, StopReason, UsageStatus
from app.polls.models import Effect

DOSE_MAX_CHARS = 200


class JsonBoolean(ma.fields.Boolean):
    """JSON true or false only: 1, "yes" or "no" must not be read as a member's choice either way."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _choices(enum) -> str:
    return ", ".join(member.value for member in enum)


class SideEffectEntrySchema(StrictSchema):
    name = ma.fields.String(required=True, validate=validate.Length(1, 80),
                            metadata={"description": "A side effect's slug or name, any case (see GET /side-effects)"})
    severity = ma.fields.Enum(Severity, by_value=True, required=True,
                              error_messages={"unknown": f"Choose one of: {_choices(Severity)}."})


class ExperienceSchema(StrictSchema):
    """A member's experience with one treatment, as PUT /experiences/{treatment} takes it.

    `share_in_stats` has no default in the API: a client states the member's choice.
    """
    effect = ma.fields.Enum(Effect, by_value=True, required=True,
                            error_messages={"required": "Say how well it worked for you.",
                                            "unknown": f"Choose one of: {_choices(Effect)}."})
    symptoms = ma.fields.List(ma.fields.String(validate=validate.Length(1, 80)), load_default=list,
                              metadata={"description": "Symptom tags it was for: slugs, names or synonyms"})
    side_effects = ma.fields.List(ma.fields.Nested(SideEffectEntrySchema), load_default=list)
    duration = ma.fields.Enum(Duration, by_value=True, required=True,
                              error_messages={"required": "Say how long you used it.",
                                              "unknown": f"Choose one of: {_choices(Duration)}."})
    status = ma.fields.Enum(UsageStatus, by_value=True, required=True,
                            error_messages={"required": "Say whether you still use it.",
                                            "unknown": f"Choose one of: {_choices(UsageStatus)}."})
    stop_reason = ma.fields.Enum(StopReason, by_value=True, load_default=None, allow_none=True,
                                 error_messages={"unknown": f"Choose one of: {_choices(StopReason)}."},
                                 metadata={"description": "Required when status is stopped; refused when current"})
    dose = ma.fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=DOSE_MAX_CHARS,
                                                     error=f"Keep the dose under {DOSE_MAX_CHARS} characters."),
                            metadata={"description": "Free text, shown back as plain text to its owner only"})
    share_in_stats = JsonBoolean(required=True,
                                       error_messages={"required": "Say whether this report may count in "
                                                                   "community statistics (true or false)."},
                                       metadata={"description": "Whether it may count, without the member's "
                                                                "handle, in published statistics releases. "
                                                                "Required: there is no default for consent."})


class TagRefSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()


class ReportedSideEffectSchema(ma.Schema):
    name = ma.fields.String(attribute="side_effect.name")
    slug = ma.fields.String(attribute="side_effect.slug")
    severity = ma.fields.Enum(Severity, by_value=True)


class ExperienceReportSchema(ma.Schema):
    treatment = ma.fields.Nested(TagRefSchema)
    effect = ma.fields.Enum(Effect, by_value=True)
    symptoms = ma.fields.List(ma.fields.Nested(TagRefSchema))
    side_effects = ma.fields.List(ma.fields.Nested(ReportedSideEffectSchema))
    duration = ma.fields.Enum(Duration, by_value=True)
    status = ma.fields.Enum(UsageStatus, by_value=True)
    stop_reason = ma.fields.Enum(StopReason, by_value=True, allow_none=True)
    dose = ma.fields.String(allow_none=True)
    share_in_stats = ma.fields.Boolean()
    created_at = UTCDateTime()
    updated_at = UTCDateTime(metadata={"description": "When the member last saved it"})


class MyExperiencesSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ExperienceReportSchema))
    ballots_in_stats = ma.fields.Boolean(metadata={"description": "Whether the caller's experience-poll votes "
                                                                  "may count in statistics"})


class StatsConsentSchema(StrictSchema):
    ballots_in_stats = JsonBoolean(required=True)
