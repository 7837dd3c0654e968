"""Taking the course: grading quizzes on the server, recording progress exactly once."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, bindparam, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from learning.accounts.models import User
from learning.content.parsing import Document
from learning.content.models import Revision
from learning.content.services import (PublishedCourse, PublishedPart, part_revision_document, published_course,
                                      still_counts)
from learning.extensions import add_unique, db
from learning.formerrors import Errors
from learning.learn.layout import Layout, draw
from learning.learn.models import CourseCompletion, CourseStart, PartCompletion, PartView, QuizAnswer, QuizAttempt
from learning.renewals import services as renewals
from learning.renewals.models import CourseRenewal
from learning.renewals.services import Standing
from learning.timeutil import stockholm_today
from learning.timeutil import utcnow
from learning.transactions import lock, write_transaction

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
NOT_STARTED, IN_PROGRESS, PASSED = "not_started", "in_progress", "passed"
PROGRESS_LOCK = "learner_progress"
STATUS_LABELS = {NOT_STARTED: "Inte påbörjad", IN_PROGRESS: "Påbörjad", PASSED: "Godkänd"}


class QuizInputError(ValueError):
    """A quiz submission that cannot be graded; the message is for the learner."""

    def __init__(self, message: str, unanswered: tuple[str, ...] = ()):
        super().__init__(message)
        self.unanswered = unanswered

    def field_errors(self, shown: list) -> Errors:
        """One error per unanswered question of the quiz as shown ((question, options) in page order), linked to
        its first option; an error about the form as a whole is not tied to a question."""
        errors = Errors()
        for number, (question, options) in enumerate(shown, start=1):
            if question.id in self.unanswered:
                errors.add(f"q-{question.id}", f"Fråga {number}: svara på frågan.", f"q-{question.id}-{options[0].id}")
        if not errors:
            errors.add("kunskapstest", str(self), None)
        return errors


@dataclass(frozen=True)
class Grading:
    """The outcome of grading one set of answers."""

    answers: dict[str, list[str]]
    correct: dict[str, bool]
    score: int
    passed: bool


@dataclass(frozen=True)
class CourseProgress:
    """Where a learner stands in a course."""

    statuses: dict[str, str]
    passed: int
    required: int
    completion_id: int | None
    # A refresher course's latest completion, when the learner is in a new round (statuses then count
    # only the quizzes passed in the round); None otherwise.
    renewal: Standing | None = None

    @property
    def completion(self) -> CourseCompletion | None:
        """The course completion (loaded only by the pages that show it)."""
        return db.session.get(CourseCompletion, self.completion_id) if self.completion_id else None

    @property
    def percent(self) -> int:
        """Share of required parts passed."""
        return round(100 * self.passed / self.required) if self.required else 0


def new_attempt_token() -> str:
    """A token that makes one rendered quiz form count as one attempt."""
    return secrets.token_hex(16)


def can_see(user: User, part: PublishedPart) -> bool:
    """Sections with an audience are only for learners in those organisation roles."""
    return not part.doc.audience or user.org_role in part.doc.audience or user.has_role("admin", "editor")


def missing_prerequisite(user: User, course: PublishedCourse) -> PublishedCourse | None:
    """The course this learner must complete before this one, if they have not yet.

    Editors and admins are never locked out (they check the course), nor is a learner who had already
    started it when the requirement was added.
    """
    required = published_course(course.requires) if course.requires else None
    if required is None or user.has_role("editor") or course_completion(user.id, required.id) is not None:
        return None
    if db.session.scalar(select(CourseStart.id).filter_by(user_id=user.id, course_id=course.id)):
        return None
    return required


def visible_parts(user: User, course: PublishedCourse) -> list[PublishedPart]:
    """The parts this learner sees on the course page."""
    return [p for p in course.parts if can_see(user, p)]


def parse_answers(doc: Document, form: MultiDict, layout: Layout | None = None) -> dict[str, list[str]]:
    """Read the chosen options from a submitted form, refusing anything the quiz did not offer.

    With a layout, only its drawn questions are asked: an answer to another question of the pool is refused.
    """
    shown = [q for q, _ in layout.shown(doc)] if layout is not None else list(doc.questions)
    questions = {q.id: q for q in shown}
    submitted = {key[2:] for key in form if key.startswith("q-")}
    if submitted - {q.id for q in doc.questions}:
        raise QuizInputError("Svaret innehåller frågor som inte hör till den här delen. Ladda om sidan och försök igen.")
    if submitted - questions.keys():
        raise QuizInputError("Svaret innehåller frågor som inte ingick i ditt test. Ladda om sidan och försök igen.")
    answers: dict[str, list[str]] = {}
    for qid, question in questions.items():
        chosen = sorted(set(form.getlist(f"q-{qid}")))
        valid = {o.id for o in question.options}
        if any(c not in valid for c in chosen):
            raise QuizInputError("Svaret innehåller ett alternativ som inte finns. Ladda om sidan och försök igen.")
        if len(chosen) > 1 and not question.multiple:
            raise QuizInputError("Välj bara ett svar på frågor med ett rätt svar.")
        answers[qid] = chosen
    missing = [(i, q.id) for i, q in enumerate(shown, start=1) if not answers[q.id]]
    if missing:
        numbers = ", ".join(str(n) for n, _ in missing)
        raise QuizInputError(f"Svara på alla frågor innan du skickar in. Obesvarade frågor: {numbers}.",
                             tuple(qid for _, qid in missing))
    return answers


def grade(doc: Document, answers: dict[str, list[str]], asked: tuple[str, ...] | None = None) -> Grading:
    """Score answers to the questions asked (all by default): right when exactly the correct options are chosen."""
    questions = doc.questions if asked is None else [q for q in doc.questions if q.id in set(asked)]
    correct = {q.id: set(answers.get(q.id, [])) == q.correct_ids for q in questions}
    total = len(correct)
    right = sum(correct.values())
    return Grading(
        answers=answers, correct=correct,
        score=round(100 * right / total) if total else 0,
        passed=total > 0 and 100 * right >= doc.pass_mark * total,
    )


@write_transaction
def submit_quiz(user: User, course: PublishedCourse, part: PublishedPart, form: MultiDict) -> QuizAttempt:
    """Grade and store an attempt against the revision the learner saw, with what it earns, in one transaction.

    The attempt, its answers, the part completion and (after the last part) the course completion are
    committed together. The same form (token) sent again returns the stored attempt, and writes any
    completion it earned that is missing.
    """
    token = form.get("token", "")
    if not TOKEN_RE.match(token):
        raise QuizInputError("Formuläret är ofullständigt. Ladda om sidan och svara igen.")
    # One learner's submissions one at a time: two tabs passing the last two parts at once must still
    # see each other's pass and write the course completion (PostgreSQL reads only what is committed).
    lock(PROGRESS_LOCK, user.id)
    existing = _attempt_by_token(user.id, token)
    if existing is not None:
        return _with_completions(user, course, existing)
    revision_id, doc = _seen_revision(part, form.get("revision", ""))
    layout = _seen_layout(user, course, part, revision_id, doc, form.get("round", ""))
    grading = grade(doc, parse_answers(doc, form, layout), layout.questions)
    attempt = QuizAttempt(
        user_id=user.id, content_file_id=part.file_id, revision_id=revision_id, token=token,
        answers=grading.answers, layout=layout.as_json(), correct_count=sum(grading.correct.values()),
        question_count=len(grading.correct), score=grading.score, passed=grading.passed,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
            db.session.add_all(QuizAnswer(attempt_id=attempt.id, question_id=qid, correct=right)
                               for qid, right in grading.correct.items())
    except IntegrityError:  # the same form arrived twice at once (PostgreSQL: the other one has committed)
        return _with_completions(user, course, _attempt_by_token(user.id, token))
    if grading.passed:
        stale = db.session.scalar(select(PartCompletion).where(
            PartCompletion.user_id == user.id, PartCompletion.content_file_id == part.file_id, ~COMPLETION_COUNTS))
        if stale is not None:
            # Passed before the quiz changed and had to be retaken: this pass makes it count again. The date
            # stays that of the first pass, so reports for an earlier period do not change afterwards (the
            # new attempt keeps its own date).
            stale.revision_id, stale.attempt_id = revision_id, attempt.id
    return _with_completions(user, course, attempt)


def _with_completions(user: User, course: PublishedCourse, attempt: QuizAttempt) -> QuizAttempt:
    # A passed attempt's part completion and, after the last part, the course completion or, in a
    # refresher course's new round, the renewal (each once).
    if attempt.passed:
        add_unique(PartCompletion(user_id=user.id, content_file_id=attempt.content_file_id,
                                  revision_id=attempt.revision_id, attempt_id=attempt.id))
        ensure_course_completion(user, course)
        _renew_if_round_done(user, course)
    return attempt


def _renew_if_round_done(user: User, course: PublishedCourse) -> None:
    # Inside submit_quiz's transaction, under the learner's progress lock: the round's number is read and
    # written once, and (user, course, cycle) is unique besides.
    if not course.valid_for_months:  # a course whose completion never expires has no rounds
        return
    standing = renewals.standing(user.id, course.id, course.valid_for_months)
    if standing is None or not standing.renewing(stockholm_today()):
        return
    required = [p.file_id for p in course.required_parts]
    if set(required) <= renewals.passed_since(user.id, required, renewals.round_start(standing.renew_from)):
        add_unique(CourseRenewal(user_id=user.id, course_id=course.id, cycle=standing.cycle + 1,
                                 organisation_id=user.organisation_id, org_role=user.org_role, name=user.name,
                                 verification_code=new_verification_code()))


def _seen_revision(part: PublishedPart, raw: str) -> tuple[int, Document]:
    # A learner who opened the page before an editor published a change is graded on what they saw.
    if raw.isdigit() and len(raw) <= 10 and int(raw) == part.revision_id:
        return part.revision_id, part.doc
    doc = part_revision_document(part.file_id, int(raw)) if raw.isdigit() and len(raw) <= 10 else None
    if doc is None:
        raise QuizInputError("Formuläret är ofullständigt. Ladda om sidan och svara igen.")
    return int(raw), doc


def quiz_round(user_id: int, file_id: int) -> int:
    """How many attempts the learner has made on a part: the next attempt's draw."""
    return db.session.scalar(select(func.count(QuizAttempt.id)).where(
        QuizAttempt.user_id == user_id, QuizAttempt.content_file_id == file_id)) or 0


