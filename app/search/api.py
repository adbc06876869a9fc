from flask_smorest import Blueprint

from app.members.auth import current_api_member
from app.search import services
from app.search.limits import search_limits
from app.search.schemas import SearchArgs, SearchResultsSchema
from app.vocabulary.services import resolve_tags

blp = Blueprint("search_api", __name__, url_prefix="/api/v1", description="Search")


@blp.route("/search", methods=["GET"])
@search_limits
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchResultsSchema)
def search(args):
    """Threads and posts matching every word, best (or newest) first, as the caller may read them

    Synonyms of symptoms and treatments count as their tag ("Lioresal" finds baclofen), words are
    stemmed, "quoted phrases" match as written. An unusable query is a 422 naming `q`. The query is
    not stored or logged anywhere.
    """
    tags = resolve_tags(args["tag"], field="tag")
    return services.search(current_api_member(), args["q"], tags, args["kind"], args["sort"], args["since"],
                           args["until"], args["limit"], args["cursor"])
