"""Staff members from the HR system's list, where they worked when, and hand-entered headcounts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from learning.extensions import db
from learning.timeutil import utcnow


class StaffMember(db.Model):
    """One employee in the staff list, identified by the HR system's employee id."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case, like accounts' addresses: reports match staff to accounts with a plain (indexed) equality.
    email: Mapped[str] = mapped_column(String(254), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The account with this address, if any: set when the list is imported and when an account is created,
    # or by employee id at an SSO sign-in, so reports follow one key instead of comparing addresses.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    @validates("email")
    def _lower_email(self, _key: str, value: str) -> str:
        return value.lower()


class StaffAssignment(db.Model):
    """Where a staff member worked from one date until (not including) another; open-ended if current."""

    __tablename__ = "staff_assignments"
    __table_args__ = (
        # Covering index for headcounts and coverage (who worked where at a date): the reports read it alone,
        # without a table lookup per assignment (bench/README.md, "Report dashboards").
        Index("ix_staff_assignments_org_dates_staff", "organisation_id", "valid_from", "valid_to", "staff_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    unit: Mapped[str] = mapped_column(String(200), default="")
    org_role: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class Headcount(db.Model):
    """A headcount typed in by a coordinator for a förvaltning without a staff list."""

    __tablename__ = "headcounts"
    __table_args__ = (UniqueConstraint("organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    staff: Mapped[int]
    managers: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
