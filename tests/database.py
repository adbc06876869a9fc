"""A fresh database for every test, restored from a template built once per session.

Building the schema (and the vocabulary) takes far longer than copying it, so
each test worker builds them once and every test starts from a copy:

- SQLite (the default): the schema lives in one in-memory connection; the
  template is a second in-memory database, copied back with SQLite's backup
  API before each test. The vocabulary has a template of its own.
- PostgreSQL (TEST_DATABASE_URL): each worker owns a schema. Before each test
  every table is emptied and its sequence restarted; the vocabulary is copied
  back from a template schema holding its rows.

Either way a test sees exactly what a brand-new database would hold.
"""
from __future__ import annotations

import sqlite3
import uuid

import sqlalchemy as sa

from app.extensions import db

VOCABULARY_TABLES = ("tags", "tag_synonyms", "side_effects")


def engine_config(url: str | None) -> tuple[dict, str | None]:
    """Flask-SQLAlchemy settings for a test app, and the PostgreSQL schema it owns (or None)."""
    if not url:
        return {"SQLALCHEMY_DATABASE_URI": "sqlite://"}, None
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    schema = f"test_{uuid.uuid4().hex[:12]}"
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }, schema


def create_schema(schema: str | None) -> None:
    if schema:
        with db.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))


def drop_schema(schema: str | None) -> None:
    if schema:
        with db.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


class TemplateDatabase:
    """Restores the app's database to the empty schema, or to the schema with the vocabulary."""

    def __init__(self, schema: str | None):
        self.schema = schema
        self.sqlite = db.engine.dialect.name == "sqlite"
        self._changes_after_reset = 0
        db.create_all()
        if self.sqlite:
            self._empty = self._snapshot()
        else:
            self._template_schema = f"{schema}_tpl"
            self._tables = [t.name for t in db.metadata.sorted_tables]
            self._sequences = self._owned_sequences()
        self._seed_vocabulary()
        if self.sqlite:
            self._vocabulary = self._snapshot()
        else:
            with db.engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self._template_schema}"'))
                for table in VOCABULARY_TABLES:
                    conn.execute(sa.text(
                        f'CREATE TABLE "{self._template_schema}".{table} AS SELECT * FROM {table}'))
        self.reset()

    def close(self) -> None:
        if not self.sqlite:
            with db.engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{self._template_schema}" CASCADE'))

    # -- per test --------------------------------------------------------------

    def reset(self) -> None:
        """An empty database, as `db.create_all()` leaves it."""
        db.session.remove()
        if self.sqlite:
            self._restore(self._empty)
        else:
            self._empty_postgres()

    def add_vocabulary(self) -> None:
        """The shipped vocabulary, as `flask seed` leaves it.

        Copied from the template when nothing has been written since the reset;
        otherwise seeded through the real service, which gives the same rows.
        """
        if self.sqlite and self._raw().total_changes == self._changes_after_reset:
            db.session.remove()  # nothing was written, so the session holds nothing worth keeping
            self._restore(self._vocabulary)
        elif not self.sqlite and self._untouched_postgres():
            db.session.remove()
            self._copy_vocabulary_postgres()
        else:
            from app.vocabulary.services import seed_vocabulary
            seed_vocabulary()

    # -- SQLite ------------------------------------------------------------------

    def _raw(self) -> sqlite3.Connection:
        # The in-memory engine has one connection (StaticPool); this is it.
        return db.engine.raw_connection().driver_connection

    def _snapshot(self) -> sqlite3.Connection:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        self._raw().backup(copy)
        return copy

    def _restore(self, template: sqlite3.Connection) -> None:
        target = self._raw()
        template.backup(target)
        self._changes_after_reset = target.total_changes

    # -- PostgreSQL --------------------------------------------------------------

    def _owned_sequences(self) -> list[str]:
        with db.engine.connect() as conn:
            return list(conn.scalars(sa.text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :schema"),
                {"schema": self.schema}))

    def _empty_postgres(self) -> None:
        # DELETE beats TRUNCATE on tables this small: no new files, no lock on every table.
        statements = [f"DELETE FROM {name}" for name in reversed(self._tables)]
        statements += [f"ALTER SEQUENCE {name} RESTART" for name in self._sequences]
        with db.engine.begin() as conn:
            conn.exec_driver_sql("; ".join(statements))

    def _untouched_postgres(self) -> bool:
        counts = " UNION ALL ".join(f"SELECT 1 FROM {name}" for name in self._tables)
        with db.engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT EXISTS ({counts})").scalar() is False

    def _copy_vocabulary_postgres(self) -> None:
        statements = [f'INSERT INTO {t} SELECT * FROM "{self._template_schema}".{t}' for t in VOCABULARY_TABLES]
        statements += [f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"
                       for t in VOCABULARY_TABLES]
        with db.engine.begin() as conn:
            conn.exec_driver_sql("; ".join(statements))

    # -- both ----------------------------------------------------------------------

    @staticmethod
    def _seed_vocabulary() -> None:
        from app.vocabulary.services import seed_vocabulary
        seed_vocabulary()
        db.session.remove()
