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
