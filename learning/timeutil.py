"""Time in UTC for storage, Swedish formats in Europe/Stockholm for display."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def local(value: datetime) -> datetime:
    """The value in Stockholm time; naive values (as SQLite returns them) are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(STOCKHOLM)


def format_date(value: datetime | date | None) -> str:
    """'21 november 2026' in Stockholm time (a plain date is taken as it is)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """'21 november 2026 kl. 14.05' in Stockholm time."""
    if value is None:
        return ""
    return f"{format_date(value)} kl. {local(value):%H.%M}"


def stockholm_today():
    """Today's date in Stockholm."""
    return local(utcnow()).date()


def stockholm_month(value: datetime | None = None) -> str:
    """'2026-11': the month in Stockholm of value (default now)."""
    return f"{local(value or utcnow()):%Y-%m}"


def completed_month_default(context) -> str:
    """Column default: the Stockholm month of the row's completed_at."""
    return stockholm_month(context.get_current_parameters().get("completed_at"))
