"""The assignment rule form."""

from __future__ import annotations

from wtforms import BooleanField, SelectField
from wtforms.validators import Optional

from learning.forms import Form
from learning.sessions.forms import CheckboxListField, SwedishDateField
from learning.staff.forms import WholeNumberField


class RuleForm(Form):
    """A course assigned to part of the staff list, with a due date."""

    course = SelectField("Kurs")
    everyone = BooleanField("Alla anställda i personallistan")
    # Choices are checked by the service, which says in Swedish what is wrong (and what lies outside HR's scope).
    organisations = CheckboxListField("Förvaltningar", choices=[], validate_choice=False)
    units = CheckboxListField("Enheter", choices=[], validate_choice=False)
    roles = CheckboxListField("Bara de med rollen (frivilligt)", choices=[], validate_choice=False)
    due_on = SwedishDateField("Klar senast (datum)", validators=[Optional()])
    within_days = WholeNumberField("Klar inom antal dagar för den som börjar senare", validators=[Optional()],
                                   render_kw={"inputmode": "numeric"})
