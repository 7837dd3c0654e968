"""The editor's pages: file list, edit with preview, quiz trial, history, diff and restore."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.access import role_required
from learning.content.parsing import Document
from learning.editor import courses, services
from learning.editor.forms import BaseForm, EditForm, NewCourseForm, NewPartForm, base_revision
from learning.formerrors import Errors, LineMessage
from learning.learn.layout import in_file_order
from learning.learn.services import QuizInputError, grade, parse_answers

bp = Blueprint("editor", __name__, url_prefix="/redaktor")
editor_required = role_required("editor")


@dataclass(frozen=True)
class PreviewPart:
    """What the learner templates need of a part, built from a draft instead of a revision."""

    doc: Document

    @property
    def quiz(self) -> list:
        """Every question of the pool with its options as written (editors check them all)."""
        return in_file_order(self.doc).shown(self.doc)


def _file_or_404(file_id: int) -> services.EditableFile:
    target = services.editable_file(file_id)
    if target is None:
        abort(404)
    return target


def _problem_lines(text: str, problems) -> list[tuple]:
    """Each problem with the text of the line it concerns."""
    lines = text.split("\n")
    return [(p, lines[p.line - 1] if 1 <= p.line <= len(lines) else "") for p in problems]


def problem_count(problems) -> str:
    """The check's outcome in one Swedish sentence, for the preview's live message: "2 fel och 1 varning"."""
    kinds = [p.kind for p in problems]
    errors, warnings = kinds.count("error"), kinds.count("warning")
    others = len(kinds) - errors - warnings
    parts = [text for n, text in ((errors, f"{errors} fel"),
                                  (warnings, f"{warnings} {'varning' if warnings == 1 else 'varningar'}"),
                                  (others, f"{others} platshållare att fylla i"))
             if n]
    if not parts:
        return "Kontrollen hittade inga problem."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]
    return f"Kontrollen hittade {listed}."


def _working_text(target: services.EditableFile) -> str:
    row = services.draft(target.file.id, current_user)
    return row.markdown if row else (target.current.markdown if target.current else "")


@bp.get("/")
@editor_required
def index():
    """Every course and its files, with forms for a new course and new parts."""
    return _index()


def _index(course_form: NewCourseForm | None = None, part_form: NewPartForm | None = None, part_course: int = 0):
    return render_template(
        "editor/index.html", courses=services.course_files(current_user), course_form=course_form or NewCourseForm(),
        part_form=part_form or NewPartForm(), part_course=part_course,
    ), 400 if (course_form and course_form.errors) or (part_form and part_form.errors) else 200


@bp.post("/ny-kurs")
@editor_required
def new_course():
    """Start a new course: its course file becomes this editor's draft."""
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            file = courses.create_course(form.slug.data, form.title.data, current_user)
        except courses.NameTaken as exc:
            form.slug.errors.append(str(exc))
        else:
            flash("Kursen är skapad. Skriv introduktionen, lägg till delar och publicera dem; "
                  "kursen syns för deltagarna när kursfilen är publicerad.", "success")
            return redirect(url_for("editor.edit", file_id=file.id))
    return _index(course_form=form)


@bp.post("/kurs/<int:course_id>/ny-del")
@editor_required
def new_part(course_id: int):
    """Add a part to a course, as this editor's draft."""
    form = NewPartForm()
    if form.validate_on_submit():
        try:
            file = courses.create_part(course_id, form.name.data, current_user)
        except courses.NameTaken as exc:
            form.name.errors.append(str(exc))
        else:
            flash("Delen är skapad som utkast. Deltagarna ser den när du har publicerat den.", "success")
            return redirect(url_for("editor.edit", file_id=file.id))
    return _index(part_form=form, part_course=course_id)


@bp.route("/fil/<int:file_id>", methods=["GET", "POST"])
@editor_required
def edit(file_id: int):
    """Edit one file: preview, save a draft, publish or discard."""
    target = _file_or_404(file_id)
    form = EditForm()
    conflict = refused = None
    status = 200
    if form.validate_on_submit():
        action = request.form.get("action", "preview")
        text, base = services.normalise(form.markdown.data or ""), base_revision(form.base.data)
        try:
            if action == "save":
                services.save_draft(target, current_user, text, base)
                flash("Utkastet är sparat. Deltagarna ser det inte förrän du publicerar.", "success")
                return redirect(url_for("editor.edit", file_id=file_id))
            if action == "discard":
                services.discard_draft(target, current_user)
                flash("Utkastet är borttaget.", "success")
                return redirect(url_for("editor.edit", file_id=file_id))
            if action == "publish":
                if not (form.message.data or "").strip():
                    form.message.errors.append("Skriv en kort beskrivning av ändringen.")
                    status = 400
                else:
                    retake = {"keep": False, "retake": True}.get(form.earlier.data or "")
                    revision = services.publish(target, current_user, text, base, form.message.data, retake)
                    flash(f"Version {revision.number} är publicerad. Deltagarna ser den nu."
                          + (" Alla måste göra om kunskapstestet." if revision.retake_required else ""), "success")
                    return redirect(url_for("editor.edit", file_id=file_id))
        except services.Conflict as exc:
            conflict, status = exc, 409
            form.markdown.errors.append("Någon annan har publicerat en ny version. För in det som ska vara kvar från "
                                        "båda texterna i textrutan och spara eller publicera igen.")
        except services.Refused as exc:
            refused, status = exc, 400
            form.markdown.errors.extend(LineMessage(f"Rad {p.line}: {p.message}", p.line) for p in exc.problems)
        except services.RetakeChoiceNeeded:
            form.earlier.errors.append("Kunskapstestet har ändrats: välj om tidigare godkända resultat ska gälla.")
            status = 400
    elif form.is_submitted():
        status = 400
    else:
        row = services.draft(file_id, current_user)
        form.markdown.data = _working_text(target)
        form.base.data = str(row.base_revision_id if row else target.current_id or "")
        if row is not None and row.base_revision_id != target.current_id:
            conflict = services.Conflict(row.markdown, target.current)
    text = services.normalise(form.markdown.data or "")
    if conflict is not None:
        # Having seen both texts, the editor's next save or publish is their merge.
        form.base.data = str(target.current_id or "")
    checked = services.check(target, text)
    return render_template(
        "editor/edit.html", target=target, form=form, part=PreviewPart(checked.doc),
        problems=_problem_lines(text, checked.problems), conflict=conflict, refused=refused,
        problem_count=problem_count(checked.problems),
        has_draft=services.draft(file_id, current_user) is not None,
        completions=None if target.is_course_file else services.completion_counts(target),
        conflict_diff=services.diff(conflict.current.markdown, conflict.mine) if conflict and conflict.current else [],
    ), status


