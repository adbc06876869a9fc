"""The search index: one document per post, kept in step with posts, thread titles and tags by triggers.

`search_documents` holds the words anyone may ever find: the thread's title and tag names on its opening
post, and the post's Markdown source, blank once the post is removed or deleted. Who may find which
document is decided when searching, by the forum's own visibility rules (services.py).

Each engine indexes it its own way, beside the table the models describe:
- SQLite: an FTS5 table `search_index` (porter stemming) with `search_documents` as external content;
- PostgreSQL: a stored, weighted `search_vector` column (title A, tags B, body D) under a GIN index.
The same statements are frozen in the migration that creates them; `db.create_all()` (the tests) runs
these. The migrations' comparison with the models leaves them out (`outside_models`).
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SearchDocument(db.Model):
    __tablename__ = "search_documents"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    opening: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")


# What a post contributes, as SQL over `p` (posts) and `t` (its thread): shared by triggers and reindex.
_TAG_NAMES = {
    "sqlite": "(SELECT group_concat(tags.name, ' ') FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id "
              "WHERE thread_tags.thread_id = {thread})",
    "postgresql": "(SELECT string_agg(tags.name, ' ' ORDER BY tags.name) FROM thread_tags "
                  "JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = {thread})",
}
BLANKED = "('removed', 'deleted')"


def document_select(dialect: str, post: str = "p", more_tables: str = "") -> str:
    """SELECT post_id, thread_id, opening, title, tags, body for the posts named `post`, joined to `t`."""
    tags = _TAG_NAMES[dialect].format(thread=f"{post}.thread_id")
    return (f"SELECT {post}.id, {post}.thread_id, {post}.parent_id IS NULL, "
            f"CASE WHEN {post}.parent_id IS NULL THEN t.title ELSE '' END, "
            f"CASE WHEN {post}.parent_id IS NULL THEN coalesce({tags}, '') ELSE '' END, "
            f"CASE WHEN {post}.status IN {BLANKED} THEN '' ELSE {post}.body_source END "
            f"FROM threads t{more_tables} WHERE t.id = {post}.thread_id")


def _sqlite_fts_sync(where: str) -> tuple[str, str]:
    """Statements that take documents out of the FTS index and put them back (external content)."""
    out = ("INSERT INTO search_index(search_index, rowid, title, tags, body) "
           f"SELECT 'delete', post_id, title, tags, body FROM search_documents WHERE {where};")
    back = f"INSERT INTO search_index(rowid, title, tags, body) SELECT post_id, title, tags, body FROM search_documents WHERE {where};"
    return out, back


def _sqlite_statements() -> list[str]:
    opening_of = "thread_id = {thread} AND opening"
    tags_of = "coalesce(" + _TAG_NAMES["sqlite"] + ", '')"
    statements = [
        "CREATE VIRTUAL TABLE search_index USING fts5(title, tags, body, content='search_documents', "
        "content_rowid='post_id', tokenize='porter unicode61 remove_diacritics 2')",
    ]
    out, back = _sqlite_fts_sync("post_id = new.id")
    statements.append(
        "CREATE TRIGGER search_posts_insert AFTER INSERT ON posts BEGIN "
        "INSERT INTO search_documents(post_id, thread_id, opening, title, tags, body) "
        f"{document_select('sqlite', 'new')}; {back} END")
    statements.append(
        "CREATE TRIGGER search_posts_update AFTER UPDATE OF body_source, status ON posts "
        "WHEN old.body_source IS NOT new.body_source OR old.status IS NOT new.status BEGIN "
        f"{out} UPDATE search_documents SET body = CASE WHEN new.status IN {BLANKED} THEN '' "
        f"ELSE new.body_source END WHERE post_id = new.id; {back} END")
    out_old, _ = _sqlite_fts_sync("post_id = old.id")
    statements.append(
        f"CREATE TRIGGER search_posts_delete BEFORE DELETE ON posts BEGIN {out_old} "
        "DELETE FROM search_documents WHERE post_id = old.id; END")
    where = opening_of.format(thread="new.id")
    out, back = _sqlite_fts_sync(where)
    statements.append(
        "CREATE TRIGGER search_threads_retitle AFTER UPDATE OF title ON threads "
        f"WHEN old.title IS NOT new.title BEGIN {out} UPDATE search_documents SET title = new.title "
        f"WHERE {where}; {back} END")
    for event, row in (("INSERT", "new"), ("DELETE", "old")):
        where = opening_of.format(thread=f"{row}.thread_id")
        out, back = _sqlite_fts_sync(where)
        statements.append(
            f"CREATE TRIGGER search_thread_tags_{event.lower()} AFTER {event} ON thread_tags BEGIN {out} "
            f"UPDATE search_documents SET tags = {tags_of.format(thread=f'{row}.thread_id')} "
            f"WHERE {where}; {back} END")
    return statements


SEARCH_VECTOR = ("setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
                 "setweight(to_tsvector('english', coalesce(tags, '')), 'B') || "
                 "setweight(to_tsvector('english', coalesce(body, '')), 'D')")


def _postgresql_statements() -> list[str]:
    tags_of = "coalesce(" + _TAG_NAMES["postgresql"] + ", '')"
    return [
        f"ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED",
        "CREATE INDEX ix_search_documents_vector ON search_documents USING gin (search_vector)",
        "CREATE FUNCTION search_post_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        f"INSERT INTO search_documents(post_id, thread_id, opening, title, tags, body) "
        f"{document_select('postgresql', 'NEW')}; "
        f"ELSE UPDATE search_documents SET body = CASE WHEN NEW.status IN {BLANKED} THEN '' "
        "ELSE NEW.body_source END WHERE post_id = NEW.id; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER search_posts_insert AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION search_post_changed()",
        "CREATE TRIGGER search_posts_update AFTER UPDATE OF body_source, status ON posts FOR EACH ROW "
        "WHEN (OLD.body_source IS DISTINCT FROM NEW.body_source OR OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION search_post_changed()",
        "CREATE FUNCTION search_thread_retitled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE search_documents SET title = NEW.title WHERE thread_id = NEW.id AND opening; RETURN NULL; END $$",
        "CREATE TRIGGER search_threads_retitle AFTER UPDATE OF title ON threads FOR EACH ROW "
        "WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION search_thread_retitled()",
        "CREATE FUNCTION search_thread_retagged() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE changed integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.thread_id ELSE NEW.thread_id END; BEGIN "
        f"UPDATE search_documents SET tags = {tags_of.format(thread='changed')} "
        "WHERE thread_id = changed AND opening; RETURN NULL; END $$",
        "CREATE TRIGGER search_thread_tags_change AFTER INSERT OR DELETE ON thread_tags FOR EACH ROW "
        "EXECUTE FUNCTION search_thread_retagged()",
    ]


def index_statements(dialect: str) -> list[str]:
    """The engine's index and the triggers that keep `search_documents` (and the index) current."""
    return {"sqlite": _sqlite_statements, "postgresql": _postgresql_statements}[dialect]()


def _create_index(target, connection, **kwargs) -> None:
    for statement in index_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


def _drop_index(target, connection, **kwargs) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TABLE IF EXISTS search_index")
    else:
        for function in ("search_post_changed", "search_thread_retitled", "search_thread_retagged"):
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}() CASCADE")


sa.event.listen(SearchDocument.__table__, "after_create", _create_index)
sa.event.listen(SearchDocument.__table__, "before_drop", _drop_index)

# Schema objects of the index that the models do not describe (Alembic's comparison skips them).
OUTSIDE_MODELS = {"table": ("search_index",), "column": ("search_vector",), "index": ("ix_search_documents_vector",)}


def outside_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic include_object: False for the index's own objects (FTS5 tables, tsvector column, GIN index)."""
    return not (reflected and compare_to is None and name is not None
                and any(name == own or name.startswith(own + "_") for own in OUTSIDE_MODELS.get(type_, ())))
