"""Email, through an outbox: `send(to, subject, text, html, reason)`.

A message is a row of `mail_outbox`, written in the caller's unit of work, so it exists only if the
transaction commits (a rolled-back registration sends nothing). Once the unit commits, the row is sent
by a background thread (MAIL_SEND_IN_BACKGROUND), so no request waits on the mail server. A message the
server refuses, or that a crashed process never sent, stays in the table and is tried again with a
growing delay: by the next message sent, by a request once a minute, and by `flask mail send-pending`
(cron). A sent message is deleted at once: the outbox never keeps a link that was delivered.

Each row is claimed before it is sent (`claimed_until`), so two senders never send it twice.
"""
import json
import logging
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.core.unit_of_work import on_commit, unit_of_work
from app.extensions import db

log = logging.getLogger(__name__)
mail = Mail()

CLAIM_MINUTES = 5
RETRY_CHECK_SECONDS = 60


class OutboxMessage(db.Model):
    """An email waiting to be sent (deleted once the mail server took it)."""
    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_due", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # Why the last attempt failed (the server's answer, never the message); null until one fails.
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # Extra headers as JSON (List-Unsubscribe and List-Unsubscribe-Post of notification emails).
    headers: Mapped[str | None] = mapped_column(sa.Text)


def send(to: str, subject: str, text: str, html: str, reason: str,
         headers: dict[str, str] | None = None) -> OutboxMessage:
    """Queues a message in the current unit of work; it leaves only after the unit commits.

    `reason` ("you asked to reset your password") ends both bodies, so every email says why it came.
    Never put health details in a message: mail servers and inboxes keep them.
    """
    footer_text = f"\n\n--\nYou receive this email because {reason}.\nThaw, {current_app.config['PUBLIC_URL']}\n"
    footer_html = (f'<hr><p style="color:#555">You receive this email because {_escape(reason)}.<br>'
                   f'Thaw, {_escape(current_app.config["PUBLIC_URL"])}</p>')
    message = OutboxMessage(to=to, subject=subject, text=text.rstrip() + footer_text,
                            html=f"<!doctype html><html><body>{html}{footer_html}</body></html>",
                            headers=json.dumps(headers) if headers else None)
    with unit_of_work():
        db.session.add(message)
        db.session.flush()
        message_id = message.id
        on_commit(lambda: _after_commit([message_id]))
    return message


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))


def _after_commit(ids: list[int]) -> None:
    app = current_app._get_current_object()
    if app.config["MAIL_SEND_IN_BACKGROUND"]:
        threading.Thread(target=_send_in_thread, args=(app, ids), daemon=True, name="thaw-mail").start()
    else:
        deliver(ids)


def _send_in_thread(app: Flask, ids: list[int] | None) -> None:
    with app.app_context():
        try:
            deliver(ids)
        except Exception:  # the rows stay pending: the next sender tries them again
            log.exception("Sending mail failed; the messages stay in the outbox.")
        finally:
            db.session.remove()


def deliver(ids: list[int] | None = None, limit: int = 100) -> tuple[int, int]:
    """Sends the given messages, or those due; returns (sent, failed). Safe to run from several places."""
    now = utcnow()
    query = sa.select(OutboxMessage.id)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    else:
        query = query.where(OutboxMessage.next_attempt_at <= now).order_by(OutboxMessage.id).limit(limit)
    query = query.where(OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"])
    sent = failed = 0
    for message_id in list(db.session.scalars(query)):
        message = _claim(message_id)
        if message is None:
            continue
        try:
            _send_now(message)
        except Exception as error:  # noqa: BLE001 (any failure of the server or network: try again later)
            failed += 1
            _failed(message, error)
        else:
            sent += 1
            with unit_of_work():
                db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id == message.id))
    return sent, failed


def _claim(message_id: int) -> OutboxMessage | None:
    now = utcnow()
    with unit_of_work():
        claimed = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id,
                   sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
            .values(claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
            .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def _failed(message: OutboxMessage, error: Exception) -> None:
    attempts = message.attempts + 1
    log.warning("Mail to message %s not sent (attempt %s): %s", message.id, attempts, type(error).__name__)
    with unit_of_work():
        message.attempts = attempts
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        message.claimed_until = None
        message.next_attempt_at = utcnow() + timedelta(minutes=2 ** min(attempts - 1, 10))


def _send_now(message: OutboxMessage) -> None:
    cfg = current_app.config
    options = {}
    if cfg["MAIL_BACKEND"] == "smtp":
        options = dict(host=cfg["MAIL_SERVER"], port=cfg["MAIL_PORT"], username=cfg["MAIL_USERNAME"],
                       password=cfg["MAIL_PASSWORD"], use_tls=cfg["MAIL_USE_TLS"], use_ssl=cfg["MAIL_USE_SSL"],
                       timeout=cfg["MAIL_TIMEOUT"])
    with mail.get_connection(backend=cfg["MAIL_BACKEND"], **options) as connection:
        email = EmailMultiAlternatives(subject=message.subject, body=message.text,
                                       from_email=cfg["MAIL_DEFAULT_SENDER"], to=[message.to],
                                       connection=connection,
                                       headers=json.loads(message.headers) if message.headers else None)
        email.attach_alternative(message.html, "text/html")
        email.send()


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) or 0


class FileEmailBackend(BaseEmailBackend):
    """Without a mail server: each message becomes instance/mail/<time>-<id>.eml, and the log says where."""

    def send_messages(self, email_messages):
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        for email in email_messages:
            path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(email.message().as_bytes())
            log.warning("No MAIL_SERVER: an email was written to %s", path)
        return len(email_messages)


_last_retry = {"at": 0.0}


def _retry_due_now_and_then(response):
    """Once a minute per process, a request sends what is due in the background (after its answer is built)."""
    now = time.monotonic()
    app = current_app._get_current_object()
    if app.config["MAIL_SEND_IN_BACKGROUND"] and now - _last_retry["at"] > RETRY_CHECK_SECONDS:
        _last_retry["at"] = now
        threading.Thread(target=_send_in_thread, args=(app, None), daemon=True, name="thaw-mail").start()
    return response


def init_mail(app: Flask) -> None:
    mail.init_app(app)
    app.after_request(_retry_due_now_and_then)
