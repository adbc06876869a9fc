"""Member polls inside threads, including experience polls about a treatment."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Polls appear on the forum's pages: under a thread's opening post, and at the head of a tag page."""
    from app.forum.hooks import add_hooks
    from app.polls import services

    add_hooks(app, polls_of_thread=services.polls_of_thread, tag_with_polls=services.tag_with_poll_flag,
              tag_polls=services.experience_polls_of)
