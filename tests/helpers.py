"""Builders and helpers for tests: accounts, sign-in, forms, quizzes."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text

from learning.accounts import services as accounts
from learning.config import PROJECT_ROOT
from learning.content import services as content
from learning.extensions import db

PASSWORD = "ett-bra-lösenord-42"
COURSES = PROJECT_ROOT / "courses"


def app_config(database_url: str, **extra) -> dict:
    """Settings for an app under test."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "CHECK_CONTENT_ON_START": False,
        "PASSWORD_HASH_PARAMS": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
        # Each visit written in its request, so that builders' own writes never meet a background one;
        # tests/test_visits.py and tests/test_concurrency.py turn the buffer on.
        "VISIT_BUFFER_SECONDS": 0,
        **extra,
    }


def reset_database() -> None:
    """Empty every table, keeping the schema."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def seed_reference_data(courses: Path = COURSES) -> None:
    """The organisation list and the course content, as `flask bootstrap` loads them."""
    accounts.sync_organisations(accounts.load_organisation_file(
        PROJECT_ROOT / "learning" / "organisations" / "malmo.toml"))
    content.import_tree(courses)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at url, as a browser would submit it."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, f"no CSRF token in {url}"
    return match.group(1)


def make_user(app, email: str = "anna.andersson@malmo.se", *, name: str = "Anna Andersson",
              organisation: str = "fsk", org_role: str = "medarbetare", role: str = "learner",
              gender: str | None = None, password: str = PASSWORD) -> int:
    """Create an account directly; returns its id."""
    with app.app_context():
        user = accounts.create_user(accounts.NewUser(
            email=email, name=name, password=password, organisation_code=organisation,
            org_role=org_role, role=role, gender=gender,
        ))
        return user.id


def login(client, email: str = "anna.andersson@malmo.se", password: str = PASSWORD):
    """Sign in through the real form."""
    token = csrf_token(client, "/logga-in")
    return client.post("/logga-in", data={"csrf_token": token, "email": email, "password": password})


def published(app, slug: str = "grundkurs"):
    """The published course as the app serves it."""
    with app.app_context():
        return content.published_course(slug)


def quiz_form(part, token: str, csrf: str, *, wrong: int = 0, round_: str = "0", asked=None) -> dict:
    """Form data answering a part's quiz (the questions `asked`, all by default); the first `wrong` are wrong."""
    data: dict = {"csrf_token": csrf, "token": token, "revision": str(part.revision_id), "round": round_}
    questions = [q for q in part.doc.questions if asked is None or q.id in asked]
    for index, question in enumerate(questions):
        if index < wrong:
            choice = [next(o.id for o in question.options if not o.correct)]
        else:
            choice = sorted(question.correct_ids)
        data[f"q-{question.id}"] = choice
    return data


def quiz_page_tokens(client, url: str) -> tuple[str, str]:
    """The (csrf token, attempt token) of the quiz form on a part page."""
    return quiz_page(client, url)[:2]


def quiz_page(client, url: str) -> tuple[str, str, str]:
    """The (csrf token, attempt token, draw) of the quiz form on a part page."""
    page = client.get(url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    round_ = re.search(r'name="round" value="(\d+)"', page).group(1)
    return csrf, token, round_


def take_quiz(client, app, part_slug: str, *, wrong: int = 0, course: str = "grundkurs"):
    """Open a part and submit its quiz through the page's own form."""
    part = published(app, course).part(part_slug)
    url = f"/kurs/{course}/{part_slug}"
    csrf, token, round_ = quiz_page(client, url)
    return client.post(f"{url}/kunskapstest", data=quiz_form(part, token, csrf, wrong=wrong, round_=round_))



def link_in_mail(messages: list, path_prefix: str) -> str:
    """The path of the last link in the mail that starts with path_prefix (as a learner would click it)."""
    for message in reversed(messages):
        body = message.get_body().get_content()
        match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no mail with a link to {path_prefix}")
