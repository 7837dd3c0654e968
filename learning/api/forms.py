"""The form for a new API token."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from learning.api.services import MAX_NAME
from learning.forms import Form


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class TokenForm(Form):
    """Name a new token so its owner recognises it in the list later."""

    token_name = StringField("Namn på nyckeln", filters=[_strip], validators=[
        DataRequired("Fyll i ett namn på nyckeln."),
        Length(max=MAX_NAME, message=f"Skriv högst {MAX_NAME} tecken."),
    ])
