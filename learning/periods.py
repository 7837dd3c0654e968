"""Report periods: whole months in Stockholm time, typed as YYYY-MM, and the answer to a bad one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import wraps

from flask import render_template

from learning.timeutil import MONTHS, STOCKHOLM

_MONTH = re.compile(r"^(20\d\d|2100)-(0[1-9]|1[0-2])$")
_HALF_YEAR = re.compile(r"^(20\d\d)-([12])$")


class PeriodError(ValueError):
    """A period that cannot be read; the message is for the reader."""


@dataclass(frozen=True)
class Period:
    """A range of whole months, 'YYYY-MM' to 'YYYY-MM' inclusive, in Stockholm time."""

    start: str
    end: str

    def first_day(self) -> date:
        """The first calendar day of the period."""
        return date(int(self.start[:4]), int(self.start[5:]), 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as [start, end) instants, for timestamps."""
        first = self.first_day()
        start = datetime(first.year, first.month, 1, tzinfo=STOCKHOLM)
        after = self.last_day() + timedelta(days=1)
        end = datetime(after.year, after.month, 1, tzinfo=STOCKHOLM)
        # Stored timestamps are UTC; SQLite compares them as text, so the bounds must be UTC too.
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def words(self) -> str:
        """The period in Swedish words: 'juli–december 2026', 'mars 2025–juni 2026', 'maj 2026'."""
        return period_words(self.start, self.end)

    def months(self) -> list[str]:
        """Every month of the period, 'YYYY-MM', in order."""
        year, month = int(self.start[:4]), int(self.start[5:])
        months = []
        while f"{year:04d}-{month:02d}" <= self.end:
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def last_day(self) -> date:
        """The last calendar day of the period."""
        year, month = int(self.end[:4]), int(self.end[5:])
        return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def period_words(start: str, end: str) -> str:
    """'2026-03', '2026-04' -> 'mars–april 2026'."""
    first, last = MONTHS[int(start[5:]) - 1], MONTHS[int(end[5:]) - 1]
    if start == end:
        return f"{first} {start[:4]}"
    if start[:4] == end[:4]:
        return f"{first}–{last} {end[:4]}"
    return f"{first} {start[:4]}–{last} {end[:4]}"


def month_problem(value: str) -> str | None:
    """What is wrong with a typed 'YYYY-MM' month, or None."""
    if _MONTH.match(value):
        return None
    return f"”{value[:20]}” är inte en månad mellan 2000 och 2100. Skriv till exempel 2026-11."


def parse_period(start: str | None, end: str | None, default_end: str, default_start: str = "2000-01") -> Period:
    """A period from 'YYYY-MM' strings; a missing start is default_start, a missing end default_end (now)."""
    start = (start or default_start).strip()
    end = (end or default_end).strip()
    for value in (start, end):
        if problem := month_problem(value):
            raise PeriodError(problem)
    if start > end:
        raise PeriodError("Perioden börjar efter att den slutar.")
    return Period(start, end)



def half_year(value: str | None, current_month: str) -> Period:
    """A calendar half-year, 'YYYY-1' (January-June) or 'YYYY-2'; default the current one.

    Survey results are only shown for these fixed, non-overlapping periods: with free month ranges,
    March-April minus March would give April's few answers back.
    """
    if not value:
        value = f"{current_month[:4]}-{1 if int(current_month[5:]) <= 6 else 2}"
    match = _HALF_YEAR.match(value.strip())
    if not match:
        raise PeriodError(f"”{value[:20]}” är inte ett halvår. Välj ett halvår i listan.")
    year, half = match.group(1), match.group(2)
    return Period(f"{year}-01", f"{year}-06") if half == "1" else Period(f"{year}-07", f"{year}-12")


def current_half_year(current_month: str) -> Period:
    """The calendar half-year that holds the month: '2026-11' -> 2026-07 to 2026-12."""
    first = current_month[5:] <= "06"
    return Period(f"{current_month[:4]}-{'01' if first else '07'}", f"{current_month[:4]}-{'06' if first else '12'}")


def half_years(period: Period) -> list[Period] | None:
    """The calendar half-years a period is made of, or None unless it starts and ends on half-year bounds.

    Evaluation results are released per half-year (half_year above); any other period
    could be subtracted from an overlapping one to give a few people's answers back.
    """
    if period.start[5:] not in ("01", "07") or period.end[5:] not in ("06", "12"):
        return None
    halves, year, month = [], int(period.start[:4]), int(period.start[5:])
    while f"{year:04d}-{month:02d}" <= period.end:
        halves.append(Period(f"{year:04d}-{month:02d}", f"{year:04d}-{month + 5:02d}"))
        year, month = (year, 7) if month == 1 else (year + 1, 1)
    return halves


def half_year_options(first_year: int, current_month: str) -> list[tuple[str, str]]:
    """Every half-year from first_year up to now, newest first, as (value, Swedish label)."""
    options = []
    for year in range(int(current_month[:4]), first_year - 1, -1):
        for half, label in ((2, "juli–december"), (1, "januari–juni")):
            if year == int(current_month[:4]) and half == 2 and int(current_month[5:]) <= 6:
                continue
            options.append((f"{year}-{half}", f"{year}, {label}"))
    return options


def handles_bad_period(view):
    """Answer a bad period with a Swedish message and status 400 instead of an error (downloads and
    buttons; pages with a filter form show the form again instead, learning/filters.py)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except PeriodError as exc:
            return render_template("errors/error.html", title="Kontrollera perioden", text=str(exc), code=400), 400

    return wrapped
