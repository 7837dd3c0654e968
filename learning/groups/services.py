"""Registering, correcting and withdrawing a group viewing; only the registrant can see or change it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from learning.accounts.models import Organisation
from learning.extensions import add_unique, db
from learning.groups.models import GroupViewing, GroupViewingCount
from learning.learn.models import CourseStart
from learning.transactions import lock, write_transaction

MAX_OTHERS = 50
MAX_AGE_DAYS = 366  # older viewings are for the coordinator to register as a session
TOO_MANY = (f"En gruppvisning kan registreras för högst {MAX_OTHERS} andra deltagare. Var ni fler, registrera "
            "flera grupper, eller be samordnaren registrera ert tillfälle.")


class GroupError(ValueError):
    """A group registration that cannot be saved; the message is for the learner, tied to a field."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class GroupData:
    """What the learner typed: people per förvaltning code, optional gender counts and names."""

    viewed_on: date
    per_organisation: dict[str, int]
    women: int | None
    men: int | None
    names: str


def check(data: GroupData, today: date) -> None:
    """Refuse impossible groups with a message: none, negative, over the cap, more women and men than people."""
    if data.viewed_on > today:
        raise GroupError("Datumet är i framtiden. Registrera gruppen när ni har gått kursen.", "viewed_on")
    if data.viewed_on < today - timedelta(days=MAX_AGE_DAYS):
        raise GroupError("Datumet ligger mer än ett år bakåt. Be samordnaren registrera så gamla tillfällen.",
                         "viewed_on")
    if any(n < 0 for n in data.per_organisation.values()):
        raise GroupError("Antalet kan inte vara negativt.", "others")
    others = sum(data.per_organisation.values())
    if others == 0:
        raise GroupError("Skriv hur många andra som deltog, i minst en förvaltning.", "others")
    if others > MAX_OTHERS:
        raise GroupError(TOO_MANY, "others")
    if any(n is not None and n < 0 for n in (data.women, data.men)):
        raise GroupError("Antalet kan inte vara negativt.", "women")
    if (data.women or 0) + (data.men or 0) > others:
        raise GroupError(f"Antalet kvinnor och män är tillsammans fler än de {others} som deltog.", "women")


@write_transaction
def save(user_id: int, course_id: int, data: GroupData, today: date, group_id: int | None = None) -> GroupViewing:
    """Create or correct a group viewing in one transaction."""
    check(data, today)
    lock("group-viewings", user_id)  # a double click, or two tabs: one change after the other
    if not db.session.scalar(select(CourseStart.id).filter_by(user_id=user_id, course_id=course_id)):
        raise GroupError("Öppna kursen först: gruppen registreras av den som visade kursen för de andra.", "others")
    group = own(user_id, course_id, group_id) if group_id else GroupViewing(user_id=user_id, course_id=course_id)
    ids = dict(db.session.execute(select(Organisation.code, Organisation.id)
                                  .where(Organisation.code.in_(list(data.per_organisation)))).all())
    group.viewed_on, group.women, group.men, group.names = data.viewed_on, data.women, data.men, data.names.strip()
    wanted = {ids[code]: n for code, n in data.per_organisation.items() if n and code in ids}
    existing = {c.organisation_id: c for c in group.counts}
    for organisation_id, count in existing.items():
        if organisation_id not in wanted:
            group.counts.remove(count)
    for organisation_id, n in wanted.items():
        if organisation_id in existing:
            existing[organisation_id].people = n
        else:
            group.counts.append(GroupViewingCount(organisation_id=organisation_id, people=n))
    if not add_unique(group):
        raise GroupError("Du har redan registrerat en grupp för det datumet. Ändra den i listan i stället.",
                         "viewed_on")
    return group


def own(user_id: int, course_id: int, group_id: int) -> GroupViewing:
    """The registrant's own group; anyone else's is 'not found'."""
    group = db.session.scalar(select(GroupViewing).filter_by(id=group_id, user_id=user_id, course_id=course_id))
    if group is None:
        raise LookupError(group_id)
    return group


def mine(user_id: int, course_id: int) -> list[GroupViewing]:
    """The learner's group viewings for a course, newest first."""
    return list(db.session.scalars(select(GroupViewing).filter_by(user_id=user_id, course_id=course_id)
                                   .order_by(GroupViewing.viewed_on.desc(), GroupViewing.id.desc())))


@write_transaction
def withdraw(user_id: int, course_id: int, group_id: int) -> None:
    """Remove a group viewing; the others no longer count in any report."""
    lock("group-viewings", user_id)
    db.session.delete(own(user_id, course_id, group_id))
