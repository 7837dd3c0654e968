"""Assignment rules for coordinators and HR (/tilldelningar/) and a manager's own unit (/min-enhet/)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learning.access import report_scope, role_required, visible_organisations
from learning.accounts.models import ORG_ROLES
from learning.assignments import managers, report, rules
from learning.assignments.forms import RuleForm
from learning.assignments.status import STATUS_LABELS, course_titles
from learning.content.services import published_course, published_courses
from learning.exports import table_response
from learning.filters import Filters
from learning.reports.people import log_access
from learning.timeutil import stockholm_today

bp = Blueprint("assignments", __name__)
rule_makers = role_required("coordinator", "hr")


@bp.get("/tilldelningar/")
@rule_makers
def index():
    """The rules the user may see, with assigned, done, overdue and not yet due."""
    scope = report_scope(current_user)
    return render_template("assignments/index.html", summaries=rules.summaries(scope, stockholm_today()),
                           labels=STATUS_LABELS, number=rules.number)


@bp.route("/tilldelningar/ny", methods=["GET", "POST"])
@rule_makers
def new():
    """A new rule: preview whom it reaches, then save it."""
    scope = report_scope(current_user)
    today = stockholm_today()
    form = RuleForm()
    form.course.choices = [("", "Välj kurs"), *_published_courses()]
    form.organisations.choices = [(o.code, o.name) for o in visible_organisations(scope)]
    form.units.choices = rules.unit_choices(scope, today)
    form.roles.choices = list(ORG_ROLES.items())
    reach = None
    if form.validate_on_submit():
        data = rules.RuleInput(
            course_slug=form.course.data or "", everyone=bool(form.everyone.data) and scope is None,
            organisation_codes=form.organisations.data or [], units=form.units.data or [],
            roles=form.roles.data or [], due_on=form.due_on.data, within_days=form.within_days.data)
        try:
            if request.form.get("action") == "spara":
                _rule, reach = rules.create(data, scope, current_user.id, today)
                flash(f"Regeln är sparad. {reach.sentence()}", "success")
                return redirect(url_for("assignments.index"))
            reach = rules.preview(rules.build(data, scope, today), scope, today)
        except rules.RuleError as exc:
            field = {"targets": "everyone" if scope is None else "organisations"}.get(exc.field, exc.field)
            form[field].errors.append(str(exc))
            reach = None
    return render_template("assignments/new.html", form=form, reach=reach,
                           city_wide=scope is None), 400 if form.errors else 200


@bp.post("/tilldelningar/<int:rule_id>/avsluta")
@rule_makers
def close(rule_id: int):
    """End a rule: nobody is assigned the course by it any more."""
    if rules.close(rule_id, report_scope(current_user)) is None:
        abort(404)
    flash("Regeln är avslutad. Ingen får kursen tilldelad genom den längre.", "success")
    return redirect(url_for("assignments.index"))


def _published_courses() -> list[tuple[str, str]]:
    return [(c.slug, c.title) for c in published_courses()]


@bp.get("/tilldelningar/rapport")
@rule_makers
def report_index():
    """The report of the course chosen in the form (the first course by default)."""
    courses = _published_courses()
    slug = request.args.get("kurs") or (courses[0][0] if courses else "")
    if slug not in dict(courses):
        abort(404)
    return report_page(slug)


def _report(course_slug: str, filters: Filters):
    course = published_course(course_slug)
    if course is None:
        abort(404)
    scope, organisation = filters.organisation(report_scope(current_user))
    return report.report(course, scope, stockholm_today()), organisation


@bp.get("/tilldelningar/rapport/<course_slug>")
@rule_makers
def report_page(course_slug: str):
    """Assigned, done on time, done late, overdue and not yet due, per förvaltning and unit, small groups hidden."""
    filters = Filters(request.args)
    found, organisation = _report(course_slug, filters)
    return render_template("assignments/report.html", found=found, organisation=organisation, filters=filters,
                           organisations=visible_organisations(report_scope(current_user)),
                           courses=_published_courses(), measures=report.MEASURES, labels=report.LABELS,
                           number=rules.number), filters.status


@bp.get("/tilldelningar/rapport/<course_slug>/tabell.<fmt>")
@rule_makers
def report_export(course_slug: str, fmt: str):
    """The report as CSV or XLSX, with the same hidden figures as on the page."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    found, _organisation = _report(course_slug, filters := Filters(request.args))
    if filters.errors:
        abort(400)
    return table_response(fmt, report.TABLE_HEADER, report.table_rows(found),
                          f"tilldelningar-{found.course.slug}-{found.today.isoformat()}", "Tilldelningar")


@bp.get("/min-enhet/")
@login_required
def my_units():
    """The units the signed-in person leads according to the staff list."""
    units = managers.managed_units(current_user.id, stockholm_today())
    if len(units) == 1:
        return redirect(url_for("assignments.unit", organisation_code=units[0].organisation_code,
                                unit=units[0].name))
    return render_template("assignments/my_units.html", units=units)


@bp.get("/min-enhet/<organisation_code>/<path:unit>")
@login_required
def unit(organisation_code: str, unit: str):
    """A unit's people and their assigned courses, for the unit's chef only (403 for anyone else)."""
    today = stockholm_today()
    found = managers.managed_unit(current_user.id, organisation_code, unit, today)
    if found is None:
        abort(403)
    colleagues = managers.unit_people(found, today)
    log_access(current_user.id, "chefsvy", f"{found.organisation_name} / {found.name}")
    return render_template("assignments/unit.html", unit=found, colleagues=colleagues, labels=STATUS_LABELS,
                           titles=course_titles(), people=rules.people)
