"""Mina sidor."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from learning.accounts.forms import ProfileFields
from learning.accounts.services import AccountError, update_profile
from learning.assignments.managers import managed_units
from learning.assignments.status import learner_context
from learning.content.services import published_courses
from learning.learn import services as learn
from learning.mypages.services import personal_data
from learning.survey import services as survey
from learning.timeutil import stockholm_today

bp = Blueprint("mypages", __name__, url_prefix="/mina-sidor")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """Progress, attempts and profile."""
    form = ProfileFields(obj=None)
    if form.validate_on_submit():
        try:
            update_profile(current_user, form.name.data, form.organisation.data, form.org_role.data,
                           form.gender.data or None)
        except AccountError as exc:
            form.organisation.errors.append(str(exc))
        else:
            flash("Dina uppgifter är sparade.", "success")
            return redirect(url_for("mypages.index"))
    elif not form.is_submitted():
        form.name.data = current_user.name
        form.organisation.data = current_user.organisation.code if current_user.organisation else ""
        form.org_role.data = current_user.org_role
        form.gender.data = current_user.gender or ""
    courses = published_courses()
    overview = []
    for course in courses:
        titles = {p.file_id: p.doc.title for p in course.parts}
        overview.append({
            "course": course,
            "progress": learn.progress(current_user, course),
            "survey": survey.status(current_user, course),
            "parts": learn.visible_parts(current_user, course),
            "attempts": [(a, titles.get(a.content_file_id, "")) for a in learn.attempts(current_user)
                         if a.content_file_id in titles],
        })
    today = stockholm_today()
    return render_template("mypages/index.html", overview=overview, form=form, labels=learn.STATUS_LABELS,
                           manages=bool(managed_units(current_user.id, today)),
                           **learner_context(current_user.id, today)), 400 if form.errors else 200


@bp.get("/mina-uppgifter.json")
@login_required
def export():
    """Download everything stored about me."""
    body = json.dumps(personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=mina-uppgifter.json"})
