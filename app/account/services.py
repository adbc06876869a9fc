"""Export and deletion: every table that holds something of a member, in one place.

A new table that stores something about a member belongs in `export` and `delete_account` (and, if it
ages out, in retention.py).
"""
import re

import sqlalchemy as sa
from sqlalchemy.orm import object_mapper

from app.core.db import utcnow
from app.core.unit_of_work import unit_of_work
from app.experiences.models import ExperienceReport, ExperienceRevision, ExperienceSideEffect, experience_symptoms
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post, PostRevision, PostStatus, Thread
from app.members import emails, services as members
from app.members.models import ApiToken, EmailLink, IdempotencyKey, Member, MemberStatus
from app.moderation.models import AuditEntry, Flag
from app.core.mail import OutboxMessage
from app.notifications.models import (Notification, NotificationPreference, NotificationSettings, Reaction,
                                      TagFollow, ThreadFollow)
from app.polls.models import Ballot, BallotChoice, Poll, PollOption

FORMER_MEMBER = "a former member"
# Columns that are secrets (never exported) or point at other members (exported as "you" or left out).
SECRET_COLUMNS = {"password_hash", "session_secret", "token_hash", "handle_key", "response_body", "request_hash"}


def _row(obj, leave_out: tuple[str, ...] = ()) -> dict:
    row = {}
    for column in object_mapper(obj).columns:
        if column.key in SECRET_COLUMNS or column.key in leave_out:
            continue
        value = getattr(obj, column.key)
        if hasattr(value, "isoformat"):
            value = value.isoformat().replace("+00:00", "Z")
        elif hasattr(value, "value"):
            value = value.value
        row[column.key] = value
    return row


_MENTION = re.compile(r"@([A-Za-z0-9_-]{3,30})")


def _without_others(row: dict, member: Member) -> dict:
    """A notification may name whoever replied ("@bob replied to your post"): the export names nobody else."""
    def keep_own(match):
        return match.group(0) if match.group(1).casefold() == member.handle_key else "@another member"
    for key in ("message", "reason"):
        if isinstance(row.get(key), str):
            row[key] = _MENTION.sub(keep_own, row[key])
    return row


def _all(query) -> list:
    return list(db.session.scalars(query))


def export(member: Member) -> dict:
    """Everything stored about the member, and nothing about anyone else (README, "Your data")."""
    posts = _all(sa.select(Post).where(Post.author_id == member.id).order_by(Post.id))
    post_ids = [p.id for p in posts]
    revisions = _all(sa.select(PostRevision).where(PostRevision.post_id.in_(post_ids)).order_by(PostRevision.id))
    reports = _all(sa.select(ExperienceReport).where(ExperienceReport.member_id == member.id)
                   .order_by(ExperienceReport.id))
    report_ids = [r.id for r in reports]
    polls = _all(sa.select(Poll).where(Poll.creator_id == member.id).order_by(Poll.id))
    ballots = _all(sa.select(Ballot).where(Ballot.member_id == member.id).order_by(Ballot.id))
    choices = _all(sa.select(BallotChoice).where(BallotChoice.ballot_id.in_([b.id for b in ballots])))
    return {
        "format": "thaw-export/1",
        "exported_at": utcnow().isoformat().replace("+00:00", "Z"),
        "profile": _row(member),
        "consent": {"ballots_in_stats": member.stats_consent,
                    "reports_in_stats": {r.id: r.share_in_stats for r in reports}},
        "threads": [_row(t, ("reply_count", "last_activity_at"))
                    for t in _all(sa.select(Thread).where(Thread.author_id == member.id).order_by(Thread.id))],
        "posts": [_row(p) for p in posts],
        # A moderator's edit of the member's post is kept as a revision: its words are the member's post,
        # who edited is the moderator's, so only "by_you" says whether the member made it.
        "post_revisions": [dict(_row(r, ("editor_id",)), by_you=r.editor_id == member.id) for r in revisions],
        "polls": [dict(_row(p), options=[_row(o) for o in _all(
            sa.select(PollOption).where(PollOption.poll_id == p.id).order_by(PollOption.id))]) for p in polls],
        "ballots": [dict(_row(b), option_ids=[c.option_id for c in choices if c.ballot_id == b.id])
                    for b in ballots],
        "experience_reports": [dict(_row(r), side_effects=[_row(s) for s in _all(
            sa.select(ExperienceSideEffect).where(ExperienceSideEffect.report_id == r.id))],
            symptom_ids=list(db.session.scalars(sa.select(experience_symptoms.c.tag_id).where(
                experience_symptoms.c.report_id == r.id)))) for r in reports],
        "experience_revisions": [_row(r) for r in _all(sa.select(ExperienceRevision).where(
            ExperienceRevision.report_id.in_(report_ids)).order_by(ExperienceRevision.id))],
        "flags_filed": [_row(f, ("queue_item_id",)) for f in _all(
            sa.select(Flag).where(Flag.member_id == member.id).order_by(Flag.id))],
        "notifications": [_without_others(_row(n), member) for n in _all(
            sa.select(Notification).where(Notification.member_id == member.id).order_by(Notification.id))],
        "thread_follows": [_row(f) for f in _all(sa.select(ThreadFollow).where(ThreadFollow.member_id == member.id))],
        "tag_follows": [_row(f) for f in _all(sa.select(TagFollow).where(TagFollow.member_id == member.id))],
        "notification_preferences": [_row(p) for p in _all(sa.select(NotificationPreference).where(
            NotificationPreference.member_id == member.id))],
        "notification_settings": [_row(x) for x in _all(sa.select(NotificationSettings).where(
            NotificationSettings.member_id == member.id))],
        "reactions": [_row(r) for r in _all(sa.select(Reaction).where(Reaction.member_id == member.id))],
        # What moderators did about the member, without naming the moderator.
        "moderation_actions": [_row(a, ("moderator_id", "moderator_handle", "moderator_role")) for a in _all(
            sa.select(AuditEntry).where(AuditEntry.member_id == member.id).order_by(AuditEntry.id))],
        "api_tokens": [_row(t) for t in _all(sa.select(ApiToken).where(ApiToken.member_id == member.id)
                                             .order_by(ApiToken.id))],
        "email_links": [_row(link, ("email",)) for link in _all(
            sa.select(EmailLink).where(EmailLink.member_id == member.id).order_by(EmailLink.id))],
        "idempotency_keys": [_row(k) for k in _all(sa.select(IdempotencyKey).where(
            IdempotencyKey.member_id == member.id).order_by(IdempotencyKey.id))],
    }


