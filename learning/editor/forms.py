"""Forms for the editor's pages."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from learning.accounts.forms import choices
from learning.forms import Form

MAX_MARKDOWN = 200_000


class EditForm(Form):
    """A file's Markdown, the revision it was started from, and the message for publishing."""

    markdown = TextAreaField("Markdown", validators=[Length(max=MAX_MARKDOWN, message="Texten är för lång.")],
                             render_kw={"rows": 24, "spellcheck": "true"})
    base = HiddenField()
    message = StringField("Kort beskrivning av ändringen (krävs för att publicera)",
                          validators=[Length(max=200, message="Högst 200 tecken.")])
    earlier = RadioField(
        "Om du har ändrat frågorna eller svaren i kunskapstestet",
        choices=choices([("keep", "Tidigare godkända resultat gäller fortfarande"),
                         ("retake", "Deltagarna måste göra om kunskapstestet")]),
        validators=[Optional()],
    )


class BaseForm(Form):
    """A button that acts on the live revision it was shown with (restore)."""

    base = HiddenField()


def base_revision(raw: str | None) -> int | None:
    """A revision id or number from a form or query; anything unreadable or beyond int32 counts as none."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 10 and int(raw) <= 2**31 - 1 else None


class ImageForm(Form):
    """One image file to upload."""

    image = FileField("Bildfil", validators=[FileRequired("Välj en bildfil.")])


class NewCourseForm(Form):
    """A new course's short name (its folder in courses/) and title."""

    slug = StringField("Kortnamn (blir mappens namn, till exempel fordjupning)",
                       validators=[DataRequired("Fyll i fältet."), Length(max=100, message="Högst 100 tecken.")])
    title = StringField("Kursens titel", validators=[DataRequired("Fyll i fältet."), Length(max=200, message="Högst 200 tecken.")])


class NewPartForm(Form):
    """A new part's file name."""

    # 97 + ".md" fits content_files.filename (100 characters).
    name = StringField("Filnamn för den nya delen (till exempel del-6)",
                       validators=[DataRequired("Fyll i fältet."), Length(max=97, message="Högst 97 tecken.")])
