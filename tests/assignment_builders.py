"""Builders for assigned-training tests: a hand-built staff list, rules, completions at known dates."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from learning.assignments import rules
from learning.assignments.status import assignments
from learning.content.services import published_course
from learning.extensions import db
from learning.learn.models import CourseCompletion
from learning.staff import services as staff
from learning.staff.models import StaffMember

HEADER = "anstallningsnummer,namn,epost,forvaltning,enhet,roll"


def row(number: str, org: str = "fsk", unit: str = "Förskola Norr", role: str = "medarbetare") -> str:
    """One line of the staff list: person <number>, p<number>@malmo.se."""
    return f"{number},Person {number},p{number}@malmo.se,{org},{unit},{role}"


def import_list(rows: list[str], on: date) -> None:
    """Import the staff list as HR would upload it, effective on the date (inside an app context)."""
    staff.import_staff(("\r\n".join([HEADER, *rows]) + "\r\n").encode(), on)


def add_rule(on: date, *, organisations=(), units=(), roles=(), everyone=False, due_on=None, within_days=None,
             course: str = "grundkurs"):
    """A rule saved by a coordinator on the date."""
    rule, _ = rules.create(rules.RuleInput(course, everyone, list(organisations), list(units), list(roles), due_on,
                                           within_days), None, None, on)
    return rule


def complete(number: str, at: datetime | None = None, course: str = "grundkurs") -> None:
    """Person <number> (who must have an account) completed the course at the moment."""
    member = db.session.scalar(select(StaffMember).filter_by(employee_id=number))
    db.session.add(CourseCompletion(user_id=member.user_id, course_id=published_course(course).id,
                                    organisation_id=None, org_role="medarbetare", name=member.name,
                                    verification_code=f"TEST-{number}", completed_at=at or datetime(
                                        2026, 1, 20, 12, tzinfo=timezone.utc)))
    db.session.commit()


def status_by_person(today: date) -> dict[str, tuple[date, str]]:
    """{'Person 1': (due date, status)} for everyone assigned today."""
    return {a.name: (a.due_on, a.status) for a in assignments(today)}
