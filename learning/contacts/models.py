"""One stored contact text: a key's value for the whole organisation or for one förvaltning."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db
from learning.timeutil import utcnow

EVERYWHERE = "*"  # the scope of a value that holds for every förvaltning without one of its own


class ContactValue(db.Model):
    """What learners see for {{kontakt:key}}: scope is EVERYWHERE or a förvaltning's code."""

    __tablename__ = "contact_values"
    __table_args__ = (UniqueConstraint("key", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    scope: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
