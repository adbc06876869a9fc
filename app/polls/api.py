from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.members.idempotency import idempotent
from app.polls import services
from app.polls.schemas import PollCreateSchema, PollListSchema, PollQuerySchema, PollSchema, VoteSchema

blp = Blueprint("polls_api", __name__, url_prefix="/api/v1", description="Polls; ballots are never revealed")


@blp.route("/threads/<int:thread_id>/polls", methods=["POST"])
@token_required
@write_limit()
@idempotent
@blp.arguments(PollCreateSchema)
@blp.response(201, PollSchema)
def create_poll(data, thread_id):
    """Add a poll to a thread (the thread's author or a moderator)"""
    return services.create_poll(current_api_member(), thread_id, data["question"], data["kind"].value,
                                data["options"], data["treatment"], data["closes_at"], data["results"].value)


@blp.route("/polls", methods=["GET"])
@blp.arguments(PollQuerySchema, location="query")
@blp.response(200, PollListSchema)
def list_polls(args):
    """The community's polls, newest first; filter by treatment and open or closed"""
    treatment = services.treatment_tag(args["treatment"]) if args["treatment"] else None
    return services.list_polls(current_api_member(), treatment, args["state"], args["limit"], args["cursor"])


@blp.route("/polls/<int:poll_id>", methods=["GET"])
@blp.response(200, PollSchema)
def get_poll(poll_id):
    """A poll with its results when they are visible to the caller"""
    return services.get_poll(poll_id, current_api_member())


@blp.route("/polls/<int:poll_id>/vote", methods=["PUT"])
@token_required
@write_limit()
@blp.arguments(VoteSchema)
@blp.response(200, PollSchema)
def vote(data, poll_id):
    """Cast or replace the caller's ballot (409 when closed)"""
    return services.vote(current_api_member(), poll_id, data["option_ids"])


@blp.route("/polls/<int:poll_id>/vote", methods=["DELETE"])
@token_required
@write_limit()
@blp.response(204)
def withdraw(poll_id):
    """Withdraw the caller's ballot"""
    services.withdraw_vote(current_api_member(), poll_id)


@blp.route("/polls/<int:poll_id>/close", methods=["POST"])
@token_required
@write_limit()
@blp.response(200, PollSchema)
def close(poll_id):
    """Close a poll now (the thread's author or a moderator)"""
    return services.close_poll(current_api_member(), poll_id)
