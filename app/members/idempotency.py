"""Idempotency-Key: a client that retries a POST (its answer was lost, a connection dropped) must not
create the thing twice.

A member's POST that creates something (a thread, a reply, a poll, a flag) may carry
`Idempotency-Key: <1-255 visible ASCII characters>`. The first request with a key claims it, then writes;
its answer (status and body) is kept for IDEMPOTENCY_KEY_HOURS. Within that time the same key from the
same member:
- with the same request (method, path, body) gets the first answer again, with `Idempotent-Replayed: true`,
  and nothing is written;
- with another request is a 422 naming the header;
- while the first is still running, or when the first one's write committed but its answer was lost,
  is a 409: sending it again would write twice.
A first request that wrote nothing (refused, invalid, or the database failed before its commit) gives
its key back, so a retry runs afresh. Keys are per member: two members' keys never meet.
"""
import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, make_response, request
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.members.auth import current_api_member
from app.members.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_COMMITS = "idempotency_commits"

PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": "Send the same key when retrying: the first answer comes back and nothing is written "
                   "twice (kept 24 hours by default). The same key with another body is a 422; while the "
                   "first request runs, a 409.",
}


@sa.event.listens_for(Session, "after_commit")
def _count_commit(session) -> None:
    session.info[_COMMITS] = session.info.get(_COMMITS, 0) + 1


def idempotent(view):
    """For API views that create something, below `token_required`: honours an Idempotency-Key."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return _answer_from_what_was_written(view, *args, **kwargs)
        if not VALID_KEY.fullmatch(key):
            raise InvalidInput({HEADER: ["Use 1 to 255 visible ASCII characters, e.g. a UUID."]})
        member_id = current_api_member().id
        stored = _claim(member_id, key, _fingerprint())
        if stored is not None:
            return _replay(stored)
        commits_before = db.session().info.get(_COMMITS, 0)
        try:
            response = make_response(_answer_from_what_was_written(view, *args, **kwargs))
        except BaseException:
            if db.session().info.get(_COMMITS, 0) == commits_before:
                _release(member_id, key)  # nothing was written: a retry may run afresh
            raise
        _record(member_id, key, response)
        return response
    return Blueprint.doc(parameters=[PARAMETER])(wrapper)


def _answer_from_what_was_written(view, *args, **kwargs):
    """The answer is built from the rows the service just wrote, not reloaded after the commit: a
    connection lost right then must not turn a stored post into an error that invites a second post."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        return view(*args, **kwargs)
    finally:
        session.expire_on_commit = expire


def _fingerprint() -> str:
    body = request.get_json(silent=True)
    canonical = (json.dumps(body, sort_keys=True, separators=(",", ":")).encode() if body is not None
                 else request.get_data())
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def _find(member_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(sa.select(IdempotencyKey).where(
        IdempotencyKey.member_id == member_id, IdempotencyKey.key == key, IdempotencyKey.expires_at > utcnow()))


def _claim(member_id: int, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Claims the key for this request (None), or hands back the answer a first request got."""
    for _ in range(2):
        found = _find(member_id, key)
        if found is not None:
            return _stored_answer(found, fingerprint)
        hours = current_app.config["IDEMPOTENCY_KEY_HOURS"]
        try:
            with unit_of_work():
                db.session.execute(sa.delete(IdempotencyKey).where(
                    IdempotencyKey.member_id == member_id, IdempotencyKey.expires_at <= utcnow()))
                db.session.add(IdempotencyKey(member_id=member_id, key=key, request_hash=fingerprint,
                                              expires_at=utcnow() + timedelta(hours=hours)))
            return None
        except IntegrityError:  # the same key, claimed a moment ago by a request running beside this one
            continue
    raise Conflict("A request with this Idempotency-Key is being processed. Please wait and retry.")


def _stored_answer(found: IdempotencyKey, fingerprint: str) -> IdempotencyKey:
    if found.request_hash != fingerprint:
        raise InvalidInput({HEADER: ["This key was used for a different request. Use a new key for a new "
                                     "request."]})
    if found.status_code is None:
        raise Conflict("A request with this Idempotency-Key is still being processed, or was written but its "
                       "answer was lost. Check whether it took effect before sending it under a new key.")
    return found


def _release(member_id: int, key: str) -> None:
    try:
        with unit_of_work():
            db.session.execute(sa.delete(IdempotencyKey).where(
                IdempotencyKey.member_id == member_id, IdempotencyKey.key == key,
                IdempotencyKey.status_code.is_(None)))
    except SQLAlchemyError:  # the database is down: the claim stays until it expires (a retry gets 409)
        pass


def _record(member_id: int, key: str, response) -> None:
    """Keeps the answer. If that fails the write still stands: the client gets it now, a retry gets 409."""
    try:
        with unit_of_work():
            db.session.execute(sa.update(IdempotencyKey).where(
                IdempotencyKey.member_id == member_id, IdempotencyKey.key == key).values(
                status_code=response.status_code, response_body=response.get_data(as_text=True)))
    except SQLAlchemyError:
        current_app.logger.warning("Could not keep the answer of an Idempotency-Key request", exc_info=True)


def _replay(stored: IdempotencyKey):
    response = current_app.response_class(stored.response_body, status=stored.status_code,
                                          mimetype="application/json")
    response.headers[REPLAYED_HEADER] = "true"
    return response
