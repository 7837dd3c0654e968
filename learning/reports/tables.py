"""The city's dashboard tables (förvaltning × measure or category) and their hidden cells, decided once.

Every dashboard view (one förvaltning, HR's several, the city), its CSV/XLSX and the API read their
figures from these tables through `Decided.sum`, whoever asks: the tables and the cells they hide
never depend on the viewer's scope, so no view minus other views gives back a hidden cell.

- main: registrerade, påbörjade, klara, anställda, anställda som är klara (with a valid certificate,
  for a course whose completions expire) and anställda som är klara någon gång, per förvaltning; a
  förvaltning is hidden whole (`hide_rows`).
- roles, genders, months: the period's completions per förvaltning and category. A förvaltning's
  total is its "klara" in the main table, so a förvaltning hidden there is hidden in these too.
- parts, voided: passes per part per förvaltning (the learner's förvaltning now) that count, and those
  voided by a changed quiz that must be retaken (counted nowhere else); no total per förvaltning.

Only completions and learners in a förvaltning count: people without one (e.g. the first admin)
appear in no table and in no total, so that every total is the sum of its förvaltningar.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from learning.accounts.models import GENDERS, ORG_ROLES, Organisation, User
from learning.content.services import PublishedCourse
from learning.extensions import db
from learning.learn.models import CourseCompletion, CourseStart, PartCompletion
from learning.learn.services import IN_A_FORVALTNING, PASS_VOIDED
from learning.periods import Period
from learning.privacy import K, Decided, hide_rows, protect
from learning.renewals.services import completion_moments, valid_for_months, valid_from
from learning.staff.models import StaffAssignment, StaffMember
from learning.staff.services import headcounts, valid_at

MEASURES = ("registered", "started", "completed", "staff", "covered", "covered_ever")


@dataclass(frozen=True)
class CityTables:
    """The city's tables for one course and period, with their hidden cells."""

    organisations: list[tuple[int, str]]  # the active förvaltningar, (id, name), by name
    main: Decided  # (förvaltning, measure)
    with_staff: frozenset[int]  # förvaltningar with staff figures (a list or a hand-entered headcount)
    roles: Decided
    genders: Decided
    months: Decided  # (förvaltning, "YYYY-MM"), every month from the first completion to the period's end
    parts: Decided  # (förvaltning, part file id): passes that count
    voided: Decided  # (förvaltning, part file id): passes voided by a changed quiz that must be retaken

    @property
    def hidden_rows(self) -> frozenset:
        """The förvaltningar hidden whole in the main table."""
        return frozenset(row for row, _measure in self.main.hidden)


def city_tables(course: PublishedCourse, period: Period, whole_city: bool = False) -> CityTables:
    """Read the city's counts in a few grouped queries and decide once which cells are hidden.

    `whole_city`: only the city's view will be read, so the parts table may be its totals alone (see
    `_part_totals`); the decision is the same.
    """
    organisations = sorted(db.session.execute(select(Organisation.id, Organisation.name)
                                              .where(Organisation.active.is_(True))).all(), key=lambda o: o[1])
    main, with_staff = main_table(course.id, period, [oid for oid, _ in organisations])
    roles, genders, months = completion_tables(course.id, period, main)
    _start, end = period.bounds()
    return CityTables([tuple(o) for o in organisations], main, with_staff, roles, genders, months,
                      *(_part_totals(course, end) if whole_city else _parts(course, end)))


def main_table(course_id: int, period: Period, active: list[int] = ()) -> tuple[Decided, frozenset[int]]:
    """The per-förvaltning measures with hidden rows, and the förvaltningar that have staff figures."""
    _start, end = period.bounds()
    registered = _counts(select(User.organisation_id, func.count(User.id))
                         .where(User.created_at < end).group_by(User.organisation_id))
    started = _counts(select(User.organisation_id, func.count(CourseStart.id))
                      .join(User, User.id == CourseStart.user_id)
                      .where(CourseStart.course_id == course_id, CourseStart.started_at < end)
                      .group_by(User.organisation_id))
    completed = _counts(select(CourseCompletion.organisation_id, func.count(CourseCompletion.id))
                        .where(*completions_in(course_id, period)).group_by(CourseCompletion.organisation_id))
    staff, covered, ever = _coverage(course_id, period.last_day(), period.end)
    measures = (registered, started, completed, staff, covered, ever)
    values = {key: tuple(m.get(key, 0) or 0 for m in measures) for key in set().union(*measures, active)}
    hidden, total_hidden = hide_rows(values)
    return Decided({(key, m): n for key, row in values.items() for m, n in zip(MEASURES, row)},
                   frozenset((key, m) for key in hidden for m in MEASURES),
                   frozenset(MEASURES) if total_hidden else frozenset()), frozenset(staff)


