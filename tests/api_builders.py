"""Builders for API tests: the hand-built city (tests/report_builders.py) and tokens made through the page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from learning.accounts.models import User
from learning.accounts.services import set_roles
from learning.api.models import ApiToken
from learning.api.services import access_of
from learning.extensions import db
from tests.helpers import csrf_token, login
from tests.report_builders import MARCH, city  # noqa: F401  (the fixture)

API = "/api/v1/courses/grundkurs"
PERIOD = "?fran=2026-03&till=2026-04"
COORDINATOR = "samordnare@malmo.se"
FIGURES = ["registered", "started", "completed", "completion_rate", "staff", "covered", "coverage", "covered_ever"]


def signed_in(app, email: str = COORDINATOR):
    """A browser signed in through the real form."""
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def new_token(client, name: str = "Uppföljning") -> str:
    """Create a token through the page, as a coordinator would, and read the secret off the page."""
    response = client.post("/api-nycklar/", data={"csrf_token": csrf_token(client, "/api-nycklar/"),
                                                  "token_name": name})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # the page with the secret is not kept
    return re.search(r'value="(lrn_[A-Za-z0-9_-]{43})"', response.get_data(as_text=True)).group(1)


@pytest.fixture
def token(city) -> str:
    """A coordinator's API token."""
    return new_token(signed_in(city))


def api_get(app, url: str, secret: str | None):
    """A GET with the token as bearer (none: no Authorization header), from a fresh client without cookies."""
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return app.test_client().get(url, headers=headers)


def api_json(app, url: str, secret: str | None, status: int = 200) -> dict:
    """The JSON body of a GET that must answer with status."""
    response = api_get(app, url, secret)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    return response.get_json()


def as_role(app, email: str, role: str, scope: list[str] | None = None, keep_tokens: bool = False) -> None:
    """Give the user a platform role (and HR förvaltningar) as an admin would; that revokes their tokens.

    keep_tokens: the tokens live on with the new access, as a token made before tokens recorded their access
    does once the migration has recorded its owner's access of that moment (for testing what such a token sees).
    """
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=email))
        set_roles(user_id, role, scope or [])
        if keep_tokens:
            user = db.session.get(User, user_id)
            for token in db.session.scalars(select(ApiToken).filter_by(user_id=user_id)):
                token.revoked_at, token.granted_access = None, access_of(user)
            db.session.commit()
