"""Completion and coverage figures as SQL aggregates, each with its denominator, small groups hidden.

Definitions (stated on every page):
- registrerade: accounts in the förvaltning (created by the end of the period);
- påbörjade: registered learners who have opened at least one part;
- klara: course completions in the period, counted in the förvaltning the learner belonged to
  when they completed;
- genomförandegrad = klara / registrerade; täckning = anställda som har klarat kursen / anställda,
  from the staff list (or a hand-entered headcount where no list is loaded); for a course whose
  completions expire (valid_for_months), only valid completions cover, and "klara någon gång" counts
  everyone who ever completed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from learning.content.models import Course
from learning.content.services import PublishedCourse
from learning.extensions import db
from learning.learn.models import CourseCompletion
from learning.periods import Period
from learning.privacy import TOO_FEW, Decided, hide_rows
from learning.reports.tables import MEASURES, city_tables, covered_by
from learning.staff.models import StaffAssignment
from learning.staff.services import headcounts_by
from learning.timeutil import stockholm_month

TABLE_HEADER = ["Förvaltning", "Registrerade", "Påbörjade", "Klara", "Genomförandegrad (%)",
                "Anställda", "Anställda som är klara (giltigt intyg)", "Täckning (%)",
                "Anställda som har klarat kursen någon gång"]


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
    covered_ever: int = 0  # staff who ever completed (covered counts only valid completions)

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
    parts: list[tuple[str, int | None, int | None]]  # (title, passes that count, passes voided by a retake)
    by_role: list[tuple[str, int | None]]
    by_gender: list[tuple[str, int | None]]
    trend: list[tuple[str, int | None]]
    units: list[tuple[str, int | None, int | None, Decimal | None]] = ()


def first_month(course_id: int) -> str:
    """The Stockholm month the course began: its creation or its first completion, whichever came first."""
    created = db.session.scalar(select(Course.created_at).where(Course.id == course_id))
    completed = db.session.scalar(select(func.min(CourseCompletion.completed_at))
                                  .where(CourseCompletion.course_id == course_id))
    return min((stockholm_month(m) for m in (created, completed) if m is not None), default=stockholm_month())


def dashboard(course: PublishedCourse, scope: frozenset[int] | None, period: Period) -> Dashboard:
    """The dashboard for a scope (None: the whole city) and a period of months.

    Every figure is read from the city's tables (learning.reports.tables), whose hidden cells do not
    depend on who asks: a scope only chooses which förvaltningar are summed.
    """
    city = city_tables(course, period, whole_city=scope is None)
    main = city.main
    rows = [OrgRow(oid, name, *(main.cells[oid, m] for m in ("registered", "started", "completed")),
                   main.cells[oid, "staff"] if oid in city.with_staff else None, main.cells[oid, "covered"],
                   oid in city.hidden_rows, main.cells[oid, "covered_ever"])
            for oid, name in city.organisations if scope is None or oid in scope]
    figures = {m: main.sum(scope, m) for m in MEASURES}
    with_staff = city.with_staff if scope is None else city.with_staff & scope
    total = OrgRow(None, "Totalt", *(figures[m] or 0 for m in ("registered", "started", "completed")),
                   (figures["staff"] or 0) if with_staff else None, figures["covered"] or 0,
                   any(n is None for n in figures.values()), figures["covered_ever"] or 0)
    parts = [(p.doc.title, city.parts.sum(scope, p.file_id), city.voided.sum(scope, p.file_id))
             for p in course.required_parts]
    single = scope is not None and len(scope) == 1
    units = _units(course.id, scope, period, next(iter(scope)) in city.hidden_rows) if single else []
    return Dashboard(period, rows, total, parts, _listed(city.roles, scope), _listed(city.genders, scope),
                     _trend(city.months, scope, period), units)


def _listed(table: Decided, scope) -> list[tuple[str, int | None]]:
    """The categories a scope has people (or a hidden cell) in, with their sums or None."""
    columns = sorted({c for _r, c in table.cells})
    return [(c, table.sum(scope, c)) for c in columns if table.holds(scope, c)]


def _trend(table: Decided, scope, period: Period) -> list[tuple[str, int | None]]:
    """Completions per month from the scope's first month with completions to the period's end, months
    without any included (as 0: a gap in a chart or a follow-up tool would read as a missing figure)."""
    present = sorted({c for _r, c in table.cells})
    first = next((m for m in present if table.holds(scope, m)), None)
    if first is None:
        return []
    return [(m, table.sum(scope, m) if m in present else 0) for m in period.months() if m >= first]


def _units(course_id: int, scope, period: Period, row_hidden: bool) -> list[tuple[str, int | None, int | None, Decimal | None]]:
    """(unit, staff, staff who completed, coverage) in one förvaltning's staff list, small units hidden.

    The units add up to the förvaltning's figures in the main table: when those are hidden, so is
    every unit; otherwise units are hidden until the hidden ones cannot be worked out from the total.
    """
    at = period.last_day()
    staff = headcounts_by(scope, at, "unit")
    covered = covered_by(course_id, scope, at, period.end, StaffAssignment.organisation_id, StaffAssignment.unit)
    values = {key: (count, covered.get(key, 0)) for key, count in staff.items()}
    hidden, unsafe = hide_rows(values)
    if row_hidden or unsafe:
        hidden = set(values)
    rows = []
    for (oid, unit), (count, done) in sorted(values.items(), key=lambda item: item[0][1] or ""):
        shown = (oid, unit) not in hidden
        rows.append((unit or "Ingen enhet angiven", count if shown else None, done if shown else None,
                     percent(done, count) if shown else None))
    return rows


PARTS_HEADER = ["Del", "Godkända", "Godkännanden som inte räknas längre (kunskapstestet ändrades och måste göras om)"]


def part_rows(board: Dashboard) -> list[list]:
    """The passed-per-part table for CSV/XLSX, hidden figures written as 'för få'."""
    return [[title, TOO_FEW if passed is None else passed, TOO_FEW if voided is None else voided]
            for title, passed, voided in board.parts]


def table_rows(board: Dashboard) -> list[list]:
    """The per-förvaltning table for CSV/XLSX, hidden rows written as 'för få'."""
    def fmt(value):
        return str(value).replace(".", ",") if value is not None else ""

    rows = []
    for row in [*board.rows, board.total]:
        if row.hidden:
            rows.append([row.name] + [TOO_FEW] * (len(TABLE_HEADER) - 1))
        else:
            rows.append([row.name, row.registered, row.started, row.completed, fmt(row.completion_rate),
                         row.staff if row.staff is not None else "", row.covered if row.staff else "",
                         fmt(row.coverage), row.covered_ever if row.staff else ""])
    return rows
