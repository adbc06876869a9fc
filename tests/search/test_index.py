"""The index: kept by the database itself from the migration on, rebuilt by `flask search reindex`."""
import sqlalchemy as sa
from flask_migrate import upgrade

from app.extensions import db
from app.forum import services as forum_services
from app.search import services as search_services


def test_reindex_rebuilds_the_index_and_says_what_it_did(runner, forum, make_member):
    author = make_member("alice")
    thread = forum.thread(author, title="Cooling vests", body="A cooling vest in summer.", tags=["pain"])
    forum.reply(thread, author, body="Cooling towels work too.")
    with db.engine.begin() as conn:  # an index out of step, as after a bulk load with triggers off
        conn.execute(sa.text("DELETE FROM search_documents"))
        if db.engine.dialect.name == "sqlite":
            conn.execute(sa.text("INSERT INTO search_index(search_index) VALUES ('delete-all')"))
    db.session.remove()
    assert search_services.search(None, "cooling").items == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("Indexed 2 posts")
    assert len(search_services.search(None, "cooling").items) == 2
    if db.engine.dialect.name == "sqlite":
        check = db.session.execute(sa.text("INSERT INTO search_index(search_index, rank) VALUES ('integrity-check', 1)"))
        assert check is not None  # raises when the index and its content disagree


def test_a_database_built_by_the_migrations_keeps_its_index_in_step(empty_app):
    upgrade()
    from app.members.services import register_member
    from app.vocabulary.services import seed_vocabulary
    seed_vocabulary()
    author = register_member("alice", "alice@example.org", "correct horse battery")
    db.session.commit()
    thread = forum_services.start_thread(author, "Pacing my week", "Pacing keeps the fatigue down.", ["fatigue"])
    reply = forum_services.reply(author, thread.id, "Pacing and naps.")
    forum_services.edit_post(author, reply.id, "Naps only.")
    found = search_services.search(None, "pacing")
    assert [(h.thread.id, h.post) for h in found.items] == [(thread.id, None)]
    assert [h.post.id for h in search_services.search(None, "naps").items] == [reply.id]
    assert [h.thread.id for h in search_services.search(None, "exhaustion").items] == [thread.id]  # its tag
