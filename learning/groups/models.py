"""Group viewings registered by a learner: how many others took part, from which förvaltningar."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.extensions import db
from learning.timeutil import utcnow


class GroupViewing(db.Model):
    """Colleagues who took the course together with the registrant; the registrant counts on their own account."""

    __tablename__ = "group_viewings"
    # One group per registrant, course and day: a double-clicked form cannot count a group twice.
    __table_args__ = (UniqueConstraint("user_id", "course_id", "viewed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    viewed_on: Mapped[date] = mapped_column(Date, index=True)
    # Optional: how many of the others are women and men; the rest is reported as unknown.
    women: Mapped[int | None] = mapped_column(Integer)
    men: Mapped[int | None] = mapped_column(Integer)
    # Optional, seen only by the registrant: never shown in reports.
    names: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    counts: Mapped[list[GroupViewingCount]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                           order_by="GroupViewingCount.organisation_id")

    @property
    def others(self) -> int:
        """How many took part besides the registrant."""
        return sum(c.people for c in self.counts)


class GroupViewingCount(db.Model):
    """How many of the others came from one förvaltning."""

    __tablename__ = "group_viewing_counts"
    __table_args__ = (UniqueConstraint("group_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group_viewings.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    people: Mapped[int] = mapped_column(Integer)
