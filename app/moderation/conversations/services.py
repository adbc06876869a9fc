"""Moderators check in with a member in private: any moderator starts a conversation (from a queue item or
the member's moderation page), the member and every moderator read and answer it, the member sees
"the moderators (@handle)". Starting one and each moderator's message are audited; the member is told
through notifications (a moderators' message: by email at once unless they chose otherwise)."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.db import utcnow
from app.core.errors import InvalidInput, NotFound
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.services import require_active
from app.members.models import Member
from app.members.services import member_by_handle
from app.moderation.audit.services import record
from app.moderation.conversations.models import Conversation, ConversationMessage
from app.moderation.conversations.schemas import MESSAGE_MAX
from app.moderation.models import QueueItem
from app.moderation.rules import require_moderator
from app.notifications.models import NotificationKind
from app.notifications.services import notify

AUDIT_REASON = "Checked in privately with the member."


def _checked_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput({"body": ["Write a message."]})
    if len(body) > MESSAGE_MAX:
        raise InvalidInput({"body": [f"Keep it under {MESSAGE_MAX:,} characters."]})
    return body


@unit_of_work()
def start(moderator: Member | None, handle: str, body: str, queue_item_id: int | None = None) -> Conversation:
    moderator = require_moderator(moderator)
    member = member_by_handle(handle or "")
    if member is None or member.is_deleted:
        raise InvalidInput({"member": ["There is no member with that handle."]})
    if member.id == moderator.id:
        raise InvalidInput({"member": ["You cannot check in with yourself."]})
    body = _checked_body(body)
    if queue_item_id is not None and db.session.get(QueueItem, queue_item_id) is None:
        raise InvalidInput({"queue_item_id": ["There is no such queue item."]})
    conversation = Conversation(member=member, started_by_id=moderator.id, queue_item_id=queue_item_id)
    db.session.add(conversation)
    db.session.flush()
    _add(conversation, moderator, body, from_moderators=True)
    record(moderator, "check_in", "conversation", conversation.id, AUDIT_REASON, member=member,
           details={"queue_item_id": queue_item_id} if queue_item_id else None)
    return conversation


def _add(conversation: Conversation, author: Member, body: str, from_moderators: bool) -> ConversationMessage:
    message = ConversationMessage(conversation=conversation, author_id=author.id, author_handle=author.handle,
                                  from_moderators=from_moderators, body=body)
    db.session.add(message)
    conversation.last_message_at = utcnow()
    conversation.awaiting_moderators = not from_moderators
    if from_moderators:
        notify(conversation.member, NotificationKind.moderator_message,
               f"The moderators (@{author.handle}) wrote to you privately")
    return message


def _load(viewer: Member, conversation_id: int) -> Conversation:
    conversation = db.session.scalar(sa.select(Conversation).options(selectinload(Conversation.messages))
                                     .where(Conversation.id == conversation_id))
    # The member it is with and moderators only; anyone else gets the same 404 as for a missing one.
    if conversation is None or not (viewer.is_moderator or conversation.member_id == viewer.id):
        raise NotFound("There is no such conversation.")
    return conversation


def get(viewer: Member | None, conversation_id: int) -> Conversation:
    return _load(require_active(viewer), conversation_id)


@unit_of_work()
def reply(viewer: Member | None, conversation_id: int, body: str) -> ConversationMessage:
    viewer = require_active(viewer)
    conversation = _load(viewer, conversation_id)
    body = _checked_body(body)
    as_moderator = conversation.member_id != viewer.id
    message = _add(conversation, viewer, body, from_moderators=as_moderator)
    if as_moderator:
        record(viewer, "check_in_reply", "conversation", conversation.id, AUDIT_REASON, member=conversation.member)
    db.session.flush()
    return message


def of_member(member: Member | None) -> list[Conversation]:
    member = require_active(member)
    return list(db.session.scalars(sa.select(Conversation).where(Conversation.member_id == member.id)
                                   .order_by(Conversation.last_message_at.desc())))


def for_moderators(moderator: Member | None, limit: int = 100) -> list[Conversation]:
    require_moderator(moderator)
    return list(db.session.scalars(sa.select(Conversation)
                                   .order_by(Conversation.awaiting_moderators.desc(),
                                             Conversation.last_message_at.desc()).limit(limit)))
