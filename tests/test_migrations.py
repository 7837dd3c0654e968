"""The migrations build exactly the schema the models describe, on this run's database."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_upgrading_keeps_existing_rows(empty_database_url):
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade(revision="11ff9ddecf2f")  # before session tokens and certificate names
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, email, name, password_hash, org_role, role, must_change_password, "
                "disabled, created_at) VALUES (1, 'a@malmo.se', 'Anna', 'x', 'chef', 'learner', false, false, "
                "'2026-01-01')"))
            connection.execute(text("INSERT INTO courses (id, slug, created_at) VALUES (1, 'g', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO course_completions (id, user_id, course_id, org_role, verification_code, completed_at) "
                "VALUES (1, 1, 1, 'chef', 'AAAA-BBBB-CCCC', '2026-01-01')"))
            connection.execute(text("INSERT INTO content_files (id, course_id, filename) VALUES "
                                    "(1, 1, 'del-1.md'), (2, 1, 'del-2.md')"))
            connection.execute(text(
                "INSERT INTO part_views (id, user_id, content_file_id, first_viewed_at) VALUES "
                "(1, 1, 2, '2025-12-03 10:00:00+00:00'), (2, 1, 1, '2025-12-01 09:00:00+00:00')"))
        flask_migrate.upgrade(revision="5fd584c551e5")  # the staff list exists, before lower-case addresses
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO staff_members (id, employee_id, name, email, active, updated_at) "
                "VALUES (1, 'E1', 'Anna', 'A@Malmo.SE', true, '2026-01-01')"))
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            starts = connection.execute(text("SELECT user_id, course_id, started_at FROM course_starts")).all()
            staff = connection.execute(text("SELECT email, user_id FROM staff_members")).all()
            names = connection.execute(text("SELECT name FROM course_completions")).scalars().all()
            months = connection.execute(text("SELECT completed_month FROM course_completions")).scalars().all()
            tokens = connection.execute(text("SELECT session_token FROM users")).scalars().all()
        db.engine.dispose()
    assert names == ["Anna"]  # the certificate keeps the name the account had
    assert months == ["2026-01"]
    assert len(tokens) == 1 and len(tokens[0]) == 32
    # One start per learner and course, at the first part they opened.
    assert [(u, c) for u, c, _ in starts] == [(1, 1)]
    assert str(starts[0][2]).startswith("2025-12-01 09:00")
    assert [tuple(row) for row in staff] == [("a@malmo.se", 1)]  # lower-case, and linked to Anna's account


def test_existing_sessions_are_tied_to_the_course_of_their_kind_and_keep_their_attendance(empty_database_url):
    """c3d8e1f4a2b6: grundutbildning -> the base course, fördjupning -> the only fördjupning course, workshop -> none."""
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade(revision="b7e41c2d9a10")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO organisations (id, code, name, active) VALUES (1, 'fsk', 'F', true)"))
            connection.execute(text("INSERT INTO courses (id, slug, created_at) VALUES "
                                    "(1, 'grundkurs', '2026-01-01'), (2, 'fordjupning', '2026-02-01'), "
                                    "(3, 'chefer', '2026-02-03')"))
            connection.execute(text("INSERT INTO content_files (id, course_id, filename) VALUES "
                                    "(1, 1, 'course.md'), (2, 2, 'course.md'), (3, 3, 'course.md')"))
            connection.execute(text(
                "INSERT INTO revisions (id, content_file_id, number, markdown, content_hash, message, created_at) "
                "VALUES (1, 1, 1, :base, 'a', '', '2026-01-01'), (2, 2, 1, :old, 'b', '', '2026-02-01'), "
                "(3, 2, 2, :deeper, 'c', '', '2026-02-02'), (4, 3, 1, :other, 'd', '', '2026-02-03')"),
                {"base": "---\ntitle: Grund\n# requires: ingen\n---\nText\nrequires: nej\n",
                 "old": "---\ntitle: Fördjupning\n---\n", "deeper": "---\ntitle: Fördjupning\nrequires: grundkurs\n---\n",
                 # requires: null is no requirement (as the course file's reader has it): not a second fördjupning.
                 "other": "---\ntitle: Chefer\nrequires: null\n---\n"})
            for session_id, kind in ((1, "grundutbildning"), (2, "workshop"), (3, "fordjupning")):
                connection.execute(text(
                    "INSERT INTO live_sessions (id, kind, mode, title, held_on, organiser, targets, created_at) "
                    "VALUES (:id, :kind, 'digital', 'T', '2026-03-01', 'R', '[]', '2026-03-01')"),
                    {"id": session_id, "kind": kind})
                connection.execute(text("INSERT INTO session_counts (id, session_id, organisation_id, attendees) "
                                        "VALUES (:id, :id, 1, :n)"), {"id": session_id, "n": 10 * session_id})
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            tied = connection.execute(text("SELECT id, course_id FROM live_sessions ORDER BY id")).all()
            counts = connection.execute(text("SELECT session_id, attendees FROM session_counts ORDER BY id")).all()
        db.engine.dispose()
    assert [tuple(row) for row in tied] == [(1, 1), (2, None), (3, 2)]
    assert [tuple(row) for row in counts] == [(1, 10), (2, 20), (3, 30)]
