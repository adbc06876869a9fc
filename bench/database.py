"""The database a benchmark builds in: a SQLite file, or a PostgreSQL schema of its own."""
from pathlib import Path

import sqlalchemy as sa


def database_config(url: str, pg_schema: str) -> tuple[dict, str | None]:
    """App settings for the database, and the PostgreSQL schema to use (None elsewhere)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    config = {"SQLALCHEMY_DATABASE_URI": url}
    if not url.startswith("postgresql"):
        return config, None
    # The same per-schema isolation as tests/conftest.py: a benchmark never touches `public`.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                           "connect_args": {"options": f"-csearch_path={pg_schema}"}}
    return config, pg_schema


def reset_database(schema: str | None) -> None:
    """An empty database with every table: the schema recreated, or the SQLite file deleted."""
    from app.extensions import db
    url = db.engine.url
    if schema:
        with db.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    elif url.get_backend_name() == "sqlite" and url.database:
        db.engine.dispose()  # release the file before deleting it
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(url.database + suffix).unlink(missing_ok=True)
    else:
        db.drop_all()
    db.create_all()
