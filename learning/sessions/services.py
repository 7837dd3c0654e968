"""Registering live sessions and their attendance; each change is one transaction, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from learning.accounts.models import Organisation, User
from learning.content.services import published_courses
from learning.extensions import db
from learning.programme import structure
from learning.sessions import attendance
from learning.sessions.models import KINDS, MODES, LiveSession, SessionAttendee, SessionCount, UnmatchedRow
from learning.staff.models import StaffAssignment, StaffMember
from learning.timeutil import stockholm_today
from learning.transactions import lock, write_transaction

MAX_COUNT = 5000


class SessionError(ValueError):
    """A request about a session that cannot be carried out; the message is for the coordinator."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SessionData:
    """What a coordinator types in about a session."""

    kind: str
    mode: str
    title: str
    held_on: date
    organiser: str
    target_codes: list[str]
    # The slug of the course the session counts for; "" for none (the programme report only), None for the
    # default of its kind (learning.programme.structure.default_course).
    course_slug: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an attendance import changed: new attendees, new unmatched rows, and what was already there."""

    matched: int
    unmatched: int
    already: int


@dataclass(frozen=True)
class SessionSummary:
    """A session with its attendance totals, for lists."""

    session: LiveSession
    named: int
    counted: int
    waiting: int

    @property
    def total(self) -> int:
        """Named attendees plus counted ones."""
        return self.named + self.counted


def _organisation_ids(codes: list[str]) -> list[int]:
    ids = dict(db.session.execute(select(Organisation.code, Organisation.id).where(Organisation.code.in_(codes))).all())
    return [ids[c] for c in codes if c in ids]


@write_transaction
def save_session(data: SessionData, session_id: int | None = None) -> LiveSession:
    """Create a session, or change one; the kind and mode must be known ones."""
    if data.kind not in KINDS or data.mode not in MODES:
        raise SessionError("Välj typ och form i listorna.", "kind")
    if session_id:
        lock("session-attendance", session_id)  # not moved to the future while a list is being imported
    row = db.session.get(LiveSession, session_id) if session_id else LiveSession()
    if row is None:
        raise SessionError("Tillfället finns inte längre.")
    if session_id and data.held_on > stockholm_today() and has_attendance(session_id):
        raise SessionError("Tillfället har redan registrerad närvaro och kan inte flyttas till ett datum i framtiden.",
                           "held_on")
    row.kind, row.mode, row.title, row.held_on = data.kind, data.mode, data.title.strip(), data.held_on
    row.organiser, row.targets = data.organiser.strip(), _organisation_ids(data.target_codes)
    row.course_id = _course_id(data)
    db.session.add(row)
    return row


def _course_id(data: SessionData) -> int | None:
    found = published_courses()
    if data.course_slug is None:
        course = structure.default_course(data.kind, found)
        return course.id if course else None
    if data.course_slug == "":
        return None
    course = next((c for c in found if c.slug == data.course_slug), None)
    if course is None:
        raise SessionError("Välj en kurs i listan.", "course")
    problem = structure.fits(data.kind, course)
    if problem:
        raise SessionError(problem, "course")
    return course.id


@write_transaction
def delete_session(session_id: int) -> None:
    """Remove a session and its attendance."""
    lock("session-attendance", session_id)
    row = get(session_id)
    for model in (SessionAttendee, SessionCount, UnmatchedRow):
        db.session.execute(model.__table__.delete().where(model.session_id == row.id))
    db.session.delete(row)


def get(session_id: int) -> LiveSession:
    """A session by id, or SessionError."""
    row = db.session.get(LiveSession, session_id)
    if row is None:
        raise SessionError("Tillfället finns inte.")
    return row


def has_attendance(session_id: int) -> bool:
    """Whether any attendee, count or unmatched row is registered."""
    return any(db.session.scalar(select(model.id).where(model.session_id == session_id).limit(1)) is not None
               for model in (SessionAttendee, SessionCount, UnmatchedRow))


def summaries() -> list[SessionSummary]:
    """Every session, newest first, with attendance totals counted in SQL."""
    named = dict(db.session.execute(select(SessionAttendee.session_id, func.count(SessionAttendee.id))
                                    .group_by(SessionAttendee.session_id)).all())
    counted = dict(db.session.execute(select(SessionCount.session_id, func.sum(SessionCount.attendees))
                                      .group_by(SessionCount.session_id)).all())
    waiting = dict(db.session.execute(select(UnmatchedRow.session_id, func.count(UnmatchedRow.id))
                                      .where(UnmatchedRow.status == "väntar").group_by(UnmatchedRow.session_id)).all())
    rows = db.session.scalars(select(LiveSession).order_by(LiveSession.held_on.desc(), LiveSession.id.desc()))
    return [SessionSummary(r, named.get(r.id, 0), int(counted.get(r.id) or 0), waiting.get(r.id, 0)) for r in rows]


def _refuse_future(row: LiveSession, today: date) -> None:
    if row.held_on > today:
        raise SessionError(f"Tillfället är den {row.held_on:%Y-%m-%d}, alltså i framtiden. Närvaro kan registreras "
                           "först när tillfället har ägt rum.")


@write_transaction
def set_count(session_id: int, organisation_code: str, attendees: int, today: date) -> None:
    """The number of attendees from one förvaltning; 0 removes the count."""
    lock("session-attendance", session_id)  # two coordinators at once: the second sees the first's count
    row = get(session_id)
    _refuse_future(row, today)
    if not 0 <= attendees <= MAX_COUNT:
        raise SessionError(f"Skriv ett antal från 0 till {MAX_COUNT}.", "attendees")
    organisation_id = db.session.scalar(select(Organisation.id).filter_by(code=organisation_code))
    if organisation_id is None:
        raise SessionError("Välj en förvaltning i listan.", "organisation")
    existing = db.session.scalar(select(SessionCount).filter_by(session_id=row.id, organisation_id=organisation_id))
    if attendees == 0:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(SessionCount(session_id=row.id, organisation_id=organisation_id, attendees=attendees))
    else:
        existing.attendees = attendees


def counts(session_id: int) -> list[tuple[str, int]]:
    """(förvaltning, attendees) for a session's counts, by name."""
    return [tuple(r) for r in db.session.execute(
        select(Organisation.name, SessionCount.attendees).join(Organisation)
        .where(SessionCount.session_id == session_id).order_by(Organisation.name)).all()]


