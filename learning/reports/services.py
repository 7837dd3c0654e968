"""Completion and coverage figures as SQL aggregates, each with its denominator, small groups hidden.

Definitions (stated on every page):
- registrerade: accounts in the förvaltning (created by the end of the period);
- påbörjade: registered learners who have opened at least one part;
- klara: course completions in the period, counted in the förvaltning the learner belonged to
  when they completed;
- genomförandegrad = klara / registrerade; täckning = anställda som har klarat kursen / anställda,
  from the staff list (or a hand-entered headcount where no list is loaded).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from learning.accounts.models import GENDERS, ORG_ROLES, Organisation, User
from learning.content.services import PublishedCourse
from learning.extensions import db
from learning.learn.models import CourseCompletion, CourseStart, PartCompletion
from learning.privacy import K, shown, suppress
from learning.staff.models import StaffAssignment, StaffMember
from learning.staff.services import headcounts, headcounts_by, valid_at
from learning.periods import Period

TABLE_HEADER = ["Förvaltning", "Registrerade", "Påbörjade", "Klara", "Genomförandegrad (%)",
                "Anställda", "Anställda som är klara", "Täckning (%)"]


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent with one decimal, or None without a denominator."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class OrgRow:
    """One förvaltning's figures; `hidden` when a count describes fewer than K people."""

    organisation_id: int | None
    name: str
    registered: int
    started: int
    completed: int
    staff: int | None
    covered: int
    hidden: bool = False

    @property
    def completion_rate(self) -> Decimal | None:
        """klara / registrerade."""
        return percent(self.completed, self.registered)

    @property
    def coverage(self) -> Decimal | None:
        """anställda som har klarat kursen / anställda."""
        return percent(self.covered, self.staff) if self.staff else None


@dataclass(frozen=True)
class Dashboard:
    """Everything a dashboard page shows."""

    period: Period
    rows: list[OrgRow]
    total: OrgRow
    parts: list[tuple[str, int | None]]
    by_role: list[tuple[str, int | None]]
    by_gender: list[tuple[str, int | None]]
    trend: list[tuple[str, int | None]]
    units: list[tuple[str, int | None, int | None, Decimal | None]] = ()


def _in_scope(column, scope):
    return column.in_(scope) if scope is not None else True


def dashboard(course: PublishedCourse, scope: frozenset[int] | None, period: Period) -> Dashboard:
    """The dashboard for a scope (None: the whole city) and a period of months."""
    _start, end = period.bounds()
    at = period.last_day()
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).where(_in_scope(Organisation.id, scope))
        .where(Organisation.active.is_(True))).all()
    registered = _counts(select(User.organisation_id, func.count(User.id))
                         .where(User.created_at < end, _in_scope(User.organisation_id, scope))
                         .group_by(User.organisation_id))
    started = _counts(select(User.organisation_id, func.count(CourseStart.id))
                      .join(User, User.id == CourseStart.user_id)
                      .where(CourseStart.course_id == course.id, CourseStart.started_at < end,
                             _in_scope(User.organisation_id, scope))
                      .group_by(User.organisation_id))
    completions = _completions_query(course.id, scope, period)
    completed = _counts(select(CourseCompletion.organisation_id, func.count(CourseCompletion.id))
                        .where(*completions).group_by(CourseCompletion.organisation_id))
    staff, covered = _coverage(course.id, scope, at, period.end)
    ids = [oid for oid, _ in organisations]
    counts = (registered, started, completed, staff, covered)
    sizes = {oid: min([n for n in (c.get(oid) or 0 for c in counts) if n] or [0]) for oid in ids}
    hidden = suppress(sizes).hidden
    rows = [OrgRow(oid, name, registered.get(oid, 0), started.get(oid, 0), completed.get(oid, 0),
                   staff.get(oid), covered.get(oid, 0), oid in hidden) for oid, name in organisations]
    rows.sort(key=lambda r: r.name)
    total_staff = sum(v for v in staff.values() if v) if staff else None
    total = OrgRow(None, "Totalt", sum(registered.values()), sum(started.values()), sum(completed.values()),
                   total_staff, sum(covered.values()),
                   any(0 < sum(v or 0 for v in c.values()) < K for c in counts))
    by_role, by_gender, trend = _breakdowns(course.id, scope, period)
    return Dashboard(period, rows, total, _parts(course, scope, end), by_role, by_gender, trend,
                     _units(course.id, scope, at, period.end) if scope is not None and len(scope) == 1 else [])


def _counts(query) -> dict:
    return {key: count for key, count in db.session.execute(query).all() if key is not None}


def _completions_query(course_id: int, scope, period: Period) -> list:
    return [CourseCompletion.course_id == course_id,
            CourseCompletion.completed_month.between(period.start, period.end),
            _in_scope(CourseCompletion.organisation_id, scope)]


def _completed_staff(course_id: int, last_month: str):
    """Staff-list ids of the people whose account completed the course by the end of a month.

    A set the database builds once (from the completions, through the linked account) and then tests
    each assignment against, instead of following every assignment to an account and back.
    """
    return (select(StaffMember.id).join(CourseCompletion, CourseCompletion.user_id == StaffMember.user_id)
            .where(CourseCompletion.course_id == course_id, CourseCompletion.completed_month <= last_month))


