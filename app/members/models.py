from datetime import datetime, timedelta
import enum
import secrets

import sqlalchemy as sa
from flask import current_app
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
    # The member's verified address (sign-in, resets): null until one is verified, and after deletion.
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    # An address waiting for its emailed link (at registration, or a change); several accounts may wait
    # for the same one: the first to follow its link takes it.
    pending_email: Mapped[str | None] = mapped_column(sa.String(254))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))  # erased on deletion
    # Flask-Login's alternative id: sessions and remember cookies hold this, so a new one ends them all.
    session_secret: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    deleted_at: Mapped[datetime | None]
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

    @property
    def is_deleted(self) -> bool:
        return self.status == MemberStatus.deleted

    # Flask-Login: a suspended or deleted member's session stops working.
    @property
    def is_active(self) -> bool:
        return self.can_sign_in

    # -- sessions ---------------------------------------------------------------------------------
    # A session (and a remember cookie) holds "<session secret>.<sign-in time>.<r|s>": rotating the secret
    # ends every session; the time makes each sign-in's cookies differ and lets them expire (SESSION_HOURS,
    # REMEMBER_DAYS when remembered) whatever the browser keeps.

    def start_session(self, remember: bool) -> None:
        self._session_started = (int(utcnow().timestamp()), remember)

    def get_id(self) -> str:
        started, remember = getattr(self, "_session_started", None) or (int(utcnow().timestamp()), False)
        return f"{self.session_secret}.{started}.{'r' if remember else 's'}"

    @property
    def session_remembered(self) -> bool:
        return (getattr(self, "_session_started", None) or (0, False))[1]

    def rotate_session_secret(self) -> None:
        self.session_secret = secrets.token_urlsafe(32)

    @classmethod
    def for_session(cls, session_id: str) -> "Member | None":
        """Flask-Login's loader: the member whose secret the session holds, if the sign-in has not expired."""
        secret, _, rest = (session_id or "").partition(".")
        started, _, kind = rest.partition(".")
        if not secret or not started.isdigit() or kind not in ("r", "s") or len(started) > 12:
            return None
        config = current_app.config
        lifetime = (timedelta(days=config["REMEMBER_DAYS"]) if kind == "r"
                    else timedelta(hours=config["SESSION_HOURS"]))
        if datetime.fromtimestamp(int(started), utcnow().tzinfo) + lifetime <= utcnow():
            return None
        from app.extensions import db as database
        member = database.session.scalar(sa.select(cls).where(cls.session_secret == secret))
        if member is not None:
            member._session_started = (int(started), kind == "r")
        return member


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    # Only a SHA-256 of the token is kept: a leaked table gives no usable token.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    member = relationship("Member", back_populates="tokens")


class LinkPurpose(str, enum.Enum):
    verify_email = "verify_email"
    reset_password = "reset_password"


class EmailLink(db.Model):
    """A single-use link sent by email. Only a SHA-256 of its token is kept; `used_at` ends it."""
    __tablename__ = "email_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(sa.Enum(LinkPurpose, native_enum=False, length=20))
    # The address the link was sent to (the one a verification proves).
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


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
