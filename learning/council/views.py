"""The council report for coordinators: page, CSV/XLSX of the figures, tagged PDF, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.access import role_required
from learning.content.services import published_course
from learning.council import figures, pdf, services
from learning.council.text import council_text
from learning.exports import table_response
from learning.filters import Filters
from learning.periods import Period, current_half_year, handles_bad_period, parse_period
from learning.sessions.forms import ConfirmForm
from learning.timeutil import stockholm_month, stockholm_today

bp = Blueprint("council", __name__, url_prefix="/rapporter")
coordinator_required = role_required("coordinator")


def requested_period() -> Period:
    """The period asked for; by default the current half-year: the council reports per half-year, and the
    evaluation is released per half-year, so its figures show for such a period."""
    default = current_half_year(stockholm_month())
    return parse_period(request.args.get("fran"), request.args.get("till"), default.end, default.start)


def _context(course_slug: str):
    course = published_course(course_slug)
    if course is None:
        abort(404)
    return course, requested_period()


def shown_figures(course_id: int | None, period: Period, compute: Callable[[Period], dict], with_live: bool = True):
    """(figures to show, snapshot or None, live figures, period) for the request: the snapshot asked for with
    ?ogonblick= (404 for one that does not exist), or the live figures. With a snapshot, the live figures are
    computed only `with_live` (the page compares them; the downloads show the snapshot alone), else None."""
    value = request.args.get("ogonblick", "")
    frozen = None
    if value:
        frozen = services.snapshot(course_id, int(value)) if value.isdigit() and len(value) < 10 else None
        if frozen is None:
            abort(404)
        period = Period(frozen.period_start, frozen.period_end)
    live = compute(period) if frozen is None or with_live else None
    return (frozen.figures if frozen else live), frozen, live, period


def _shown(course, period: Period, with_live: bool = True):
    return shown_figures(course.id, period, lambda p: figures.compute(course, p, stockholm_today()), with_live)


def _links(course) -> dict:
    """What the shared report template needs to link to this course's report."""
    return {"urls": SimpleNamespace(page=partial(url_for, "council.report", course_slug=course.slug),
                                    download=partial(url_for, "council.download", course_slug=course.slug),
                                    freeze=partial(url_for, "council.freeze", course_slug=course.slug)),
            "figures_template": "council/_figures.html"}


def _page(course, period: Period, template: str = "council/report.html", with_live: bool = True):
    shown, frozen, live, period = _shown(course, period, with_live)
    return render_template(template, course=course, period=period, f=shown, text=council_text(shown),
                           filters=Filters({}), heading=f"Återrapport: deltagande {period.words()}", **_links(course),
                           frozen=frozen,
                           comparison=services.compare(frozen.figures, live) if frozen and live is not None else [],
                           snapshots=services.snapshots(course.id, period), freeze_form=ConfirmForm())


@bp.get("/<course_slug>/aterrapport")
@coordinator_required
def report(course_slug: str):
    """The council report for a period, or a frozen snapshot of it beside the live figures."""
    course = published_course(course_slug)
    if course is None:
        abort(404)
    filters = Filters(request.args)
    default = current_half_year(stockholm_month())
    period = filters.period(default.end, default.start)
    if filters.errors:
        return render_template("council/report.html", course=course, period=period, filters=filters,
                               **_links(course)), 400
    return _page(course, period)


@bp.get("/<course_slug>/aterrapport.<fmt>")
@coordinator_required
@handles_bad_period
def download(course_slug: str, fmt: str):
    """The figures as CSV or XLSX, or the whole report as a tagged PDF."""
    if fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    course, period = _context(course_slug)
    name = f"aterrapport-{course.slug}-{period.start}-{period.end}"
    if fmt == "pdf":
        html = _page(course, period, "council/pdf.html", with_live=False)  # the PDF has no comparison
        return Response(pdf.render(html, request.url_root), mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename={name}.pdf"})
    shown, frozen, _live, _period = _shown(course, period, with_live=False)
    if frozen is not None:
        name += f"-fryst-{frozen.id}"
    return table_response(fmt, services.CSV_HEADER, services.csv_rows(shown), name, "Återrapport")


@bp.post("/<course_slug>/aterrapport/frys")
@coordinator_required
@handles_bad_period
def freeze(course_slug: str):
    """Freeze the period's figures as they are now."""
    course, period = _context(course_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    snapshot = services.freeze(course.id, period, figures.compute(course, period, stockholm_today()), current_user)
    flash("Siffrorna är frysta. Den frysta rapporten ändras inte när nya uppgifter kommer in.", "success")
    return redirect(url_for("council.report", course_slug=course.slug, fran=period.start, till=period.end,
                            ogonblick=snapshot.id))
