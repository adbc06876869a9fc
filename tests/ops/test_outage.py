"""While the database does not answer: 503 with Retry-After, problem+json in the API, a page for people;
never a 500 (app/core/outage.py)."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db


@pytest.fixture
def database_down(app, monkeypatch):
    """Every statement fails as when the server is gone."""
    def refuse(self, *args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection to server was lost"))
    monkeypatch.setattr(Session, "execute", refuse)
    monkeypatch.setattr(Session, "scalar", refuse)
    monkeypatch.setattr(Session, "scalars", refuse)
    monkeypatch.setattr(Session, "get", refuse)


def test_api_reads_and_writes_are_503_with_retry_after(client, make_member, api_headers, vocabulary,
                                                        database_down):
    # The token was issued before the outage; checking it is the first thing that fails.
    for method, path, kwargs in (("GET", "/api/v1/threads", {}), ("GET", "/api/v1/tags", {}),
                                 ("POST", "/api/v1/tokens", {"json": {"login": "carla", "password": "x" * 12}})):
        response = client.open(path, method=method, **kwargs)
        assert response.status_code == 503, (path, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 503 and "try again" in response.get_json()["detail"]
        assert int(response.headers["Retry-After"]) > 0


def test_a_write_with_a_token_is_503(client, make_member, api_headers, vocabulary, monkeypatch):
    headers = api_headers(make_member("carla"))

    def refuse(self, *args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))
    monkeypatch.setattr(Session, "commit", refuse)
    response = client.post("/api/v1/threads", headers=headers,
                           json={"title": "Night spasms", "body": "Help", "tags": ["baclofen"]})
    assert response.status_code == 503 and response.headers["Retry-After"]
    monkeypatch.undo()
    from app.forum.models import Thread
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 0


def test_pages_are_a_503_page_with_retry_after(client, database_down):
    response = client.get("/")
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "Back in a moment" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_other_database_errors_stay_a_polite_500(own_app):
    app = own_app  # a route is added

    @app.route("/api/v1/bad-sql")
    def bad_sql():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    response = app.test_client().get("/api/v1/bad-sql")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "no_such_table" not in response.get_data(as_text=True)
