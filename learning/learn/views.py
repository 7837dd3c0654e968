"""The course pages: start page, parts, quizzes and quiz results."""

from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from markupsafe import Markup
from flask_login import current_user, login_required

from learning.assignments.status import learner_context
from learning.content.services import course_slugs, published_course, revision_document
from learning.learn import services
from learning.learn.layout import from_json, in_file_order
from learning.survey import services as survey
from learning.timeutil import stockholm_today
from learning.visits import services as visits

bp = Blueprint("learn", __name__)
PENDING_KEY = "pending_answers"


def _course_or_404(slug: str):
    course = published_course(slug)
    if course is None:
        abort(404)
    required = services.missing_prerequisite(current_user, course)
    if required is not None:
        abort(make_response(render_template("learn/locked.html", course=course, required=required), 403))
    return course


def _part_or_404(course, slug: str):
    part = course.part(slug)
    if part is None:
        abort(404)
    if not services.can_see(current_user, part):
        abort(403)
    return part


@bp.get("/")
@login_required
def index():
    """The course list; with one course, its start page."""
    slugs = course_slugs()
    if len(slugs) == 1:
        return redirect(url_for("learn.course", course_slug=slugs[0]))
    courses = [c for c in (published_course(s) for s in slugs) if c]
    return render_template("learn/index.html", courses=courses,
                           **learner_context(current_user.id, stockholm_today()))


@bp.get("/kurs/<course_slug>/")
@login_required
def course(course_slug: str):
    """A course's start page with the learner's status per part."""
    course = _course_or_404(course_slug)
    progress = services.heal_course_completion(current_user, course, services.progress(current_user, course))
    page = render_template(
        "learn/course.html", course=course, parts=services.visible_parts(current_user, course),
        progress=progress, labels=services.STATUS_LABELS, today=stockholm_today(),
        **learner_context(current_user.id, stockholm_today()),
    )
    visits.record_visit_safely(course.id, request.remote_addr or "", request.headers.get("User-Agent", ""))
    return page


@bp.get("/kurs/<course_slug>/<part_slug>")
@login_required
def part(course_slug: str, part_slug: str):
    """A part: its text, table of contents and quiz."""
    course = _course_or_404(course_slug)
    part = _part_or_404(course, part_slug)
    status, rounds = services.open_part(current_user, course, part)
    pending = session.pop(PENDING_KEY, None) if PENDING_KEY in session else None
    answers = pending.get("answers", {}) if pending and pending.get("part") == request.path else {}
    return _render_part(course, part, status, rounds, answers, restored=bool(answers))


def _fragment(name: str, part, answers: dict | None = None, unanswered: tuple = (), quiz: list | None = None) -> Markup:
    """A piece of the part page rendered once per revision (unless it shows a learner's answers, errors or draw)."""
    cache: dict = current_app.extensions.setdefault("part_fragments", {})
    key = (name, part.revision_id)
    personal = bool(answers or unanswered or quiz is not None)
    if quiz is not None and not (answers or unanswered):
        return _assembled(part.revision_id, quiz)
    if personal or key not in cache:
        html = Markup(render_template(f"learn/_{name}.html", part=part, answers=answers or {}, unanswered=unanswered,
                                      quiz=quiz if quiz is not None else in_file_order(part.doc).shown(part.doc)))
        if personal:
            return html
        if len(cache) > 256:
            cache.clear()
        cache[key] = html
    return cache[key]


def _assembled(revision_id: int, quiz: list) -> Markup:
    """A learner's own draw, joined from question pieces cached per revision, place and option order."""
    cache: dict = current_app.extensions.setdefault("question_pieces", {})
    template = current_app.jinja_env.get_template("learn/_question.html")
    pieces = []
    for number, (question, options) in enumerate(quiz, start=1):
        key = (revision_id, question.id, number, tuple(o.id for o in options))
        if key not in cache:
            if len(cache) > 8192:
                cache.clear()
            cache[key] = template.render(q=question, options=options, number=number, chosen=(), missing=False)
        pieces.append(cache[key])
    return Markup("".join(pieces))


