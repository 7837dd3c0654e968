"""Dashboards: the city for coordinators, their own förvaltningar for HR."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learning.access import narrow, report_scope, role_required, visible_organisations
from learning.content.services import course_slugs, published_course
from learning.exports import table_response
from learning.filters import Filters
from learning.reports import chart, people, quiz, services
from learning.periods import handles_bad_period, parse_period
from learning.timeutil import stockholm_month, stockholm_today

bp = Blueprint("reports", __name__, url_prefix="/rapporter")


def _course_or_404(course_slug: str):
    course = published_course(course_slug)
    if course is None:
        abort(404)
    return course


def _context(course_slug: str):
    course = _course_or_404(course_slug)
    scope, organisation = narrow(report_scope(current_user), request.args.get("forvaltning"))
    # By default from the month the course began (first published or first completed) up to this month.
    period = parse_period(request.args.get("fran"), request.args.get("till"), stockholm_month(),
                          services.first_month(course.id))
    return course, scope, organisation, period


@bp.get("/")
@login_required
def index():
    """The dashboard of the first course."""
    report_scope(current_user)
    slugs = course_slugs()
    if not slugs:
        abort(404)
    return dashboard(slugs[0])


@bp.get("/<course_slug>/")
@login_required
def dashboard(course_slug: str):
    """Registered, started, completed, completion rate and coverage, per förvaltning and over time."""
    course = _course_or_404(course_slug)
    filters = Filters(request.args)
    scope, organisation = filters.organisation(report_scope(current_user))
    period = filters.period(stockholm_month(), services.first_month(course.id))
    board = None if filters.errors else services.dashboard(course, scope, period)
    return render_template("reports/dashboard.html", course=course, board=board, organisation=organisation,
                           chart=chart, period=period, filters=filters,
                           organisations=visible_organisations(report_scope(current_user))), filters.status


@bp.get("/<course_slug>/forvaltningar.<fmt>")
@login_required
@handles_bad_period
def export(course_slug: str, fmt: str):
    """The per-förvaltning table as CSV or XLSX, with the same hidden cells as on the page."""
    return _dashboard_table(course_slug, fmt, services.TABLE_HEADER, services.table_rows, "genomforande", "Genomförande")


@bp.get("/<course_slug>/delar.<fmt>")
@login_required
@handles_bad_period
def parts_export(course_slug: str, fmt: str):
    """Passed per part, and passes voided by a changed quiz, as CSV or XLSX, as on the dashboard."""
    return _dashboard_table(course_slug, fmt, services.PARTS_HEADER, services.part_rows, "delar", "Godkända per del")


def _dashboard_table(course_slug: str, fmt: str, header: list[str], rows, name: str, title: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    course, scope, _organisation, period = _context(course_slug)
    return table_response(fmt, header, rows(services.dashboard(course, scope, period)),
                          f"{name}-{course.slug}-{period.start}-{period.end}", title)


def _people_context(course_slug: str, filters: Filters):
    course = _course_or_404(course_slug)
    scope, organisation = filters.organisation(report_scope(current_user))
    status = filters.choice("status", people.STATUSES, "Det finns ingen sådan status. Välj en status i listan.")
    return course, scope, organisation, request.args.get("enhet", "")[:200], status


@bp.get("/<course_slug>/personer")
@login_required
def persons(course_slug: str):
    """Named people and their status per part, for HR within their förvaltningar; every look is logged."""
    filters = Filters(request.args)
    course, scope, organisation, unit, status = _people_context(course_slug, filters)
    today = stockholm_today()
    found = None
    if not filters.errors:
        found = people.people(course, scope, today, unit, status)
        people.log_access(current_user.id, "visa", request.full_path)
    return render_template("reports/people.html", course=course, found=found, organisation=organisation,
                           organisations=visible_organisations(report_scope(current_user)), filters=filters,
                           units=people.units(scope, today), unit=unit, status=status, statuses=people.STATUSES,
                           voided_counts=people.voided_counts(course, found) if found is not None else []), filters.status


@bp.get("/<course_slug>/personer.<fmt>")
@login_required
def persons_export(course_slug: str, fmt: str):
    """The people list as CSV or XLSX; logged like a view."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters = Filters(request.args)
    course, scope, _organisation, unit, status = _people_context(course_slug, filters)
    if filters.errors:
        abort(400)
    header, rows = people.table(course, people.people(course, scope, stockholm_today(), unit, status))
    people.log_access(current_user.id, "exportera", request.full_path)
    return table_response(fmt, header, rows, f"personer-{course.slug}", "Personer")


@bp.get("/<course_slug>/kunskapstest")
@role_required("coordinator", "editor")
def quiz_analysis(course_slug: str):
    """Pass rate at first attempt, attempts to pass and share correct per question, per part."""
    course = published_course(course_slug)
    if course is None:
        abort(404)
    return render_template("reports/quiz.html", course=course, parts=quiz.analysis(course))


@bp.get("/kunskapstest")
@role_required("coordinator", "editor")
def quiz_first():
    """The quiz analysis of the first course (the menu's Frågeanalys)."""
    slugs = course_slugs()
    if not slugs:
        abort(404)
    return redirect(url_for("reports.quiz_analysis", course_slug=slugs[0]))


@bp.get("/atkomstlogg")
@role_required("admin")
def access_log():
    """Who looked at which list of people, newest first."""
    return render_template("reports/access_log.html", entries=people.access_log())
