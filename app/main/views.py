"""The home page and /threads: active threads, filtered by tags and sorted."""
from flask import Blueprint, render_template, request

from app.core.errors import InvalidInput
from app.forum import services as forum
from app.core.pages import sort_arg, tag_groups, viewer
from app.vocabulary.services import list_tags, resolve_tags

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return _thread_list(home=True)


@bp.route("/threads")
def threads():
    """The same list as the home page, at the address its filter form and paging use."""
    return _thread_list(home=False)


def _thread_list(home: bool):
    sort, cursor = sort_arg(), request.args.get("cursor")
    try:
        chosen = resolve_tags(request.args.getlist("tag"), field="tag")
    except InvalidInput as error:
        # A stale or hand-typed link: say which tag is unknown rather than list unfiltered threads.
        return render_template("main/index.html", home=home, groups=tag_groups(list_tags()), chosen=[],
                               sort=sort, page=None, cursor=None, problems=error.errors["tag"]), 422
    page = forum.list_threads(viewer(), chosen, sort, cursor=cursor)
    return render_template("main/index.html", home=home, groups=tag_groups(list_tags()), chosen=chosen,
                           sort=sort, page=page, cursor=cursor, problems=[])
