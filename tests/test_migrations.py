"""The migrations build exactly the schema the models describe, on this run's database."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from learning import create_app
from learning.extensions import db
from tests.helpers import app_config


def test_migrations_match_the_models(empty_database_url):
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            tables = set(inspect(connection).get_table_names())
        db.engine.dispose()
    assert differences == []
    assert {"users", "revisions", "quiz_attempts", "part_completions", "course_completions"} <= tables


def test_migrations_downgrade_to_empty(empty_database_url):
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    assert tables == set()
