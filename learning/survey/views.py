"""The survey for learners, and its results, free text and exports for coordinators, HR and editors."""

from __future__ import annotations

import re
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learning.access import report_scope, role_required, visible_organisations
from learning.content.services import course_slugs, published_course
from learning.exports import table_response
from learning.filters import Filters
from learning.formerrors import Errors
from learning.periods import half_year_options
from learning.survey import pool, results, services
from learning.survey.services import SurveyError
from learning.timeutil import stockholm_month

bp = Blueprint("survey", __name__)
SMALL_INT = re.compile(r"[0-9]{1,9}")


def _course(slug: str):
    course = published_course(slug)
    if course is None:
        abort(404)
    return course


@bp.route("/kurs/<course_slug>/utvardering", methods=["GET", "POST"])
@login_required
def answer(course_slug: str):
    """The survey form; one answer per learner, only after completing the course."""
    course = _course(course_slug)
    status = services.status(current_user, course)
    if request.method == "POST":
        try:
            services.submit(current_user, course, request.form)
        except SurveyError as exc:
            return _survey_page(course, services.status(current_user, course), exc, exc.status)
        flash("Tack för ditt svar!", "success")
        return redirect(url_for("learn.course", course_slug=course.slug))
    return _survey_page(course, status, None, 403 if status == services.NOT_ELIGIBLE else 200)


def _survey_page(course, status: str, error: SurveyError | None, code: int):
    items = services.questions(course) if status == services.INVITED else []
    errors, intro = Errors(), None
    if error is not None and error.errors:
        errors = error.errors
        intro = None if str(error) in (e.message for e in errors) else str(error)  # "Obesvarade: 1, 2."
    elif error is not None:
        errors.add("svar", str(error), None)  # not about one question: already answered, not eligible
    return render_template("survey/answer.html", course=course, status=status, items=items, error=error,
                           errors=errors, intro=intro, form=request.form if error else {},
                           max_text=services.MAX_TEXT), code


@bp.post("/kurs/<course_slug>/utvardering/avboj")
@login_required
def decline(course_slug: str):
    """Say no thanks to the survey."""
    course = _course(course_slug)
    try:
        services.decline(current_user, course)
    except SurveyError as exc:
        flash(str(exc), "info")
    else:
        flash("Du får inga fler påminnelser om utvärderingen.", "info")
    return redirect(url_for("mypages.index"))


@bp.get("/utvardering/")
@login_required
def index():
    """Entry point from the menu: the results of the first course (free text for editors)."""
    slugs = course_slugs()
    if not slugs or not current_user.has_role("coordinator", "hr", "editor"):
        abort(404 if not slugs else 403)
    target = "survey.report" if current_user.has_role("coordinator", "hr") else "survey.texts"
    return redirect(url_for(target, course_slug=slugs[0]))


def _report_context(course_slug: str, filters: Filters):
    course = _course(course_slug)
    scope, organisation = filters.organisation(report_scope(current_user))
    period = filters.half_year(stockholm_month())
    pool.release_due(course.id)
    return course, scope, organisation, period


@bp.get("/utvardering/<course_slug>/")
@login_required
def report(course_slug: str):
    """Means, distributions and response rates per group, with small groups hidden."""
    filters = Filters(request.args)
    course, scope, organisation, period = _report_context(course_slug, filters)
    dimension = request.args.get("per", "organisation")
    if dimension not in results.DIMENSIONS:
        dimension = "organisation"
    current_ids = [q.id for q in services.questions(course) if q.kind == "scale"]
    table = None if filters.errors else results.breakdown(course.id, period, scope, dimension, current_ids)
    return render_template(
        "survey/report.html", course=course, period=period, organisation=organisation, filters=filters,
        table=table, missing_note=table and results.missing_note(table, scope is not None),
        organisations=visible_organisations(report_scope(current_user)), dimension=dimension,
        dimensions=results.DIMENSIONS if scope is None else {"organisation": results.DIMENSIONS["organisation"]},
        half_years=half_year_options(2020, stockholm_month()), current_month=stockholm_month(),
        themes=None if table is None else results.theme_counts(course.id, period, scope),
    ), filters.status


