"""The programme's council report for coordinators: page, CSV/XLSX, tagged PDF, snapshots."""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.access import role_required
from learning.content.services import published_courses
from learning.council import pdf
from learning.council import services as snapshots
from learning.council.views import requested_period, shown_figures
from learning.exports import table_response
from learning.filters import Filters
from learning.periods import Period, current_half_year, handles_bad_period
from learning.programme import figures, services
from learning.programme.text import programme_text
from learning.sessions.forms import ConfirmForm
from learning.timeutil import stockholm_month, stockholm_today

bp = Blueprint("programme", __name__, url_prefix="/rapporter")
coordinator_required = role_required("coordinator")


def _live(period: Period) -> dict:
    return figures.compute(period, stockholm_today())


_LINKS = {"urls": SimpleNamespace(page=partial(url_for, "programme.report"),
                                  download=partial(url_for, "programme.download"),
                                  freeze=partial(url_for, "programme.freeze")),
          "figures_template": "programme/_figures.html"}


def _page(period: Period, template: str = "programme/report.html", with_live: bool = True):
    shown, frozen, live, period = shown_figures(None, period, _live, with_live)
    return render_template(template, period=period, f=shown, text=programme_text(shown), filters=Filters({}),
                           heading=f"Återrapport för hela programmet: {period.words()}", **_LINKS,
                           frozen=frozen, courses=published_courses(),
                           comparison=(snapshots.compare(frozen.figures, live, services.headline)
                                       if frozen and live is not None else []),
                           snapshots=snapshots.snapshots(None, period), freeze_form=ConfirmForm())


@bp.get("/aterrapport")
@coordinator_required
def report():
    """The programme report for a period, or a frozen snapshot of it beside the live figures."""
    filters = Filters(request.args)
    default = current_half_year(stockholm_month())
    period = filters.period(default.end, default.start)
    if filters.errors:
        return render_template("programme/report.html", period=period, filters=filters,
                               courses=published_courses(), **_LINKS), 400
    return _page(period)


@bp.get("/aterrapport.<fmt>")
@coordinator_required
@handles_bad_period
def download(fmt: str):
    """The figures as CSV or XLSX, or the whole report as a tagged PDF."""
    if fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    period = requested_period()
    name = f"aterrapport-programmet-{period.start}-{period.end}"
    if fmt == "pdf":
        html = _page(period, "council/pdf.html", with_live=False)  # the PDF has no comparison
        return Response(pdf.render(html, request.url_root), mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename={name}.pdf"})
    shown, frozen, _live_figures, _period = shown_figures(None, period, _live, with_live=False)
    if frozen is not None:
        name += f"-fryst-{frozen.id}"
    return table_response(fmt, snapshots.CSV_HEADER, services.csv_rows(shown), name, "Återrapport")


@bp.post("/aterrapport/frys")
@coordinator_required
@handles_bad_period
def freeze():
    """Freeze the period's programme figures as they are now."""
    period = requested_period()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    snapshot = snapshots.freeze(None, period, _live(period), current_user)
    flash("Siffrorna är frysta. Den frysta rapporten ändras inte när nya uppgifter kommer in.", "success")
    return redirect(url_for("programme.report", fran=period.start, till=period.end, ogonblick=snapshot.id))
