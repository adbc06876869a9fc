"""Notifications: what happened to a member's posts and account, replies and mentions, followed threads
and tags, reactions; in rooms of their own: following/, reactions/, preferences/ (with unsubscribe) and
delivery/ (the fan-out, emails, digests and the job queue). The forum reaches it through its hooks."""
from flask import Flask


def init_app(app: Flask) -> None:
    from app.forum.hooks import add_hooks
    from app.notifications.delivery.cli import jobs_cli, notifications_cli
    from app.notifications.delivery.services import post_published
    from app.notifications.reactions.services import annotate_posts

    add_hooks(app, post_published=post_published, annotate_posts=annotate_posts)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(notifications_cli)
