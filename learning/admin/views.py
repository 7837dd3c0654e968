"""Operator pages: list users, set roles and scopes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.accounts import services as accounts
from learning.accounts.models import ORG_ROLES, PLATFORM_ROLES
from learning.access import role_required
from learning.accounts.forms import choices
from learning.admin.forms import RolesForm
from learning.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


admin_required = role_required("admin")


@bp.get("/anvandare")
@admin_required
def users():
    """All accounts, searchable."""
    search = request.args.get("q", "")[:100]
    return render_template("admin/users.html", users=accounts.list_users(search), search=search,
                           roles=PLATFORM_ROLES, org_roles=ORG_ROLES)


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    """Set one user's role and HR scopes."""
    person = db.get_or_404(accounts.User, user_id)
    form = RolesForm()
    form.scopes.choices = choices((o.code, o.name) for o in accounts.organisations())
    if form.validate_on_submit():
        try:
            accounts.set_roles(person.id, form.role.data, form.scopes.data or [])
        except accounts.AccountError as exc:
            form.scopes.errors.append(str(exc))
        else:
            flash(f"Behörigheten för {person.name} är sparad.", "success")
            return redirect(url_for("admin.users"))
    elif not form.is_submitted():
        form.role.data = person.role
        form.scopes.data = [s.organisation.code for s in person.hr_scopes]
    return render_template("admin/user.html", person=person, form=form), 400 if form.errors else 200


@bp.post("/anvandare/<int:user_id>/avstangd")
@admin_required
def set_disabled(user_id: int):
    """Deactivate an account (sessions and API tokens end) or open it again."""
    disabled = request.form.get("disabled") == "1"
    if disabled and user_id == current_user.id:
        flash("Du kan inte stänga av ditt eget konto.", "warning")
        return redirect(url_for("admin.user", user_id=user_id))
    try:
        person = accounts.set_disabled(user_id, disabled)
    except accounts.AccountError:
        abort(404)
    flash(f"Kontot för {person.name} är {'avstängt' if disabled else 'öppnat igen'}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))
