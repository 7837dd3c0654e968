"""Contact settings (/kontakter/): admins set the texts; admins and editors see which are still unset."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from learning.access import role_required
from learning.accounts import services as accounts
from learning.contacts import services
from learning.contacts.forms import ContactForm
from learning.contacts.models import EVERYWHERE
from learning.contacts.render import fill

bp = Blueprint("contacts", __name__, url_prefix="/kontakter")


@bp.route("/", methods=["GET", "POST"])
@role_required("admin")
def index():
    """Every declared key with its organisation-wide and per-förvaltning texts, and the form to set one."""
    keys = services.declared_keys()
    organisations = accounts.organisations()
    form = ContactForm()
    form.key.choices = [(k.key, k.label) for k in keys]
    form.scope.choices = [(EVERYWHERE, "Hela organisationen"), *((o.code, o.name) for o in organisations)]
    if form.validate_on_submit():
        try:
            services.set_value(form.key.data, form.scope.data, form.text.data or "", current_user)
        except services.ContactError as exc:
            form.text.errors.append(str(exc))
        else:
            flash("Kontakten är sparad." if (form.text.data or "").strip() else "Texten är borttagen.", "success")
            return redirect(url_for("contacts.index"))
    elif not form.is_submitted() and request.args.get("nyckel") in {k.key for k in keys}:
        form.key.data = request.args["nyckel"]
    return render_template(
        "contacts/index.html", form=form, keys=keys, values=services.all_values(), everywhere=EVERYWHERE,
        names={o.code: o.name for o in organisations}, unset=services.unset_by_organisation(),
    ), 400 if form.errors else 200


@bp.get("/saknas")
@role_required("editor")
def missing():
    """The checklist: for each förvaltning, the contacts its learners see no text for."""
    return render_template("contacts/missing.html", unset=services.unset_by_organisation(),
                           keys=services.declared_keys())


def fill_contacts(html, course=None) -> Markup:
    """Template filter: the contacts in rendered course HTML, as the signed-in learner's förvaltning sees them."""
    if "{{kontakt:" not in str(html):
        return Markup(html)
    labels = dict(course.contacts) if course is not None else services.labels()
    return fill(html, services.request_values(current_user), labels)
