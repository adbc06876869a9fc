import pytest

from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Post, PostStatus
from app.members.models import Role


@pytest.fixture
def search_api(client):
    """GET /api/v1/search with these arguments (and these headers); the response."""
    def get(headers=None, **args):
        return client.get("/api/v1/search", query_string=args, headers=headers or {})
    return get


def found(response) -> list[tuple[int, int | None]]:
    """(thread id, post id or None) of each result, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(item["thread"]["id"], item["post"]["id"] if item["post"] else None) for item in response.json["items"]]


@pytest.fixture
def moderator(make_member):
    return make_member("mod", role=Role.moderator)


@pytest.fixture
def set_status():
    """Moves a post to a status as moderation does (the thread follows its opening post)."""
    def change(post: Post, status: PostStatus) -> None:
        with unit_of_work():
            forum_services.set_post_status(db.session.get(Post, post.id), status)
    return change
