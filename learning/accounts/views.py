"""Sign-in, sign-up, sign-out and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from learning.accounts import services
from learning.accounts.forms import ForgotPasswordForm, LoginForm, PasswordForm, ResetPasswordForm, SignUpForm
from learning.extensions import limiter, login_email_key
from learning.mail import send_mail
from learning.navigation import landing_page

bp = Blueprint("accounts", __name__)


def safe_next(default: str) -> str:
    """The ?next= target if it stays on this site, else default."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target or parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _failed(response) -> bool:
    # Only failed sign-ins count against the limits; a successful one redirects.
    return response.status_code != 302


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=login_email_key,
               methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
def login():
    """Sign in."""
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("learn.index")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and not user.email_confirmed:
            _send_confirmation(user)
            form.email.errors.append(f"Bekräfta din e-postadress först. Vi har skickat en ny länk till {user.email}.")
        elif user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(landing_page(user)))
        else:
            form.password.errors.append("Fel e-postadress eller lösenord.")
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.route("/registrera", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    """Create an account with a work e-mail address."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(services.NewUser(
                email=form.email.data, name=form.name.data, password=form.password.data,
                organisation_code=form.organisation.data, org_role=form.org_role.data,
                gender=form.gender.data or None, email_confirmed=False,
            ))
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            _send_confirmation(user)
            return render_template("accounts/check_mail.html", email=user.email)
    status = 400 if form.errors else 200
    return render_template("accounts/signup.html", form=form), status


def _send_confirmation(user) -> None:
    link = url_for("accounts.confirm", token=services.confirmation_token(user), _external=True)
    send_mail(user.email, "Bekräfta din e-postadress",
              f"Hej {user.name}!\n\nKlicka på länken för att aktivera ditt konto på Malmö stad lär:\n{link}\n\n"
              "Länken gäller i tre dagar. Har du inte skapat något konto kan du bortse från det här mejlet.\n")


@bp.get("/bekrafta/<token>")
def confirm(token: str):
    """The link in the confirmation mail."""
    try:
        services.confirm_email(token)
    except services.AccountError as exc:
        flash(str(exc), "warning")
    else:
        flash("Din e-postadress är bekräftad. Logga in för att börja.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/glomt-losenord", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    """Ask for a password reset link; the answer is the same whether the account exists or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user is not None:
            link = url_for("accounts.reset_password", token=services.reset_token(user), _external=True)
            send_mail(user.email, "Välj ett nytt lösenord",
                      f"Hej {user.name}!\n\nKlicka på länken för att välja ett nytt lösenord:\n{link}\n\n"
                      "Länken gäller i en timme och kan bara användas en gång. Har du inte bett om det "
                      "kan du bortse från det här mejlet.\n")
        return render_template("accounts/check_mail.html", email=form.email.data.strip(), reset=True)
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/nytt-losenord/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from the link in the mail."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError as exc:
            flash(str(exc), "warning")
            return redirect(url_for("accounts.forgot_password"))
        flash("Ditt nya lösenord är sparat. Logga in med det.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.post("/logga-ut")
@login_required
def logout():
    """Sign out."""
    logout_user()
    flash("Du är utloggad.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/byt-losenord", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; required after signing in with a one-time password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            login_user(current_user._get_current_object())  # this session stays; all others end
            flash("Ditt lösenord är bytt. Du är utloggad på andra enheter.", "success")
            return redirect(url_for("learn.index"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200
