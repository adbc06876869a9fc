"""Fixtures: one app per test session (or xdist worker), a fresh database per test.

`app` is the session's app with a database restored from a template
(tests/database.py), its configuration and rate-limit counters restored as
they were. Set TEST_DATABASE_URL to a PostgreSQL URL to run the suite there:
each worker then works in a schema of its own, dropped at the end.

A test that needs an app of its own (extra routes, several threads at once,
migrations from an empty database) asks for `own_app` or `empty_app` and so
says why in its name.
"""
import contextvars
import os
import re

import pytest
import sqlalchemy as sa

from flask.testing import FlaskClient

from app import create_app
from app.extensions import db, limiter
from app.members import services as member_services
from app.members.models import Member, Role
from tests.database import TemplateDatabase, create_schema, drop_schema, engine_config

PASSWORD = "correct horse battery"


class RequestIsolatedClient(FlaskClient):
    """Each request runs in a context of its own, as under a real server.

    Without this, a request would reuse the test's app context, and with it
    `g` and the database session, hiding bugs that production would show.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def build_app(config: dict):
    app = create_app("testing", config)
    app.test_client_class = RequestIsolatedClient
    return app


@pytest.fixture(scope="session")
def session_app():
    """The app every ordinary test shares, with its template database."""
    config, schema = engine_config(os.environ.get("TEST_DATABASE_URL"))
    app = build_app(config)
    with app.app_context():
        create_schema(schema)
        template = TemplateDatabase(schema)
    settings = dict(app.config)
    yield app, template, settings
    with app.app_context():
        db.session.remove()
        template.close()
        drop_schema(schema)
        db.engine.dispose()


@pytest.fixture
def app(request, session_app):
    """The shared app, on an empty database, configured as TestingConfig says.

    Tests marked `concurrent` send requests from several threads, which one
    in-memory SQLite connection cannot serve: they get an app of their own.
    """
    if request.node.get_closest_marker("concurrent") is not None:
        yield request.getfixturevalue("own_app")
        return
    app, template, settings = session_app
    with app.app_context():
        template.reset()
        limiter.reset()
        app.extensions["test_database"] = template
        try:
            yield app
        finally:
            db.session.remove()
            app.config.clear()
            app.config.update(settings)


@pytest.fixture
def empty_app(request, tmp_path):
    """An app of its own whose database has no tables yet (for migration tests).

    Tests marked `concurrent` get a database file that several threads can share.
    """
    concurrent = request.node.get_closest_marker("concurrent") is not None
    url = os.environ.get("TEST_DATABASE_URL")
    if concurrent and not url:
        # Several threads need several connections: a file, not one shared in-memory connection.
        config, schema = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'thaw.db'}",
                          "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30,
                                                                         "check_same_thread": False}}}, None
    else:
        config, schema = engine_config(url)
    app = build_app(config)
    with app.app_context():
        create_schema(schema)
        limiter.reset()
        try:
            yield app
        finally:
            db.session.remove()
            drop_schema(schema)
            db.engine.dispose()


@pytest.fixture
def own_app(empty_app):
    """An app of its own with every table: for tests that add routes or share it between threads."""
    db.create_all()
    return empty_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def vocabulary(app):
    template = app.extensions.get("test_database")
    if template is not None:
        template.add_vocabulary()
    else:
        from app.vocabulary.services import seed_vocabulary
        seed_vocabulary()


@pytest.fixture
def make_member(app):
    counter = iter(range(1, 10_000))

    def make(handle: str | None = None, role: Role = Role.member, **changes) -> Member:
        handle = handle or f"member{next(counter)}"
        member = member_services.register_member(handle, f"{handle.lower()}@example.org", PASSWORD, role=role)
        member.email, member.pending_email = member.pending_email, None  # verified, as if the link was followed
        for name, value in changes.items():
            setattr(member, name, value)
        db.session.commit()
        return member

    return make


@pytest.fixture
def api_headers(app):
    """Authorization headers for a member, through the real token endpoint."""
    def headers(member: Member) -> dict:
        token, _ = member_services.issue_token(member)
        return {"Authorization": f"Bearer {token}"}
    return headers


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/signin") -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def pages(client):
    """Acts as a person with a browser: forms are posted with their CSRF token."""
    class Pages:
        def post(self, path, data, form_page=None, **kwargs):
            data = dict(data, csrf_token=csrf_token(client, form_page or path))
            return client.post(path, data=data, **kwargs)

        def sign_in(self, member, password=PASSWORD):
            response = self.post("/signin", {"login": member.handle, "password": password})
            assert response.status_code == 302, response.get_data(as_text=True)
            return response

    return Pages()


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements a block of code issues: `with count_queries() as q: ...; q.count`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        class Counter:
            @property
            def count(self):
                return len(statements)
            all = statements

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield Counter()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def forum(app, vocabulary, make_member):
    """Helpers to build threads and reply trees through the real services."""
    from app.forum import services

    class Forum:
        def thread(self, author=None, title="Baclofen and night cramps", body="What helps you at night?",
                   tags=("baclofen",)):
            return services.start_thread(author or make_member(), title, body, list(tags))

        def reply(self, thread, author, body="Same here.", parent=None):
            return services.reply(author, thread.id, body, parent.id if parent else None)

    return Forum()