def _counts(query) -> dict:
    return {key: count for key, count in db.session.execute(query).all() if key is not None}


def completions_in(course_id: int, period: Period) -> list:
    """Conditions for the course's completions in a period (by the Stockholm month of completion)."""
    return [CourseCompletion.course_id == course_id, CourseCompletion.completed_month.between(period.start, period.end)]


def _completed_staff(course_id: int, last_month: str, valid_after: datetime | None = None):
    """Staff-list ids of the people whose account completed the course by the end of a month.

    A set the database builds once (from the completions, through the linked account) and then tests
    each assignment against, instead of following every assignment to an account and back. With
    `valid_after`, only people whose first completion or a renewal happened since then (still valid).
    """
    if valid_after is None:
        return (select(StaffMember.id).join(CourseCompletion, CourseCompletion.user_id == StaffMember.user_id)
                .where(CourseCompletion.course_id == course_id, CourseCompletion.completed_month <= last_month))
    moments = completion_moments({course_id})
    return (select(StaffMember.id).join(moments, moments.c.user_id == StaffMember.user_id)
            .where(moments.c.completed_month <= last_month, moments.c.completed_at >= valid_after))


def covered_by(course_id: int, scope, at: date, last_month: str, *columns, ever: bool = False) -> dict:
    """Staff on the list at a date who completed by the end of a month, grouped by assignment columns.

    For a course whose completions expire (valid_for_months), only completions still valid at the date
    count, unless `ever`.
    """
    months = None if ever else valid_for_months(course_id)
    valid_after = valid_from(at, months) if months else None
    query = (select(*columns, func.count(func.distinct(StaffAssignment.staff_id)))
             .where(*valid_at(at), StaffAssignment.staff_id.in_(_completed_staff(course_id, last_month, valid_after)))
             .group_by(*columns))
    if scope is not None:
        query = query.where(StaffAssignment.organisation_id.in_(scope))
    return {tuple(row[:-1]) if len(columns) > 1 else row[0]: row[-1] for row in db.session.execute(query)}


def _coverage(course_id: int, at: date, last_month: str) -> tuple[dict, dict, dict]:
    """(staff, staff with a valid completion, staff who ever completed) per förvaltning at a date.

    Hand-entered headcounts count where no list exists. The two kinds of "covered" are the same
    unless the course's completions expire.
    """
    staff = headcounts(None, at)
    months = valid_for_months(course_id)
    ever = covered_by(course_id, None, at, last_month, StaffAssignment.organisation_id, ever=True)
    covered = covered_by(course_id, None, at, last_month, StaffAssignment.organisation_id) if months else dict(ever)
    # Without a staff list, everyone who completed there counts against the hand-entered headcount.
    listed = set(db.session.scalars(select(StaffAssignment.organisation_id).distinct()))
    typed = [oid for oid in staff if oid not in ever and oid not in listed]
    if typed:
        completed = (select(CourseCompletion.organisation_id, func.count(CourseCompletion.id))
                     .where(CourseCompletion.course_id == course_id, CourseCompletion.organisation_id.in_(typed),
                            CourseCompletion.completed_month <= last_month).group_by(CourseCompletion.organisation_id))
        ever.update(_counts(completed))
        if months:
            moments = completion_moments({course_id})
            still_valid = select(moments.c.user_id).where(moments.c.completed_month <= last_month,
                                                          moments.c.completed_at >= valid_from(at, months))
            covered.update(_counts(completed.where(CourseCompletion.user_id.in_(still_valid))))
        else:
            covered = dict(ever)
    return staff, covered, ever


