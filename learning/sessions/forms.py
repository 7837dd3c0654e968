"""Forms for live sessions: the session itself, a count per förvaltning, an attendance file, an unmatched row."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from learning.accounts.forms import choices
from learning.forms import Form
from learning.sessions.models import KINDS, MODES
from learning.sessions.services import MAX_COUNT
from learning.staff.forms import WholeNumberField

MAX_UPLOAD = 5 * 1024 * 1024
BY_KIND = "enligt-typen"  # the session form's course choice that leaves it to the kind


class SwedishDateField(DateField):
    """A date typed as 2026-03-14, with a Swedish message for anything else."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Skriv datumet som år-månad-dag, till exempel 2026-03-14.") from None


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _year_in_range(form, field) -> None:
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError("Skriv ett datum mellan år 2000 och 2100.")


class SessionForm(Form):
    """A live session."""

    kind = SelectField("Typ", choices=choices(KINDS.items()), validators=[DataRequired("Välj typ.")])
    mode = SelectField("Form", choices=choices(MODES.items()), validators=[DataRequired("Välj form.")])
    # Choices are set by the view: BY_KIND (the default of the kind), "" (the programme report only), or a course.
    course = SelectField("Kurs", choices=[], default=BY_KIND, validate_choice=True,
                         invalid_choice_message="Välj en kurs i listan.")
    title = StringField("Rubrik", validators=[DataRequired("Fyll i en rubrik."),
                                             Length(max=200, message="Högst 200 tecken.")])
    held_on = SwedishDateField("Datum", validators=[InputRequired("Fyll i datumet."), _year_in_range])
    organiser = StringField("Arrangör", validators=[DataRequired("Fyll i vem som arrangerade tillfället."),
                                                   Length(max=200, message="Högst 200 tecken.")])
    targets = CheckboxListField("Målgrupp: förvaltningar (frivilligt)", choices=[], validate_choice=True)


class CountForm(Form):
    """The number of attendees from one förvaltning."""

    organisation = SelectField("Förvaltning", validators=[DataRequired("Välj en förvaltning.")])
    attendees = WholeNumberField("Antal deltagare", render_kw={"inputmode": "numeric"},
                                 validators=[InputRequired("Fyll i antalet deltagare.")])

    def validate_attendees(self, field) -> None:
        """Negative or absurd numbers get a message, not a row."""
        if field.data is not None and not 0 <= field.data <= MAX_COUNT:
            raise ValidationError(f"Skriv ett antal från 0 till {MAX_COUNT}. 0 tar bort förvaltningens antal.")


class AttendanceFileForm(Form):
    """An attendance list as CSV, for example exported from Teams."""

    file = FileField("Närvarolista (CSV-fil)", render_kw={"accept": ".csv,.txt,text/csv"}, validators=[
        FileRequired("Välj en fil att läsa in."),
        FileSize(MAX_UPLOAD, message="Filen är större än 5 MB. En närvarolista är oftast mycket mindre: kontrollera "
                                     "att det är rätt fil."),
    ])


class PlaceForm(Form):
    """Place an unmatched row in a förvaltning, or dismiss it."""

    organisation = SelectField("Förvaltning", validators=[DataRequired("Välj en förvaltning.")])


class ConfirmForm(Form):
    """A button that changes something: only the CSRF token."""
