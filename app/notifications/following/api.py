"""Following and muting over the API."""
from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.notifications.following import services
from app.notifications.following.schemas import FollowingSchema

blp = Blueprint("following_api", __name__, url_prefix="/api/v1",
                description="Following threads and tags, muting threads")


@blp.route("/threads/<int:thread_id>/follow", methods=["PUT"])
@token_required
@write_limit()
@blp.response(204)
def follow_thread(thread_id):
    """Follow a thread: its new replies notify the caller"""
    services.follow_thread(current_api_member(), thread_id)


@blp.route("/threads/<int:thread_id>/follow", methods=["DELETE"])
@token_required
@write_limit()
@blp.response(204)
def unfollow_thread(thread_id):
    """Stop following a thread (replying to it again does not follow it back)"""
    services.unfollow_thread(current_api_member(), thread_id)


@blp.route("/threads/<int:thread_id>/mute", methods=["PUT"])
@token_required
@write_limit()
@blp.response(204)
def mute_thread(thread_id):
    """Mute a thread: nothing in it notifies the caller, mentions included"""
    services.mute_thread(current_api_member(), thread_id)


@blp.route("/threads/<int:thread_id>/mute", methods=["DELETE"])
@token_required
@write_limit()
@blp.response(204)
def unmute_thread(thread_id):
    """Unmute a thread (it is then neither followed nor muted)"""
    services.unfollow_thread(current_api_member(), thread_id)


@blp.route("/tags/<ref>/follow", methods=["PUT"])
@token_required
@write_limit()
@blp.response(204)
def follow_tag(ref):
    """Follow a treatment, symptom or trigger tag (slug, name or synonym): new threads in it notify the caller"""
    services.follow_tag(current_api_member(), ref)


@blp.route("/tags/<ref>/follow", methods=["DELETE"])
@token_required
@write_limit()
@blp.response(204)
def unfollow_tag(ref):
    """Stop following a tag"""
    services.unfollow_tag(current_api_member(), ref)


@blp.route("/me/following", methods=["GET"])
@token_required
@blp.response(200, FollowingSchema)
def following():
    """The threads the caller follows and muted, and the tags they follow"""
    return services.following(current_api_member())
