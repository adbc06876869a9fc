"""Thaw: a community forum and peer-support backend for people living with MS spasticity."""
import os
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from flask import Flask

from config import ProductionConfig, config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    config = config_for(config_name)
    app.config.from_object(config)
    if test_config:
        app.config.update(test_config)
    config.check(app.config, app.logger)
    if issubclass(config, ProductionConfig):
        ignore_debug_flag(app)
    Path(app.instance_path).mkdir(exist_ok=True)

    register_proxy_fix(app)
    register_extensions(app)
    register_input_layer(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_page_helpers(app)
    return app


def ignore_debug_flag(app: Flask) -> None:
    """FLASK_DEBUG would give anyone the Werkzeug debugger's console; `flask run` reads it after the factory."""
    if os.environ.get("FLASK_DEBUG", "0").lower() not in ("", "0", "false", "no"):
        app.logger.warning("FLASK_DEBUG is ignored in production.")
    os.environ["FLASK_DEBUG"] = "0"
    app.config["DEBUG"] = False


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known before anything binds)
    from app.core.api import register_security_scheme
    from app.core.mail import init_mail
    from app.extensions import api, csrf, db, init_limiter, login_manager, migrate
    from app.members.models import Member

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    init_limiter(app)
    api.init_app(app)
    register_security_scheme(api)
    init_mail(app)

    login_manager.init_app(app)
    login_manager.login_view = "members.signin"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    # The session and remember cookies hold the member's session secret and the sign-in time, never the id
    # (Flask-Login's alternative id): a changed secret ends every session, an old sign-in expires.
    login_manager.user_loader(Member.for_session)


def register_input_layer(app: Flask) -> None:
    # Before the blueprints: their routes take the bounded path converters when added.
    from app.core.input import register_input_layer as register
    register(app)


# The features, lowest layer first (the import contract in .importlinter keeps the layers).
# Each may have `views.bp` (pages) and `api.blp` or `api.blueprints` (the JSON API).
FEATURES = ("main", "members", "vocabulary", "forum", "polls", "experiences", "stats", "search", "moderation",
            "notifications", "account", "ops")


def register_blueprints(app: Flask) -> None:
    from app.extensions import api, csrf

    # Every feature is imported before any is registered: the API description of a lower feature may
    # name a schema of a higher one (a thread's polls) that marshmallow must already know.
    features = [(name, *_blueprints_of(name)) for name in FEATURES]
    for name, pages, apis in features:
        for bp in pages:
            app.register_blueprint(bp)
        # The API takes bearer tokens, never the session cookie, so CSRF does not apply.
        for blp in apis:
            csrf.exempt(blp)
            api.register_blueprint(blp)
        # A feature that plugs into those below it (app/forum/hooks.py) does so in its init_app.
        init_app = getattr(import_module(f"app.{name}"), "init_app", None)
        if init_app:
            init_app(app)


def _blueprints_of(feature: str) -> tuple[list, list]:
    pages, apis = [], []
    if find_spec(f"app.{feature}.views"):
        pages.append(import_module(f"app.{feature}.views").bp)
    if find_spec(f"app.{feature}.api"):
        module = import_module(f"app.{feature}.api")
        apis.extend(getattr(module, "blueprints", None) or [module.blp])
    return pages, apis


def register_errorhandlers(app: Flask) -> None:
    from app.core.errors import register_error_handlers
    from app.core.outage import register_outage_handler
    register_error_handlers(app)
    register_outage_handler(app)


def register_commands(app: Flask) -> None:
    from app.ops.cli import register_commands as register
    register(app)


def register_proxy_fix(app: Flask) -> None:
    from app.core.web import register_proxy_fix as register
    register(app)


def register_page_helpers(app: Flask) -> None:
    from app.core.web import register_page_helpers as register
    register(app)
