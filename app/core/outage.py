"""While the database does not answer: 503 with Retry-After, for pages and API alike.

A dropped connection, a refused one, a pool that is exhausted: the client did nothing wrong and should
come back shortly, so it is told so (RFC 9110 §15.6.4) instead of getting a 500. The page is rendered
without the site's layout, which would ask the database who is signed in.
"""
import logging
import sqlite3

from flask import Flask, current_app, render_template
from sqlalchemy import exc

from app.core.errors import handle_unexpected, is_api_request, problem
from app.extensions import db

log = logging.getLogger(__name__)

UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)
DETAIL = "The database is not answering at the moment. Nothing was lost; please try again in a few seconds."


# SQLite reports mistakes (no such table, a syntax error) as OperationalError too; only these are passing.
SQLITE_PASSING = ("locked", "busy", "unable to open", "disk i/o")


def _is_outage(error: Exception) -> bool:
    if getattr(error, "connection_invalidated", False):
        return True
    if not isinstance(error, UNAVAILABLE):
        return False
    if isinstance(getattr(error, "orig", None), sqlite3.OperationalError):
        return any(words in str(error.orig).lower() for words in SQLITE_PASSING)
    return True


def handle_database_error(error: exc.SQLAlchemyError):
    if not _is_outage(error):
        return handle_unexpected(error)
    log.warning("database unavailable: %s", error.__class__.__name__, exc_info=error)
    try:
        db.session.rollback()
    except exc.SQLAlchemyError:
        pass
    retry_after = str(current_app.config.get("DATABASE_RETRY_AFTER", 5))
    if is_api_request():
        return problem(503, "Service unavailable", DETAIL, headers={"Retry-After": retry_after})
    page = render_template("errors/unavailable.html", detail=DETAIL)
    return page, 503, {"Retry-After": retry_after}


def register_outage_handler(app: Flask) -> None:
    app.register_error_handler(exc.SQLAlchemyError, handle_database_error)
