"""Assignment rules and their targets, and the log that makes every reminder go out at most once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.extensions import db
from learning.timeutil import utcnow

# Kinds of target: a whole förvaltning, one unit of a förvaltning, an organisation role (chef, ...).
ORGANISATION, UNIT, ROLE = "organisation", "unit", "role"


class AssignmentRule(db.Model):
    """A course assigned to the people of the staff list that match the rule's targets.

    Who is assigned is not stored: it is read from the staff list each time (services.assignments), so an
    import that adds, moves or removes people changes the assigned set without writing here.
    """

    __tablename__ = "assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    # Everyone in the staff list (coordinators only); otherwise the targets below say who.
    everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    # For the people who match on the day the rule is saved; may be empty when only within_days is given.
    due_on: Mapped[date | None] = mapped_column(Date)
    # For people who join the target later: their due date is this many days after they join.
    within_days: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    targets: Mapped[list[AssignmentTarget]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="AssignmentTarget.id", lazy="selectin")


class AssignmentTarget(db.Model):
    """One part of a rule's target: förvaltningar and units add people, roles narrow them down."""

    __tablename__ = "assignment_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("assignment_rules.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    value: Mapped[str] = mapped_column(String(200), default="")  # the unit's name or the role

    rule: Mapped[AssignmentRule] = relationship(back_populates="targets")


class ReminderLog(db.Model):
    """One reminder or manager digest: claimed (committed) before it is sent, so it is sent at most once.

    key names what the mail is about ("p:<course>:<staff>:<due date>:<stage>" for a reminder,
    "d:<staff>:<date>" for a manager's digest); the unique constraint is what stops a second run.
    """

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    # claimed -> sent | refused | failed; a row left "claimed" means the run stopped between claim and outcome.
    status: Mapped[str] = mapped_column(String(10), default="claimed")
    error: Mapped[str] = mapped_column(Text, default="")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
