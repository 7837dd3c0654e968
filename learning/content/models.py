"""Courses, their Markdown files, and every published revision of each file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db
from learning.timeutil import utcnow


class Course(db.Model):
    """A course, identified by the name of its folder under courses/."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContentFile(db.Model):
    """One Markdown file of a course: course.md or a part. Progress points at this identity."""

    __tablename__ = "content_files"
    __table_args__ = (UniqueConstraint("course_id", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    filename: Mapped[str] = mapped_column(String(100))
    # The file's hash on disk at the last import: an unchanged file never overrides what was
    # published since (in the browser), while a changed one, even back to old text, always does.
    imported_hash: Mapped[str | None] = mapped_column(String(64))


class Revision(db.Model):
    """A published version of a file; the newest number is what learners see."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("content_file_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"))
    number: Mapped[int]
    markdown: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when an editor changed the quiz and chose that earlier passes no longer count.
    retake_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
