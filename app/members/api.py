from flask import current_app
from flask_smorest import Blueprint

from app.extensions import limiter
from app.members import services
from app.members.auth import (current_api_member, current_api_token, remember_signin_address, signin_limits,
                              token_required)
from app.members.schemas import MemberSchema, MeSchema, RegistrationSchema, SignInSchema, TokenSchema

blp = Blueprint("members_api", __name__, url_prefix="/api/v1", description="Members and API tokens")


def _failed(response) -> bool:
    return response.status_code >= 400


@blp.route("/members", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"])
@blp.arguments(RegistrationSchema)
@blp.response(201, MemberSchema)
def register(data):
    """Register a member"""
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