def _render_part(course, part, status: str, round_: int, answers: dict,
                 error: services.QuizInputError | None = None, code: int = 200, restored: bool = False):
    visible = services.visible_parts(current_user, course)
    index = next(i for i, p in enumerate(visible) if p.slug == part.slug)
    quiz = None  # the same for everyone (and cached) unless options are shuffled or questions drawn
    if course.shuffle_options or part.doc.questions_per_attempt:
        layout = services.quiz_layout(current_user, course, part.file_id, part.revision_id, part.doc, round_)
        quiz = layout.shown(part.doc)
    return render_template(
        "learn/part.html", course=course, part=part, error=error, restored=restored, round=round_,
        question_count=len(quiz) if quiz is not None else len(part.doc.questions),
        article=_fragment("article", part),
        questions=_fragment("questions", part, answers, error.unanswered if error else (), quiz),
        previous=visible[index - 1] if index > 0 else None,
        next=visible[index + 1] if index + 1 < len(visible) else None,
        token=services.new_attempt_token(), status=status, labels=services.STATUS_LABELS,
    ), code


@bp.post("/kurs/<course_slug>/<part_slug>/kunskapstest")
@login_required
def submit(course_slug: str, part_slug: str):
    """Grade a quiz and show the result; a repeated submission shows the first result."""
    course = _course_or_404(course_slug)
    part = _part_or_404(course, part_slug)
    try:
        attempt = services.submit_quiz(current_user, course, part, request.form)
    except services.QuizInputError as exc:
        status, rounds = services.open_part(current_user, course, part)
        shown = request.form.get("round", "")  # show the draw the learner answered, if it is one they were shown
        round_ = int(shown) if shown.isdigit() and len(shown) <= 6 and int(shown) <= rounds else rounds
        return _render_part(course, part, status, round_, submitted_answers(request.form), exc, 400)
    return redirect(url_for("learn.result", course_slug=course.slug, part_slug=part.slug, attempt_id=attempt.id))


def submitted_answers(form) -> dict[str, list[str]]:
    """The options ticked in a quiz form, to show them again."""
    return {key[2:]: form.getlist(key)[:20] for key in form if key.startswith("q-")}


def kept_answers(course_slug: str, part_slug: str, form) -> dict[str, list[str]]:
    """Answers worth keeping across a new sign-in: only this part's questions and options."""
    course = published_course(course_slug)
    part = course.part(part_slug) if course else None
    if part is None:
        return {}
    options = {q.id: {o.id for o in q.options} for q in part.doc.questions}
    return {qid: [o for o in chosen if o in options[qid]]
            for qid, chosen in submitted_answers(form).items() if qid in options}


@bp.get("/kurs/<course_slug>/<part_slug>/resultat/<int:attempt_id>")
@login_required
def result(course_slug: str, part_slug: str, attempt_id: int):
    """The result of one attempt with explanations; the right options only once the part is passed (by default)."""
    course = _course_or_404(course_slug)
    part = _part_or_404(course, part_slug)
    attempt = services.user_attempt(current_user, attempt_id)
    if attempt is None or attempt.content_file_id != part.file_id:
        abort(404)
    doc = revision_document(attempt.revision_id)
    progress = services.progress(current_user, course)
    if progress.completion and attempt.passed:
        flash("Grattis! Du har klarat alla delar och kan hämta ditt intyg.", "success")
    layout = from_json(attempt.layout, doc)
    reveal = (attempt.passed or course.reveal_answers == "always"
              or progress.statuses.get(part.slug) == services.PASSED)
    return render_template(
        "learn/result.html", course=course, part=part, attempt=attempt, doc=doc, progress=progress,
        quiz=layout.shown(doc), reveal=reveal, correct=services.grade(doc, attempt.answers, layout.questions).correct,
        survey=survey.status(current_user, course) if progress.completion else None,
        next=_next_unpassed(course, progress),
    )


def _next_unpassed(course, progress):
    return next((p for p in services.visible_parts(current_user, course)
                 if p.doc.required and progress.statuses[p.slug] != services.PASSED), None)
