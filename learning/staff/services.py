"""The staff list: importing the HR system's file, headcounts per förvaltning, hand-entered headcounts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_, select, union_all, update
from sqlalchemy.orm import aliased

from learning.accounts.models import Organisation, User
from learning.accounts.revoke import end_access
from learning.extensions import add_unique, db
from learning.staff import csvfile
from learning.staff.csvfile import StaffError, StaffImportError
from learning.staff.models import Headcount, StaffAssignment, StaffMember
from learning.timeutil import stockholm_today, utcnow
from learning.transactions import lock, write_transaction
from learning.words import plural

__all__ = [
    "HeadcountError", "ImportReport", "OrganisationStaff", "StaffError", "StaffImportError", "describe",
    "headcount_for", "headcounts", "headcounts_by", "import_staff", "organisation_overview", "set_headcount",
    "stockholm_today",
]

MAX_HEADCOUNT = 200_000
DIMENSIONS = {"org_role": StaffAssignment.org_role, "unit": StaffAssignment.unit}


class HeadcountError(StaffError):
    """A hand-entered headcount that cannot be saved; field names the form field it is about."""

    def __init__(self, message: str, field: str = "staff"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ImportReport:
    """What an import changed, counted in people, and the rows it could not use as (line, message)."""

    created: int = 0
    updated: int = 0  # name or e-mail changed
    moved: int = 0  # förvaltning, unit or role changed
    deactivated: int = 0  # not in the file any more: marked as having left
    reactivated: int = 0  # had left, back in the file
    problems: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OrganisationStaff:
    """One förvaltning on the staff overview page."""

    code: str
    name: str
    active: int  # in the staff list now
    inactive: int  # in the staff list, marked as having left (their last place was here)
    typed_staff: int | None
    typed_managers: int | None
    counted: int | None  # what headcounts() gives the reports
    source: str | None  # "list", "typed" or None when the reports have no headcount


def describe(report: ImportReport) -> str:
    """The report's counts as one Swedish sentence."""
    lines = len({line for line, _ in report.problems})
    return (f"{report.created} nya, {report.updated} med ändrat namn eller e-post, {report.moved} som har bytt "
            f"förvaltning, enhet eller roll, {report.deactivated} markerade som slutade, {report.reactivated} "
            f"tillbaka efter att ha slutat. {plural(lines, 'rad', 'rader')} kunde inte läsas in.")


def import_staff(data: bytes, today: date, still_as_shown: Callable[[], None] | None = None) -> ImportReport:
    """Make the staff list match the file from today on, in one transaction (accounts linked in a second one).

    Raises StaffImportError, with nothing changed, if the file is unusable. `still_as_shown` is called inside
    the transaction, once the import holds the staff list's lock: it raises (and nothing is written) when
    the list is no longer the one the person confirmed a preview of, e.g. another import got there first.
    """
    parsed = parse_file(data)  # before the write transaction: parsing holds no lock
    counts = _apply(parsed, today, still_as_shown)
    # A transaction of its own after the import's, as create_user does for a new account: whichever of the two
    # links last sees both rows committed, so an account registered during the import is still linked.
    link_accounts()
    return ImportReport(**counts, problems=parsed.problems)


def parse_file(data: bytes) -> csvfile.ParsedFile:
    """The file's usable rows and problems; raises StaffImportError if not one row can be used."""
    lookup: dict[str, int] = {}
    for organisation in db.session.scalars(select(Organisation).where(Organisation.active.is_(True))):
        lookup[organisation.name.strip().casefold()] = organisation.id
        lookup[organisation.code.casefold()] = organisation.id
    parsed = csvfile.parse(data, lookup)
    if not parsed.rows:
        # Applying a file without one usable row would mark the whole staff as having left.
        raise StaffImportError("Ingen rad i filen gick att läsa in.", parsed.problems)
    return parsed


def current_staff() -> tuple[dict[str, StaffMember], dict[int, StaffAssignment]]:
    """Every staff member by employee id, and each one's current assignment by staff id."""
    members = {m.employee_id: m for m in db.session.scalars(select(StaffMember))}
    current = {a.staff_id: a for a in db.session.scalars(
        select(StaffAssignment).where(StaffAssignment.valid_to.is_(None)).order_by(StaffAssignment.id))}
    return members, current


def renamed(member: StaffMember, row: csvfile.StaffRow) -> bool:
    """The row gives the person another name or e-mail address."""
    return (member.name, member.email) != (row.name, row.email)


def moved(assignment: StaffAssignment, row: csvfile.StaffRow) -> bool:
    """The row places the person in another förvaltning, unit or role."""
    return (assignment.organisation_id, assignment.unit, assignment.org_role) != (
        row.organisation_id, row.unit, row.org_role)


