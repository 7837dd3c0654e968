"""Reminder mails for assigned courses and the managers' digests, each sent at most once.

Every mail is claimed before it is sent: a row in reminder_log with a unique key, committed in a
transaction of its own (`_claim`, a few mails at a time). A second run, overlapping or later, fails to
insert the same key and skips that mail; then the mail goes out, and its outcome (sent, refused, failed)
is written.

A run that dies between the claim and the outcome leaves its rows "claimed" and those mails are not sent
again: at most once, not at least once. A reminder sent twice (or a manager's digest) is a nuisance that
teaches people to ignore the mails; a lost reminder (at most one claim batch, 20 mails, per crash) is
followed by the next stage (on the day, after) and by the manager's digest. The command prints how many
such rows there are. A refused address is written as "refused" and not tried again for that stage.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import and_, bindparam, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from learning.accounts.models import Organisation
from learning.assignments.models import ReminderLog
from learning.assignments.status import DONE, OVERDUE, Assignment, assignments, course_titles
from learning.assignments.rules import people
from learning.extensions import db
from learning.mail import Outbox
from learning.staff.models import StaffAssignment, StaffMember
from learning.timeutil import format_date, utcnow
from learning.transactions import write_transaction


@dataclass
class RunReport:
    """What one run did."""

    sent: int = 0
    refused: int = 0
    failed: int = 0
    already: int = 0  # claimed by this or another run before
    digests: int = 0
    unfinished: int = 0  # rows of earlier runs left "claimed" (outcome unknown, not resent)
    problems: list[str] = field(default_factory=list)


def stage(due: date, today: date, before: list[int], after: list[int], *, renewal: bool = False) -> str | None:
    """The latest reminder stage reached today ('fore-7', 'dag', 'efter-30'), or None; earlier missed ones are skipped."""
    if today < due:
        left = (due - today).days
        reached = [n for n in before if left <= n]
        return f"fore-{min(reached)}" if reached else None
    if renewal:
        return None
    if today == due:
        return "dag"
    past = (today - due).days
    reached = [n for n in after if past >= n]
    return f"efter-{max(reached)}" if reached else None


def send_reminders(today: date) -> RunReport:
    """Send today's reminders and managers' digests; safe to run twice at once or again after a crash."""
    config = current_app.config
    before, after = list(config["REMINDER_DAYS_BEFORE"]), list(config["REMINDER_DAYS_AFTER"])
    report = RunReport()
    everything = assignments(today)
    courses = _courses()
    due: list[tuple[str, Assignment, str]] = []
    for item in everything:
        if item.status == DONE and item.valid_until is None:
            continue
        step = stage(item.due_on, today, before, after, renewal=item.status == DONE)
        if step is not None:
            due.append((f"p:{item.course_id}:{item.staff_id}:{item.due_on.isoformat()}:{step}", item, step))
    digests = _digests(everything, today, courses)
    logged = _logged([key for key, _, _ in due] + [key for key, *_ in digests])
    report.unfinished = db.session.scalar(
        select(db.func.count(ReminderLog.id)).where(ReminderLog.status == "claimed")) or 0
    mails = [Mail(key, item.staff_id, item.email, *reminder_text(item, step, *courses[item.course_id]))
             for key, item, step in due]
    mails += [Mail(*digest, digest=True) for digest in digests]
    report.already = sum(m.key in logged for m in mails)
    with _Delivery(report) as delivery:
        delivery.send_all([m for m in mails if m.key not in logged])
    return report


@dataclass(frozen=True)
class Mail:
    """One mail to send, and the key that makes it go out at most once."""

    key: str
    staff_id: int
    email: str
    subject: str
    body: str
    digest: bool = False


class _Delivery:
    """Claim a few mails at a time, send them, and write the outcomes in batches.

    A row whose outcome is not written (the run died) stays "claimed" and its mail is not sent again. Claims
    are taken CLAIM_BATCH at a time, a transaction each: a killed run loses at most that many reminders,
    and a run of 10,000 does not spend most of its time committing (bench/README.md).
    """

    CLAIM_BATCH = 20
    OUTCOME_BATCH = 200

    def __init__(self, report: RunReport):
        self.report = report
        self.outbox = Outbox()
        self.outcomes: list[dict] = []

    def __enter__(self) -> _Delivery:
        return self

    def __exit__(self, *exc) -> None:
        self.outbox.close()
        self.flush()

    def send_all(self, mails: list[Mail]) -> None:
        """Send every mail no other run has claimed."""
        for start in range(0, len(mails), self.CLAIM_BATCH):
            batch = mails[start:start + self.CLAIM_BATCH]
            claimed = _claim(batch)
            for mail in batch:
                if mail.key not in claimed:
                    self.report.already += 1
                elif self._send(mail) and mail.digest:
                    self.report.digests += 1

    def _send(self, mail: Mail) -> bool:
        report = self.report
        try:
            self.outbox.send(mail.email, mail.subject, mail.body)
        except smtplib.SMTPRecipientsRefused as exc:
            self._outcome(mail.key, "refused", str(exc.recipients))
            report.refused += 1
            report.problems.append(f"{mail.email}: adressen nekades av e-postservern")
            current_app.logger.warning("reminder %s refused by the mail server: %s", mail.key, exc.recipients)
            return False
        except (smtplib.SMTPException, OSError) as exc:
            self._outcome(mail.key, "failed", repr(exc))
            report.failed += 1
            report.problems.append(f"{mail.email}: {exc}")
            current_app.logger.warning("reminder %s not sent: %r", mail.key, exc)
            return False
        self._outcome(mail.key, "sent", "")
        report.sent += 1
        return True

    def _outcome(self, key: str, status: str, error: str) -> None:
        self.outcomes.append({"k": key, "s": status, "e": error[:500], "at": utcnow()})
        if len(self.outcomes) >= self.OUTCOME_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the outcomes collected so far."""
        if self.outcomes:
            _finish(self.outcomes)
            self.outcomes = []


