"""Who has and has not finished: named people for HR within their scope, every look written to a log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, or_, select

from learning.accounts.models import ORG_ROLES, Organisation, User
from learning.content.services import PublishedCourse
from learning.extensions import db
from learning.learn.models import CourseCompletion, PartCompletion, PartView
from learning.learn.services import COMPLETION_COUNTS
from learning.reports.models import AccessLog
from learning.staff.models import StaffAssignment, StaffMember
from learning.timeutil import format_date
from learning.transactions import write_transaction

STATUSES = {"klar": "Klar", "paborjad": "Påbörjad", "ej_paborjad": "Inte påbörjad", "inget_konto": "Inget konto"}
PART_STATES = {"passed": "Godkänd", "voided": "Måste göra om (testet ändrades)", "": ""}


@dataclass(frozen=True)
class Person:
    """One employee or account, with their status in the course."""

    name: str
    email: str
    organisation: str
    unit: str
    org_role: str
    status: str
    passed_parts: frozenset[int] = field(default_factory=frozenset)
    completed_at: datetime | None = None
    # Parts passed before an editor published a changed quiz that must be retaken: not passed, to be redone.
    voided_parts: frozenset[int] = field(default_factory=frozenset)


def people(course: PublishedCourse, scope: frozenset[int] | None, today: date,
           unit: str = "", status: str = "") -> list[Person]:
    """Everyone in the scope: the staff list where there is one, and accounts that are not on it."""
    in_scope = (lambda column: column.in_(scope)) if scope is not None else (lambda column: True)
    valid = and_(StaffAssignment.valid_from <= today,
                 or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > today))
    completion = and_(CourseCompletion.user_id == User.id, CourseCompletion.course_id == course.id)
    staff_rows = db.session.execute(
        select(StaffMember.name, StaffMember.email, Organisation.name, StaffAssignment.unit, StaffAssignment.org_role,
               User.id, CourseCompletion.completed_at)
        .join(StaffAssignment, StaffAssignment.staff_id == StaffMember.id)
        .join(Organisation, Organisation.id == StaffAssignment.organisation_id)
        .outerjoin(User, User.id == StaffMember.user_id)
        .outerjoin(CourseCompletion, completion)
        .where(valid, StaffMember.active.is_(True), in_scope(StaffAssignment.organisation_id))
    ).all()
    listed = exists().where(StaffMember.user_id == User.id, StaffMember.active.is_(True))
    account_rows = db.session.execute(
        select(User.name, User.email, Organisation.name, User.org_role, User.id, CourseCompletion.completed_at)
        .join(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(CourseCompletion, completion)
        .where(in_scope(User.organisation_id), ~listed, User.disabled.is_(False))
    ).all()
    rows = [(n, e, o, u or "", r, uid, c) for n, e, o, u, r, uid, c in staff_rows]
    rows += [(n, e, o, "", r, uid, c) for n, e, o, r, uid, c in account_rows]
    user_ids = [r[5] for r in rows if r[5] is not None]
    passed, voided, started = _progress(course, user_ids)
    result = []
    for name, email, organisation, unit_name, role, user_id, completed_at in rows:
        if user_id is None:
            state = "inget_konto"
        elif completed_at is not None:
            state = "klar"
        else:
            state = "paborjad" if user_id in started else "ej_paborjad"
        if (unit and unit_name != unit) or (status and state != status):
            continue
        result.append(Person(name, email.lower(), organisation, unit_name, ORG_ROLES.get(role, role), state,
                             frozenset(passed.get(user_id, ())), completed_at, frozenset(voided.get(user_id, ()))))
    return sorted(result, key=lambda p: (p.organisation, p.unit, p.name.lower()))


def _progress(course: PublishedCourse, user_ids: list[int]) -> tuple[dict[int, set[int]], dict[int, set[int]], set[int]]:
    """(parts passed, parts whose pass is voided) per learner, and the learners who have started."""
    file_ids = [p.file_id for p in course.parts]
    passed: dict[int, set[int]] = {}
    voided: dict[int, set[int]] = {}
    started: set[int] = set()
    for start in range(0, len(user_ids), 900):  # stays under every database's parameter limit
        chunk = user_ids[start:start + 900]
        for user_id, file_id, counts in db.session.execute(
                select(PartCompletion.user_id, PartCompletion.content_file_id, COMPLETION_COUNTS)
                .where(PartCompletion.user_id.in_(chunk), PartCompletion.content_file_id.in_(file_ids))):
            # a pass an editor has since made void must be retaken
            (passed if counts else voided).setdefault(user_id, set()).add(file_id)
        started.update(db.session.scalars(
            select(PartView.user_id).where(PartView.user_id.in_(chunk), PartView.content_file_id.in_(file_ids))))
    return passed, voided, started | set(passed) | set(voided)


def part_state(person: Person, file_id: int) -> str:
    """A person's state in one part: "passed", "voided" (passed, but the quiz changed and must be retaken) or ""."""
    return "passed" if file_id in person.passed_parts else "voided" if file_id in person.voided_parts else ""


def voided_counts(course: PublishedCourse, persons: list[Person]) -> list[tuple[str, int]]:
    """(part title, how many of these people's passes are voided) for every required part."""
    return [(part.doc.title, sum(part.file_id in p.voided_parts for p in persons)) for part in course.required_parts]


def units(scope: frozenset[int] | None, today: date) -> list[str]:
    """The units in the staff list within the scope, for the filter."""
    query = (select(StaffAssignment.unit).distinct()
             .where(StaffAssignment.valid_from <= today, StaffAssignment.unit != "",
                    or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > today)))
    if scope is not None:
        query = query.where(StaffAssignment.organisation_id.in_(scope))
    return sorted(db.session.scalars(query))


def table(course: PublishedCourse, persons: list[Person]) -> tuple[list[str], list[list]]:
    """The list for CSV/XLSX."""
    parts = course.required_parts
    header = ["Namn", "E-post", "Förvaltning", "Enhet", "Roll", "Status", *[p.doc.title for p in parts], "Klar datum"]
    rows = [[p.name, p.email, p.organisation, p.unit, p.org_role, STATUSES[p.status],
             *[PART_STATES[part_state(p, part.file_id)] for part in parts],
             format_date(p.completed_at)] for p in persons]
    return header, rows


@write_transaction
def log_access(user_id: int, action: str, what: str) -> None:
    """Write one look at personal data to the access log."""
    db.session.add(AccessLog(user_id=user_id, action=action, what=what[:500]))


def access_log(limit: int = 500) -> list[tuple[AccessLog, str | None]]:
    """The newest entries with the name of who looked."""
    return list(db.session.execute(
        select(AccessLog, User.name).outerjoin(User, User.id == AccessLog.user_id)
        .order_by(AccessLog.created_at.desc(), AccessLog.id.desc()).limit(limit)).all())
