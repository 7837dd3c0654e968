"""The base of every form: FlaskForm with WTForms' own messages in Swedish.

Fields and validators here mostly carry their own Swedish message. The ones they do not (a select sent
a value that is not among its options, a length without a message) would otherwise reach the person in
English: these say the same in plain Swedish, and WTForms' Swedish catalogue covers the rest.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.i18n import get_translations

_CHOICE = "Välj ett av alternativen i listan."
_MESSAGES = {
    "Not a valid choice.": _CHOICE,
    "Invalid Choice: could not coerce.": _CHOICE,
    "Invalid choice(s): one or more data inputs could not be coerced.": _CHOICE,
    "'%(value)s' is not a valid choice for this field.": "”%(value)s” finns inte bland alternativen.",
    "This field is required.": "Fyll i fältet.",
    "Not a valid integer value.": "Skriv ett heltal, till exempel 12.",
    "Not a valid decimal value.": "Skriv ett tal, till exempel 12.",
    "Not a valid float value.": "Skriv ett tal, till exempel 12.",
    "Not a valid date value.": "Skriv datumet som år-månad-dag, till exempel 2026-03-14.",
    "Invalid email address.": "Skriv en e-postadress, till exempel namn@malmo.se.",
    "Field must be between %(min)d and %(max)d characters long.": "Skriv mellan %(min)d och %(max)d tecken.",
    "Number must be at least %(min)s.": "Skriv ett tal som är minst %(min)s.",
    "Number must be at most %(max)s.": "Skriv ett tal som är högst %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Skriv ett tal från %(min)s till %(max)s.",
}
# ngettext's plural message -> the Swedish text (Swedish "tecken" has one form).
_PLURALS = {
    "Field must be at least %(min)d characters long.": "Skriv minst %(min)d tecken.",
    "Field cannot be longer than %(max)d characters.": "Skriv högst %(max)d tecken.",
    "Field must be exactly %(max)d characters long.": "Skriv exakt %(max)d tecken.",
}


class SwedishMessages:
    """A gettext object for WTForms: our wording first, then WTForms' Swedish catalogue."""

    def __init__(self) -> None:
        self._catalogue = get_translations(["sv"])

    def gettext(self, string: str) -> str:
        """The Swedish message for one of WTForms' own."""
        return _MESSAGES.get(string) or self._catalogue.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The Swedish message for one of WTForms' own that depends on a number."""
        return _PLURALS.get(plural) or self._catalogue.ngettext(singular, plural, n)


SWEDISH = SwedishMessages()


class Form(FlaskForm):
    """Every form of the platform derives from this one."""

    class Meta:
        def get_translations(self, form):
            return SWEDISH
