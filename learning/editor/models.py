"""Drafts (one editor's unpublished text of a content file, kept across closed tabs) and uploaded images."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db
from learning.timeutil import utcnow


class Draft(db.Model):
    """The text an editor is working on, and the revision it started from (to detect conflicts)."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("content_file_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    markdown: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Image(db.Model):
    """An uploaded picture, kept in the database so every host serves it; Markdown refers to it by name."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
