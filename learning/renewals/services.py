"""Refresher cycles: how long a completion is valid, when it can be renewed, and what counts towards renewing.

A course with `valid_for_months` in its front matter keeps a completion valid until the same day that
many months later (Stockholm dates). From `RENEWAL_DAYS_BEFORE` days before that day, the learner is in a
new round: each required part counts again once its quiz is passed in the round, and when every one is,
learn.services writes a CourseRenewal (the next cycle), which is valid from its own date. A learner whose
certificate has run out renews the same way; nothing else about them changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import literal, select, union_all

from learning.content.models import Course
from learning.content.services import published_course, still_counts
from learning.extensions import db
from learning.learn.models import CourseCompletion, QuizAttempt
from learning.renewals.models import CourseRenewal
from learning.timeutil import STOCKHOLM, local


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative); the month's last day if it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def valid_until(completed_at: datetime, months: int | None) -> date | None:
    """The first day a completion no longer counts (`months` after it, in Stockholm), or None if never."""
    return add_months(local(completed_at).date(), months) if months else None


def valid_from(day: date, months: int) -> datetime:
    """The earliest moment (UTC) a completion may have happened and still be valid on `day`.

    That is the start of the first Stockholm date c with valid_until(c) > day, so that SQL can test
    `completed_at >= valid_from(day, months)` and agree with `valid_until` on every date, month ends included.
    """
    first = add_months(day, -months)
    while add_months(first, months) > day:
        first -= timedelta(days=1)
    while add_months(first, months) <= day:
        first += timedelta(days=1)
    return round_start(first)


@dataclass(frozen=True)
class Standing:
    """A learner's latest completion of a course (the first one or a renewal) and what it is worth today."""

    record: CourseCompletion | CourseRenewal  # what the certificate shows: name, date, verification code
    cycle: int  # 0 for the first completion, then 1, 2, ... for each renewal
    valid_until: date | None  # None: the course never expires
    renew_from: date | None  # the day a new round opens

    def renewing(self, today: date) -> bool:
        """Whether the learner is in a new round (it opens before the certificate runs out)."""
        return self.renew_from is not None and today >= self.renew_from

    def expired(self, today: date) -> bool:
        """Whether the certificate has run out."""
        return self.valid_until is not None and today >= self.valid_until


def valid_for_months(course_id: int) -> int | None:
    """How long a completion of the course stays valid, from its front matter (None: for ever)."""
    slug = db.session.scalar(select(Course.slug).where(Course.id == course_id))
    course = published_course(slug) if slug else None
    return getattr(course, "valid_for_months", None) if course else None


def renewal_days_before() -> int:
    """How many days before a completion expires the new round opens (never after the first reminder)."""
    config = current_app.config
    return max([int(config.get("RENEWAL_DAYS_BEFORE", 60)), *config.get("REMINDER_DAYS_BEFORE", [])])


def standing(user_id: int, course_id: int, months: int | None) -> Standing | None:
    """The learner's latest completion of the course, or None if they have never completed it."""
    first = db.session.scalar(select(CourseCompletion).filter_by(user_id=user_id, course_id=course_id))
    if first is None:
        return None
    latest = db.session.scalar(select(CourseRenewal).filter_by(user_id=user_id, course_id=course_id)
                               .order_by(CourseRenewal.cycle.desc()).limit(1)) if months else None
    record = latest or first
    until = valid_until(record.completed_at, months)
    opens = until - timedelta(days=renewal_days_before()) if until else None
    return Standing(record, latest.cycle if latest else 0, until, opens)


def round_start(day: date) -> datetime:
    """The moment (UTC) a Stockholm date begins: when a round opening that day starts, or a validity cutoff."""
    return datetime.combine(day, time(), tzinfo=STOCKHOLM).astimezone(timezone.utc)


def passed_since(user_id: int, file_ids: list[int], since: datetime) -> set[int]:
    """The parts whose quiz the learner has passed since a moment, on a revision that still counts."""
    return set(db.session.scalars(
        select(QuizAttempt.content_file_id).distinct()
        .where(QuizAttempt.user_id == user_id, QuizAttempt.content_file_id.in_(file_ids or [0]),
               QuizAttempt.passed.is_(True), QuizAttempt.created_at >= since, still_counts(QuizAttempt))))


def completion_moments(course_ids: set[int]):
    """A subquery of (course_id, user_id, completed_at, completed_month, renewal) over first completions and renewals."""
    return union_all(*(
        select(record.course_id, record.user_id, record.completed_at, record.completed_month,
               literal(kind).label("renewal")).where(record.course_id.in_(course_ids))
        for kind, record in enumerate((CourseCompletion, CourseRenewal)))).subquery()


def completions_by_learner(course_ids: set[int], user_ids: set[int] | None) -> dict[tuple[int, int], list[datetime]]:
    """Every completion moment (first and renewals), oldest first, per (course, account)."""
    moments = completion_moments(course_ids)
    query = select(moments.c.course_id, moments.c.user_id, moments.c.completed_at)
    if user_ids is not None and len(user_ids) <= 900:
        query = query.where(moments.c.user_id.in_(user_ids or {0}))
    found: dict[tuple[int, int], list[datetime]] = {}
    for course_id, user_id, at in db.session.execute(query.order_by(moments.c.completed_at)):
        found.setdefault((course_id, user_id), []).append(at)
    return found