def quiz_layout(user: User, course: PublishedCourse, file_id: int, revision_id: int, doc: Document,
                round_: int) -> Layout:
    """The questions and option order of a learner's attempt number round_ on a part."""
    return draw(doc, user_id=user.id, file_id=file_id, revision_id=revision_id, round_=round_,
                shuffle=course.shuffle_options)


def _seen_layout(user: User, course: PublishedCourse, part: PublishedPart, revision_id: int, doc: Document,
                 raw: str) -> Layout:
    # The form names the draw it showed; a draw the learner has not reached yet was never shown.
    if not (raw.isdigit() and len(raw) <= 6) or int(raw) > quiz_round(user.id, part.file_id):
        raise QuizInputError("Formuläret är ofullständigt. Ladda om sidan och svara igen.")
    return quiz_layout(user, course, part.file_id, revision_id, doc, int(raw))


@write_transaction
def ensure_course_completion(user: User, course: PublishedCourse) -> CourseCompletion | None:
    """Record the course as completed once every required part is passed; safe to call any time."""
    lock(PROGRESS_LOCK, user.id)
    completion = course_completion(user.id, course.id)
    if completion is None and course.required_parts and progress(user, course).passed == len(course.required_parts):
        add_unique(CourseCompletion(
            user_id=user.id, course_id=course.id, organisation_id=user.organisation_id,
            org_role=user.org_role, name=user.name, verification_code=new_verification_code(),
        ))
        completion = course_completion(user.id, course.id)
    return completion


