"""Answering the survey: validation, one answer per learner, and the anonymising release pool."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from learning.accounts.models import User
from learning.content.services import PublishedCourse
from learning.content.survey_items import SCALE
from learning.extensions import add_unique, db, get_or_create
from learning.learn.services import course_completion
from learning.survey.models import (
    SurveyAnswer, SurveyItem, SurveyParticipation, SurveyPending, SurveyResponse,
)
from learning.timeutil import stockholm_month

MAX_TEXT = 5000
NOT_ELIGIBLE, INVITED, ANSWERED, DECLINED = "not_eligible", "invited", "answered", "declined"
_shuffle = random.SystemRandom().shuffle


class SurveyError(ValueError):
    """A survey submission that cannot be stored; the message is for the learner."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Question:
    """A current survey item with its database id."""

    id: int
    kind: str
    text: str
    low: str
    high: str


def current_month() -> str:
    """'2026-11' in Stockholm time: the only date a response carries."""
    return stockholm_month()


def status(user: User, course: PublishedCourse) -> str:
    """Whether this learner is invited to the course's survey, or has answered or declined."""
    row = db.session.scalar(select(SurveyParticipation.answered).filter_by(user_id=user.id, course_id=course.id))
    if row is not None:
        return ANSWERED if row else DECLINED
    return INVITED if course_completion(user.id, course.id) else NOT_ELIGIBLE


def questions(course: PublishedCourse) -> list[Question]:
    """The course's current survey items, created in the database the first time they are used."""
    result = []
    for item in course.survey:
        keys = dict(course_id=course.id, kind=item.kind, key=item.key, text=item.text, low=item.low, high=item.high)
        row = get_or_create(SurveyItem, **keys)
        result.append(Question(row.id, row.kind, row.text, row.low, row.high))
    db.session.commit()
    return result


def parse_answers(items: list[Question], form: MultiDict) -> dict[int, int | str]:
    """Scores and texts from the form; every scale item is required, texts are optional."""
    answers: dict[int, int | str] = {}
    missing = []
    for number, item in enumerate(items, start=1):
        raw = (form.get(f"item-{item.id}") or "").strip()
        if item.kind == SCALE:
            if not raw:
                missing.append(str(number))
            elif raw not in {"1", "2", "3", "4", "5"}:
                raise SurveyError(f"Fråga {number}: välj ett värde från 1 till 5.")
            else:
                answers[item.id] = int(raw)
        elif len(raw := raw.replace("\r\n", "\n")) > MAX_TEXT:  # browsers count a line break as one
            raise SurveyError(f"Fråga {number}: svaret är {len(raw)} tecken långt; högst {MAX_TEXT} tecken får plats.")
        elif raw:
            answers[item.id] = raw
    if missing:
        raise SurveyError(f"Svara på frågorna med skala 1–5 innan du skickar. Obesvarade: {', '.join(missing)}.")
    return answers


def submit(user: User, course: PublishedCourse, form: MultiDict) -> None:
    """Store one anonymous response and mark the learner as having answered, in one transaction."""
    _check_can_answer(user, course)
    answers = parse_answers(questions(course), form)
    release_finished_months(course.id)
    _mark(user, course, answered=True)
    payload = {
        "month": current_month(), "organisation_id": user.organisation_id, "org_role": user.org_role,
        "gender": user.gender, "answers": {str(k): v for k, v in answers.items()},
    }
    _add_to_pool(course.id, payload)
    db.session.commit()


def decline(user: User, course: PublishedCourse) -> None:
    """The learner does not want to answer; stop inviting them."""
    _check_can_answer(user, course)
    _mark(user, course, answered=False)
    db.session.commit()


def _check_can_answer(user: User, course: PublishedCourse) -> None:
    current = status(user, course)
    if current == NOT_ELIGIBLE:
        raise SurveyError("Du kan svara på utvärderingen när du har klarat alla delar i kursen.", 403)
    if current in (ANSWERED, DECLINED):
        raise SurveyError("Du har redan svarat på eller avböjt utvärderingen. Tack!", 409)


def _mark(user: User, course: PublishedCourse, answered: bool) -> None:
    if not add_unique(SurveyParticipation(user_id=user.id, course_id=course.id, answered=answered)):
        db.session.rollback()  # a second tab got there first
        raise SurveyError("Du har redan svarat på eller avböjt utvärderingen. Tack!", 409)


def _add_to_pool(course_id: int, payload: dict) -> None:
    """Hold the response with the others of this month until the month is over.

    The waiting rows are rewritten in random order with new random ids on every insert, so not even
    the pool's row order shows which response came last.
    """
    waiting = list(db.session.scalars(
        select(SurveyPending).where(SurveyPending.course_id == course_id).with_for_update()))
    payloads = [row.payload for row in waiting] + [payload]
    for row in waiting:
        db.session.delete(row)
    db.session.flush()
    _shuffle(payloads)
    db.session.add_all(SurveyPending(course_id=course_id, payload=item) for item in payloads)
    db.session.flush()


def release_finished_months(course_id: int) -> int:
    """Move the responses of months that are over into the results, shuffled; returns how many.

    A month's responses are released together, so their order and the moment they appear say no
    more than the month they already carry, and figures for a finished month do not change later.
    """
    month = current_month()
    waiting = [row for row in db.session.scalars(
        select(SurveyPending).where(SurveyPending.course_id == course_id).with_for_update())
        if row.payload["month"] < month]
    if not waiting:
        return 0
    payloads = [row.payload for row in waiting]
    for row in waiting:
        db.session.delete(row)
    db.session.flush()
    _shuffle(payloads)
    db.session.add_all(_response(course_id, item) for item in payloads)
    db.session.commit()
    return len(payloads)


def _response(course_id: int, payload: dict) -> SurveyResponse:
    response = SurveyResponse(course_id=course_id, month=payload["month"], organisation_id=payload["organisation_id"],
                              org_role=payload["org_role"], gender=payload["gender"])
    for item_id, value in payload["answers"].items():
        is_score = isinstance(value, int)
        response.answers.append(SurveyAnswer(item_id=int(item_id), score=value if is_score else None,
                                             text=None if is_score else value))
    return response

