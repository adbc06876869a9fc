from flask import current_app
from flask_smorest import Blueprint

from app.extensions import limiter
from app.members import services
from app.members.auth import (current_api_member, current_api_token, remember_signin_address, signin_limits,
                              token_required, write_limit)
from app.members.schemas import (EmailChangeSchema, MemberSchema, MeSchema, PasswordChangeSchema, RegistrationSchema,
                                 ResetConfirmSchema, ResetRequestSchema, SignInSchema, TokenListSchema, TokenSchema,
                                 VerificationSchema)

blp = Blueprint("members_api", __name__, url_prefix="/api/v1", description="Members and API tokens")


def _failed(response) -> bool:
    return response.status_code >= 400


@blp.route("/members", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"])
@blp.arguments(RegistrationSchema)
@blp.response(201, MemberSchema)
def register(data):
    """Register a member: the answer is the same whether or not the email is taken (its owner is told)"""
    return services.register_member(**data)


@blp.route("/tokens", methods=["POST"])
@signin_limits(failed=_failed)
@blp.arguments(SignInSchema)
@blp.response(201, TokenSchema)
def create_token(data):
    """Sign in: exchange a handle or email and password for a bearer token"""
    member = services.authenticate(data["login"], data["password"])
    remember_signin_address(member)
    token, record = services.issue_token(member)
    return {"token": token, "expires_at": record.expires_at}


@blp.route("/tokens/current", methods=["DELETE"])
@token_required
@blp.response(204)
def revoke_token():
    """Sign out: revoke the token this request carries"""
    services.revoke_token(current_api_token())


@blp.route("/me", methods=["GET"])
@token_required
@blp.response(200, MeSchema)
def me():
    """The calling member, with their private email"""
    return current_api_member()


@blp.route("/email-verifications", methods=["POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"])
@blp.arguments(VerificationSchema)
@blp.response(204)
def verify_email(data):
    """Verify an address with the token of its emailed link (422 for a used or expired link)"""
    services.verify_email(data["token"])


@blp.route("/password-resets", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"])
@blp.arguments(ResetRequestSchema)
@blp.response(202)
def request_password_reset(data):
    """Email a single-use reset link to a verified address: 202 whether or not the address is known"""
    services.request_password_reset(data["email"])


@blp.route("/password-resets/confirm", methods=["POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"])
@blp.arguments(ResetConfirmSchema)
@blp.response(204)
def confirm_password_reset(data):
    """Choose a new password with a reset link's token: every session ends and every token is revoked"""
    services.reset_password(data["token"], data["password"])


@blp.route("/me/password", methods=["PUT"])
@token_required
@write_limit()
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change the password (403 on a wrong current one); other sessions end and other tokens are revoked"""
    services.change_password(current_api_member(), data["current_password"], data["new_password"],
                             keep_token=current_api_token())


@blp.route("/me/email", methods=["PUT"])
@token_required
@write_limit()
@blp.arguments(EmailChangeSchema)
@blp.response(202)
def change_email(data):
    """Change the email address: the new one is used once verified by its emailed link; the old one is told"""
    services.change_email(current_api_member(), data["password"], data["email"])


@blp.route("/me/tokens", methods=["GET"])
@token_required
@blp.response(200, TokenListSchema)
def my_tokens():
    """The caller's live API tokens (never the tokens themselves)"""
    current = current_api_token()
    return {"items": [{"id": t.id, "created_at": t.created_at, "expires_at": t.expires_at,
                       "current": t.id == current.id} for t in services.member_tokens(current_api_member())]}


@blp.route("/me/tokens/<int:token_id>", methods=["DELETE"])
@token_required
@blp.response(204)
def revoke_my_token(token_id):
    """Revoke one of the caller's tokens (404 if it is not theirs)"""
    services.revoke_member_token(current_api_member(), token_id)


@blp.route("/me/sessions", methods=["DELETE"])
@token_required
@blp.response(204)
def sign_out_everywhere():
    """Sign out everywhere: every session ends and every token, this one included, is revoked"""
    services.end_all_sessions(current_api_member())