@write_transaction
def _claim(mails: list[Mail]) -> set[str]:
    """The keys of these mails that this run claimed; the others were claimed by another run first."""
    # One insert that gives way to rows another run has written (PostgreSQL waits for that run to commit).
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = ReminderLog.__table__
    now = utcnow()
    statement = (insert(table).values([{"key": m.key, "staff_id": m.staff_id, "recipient": m.email,
                                        "status": "claimed", "error": "", "claimed_at": now} for m in mails])
                 .on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key))
    return set(db.session.execute(statement).scalars())


@write_transaction
def _finish(outcomes: list[dict]) -> None:
    table = ReminderLog.__table__  # Core: an executemany keyed by the claim's key, not the ORM's primary key
    db.session.execute(update(table).where(table.c.key == bindparam("k")).values(
        status=bindparam("s"), error=bindparam("e"), finished_at=bindparam("at")), outcomes)


def _logged(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        found.update(db.session.scalars(select(ReminderLog.key).where(ReminderLog.key.in_(keys[start:start + 900]))))
    return found


def _courses() -> dict[int, tuple[str, str]]:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return {course_id: (title, f"{base}/kurs/{slug}/") for course_id, (title, slug) in course_titles().items()}


def reminder_text(item: Assignment, step: str, title: str, link: str) -> tuple[str, str]:
    """The subject and body of a learner's reminder, in Swedish."""
    when = format_date(item.due_on)
    if item.status == DONE:
        subject = f"Ditt intyg för {title} går ut {when}"
        text = f"Ditt intyg för kursen ”{title}” gäller till {when}. Gör om kursen innan dess, så gäller det igen."
    elif step.startswith("fore-"):
        subject = f"Påminnelse: {title} ska vara klar senast {when}"
        text = f"Du har fått kursen ”{title}” tilldelad. Den ska vara klar senast {when}."
    elif step == "dag":
        subject = f"I dag är sista dagen för {title}"
        text = f"Kursen ”{title}” ska vara klar i dag, {when}."
    else:
        subject = f"Försenad: {title} skulle ha varit klar {when}"
        text = f"Kursen ”{title}” skulle ha varit klar {when}. Gör den så snart du kan."
    body = (f"Hej {item.name}!\n\n{text}\n\nGå till kursen: {link}\n\n"
            "Du får det här meddelandet eftersom kursen är tilldelad dig utifrån personallistan. "
            "Har du frågor, vänd dig till din chef.\n\nMalmö stad lär\n")
    return subject, body


def _digests(everything: list[Assignment], today: date, courses: dict[int, tuple[str, str]]):
    """(key, chef's staff id, address, subject, body) for every chef of a unit with overdue people."""
    overdue: dict[tuple[int, str], list[Assignment]] = defaultdict(list)
    for item in everything:
        if item.status == OVERDUE and item.unit:
            overdue[(item.organisation_id, item.unit)].append(item)
    if not overdue:
        return []
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    result = []
    for staff_id, name, email, organisation_id, unit in _chefs(list(overdue), today):
        late = [a for a in overdue[(organisation_id, unit)] if a.staff_id != staff_id]
        if not late:
            continue
        lines = "\n".join(f"- {a.name}: {courses[a.course_id][0]}, skulle ha varit klar {format_date(a.due_on)}"
                          for a in sorted(late, key=lambda a: (a.name.casefold(), a.due_on)))
        count = len({a.staff_id for a in late})
        body = (f"Hej {name}!\n\nPå {unit} ({names.get(organisation_id, '')}) har {people(count)} inte gjort en "
                f"tilldelad kurs i tid:\n\n{lines}\n\nSe hela enhetens status: {base}/min-enhet/\n\nMalmö stad lär\n")
        subject = f"{people(count)} på {unit} {'är försenad' if count == 1 else 'är försenade'} med en tilldelad kurs"
        result.append((f"d:{staff_id}:{organisation_id}:{unit[:40]}:{today.isoformat()}", staff_id, email, subject, body))
    return result


def _chefs(units: list[tuple[int, str]], today: date):
    """(staff id, name, e-mail, organisation id, unit) of the current chefs of these units."""
    rows = []
    for start in range(0, len(units), 400):
        rows += db.session.execute(
            select(StaffMember.id, StaffMember.name, StaffMember.email, StaffAssignment.organisation_id,
                   StaffAssignment.unit)
            .join(StaffAssignment, StaffAssignment.staff_id == StaffMember.id)
            .where(StaffMember.active.is_(True), StaffAssignment.org_role == "chef",
                   and_(StaffAssignment.valid_from <= today,
                        or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > today)),
                   tuple_(StaffAssignment.organisation_id, StaffAssignment.unit).in_(units[start:start + 400]))
        ).all()
    return rows
