from datetime import datetime
import enum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class Role(str, enum.Enum):
    member = "member"
    moderator = "moderator"
    admin = "admin"


class MemberStatus(str, enum.Enum):
    active = "active"
    suspended = "suspended"
    deleted = "deleted"


ROLE_RANK = {Role.member: 0, Role.moderator: 1, Role.admin: 2}


class Member(UserMixin, db.Model):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(sa.String(30))
    # Handles are unique ignoring case; the folded form carries the constraint.
    handle_key: Mapped[str] = mapped_column(sa.String(30), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20), default=Role.member)
    status: Mapped[MemberStatus] = mapped_column(
        sa.Enum(MemberStatus, native_enum=False, length=20), default=MemberStatus.active
    )
    suspended_until: Mapped[datetime | None]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whether this member's experience-poll ballots may count in community statistics.
    # Experience reports carry their own choice (ExperienceReport.share_in_stats).
    stats_consent: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    tokens = relationship("ApiToken", back_populates="member", lazy="write_only",
                          cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Member {self.handle}>"

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_moderator(self) -> bool:
        return self.has_role(Role.moderator)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.admin)

    @property
    def is_suspended(self) -> bool:
        if self.status != MemberStatus.suspended:
            return False
        return self.suspended_until is None or self.suspended_until > utcnow()

    @property
    def can_sign_in(self) -> bool:
        return self.status != MemberStatus.deleted and not self.is_suspended

    # Flask-Login: a suspended or deleted member's session stops working.
    @property
    def is_active(self) -> bool:
        return self.can_sign_in


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    # Only a SHA-256 of the token is kept: a leaked table gives no usable token.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    member = relationship("Member", back_populates="tokens")


class IdempotencyKey(db.Model):
    """A member's Idempotency-Key on a POST that creates something, and the answer it got.

    `status_code` is null while the first request runs (a second one with the key waits: 409), or when
    its write committed but its answer was lost: sending it again would then write twice.
    """
    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("member_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
