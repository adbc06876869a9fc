from flask_smorest import Blueprint

blp = Blueprint("stats_api", __name__, url_prefix="/api/v1")
