"""The one input layer: what any request may carry before a feature looks at it.

Every string Thaw reads must be storable on SQLite and PostgreSQL alike, so a NUL
character or a lone UTF-16 surrogate (JSON lets a client send "\\ud800") is refused,
naming the field; every integer fits the id columns it is compared with (32 bits on PostgreSQL); a JSON
body parses, without NaN or Infinity, and is not nested deeper than any schema goes.

The checks run at the request's door for the API (body and query) and for page
query strings, in the shared input schemas for forms (so a form is shown again
with the message), and in the path converters (an id or name no row can have is
a 404, as for any other unknown one).
"""
import json
from collections.abc import Iterator

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, UnicodeConverter

from app.core.errors import InvalidInput, is_api_request

# Ids are INTEGER columns, 32 bits on PostgreSQL (SQLite's hold 64): a number past that range can
# name no row, and PostgreSQL would refuse to even compare it. No number Thaw takes is larger.
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
# Deeper than any body Thaw takes (a report's side effects are three levels down).
MAX_JSON_DEPTH = 32

NUL_MESSAGE = "Remove the NUL character (\\u0000): Thaw cannot store it."
SURROGATE_MESSAGE = "Remove the invalid character: a lone UTF-16 surrogate is not text."
INT_MESSAGE = f"Use a whole number between {INT_MIN} and {INT_MAX}."


def text_refusal(value: str) -> str | None:
    """Why a string cannot be taken, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    if any("\ud800" <= char <= "\udfff" for char in value):
        return SURROGATE_MESSAGE
    return None


def _is_surrogate_free(value: str) -> bool:
    # The fast path: a string that encodes to UTF-8 has no lone surrogate.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refusals(data, prefix: str = "") -> dict[str, list[str]]:
    """{field: [message]} for every string or integer anywhere in `data` that Thaw cannot take.

    Nested fields are named with dots (`side_effects.0.name`); keys are checked too.
    """
    errors: dict[str, list[str]] = {}
    for path, value in _leaves(data, prefix):
        message = None
        if isinstance(value, str):
            if "\x00" in value or not _is_surrogate_free(value):
                message = text_refusal(value)
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            message = INT_MESSAGE
        if message:
            errors.setdefault(_printable(path) or "_body", []).append(message)
    return errors


def _leaves(data, prefix: str) -> Iterator[tuple[str, object]]:
    """Every key and scalar with its dotted path, without recursion (depth is bounded elsewhere)."""
    stack = [(prefix, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                yield child, key
                stack.append((child, item))
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
        else:
            yield path, value


def _printable(path: str) -> str:
    """A field name fit to send back: the refused characters themselves are shown escaped."""
    return "".join(char if text_refusal(char) is None else f"\\u{ord(char):04x}" for char in path)


def as_id(text: str) -> int | None:
    """A page's typed or chosen id (ASCII digits within INT_MAX) as a number, or None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(INT_MAX)) or int(text) > INT_MAX:
        return None
    return int(text)


def depth_of(data) -> int:
    depth, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (dict, list)):
            depth = max(depth, level)
            if level > MAX_JSON_DEPTH:
                break
            stack.extend((item, level + 1) for item in (value.values() if isinstance(value, dict) else value))
    return depth


# --- JSON bodies -------------------------------------------------------------------------

class MalformedJSON(BadRequest):
    description = "The request body is not valid JSON."


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str | bytes):
    """Strict JSON: no NaN or Infinity, nesting bounded; a ValueError saying what is wrong otherwise."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    if depth_of(data) > MAX_JSON_DEPTH:
        raise ValueError("nested too deeply")
    return data


class StrictJSONProvider(DefaultJSONProvider):
    """app.json: request.get_json() parses with the same rules as the door below."""

    def loads(self, s, **kwargs):
        return parse_json(s)


def _by_name(multidict) -> dict[str, list[str]]:
    """Refusals in a query string or form, by parameter name (a name may be given several times)."""
    errors: dict[str, list[str]] = {}
    for name, values in multidict.lists():
        for message in sorted({m for ms in refusals({name: values}).values() for m in ms}):
            errors.setdefault(_printable(name), []).append(message)
    return errors


def refused_form_fields() -> dict[str, list[str]]:
    """What the input layer refused in this request's form: no unit of work may write then."""
    return g.get("refused_form_fields") or {}


def check_request() -> None:
    """before_request: refuse what no feature can take, before any feature reads it.

    A page's form is not refused here: the view shows it again with the message (app/core/forms.py),
    and app/core/unit_of_work.py writes nothing for a request whose form was refused.
    """
    errors = _by_name(request.args)
    if not is_api_request() and request.method == "POST":
        g.refused_form_fields = _by_name(request.form)
    if is_api_request() and request.is_json and request.content_length != 0:
        body = request.get_data(cache=True)
        if body:
            try:
                data = parse_json(body)
            except ValueError as error:
                detail = ("The request body is nested too deeply." if "nested" in str(error)
                          else "The request body is not valid JSON.")
                raise MalformedJSON(detail)
            errors.update(refusals(data))
    if errors:
        raise InvalidInput(errors)


# --- path converters ---------------------------------------------------------------------

def _digits_at_most(limit: int) -> str:
    """A regular expression for the decimal numbers from 0 to `limit`, leading zeros allowed."""
    digits = str(limit)
    parts = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            parts.append(digits[:i] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


# A path that no converter matches is a 404. A converter that matched and then refused would
# be a 405 wherever another method shares the path, so the bounds live in the expressions.
class Int64Converter(IntegerConverter):
    """`<int:id>`: a number that fits an id column; a larger one matches no route."""
    regex = _digits_at_most(INT_MAX)

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)  # documents the bound in the OpenAPI description
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """`<name>`: a path segment without NUL (no row holds one, so it is a 404)."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None):
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def register_input_layer(app: Flask) -> None:
    """Called before any blueprint is registered: routes bind their converters when added.

    The OpenAPI description follows (flask-smorest documents subclasses as their werkzeug parents,
    with Int64Converter's maximum).
    """
    app.json = StrictJSONProvider(app)
    app.url_map.converters.update(int=Int64Converter, default=TextConverter, string=TextConverter)
    app.before_request(check_request)
