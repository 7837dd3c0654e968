"""Answering the survey: validation and one answer per learner (the anonymising pool is in pool.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from learning.accounts.models import User
from learning.content.services import PublishedCourse
from learning.content.survey_items import SCALE
from learning.extensions import add_unique, db, get_or_create
from learning.formerrors import Errors
from learning.learn.services import course_completion
from learning.survey import pool
from learning.survey.models import SurveyItem, SurveyParticipation
from learning.transactions import write_transaction

MAX_TEXT = 5000
NOT_ELIGIBLE, INVITED, ANSWERED, DECLINED = "not_eligible", "invited", "answered", "declined"


class SurveyError(ValueError):
    """A survey submission that cannot be stored; the message is for the learner."""

    def __init__(self, message: str, status: int = 400, errors: Errors | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors or Errors()  # per question, when the problem is in the answers


@dataclass(frozen=True)
class Question:
    """A current survey item with its database id."""

    id: int
    kind: str
    text: str
    low: str
    high: str


def status(user: User, course: PublishedCourse) -> str:
    """Whether this learner is invited to the course's survey, or has answered or declined."""
    row = db.session.scalar(select(SurveyParticipation.answered).filter_by(user_id=user.id, course_id=course.id))
    if row is not None:
        return ANSWERED if row else DECLINED
    return INVITED if course_completion(user.id, course.id) else NOT_ELIGIBLE


def questions(course: PublishedCourse) -> list[Question]:
    """The course's current survey items, created in the database the first time they are used."""
    rows = [_item(course.id, item) for item in course.survey]
    if None in rows:
        rows = _create_items(course)
    return [Question(row.id, row.kind, row.text, row.low, row.high) for row in rows]


def _item(course_id: int, item) -> SurveyItem | None:
    return db.session.scalar(select(SurveyItem).filter_by(
        course_id=course_id, kind=item.kind, key=item.key, text=item.text, low=item.low, high=item.high))


@write_transaction
def _create_items(course: PublishedCourse) -> list[SurveyItem]:
    return [get_or_create(SurveyItem, course_id=course.id, kind=item.kind, key=item.key, text=item.text,
                          low=item.low, high=item.high) for item in course.survey]


def parse_answers(items: list[Question], form: MultiDict) -> dict[int, int | str]:
    """Scores and texts from the form; every scale item is required, texts are optional.

    Every problem is reported at once, each at its question (the first radio button or the text box).
    """
    answers: dict[int, int | str] = {}
    errors, missing = Errors(), []
    for number, item in enumerate(items, start=1):
        name = f"item-{item.id}"
        raw = (form.get(name) or "").strip()
        if item.kind == SCALE:
            if not raw:
                missing.append(str(number))
                errors.add(name, f"Fråga {number}: svara på frågan.", f"{name}-1")
            elif raw not in {"1", "2", "3", "4", "5"}:
                errors.add(name, f"Fråga {number}: välj ett värde från 1 till 5.", f"{name}-1")
            else:
                answers[item.id] = int(raw)
        elif len(raw := raw.replace("\r\n", "\n")) > MAX_TEXT:  # browsers count a line break as one
            errors.add(name, f"Fråga {number}: svaret är {len(raw)} tecken långt; högst {MAX_TEXT} tecken får plats.")
        elif raw:
            answers[item.id] = raw
    if missing:
        raise SurveyError(f"Svara på frågorna med skala 1–5 innan du skickar. Obesvarade: {', '.join(missing)}.",
                          errors=errors)
    if errors:
        raise SurveyError(next(iter(errors)).message, errors=errors)
    return answers


def submit(user: User, course: PublishedCourse, form: MultiDict) -> None:
    """Store one anonymous response and mark the learner as having answered, in one transaction."""
    _check_can_answer(user, course)  # (again inside the transaction, where it counts)
    _store(user, course, parse_answers(questions(course), form))


@write_transaction
def _store(user: User, course: PublishedCourse, answers: dict[int, int | str]) -> None:
    month = pool.current_month()
    pool.take_lock(course.id)  # first, as in every transaction that touches the pool
    _check_can_answer(user, course)
    pool.release_locked(course.id, month)
    _mark(user, course, answered=True)
    pool.add(course.id, {
        "month": month, "organisation_id": user.organisation_id, "org_role": user.org_role,
        "gender": user.gender, "answers": {str(k): v for k, v in answers.items()},
    })


@write_transaction
def decline(user: User, course: PublishedCourse) -> None:
    """The learner does not want to answer; stop inviting them."""
    _check_can_answer(user, course)
    _mark(user, course, answered=False)


def _check_can_answer(user: User, course: PublishedCourse) -> None:
    current = status(user, course)
    if current == NOT_ELIGIBLE:
        raise SurveyError("Du kan svara på utvärderingen när du har klarat alla delar i kursen.", 403)
    if current in (ANSWERED, DECLINED):
        raise SurveyError("Du har redan svarat på eller avböjt utvärderingen. Tack!", 409)


def _mark(user: User, course: PublishedCourse, answered: bool) -> None:
    if not add_unique(SurveyParticipation(user_id=user.id, course_id=course.id, answered=answered)):
        # A second tab got there first; raising rolls back the whole transaction.
        raise SurveyError("Du har redan svarat på eller avböjt utvärderingen. Tack!", 409)
