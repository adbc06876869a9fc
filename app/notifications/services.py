"""Telling members what happened to their posts and account, and why."""
from app.extensions import db
from app.members.models import Member
from app.notifications.models import Notification, NotificationKind


def notify(member: Member | None, kind: NotificationKind, message: str, reason: str | None = None,
           post_id: int | None = None, thread_id: int | None = None) -> Notification | None:
    """Adds a notification to the session; the caller's transaction commits it with the action."""
    if member is None:
        return None
    note = Notification(member_id=member.id, kind=kind, message=message, reason=reason,
                        post_id=post_id, thread_id=thread_id)
    db.session.add(note)
    return note
