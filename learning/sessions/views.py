"""Live sessions for coordinators: list, register, change, attendance counts, attendance import, unmatched rows."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from learning.access import role_required
from learning.accounts.forms import choices
from learning.accounts.services import organisations
from learning.content.services import published_courses
from learning.extensions import db
from learning.sessions import services
from learning.sessions.forms import (BY_KIND, MAX_UPLOAD, AttendanceFileForm, ConfirmForm, CountForm, PlaceForm,
                                     SessionForm)
from learning.sessions.models import KINDS, MODES, LiveSession
from learning.timeutil import stockholm_today

bp = Blueprint("sessions", __name__, url_prefix="/tillfallen")
coordinator_required = role_required("coordinator")


def _organisation_choices(blank: bool = True):
    pairs = [(o.code, o.name) for o in organisations()]
    return choices([("", "Välj förvaltning"), *pairs] if blank else pairs)


def _session_or_404(session_id: int) -> LiveSession:
    row = db.session.get(LiveSession, session_id)
    if row is None:
        abort(404)
    return row


@bp.get("/")
@coordinator_required
def index():
    """Every session with its attendance."""
    return render_template("sessions/index.html", rows=services.summaries(), kinds=KINDS, modes=MODES,
                           courses={c.id: c.title for c in published_courses()})


@bp.route("/nytt", methods=["GET", "POST"])
@coordinator_required
def create():
    """Register a session."""
    return _edit(None)


@bp.route("/<int:session_id>/andra", methods=["GET", "POST"])
@coordinator_required
def edit(session_id: int):
    """Change a session's details."""
    return _edit(_session_or_404(session_id))


def _edit(row: LiveSession | None):
    form = SessionForm(obj=row)
    found = published_courses()
    form.targets.choices = _organisation_choices(blank=False)
    form.course.choices = choices([(BY_KIND, "Enligt typen"),
                                   ("", "Ingen kurs: räknas bara i programmets återrapport"),
                                   *((c.slug, c.title) for c in found)])
    if row is not None and not form.is_submitted():
        form.course.data = next((c.slug for c in found if c.id == row.course_id), "")
    if row is not None and not form.is_submitted():
        codes = {o.id: o.code for o in organisations()}
        form.targets.data = [codes[i] for i in row.targets if i in codes]
    if form.validate_on_submit():
        # "Enligt typen", or no course field at all (an older form, a script): the default of the kind.
        course = form.course.data if form.course.data != BY_KIND else None
        data = services.SessionData(form.kind.data, form.mode.data, form.title.data, form.held_on.data,
                                    form.organiser.data, form.targets.data or [], course)
        try:
            saved = services.save_session(data, row.id if row else None)
        except services.SessionError as exc:
            form[exc.field or "title"].errors.append(str(exc))
        else:
            flash("Tillfället är sparat.", "success")
            return redirect(url_for("sessions.detail", session_id=saved.id))
    return render_template("sessions/edit.html", form=form, row=row), 400 if form.errors else 200


@bp.route("/<int:session_id>/ta-bort", methods=["GET", "POST"])
@coordinator_required
def delete(session_id: int):
    """Ask first, then remove a session and its attendance."""
    row = _session_or_404(session_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        summary = next(s for s in services.summaries() if s.session.id == row.id)
        return render_template("sessions/delete.html", row=row, summary=summary, form=form)
    services.delete_session(session_id)
    flash("Tillfället och dess närvaro är borttagna.", "success")
    return redirect(url_for("sessions.index"))


@bp.get("/<int:session_id>")
@coordinator_required
def detail(session_id: int):
    """A session: attendees, counts per förvaltning, rows waiting to be placed, and the forms to change them."""
    return _detail(_session_or_404(session_id))


def _detail(row: LiveSession, count_form: CountForm | None = None, file_form: AttendanceFileForm | None = None,
            result: services.ImportResult | None = None, status: int = 200, place_form: PlaceForm | None = None):
    count_form = count_form or CountForm(formdata=None)
    count_form.organisation.choices = _organisation_choices()
    file_form = file_form or AttendanceFileForm(formdata=None)
    waiting = services.unmatched(row.id)
    place_forms = []
    for unmatched in waiting:
        prefix = f"rad{unmatched.id}"
        form = place_form if place_form is not None and place_form._prefix == prefix + "-" else PlaceForm(
            formdata=None, prefix=prefix)
        form.organisation.choices = _organisation_choices()
        form.organisation.label.text = f"Förvaltning för {unmatched.name}"
        place_forms.append((unmatched, form))
    return render_template(
        "sessions/detail.html", row=row, kinds=KINDS, modes=MODES, attendees=services.attendees(row.id),
        counts=services.counts(row.id), place_forms=place_forms, count_form=count_form, file_form=file_form,
        result=result, future=row.held_on > stockholm_today(), place_form=place_form,
        course=next((c for c in published_courses() if c.id == row.course_id), None),
        targets=[o.name for o in organisations() if o.id in (row.targets or [])]), status


@bp.post("/<int:session_id>/antal")
@coordinator_required
def set_count(session_id: int):
    """Set the number of attendees from one förvaltning."""
    row = _session_or_404(session_id)
    form = CountForm()
    form.organisation.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            services.set_count(row.id, form.organisation.data, form.attendees.data, stockholm_today())
        except services.SessionError as exc:
            form[exc.field or "attendees"].errors.append(str(exc))
        else:
            flash("Antalet är sparat.", "success")
            return redirect(url_for("sessions.detail", session_id=row.id))
    return _detail(row, count_form=form, status=400)


@bp.post("/<int:session_id>/importera")
@coordinator_required
def upload(session_id: int):
    """Import an attendance list; shows what was added and what waits to be placed."""
    row = _session_or_404(session_id)
    request.max_content_length = 2 * MAX_UPLOAD
    form = AttendanceFileForm()
    if form.validate_on_submit():
        try:
            result = services.import_attendance(row.id, form.file.data.read(), stockholm_today())
        except services.SessionError as exc:
            form.file.errors.append(f"{exc} Ingenting har lästs in.")
        else:
            return _detail(row, result=result)
    return _detail(row, file_form=form, status=400)


@bp.post("/<int:session_id>/omatchade/<int:row_id>")
@coordinator_required
def place(session_id: int, row_id: int):
    """Register an unmatched row as an attendee from the förvaltning the coordinator chose."""
    row = _session_or_404(session_id)
    form = PlaceForm(prefix=f"rad{row_id}")
    form.organisation.choices = _organisation_choices()
    if not form.validate_on_submit():
        return _detail(row, place_form=form, status=400)
    try:
        services.place_unmatched(row.id, row_id, form.organisation.data)
    except services.SessionError as exc:
        flash(str(exc), "warning")
    else:
        flash("Personen är registrerad som deltagare.", "success")
    return redirect(url_for("sessions.detail", session_id=row.id))


@bp.post("/<int:session_id>/omatchade/<int:row_id>/avvisa")
@coordinator_required
def dismiss(session_id: int, row_id: int):
    """Dismiss an unmatched row as no participant."""
    row = _session_or_404(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.dismiss_unmatched(row.id, row_id)
    except services.SessionError as exc:
        flash(str(exc), "warning")
    else:
        flash("Raden är avvisad och räknas inte som deltagare.", "success")
    return redirect(url_for("sessions.detail", session_id=row.id))
