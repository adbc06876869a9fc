from flask_smorest import Blueprint

from app.vocabulary import services
from app.vocabulary.schemas import SideEffectListSchema, TagListSchema, TagQuerySchema

blp = Blueprint("vocabulary_api", __name__, url_prefix="/api/v1", description="The controlled vocabulary")


@blp.route("/tags", methods=["GET"])
@blp.arguments(TagQuerySchema, location="query")
@blp.response(200, TagListSchema)
def tags(query):
    """Every tag, or those of one kind, with descriptions and synonyms"""
    return {"items": services.list_tags(query["kind"])}


@blp.route("/side-effects", methods=["GET"])
@blp.response(200, SideEffectListSchema)
def side_effects():
    """The side effects members can report with a treatment experience"""
    return {"items": services.list_side_effects()}
