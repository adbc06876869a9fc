"""Thaw: a community forum and peer-support backend for people living with MS spasticity."""
from pathlib import Path

from flask import Flask

from config import config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config_for(config_name))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_page_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known before anything binds)
    from app.core.api import register_security_scheme
    from app.extensions import api, csrf, db, limiter, login_manager, migrate
    from app.members.models import Member

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    register_security_scheme(api)

    login_manager.init_app(app)
    login_manager.login_view = "members.signin"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_member(member_id: str):
        return db.session.get(Member, int(member_id))


def register_blueprints(app: Flask) -> None:
    from app.extensions import api, csrf
    from app.forum import api as forum_api
    from app.forum.views import bp as forum_bp
    from app.main.views import bp as main_bp
    from app.members import api as members_api
    from app.members.views import bp as members_bp
    from app.ops import api as ops_api
    from app.polls import api as polls_api
    from app.polls.views import bp as polls_bp
    from app.experiences import api as experiences_api
    from app.experiences.views import bp as experiences_bp
    from app.stats import api as stats_api
    from app.stats.views import bp as stats_bp
    from app.moderation import actions_api as moderation_actions_api
    from app.moderation import api as moderation_api
    from app.moderation import words_api as moderation_words_api
    from app.moderation.actions_views import bp as moderation_actions_bp
    from app.moderation.views import bp as moderation_bp
    from app.moderation.words_views import bp as moderation_words_bp
    from app.notifications import api as notifications_api
    from app.notifications.views import bp as notifications_bp
    from app.vocabulary import api as vocabulary_api

    app.register_blueprint(main_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(forum_bp)
    app.register_blueprint(polls_bp)
    app.register_blueprint(experiences_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(moderation_words_bp)
    app.register_blueprint(moderation_actions_bp)
    app.register_blueprint(notifications_bp)
    # The API takes bearer tokens, never the session cookie, so CSRF does not apply.
    for module in (members_api, vocabulary_api, forum_api, polls_api, experiences_api, stats_api,
                   moderation_api, moderation_words_api, moderation_actions_api, notifications_api, ops_api):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)


def register_errorhandlers(app: Flask) -> None:
    from app.core.errors import register_error_handlers
    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    from app.ops.cli import register_commands as register
    register(app)


def register_page_helpers(app: Flask) -> None:
    from app.core.web import register_page_helpers as register
    register(app)
