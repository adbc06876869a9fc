"""Notification emails: what they may say, and the one function that hands them to the mail service.

An email names the thread's title and the author's handle, never a post's words (a member may have
written something private, and mail servers and shared inboxes keep what they are given); it says why
the member receives it and carries a signed one-click unsubscribe (RFC 8058: a link, and the
List-Unsubscribe and List-Unsubscribe-Post headers). Nothing is emailed twice (`mailed_at` is set in
the unit of work that queues the message), nor about a post no longer published.
"""
from flask import current_app, url_for
from markupsafe import escape

import sqlalchemy as sa

from app.core import mail
from app.core.db import utcnow
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post, PostStatus
from app.members.models import Member
from app.notifications.delivery import jobs
from app.notifications.models import Delivery, Notification, NotificationKind
from app.notifications.preferences.services import LABELS, unsubscribe_token

K = NotificationKind
WHY = {
    K.reply: "someone replied to your post on Thaw",
    K.mention: "someone mentioned your @handle on Thaw",
    K.followed_thread: "you follow this thread on Thaw",
    K.followed_tag: "you follow one of this thread's tags on Thaw",
    K.reaction: "members reacted to your post on Thaw",
    K.post_approved: "a moderator approved your post on Thaw",
    K.moderator_message: "the moderators of Thaw wrote to you",
}


def public_url(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def unsubscribe_headers(member_id: int, kind: NotificationKind | None) -> tuple[str, dict[str, str]]:
    link = public_url("notifications.preferences.unsubscribe", token=unsubscribe_token(member_id, kind))
    return link, {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_notification_email(member: Member, kind: NotificationKind | None, subject: str, lines: list[str],
                            reason: str) -> None:
    """The one place notification emails meet the mail service (app/core/mail.py), in the caller's unit of work."""
    link, headers = unsubscribe_headers(member.id, kind)
    what = f"these emails ({LABELS[kind].lower()})" if kind else "all notification emails"
    settings = public_url("notifications.preferences.edit")
    text = "\n".join(lines) + f"\n\nStop {what} with one click: {link}\nChoose how you hear from Thaw: {settings}\n"
    html = ("".join(f"<p>{escape(line)}</p>" for line in lines)
            + f'<p><a href="{escape(link)}">Stop {escape(what)}</a> · '
            f'<a href="{escape(settings)}">Choose how you hear from Thaw</a></p>')
    mail.send(member.email, subject, text, html, reason, headers=headers)


@jobs.in_app
def email_notifications(note_ids: list[int]) -> int:
    """Emails the given notifications (delivery "email") not yet emailed; returns how many went out."""
    sent = 0
    with unit_of_work():
        rows = db.session.execute(
            sa.select(Notification, Member, Post.status)
            .join(Member, Member.id == Notification.member_id)
            .outerjoin(Post, Post.id == Notification.post_id)
            .where(Notification.id.in_(note_ids), Notification.mailed_at.is_(None),
                   Notification.delivery == Delivery.email, Notification.read_at.is_(None))
            .with_for_update(of=Notification)).all()
        for note, member, post_status in rows:
            if member.email is None or not member.can_sign_in:
                continue
            if note.post_id is not None and post_status != PostStatus.published:
                continue  # rejected, removed or deleted before delivery
            send_notification_email(member, note.kind, _subject(note), [note.message, _link(note)], WHY[note.kind])
            sent += 1
        if rows:
            db.session.execute(sa.update(Notification).where(Notification.id.in_([n.id for n, _, _ in rows]))
                               .values(mailed_at=utcnow()).execution_options(synchronize_session=False))
    return sent


def _subject(note: Notification) -> str:
    return f"Thaw: {note.message}"[:200]


def _link(note: Notification) -> str:
    if note.thread_id is not None:
        return public_url("forum.thread", thread_id=note.thread_id) + (f"#post-{note.post_id}" if note.post_id else "")
    return public_url("notifications.index")