def heal_course_completion(user: User, course: PublishedCourse, current: CourseProgress) -> CourseProgress:
    """A course page's progress, with a completion written if one is due but missing (e.g. from an older release).

    Reads only, unless a completion is missing: the course page stays a read for everyone else.
    """
    if current.completion_id is None and current.required and current.passed == current.required:
        completion = ensure_course_completion(user, course)
        return replace(current, completion_id=completion.id if completion else None)
    return current


def new_verification_code() -> str:
    """A code that is hard to guess and easy to read aloud (no 0/O or 1/I)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _attempt_by_token(user_id: int, token: str) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.token == token))


# A pass counts unless an editor has since published a changed quiz that learners must retake.
COMPLETION_COUNTS = still_counts(PartCompletion)
# The same, negated, for reports that count every pass of the city: first narrowed to the parts that ever
# had a required retake, so that the database reads the passes of those parts only (none before any retake).
PASS_VOIDED = and_(PartCompletion.content_file_id.in_(select(Revision.content_file_id).where(Revision.retake_required)),
                   ~COMPLETION_COUNTS)
# Reports count only learners in a förvaltning (learning.reports.tables): a pass by anyone else (e.g. the
# first admin) is in no report, so the editor's and the quiz analysis's counts leave it out too.
IN_A_FORVALTNING = PartCompletion.user_id.not_in(select(User.id).where(User.organisation_id.is_(None)))


@dataclass(frozen=True)
class PassCounts:
    """Passes of one part: those that count, those of them made against an older revision, and those voided."""

    counting: int
    on_older: int
    voided: int


def pass_counts(file_id: int, current_revision_id: int) -> PassCounts:
    """How many learners' passes of a part count, how many of those were on an older revision, how many are void.

    A voided pass (an editor has since published a changed quiz that must be retaken) is in neither of the
    first two: it counts nowhere until the learner passes again.
    """
    counting, older, voided = db.session.execute(
        select(func.count(PartCompletion.id).filter(COMPLETION_COUNTS),
               func.count(PartCompletion.id).filter(COMPLETION_COUNTS, PartCompletion.revision_id < current_revision_id),
               func.count(PartCompletion.id).filter(~COMPLETION_COUNTS))
        .where(PartCompletion.content_file_id == file_id, IN_A_FORVALTNING)
    ).one()
    return PassCounts(counting, older, voided)


# Built once: the part page runs this on every request, and building the statement costs more than running it.
_PART_STATE = select(
    select(PartCompletion.id).where(PartCompletion.user_id == bindparam("user_id"),
                                    PartCompletion.content_file_id == bindparam("file_id"), COMPLETION_COUNTS).exists(),
    select(PartView.id).where(PartView.user_id == bindparam("user_id"),
                              PartView.content_file_id == bindparam("file_id")).exists(),
    select(CourseStart.id).where(CourseStart.user_id == bindparam("user_id"),
                                 CourseStart.course_id == bindparam("course_id")).exists(),
    select(func.count(QuizAttempt.id)).where(QuizAttempt.user_id == bindparam("user_id"),
                                            QuizAttempt.content_file_id == bindparam("file_id")).scalar_subquery(),
)


@write_transaction
def record_view(user_id: int, course_id: int, file_id: int, at: datetime | None = None) -> None:
    """The learner opened a part: its first view, and the course's start if it is their first part (each once)."""
    moment = at or utcnow()
    add_unique(PartView(user_id=user_id, content_file_id=file_id, first_viewed_at=moment))
    add_unique(CourseStart(user_id=user_id, course_id=course_id, started_at=moment))


