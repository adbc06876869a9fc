"""Member operations. Each owns its transaction and raises domain errors."""
import hashlib
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotAllowed, NotAuthenticated, NotFound
from app.core.schemas import rule_errors
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.members import emails
from app.members.models import ApiToken, EmailLink, LinkPurpose, Member, MemberStatus, Role
from app.members.schemas import (LOOKS_LIKE_STAFF, PASSWORD_RULE, RESERVED_HANDLE_RULE, handle_skeleton,
                                 weak_password_errors)

BAD_CREDENTIALS = "That handle or email and password do not match an account."


def password_hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("thaw_password_hasher")
    if hasher is None:
        cfg = current_app.config
        hasher = PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"],
                                parallelism=cfg["ARGON2_PARALLELISM"])
        current_app.extensions["thaw_password_hasher"] = hasher
    return hasher


def fold_handle(handle: str) -> str:
    return handle.casefold()


def fold_email(email: str) -> str:
    return email.strip().lower()


def member_by_handle(handle: str) -> Member | None:
    return db.session.scalar(sa.select(Member).where(Member.handle_key == fold_handle(handle)))


def _handle_taken(handle: str) -> dict:
    taken = db.session.scalar(sa.select(Member.id).where(Member.handle_key == fold_handle(handle)))
    return {"handle": ["That handle is already taken. Please choose another."]} if taken else {}


def member_with_address(email: str) -> Member | None:
    """The member whose verified address this is."""
    return db.session.scalar(sa.select(Member).where(Member.email == fold_email(email)))


def impersonation_errors(handle: str) -> list[str]:
    """Why a member may not take this handle: it names a staff role, or it looks like the handle of a
    moderator or admin (same skeleton: "mod_rnaria" beside "mod_maria")."""
    errors = rule_errors(RESERVED_HANDLE_RULE, handle)
    if errors:
        return errors
    staff = db.session.scalars(sa.select(Member.handle).where(
        Member.role.in_([Role.moderator, Role.admin]), Member.status != MemberStatus.deleted))
    skeleton = handle_skeleton(handle)
    if any(handle_skeleton(other) == skeleton and fold_handle(other) != fold_handle(handle) for other in staff):
        return [LOOKS_LIKE_STAFF]
    return []


def register_member(handle: str, email: str, password: str, role: Role = Role.member,
                    operator: bool = False) -> Member:
    """Creates a member, who may sign in with the handle at once; 422 naming the handle when it would pass
    for staff (unless an operator creates the account), 409 when the handle is taken.

    The address is never revealed as taken: it waits for verification by an emailed link, and when it
    already belongs to a member, that member is told instead. An operator's account is verified.
    """
    if role == Role.member and not operator:  # staff accounts are an operator's to create
        problems = impersonation_errors(handle)
        if problems:
            raise InvalidInput({"handle": problems})
    weak = weak_password_errors(password, handle, email)
    if weak:
        raise InvalidInput({"password": weak})
    errors = _handle_taken(handle)
    address = fold_email(email)
    if operator and member_with_address(address):
        errors["email"] = ["An account with this email already exists."]
    if errors:
        raise Conflict("That handle or email is already registered.", errors)
    member = Member(handle=handle, handle_key=fold_handle(handle), password_hash=password_hasher().hash(password),
                    role=role)
    if operator:
        member.email = address
    else:
        member.pending_email = address
    try:
        with unit_of_work():
            db.session.add(member)
            db.session.flush()
            if not operator:
                _send_verification(member, address)
    except IntegrityError:
        # Someone registered the same name between our check and our insert (the unit rolled back).
        raise Conflict("That handle or email is already registered.", _handle_taken(handle) or {
            "email": ["An account with this email already exists."]})
    return member


def _send_verification(member: Member, address: str, change: bool = False) -> None:
    """Inside the caller's unit: a link to the address, or, if it is someone's already, a word to its owner."""
    if member_with_address(address) is not None:
        emails.someone_used_your_address(address)
        return
    hours = current_app.config["EMAIL_VERIFY_HOURS"]
    token = _new_link(member, LinkPurpose.verify_email, address, timedelta(hours=hours))
    emails.verify_address(address, member.handle, token, hours, change)


def _new_link(member: Member, purpose: LinkPurpose, address: str, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(EmailLink(member_id=member.id, purpose=purpose, email=address, token_hash=_token_digest(token),
                             expires_at=utcnow() + lifetime))
    return token


INVALID_LINK = ("This link cannot be used: it was used already, has expired, or was copied incompletely. "
                "Ask for a new one.")


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,200}")