def leaving(member: StaffMember, parsed: csvfile.ParsedFile) -> bool:
    """An active person the file does not mention: the import marks them as having left."""
    return member.active and member.employee_id not in parsed.mentioned


@write_transaction
def _apply(parsed: csvfile.ParsedFile, today: date, still_as_shown: Callable[[], None] | None) -> Counter:
    lock("staff-import", 0)  # two imports at once: the second reads what the first wrote
    if still_as_shown is not None:
        still_as_shown()
    members, current = current_staff()
    counts: Counter = Counter(created=0, updated=0, moved=0, deactivated=0, reactivated=0)
    placements: list[tuple[StaffMember, csvfile.StaffRow]] = []
    now = utcnow()
    for row in parsed.rows:
        member = members.get(row.employee_id)
        if member is None:
            member = StaffMember(employee_id=row.employee_id, name=row.name, email=row.email, active=True,
                                 updated_at=now)
            db.session.add(member)
            placements.append((member, row))
            counts["created"] += 1
            continue
        changed = False
        if renamed(member, row):
            member.name, member.email, changed = row.name, row.email, True
            counts["updated"] += 1
        if not member.active:
            member.active, changed = True, True
            counts["reactivated"] += 1
        assignment = current.get(member.id)
        if assignment is None:
            placements.append((member, row))
        elif moved(assignment, row):
            changed = True
            counts["moved"] += 1
            if assignment.valid_from >= today:
                # Changed again on the day it started: correct it rather than leave a zero-length stay.
                assignment.organisation_id, assignment.unit, assignment.org_role = (
                    row.organisation_id, row.unit, row.org_role)
            else:
                assignment.valid_to = today
                placements.append((member, row))
        if changed:
            member.updated_at = now
    left = []
    for member in members.values():
        if leaving(member, parsed):
            member.active, member.updated_at = False, now
            assignment = current.get(member.id)
            if assignment is not None:
                assignment.valid_to = max(today, assignment.valid_from)
            counts["deactivated"] += 1
            left.append(member)
    db.session.flush()  # new members get their ids
    _end_leavers_access(left)
    db.session.add_all(StaffAssignment(staff_id=member.id, organisation_id=row.organisation_id, unit=row.unit,
                                       org_role=row.org_role, valid_from=today, valid_to=None)
                       for member, row in placements)
    return counts


def _end_leavers_access(left: list[StaffMember]) -> None:
    """Sign out, and revoke the API tokens of, everyone the import marked as having left (in its transaction).

    Someone with another employment still on the list keeps their access. A few statements whatever the
    number of leavers.
    """
    ids = {m.user_id for m in left if m.user_id is not None}
    emails = {m.email for m in left if m.email}
    if not ids and not emails:
        return
    for user in leavers(list(db.session.scalars(select(User).where(or_(User.id.in_(ids), User.email.in_(emails)))))):
        end_access(user)


LEFT_MESSAGE = ("Enligt personallistan arbetar du inte längre i Malmö stad, så du kan inte logga in. Är det fel? "
                "Kontakta din HR-avdelning.")


def leavers(users: list[User]) -> list[User]:
    """The accounts among these whose person the staff list knows (a row linked to the account or with its
    address) and says no longer works for the city (none of those rows is active); one query."""
    if not users:
        return []
    known, employed = set(), set()
    for user_id, email, active in db.session.execute(
            select(StaffMember.user_id, StaffMember.email, StaffMember.active).where(
                or_(StaffMember.user_id.in_([u.id for u in users]), StaffMember.email.in_([u.email for u in users])))):
        for key in (("id", user_id), ("email", email)):
            known.add(key)
            if active:
                employed.add(key)
    keys = {u.id: {("id", u.id), ("email", u.email)} for u in users}
    return [u for u in users if keys[u.id] & known and not keys[u.id] & employed]


def has_left(user: User) -> bool:
    """Whether the staff list knows this account's person and says they no longer work for the city."""
    return bool(leavers([user]))


@write_transaction
def link_accounts(email: str | None = None) -> None:
    """Point staff members at the account with their address (all of them, or those with one address).

    A member no account's address matches keeps its link only to an account from the identity provider (linked
    at an SSO sign-in, by employee id or address: learning/sso), whose address may be spelt apart from the
    staff list's; a link by address alone ends when the address changes.
    """
    account = select(User.id).where(User.email == StaffMember.email).scalar_subquery()
    sso_account = select(User.id).where(User.id == StaffMember.user_id, User.oidc_subject.is_not(None))
    query = update(StaffMember).values(user_id=func.coalesce(account, sso_account.scalar_subquery()))
    if email is not None:
        query = query.where(StaffMember.email == email)
    db.session.execute(query.execution_options(synchronize_session=False))


