"""search: one document per post (title and tags on opening posts), an FTS5 index (SQLite) or a
weighted tsvector under GIN (PostgreSQL), and the triggers that keep them in step with posts, titles and tags

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

The engine statements are frozen copies of app/search/models.py as of this revision; the documents of the
posts already written are filled in here (`flask search reindex` does the same at any time).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE search_index USING fts5(title, tags, body, content='search_documents', content_rowid='post_id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_posts_insert AFTER INSERT ON posts BEGIN INSERT INTO search_documents(post_id, thread_id, opening, title, tags, body) SELECT new.id, new.thread_id, new.parent_id IS NULL, CASE WHEN new.parent_id IS NULL THEN t.title ELSE '' END, CASE WHEN new.parent_id IS NULL THEN coalesce((SELECT group_concat(tags.name, ' ') FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = new.thread_id), '') ELSE '' END, CASE WHEN new.status IN ('removed', 'deleted') THEN '' ELSE new.body_source END FROM threads t WHERE t.id = new.thread_id; INSERT INTO search_index(rowid, title, tags, body) SELECT post_id, title, tags, body FROM search_documents WHERE post_id = new.id; END",
    "CREATE TRIGGER search_posts_update AFTER UPDATE OF body_source, status ON posts WHEN old.body_source IS NOT new.body_source OR old.status IS NOT new.status BEGIN INSERT INTO search_index(search_index, rowid, title, tags, body) SELECT 'delete', post_id, title, tags, body FROM search_documents WHERE post_id = new.id; UPDATE search_documents SET body = CASE WHEN new.status IN ('removed', 'deleted') THEN '' ELSE new.body_source END WHERE post_id = new.id; INSERT INTO search_index(rowid, title, tags, body) SELECT post_id, title, tags, body FROM search_documents WHERE post_id = new.id; END",
    "CREATE TRIGGER search_posts_delete BEFORE DELETE ON posts BEGIN INSERT INTO search_index(search_index, rowid, title, tags, body) SELECT 'delete', post_id, title, tags, body FROM search_documents WHERE post_id = old.id; DELETE FROM search_documents WHERE post_id = old.id; END",
    "CREATE TRIGGER search_threads_retitle AFTER UPDATE OF title ON threads WHEN old.title IS NOT new.title BEGIN INSERT INTO search_index(search_index, rowid, title, tags, body) SELECT 'delete', post_id, title, tags, body FROM search_documents WHERE thread_id = new.id AND opening; UPDATE search_documents SET title = new.title WHERE thread_id = new.id AND opening; INSERT INTO search_index(rowid, title, tags, body) SELECT post_id, title, tags, body FROM search_documents WHERE thread_id = new.id AND opening; END",
    "CREATE TRIGGER search_thread_tags_insert AFTER INSERT ON thread_tags BEGIN INSERT INTO search_index(search_index, rowid, title, tags, body) SELECT 'delete', post_id, title, tags, body FROM search_documents WHERE thread_id = new.thread_id AND opening; UPDATE search_documents SET tags = coalesce((SELECT group_concat(tags.name, ' ') FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = new.thread_id), '') WHERE thread_id = new.thread_id AND opening; INSERT INTO search_index(rowid, title, tags, body) SELECT post_id, title, tags, body FROM search_documents WHERE thread_id = new.thread_id AND opening; END",
    "CREATE TRIGGER search_thread_tags_delete AFTER DELETE ON thread_tags BEGIN INSERT INTO search_index(search_index, rowid, title, tags, body) SELECT 'delete', post_id, title, tags, body FROM search_documents WHERE thread_id = old.thread_id AND opening; UPDATE search_documents SET tags = coalesce((SELECT group_concat(tags.name, ' ') FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = old.thread_id), '') WHERE thread_id = old.thread_id AND opening; INSERT INTO search_index(rowid, title, tags, body) SELECT post_id, title, tags, body FROM search_documents WHERE thread_id = old.thread_id AND opening; END",
]

POSTGRESQL = [
    "ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(tags, '')), 'B') || setweight(to_tsvector('english', coalesce(body, '')), 'D')) STORED",
    'CREATE INDEX ix_search_documents_vector ON search_documents USING gin (search_vector)',
    "CREATE FUNCTION search_post_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO search_documents(post_id, thread_id, opening, title, tags, body) SELECT NEW.id, NEW.thread_id, NEW.parent_id IS NULL, CASE WHEN NEW.parent_id IS NULL THEN t.title ELSE '' END, CASE WHEN NEW.parent_id IS NULL THEN coalesce((SELECT string_agg(tags.name, ' ' ORDER BY tags.name) FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = NEW.thread_id), '') ELSE '' END, CASE WHEN NEW.status IN ('removed', 'deleted') THEN '' ELSE NEW.body_source END FROM threads t WHERE t.id = NEW.thread_id; ELSE UPDATE search_documents SET body = CASE WHEN NEW.status IN ('removed', 'deleted') THEN '' ELSE NEW.body_source END WHERE post_id = NEW.id; END IF; RETURN NULL; END $$",
    'CREATE TRIGGER search_posts_insert AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION search_post_changed()',
    'CREATE TRIGGER search_posts_update AFTER UPDATE OF body_source, status ON posts FOR EACH ROW WHEN (OLD.body_source IS DISTINCT FROM NEW.body_source OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION search_post_changed()',
    'CREATE FUNCTION search_thread_retitled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE search_documents SET title = NEW.title WHERE thread_id = NEW.id AND opening; RETURN NULL; END $$',
    'CREATE TRIGGER search_threads_retitle AFTER UPDATE OF title ON threads FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION search_thread_retitled()',
    "CREATE FUNCTION search_thread_retagged() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE changed integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.thread_id ELSE NEW.thread_id END; BEGIN UPDATE search_documents SET tags = coalesce((SELECT string_agg(tags.name, ' ' ORDER BY tags.name) FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = changed), '') WHERE thread_id = changed AND opening; RETURN NULL; END $$",
    'CREATE TRIGGER search_thread_tags_change AFTER INSERT OR DELETE ON thread_tags FOR EACH ROW EXECUTE FUNCTION search_thread_retagged()',
]

FILL_SQLITE = ("INSERT INTO search_documents (post_id, thread_id, opening, title, tags, body) "
    "SELECT p.id, p.thread_id, p.parent_id IS NULL, CASE WHEN p.parent_id IS NULL THEN t.title ELSE '' END, CASE WHEN p.parent_id IS NULL THEN coalesce((SELECT group_concat(tags.name, ' ') FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = p.thread_id), '') ELSE '' END, CASE WHEN p.status IN ('removed', 'deleted') THEN '' ELSE p.body_source END FROM threads t, posts p WHERE t.id = p.thread_id")

FILL_POSTGRESQL = ("INSERT INTO search_documents (post_id, thread_id, opening, title, tags, body) "
    "SELECT p.id, p.thread_id, p.parent_id IS NULL, CASE WHEN p.parent_id IS NULL THEN t.title ELSE '' END, CASE WHEN p.parent_id IS NULL THEN coalesce((SELECT string_agg(tags.name, ' ' ORDER BY tags.name) FROM thread_tags JOIN tags ON tags.id = thread_tags.tag_id WHERE thread_tags.thread_id = p.thread_id), '') ELSE '' END, CASE WHEN p.status IN ('removed', 'deleted') THEN '' ELSE p.body_source END FROM threads t, posts p WHERE t.id = p.thread_id")


def upgrade():
    op.create_table('search_documents',
    sa.Column('post_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('opening', sa.Boolean(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_search_documents_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_search_documents_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_thread_id'), ['thread_id'], unique=False)

    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.execute(FILL_SQLITE if sqlite else FILL_POSTGRESQL)
    for statement in SQLITE if sqlite else POSTGRESQL:
        op.execute(statement)
    if sqlite:
        op.execute("INSERT INTO search_index(search_index) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('search_posts_insert', 'search_posts_update', 'search_posts_delete', 'search_threads_retitle',
                        'search_thread_tags_insert', 'search_thread_tags_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS search_index')
    else:
        for function in ('search_post_changed', 'search_thread_retitled', 'search_thread_retagged'):
            op.execute(f'DROP FUNCTION IF EXISTS {function}() CASCADE')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_thread_id'))

    op.drop_table('search_documents')
