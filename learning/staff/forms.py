"""Forms for the staff pages: the staff-list upload and a hand-entered headcount."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError
from wtforms.widgets import TextInput

from learning.forms import Form
from learning.staff.services import MAX_HEADCOUNT

MAX_UPLOAD = 5 * 1024 * 1024


class WholeNumberField(IntegerField):
    """An integer field that takes "1 200" as Swedes write it and explains a non-number in Swedish."""

    # A text box with a numeric keyboard: number inputs change value when someone scrolls past them.
    widget = TextInput()

    def process_formdata(self, valuelist):
        valuelist = [v.replace(" ", "").replace("\u00a0", "") for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Skriv ett heltal med siffror, till exempel 250.") from None


def within_range(form, field) -> None:
    """A headcount the database and the reports can use; text that is not a number is reported once, earlier."""
    if field.data is not None and not 0 <= field.data <= MAX_HEADCOUNT:
        raise ValidationError("Skriv ett antal från 0 till 200 000.")


class StaffFileForm(Form):
    """Upload of the HR system's staff list as CSV."""

    file = FileField("Personallista (CSV-fil)", render_kw={"accept": ".csv,.txt,text/csv"}, validators=[
        FileRequired("Välj en fil att läsa in."),
        FileSize(MAX_UPLOAD, message="Filen är större än 5 MB. Dela inte upp listan i flera filer, eftersom alla "
                                     "som saknas i en fil markeras som slutade. Be systemförvaltningen läsa in "
                                     "den med kommandot import-staff."),
    ])


class StaffConfirmForm(Form):
    """The confirmation of a previewed import: the file itself travels back in a hidden field."""

    file_data = HiddenField()
    fingerprint = HiddenField()
    # Asked only when more than a tenth of the active staff would be marked as having left; the view words it.
    confirm_departures = BooleanField("Ja, markera dem som slutade")


class HeadcountForm(Form):
    """A headcount typed in by hand for one förvaltning."""

    organisation = SelectField("Förvaltning", validators=[DataRequired("Välj en förvaltning.")])
    staff = WholeNumberField("Antal anställda", render_kw={"inputmode": "numeric"},
                             validators=[InputRequired("Fyll i antalet anställda."), within_range])
    managers = WholeNumberField("Varav chefer (frivilligt)", render_kw={"inputmode": "numeric"},
                                validators=[Optional(), within_range])
