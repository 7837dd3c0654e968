"""A learner's progress: parts opened, quiz attempts, passed parts and completed courses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db
from learning.timeutil import completed_month_default, utcnow


class PartView(db.Model):
    """The first time a learner opened a part; makes the part 'in progress'."""

    __tablename__ = "part_views"
    __table_args__ = (UniqueConstraint("user_id", "content_file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"))
    first_viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CourseStart(db.Model):
    """The first time a learner opened any part of a course: "påbörjad" in the reports, once per learner.

    Derivable from part_views, but kept as one row per learner and course so that counting who has
    started reads one row per person instead of one per part opened (bench/README.md).
    """

    __tablename__ = "course_starts"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_course_starts_course_started_user", "course_id", "started_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuizAttempt(db.Model):
    """One submitted quiz, with the answers chosen and the revision they were graded against."""

    __tablename__ = "quiz_attempts"
    # The token comes from the rendered form: a double click or a resubmitted page reuses it.
    __table_args__ = (
        UniqueConstraint("user_id", "token"),
        Index("ix_quiz_attempts_user_file", "user_id", "content_file_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    token: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict] = mapped_column(JSON)
    # The drawn questions and option order the learner saw (learn/layout.py); None for older attempts.
    layout: Mapped[dict | None] = mapped_column(JSON)
    correct_count: Mapped[int]
    question_count: Mapped[int]
    score: Mapped[int]
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PartCompletion(db.Model):
    """A learner passed a part; exactly once per learner and part."""

    __tablename__ = "part_completions"
    __table_args__ = (
        UniqueConstraint("user_id", "content_file_id"),
        # Covering index for passes per part before a date (reports), without a table lookup per pass.
        Index("ix_part_completions_file_completed_user", "content_file_id", "completed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CourseCompletion(db.Model):
    """A learner passed every required part; carries the certificate's verification code."""

    __tablename__ = "course_completions"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        # Covering index for the dashboards: completions of a course in a range of months, counted by
        # förvaltning, role, month and (through user_id) gender, read from the index alone.
        Index("ix_course_completions_course_month_org", "course_id", "completed_month", "organisation_id",
              "org_role", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    # Where the learner belonged when they completed: reports count them there.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    org_role: Mapped[str] = mapped_column(String(20))
    # The name as it was when the certificate was issued: renaming the account later changes nothing.
    name: Mapped[str] = mapped_column(String(200))
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # 'YYYY-MM' in Stockholm time, so monthly reports group the same way on every database.
    completed_month: Mapped[str] = mapped_column(String(7), default=completed_month_default)


class QuizAnswer(db.Model):
    """Whether one question of one attempt was answered right: lets quiz analysis be a SQL aggregate."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(20), index=True)
    correct: Mapped[bool] = mapped_column(Boolean)
