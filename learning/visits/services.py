"""Counting start-page visits: a visitor is recognised within one day only, by a hash with that day's salt.

Nothing that identifies a person is stored: no IP address, no user id, no cookie. The hash of
(salt, IP, user agent) is kept only for the day it was made; the salt and the hashes of earlier
days are deleted at the next visit, so yesterday's visitors cannot be recognised again by anyone.
A person who visits on two days counts as a unique visitor on each: the period's figure is the sum
of daily unique visitors, and the report says so.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from learning.extensions import add_unique, db
from learning.periods import Period
from learning.timeutil import local, utcnow
from learning.visits.models import VisitDay, VisitSalt, VisitSeen


def _salt(day: date) -> str:
    add_unique(VisitSalt(day=day, salt=secrets.token_hex(32)))
    return db.session.scalar(select(VisitSalt.salt).where(VisitSalt.day == day))


def record_visit(course_id: int, ip: str, user_agent: str, now: datetime | None = None) -> None:
    """Count one visit to a course's start page, and a unique visitor if this hash is new today."""
    day = local(now or utcnow()).date()
    db.session.execute(VisitSeen.__table__.delete().where(VisitSeen.day < day))
    db.session.execute(VisitSalt.__table__.delete().where(VisitSalt.day < day))
    salt = _salt(day)
    digest = hashlib.sha256(f"{salt}\x1f{ip}\x1f{user_agent[:500]}".encode()).hexdigest()
    new = add_unique(VisitSeen(day=day, course_id=course_id, digest=digest))
    add_unique(VisitDay(day=day, course_id=course_id, visits=0, unique_visitors=0))
    db.session.execute(update(VisitDay).where(VisitDay.day == day, VisitDay.course_id == course_id).values(
        visits=VisitDay.visits + 1, unique_visitors=VisitDay.unique_visitors + (1 if new else 0)))
    db.session.commit()


def record_visit_safely(course_id: int, ip: str, user_agent: str) -> None:
    """record_visit, but a failure to count never stops a learner from seeing the start page."""
    try:
        record_visit(course_id, ip, user_agent)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Could not count a start-page visit")


def totals(course_id: int, period: Period) -> tuple[int, int]:
    """(visits, sum of daily unique visitors) in the period."""
    visits, unique = db.session.execute(
        select(func.coalesce(func.sum(VisitDay.visits), 0), func.coalesce(func.sum(VisitDay.unique_visitors), 0))
        .where(VisitDay.course_id == course_id, VisitDay.day.between(period.first_day(), period.last_day()))).one()
    return int(visits), int(unique)
