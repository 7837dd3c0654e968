"""Sign-in, sign-up, sign-out and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user

from learning.accounts import services
from learning.accounts.forms import ForgotPasswordForm, LoginForm, PasswordForm, ResetPasswordForm, SignUpForm
from learning.extensions import limiter
from learning.mail import send_mail_later
from learning.navigation import landing_page
from learning.sso import views as sso
from learning.staff.services import LEFT_MESSAGE, has_left
from learning.throttle import services as throttle

bp = Blueprint("accounts", __name__)


def safe_next(default: str) -> str:
    """The ?next= target if it stays on this site, else default."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target or parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def local_accounts() -> bool:
    """False when the city's identity provider is the only way in (LOCAL_ACCOUNTS off and OIDC configured)."""
    return bool(current_app.config["LOCAL_ACCOUNTS"]) or not current_app.config["OIDC_ISSUER"]


def _local_only() -> None:
    if not local_accounts():
        abort(404)


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    """Sign in: the identity provider's button, and e-mail and password unless only SSO is allowed."""
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("learn.index")))
    form = LoginForm()
    if request.method == "POST":
        _local_only()
    status = 200
    if form.validate_on_submit():
        attempt = throttle.attempt_for(form.email.data, request)
        with throttle.turn(attempt) as ours:
            wait = throttle.wait_seconds(attempt) if ours else throttle.TURN_SECONDS
            user = None if wait else services.authenticate(form.email.data, form.password.data)
            if not wait and user is None:
                throttle.record_failure(attempt)  # counted before the next attempt on the pair is checked
        if wait:
            form.password.errors.append(throttle.wait_message(wait))
            status = 429
        elif user is None:
            form.password.errors.append("Fel e-postadress eller lösenord.")
        elif has_left(user):  # the right password, told only then: nothing about the address leaks
            form.email.errors.append(LEFT_MESSAGE)
        elif not user.email_confirmed:
            _send_confirmation(user)
            form.email.errors.append(f"Bekräfta din e-postadress först. Vi har skickat en ny länk till {user.email}.")
        else:
            throttle.record_success(attempt)
            login_user(user, remember=form.remember.data)
            response = redirect(safe_next(landing_page(user)))
            throttle.remember_browser(request, response, user.email)
            return response
    if form.errors and status == 200:
        status = 400
    response = login_page(form, status=status)
    if status == 429:
        response.headers["Retry-After"] = str(wait)
    return response


def login_page(form: LoginForm | None = None, sso_error: str | None = None, status: int = 200):
    """The sign-in page: the identity provider's button, the local form unless SSO is the only way in."""
    return make_response(render_template("accounts/login.html", form=form or LoginForm(), sso_error=sso_error,
                                         sso_enabled=sso.enabled(), local_accounts=local_accounts()), status)


@bp.route("/registrera", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    """Create an account with a work e-mail address; the answer is the same whether the address has one."""
    _local_only()
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
        except services.AddressTaken:
            # Told by mail, to the address's owner only: the page must not tell a stranger who has an account.
            _send_account_exists(form.email.data)
            return render_template("accounts/check_mail.html", email=services.normalise_email(form.email.data))
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            _send_confirmation(user)
            return render_template("accounts/check_mail.html", email=user.email)
    status = 400 if form.errors else 200
    return render_template("accounts/signup.html", form=form), status


def _send_confirmation(user) -> None:
    link = url_for("accounts.confirm", token=services.confirmation_token(user), _external=True)
    send_mail_later(user.email, "Bekräfta din e-postadress",
                    f"Hej {user.name}!\n\nKlicka på länken för att aktivera ditt konto på Malmö stad lär:\n{link}\n\n"
                    "Länken gäller i tre dagar. Har du inte skapat något konto kan du bortse från det här mejlet.\n")


def _send_account_exists(email: str) -> None:
    user = services.user_by_email(email)
    if user is None:  # a deactivated account: nothing to say
        return
    send_mail_later(user.email, "Du har redan ett konto",
                    f"Hej {user.name}!\n\nNågon, kanske du, försökte skapa ett konto på Malmö stad lär med den här "
                    f"adressen. Du har redan ett konto, så inget nytt skapades.\n\nLogga in här:\n"
                    f"{url_for('accounts.login', _external=True)}\n\nHar du glömt lösenordet kan du välja ett nytt "
                    f"här:\n{url_for('accounts.forgot_password', _external=True)}\n\nHar du inte försökt skapa något "
                    "konto kan du bortse från det här mejlet.\n")


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
    """Ask for a password reset link; the answer, and its timing, is the same whether the account exists or not."""
    _local_only()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user is not None:
            link = url_for("accounts.reset_password", token=services.reset_token(user), _external=True)
            send_mail_later(user.email, "Välj ett nytt lösenord",
                            f"Hej {user.name}!\n\nKlicka på länken för att välja ett nytt lösenord:\n{link}\n\n"
                            "Länken gäller i en timme och kan bara användas en gång. Har du inte bett om det "
                            "kan du bortse från det här mejlet.\n")
        return render_template("accounts/check_mail.html", email=form.email.data.strip(), reset=True)
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/nytt-losenord/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from the link in the mail."""
    _local_only()
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
    """Sign out here and, after an SSO sign-in, at the identity provider where it offers that."""
    provider_logout = sso.end_session_redirect()
    logout_user()
    flash("Du är utloggad.", "info")
    return provider_logout or redirect(url_for("accounts.login"))


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