def valid_at(at: date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Conditions for the assignments that held at a date."""
    # valid_to is the first day someone no longer worked there: a move on 1 March counts them in the new place.
    return StaffAssignment.valid_from <= at, or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > at)


def headcounts(scope: frozenset[int] | None, at: date) -> dict[int, int]:
    """Staff per organisation id at a date; the hand-entered figure only where no staff list was ever loaded."""
    if scope is not None and not scope:
        return {}
    listed = (select(StaffAssignment.organisation_id, func.count(StaffAssignment.staff_id.distinct()))
              .where(*valid_at(at)).group_by(StaffAssignment.organisation_id))
    typed = (select(Headcount.organisation_id, Headcount.staff)
             .where(~exists().where(StaffAssignment.organisation_id == Headcount.organisation_id)))
    if scope is not None:
        listed = listed.where(StaffAssignment.organisation_id.in_(scope))
        typed = typed.where(Headcount.organisation_id.in_(scope))
    return {organisation_id: count for organisation_id, count in db.session.execute(union_all(listed, typed))}


def headcounts_by(scope: frozenset[int] | None, at: date, dimension: str) -> dict[tuple[int, str], int]:
    """Staff per (organisation id, role or unit) at a date, from the staff list only."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; use one of {sorted(DIMENSIONS)}")
    if scope is not None and not scope:
        return {}
    column = DIMENSIONS[dimension]
    query = (select(StaffAssignment.organisation_id, column, func.count(StaffAssignment.staff_id.distinct()))
             .where(*valid_at(at)).group_by(StaffAssignment.organisation_id, column))
    if scope is not None:
        query = query.where(StaffAssignment.organisation_id.in_(scope))
    return {(organisation_id, value): count for organisation_id, value, count in db.session.execute(query)}


def organisation_overview(at: date) -> list[OrganisationStaff]:
    """Every active förvaltning with its staff-list counts, hand-entered figures and the headcount reports use."""
    later = aliased(StaffAssignment)
    # Each person counts once, in the förvaltning of their latest assignment (their current or last place).
    latest = (select(StaffAssignment.organisation_id, StaffMember.active, func.count())
              .join(StaffMember, StaffMember.id == StaffAssignment.staff_id)
              .where(~exists().where(later.staff_id == StaffAssignment.staff_id, later.id > StaffAssignment.id))
              .group_by(StaffAssignment.organisation_id, StaffMember.active))
    status = {(organisation_id, active): count for organisation_id, active, count in db.session.execute(latest)}
    with_list = set(db.session.scalars(select(StaffAssignment.organisation_id).distinct()))
    typed = {h.organisation_id: h for h in db.session.scalars(select(Headcount))}
    counted = headcounts(None, at)
    rows = []
    for organisation in db.session.scalars(
            select(Organisation).where(Organisation.active.is_(True)).order_by(Organisation.name)):
        hand = typed.get(organisation.id)
        source = "list" if organisation.id in with_list else "typed" if hand is not None else None
        rows.append(OrganisationStaff(
            code=organisation.code, name=organisation.name,
            active=status.get((organisation.id, True), 0), inactive=status.get((organisation.id, False), 0),
            typed_staff=hand.staff if hand else None, typed_managers=hand.managers if hand else None,
            counted=counted.get(organisation.id), source=source,
        ))
    return rows


def headcount_for(organisation_code: str) -> Headcount | None:
    """The hand-entered headcount of a förvaltning, if any."""
    return db.session.scalar(select(Headcount).join(Organisation, Organisation.id == Headcount.organisation_id)
                             .where(Organisation.code == organisation_code))


def set_headcount(organisation_code: str, staff: int, managers: int | None) -> Headcount:
    """Save a hand-entered headcount for a förvaltning; raises HeadcountError for unusable values."""
    organisation = db.session.scalar(select(Organisation).filter_by(code=organisation_code, active=True))
    if organisation is None:
        raise HeadcountError("Välj en förvaltning i listan.", "organisation")
    for value, name, label in ((staff, "staff", "Antalet anställda"), (managers, "managers", "Antalet chefer")):
        if value is None and name == "managers":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_HEADCOUNT:
            raise HeadcountError(f"{label} ska vara ett heltal från 0 till 200 000.", name)
    if managers is not None and managers > staff:
        raise HeadcountError("Antalet chefer kan inte vara större än antalet anställda.", "managers")
    return _store_headcount(organisation.id, staff, managers)


@write_transaction
def _store_headcount(organisation_id: int, staff: int, managers: int | None) -> Headcount:
    headcount = db.session.scalar(select(Headcount).filter_by(organisation_id=organisation_id))
    if headcount is None:
        headcount = Headcount(organisation_id=organisation_id, staff=staff)
        if not add_unique(headcount):
            raise HeadcountError("Någon annan sparade ett antal för förvaltningen samtidigt. Försök igen.")
    headcount.staff, headcount.managers, headcount.updated_at = staff, managers, utcnow()
    return headcount
