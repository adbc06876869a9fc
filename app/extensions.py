"""Extensions, created unbound here and bound to the app in the factory."""
import logging

from flask import Flask
from flask.logging import default_handler
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.core.api import ProblemApi
from app.core.db import Base, render_migration_item

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_migration_item)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
api = ProblemApi()


def init_limiter(app: Flask) -> None:
    """Binds the limiter, and lets its warnings be heard.

    Flask-Limiter logs "Rate limit storage unreachable - falling back to in-memory storage" to a logger with
    only a NullHandler, so unless the operator configured logging nobody would ever read it: give it the
    handler Flask gives the app's own logger.
    """
    limiter.init_app(app)
    limiter_log = logging.getLogger("flask-limiter")
    if not _has_real_handler(limiter_log):
        limiter_log.addHandler(default_handler)


def _has_real_handler(logger: logging.Logger | None) -> bool:
    while logger is not None:
        if any(not isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False
