"""Fixtures: a fresh database per run (SQLite by default, PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from learning import create_app
from learning.config import normalise_database_url
from learning.extensions import db
from tests.helpers import app_config, login, make_user, reset_database, seed_reference_data


def _postgres_admin_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database that exists only for this test run, dropped at the end."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    name = f"learning_test_{uuid.uuid4().hex[:10]}"
    admin = _postgres_admin_url(normalise_database_url(base))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield normalise_database_url(make_url(normalise_database_url(base)).set(database=name).render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(app_config(database_url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()


@pytest.fixture
def app(database_url, _schema):
    """An app on the test database with the organisations and the shipped course loaded."""
    app = create_app(app_config(database_url))
    with app.app_context():
        reset_database()
        seed_reference_data()
    yield app
    with app.app_context():
        db.session.remove()
        reset_database()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client (one browser)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def learner(app, client):
    """A signed-in learner; returns the user id."""
    user_id = make_user(app)
    assert login(client).status_code == 302
    return user_id
