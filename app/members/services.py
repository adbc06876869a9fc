"""Member operations. Each owns its transaction and raises domain errors."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotAllowed, NotAuthenticated
from app.core.schemas import rule_errors
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.members.models import ApiToken, Member, MemberStatus, Role
from app.members.schemas import LOOKS_LIKE_STAFF, RESERVED_HANDLE_RULE, handle_skeleton

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


def _taken_fields(handle: str, email: str) -> dict:
    clashes = db.session.execute(
        sa.select(Member.handle_key, Member.email).where(
            sa.or_(Member.handle_key == fold_handle(handle), Member.email == fold_email(email))
        )
    ).all()
    errors: dict = {}
    for handle_key, member_email in clashes:
        if handle_key == fold_handle(handle):
            errors["handle"] = ["That handle is already taken. Please choose another."]
        if member_email == fold_email(email):
            errors["email"] = ["An account with this email already exists. Try signing in instead."]
    return errors


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
    """Creates a member; 422 naming the handle when it would pass for staff (unless an operator creates
    the account), 409 naming the field when the handle or email is taken."""
    if role == Role.member and not operator:  # staff accounts are an operator's to create
        problems = impersonation_errors(handle)
        if problems:
            raise InvalidInput({"handle": problems})
    errors = _taken_fields(handle, email)
    if errors:
        raise Conflict("That handle or email is already registered.", errors)
    member = Member(handle=handle, handle_key=fold_handle(handle), email=fold_email(email),
                    password_hash=password_hasher().hash(password), role=role)
    try:
        with unit_of_work():
            db.session.add(member)
    except IntegrityError:
        # Someone registered the same name between our check and our insert (the unit rolled back).
        raise Conflict("That handle or email is already registered.", _taken_fields(handle, email))
    return member


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
    if member is None or member.status == MemberStatus.deleted:
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
