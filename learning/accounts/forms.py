"""Sign-up, sign-in, password and profile forms."""

from __future__ import annotations

from flask import current_app
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from learning.accounts.models import GENDERS, ORG_ROLES
from learning.accounts.services import email_domain_allowed, organisations
from learning.forms import Form

REQUIRED = "Fyll i fältet."


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _min_password(form, field) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(f"Lösenordet måste ha minst {minimum} tecken.")


class ProfileFields(Form):
    """Fields a learner fills in about their place in the organisation."""

    name = StringField("Namn", validators=[DataRequired(REQUIRED), Length(max=200, message="Högst 200 tecken.")])
    organisation = SelectField("Förvaltning", validators=[DataRequired("Välj din förvaltning.")])
    org_role = SelectField("Roll i organisationen", choices=choices(ORG_ROLES.items()),
                           validators=[DataRequired("Välj din roll.")])
    gender = SelectField(
        "Kön (frivilligt, används bara för jämställdhetsstatistik)",
        choices=choices([("", "Inget svar"), *GENDERS.items()]),
        validate_choice=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = choices([("", "Välj förvaltning")] + [(o.code, o.name) for o in organisations()])


class SignUpForm(ProfileFields):
    """Create an account with a work e-mail address."""

    email = EmailField("E-postadress i tjänsten", validators=[
        DataRequired(REQUIRED), Email("Skriv en giltig e-postadress."), Length(max=254)])
    password = PasswordField("Lösenord", validators=[DataRequired(REQUIRED), _min_password])
    confirm = PasswordField("Upprepa lösenordet", validators=[
        DataRequired(REQUIRED), EqualTo("password", "Lösenorden är inte likadana.")])

    def validate_email(self, field) -> None:
        domains = current_app.config["ALLOWED_EMAIL_DOMAINS"]
        if not email_domain_allowed(field.data or "", domains):
            raise ValidationError("Använd din e-postadress i tjänsten (" + ", ".join("@" + d for d in domains) + ").")


class LoginForm(Form):
    """Sign in with e-mail and password."""

    email = EmailField("E-postadress", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Lösenord", validators=[DataRequired(REQUIRED)])
    remember = BooleanField("Kom ihåg mig på den här datorn")


class PasswordForm(Form):
    """Change one's own password."""

    current = PasswordField("Nuvarande lösenord", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Nytt lösenord", validators=[DataRequired(REQUIRED), _min_password])
    confirm = PasswordField("Upprepa det nya lösenordet", validators=[
        DataRequired(REQUIRED), EqualTo("password", "Lösenorden är inte likadana.")])


class ForgotPasswordForm(Form):
    """Ask for a link to choose a new password."""

    email = EmailField("E-postadress", validators=[DataRequired(REQUIRED), Length(max=254)])


class ResetPasswordForm(Form):
    """Choose a new password from a link."""

    password = PasswordField("Nytt lösenord", validators=[DataRequired(REQUIRED), _min_password])
    confirm = PasswordField("Upprepa det nya lösenordet", validators=[
        DataRequired(REQUIRED), EqualTo("password", "Lösenorden är inte likadana.")])
