"""The search page (/search), which the box in every page's header submits to by GET."""
import marshmallow as ma
from flask import Blueprint, render_template, request, url_for

from app.core.errors import InvalidInput
from app.core.pages import tag_groups, viewer
from app.forum.links import post_url
from app.search import services
from app.search.limits import search_limits
from app.search.schemas import SearchArgs
from app.vocabulary.models import TagKind
from app.vocabulary.services import list_tags, resolve_tags

bp = Blueprint("search", __name__)

FIELDS = ("q", "kind", "sort", "since", "until", "cursor")


def _typed() -> dict:
    """What the form sent, as SearchArgs reads it (blank fields left out, tags as a list)."""
    typed = {name: request.args[name] for name in FIELDS if request.args.get(name, "").strip()}
    typed["tag"] = [ref for ref in request.args.getlist("tag") if ref.strip()]
    return typed


@bp.route("/search")
@search_limits
def search():
    typed = _typed()
    groups = tag_groups(list_tags())
    if not typed.get("q") and not typed["tag"] and "cursor" not in typed:
        return render_template("search/search.html", typed=typed, groups=groups, results=None, problems={})
    try:
        args = SearchArgs().load(typed)
        tags = resolve_tags(args["tag"], field="tag")
        results = services.search(viewer(), args["q"], tags, args["kind"], args["sort"], args["since"],
                                  args["until"], cursor=args["cursor"])
    except ma.ValidationError as error:
        return _problems(typed, groups, {k: v if isinstance(v, list) else [str(v)] for k, v in error.messages.items()})
    except InvalidInput as error:
        return _problems(typed, groups, error.errors)
    same_search = {k: v for k, v in typed.items() if k != "cursor"}
    next_url = url_for("search.search", **same_search, cursor=results.next_cursor) if results.next_cursor else None
    first_url = url_for("search.search", **same_search) if "cursor" in typed else None
    return render_template("search/search.html", typed=typed, groups=groups, results=results, problems={},
                           next_url=next_url, first_url=first_url, treatment=TagKind.treatment, post_url=post_url)


def _problems(typed: dict, groups, problems: dict):
    return render_template("search/search.html", typed=typed, groups=groups, results=None,
                           problems=problems), 422
