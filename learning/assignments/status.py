"""Who is assigned what, by when, and whether it is done: computed from the staff list at read time.

Nothing about a person's assignment is stored. Each rule's target is a condition on the staff list, so an
import that adds, moves or removes people changes the answer without a write of its own, and a figure
can never disagree with the staff list it is read from:

- a person is assigned while their current place (a staff-list stay valid today, member active) matches;
- their due date is the rule's date if they matched when the rule started, else the day they first
  matched plus `within_days`; "first matched" is their earliest stay that matches, so a mover within the
  target keeps the due date they had (also one already reached);
- a leaver is not in the current staff list: their assignment is gone, never overdue;
- done means a course completion (learn.models.CourseCompletion) that is still valid; with
  `valid_for_months` a completion expires, and its end date is the next due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, false, func, or_, select, true, tuple_
from sqlalchemy.orm import aliased

from learning.assignments.models import ORGANISATION, ROLE, UNIT, AssignmentRule
from learning.content.models import Course
from learning.content.services import published_course
from learning.extensions import db
from learning.renewals.services import completions_by_learner, valid_for_months, valid_until
from learning.staff.models import StaffAssignment, StaffMember
from learning.timeutil import local

DONE, OVERDUE, PENDING = "klar", "forsenad", "ej_forfallen"
STATUS_LABELS = {DONE: "Klar", OVERDUE: "Försenad", PENDING: "Ska vara klar"}


@dataclass(frozen=True)
class Assignment:
    """One person's assignment of one course (the earliest due date if several rules assign it)."""

    rule_id: int
    course_id: int
    staff_id: int
    user_id: int | None
    name: str
    email: str
    organisation_id: int
    unit: str
    org_role: str
    due_on: date
    completed_at: datetime | None  # the completion that counts now, if any
    valid_until: date | None  # when that completion expires (refresher courses)
    status: str
    on_time: bool | None = None  # done: completed by the due date it had (None while not done)


def target_condition(rule: AssignmentRule, stay) -> object:
    """The SQL condition for a staff-list stay (StaffAssignment or an alias) that matches the rule."""
    organisations = [t.organisation_id for t in rule.targets if t.kind == ORGANISATION]
    units = [(t.organisation_id, t.value) for t in rule.targets if t.kind == UNIT]
    roles = [t.value for t in rule.targets if t.kind == ROLE]
    places = []
    if organisations:
        places.append(stay.organisation_id.in_(organisations))
    if units:
        places.append(tuple_(stay.organisation_id, stay.unit).in_(units))
    if rule.everyone or (roles and not places):
        place = true()
    else:
        place = or_(*places) if places else false()
    return and_(place, stay.org_role.in_(roles)) if roles else place


def due_date(rule: AssignmentRule, entered: date) -> date:
    """The due date of someone who first matched the rule's target on `entered`."""
    joined_later = entered > rule.starts_on
    if rule.due_on is not None and (not joined_later or rule.within_days is None):
        return rule.due_on
    start = max(entered, rule.starts_on)
    due = start + timedelta(days=rule.within_days or 0)
    return max(due, rule.due_on) if rule.due_on is not None else due


def matching(rule: AssignmentRule, today: date, *, scope: frozenset[int] | None = None,
             units: Iterable[tuple[int, str]] | None = None, user_id: int | None = None):
    """Rows (staff id, user id, name, e-mail, organisation id, unit, role, first matched) of people the rule assigns."""
    current = aliased(StaffAssignment)
    history = aliased(StaffAssignment)
    entered = (select(history.staff_id, func.min(history.valid_from).label("entered"))
               .where(target_condition(rule, history), history.valid_from <= today)
               .group_by(history.staff_id))
    query = (select(StaffMember.id, StaffMember.user_id, StaffMember.name, StaffMember.email, current.organisation_id,
                    current.unit, current.org_role)
             .join(current, current.staff_id == StaffMember.id)
             .where(StaffMember.active.is_(True), current.valid_from <= today,
                    or_(current.valid_to.is_(None), current.valid_to > today), target_condition(rule, current)))
    if scope is not None:
        query = query.where(current.organisation_id.in_(scope))
    if units is not None:
        query = query.where(tuple_(current.organisation_id, current.unit).in_(list(units) or [(0, "")]))
    if user_id is not None:
        query = query.where(StaffMember.user_id == user_id)
        entered = entered.join(StaffMember, StaffMember.id == history.staff_id).where(StaffMember.user_id == user_id)
    entered = entered.subquery()
    query = query.add_columns(entered.c.entered).join(entered, entered.c.staff_id == StaffMember.id)
    return db.session.execute(query).all()


