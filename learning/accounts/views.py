"""Sign-in, sign-up, sign-out and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from learning.accounts import services
from learning.accounts.forms import LoginForm, PasswordForm, SignUpForm
from learning.extensions import limiter, login_email_key

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
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(url_for("learn.index")))
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
                gender=form.gender.data or None,
            ))
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            login_user(user)
            flash("Välkommen! Ditt konto är skapat.", "success")
            return redirect(url_for("learn.index"))
    status = 400 if form.errors else 200
    return render_template("accounts/signup.html", form=form), status


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
