"""The Alembic revisions build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.search.models import outside_models


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": outside_models})
        return compare_metadata(context, db.metadata)


def test_upgrade_head_on_an_empty_database_matches_the_models(empty_app):
    upgrade()
    assert schema_differences() == []


def test_downgrade_to_base_and_back(empty_app):
    upgrade()
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert db.inspect(conn).get_table_names() == ["alembic_version"]
    upgrade()
    assert schema_differences() == []