def attendees(session_id: int) -> list[tuple[SessionAttendee, str]]:
    """Named attendees with their förvaltning's name, by name."""
    return [tuple(r) for r in db.session.execute(
        select(SessionAttendee, func.coalesce(Organisation.name, "Okänd förvaltning"))
        .outerjoin(Organisation, Organisation.id == SessionAttendee.organisation_id)
        .where(SessionAttendee.session_id == session_id).order_by(SessionAttendee.name)).all()]


def unmatched(session_id: int) -> list[UnmatchedRow]:
    """Rows still waiting for the coordinator, by name."""
    return list(db.session.scalars(select(UnmatchedRow).filter_by(session_id=session_id, status="väntar")
                                   .order_by(UnmatchedRow.name)))


def import_attendance(session_id: int, data: bytes, today: date) -> ImportResult:
    """Matched rows become attendees, the rest wait as unmatched rows; a person already there is not added again."""
    _refuse_future(get(session_id), today)
    try:
        people = attendance.parse(data)  # before the write transaction: parsing holds no lock
    except attendance.AttendanceFileError as exc:
        raise SessionError(str(exc), "file") from None
    return _store_attendance(session_id, people, today)


@write_transaction
def _store_attendance(session_id: int, people: list[attendance.AttendanceRow], today: date) -> ImportResult:
    # Two lists for the same session at once: the second finds the first's people already there.
    lock("session-attendance", session_id)
    row = get(session_id)
    _refuse_future(row, today)
    known = set(db.session.scalars(select(SessionAttendee.person_key).filter_by(session_id=row.id)))
    known |= set(db.session.scalars(select(UnmatchedRow.person_key).filter_by(session_id=row.id)))
    new = [p for p in people if p.person_key not in known]
    matches = _match([p.email for p in new if p.email], today)
    matched = 0
    for person in new:
        found = matches.get(person.email)
        if found:
            user_id, staff_id, organisation_id = found
            db.session.add(SessionAttendee(session_id=row.id, person_key=person.person_key, name=person.name,
                                           email=person.email, user_id=user_id, staff_id=staff_id,
                                           organisation_id=organisation_id, source="matchad"))
            matched += 1
        else:
            db.session.add(UnmatchedRow(session_id=row.id, person_key=person.person_key, name=person.name,
                                        email=person.email, joined=person.joined))
    return ImportResult(matched, len(new) - matched, len(people) - len(new))


def _match(emails: list[str], today: date) -> dict[str, tuple[int | None, int | None, int | None]]:
    """e-mail -> (user id, staff id, förvaltning id) among accounts first, then the staff list."""
    found: dict[str, tuple[int | None, int | None, int | None]] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        for user_id, email, organisation_id in db.session.execute(
                select(User.id, func.lower(User.email), User.organisation_id).where(func.lower(User.email).in_(chunk))):
            found[email] = (user_id, None, organisation_id)
        current = or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > today)
        for staff_id, email, organisation_id in db.session.execute(
                select(StaffMember.id, func.lower(StaffMember.email), StaffAssignment.organisation_id)
                .outerjoin(StaffAssignment, (StaffAssignment.staff_id == StaffMember.id) & current)
                .where(func.lower(StaffMember.email).in_(chunk))):
            user_id, _, organisation_id_of_user = found.get(email, (None, None, None))
            found[email] = (user_id, staff_id, organisation_id_of_user or organisation_id)
    return found


@write_transaction
def place_unmatched(session_id: int, row_id: int, organisation_code: str) -> SessionAttendee:
    """Turn an unmatched row into an attendee of the förvaltning the coordinator chose."""
    lock("session-attendance", session_id)  # the same row placed twice at once: the second finds it handled
    row = db.session.scalar(select(UnmatchedRow).filter_by(id=row_id, session_id=session_id, status="väntar"))
    if row is None:
        raise SessionError("Raden är redan hanterad.")
    organisation_id = db.session.scalar(select(Organisation.id).filter_by(code=organisation_code))
    if organisation_id is None:
        raise SessionError("Välj en förvaltning i listan.", "organisation")
    attendee = SessionAttendee(session_id=session_id, person_key=row.person_key, name=row.name, email=row.email,
                               organisation_id=organisation_id, source="manuell")
    db.session.delete(row)
    db.session.flush()
    db.session.add(attendee)
    return attendee


@write_transaction
def dismiss_unmatched(session_id: int, row_id: int) -> None:
    """Mark an unmatched row as no participant; kept so that a re-import does not bring it back."""
    lock("session-attendance", session_id)
    row = db.session.scalar(select(UnmatchedRow).filter_by(id=row_id, session_id=session_id, status="väntar"))
    if row is None:
        raise SessionError("Raden är redan hanterad.")
    row.status = "avvisad"
