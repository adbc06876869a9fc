"""Marshmallow pieces shared by every feature's schemas."""
from datetime import datetime, timezone

import marshmallow as ma

from app.core.input import refusals

# Times Thaw takes: a suspension's end or a poll's closing, never before the forum nor far beyond
# any plan (and far from the year 9999, where converting an offset to UTC overflows).
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


class UTCDateTime(ma.fields.DateTime):
    """ISO 8601 in UTC with a trailing Z, as the API contract says."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        return aware_in_range(parsed)


def aware_in_range(moment: datetime) -> datetime:
    """A datetime with a time zone, between EARLIEST and LATEST, in UTC; ValidationError otherwise."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ma.ValidationError("Give a time zone, for example a trailing Z for UTC.")
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise ma.ValidationError(f"Choose a time between {EARLIEST.year} and {LATEST.year}.")
    return moment


class Day(ma.fields.Date):
    """A calendar day between EARLIEST and LATEST (a suspension's last day, typed in a date box)."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST.date() <= day <= LATEST.date():
            raise ma.ValidationError(f"Choose a day between {EARLIEST.year} and {LATEST.year}.")
        return day


class InputSchema(ma.Schema):
    """Every schema that reads input: nothing the input layer refuses (app/core/input.py) gets through.

    The API refuses it at the door already; forms come through here and are shown again with the message.
    """

    @ma.pre_load
    def refuse_unstorable(self, data, **kwargs):
        errors = refusals(data) if isinstance(data, (dict, list)) else {}
        if errors:
            raise ma.ValidationError(errors)
        return data

    @ma.validates_schema
    def integers_fit(self, data, **kwargs):
        # Numbers typed into a form arrive as text: only once loaded are they integers to bound.
        errors = refusals(data)
        if errors:
            raise ma.ValidationError(errors)


class StrictSchema(InputSchema):
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
