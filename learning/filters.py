"""Report filter forms: a bad period, förvaltning, status or half-year shows the same page again with the form,
the value as typed and the message at its field (status 400), instead of a separate error page."""

from __future__ import annotations

from collections.abc import Mapping

from learning.access import Scope, find_organisation, narrow
from learning.accounts.models import Organisation
from learning.formerrors import Errors
from learning.periods import Period, PeriodError, half_year, month_problem, parse_period


class Filters:
    """The filter values of one request, read field by field; what is wrong is kept in errors."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.errors = Errors()

    @property
    def status(self) -> int:
        """The HTTP status of the page: 400 when a value was refused."""
        return 400 if self.errors else 200

    def shown(self, name: str, value: str) -> str:
        """What a text field shows: the value as typed if it was refused, else the value in use."""
        return self.args.get(name, "")[:100] if name in self.errors else value

    def period(self, default_end: str, default_start: str = "2000-01") -> Period:
        """The period of fran/till; refused values leave the default period in use."""
        start, end = (self.args.get(name, "").strip() for name in ("fran", "till"))
        for name, value in (("fran", start), ("till", end)):
            if value and (problem := month_problem(value)):
                self.errors.add(name, problem)
        if not self.errors:
            try:
                return parse_period(start, end, default_end, default_start)
            except PeriodError as exc:  # starts after it ends (perhaps after the default end)
                self.errors.add("fran", str(exc))
        return parse_period(None, None, default_end, default_start)

    def half_year(self, current_month: str) -> Period:
        """The half-year of halvar; a refused one leaves the current half-year in use."""
        try:
            return half_year(self.args.get("halvar"), current_month)
        except PeriodError as exc:
            self.errors.add("halvar", str(exc))
            return half_year(None, current_month)

    def organisation(self, scope: Scope) -> tuple[Scope, Organisation | None]:
        """Narrow scope to the förvaltning chosen; an unknown code is refused (one outside the scope is a 403)."""
        code = self.args.get("forvaltning", "")
        if code and find_organisation(code) is None:
            self.errors.add("forvaltning", "Det finns ingen sådan förvaltning. Välj en förvaltning i listan.")
            return scope, None
        return narrow(scope, code)

    def choice(self, name: str, allowed: Mapping[str, str], message: str) -> str:
        """One of allowed's keys, or "" (all); any other value is refused with message."""
        value = self.args.get(name, "")
        if value and value not in allowed:
            self.errors.add(name, message)
            return ""
        return value
