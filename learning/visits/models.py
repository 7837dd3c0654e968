"""Daily visit counts, and the day's salt and visitor hashes that are thrown away when the day is over."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db


class VisitSalt(db.Model):
    """The random salt of one day, in the database so that every app process hashes alike; deleted the day after."""

    __tablename__ = "visit_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class VisitSeen(db.Model):
    """A visitor seen today: a hash of (the day's salt, IP address, user agent) and nothing else; deleted next day."""

    __tablename__ = "visit_seen"
    __table_args__ = (UniqueConstraint("day", "course_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))


class VisitDay(db.Model):
    """Visits and unique visitors to a course's start page on one day (Stockholm time); kept for reports."""

    __tablename__ = "visit_days"
    __table_args__ = (UniqueConstraint("day", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    visits: Mapped[int] = mapped_column(Integer, default=0)
    unique_visitors: Mapped[int] = mapped_column(Integer, default=0)
