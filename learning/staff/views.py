"""Staff pages for coordinators: overview per förvaltning, staff-list upload, hand-entered headcounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from learning.access import role_required
from learning.accounts.forms import choices
from learning.accounts.services import organisations
from learning.staff import preview, services
from learning.staff.forms import MAX_UPLOAD, HeadcountForm, StaffConfirmForm, StaffFileForm
from learning.words import plural
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
    """Upload the staff list: first a preview of what would change, then the import once confirmed."""
    # Refuse a huge body before it is spooled to disk; the form's own limit gives the friendly message. The
    # confirmation carries the file back as text in a form field, hence the same limit for form fields.
    request.max_content_length = request.max_form_memory_size = 2 * MAX_UPLOAD
    if request.method == "POST" and request.form.get("steg") == "bekrafta":
        return _confirm()
    form = StaffFileForm()
    problems: list = []
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            found = preview.plan(data, services.stockholm_today())
        except services.StaffImportError as exc:
            form.file.errors.append(f"{exc} Ingenting har ändrats.")
            problems = exc.problems
        else:
            return _preview_page(data, found)
    return render_template("staff/upload.html", form=form, problems=problems), 400 if form.errors else 200


def _preview_page(data: bytes, found: preview.ImportPlan, form: StaffConfirmForm | None = None,
                  status: int = 200, changed: bool = False):
    form = form or StaffConfirmForm(formdata=None)
    form.file_data.data, form.fingerprint.data = preview.encode(data), found.fingerprint(data)
    form.confirm_departures.label.text = (
        f"Ja, {plural(len(found.deactivated), 'person', 'personer')} ska markeras som slutade")
    return render_template("staff/preview.html", plan=found, form=form, shown=preview.SHOWN_NAMES,
                           changed=changed), status


class ListChanged(Exception):
    """The staff list changed between the preview and the import's lock."""


def _confirm():
    form = StaffConfirmForm()
    today = services.stockholm_today()
    try:
        if not form.validate_on_submit():
            raise services.StaffImportError("Bekräftelsen kunde inte tas emot. Välj filen och läs in den igen.")
        data = preview.decode(form.file_data.data or "")
        found = preview.plan(data, today)
    except services.StaffImportError as exc:
        upload_form = StaffFileForm(formdata=None)
        upload_form.file.errors = [f"{exc} Ingenting har ändrats."]
        return render_template("staff/upload.html", form=upload_form, problems=[]), 400
    if form.fingerprint.data != found.fingerprint(data):
        # Someone changed the staff list after the preview was shown: show what the import would do now.
        return _preview_page(data, found, status=409, changed=True)
    if found.many_leave and not form.confirm_departures.data:
        form.confirm_departures.errors.append(
            f"Kryssa i rutan om {plural(len(found.deactivated), 'person', 'personer')} verkligen ska markeras "
            "som slutade, eller avbryt.")
        return _preview_page(data, found, form, status=400)

    def still_as_shown() -> None:  # checked again under the import's lock: another import may have come first
        if preview.plan(data, today).fingerprint(data) != form.fingerprint.data:
            raise ListChanged()

    try:
        report = services.import_staff(data, today, still_as_shown)
    except ListChanged:
        return _preview_page(data, preview.plan(data, today), status=409, changed=True)
    return render_template("staff/upload.html", form=StaffFileForm(formdata=None), report=report,
                           problems=report.problems)


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
