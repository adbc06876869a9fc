from flask_smorest import Blueprint

blp = Blueprint("moderation_actions_api", __name__, url_prefix="/api/v1")