def _live_link(token: str, purpose: LinkPurpose) -> EmailLink:
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):  # never a query for what we never sent
        raise InvalidInput({"token": [INVALID_LINK]}, INVALID_LINK)
    link = db.session.scalar(sa.select(EmailLink).where(
        EmailLink.token_hash == _token_digest(token or ""), EmailLink.purpose == purpose,
        EmailLink.used_at.is_(None), EmailLink.expires_at > utcnow()).with_for_update())
    if link is None:
        raise InvalidInput({"token": [INVALID_LINK]}, INVALID_LINK)
    return link


@unit_of_work()
def verify_email(token: str) -> Member:
    """Follows an emailed verification link: its address becomes the member's (422 for a dead link)."""
    link = _live_link(token, LinkPurpose.verify_email)
    member = db.session.get(Member, link.member_id)
    if member.is_deleted:
        raise InvalidInput({"token": [INVALID_LINK]}, INVALID_LINK)
    owner = member_with_address(link.email)
    if owner is not None and owner.id != member.id:
        # Whoever reads this inbox may know it is taken: they are the address's owner.
        message = "This address was confirmed for another Thaw account meanwhile. Sign in with that one."
        raise InvalidInput({"token": [message]}, message)
    link.used_at = utcnow()
    member.email = link.email
    if member.pending_email == link.email:
        member.pending_email = None
    db.session.execute(sa.update(EmailLink).where(
        EmailLink.member_id == member.id, EmailLink.purpose == LinkPurpose.verify_email,
        EmailLink.used_at.is_(None)).values(used_at=utcnow()))
    return member


def request_password_reset(email: str) -> None:
    """Emails a reset link to a verified address; says nothing about whether the address is known."""
    member = member_with_address(email)
    if member is None or not member.can_sign_in:
        return
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    with unit_of_work():
        token = _new_link(member, LinkPurpose.reset_password, member.email, timedelta(minutes=minutes))
        emails.reset_password(member.email, member.handle, token, minutes)


def check_reset_link(token: str) -> None:
    """Whether a reset link still works (the page asks before showing its form)."""
    _live_link(token, LinkPurpose.reset_password)
    db.session.rollback()  # release the row lock taken to check it


@unit_of_work()
def reset_password(token: str, new_password: str) -> Member:
    """Follows a reset link: a new password, every session ended and every token revoked."""
    link = _live_link(token, LinkPurpose.reset_password)
    member = db.session.get(Member, link.member_id)
    if not member.can_sign_in or member.email != link.email:
        raise InvalidInput({"token": [INVALID_LINK]}, INVALID_LINK)
    _check_password_strength(member, new_password, "password")
    member.password_hash = password_hasher().hash(new_password)
    _end_links(member, LinkPurpose.reset_password)
    end_all_sessions(member)
    emails.password_changed(member.email, member.handle)
    return member


def _end_links(member: Member, purpose: LinkPurpose) -> None:
    db.session.execute(sa.update(EmailLink).where(
        EmailLink.member_id == member.id, EmailLink.purpose == purpose, EmailLink.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))


def _check_password_strength(member: Member, password: str, field: str) -> None:
    problems = rule_errors(PASSWORD_RULE, password) + weak_password_errors(password, member.handle,
                                                                           member.email or member.pending_email)
    if problems:
        raise InvalidInput({field: problems})


WRONG_PASSWORD = "That is not your current password."


def check_password(member: Member, password: str, field: str = "password") -> None:
    """403 naming the field unless `password` is the member's."""
    try:
        if not member.password_hash or not password_hasher().verify(member.password_hash, password or ""):
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        raise NotAllowed(WRONG_PASSWORD, {field: [WRONG_PASSWORD]})


@unit_of_work()
def change_password(member: Member, current_password: str, new_password: str,
                    keep_token: ApiToken | None = None) -> None:
    """A new password (the current one required): every session ends and every token but `keep_token`."""
    check_password(member, current_password, "current_password")
    _check_password_strength(member, new_password, "new_password")
    member.password_hash = password_hasher().hash(new_password)
    _end_links(member, LinkPurpose.reset_password)
    end_all_sessions(member, keep_token=keep_token)
    if member.email:
        emails.password_changed(member.email, member.handle)


