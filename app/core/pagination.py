"""Keyset pagination: cursors are opaque to clients and carry the last row's sort key."""
import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime

import marshmallow as ma
from marshmallow import validate

from app.core.errors import InvalidInput
from app.core.input import parse_json, refusals
from app.core.schemas import InputSchema, aware_in_range

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass
class Page:
    items: list
    next_cursor: str | None = None
    extra: dict = field(default_factory=dict)


# A cursor holds a few keys (a time and an id at most), never a client's text or a post's path, so
# it stays short however deep a thread goes; anything longer was not made here.
MAX_CURSOR_CHARS = 200
CURSOR_MESSAGE = "This cursor is not valid. Start again without it."


def encode_cursor(*key) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def invalid_cursor() -> InvalidInput:
    return InvalidInput({"cursor": [CURSOR_MESSAGE]})


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> tuple:
    """The key inside a cursor, checked against the expected types (datetime, int, str): 422 otherwise.

    Times must carry their time zone and lie in range, integers fit the id columns, text is storable.
    """
    if len(cursor) > MAX_CURSOR_CHARS:
        raise invalid_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = parse_json(raw)
        if not isinstance(values, list) or len(values) != len(kinds) or refusals(values):
            raise ValueError
        return tuple(_checked(v, kind) for v, kind in zip(values, kinds))
    except (ValueError, TypeError, binascii.Error, ma.ValidationError):
        raise invalid_cursor() from None


def _checked(value, kind):
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError
        return aware_in_range(datetime.fromisoformat(value))
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError
    return value


def page_of(rows: list, limit: int, key) -> Page:
    """Rows fetched with limit + 1: the extra row only says there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, encode_cursor(*key(rows[-1])))
    return Page(rows)


class PageArgs(InputSchema):
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))
    cursor = ma.fields.String(load_default=None)
