"""Dashboards: the city for coordinators, their own förvaltningar for HR."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from learning.access import narrow, report_scope, visible_organisations
from learning.content.services import course_slugs, published_course
from learning.exports import table_response
from learning.reports import services
from learning.periods import handles_bad_period, parse_period
from learning.timeutil import stockholm_month

bp = Blueprint("reports", __name__, url_prefix="/rapporter")


def _context(course_slug: str):
    course = published_course(course_slug)
    if course is None:
        abort(404)
    scope, organisation = narrow(report_scope(current_user), request.args.get("forvaltning"))
    period = parse_period(request.args.get("fran"), request.args.get("till"), stockholm_month())
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
@handles_bad_period
def dashboard(course_slug: str):
    """Registered, started, completed, completion rate and coverage, per förvaltning and over time."""
    course, scope, organisation, period = _context(course_slug)
    board = services.dashboard(course, scope, period)
    return render_template("reports/dashboard.html", course=course, board=board, organisation=organisation,
                           period=period, organisations=visible_organisations(report_scope(current_user)))


@bp.get("/<course_slug>/forvaltningar.<fmt>")
@login_required
@handles_bad_period
def export(course_slug: str, fmt: str):
    """The per-förvaltning table as CSV or XLSX, with the same hidden cells as on the page."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    course, scope, _organisation, period = _context(course_slug)
    rows = services.table_rows(services.dashboard(course, scope, period))
    return table_response(fmt, services.TABLE_HEADER, rows, f"genomforande-{course.slug}-{period.start}-{period.end}",
                          "Genomförande")