def _covered_by(course_id: int, scope, at: date, last_month: str, *columns) -> dict:
    """Staff on the list at a date who completed by the end of a month, grouped by assignment columns."""
    query = (select(*columns, func.count(func.distinct(StaffAssignment.staff_id)))
             .where(*valid_at(at), _in_scope(StaffAssignment.organisation_id, scope),
                    StaffAssignment.staff_id.in_(_completed_staff(course_id, last_month)))
             .group_by(*columns))
    return {tuple(row[:-1]) if len(columns) > 1 else row[0]: row[-1] for row in db.session.execute(query)}


def _coverage(course_id: int, scope, at: date, last_month: str) -> tuple[dict, dict]:
    """(staff, staff who completed) per förvaltning at a date; hand-entered headcounts where no list exists."""
    staff = headcounts(scope, at)
    covered = _covered_by(course_id, scope, at, last_month, StaffAssignment.organisation_id)
    # Without a staff list, everyone who completed there counts against the hand-entered headcount.
    typed = [oid for oid in staff if oid not in covered and not db.session.scalar(
        select(StaffAssignment.id).where(StaffAssignment.organisation_id == oid).limit(1))]
    if typed:
        covered.update(_counts(
            select(CourseCompletion.organisation_id, func.count(CourseCompletion.id))
            .where(CourseCompletion.course_id == course_id, CourseCompletion.organisation_id.in_(typed),
                   CourseCompletion.completed_month <= last_month).group_by(CourseCompletion.organisation_id)))
    return staff, covered


def _units(course_id: int, scope, at: date, last_month: str) -> list[tuple[str, int | None, int | None, Decimal | None]]:
    """(unit, staff, staff who completed, coverage) in one förvaltning's staff list; units under K people hidden."""
    staff = headcounts_by(scope, at, "unit")
    covered = _covered_by(course_id, scope, at, last_month, StaffAssignment.organisation_id, StaffAssignment.unit)
    sizes = {key: min([n for n in (count, covered.get(key, 0)) if n] or [0]) for key, count in staff.items()}
    hidden = suppress(sizes).hidden
    rows = []
    for (oid, unit), count in sorted(staff.items(), key=lambda item: item[0][1]):
        done = covered.get((oid, unit), 0)
        shown = (oid, unit) not in hidden
        rows.append((unit or "Ingen enhet angiven", count if shown else None, done if shown else None,
                     percent(done, count) if shown else None))
    return rows


def _hide_small(pairs: list[tuple[str, int]]) -> list[tuple[str, int | None]]:
    hidden = suppress(dict(pairs)).hidden
    return [(label, None if label in hidden else n) for label, n in pairs]


def _parts(course: PublishedCourse, scope, end) -> list[tuple[str, int | None]]:
    query = (select(PartCompletion.content_file_id, func.count(PartCompletion.id))
             .where(PartCompletion.completed_at < end).group_by(PartCompletion.content_file_id))
    if scope is not None:  # the city needs no join: every completion counts
        query = query.join(User, User.id == PartCompletion.user_id).where(User.organisation_id.in_(scope))
    counts = _counts(query)
    # Each part's count is a group of people on its own; no total is shown, so no second cell is needed.
    return [(p.doc.title, shown(counts.get(p.file_id, 0))) for p in course.required_parts]


def _breakdowns(course_id: int, scope, period: Period) -> tuple[list, list, list]:
    """Completions by role, by gender and by month, from one grouped read of the period's completions."""
    rows = db.session.execute(
        select(CourseCompletion.org_role, User.gender, CourseCompletion.completed_month, func.count(CourseCompletion.id))
        .join(User, User.id == CourseCompletion.user_id)
        .where(*_completions_query(course_id, scope, period))
        .group_by(CourseCompletion.org_role, User.gender, CourseCompletion.completed_month)).all()
    roles: Counter[str] = Counter()
    genders: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for role, gender, month, n in rows:
        roles[ORG_ROLES.get(role, "Ej angivet")] += n
        genders[GENDERS.get(gender, "Ej angivet")] += n
        months[month] += n
    return _hide_small(sorted(roles.items())), _hide_small(sorted(genders.items())), _trend(months, period)


def _trend(counts: dict[str, int], period: Period) -> list[tuple[str, int | None]]:
    months = []
    year, month = int(period.start[:4]), int(period.start[5:])
    first_with_data = min(counts) if counts else period.end
    while f"{year:04d}-{month:02d}" <= period.end:
        key = f"{year:04d}-{month:02d}"
        if key >= first_with_data:
            n = counts.get(key, 0)
            months.append((key, n))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _hide_small(months)


def table_rows(board: Dashboard) -> list[list]:
    """The per-förvaltning table for CSV/XLSX, hidden rows written as 'för få'."""
    from learning.privacy import TOO_FEW

    def fmt(value):
        return str(value).replace(".", ",") if value is not None else ""

    rows = []
    for row in [*board.rows, board.total]:
        if row.hidden:
            rows.append([row.name] + [TOO_FEW] * (len(TABLE_HEADER) - 1))
        else:
            rows.append([row.name, row.registered, row.started, row.completed, fmt(row.completion_rate),
                         row.staff if row.staff is not None else "", row.covered if row.staff else "",
                         fmt(row.coverage)])
    return rows
