"""The audit log is written beside each action, inside the action's own transaction."""
from app.extensions import db
from app.members.models import Member
from app.moderation.models import AuditEntry


def record(moderator: Member, action: str, target_type: str, target_id: int | None, reason: str,
           member: Member | None = None, details: dict | None = None) -> AuditEntry:
    """Adds an entry to the session; the caller's commit writes it together with the action.

    `member` is the member the action concerns (a post's author, a suspended member).
    """
    entry = AuditEntry(moderator_id=moderator.id, moderator_handle=moderator.handle,
                       moderator_role=moderator.role.value, action=action, target_type=target_type,
                       target_id=target_id, member_id=member.id if member else None,
                       member_handle=member.handle if member else None, reason=reason, details=details)
    db.session.add(entry)
    return entry