def open_part(user: User, course: PublishedCourse, part: PublishedPart) -> tuple[str, int]:
    """Record that the learner opened the part (once); return its status and the quiz's next draw, in one query."""
    passed, viewed, started, rounds = db.session.execute(
        _PART_STATE, {"user_id": user.id, "file_id": part.file_id, "course_id": course.id}).one()
    if not (viewed and started):  # (a start missing beside a view, e.g. from an older process, is made good)
        record_view(user.id, course.id, part.file_id)
    return PASSED if passed else IN_PROGRESS, rounds or 0


# Built once, like _PART_STATE: for each part of the course, 2 if it is passed (and the pass counts), 1 if it
# has been opened or tried, and the course completion's id marked 3; the course page runs it on every request.
_PROGRESS = union_all(
    select(CourseCompletion.id, literal(3)).where(
        CourseCompletion.user_id == bindparam("user_id"), CourseCompletion.course_id == bindparam("course_id")),
    select(PartCompletion.content_file_id, literal(2)).where(
        PartCompletion.user_id == bindparam("user_id"),
        PartCompletion.content_file_id.in_(bindparam("file_ids", expanding=True)), COMPLETION_COUNTS),
    select(PartView.content_file_id, literal(1)).where(
        PartView.user_id == bindparam("user_id"), PartView.content_file_id.in_(bindparam("file_ids", expanding=True))),
    select(QuizAttempt.content_file_id, literal(1)).where(
        QuizAttempt.user_id == bindparam("user_id"),
        QuizAttempt.content_file_id.in_(bindparam("file_ids", expanding=True))),
)


