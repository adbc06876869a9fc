from flask_smorest import Blueprint

blp = Blueprint("moderation_words_api", __name__, url_prefix="/api/v1")
