"""Group viewing on the course: register, correct and withdraw, for the registrant only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from learning.accounts.services import organisations
from learning.content.services import published_course
from learning.groups import services
from learning.groups.forms import PREFIX, count_fields, group_form
from learning.groups.models import GroupViewing
from learning.sessions.forms import ConfirmForm
from learning.timeutil import stockholm_today

bp = Blueprint("groups", __name__, url_prefix="/kurs/<course_slug>/grupp")


def _course(slug: str):
    course = published_course(slug)
    if course is None:
        abort(404)
    return course


def _organisations(group: GroupViewing | None):
    # Active förvaltningar, and any a group being corrected already counts (one may have closed since).
    kept = {c.organisation_id for c in group.counts} if group is not None else set()
    shown = [o for o in organisations(active_only=False) if o.active or o.id in kept]
    # The learner's own förvaltning first: most groups are colleagues from the same workplace.
    return sorted(shown, key=lambda o: (o.id != current_user.organisation_id, o.name))


@bp.route("/", methods=["GET", "POST"])
@login_required
def index(course_slug: str):
    """The learner's group viewings and the form to register one."""
    return _form(_course(course_slug), None)


@bp.route("/<int:group_id>", methods=["GET", "POST"])
@login_required
def edit(course_slug: str, group_id: int):
    """Correct a group viewing."""
    course = _course(course_slug)
    try:
        group = services.own(current_user.id, course.id, group_id)
    except LookupError:
        abort(404)
    return _form(course, group)


def _form(course, group: GroupViewing | None):
    orgs = _organisations(group)
    form = group_form(orgs)
    if group is not None and not form.is_submitted():
        form.viewed_on.data, form.women.data, form.men.data, form.names.data = (
            group.viewed_on, group.women, group.men, group.names)
        codes = {o.id: o.code for o in orgs}
        for count in group.counts:
            form[PREFIX + codes[count.organisation_id]].data = count.people
    elif group is None and not form.is_submitted():
        form.viewed_on.data = stockholm_today()
    if form.validate_on_submit():
        data = services.GroupData(
            form.viewed_on.data, {f.name[len(PREFIX):]: f.data or 0 for f in count_fields(form)},
            form.women.data, form.men.data, form.names.data or "")
        try:
            services.save(current_user.id, course.id, data, stockholm_today(), group.id if group else None)
        except services.GroupError as exc:
            target = count_fields(form)[0] if exc.field == "others" else form[exc.field]
            target.errors = [*target.errors, str(exc)]
        else:
            flash(f"Gruppen med {sum(data.per_organisation.values())} andra deltagare är "
                  f"{'ändrad' if group else 'registrerad'}. Tack!", "success")
            return redirect(url_for("groups.index", course_slug=course.slug))
    return render_template("groups/index.html", course=course, form=form, counts=count_fields(form), group=group,
                           groups=services.mine(current_user.id, course.id) if group is None else [],
                           names={o.id: o.name for o in orgs}, max_others=services.MAX_OTHERS), \
        400 if form.errors else 200


@bp.post("/<int:group_id>/ta-bort")
@login_required
def withdraw(course_slug: str, group_id: int):
    """Withdraw a group viewing."""
    course = _course(course_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(current_user.id, course.id, group_id)
    except LookupError:
        abort(404)
    flash("Gruppvisningen är borttagen och räknas inte längre.", "success")
    return redirect(url_for("groups.index", course_slug=course.slug))
