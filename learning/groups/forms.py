"""The group-viewing form: a count per förvaltning, built from the organisation list."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from learning.forms import Form
from learning.sessions.forms import SwedishDateField
from learning.staff.forms import WholeNumberField

PREFIX = "antal_"


class GroupForm(Form):
    """Fields every group has; the counts per förvaltning are added by group_form()."""

    viewed_on = SwedishDateField("Datum då ni gick kursen", validators=[InputRequired("Fyll i datumet.")])
    women = WholeNumberField("Varav kvinnor (frivilligt)", render_kw={"inputmode": "numeric"},
                             validators=[Optional(), NumberRange(min=0, max=50, message="Skriv ett antal från 0 till 50.")])
    men = WholeNumberField("Varav män (frivilligt)", render_kw={"inputmode": "numeric"},
                           validators=[Optional(), NumberRange(min=0, max=50, message="Skriv ett antal från 0 till 50.")])
    names = TextAreaField("Deltagarnas namn (frivilligt)", validators=[
        Length(max=2000, message="Högst 2 000 tecken.")])


def group_form(organisations, **kwargs) -> GroupForm:
    """A GroupForm with one optional count field per förvaltning, in the order given."""

    class Form(GroupForm):
        pass

    for organisation in organisations:
        setattr(Form, PREFIX + organisation.code, WholeNumberField(
            organisation.name, render_kw={"inputmode": "numeric"},
            validators=[Optional(), NumberRange(min=0, max=50, message="Skriv ett antal från 0 till 50.")]))
    return Form(**kwargs)


def count_fields(form: GroupForm) -> list:
    """The per-förvaltning fields of a form."""
    return [f for f in form if f.name.startswith(PREFIX)]
