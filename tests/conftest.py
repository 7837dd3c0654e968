"""Fixtures: a fresh database per run (SQLite by default, PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import asyncio
import email
import os
import socket
import uuid
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage

import psycopg
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

from learning import create_app
from learning.config import normalise_database_url
from learning.extensions import db
from learning.mail import wait_for_mail
from learning.visits import buffer as visit_buffer
from tests.helpers import app_config, login, make_user, reset_database, seed_reference_data


def _postgres_admin_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def throwaway_database(folder):
    """A database that exists only inside the block: SQLite in folder, or PostgreSQL if DATABASE_URL says so."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield f"sqlite:///{folder / 'test.db'}"
        return
    name = f"learning_test_{uuid.uuid4().hex[:10]}"
    admin = _postgres_admin_url(normalise_database_url(base))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(normalise_database_url(base)).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The database for this test run."""
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own for one test, with no tables."""
    with throwaway_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(app_config(database_url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()


class _Mailbox(list):
    """The messages delivered so far; reading it first waits for mails the app sends after its responses."""

    def _settled(self):
        wait_for_mail()
        return self

    def __len__(self):
        return super(_Mailbox, self._settled()).__len__()

    def __getitem__(self, index):
        return super(_Mailbox, self._settled()).__getitem__(index)

    def __iter__(self):
        return super(_Mailbox, self._settled()).__iter__()

    def __reversed__(self):
        return super(_Mailbox, self._settled()).__reversed__()

    def __eq__(self, other):
        return super(_Mailbox, self._settled()).__eq__(other)

    __hash__ = None


class _Sink:
    """Collects every message the app sends, as a local SMTP server would deliver it."""

    def __init__(self):
        self.messages: list[EmailMessage] = _Mailbox()
        self.refused: set[str] = set()  # addresses answered "550 mailbox unavailable"
        self.delay = 0.0  # seconds the server takes to accept a message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def _smtp_sink():
    handler = _Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    wait_for_mail()
    controller.stop()


@pytest.fixture
def mailbox(_smtp_sink) -> list[EmailMessage]:
    """The messages sent during this test."""
    handler, _port = _smtp_sink
    handler.messages.clear()
    handler.refused.clear()
    handler.delay = 0.0
    return handler.messages


@pytest.fixture
def slow_mail_server(_smtp_sink, mailbox):
    """The test's SMTP server takes a second to accept each message."""
    _smtp_sink[0].delay = 1.0
    yield
    wait_for_mail()
    _smtp_sink[0].delay = 0.0


@pytest.fixture
def refused_addresses(_smtp_sink, mailbox) -> set[str]:
    """Addresses the test's SMTP server refuses (add to the set)."""
    return _smtp_sink[0].refused


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID provider on loopback for the whole run (tests/oidc.py)."""
    from tests.oidc import running_provider

    with running_provider() as provider:
        yield provider


@pytest.fixture
def app_settings() -> dict:
    """Extra settings for the app under test; a test module overrides this fixture to change them."""
    return {}


@contextmanager
def seeded_app(database_url: str, smtp_port: int, **settings):
    """An app on the test database with the organisations and the shipped course loaded, emptied afterwards."""
    app = create_app(app_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, **settings))
    with app.app_context():
        reset_database()
        seed_reference_data()
    yield app
    wait_for_mail()  # a mail this test's requests handed over is not delivered into the next test's mailbox
    visit_buffer.close(app)
    with app.app_context():
        db.session.remove()
        reset_database()
        db.engine.dispose()


@pytest.fixture
def app(database_url, _schema, _smtp_sink, app_settings):
    """An app on the test database with the organisations and the shipped course loaded."""
    with seeded_app(database_url, _smtp_sink[1], **app_settings) as app:
        yield app


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
