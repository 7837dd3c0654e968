"""The assignment report: per förvaltning and unit, assigned, done on time, done late, overdue, not yet due.

Figures are today's (assignments are computed from the staff list at read time, see status.py) and are
protected like every other figure (learning/privacy.py), decided once for the whole city so that every
view, export and API call hides the same cells:

- förvaltningar: a row of five counts each; rows are hidden whole (`hide_rows`), and the city's total
  with them when the hidden rows cannot cover each other;
- units, within each förvaltning: the förvaltning's row is their total, so they are decided the same
  way against it; when the hidden units cannot cover each other, or the förvaltning itself is hidden,
  every unit of it is hidden (its total, if shown, then gives nothing away).

A view limited to some förvaltningar (HR's scope, a chosen förvaltning) shows their rows and a total
summed through `Decided.sum`, so no view minus another gives back a hidden row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from learning.accounts.models import Organisation
from learning.assignments.status import DONE, OVERDUE, PENDING, Assignment, active_rules, assignments
from learning.content.services import PublishedCourse
from learning.extensions import db
from learning.privacy import Decided, hide_rows

ASSIGNED, ON_TIME, LATE = "assigned", "on_time", "late"
MEASURES = (ASSIGNED, ON_TIME, LATE, OVERDUE, PENDING)
LABELS = {ASSIGNED: "Tilldelade", ON_TIME: "Klara i tid", LATE: "Klara efter datumet",
          OVERDUE: "Försenade", PENDING: "Inte försenade än"}
# The API's names for the measures (English, like the rest of the API).
API_NAMES = {ASSIGNED: "assigned", ON_TIME: "completed_on_time", LATE: "completed_late",
             OVERDUE: "overdue", PENDING: "not_yet_due"}


@dataclass(frozen=True)
class Line:
    """One line of the report: a förvaltning, one of its units, or the total; figures None when hidden."""

    organisation_id: int | None
    organisation_code: str | None
    name: str
    unit: str | None  # the unit's name on a unit's line
    figures: dict[str, int] | None

    @property
    def hidden(self) -> bool:
        """The line describes too few people (or would give such a group away)."""
        return self.figures is None


@dataclass(frozen=True)
class Report:
    """The report for one course, as one viewer may see it."""

    course: PublishedCourse
    today: date
    lines: list[Line]  # each förvaltning followed by its units
    total: Line

    @property
    def organisations(self) -> list[Line]:
        """The förvaltningar's lines alone (the CSV's and API's rows)."""
        return [line for line in self.lines if line.unit is None]


def _category(item: Assignment) -> str:
    if item.status == DONE:
        return ON_TIME if item.on_time else LATE
    return item.status


def _counts(course_id: int, today: date) -> dict[tuple[int, str], tuple[int, ...]]:
    """Every unit's five counts in the whole city (never limited to a viewer: the decision is the city's)."""
    rules = [rule for rule in active_rules() if rule.course_id == course_id]
    found: dict[tuple[int, str], Counter] = {}
    for item in assignments(today, rules=rules) if rules else []:
        counter = found.setdefault((item.organisation_id, item.unit), Counter())
        counter[ASSIGNED] += 1
        counter[_category(item)] += 1
    return {key: tuple(counter[m] for m in MEASURES) for key, counter in found.items()}


def _decided(rows: dict, forced=()) -> Decided:
    hidden, total_hidden = hide_rows(rows, forced)
    return Decided({(key, m): n for key, values in rows.items() for m, n in zip(MEASURES, values)},
                   frozenset((key, m) for key in hidden for m in MEASURES),
                   frozenset(MEASURES) if total_hidden else frozenset())


def _figures(decided: Decided, rows) -> dict[str, int] | None:
    values = {m: decided.sum(rows, m) for m in MEASURES}
    return None if any(v is None for v in values.values()) else values


def report(course: PublishedCourse, scope: frozenset[int] | None, today: date) -> Report:
    """The course's report within a scope (None: the city), with the city-wide decision on hidden cells."""
    units = _counts(course.id, today)
    per_organisation: dict[int, list[int]] = {}
    for (oid, _unit), values in units.items():
        row = per_organisation.setdefault(oid, [0] * len(MEASURES))
        for i, n in enumerate(values):
            row[i] += n
    organisations = _decided({oid: tuple(values) for oid, values in per_organisation.items()})
    hidden_organisations = {row for row, _m in organisations.hidden}
    names = {oid: (code, name) for oid, code, name in db.session.execute(
        select(Organisation.id, Organisation.code, Organisation.name))}
    lines: list[Line] = []
    for oid in sorted(per_organisation, key=lambda o: names[o][1]):
        if scope is not None and oid not in scope:
            continue
        code, name = names[oid]
        lines.append(Line(oid, code, name, None, _figures(organisations, [oid])))
        mine = {unit: values for (o, unit), values in units.items() if o == oid}
        decided = _decided(mine, mine if oid in hidden_organisations else ())
        if decided.hidden_totals:  # the hidden units would show through the förvaltning's total
            decided = _decided(mine, mine)
        for unit in sorted(mine, key=str.casefold):
            lines.append(Line(oid, code, name, unit or "Utan enhet", _figures(decided, [unit])))
    rows = None if scope is None else [oid for oid in per_organisation if oid in scope]
    total = Line(None, None, "Totalt", None, _figures(organisations, rows))
    return Report(course, today, lines, total)


TABLE_HEADER = ["Förvaltning", "Enhet", *(LABELS[m] for m in MEASURES)]


def table_rows(found: Report) -> list[list]:
    """The report as rows for CSV and XLSX: "för få" where the page shows it."""
    return [[line.name, line.unit or "", *((line.figures[m] for m in MEASURES) if line.figures else
                                           ["för få"] * len(MEASURES))] for line in [*found.lines, found.total]]


def as_json(found: Report) -> dict:
    """The report for the API: each förvaltning with its units, and the total; null and hidden for too few."""
    def figures(line: Line) -> dict:
        if line.figures is None:
            return {**dict.fromkeys(API_NAMES.values()), "hidden": True}
        return {**{API_NAMES[m]: line.figures[m] for m in MEASURES}, "hidden": False}

    organisations = []
    for line in found.lines:
        if line.unit is None:
            organisations.append({"forvaltning": line.organisation_code, "name": line.name, **figures(line),
                                  "units": []})
        else:
            organisations[-1]["units"].append({"name": line.unit, **figures(line)})
    return {"course": {"slug": found.course.slug, "title": found.course.title}, "date": found.today.isoformat(),
            "rows": organisations, "total": {"forvaltning": None, "name": found.total.name, **figures(found.total)}}