@unit_of_work()
def delete_account(member: Member, password: str, erase_posts: bool) -> None:
    """Deletes an account (403 on a wrong password, nothing changed).

    The member row stays, so that posts keep their place and the handle stays held (HANDLE_HOLD_DAYS), but
    holds nothing that names the person: handle "a former member", no email, no password.
    """
    members.check_password(member, password)
    address, handle = member.email, member.handle
    if erase_posts:
        for post in _all(sa.select(Post).where(Post.author_id == member.id, Post.status != PostStatus.deleted)):
            if post.status != PostStatus.removed:  # a moderator's removal stays on record as removed
                forum.set_post_status(post, PostStatus.deleted)
            forum.erase_words(post)
    # Explicit deletes of every child: the rows go whether or not the database enforces ON DELETE CASCADE.
    reports = sa.select(ExperienceReport.id).where(ExperienceReport.member_id == member.id)
    for table in (ExperienceRevision.__table__, ExperienceSideEffect.__table__, experience_symptoms):
        db.session.execute(sa.delete(table).where(table.c.report_id.in_(reports)))
    db.session.execute(sa.delete(ExperienceReport).where(ExperienceReport.member_id == member.id))
    ballots = sa.select(Ballot.id).where(Ballot.member_id == member.id)
    db.session.execute(sa.delete(BallotChoice).where(BallotChoice.ballot_id.in_(ballots)))
    db.session.execute(sa.delete(Ballot).where(Ballot.member_id == member.id))
    db.session.execute(sa.delete(EmailLink).where(EmailLink.member_id == member.id))
    # What was only for them: their inbox, follows and settings, and any email not yet sent to them.
    # Their reactions stay, as counts nobody can trace (like their posts, they belong to the conversation).
    for model in (Notification, ThreadFollow, TagFollow, NotificationPreference, NotificationSettings):
        db.session.execute(sa.delete(model).where(model.member_id == member.id))
    if address:
        db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.to == address))
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.member_id == member.id))
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.member_id == member.id)
                       .values(member_handle=FORMER_MEMBER))
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.moderator_id == member.id)
                       .values(moderator_handle=FORMER_MEMBER))
    members.end_all_sessions(member)
    member.status = MemberStatus.deleted
    member.deleted_at = utcnow()
    member.handle = FORMER_MEMBER
    member.email = member.pending_email = member.password_hash = None
    member.stats_consent = False
    if address:
        emails.account_deleted(address, handle)
    db.session.expire_all()
