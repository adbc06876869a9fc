"""Moderator actions over the API. Moderators and admins only."""
from flask_smorest import Blueprint

from app.forum import services as forum
from app.forum.schemas import PostSchema, ThreadDetailSchema
from app.members.auth import current_api_member, token_required, write_limit
from app.members.models import Role
from app.moderation.actions import services as actions
from app.moderation.actions.schemas import (ModeratedMemberSchema,
                                           ModeratorEditSchema, ReasonSchema, RemovePostSchema, RetagSchema,
                                           SuspendSchema)

blp = Blueprint("moderation_actions_api", __name__, url_prefix="/api/v1",
                description="Moderator actions on threads, posts and members")

moderator_token = token_required(role=Role.moderator)


def _thread_detail(thread):
    """The thread as GET /threads/{id} shows it to the moderator."""
    return forum.thread_detail(thread, current_api_member())


# --- threads -------------------------------------------------------------------------

@blp.route("/moderation/threads/<int:thread_id>/lock", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(ReasonSchema)
@blp.response(200, ThreadDetailSchema)
def lock(data, thread_id):
    """Lock a thread: it stays readable but takes no new replies (409 if already locked)"""
    return _thread_detail(actions.lock(current_api_member(), thread_id, data["reason"]))


@blp.route("/moderation/threads/<int:thread_id>/unlock", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(ReasonSchema)
@blp.response(200, ThreadDetailSchema)
def unlock(data, thread_id):
    """Unlock a thread (409 if it is not locked)"""
    return _thread_detail(actions.unlock(current_api_member(), thread_id, data["reason"]))


@blp.route("/moderation/threads/<int:thread_id>/pin", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(ReasonSchema)
@blp.response(200, ThreadDetailSchema)
def pin(data, thread_id):
    """Pin a thread to the top of its tags' pages (409 if already pinned)"""
    return _thread_detail(actions.pin(current_api_member(), thread_id, data["reason"]))


@blp.route("/moderation/threads/<int:thread_id>/unpin", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(ReasonSchema)
@blp.response(200, ThreadDetailSchema)
def unpin(data, thread_id):
    """Unpin a thread (409 if it is not pinned)"""
    return _thread_detail(actions.unpin(current_api_member(), thread_id, data["reason"]))


@blp.route("/moderation/threads/<int:thread_id>/retag", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(RetagSchema)
@blp.response(200, ThreadDetailSchema)
def retag(data, thread_id):
    """Replace a thread's tags (1 to 8; 409 if they are the same)"""
    return _thread_detail(actions.retag(current_api_member(), thread_id, data["tags"], data["reason"]))


# --- posts ---------------------------------------------------------------------------

@blp.route("/moderation/posts/<int:post_id>", methods=["PATCH"])
@moderator_token
@write_limit()
@blp.arguments(ModeratorEditSchema)
@blp.response(200, PostSchema)
def edit_post(data, post_id):
    """Edit someone else's post; the earlier version is kept and its author is told why"""
    return actions.moderator_edit(current_api_member(), post_id, data["body"], data["reason"])


@blp.route("/moderation/posts/<int:post_id>/remove", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(RemovePostSchema)
@blp.response(200, PostSchema)
def remove_post(data, post_id):
    """Remove someone else's post: it keeps its place blanked, its author is told why (409 if already gone)"""
    return actions.remove_post(current_api_member(), post_id, data["reason"])


# --- members -------------------------------------------------------------------------

@blp.route("/moderation/members/<handle>", methods=["GET"])
@moderator_token
@blp.response(200, ModeratedMemberSchema)
def member(handle):
    """A member's role and standing"""
    return actions.find_member(current_api_member(), handle)


@blp.route("/moderation/members/<handle>/warn", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(ReasonSchema)
@blp.response(200, ModeratedMemberSchema)
def warn(data, handle):
    """Warn a member; they are told the reason"""
    return actions.warn(current_api_member(), handle, data["reason"])


@blp.route("/moderation/members/<handle>/suspend", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(SuspendSchema)
@blp.response(200, ModeratedMemberSchema)
def suspend(data, handle):
    """Suspend a member until a time, or indefinitely; they can read but not post, vote, flag or report"""
    return actions.suspend(current_api_member(), handle, data["until"], data["reason"])


@blp.route("/moderation/members/<handle>/unsuspend", methods=["POST"])
@moderator_token
@write_limit()
@blp.arguments(ReasonSchema)
@blp.response(200, ModeratedMemberSchema)
def unsuspend(data, handle):
    """Lift a member's suspension (409 if they are not suspended)"""
    return actions.unsuspend(current_api_member(), handle, data["reason"])
