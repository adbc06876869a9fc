from flask import request
from flask_smorest import Blueprint

from app.core.pagination import PageArgs
from app.forum import services
from app.forum.hooks import forum_hooks
from app.forum.schemas import (
    PostEditSchema,
    PostListSchema,
    ReplySchema,
    RevisionListSchema,
    StartedThreadSchema,
    ThreadCreateSchema,
    ThreadDetailSchema,
    ThreadListSchema,
    ThreadQuerySchema,
    ThreadUpdateSchema,
    WrittenPostSchema,
)
from app.members.auth import current_api_member, token_required, write_limit
from app.members.idempotency import idempotent
from app.vocabulary.services import resolve_tags

blp = Blueprint("forum_api", __name__, url_prefix="/api/v1", description="Threads and posts")


def _detail(thread, limit: int = 20, cursor: str | None = None):
    return services.thread_detail(thread, current_api_member(), limit, cursor)


@blp.route("/threads", methods=["GET"])
@blp.arguments(ThreadQuerySchema, location="query")
@blp.response(200, ThreadListSchema)
def list_threads(args):
    """Threads, most recently active (or newest) first; several `tag` = threads with all of them"""
    tags = resolve_tags(args["tag"], field="tag")
    return services.list_threads(current_api_member(), tags, args["sort"], args["limit"], args["cursor"])


@blp.route("/threads", methods=["POST"])
@token_required
@write_limit()
@idempotent
@blp.arguments(ThreadCreateSchema)
@blp.response(201, StartedThreadSchema)
def start_thread(data):
    """Start a thread with its opening post (`status` pending_review while a moderator looks at it)"""
    return _detail(services.start_thread(current_api_member(), data["title"], data["body"], data["tags"],
                                         data["confirm_personal_details"]))


@blp.route("/threads/<int:thread_id>", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, ThreadDetailSchema)
def get_thread(args, thread_id):
    """A thread with the first page of its posts in display order"""
    thread = services.get_thread(thread_id, current_api_member())
    return _detail(thread, args["limit"], args["cursor"])


@blp.route("/threads/<int:thread_id>", methods=["PATCH"])
@token_required
@write_limit()
@blp.arguments(ThreadUpdateSchema)
@blp.response(200, StartedThreadSchema)
def update_thread(data, thread_id):
    """Change a thread's title or tags (author or moderator; 409 for its author once it is locked)

    A new title is screened like a post. A moderator's change to someone else's thread is a moderator
    action: audited, with `reason`, and its author is told.
    """
    thread = services.update_thread(current_api_member(), thread_id, data.get("title"), data.get("tags"),
                                    data.get("reason"))
    return _detail(thread)  # with `support` when the new title holds crisis words


@blp.route("/threads/<int:thread_id>/posts", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, PostListSchema)
def list_posts(args, thread_id):
    """Posts in display order: depth-first, oldest first among siblings"""
    viewer = current_api_member()
    thread = services.get_thread(thread_id, viewer)
    return services.thread_posts(thread, viewer, limit=args["limit"], cursor=args["cursor"])


@blp.route("/threads/<int:thread_id>/posts", methods=["POST"])
@token_required
@write_limit()
@idempotent
@blp.arguments(ReplySchema)
@blp.response(201, WrittenPostSchema)
def reply(data, thread_id):
    """Reply to the opening post, or to any post with parent_id (409 if the thread is locked)"""
    return services.reply(current_api_member(), thread_id, data["body"], data["parent_id"],
                          data["confirm_personal_details"])


@blp.route("/posts/<int:post_id>", methods=["PATCH"])
@token_required
@write_limit()
@blp.arguments(PostEditSchema)
@blp.response(200, WrittenPostSchema)
def edit_post(data, post_id):
    """Edit a post (author or moderator); the earlier version is kept

    A moderator's edit of someone else's post is a moderator action: audited, with `reason`, and its author is told.
    """
    member = current_api_member()
    if _moderating(member, post_id):
        return forum_hooks().moderator_edit(member, post_id, data["body"], data.get("reason") or NO_REASON_GIVEN)
    return services.edit_post(member, post_id, data["body"], data["confirm_personal_details"])


@blp.route("/posts/<int:post_id>", methods=["DELETE"])
@token_required
@write_limit()
@blp.response(204)
def delete_post(post_id):
    """Delete a post (author or moderator); it keeps its place in the tree

    A moderator deleting someone else's post removes it as a moderator action: audited, and its author is told.
    Send `?reason=` to say why.
    """
    member = current_api_member()
    if _moderating(member, post_id):
        forum_hooks().moderator_remove(member, post_id, request.args.get("reason", "").strip() or NO_REASON_GIVEN)
        return
    services.delete_post(member, post_id)


# API.md lets moderators edit and delete through these routes; the audit log still needs a reason.
NO_REASON_GIVEN = "No reason given (through the plain post endpoint)."


def _moderating(member, post_id: int) -> bool:
    """Whether this call is a moderator acting on someone else's post."""
    if member is None or not member.is_moderator:
        return False
    return services.get_post(post_id, member).author_id != member.id


@blp.route("/posts/<int:post_id>/revisions", methods=["GET"])
@token_required
@blp.response(200, RevisionListSchema)
def revisions(post_id):
    """Every version of a post, oldest first (author or moderator)"""
    return {"items": services.post_revisions(post_id, current_api_member())}
