"""The form that sets one contact text."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from learning.contacts.services import MAX_TEXT
from learning.forms import Form


class ContactForm(Form):
    """A key, where its text applies, and the text (empty removes it)."""

    key = SelectField("Kontakt")
    scope = SelectField("Gäller för")
    text = TextAreaField(
        "Text som deltagarna ser",
        validators=[Length(max=MAX_TEXT, message=f"Texten får vara högst {MAX_TEXT} tecken.")],
        description="Vanlig text. En adress som börjar med https:// eller ett nummer som börjar med tel: blir en "
                    "länk. Lämna tomt för att ta bort texten.",
    )
