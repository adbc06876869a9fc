"""Where a post can be read, for every feature that links to one."""
from flask import current_app, url_for


def post_url(post) -> str:
    """The thread page, or past the depth cap the parent's conversation page."""
    if post.depth > current_app.config["THREAD_MAX_DEPTH"]:
        return url_for("forum.conversation", thread_id=post.thread_id, post_id=post.parent_id,
                       _anchor=f"post-{post.id}")
    return url_for("forum.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}")
