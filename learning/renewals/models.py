"""A renewal of a course completion: a later round of the course that makes the certificate valid again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db
from learning.timeutil import completed_month_default, utcnow


class CourseRenewal(db.Model):
    """The learner passed every required part again in round `cycle` (1, 2, ...) of a refresher course.

    The first completion stays in course_completions ("klar någon gång" counts it once); a renewal
    only moves the date the certificate is valid from, and carries the renewed certificate's code.
    (user, course, cycle) is unique: two tabs finishing the same round write one renewal.
    """

    __tablename__ = "course_renewals"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "cycle"),
        Index("ix_course_renewals_course_completed_user", "course_id", "completed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    cycle: Mapped[int]
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    org_role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_month: Mapped[str] = mapped_column(String(7), default=completed_month_default)