@bp.post("/fil/<int:file_id>/forhandsgranska")
@editor_required
def live_preview(file_id: int):
    """The preview and problems for the text in the form, as an HTML fragment (for static/editor.js)."""
    target = _file_or_404(file_id)
    form = EditForm()
    if not form.validate_on_submit():
        abort(400)
    text = services.normalise(form.markdown.data or "")
    checked = services.check(target, text)
    return render_template("editor/_preview.html", target=target, part=PreviewPart(checked.doc),
                           problems=_problem_lines(text, checked.problems), problem_count=problem_count(checked.problems))


@bp.route("/fil/<int:file_id>/prova", methods=["GET", "POST"])
@editor_required
def try_quiz(file_id: int):
    """Take the quiz of the working text (draft or live) as a learner would; nothing is stored."""
    target = _file_or_404(file_id)
    doc = services.check(target, _working_text(target)).doc
    grading = error = None
    answers: dict = {}
    if request.method == "POST":
        answers = {key[2:]: request.form.getlist(key)[:20] for key in request.form if key.startswith("q-")}
        try:
            grading = grade(doc, parse_answers(doc, request.form))
        except QuizInputError as exc:
            error = exc
    part = PreviewPart(doc)
    return render_template("editor/try.html", target=target, part=part, grading=grading, error=error,
                           errors=error.field_errors(part.quiz) if error else None, answers=answers), 400 if error else 200


@bp.get("/fil/<int:file_id>/historik")
@editor_required
def history(file_id: int):
    """Every published revision, with a diff chooser and restore buttons."""
    target = _file_or_404(file_id)
    return _history(target)


def _history(target, errors: Errors | None = None):
    form = BaseForm(base=str(target.current_id or ""))
    return render_template("editor/history.html", target=target, revisions=services.history(target.file.id),
                           form=form, errors=errors or Errors()), 400 if errors else 200


@bp.get("/fil/<int:file_id>/jamfor")
@editor_required
def compare(file_id: int):
    """The difference between two revisions, chosen by number."""
    target = _file_or_404(file_id)
    if "fran" not in request.args and "till" not in request.args:  # nothing chosen yet: the page to choose on
        return redirect(url_for("editor.history", file_id=file_id))
    old = services.revision_of(file_id, base_revision(request.args.get("fran")) or 0)
    new = services.revision_of(file_id, base_revision(request.args.get("till")) or 0)
    if old is None or new is None:
        errors = Errors()
        for name, revision in (("fran", old), ("till", new)):
            if revision is None:
                errors.add(name, "Det finns ingen sådan version. Välj en version i listan.")
        return _history(target, errors)
    return render_template("editor/compare.html", target=target, old=old, new=new,
                           hunks=services.diff(old.markdown, new.markdown))


@bp.route("/fil/<int:file_id>/aterstall/<int:number>", methods=["GET", "POST"])
@editor_required
def restore(file_id: int, number: int):
    """Publish an old revision again, as a new revision; a GET asks first and says what will happen."""
    target = _file_or_404(file_id)
    old = services.revision_of(file_id, number)
    if old is None:
        abort(404)
    if request.method == "GET":
        return render_template("editor/restore.html", target=target, old=old,
                               form=BaseForm(base=str(target.current_id or "")))
    form = BaseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        revision = services.restore(target, current_user, old, base_revision(form.base.data))
    except services.Conflict:
        flash("Någon har publicerat en ny version sedan sidan visades. Titta på historiken igen innan du återställer.",
              "warning")
    except services.DraftInTheWay:
        flash(f"Version {number} har andra frågor än den publicerade versionen och måste öppnas som utkast, men du har "
              "redan ett utkast av filen som inte är publicerat. Publicera det eller ta bort det först.", "warning")
    except services.RetakeChoiceNeeded:
        flash(f"Version {number} har andra frågor än den publicerade versionen. Texten ligger nu som ditt utkast: "
              "välj om tidigare godkända resultat ska gälla och publicera den.", "warning")
        return redirect(url_for("editor.edit", file_id=file_id))
    except services.Refused as exc:
        flash(f"Version {number} klarar inte kontrollen längre och återställdes inte: "
              + "; ".join(f"rad {p.line}: {p.message}" for p in exc.problems), "warning")
    else:
        flash(f"Version {number} är återställd som version {revision.number}.", "success")
    return redirect(url_for("editor.history", file_id=file_id))