@bp.get("/utvardering/<course_slug>/resultat.<fmt>")
@login_required
def export(course_slug: str, fmt: str):
    """The results table as CSV or XLSX, with the same hidden cells as on the page."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    course, scope, _organisation, period = _report_context(course_slug, filters := Filters(request.args))
    if filters.errors:
        abort(400)
    dimension = request.args.get("per", "organisation")
    if dimension not in results.DIMENSIONS:
        dimension = "organisation"
    current_ids = [q.id for q in services.questions(course) if q.kind == "scale"]
    table = results.breakdown(course.id, period, scope, dimension, current_ids)
    header, rows = results.table_rows(table)
    return table_response(fmt, header, rows, f"utvardering-{course.slug}-{period.start}-{period.end}", "Utvärdering")


def _may_edit_texts() -> bool:
    return current_user.has_role("coordinator", "editor")


@bp.get("/utvardering/<course_slug>/fritext")
@login_required
def texts(course_slug: str, form_errors: Errors | None = None):
    """Free-text answers without names, searchable and filterable by theme (and the forms that change them,
    shown again with their errors)."""
    course = _course(course_slug)
    if current_user.has_role("editor"):
        scope = None
    else:
        scope = report_scope(current_user)
    filters = Filters(request.args)
    scope, organisation = filters.organisation(scope)
    period = filters.half_year(stockholm_month())
    pool.release_due(course.id)
    theme = request.args.get("tema", "")
    theme_id = int(theme) if SMALL_INT.fullmatch(theme) else None
    found = None if filters.errors else results.free_texts(course.id, period, scope, request.args.get("q", "")[:200],
                                                            theme_id)
    form_errors = form_errors or Errors()
    return render_template(
        "survey/texts.html", course=course, found=found, period=period, organisation=organisation, filters=filters,
        form_errors=form_errors, typed=request.form,
        organisations=visible_organisations(None if current_user.has_role("editor") else report_scope(current_user)),
        themes=results.themes(course.id), theme_id=theme_id, search=request.args.get("q", "")[:200],
        theme_counts=None if filters.errors else results.theme_counts(course.id, period, scope),
        half_years=half_year_options(2020, stockholm_month()), current_month=stockholm_month(),
        may_edit=_may_edit_texts(),
    ), 400 if filters.errors or form_errors else 200


@bp.post("/utvardering/<course_slug>/teman")
@role_required("coordinator", "editor")
def add_theme(course_slug: str):
    """Create a theme for tagging free text."""
    course = _course(course_slug)
    try:
        results.add_theme(course.id, request.form.get("name", ""))
    except results.ResultsError as exc:
        return texts(course.slug, _error("tema-namn", str(exc)))
    return redirect(url_for("survey.texts", course_slug=course.slug))


def _error(name: str, message: str) -> Errors:
    errors = Errors()
    errors.add(name, message)
    return errors


@bp.post("/utvardering/<course_slug>/fritext/<answer_id>/teman")
@role_required("coordinator", "editor")
def tag(course_slug: str, answer_id: str):
    """Set the themes of one answer."""
    course = _course(course_slug)
    ids = [int(v) for v in request.form.getlist("theme") if SMALL_INT.fullmatch(v)]
    try:
        results.set_themes(course.id, answer_id, ids)
    except results.ResultsError as exc:
        flash(str(exc), "warning")
    else:
        flash("Temana är sparade.", "success")
    return redirect(url_for("survey.texts", course_slug=course.slug) + f"#svar-{answer_id}")


@bp.post("/utvardering/<course_slug>/fritext/<answer_id>/maskera")
@role_required("coordinator", "editor")
def redact(course_slug: str, answer_id: str):
    """Remove a passage that identifies a person, for good."""
    course = _course(course_slug)
    try:
        results.redact(course.id, answer_id, request.form.get("passage", ""))
    except results.ResultsError as exc:
        return texts(course.slug, _error(f"r-{answer_id}", str(exc)))
    else:
        flash("Texten är borttagen ur svaret.", "success")
    return redirect(url_for("survey.texts", course_slug=course.slug) + f"#svar-{answer_id}")