def course_titles() -> dict[int, tuple[str, str]]:
    """(title, slug) of every course by id."""
    result = {}
    for course_id, slug in db.session.execute(select(Course.id, Course.slug)):
        course = published_course(slug)
        result[course_id] = (course.title if course else slug, slug)
    return result


# Built once: every course page asks it (see learn.views.course).
_LISTED = select(StaffMember.id).where(StaffMember.user_id == bindparam("user_id"), StaffMember.active.is_(True)).limit(1)


def for_learner(user_id: int, today: date) -> list[Assignment]:
    """The courses assigned to this account's person in the staff list, overdue first (none if not listed)."""
    if not db.session.scalar(_LISTED, {"user_id": user_id}):
        return []
    return assignments(today, user_id=user_id)


def learner_context(user_id: int, today: date) -> dict:
    """Template variables for assignments/_mine.html: the learner's assignments and the course titles."""
    assigned = for_learner(user_id, today)
    return {"assigned": assigned, "assigned_titles": course_titles() if assigned else {}}


def active_rules() -> list[AssignmentRule]:
    """The rules in force, oldest first."""
    return list(db.session.scalars(select(AssignmentRule).where(AssignmentRule.active.is_(True))
                                   .order_by(AssignmentRule.id)))


def assignments(today: date, *, rules: list[AssignmentRule] | None = None, scope: frozenset[int] | None = None,
                units: Iterable[tuple[int, str]] | None = None, user_id: int | None = None,
                per_rule: bool = False) -> list[Assignment]:
    """Everyone's current assignments (within a scope, some units or one account), with due date and status.

    One person and course appear once, with the earliest due date, unless per_rule (a rule's own figures).
    """
    rules = active_rules() if rules is None else rules
    units = list(units) if units is not None else None
    found: dict[tuple, tuple[AssignmentRule, tuple, date]] = {}
    for rule in rules:
        for row in matching(rule, today, scope=scope, units=units, user_id=user_id):
            key = (rule.id if per_rule else rule.course_id, row[0])
            due = due_date(rule, row[-1])
            if key not in found or due < found[key][2]:
                found[key] = (rule, row, due)
    course_ids = {rule.course_id for rule in rules}
    user_ids = {row[1] for _, row, _ in found.values() if row[1] is not None}
    completed = completions_by_learner(course_ids, user_ids) if found else {}
    months = {course_id: valid_for_months(course_id) for course_id in course_ids}
    result = []
    for rule, row, due in found.values():
        staff_id, account, name, email, organisation_id, unit, role, _entered = row
        moments = completed.get((rule.course_id, account), []) if account is not None else []
        at = moments[-1] if moments else None
        until = valid_until(at, months[rule.course_id]) if at else None
        on_time = None
        if at is not None and (until is None or until > today):
            # A renewal was due by the day the completion before it ran out (or the rule's date, if later).
            previous = valid_until(moments[-2], months[rule.course_id]) if len(moments) > 1 else None
            on_time = local(at).date() <= max(due, previous or due)
            status, due = DONE, until or due
        else:
            if at is not None:  # expired: due again by the day it ran out (or the rule's date, if later)
                due, at, until = max(due, until), None, None
            status = OVERDUE if due < today else PENDING
        result.append(Assignment(rule.id, rule.course_id, staff_id, account, name, email, organisation_id, unit or "",
                                 role, due, at, until, status, on_time))
    return sorted(result, key=lambda a: (a.status != OVERDUE, a.status == DONE, a.due_on, a.name.casefold()))
