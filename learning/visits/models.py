"""Daily visit counts, and the day's salt and visitor hashes that are thrown away when the day is over."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db


class VisitSalt(db.Model):
    """The random salt of one day, in the database so that every app process hashes alike; deleted the day after."""

    __tablename__ = "visit_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class VisitSeen(db.Model):
    """One visit today: a hash of (the day's salt, IP address, user agent) and nothing else.

    One insert per visit and no other write, so the start page stays fast and exact under many
    simultaneous views. When the day is over its rows are rolled up into VisitDay and deleted.
    """

    __tablename__ = "visit_seen"
    __table_args__ = (Index("ix_visit_seen_course_day", "course_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))


class VisitDay(db.Model):
    """Visits and unique visitors to a course's start page on a finished day (Stockholm time); kept for reports."""

    __tablename__ = "visit_days"
    __table_args__ = (UniqueConstraint("day", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    visits: Mapped[int] = mapped_column(Integer, default=0)
    unique_visitors: Mapped[int] = mapped_column(Integer, default=0)
