"""The load balancer's probes and the backup and restore commands' refusals.

The probes must answer without a session, a sign-in or a database write; /readyz says 503 and why
when the database does not answer or is not migrated to this code's head.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from learning import create_app
from learning.accounts.models import User
from learning.extensions import db
from learning.ops import services
from tests.helpers import app_config, login, make_user

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|REPLACE)\b", re.IGNORECASE)


@contextmanager
def statements(app):
    """Every SQL statement the app sends inside the block."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def migrated(empty_database_url):
    """An app on a database built by the migrations, as `make run` builds it."""
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_answers_without_touching_the_session_or_the_database(app, client):
    user_id = make_user(app)
    assert login(client).status_code == 302
    with app.app_context():  # even a user who must change password is not redirected from a probe
        db.session.get(User, user_id).must_change_password = True
        db.session.commit()
    with statements(app) as sent:
        response = client.get("/healthz")
        head = client.head("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")
    assert head.status_code == 200
    assert "Set-Cookie" not in response.headers and "Set-Cookie" not in head.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert sent == []
    assert client.get("/kurs/grundkurs/").status_code == 302  # the same cookie elsewhere: sent to change it


def test_readyz_is_ready_at_the_migrations_head_reads_only_and_says_503_when_behind(migrated):
    client = migrated.test_client()
    with statements(migrated) as sent:
        response = client.get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")
    assert "Set-Cookie" not in response.headers
    assert sent and not [s for s in sent if WRITES.match(s)]

    with migrated.app_context():  # as after deploying new code without running `db upgrade`
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = 'aaaa11112222'"))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == f"migrations not at head: database aaaa11112222, code {head}\n"


def test_readyz_says_503_on_a_database_that_was_never_migrated(app, client):
    # The suite's own database is built from the models, without Alembic's version table.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "database not migrated" in response.get_data(as_text=True)


def missing_database(app, folder) -> str:
    """A URL like the app's that points at a database that does not exist."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        return url.set(database="learning_no_such_database").render_as_string(hide_password=False)
    return f"sqlite:///{folder / 'no-such-folder' / 'learning.db'}"


def test_readyz_says_503_when_the_database_does_not_answer(app, tmp_path):
    down = create_app(app_config(missing_database(app, tmp_path)))
    response = down.test_client().get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "database unavailable\n")
    assert down.test_client().get("/healthz").status_code == 200  # the process itself still answers


def test_the_code_head_is_the_one_head_of_the_migrations():
    assert len(services.code_heads()) == 1


def test_backup_into_a_missing_folder_fails_with_a_message(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "not-mounted")])
    assert result.exit_code == 1
    assert "Ingen säkerhetskopia: Mappen" in result.output and "finns inte" in result.output
    assert not (tmp_path / "not-mounted").exists()


def test_a_failed_backup_says_why_exits_1_and_leaves_no_file(app, tmp_path):
    down = create_app(app_config(missing_database(app, tmp_path)))
    result = down.test_cli_runner().invoke(args=["backup", str(tmp_path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Ingen säkerhetskopia: ")
    assert "pg_dump misslyckades" in result.stderr or "Databasfilen" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_backup_prints_the_path_of_a_whole_file_and_never_overwrites_one(app, runner, tmp_path):
    first, second = (runner.invoke(args=["backup", str(tmp_path)]) for _ in range(2))
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    paths = [first.stdout.strip(), second.stdout.strip()]
    assert paths[0] != paths[1] and sorted(str(p) for p in tmp_path.iterdir()) == sorted(paths)
    assert re.fullmatch(r"learning-\d{8}T\d{6}Z(-2)?\.(sqlite3|dump)", Path(paths[0]).name)
    assert all(oct(Path(p).stat().st_mode & 0o777) == "0o600" for p in paths)  # it holds personal data


def test_restore_refuses_a_database_in_use_and_a_file_that_is_no_backup(app, runner, tmp_path):
    make_user(app)
    refused = runner.invoke(args=["restore", str(tmp_path / "whatever")])
    assert refused.exit_code == 1 and "Databasen har redan tabeller" in refused.output and "--replace" in refused.output
    junk = tmp_path / "junk.dump"
    junk.write_text("not a backup")
    failed = runner.invoke(args=["restore", "--replace", str(junk)])
    assert failed.exit_code == 1 and "Ingenting återställdes" in failed.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1  # the database is as it was
