"""Forms for the operator's pages."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from learning.accounts.forms import choices
from learning.accounts.models import PLATFORM_ROLES
from learning.forms import Form


class RolesForm(Form):
    """A user's platform role and HR scopes."""

    role = SelectField("Behörighet", choices=choices(PLATFORM_ROLES.items()))
    scopes = SelectMultipleField(
        "Förvaltningar som HR-rollen omfattar",
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
