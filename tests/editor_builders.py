"""Builders for editor tests: signed-in editors and the editor's forms."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from learning.content.models import ContentFile, Revision
from learning.extensions import db
from tests.helpers import csrf_token, login, make_user


def editor_client(app, email: str = "redaktor@malmo.se", role: str = "editor"):
    """A client signed in as an editor (or another role)."""
    make_user(app, email, name=email.split("@")[0].title(), role=role)
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def file_id(app, filename: str = "del-1.md") -> int:
    """The id of a content file of the base course."""
    with app.app_context():
        return db.session.scalar(select(ContentFile.id).filter_by(filename=filename))


def live_text(app, filename: str = "del-1.md") -> str:
    """The Markdown learners see now."""
    with app.app_context():
        return db.session.scalar(
            select(Revision.markdown).join(ContentFile, ContentFile.id == Revision.content_file_id)
            .where(ContentFile.filename == filename).order_by(Revision.number.desc()).limit(1))


def revision_count(app) -> int:
    """How many revisions exist, of every file."""
    with app.app_context():
        return db.session.scalar(select(func.count(Revision.id)))


def edit_form(client, fid: int) -> dict:
    """The edit page's form as a browser would submit it unchanged."""
    page = client.get(f"/redaktor/fil/{fid}").get_data(as_text=True)
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', page).group(1)
    text = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.S).group(1)
    return {"csrf_token": csrf_token(client, f"/redaktor/fil/{fid}"), "base": base,
            "markdown": unescape(text), "message": ""}


def submit(client, fid: int, form: dict, action: str, **changes):
    """Post the edit form with one of its buttons."""
    return client.post(f"/redaktor/fil/{fid}", data={**form, **changes, "action": action})
