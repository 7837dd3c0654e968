"""Staff pages for coordinators: overview per förvaltning, staff-list upload, hand-entered headcounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from learning.access import role_required
from learning.accounts.forms import choices
from learning.accounts.services import organisations
from learning.staff import services
from learning.staff.forms import MAX_UPLOAD, HeadcountForm, StaffFileForm
from learning.timeutil import MONTHS

bp = Blueprint("staff", __name__, url_prefix="/personal")


coordinator_required = role_required("coordinator")


def _swedish(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@bp.get("/")
@coordinator_required
def index():
    """Staff and headcounts per förvaltning."""
    today = services.stockholm_today()
    return render_template("staff/index.html", rows=services.organisation_overview(today), today=_swedish(today))


@bp.route("/importera", methods=["GET", "POST"])
@coordinator_required
def upload():
    """Upload the staff list and show what the import changed and which rows it could not use."""
    # Refuse a huge body before it is spooled to disk; the form's own limit gives the friendly message.
    request.max_content_length = 2 * MAX_UPLOAD
    form = StaffFileForm()
    report, problems = None, []
    if form.validate_on_submit():
        try:
            report = services.import_staff(form.file.data.read(), services.stockholm_today())
        except services.StaffImportError as exc:
            form.file.errors.append(f"{exc} Ingenting har ändrats.")
            problems = exc.problems
        else:
            problems = report.problems
    return render_template("staff/upload.html", form=form, report=report,
                           problems=problems), 400 if form.errors else 200


@bp.route("/antal", methods=["GET", "POST"])
@coordinator_required
def headcount():
    """Enter a förvaltning's headcount by hand, for use where no staff list is loaded."""
    names = {o.code: o.name for o in organisations()}
    form = HeadcountForm()
    form.organisation.choices = choices([("", "Välj förvaltning"), *names.items()])
    if form.validate_on_submit():
        try:
            services.set_headcount(form.organisation.data, form.staff.data, form.managers.data)
        except services.HeadcountError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(f"Antalet anställda för {names[form.organisation.data]} är sparat.", "success")
            return redirect(url_for("staff.index"))
    elif not form.is_submitted():
        code = request.args.get("forvaltning", "")[:40]
        saved = services.headcount_for(code) if code else None
        form.organisation.data = code
        if saved is not None:
            form.staff.data, form.managers.data = saved.staff, saved.managers
    return render_template("staff/headcount.html", form=form), 400 if form.errors else 200
