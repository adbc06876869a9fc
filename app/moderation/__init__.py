"""Moderation, in rooms of its own: screening, the queue (flags and review), moderator actions,
watched words and the audit log. Its models, the rules of who may moderate whom and the one limit
on a moderator's reason live here at the root; `views` and `api` register every room's blueprints."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Moderation plugs into the features below it, which never import it."""
    from app.forum.hooks import add_hooks
    from app.forum.screening import register_screen
    from app.members.services import SUSPENSION_REASON
    from app.moderation.actions import services as actions
    from app.moderation.audit.services import latest_reason
    from app.moderation.queue.services import keeps_words
    from app.moderation.screening.services import ModerationScreen

    register_screen(app, ModerationScreen())
    add_hooks(app, moderator_edit=actions.moderator_edit, moderator_remove=actions.remove_post,
              moderator_update_thread=actions.edit_thread, keeps_words=keeps_words)
    app.extensions[SUSPENSION_REASON] = lambda member: latest_reason(member, "suspend")