def completion_tables(course_id: int, period: Period, main: Decided) -> tuple[Decided, Decided, Decided]:
    """Completions per förvaltning by role, by gender and by month, from one grouped read.

    A förvaltning's row adds up to its "klara" in the main table: hidden there, hidden here too.
    """
    rows = sorted({row for row, _m in main.cells})
    hidden = {row for row, _m in main.hidden}
    found = db.session.execute(
        select(CourseCompletion.organisation_id, CourseCompletion.org_role, User.gender,
               CourseCompletion.completed_month, func.count(CourseCompletion.id))
        .join(User, User.id == CourseCompletion.user_id)
        .where(*completions_in(course_id, period), CourseCompletion.organisation_id.is_not(None))
        .group_by(CourseCompletion.organisation_id, CourseCompletion.org_role, User.gender,
                  CourseCompletion.completed_month)).all()
    roles: Counter = Counter()
    genders: Counter = Counter()
    months: Counter = Counter()
    for oid, role, gender, month, n in found:
        roles[oid, ORG_ROLES.get(role, "Ej angivet")] += n
        genders[oid, GENDERS.get(gender, "Ej angivet")] += n
        months[oid, month] += n
    month_columns = period_months(period, min((m for _oid, m in months), default=None))

    def decide(cells: Counter, columns) -> Decided:
        return protect(cells, rows, columns, forced=hidden, total_hidden=bool(main.hidden_totals))

    return (decide(roles, sorted({c for _r, c in roles})), decide(genders, sorted({c for _r, c in genders})),
            decide(months, month_columns))


def period_months(period: Period, first: str | None) -> list[str]:
    """The period's months from `first` (None: none) to its end, as "YYYY-MM"."""
    found = []
    if first is None:
        return found
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= period.end:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _passes(query) -> dict[tuple, tuple[int, int]]:
    """(passes that count, voided passes) per group of a grouped count of part completions.

    Two reads: all passes (from the index on part, date and learner), then only the voided ones, from
    the parts that ever had a required retake; a voided pass counts nowhere, so the first less the second.
    """
    every = {tuple(keys): n for *keys, n in db.session.execute(query)}
    voided = {tuple(keys): n for *keys, n in db.session.execute(query.where(PASS_VOIDED))}
    return {key: (n - voided.get(key, 0), voided.get(key, 0)) for key, n in every.items()}


def _parts(course: PublishedCourse, end) -> tuple[Decided, Decided]:
    """Passed and voided per förvaltning and part (reads joining every pass to its learner), cells hidden."""
    counts = _passes(
        select(User.organisation_id, PartCompletion.content_file_id, func.count(PartCompletion.id))
        .join(User, User.id == PartCompletion.user_id)
        .where(PartCompletion.completed_at < end, User.organisation_id.is_not(None))
        .group_by(User.organisation_id, PartCompletion.content_file_id))
    rows = sorted({oid for oid, _file_id in counts})
    files = [p.file_id for p in course.required_parts]
    # Each part's count stands alone per förvaltning (no total per förvaltning is shown): only the
    # city's total per part is a line to protect.
    return tuple(protect({key: row[i] for key, row in counts.items()}, rows, files, row_totals=False) for i in (0, 1))


def _part_totals(course: PublishedCourse, end) -> tuple[Decided, Decided]:
    """The city's column of the parts tables (passed, voided), read without joining a pass to its learner.

    In `_parts`'s tables the only lines are the columns, and a column line is always covered by hiding
    more of its förvaltningar's cells (they hold at least k people when the total does): so the city's
    total per part is hidden exactly when it is 1..k-1 people, and the city's view needs nothing more.
    """
    # The few learners without a förvaltning are left out as a set, not by a join per pass.
    counts = _passes(select(PartCompletion.content_file_id, func.count(PartCompletion.id))
                     .where(PartCompletion.completed_at < end, IN_A_FORVALTNING)
                     .group_by(PartCompletion.content_file_id))
    files = [p.file_id for p in course.required_parts]
    found = [{f: counts.get((f,), (0, 0))[i] for f in files} for i in (0, 1)]
    return tuple(Decided({("city", f): n for f, n in column.items()}, frozenset(),
                         frozenset(f for f, n in column.items() if 0 < n < K)) for column in found)


@dataclass(frozen=True)
class HiddenCompletions:
    """What the dashboard hides of a period's completions, for other pages that show them too."""

    organisations: frozenset  # förvaltning ids hidden in the main table
    roles: frozenset[str]  # labels whose city-wide count is hidden
    genders: frozenset[str]
    total: bool  # the city's total


def hidden_completions(course_id: int, period: Period) -> HiddenCompletions:
    """The dashboard's decision on the period's completions (evaluation results and council report use it)."""
    main, _with_staff = main_table(course_id, period)
    roles, genders, _months = completion_tables(course_id, period, main)
    return HiddenCompletions(frozenset(row for row, _m in main.hidden), roles.hidden_totals, genders.hidden_totals,
                             bool(main.hidden_totals))
