"""Domain errors, and the one layer that turns any error into a response.

Services raise the domain errors below; they never know about HTTP. The API
answers RFC 9457 problem details, the HTML side an error page.
"""
import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str | None = None, errors: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors


class InvalidInput(DomainError):
    """Field errors, collected before answering: {field: [message, ...]}."""
    status = 422
    title = "Invalid fields"

    def __init__(self, errors: dict, detail: str | None = None):
        super().__init__(detail or "Some fields need attention.", errors)


class NotAuthenticated(DomainError):
    status = 401
    title = "Not signed in"


class NotAllowed(DomainError):
    status = 403
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


def field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput({field: [message]})


def is_api_request() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None,
            headers: dict | None = None):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title}
    if errors:
        body["errors"] = flat_errors(errors)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flat_errors(errors: dict, prefix: str = "") -> dict[str, list[str]]:
    """{field: [message]} as the API promises, nested fields named with dots (`tags.0`, `side_effects.1.name`)."""
    flat: dict[str, list[str]] = {}
    for field, messages in errors.items():
        name = f"{prefix}.{field}" if prefix else str(field)
        if isinstance(messages, dict):
            for key, value in flat_errors(messages, name).items():
                flat.setdefault(key, []).extend(value)
        else:
            flat.setdefault(name, []).extend(str(m) for m in (messages if isinstance(messages, list) else [messages]))
    return flat


def _flatten_webargs(messages: dict) -> dict:
    """webargs groups errors by location ({"json": {...}}); clients want fields."""
    errors: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            errors.update(fields)
        else:
            errors.setdefault("_" + location, []).extend(fields)
    return errors


def _http_problem(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = None
    detail = error.description
    if "messages" in data:
        errors = _flatten_webargs(data["messages"])
        if error.code == 400:
            detail = "The request body is not valid JSON."
            errors = None
        else:
            detail = "Some fields need attention."
    headers = dict(data.get("headers") or {})
    if error.code == 429:
        detail = "Too many attempts. Please wait a little and try again."
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(error.code, error.name, detail, errors, headers)


def _render_page(status: int, title: str, detail: str):
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def handle_domain_error(error: DomainError):
    if is_api_request():
        return problem(error.status, error.title, error.detail, error.errors)
    return _render_page(error.status, error.title, error.detail)


def handle_http_exception(error: HTTPException):
    if is_api_request():
        return _http_problem(error)
    if error.code == 429:
        return _render_page(429, "Please slow down",
                            "Too many attempts in a short time. Please wait a few minutes and try again.")
    if error.code == 400 and "CSRF" in (error.description or ""):
        return _render_page(400, "This form has expired",
                            "For your safety the form could not be accepted. Please go back, reload the page and send it again.")
    return _render_page(error.code or 500, error.name, error.description or error.name)


def handle_unexpected(error: Exception):
    log.exception("unexpected error", exc_info=error)
    wrapped = InternalServerError()
    if is_api_request():
        return problem(500, wrapped.name, "Something went wrong on our side. Please try again.")
    return _render_page(500, "Something went wrong",
                        "Something went wrong on our side. Nothing you did caused it; please try again.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
