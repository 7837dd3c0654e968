"""Frozen council reports: the figures of a period as they were when a coordinator froze them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db
from learning.timeutil import utcnow


class CouncilSnapshot(db.Model):
    """The figures dict of learning.council.figures, stored unchanged; later data does not touch it."""

    __tablename__ = "council_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a snapshot of the programme report (every course, session and group viewing together).
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    period_start: Mapped[str] = mapped_column(String(7))
    period_end: Mapped[str] = mapped_column(String(7))
    figures: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The name as it was: the snapshot says who froze it even if the account is later removed.
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
