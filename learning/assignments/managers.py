"""A manager's own view: the chef of a unit in the staff list sees that unit's people and their assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from learning.accounts.models import ORG_ROLES, Organisation
from learning.assignments.status import OVERDUE, Assignment, assignments
from learning.extensions import db
from learning.staff.models import StaffAssignment, StaffMember


@dataclass(frozen=True)
class Unit:
    """A unit a manager leads."""

    organisation_id: int
    organisation_code: str
    organisation_name: str
    name: str


@dataclass(frozen=True)
class Colleague:
    """One person of the unit with their assignments (overdue first)."""

    name: str
    org_role: str
    assignments: list[Assignment]


def _current(today: date):
    return (StaffMember.active.is_(True), StaffAssignment.valid_from <= today,
            or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > today))


def managed_units(user_id: int, today: date) -> list[Unit]:
    """The units where this account's person is chef in today's staff list (none for everyone else)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.code, Organisation.name, StaffAssignment.unit)
        .select_from(StaffMember)
        .join(StaffAssignment, StaffAssignment.staff_id == StaffMember.id)
        .join(Organisation, Organisation.id == StaffAssignment.organisation_id)
        .where(StaffMember.user_id == user_id, StaffAssignment.org_role == "chef", StaffAssignment.unit != "",
               *_current(today))
        .order_by(Organisation.name, StaffAssignment.unit)
    ).all()
    return [Unit(*row) for row in rows]


def managed_unit(user_id: int, organisation_code: str, unit: str, today: date) -> Unit | None:
    """The unit, if this account's person leads it today; None otherwise (the caller answers 403)."""
    return next((u for u in managed_units(user_id, today)
                 if u.organisation_code == organisation_code and u.name == unit), None)


def unit_people(unit: Unit, today: date) -> list[Colleague]:
    """Everyone in the unit today, each with their assigned courses; people with overdue items first."""
    staff = db.session.execute(
        select(StaffMember.id, StaffMember.name, StaffAssignment.org_role)
        .join(StaffAssignment, StaffAssignment.staff_id == StaffMember.id)
        .where(StaffAssignment.organisation_id == unit.organisation_id, StaffAssignment.unit == unit.name,
               *_current(today))
    ).all()
    assigned: dict[int, list[Assignment]] = {}
    for item in assignments(today, units=[(unit.organisation_id, unit.name)]):
        assigned.setdefault(item.staff_id, []).append(item)
    people = [Colleague(name, ORG_ROLES.get(role, role), assigned.get(staff_id, [])) for staff_id, name, role in staff]
    return sorted(people, key=lambda p: (not any(a.status == OVERDUE for a in p.assignments), p.name.casefold()))
