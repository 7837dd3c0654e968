"""Live sessions (tillfällen) and who attended them: named attendees, counts per förvaltning, unmatched rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import db
from learning.timeutil import utcnow

KINDS = {"grundutbildning": "Grundutbildning", "workshop": "Workshop", "fordjupning": "Fördjupning"}
MODES = {"digital": "Digitalt", "pa_plats": "På plats"}


class LiveSession(db.Model):
    """One scheduled session, digital or on site."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # The course the session counts for in that course's council report; None: only in the programme report.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    organiser: Mapped[str] = mapped_column(String(200))
    # Organisation ids the session was aimed at; informational, not used to count anyone.
    targets: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionAttendee(db.Model):
    """A named person who attended; counted once per session by their e-mail address (or name without one)."""

    __tablename__ = "session_attendees"
    __table_args__ = (UniqueConstraint("session_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    person_key: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # 'matchad' (found among accounts or staff) or 'manuell' (a coordinator placed an unmatched row).
    source: Mapped[str] = mapped_column(String(20))


class SessionCount(db.Model):
    """Attendance given as a number of people from one förvaltning, without names."""

    __tablename__ = "session_counts"
    __table_args__ = (UniqueConstraint("session_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    attendees: Mapped[int] = mapped_column(Integer)


class UnmatchedRow(db.Model):
    """A row of an attendance file that matched nobody; waits for the coordinator to place or dismiss it."""

    __tablename__ = "session_unmatched"
    __table_args__ = (UniqueConstraint("session_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    person_key: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    joined: Mapped[str] = mapped_column(String(40), default="")
    # 'väntar' until resolved; 'avvisad' when the coordinator says it was no participant (kept, so a re-import
    # does not bring it back).
    status: Mapped[str] = mapped_column(String(20), default="väntar")
