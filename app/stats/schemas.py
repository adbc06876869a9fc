"""Statistics releases in and out of the API (and the query arguments pages share)."""
import marshmallow as ma
from marshmallow import validate

from app.core.schemas import StrictSchema, UTCDateTime
from app.polls.models import Effect
from app.stats.privacy import EXACT_RULE
from app.stats.services import SORTS


class ReleaseSchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = UTCDateTime()
    epsilon = ma.fields.Float(metadata={"description": "Privacy budget this release spent per member"})
    max_treatments_per_member = ma.fields.Integer(
        allow_none=True, metadata={"description": "At most this many treatments counted per member (most recent)"})
    min_members = ma.fields.Integer()
    min_cell = ma.fields.Integer()
    treatments_published = ma.fields.Integer()
    treatments_suppressed = ma.fields.Integer()
    mechanism = ma.fields.String(metadata={"description": "The noise mechanism and how the budget is split"})


class ReleaseListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ReleaseSchema))


class ReleaseCreateSchema(StrictSchema):
    # The range is checked by the service, which the command line shares.
    epsilon = ma.fields.Float(load_default=None, allow_nan=False,
                              metadata={"description": f"Default: the server's STATS_EPSILON. {EXACT_RULE} "
                                                     "409 when the privacy budget of the last 365 days cannot "
                                                     "pay for it."})


class BudgetSchema(ma.Schema):
    budget = ma.fields.Float(metadata={"description": "STATS_EPSILON_BUDGET: the epsilon available in any 365 days"})
    window_days = ma.fields.Integer()
    spent = ma.fields.Float(metadata={"description": "Epsilon spent by the releases of the last 365 days"})
    remaining = ma.fields.Float()
    epsilon = ma.fields.Float(metadata={"description": "STATS_EPSILON: what the next release spends by default"})
    next_release_possible_at = UTCDateTime(
        allow_none=True, metadata={"description": "When a release at `epsilon` fits the budget; null: never"})


class TreatmentRefSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()


EffectCountsSchema = ma.Schema.from_dict(
    {e.value: ma.fields.Integer(allow_none=True) for e in Effect}, name="EffectCountsSchema")


class EffectGroupsSchema(ma.Schema):
    helped = ma.fields.Integer(allow_none=True, metadata={"description": "major + moderate + slight"})
    no_difference = ma.fields.Integer(allow_none=True, metadata={"description": "none"})
    worse = ma.fields.Integer(allow_none=True)
    cant_tell = ma.fields.Integer(allow_none=True)


class HelpedSchema(ma.Schema):
    share = ma.fields.Float(metadata={"description": "(major + moderate + slight) / all but cant_tell"})
    ci_low = ma.fields.Float(metadata={"description": "95% interval, lower bound: allows for the noise and for "
                                                      "hidden cells"})
    ci_high = ma.fields.Float()


class SideEffectShareSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    count = ma.fields.Integer()
    share = ma.fields.Float()


class SymptomShareSchema(SideEffectShareSchema):
    pass


class TreatmentStatsSchema(ma.Schema):
    """One treatment in a release. Suppressed: `members` and every breakdown are null."""
    treatment = ma.fields.Nested(TreatmentRefSchema)
    suppressed = ma.fields.Boolean()
    members = ma.fields.Integer(allow_none=True)
    effect = ma.fields.Nested(EffectCountsSchema, allow_none=True,
                              metadata={"description": "Counts; a count under the cell minimum is null"})
    effect_groups = ma.fields.Nested(
        EffectGroupsSchema, allow_none=True,
        metadata={"description": "The scale grouped: when one of major, moderate and slight would be under the "
                                 "cell minimum, those three are null in `effect` and only `helped` is given"})
    helped = ma.fields.Nested(HelpedSchema, allow_none=True)
    side_effects = ma.fields.List(ma.fields.Nested(SideEffectShareSchema), allow_none=True)
    symptoms = ma.fields.List(ma.fields.Nested(SymptomShareSchema), allow_none=True)

    @ma.pre_dump
    def from_row(self, stats, **kwargs):
        shown = not stats.suppressed
        helped = ({"share": stats.helped_share, "ci_low": stats.ci_low, "ci_high": stats.ci_high}
                  if shown and stats.helped_share is not None else None)
        return {
            "treatment": {"slug": stats.treatment_slug, "name": stats.treatment_name},
            "suppressed": stats.suppressed,
            "members": stats.members if shown else None,
            "effect": {e.value: getattr(stats, f"effect_{e.value}") for e in Effect} if shown else None,
            "effect_groups": {"helped": stats.helped_count, "no_difference": stats.effect_none,
                              "worse": stats.effect_worse, "cant_tell": stats.effect_cant_tell} if shown else None,
            "helped": helped,
            "side_effects": stats.side_effects if shown else None,
            "symptoms": stats.symptoms if shown else None,
        }


class TreatmentStatsDetailSchema(TreatmentStatsSchema):
    release = ma.fields.Nested(ReleaseSchema, allow_none=True,
                               metadata={"description": "null until the first release is published"})

    @ma.pre_dump
    def from_row(self, stats, **kwargs):
        return dict(super().from_row(stats, **kwargs), release=stats.release)


class TreatmentStatsListSchema(ma.Schema):
    release = ma.fields.Nested(ReleaseSchema, allow_none=True,
                               metadata={"description": "null until the first release is published"})
    symptom = ma.fields.Nested(TreatmentRefSchema, metadata={
        "description": "Only with ?symptom=: the symptom the list is filtered by"})
    items = ma.fields.List(ma.fields.Nested(TreatmentStatsSchema))


class TreatmentStatsQuerySchema(ma.Schema):
    sort = ma.fields.String(load_default="lower_bound", validate=validate.OneOf(list(SORTS)),
                            metadata={"description": "lower_bound (of the helped interval), members or name"})
    symptom = ma.fields.String(load_default=None, validate=validate.Length(1, 80), metadata={
        "description": "Only published treatments whose members named this symptom (slug, name or synonym); "
                       "their `symptoms` hold its count. 422 for what is not a symptom"})