@unit_of_work()
def change_email(member: Member, password: str, email: str) -> None:
    """The new address waits for its emailed link; the old one is told. A taken address is not revealed."""
    check_password(member, password)
    address = fold_email(email)
    if address == member.email:
        raise InvalidInput({"email": ["That is already your address."]})
    member.pending_email = address
    _end_links(member, LinkPurpose.verify_email)
    _send_verification(member, address, change=True)
    if member.email:
        emails.email_change_requested(member.email, member.handle, address)


def end_all_sessions(member: Member, keep_token: ApiToken | None = None) -> None:
    """Signs the member out everywhere: a new session secret, and their API tokens revoked."""
    with unit_of_work():
        member.rotate_session_secret()
        query = sa.delete(ApiToken).where(ApiToken.member_id == member.id)
        if keep_token is not None:
            query = query.where(ApiToken.id != keep_token.id)
        db.session.execute(query.execution_options(synchronize_session=False))


def member_tokens(member: Member) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(
        ApiToken.member_id == member.id, ApiToken.expires_at > utcnow()).order_by(ApiToken.id.desc())))


def revoke_member_token(member: Member, token_id: int) -> None:
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.member_id == member.id))
    if token is None:
        raise NotFound("You have no such token.")
    revoke_token(token)


def fold_login(login: str) -> str:
    """The one form of a login (handle or email) that lookups and the per-account sign-in limit use."""
    login = login.strip()
    return fold_email(login) if "@" in login else fold_handle(login)


def member_for_login(login: str) -> Member | None:
    column = Member.email if "@" in login else Member.handle_key
    return db.session.scalar(sa.select(Member).where(column == fold_login(login)))


def authenticate(login: str, password: str) -> Member:
    """Checks credentials; suspended and deleted members are refused."""
    member = member_for_login(login)
    hasher = password_hasher()
    if member is None or member.status == MemberStatus.deleted or not member.password_hash:
        # Spend the same time as a real check so timing does not reveal accounts.
        _spend_a_verification(hasher, password)
        raise NotAuthenticated(BAD_CREDENTIALS)
    try:
        hasher.verify(member.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated(BAD_CREDENTIALS)
    if member.is_suspended:
        # Only after the right password: a wrong one must not reveal that an account is suspended.
        raise NotAllowed(_suspension_notice(member))
    if hasher.check_needs_rehash(member.password_hash):
        with unit_of_work():
            member.password_hash = hasher.hash(password)
    return member


# The extension under which moderation registers `reason(member) -> str | None` for a suspension.
SUSPENSION_REASON = "thaw.suspension_reason"


def _suspension_notice(member: Member) -> str:
    from app.core.web import format_datetime

    until = member.suspended_until
    when = f"until {format_datetime(until)}" if until else "until a moderator lifts the suspension"
    # Moderation builds on members, not the reverse: it tells us the reason through this hook.
    reason_of = current_app.extensions.get(SUSPENSION_REASON)
    reason = reason_of(member) if reason_of else None
    why = f" The moderators' reason: “{reason}”." if reason else ""
    return f"This account is suspended {when}.{why} You can still read Thaw without signing in."


def _spend_a_verification(hasher: PasswordHasher, password: str) -> None:
    decoy = current_app.extensions.get("thaw_decoy_hash")
    if decoy is None:
        decoy = current_app.extensions["thaw_decoy_hash"] = hasher.hash(secrets.token_hex(16))
    try:
        hasher.verify(decoy, password)
    except VerificationError:
        pass


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(member: Member) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    record = ApiToken(member_id=member.id, token_hash=_token_digest(token),
                      expires_at=utcnow() + timedelta(days=current_app.config["API_TOKEN_DAYS"]))
    with unit_of_work():
        db.session.add(record)
    return token, record


def member_for_token(token: str) -> tuple[Member, ApiToken] | None:
    """The member a bearer token belongs to, if the token is live and the member may sign in."""
    row = db.session.execute(
        sa.select(ApiToken, Member).join(Member, ApiToken.member_id == Member.id)
        .where(ApiToken.token_hash == _token_digest(token), ApiToken.expires_at > utcnow())
    ).first()
    if row is None or not row.Member.can_sign_in:
        return None
    return row.Member, row.ApiToken


def revoke_token(token: ApiToken) -> None:
    with unit_of_work():
        db.session.delete(token)


def create_member(handle: str, email: str, password: str, role: Role) -> Member:
    """For operators (CLI): same rules as registration, any role, and staff handles allowed."""
    return register_member(handle, email, password, role=role, operator=True)