def progress(user: User, course: PublishedCourse) -> CourseProgress:
    """Status of every part for this learner, and the course completion if any."""
    state: dict[int, int] = {}
    completion_id = None
    for key, level in db.session.execute(
            _PROGRESS, {"user_id": user.id, "course_id": course.id, "file_ids": [p.file_id for p in course.parts]}):
        if level == 3:
            completion_id = key
        else:
            state[key] = max(level, state.get(key, 0))
    names = {0: NOT_STARTED, 1: IN_PROGRESS, 2: PASSED}
    statuses = {p.slug: names[state.get(p.file_id, 0)] for p in course.parts}
    renewal = _round(user, course) if completion_id and course.valid_for_months else None
    if renewal is not None:  # a new round: only the quizzes passed in it count
        again = renewals.passed_since(user.id, [p.file_id for p in course.parts],
                                      renewals.round_start(renewal.renew_from))
        statuses = {p.slug: PASSED if p.file_id in again else IN_PROGRESS for p in course.parts}
    required = course.required_parts
    return CourseProgress(
        statuses=statuses,
        passed=sum(statuses[p.slug] == PASSED for p in required),
        required=len(required),
        completion_id=completion_id,
        renewal=renewal,
    )


def _round(user: User, course: PublishedCourse) -> Standing | None:
    standing = renewals.standing(user.id, course.id, course.valid_for_months)
    return standing if standing is not None and standing.renewing(stockholm_today()) else None


_COMPLETION = select(CourseCompletion).where(CourseCompletion.user_id == bindparam("user_id"),
                                             CourseCompletion.course_id == bindparam("course_id"))


def course_completion(user_id: int, course_id: int) -> CourseCompletion | None:
    """The learner's completion of a course, if they have one."""
    return db.session.scalar(_COMPLETION, {"user_id": user_id, "course_id": course_id})


def user_attempt(user: User, attempt_id: int) -> QuizAttempt | None:
    """An attempt, only if it belongs to this learner."""
    return db.session.scalar(select(QuizAttempt).filter_by(id=attempt_id, user_id=user.id))


def attempts(user: User, file_id: int | None = None) -> list[QuizAttempt]:
    """The learner's attempts, newest first, optionally for one part."""
    query = select(QuizAttempt).where(QuizAttempt.user_id == user.id)
    if file_id is not None:
        query = query.where(QuizAttempt.content_file_id == file_id)
    return list(db.session.scalars(query.order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())))
