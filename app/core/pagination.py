"""Keyset pagination: cursors are opaque to clients and carry the last row's sort key."""
import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime

import marshmallow as ma
from marshmallow import validate

from app.core.errors import InvalidInput

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass
class Page:
    items: list
    next_cursor: str | None = None
    extra: dict = field(default_factory=dict)


def encode_cursor(*key) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> tuple:
    """The key inside a cursor, checked against the expected types (datetime, int, str)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        return tuple(datetime.fromisoformat(v) if kind is datetime else _checked(v, kind)
                     for v, kind in zip(values, kinds))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({"cursor": ["This cursor is not valid. Start again without it."]})


def _checked(value, kind):
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError
    return value


def page_of(rows: list, limit: int, key) -> Page:
    """Rows fetched with limit + 1: the extra row only says there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, encode_cursor(*key(rows[-1])))
    return Page(rows)


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))
    cursor = ma.fields.String(load_default=None)
