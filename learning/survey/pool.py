"""The anonymising pool: responses wait here until their month is over, then are released together.

Every transaction that touches a course's pool takes the same lock first (`POOL_LOCK`, then anything
else), so adding and releasing never deadlock and never interleave. Release happens in one place,
`release_due`, which every reader of survey figures calls before it reads (through results._filters
and the survey pages): whoever looks first, every page, export and snapshot sees the same released set.
"""

from __future__ import annotations

import random

from flask import g, has_app_context
from sqlalchemy import select

from learning.extensions import db
from learning.survey.anonymity import NOTHING, Attributes, generalise
from learning.survey.models import SurveyAnswer, SurveyPending, SurveyResponse
from learning.timeutil import stockholm_month
from learning.transactions import lock, write_transaction

POOL_LOCK = "survey_pool"
_shuffle = random.SystemRandom().shuffle


def current_month() -> str:
    """'2026-11' in Stockholm time: the only date a response carries, and what decides its release."""
    return stockholm_month()


def add(course_id: int, payload: dict) -> None:
    """Hold a response with the others of its month; call inside a write transaction, after `take_lock`.

    The waiting rows are rewritten in random order with new random ids on every insert, so neither the
    pool's row order nor its ids show which response came last.
    """
    waiting = list(db.session.scalars(select(SurveyPending).where(SurveyPending.course_id == course_id)))
    payloads = [row.payload for row in waiting] + [payload]
    for row in waiting:
        db.session.delete(row)
    db.session.flush()
    _shuffle(payloads)
    db.session.add_all(SurveyPending(course_id=course_id, month=item["month"], payload=item) for item in payloads)
    db.session.flush()


def take_lock(course_id: int) -> None:
    """The course's pool lock: the first lock of every transaction that adds to or releases its pool."""
    lock(POOL_LOCK, course_id)


def release_due(course_id: int) -> int:
    """Release the course's responses of months that are over (a no-op read when there are none); how many.

    Called by every reader before it reads survey figures; once per request and course.
    """
    done = g.setdefault("survey_released", set()) if has_app_context() else set()
    if course_id in done:
        return 0
    month = current_month()
    due = db.session.scalar(select(SurveyPending.id).where(
        SurveyPending.course_id == course_id, SurveyPending.month < month).limit(1))
    released = _release(course_id, month) if due is not None else 0
    done.add(course_id)
    return released


@write_transaction
def _release(course_id: int, month: str) -> int:
    take_lock(course_id)
    return release_locked(course_id, month)


def release_locked(course_id: int, month: str) -> int:
    """Move the responses of months before `month` into the results, shuffled; the caller holds the lock.

    A month's responses are released together, so their order and the moment they appear say no more
    than the month they already carry, and figures for a finished month do not change later. Each keeps
    only as much of förvaltning, role and gender as at least K of its month's responses share
    (`anonymity.generalise`, decided on the month's whole batch).
    """
    waiting = list(db.session.scalars(select(SurveyPending).where(
        SurveyPending.course_id == course_id, SurveyPending.month < month)))
    if not waiting:
        return 0
    payloads = [row.payload for row in waiting]
    for row in waiting:
        db.session.delete(row)
    db.session.flush()
    _shuffle(payloads)
    stored = _attributes(course_id, payloads)
    db.session.add_all(_response(course_id, item, stored[index]) for index, item in enumerate(payloads))
    db.session.flush()
    return len(payloads)


def _attributes(course_id: int, payloads: list[dict]) -> list[Attributes]:
    """What each payload may keep of who answered, decided per month with the rows already stored for it."""
    months: dict[str, list[int]] = {}
    for index, item in enumerate(payloads):
        months.setdefault(item["month"], []).append(index)
    result: list[Attributes] = [NOTHING] * len(payloads)
    for month, indexes in months.items():
        earlier = [tuple(row) for row in db.session.execute(
            select(SurveyResponse.organisation_id, SurveyResponse.org_role, SurveyResponse.gender)
            .where(SurveyResponse.course_id == course_id, SurveyResponse.month == month))]
        batch = [(payloads[i]["organisation_id"], payloads[i]["org_role"], payloads[i]["gender"]) for i in indexes]
        for index, attributes in zip(indexes, generalise(batch, earlier)):
            result[index] = attributes
    return result


def _response(course_id: int, payload: dict, attributes: Attributes) -> SurveyResponse:
    organisation_id, org_role, gender = attributes
    response = SurveyResponse(course_id=course_id, month=payload["month"], organisation_id=organisation_id,
                              org_role=org_role, gender=gender)
    for item_id, value in payload["answers"].items():
        is_score = isinstance(value, int)
        response.answers.append(SurveyAnswer(item_id=int(item_id), score=value if is_score else None,
                                             text=None if is_score else value))
    return response
