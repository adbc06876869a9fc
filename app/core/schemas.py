"""Marshmallow pieces shared by every feature's schemas."""
from datetime import timezone

import marshmallow as ma


class UTCDateTime(ma.fields.DateTime):
    """ISO 8601 in UTC with a trailing Z, as the API contract says."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ma.ValidationError("Give a time zone, for example a trailing Z for UTC.")
        return parsed.astimezone(timezone.utc)


class StrictSchema(ma.Schema):
    """Input schemas: unknown fields are an error and strings are trimmed."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def strip_strings(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {k: v.strip() if isinstance(v, str) and k not in self.untrimmed_fields else v
                for k, v in data.items()}

    # Passwords are taken exactly as typed.
    untrimmed_fields: frozenset = frozenset({"password"})


class ListSchema(ma.Schema):
    """{"items": [...], "next_cursor": str | null}; subclasses set `items`."""
    next_cursor = ma.fields.String(allow_none=True, dump_default=None)


# --- rules a service checks too --------------------------------------------------------
# Services are called by the API, the pages, the CLI and the demo, so they check their input
# themselves; they do it with the very validators the schemas declare, so each rule and its
# message is written once.

def rule_errors(rule, value) -> list[str]:
    """What a schema validator says about a value (nothing when it passes)."""
    try:
        rule(value)
    except ma.ValidationError as error:
        return list(error.messages) if isinstance(error.messages, list) else [str(error.messages)]
    return []


def check(errors: dict[str, list[str]], field: str, rule, value) -> bool:
    """Runs a schema validator inside a service, adding its messages to `errors`; True if it passed."""
    messages = rule_errors(rule, value)
    if messages:
        errors.setdefault(field, []).extend(messages)
    return not messages


class Count(ma.validate.Validator):
    """How many things a list may hold, said as a person would: at least one, at most N (you chose M)."""

    def __init__(self, minimum: int, maximum: int, noun: str):
        self.minimum, self.maximum, self.noun = minimum, maximum, noun

    def __call__(self, value):
        if len(value) < self.minimum:
            raise ma.ValidationError(f"Choose at least one {self.noun}." if self.minimum == 1
                                     else f"Choose at least {self.minimum} {self.noun}s.")
        if len(value) > self.maximum:
            raise ma.ValidationError(f"Choose at most {self.maximum} {self.noun}s (you chose {len(value)}).")
        return value
