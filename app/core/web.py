"""What every response shares (security and caching headers, the client's address behind a proxy),
and the display filters of pages."""
from datetime import datetime, timezone

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


# Thaw uses none of these browser features; a page (or an injected script) cannot ask for them.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=(), browsing-topics=()"
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as PROXY_FIX_X_* say (none by default).

    Read on each request, so the settings a test changes take effect at once; ProxyFix itself is stateless.
    """
    plain = app.wsgi_app

    def wsgi_app(environ, start_response):
        hops = {name: int(app.config.get(f"PROXY_FIX_X_{name.upper()}") or 0) for name in ("for", "proto", "host")}
        if any(hops.values()):
            return ProxyFix(plain, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"])(
                environ, start_response)
        return plain(environ, start_response)

    app.wsgi_app = wsgi_app


def _is_private(response) -> bool:
    """Whether a shared cache (or the browser's back button on a shared computer) must not keep this answer.

    Anything answered to a signed-in member or a token holder, every write's answer, and any answer that
    sets a cookie (a session, a CSRF token) is private.
    """
    return (request.method not in SAFE_METHODS
            or "Authorization" in request.headers
            or "_user_id" in session
            or session.modified
            or "Set-Cookie" in response.headers
            or response.status_code == 401)


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.utc).strftime("%-d %b %Y, %H:%M UTC")


def iso_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def register_page_helpers(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["isotime"] = iso_datetime
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if _is_private(response):
            response.headers["Cache-Control"] = "no-store"
            response.vary.update(("Cookie", "Authorization"))
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
