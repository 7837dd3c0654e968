"""Counting start-page visits: a visitor is recognised within one day only, by a hash with that day's salt.

Nothing that identifies a person is stored: no IP address, no user id, no cookie. A visit is one
row of (day, course, hash of the day's salt, IP and user agent), held in memory for at most a second
and written with the others of that second (buffer.py). When a day is over, its rows are
rolled up into daily counts (visits, unique visitors) and deleted together with that day's salt, so
yesterday's visitors cannot be recognised again by anyone. The roll-up runs at the first visit of a
new day in each app process, and from `flask --app wsgi roll-up-visits` (cron); readers add the rows
not yet rolled up, so a figure is the same before and after the roll-up. A person who visits on two
days counts as a unique visitor on each: the period's figure is the sum of daily unique visitors, and
the report says so.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from learning.extensions import add_unique, db
from learning.periods import Period
from learning.timeutil import local, utcnow
from learning.transactions import append_row, lock, write_transaction
from learning.visits.buffer import buffer_for, flush_current
from learning.visits.models import VisitDay, VisitSalt, VisitSeen

ROLL_UP_LOCK = "visit_roll_up"


def record_visit(course_id: int, ip: str, user_agent: str, now: datetime | None = None) -> None:
    """Count one visit to a course's start page: held in memory, written within a second (buffer.py)."""
    day = local(now or utcnow()).date()
    state = current_app.extensions.setdefault("visits", {"salts": {}, "rolled_up": None})
    if state["rolled_up"] != day:
        roll_up(day)
        state["rolled_up"] = day
    salt = state["salts"].get(day) or _salt(day)
    state["salts"] = {day: salt}  # only today's salt is kept in memory, too
    digest = hashlib.sha256(f"{salt}\x1f{ip}\x1f{user_agent[:500]}".encode()).hexdigest()
    _insert(day, course_id, digest)


_INSERT = insert(VisitSeen).values(day=bindparam("day"), course_id=bindparam("course_id"), digest=bindparam("digest"))


def _insert(day: date, course_id: int, digest: str) -> None:
    row = {"day": day, "course_id": course_id, "digest": digest}
    held = buffer_for(_INSERT)
    if held is None:
        append_row(_INSERT, row)
    else:
        held.add(row)


@write_transaction
def _salt(day: date) -> str:
    add_unique(VisitSalt(day=day, salt=secrets.token_hex(32)))
    return db.session.scalar(select(VisitSalt.salt).where(VisitSalt.day == day))


def record_visit_safely(course_id: int, ip: str, user_agent: str) -> None:
    """record_visit, but a failure to count never stops a learner from seeing the start page."""
    try:
        record_visit(course_id, ip, user_agent)
    except (SQLAlchemyError, RuntimeError):
        db.session.rollback()
        current_app.logger.exception("Could not count a start-page visit")


def roll_up(today: date) -> int:
    """Turn the visits of days before today into daily counts, and delete their hashes and salts; how many days."""
    flush_current()  # first: the buffer writes on a connection of its own, which the transaction below would block
    return _roll_up(today)


@write_transaction
def _roll_up(today: date) -> int:
    lock(ROLL_UP_LOCK, 0)  # two processes at midnight must not both add the same rows
    rows = db.session.execute(
        select(VisitSeen.day, VisitSeen.course_id, func.count(VisitSeen.id), func.count(func.distinct(VisitSeen.digest)))
        .where(VisitSeen.day < today).group_by(VisitSeen.day, VisitSeen.course_id)).all()
    for day, course_id, visits, unique in rows:
        if not add_unique(VisitDay(day=day, course_id=course_id, visits=visits, unique_visitors=unique)):
            db.session.execute(update(VisitDay).where(VisitDay.day == day, VisitDay.course_id == course_id).values(
                visits=VisitDay.visits + visits, unique_visitors=VisitDay.unique_visitors + unique))
    db.session.execute(delete(VisitSeen).where(VisitSeen.day < today))
    db.session.execute(delete(VisitSalt).where(VisitSalt.day < today))
    return len(rows)


def totals(course_id: int, period: Period) -> tuple[int, int]:
    """(visits, sum of daily unique visitors) in the period, rolled-up days and the rest alike."""
    flush_current()
    days = VisitDay.day.between(period.first_day(), period.last_day())
    visits, unique = db.session.execute(
        select(func.coalesce(func.sum(VisitDay.visits), 0), func.coalesce(func.sum(VisitDay.unique_visitors), 0))
        .where(VisitDay.course_id == course_id, days)).one()
    per_day = (select(func.count(VisitSeen.id).label("visits"),
                      func.count(func.distinct(VisitSeen.digest)).label("unique_visitors"))
               .where(VisitSeen.course_id == course_id, VisitSeen.day.between(period.first_day(), period.last_day()))
               .group_by(VisitSeen.day).subquery())
    live_visits, live_unique = db.session.execute(
        select(func.coalesce(func.sum(per_day.c.visits), 0), func.coalesce(func.sum(per_day.c.unique_visitors), 0))
    ).one()
    return int(visits) + int(live_visits), int(unique) + int(live_unique)
