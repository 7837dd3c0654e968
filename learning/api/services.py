"""API tokens (create, list, revoke, authenticate) and the dashboard's figures as JSON-ready dicts.

The figures come from learning.reports.services.dashboard, so the API shows exactly what the
dashboard shows, with the same small groups hidden: a hidden number is None next to "hidden": True.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from werkzeug.exceptions import Forbidden, NotFound

from learning.access import Scope, narrow, report_scope
from learning.accounts.models import GENDERS, ORG_ROLES, Organisation, User
from learning.api.models import ApiToken
from learning.api.openapi import MONTH_PATTERN
from learning.content.services import PublishedCourse
from learning.extensions import db
from learning.periods import Period, PeriodError, parse_period
from learning.reports.services import Dashboard, OrgRow
from learning.timeutil import local, stockholm_month, utcnow
from learning.transactions import write_transaction

MONTH = re.compile(MONTH_PATTERN)  # the OpenAPI pattern; fullmatch also refuses a trailing newline
PREFIX = "lrn_"
MAX_NAME = 100
TOUCH_EVERY = timedelta(minutes=1)
FIGURES = ("registered", "started", "completed", "completion_rate", "staff", "covered", "coverage", "covered_ever")


class TokenError(ValueError):
    """A token that cannot be made; the message is for the reader."""


class ApiError(Exception):
    """A request the API refuses: an HTTP status and a Swedish message for the caller."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def digest(secret: str) -> str:
    """The stored form of a token: SHA-256 of the secret, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


@write_transaction
def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for a coordinator or admin; returns it with its secret, which is never stored."""
    if not user.has_role("coordinator"):
        raise TokenError("Bara samordnare och administratörer kan skapa API-nycklar.")
    name = (name or "").strip()
    if not name:
        raise TokenError("Fyll i ett namn på nyckeln.")
    if len(name) > MAX_NAME:
        raise TokenError(f"Skriv högst {MAX_NAME} tecken.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(secret), granted_access=access_of(user))
    db.session.add(token)
    return token, secret


def access_of(user: User) -> str:
    """The user's platform role and, for HR, the förvaltningar they may see, as one comparable text."""
    if user.role != "hr":
        return user.role
    return "hr:" + ",".join(str(i) for i in sorted(s.organisation_id for s in user.hr_scopes))


def tokens_of(user_id: int) -> list[ApiToken]:
    """A user's tokens: active ones first, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())))


@write_transaction
def revoke_token(user_id: int, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; None if they have no such token."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def authenticate(header: str | None) -> User:
    """The user behind an 'Authorization: Bearer <token>' header; ApiError(401) otherwise."""
    scheme, _, secret = (header or "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise ApiError(401, "Ange en API-nyckel i huvudet Authorization: Bearer <nyckel>.")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None:
        raise ApiError(401, "API-nyckeln är ogiltig.")
    if token.revoked_at is not None:
        raise ApiError(401, "API-nyckeln är återkallad.")
    if token.user.disabled:
        raise ApiError(401, "Kontot som API-nyckeln hör till är avstängt.")
    if token.granted_access != access_of(token.user):
        raise ApiError(401, "API-nyckeln gäller inte längre: behörigheten för kontot den hör till har ändrats "
                            "sedan nyckeln skapades. Skapa en ny nyckel.")
    now = utcnow()
    # Written at most once a minute per token: a follow-up tool's burst of calls is not a burst of writes.
    if token.last_used_at is None or local(token.last_used_at) < now - TOUCH_EVERY:
        _touch(token.id, now)
    return token.user


@write_transaction
def _touch(token_id: int, now: datetime) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
                       .execution_options(synchronize_session=False))


def scope_of(user: User) -> Scope:
    """The user's report scope (learning.access.report_scope), as ApiError(403) instead of a page."""
    try:
        return report_scope(user)
    except Forbidden:
        raise ApiError(403, "Kontot som API-nyckeln hör till har inte behörighet till rapporterna.") from None


def narrow_scope(scope: Scope, organisation_code: str | None) -> tuple[Scope, Organisation | None]:
    """learning.access.narrow with JSON-ready errors: 404 for an unknown code, 403 outside the scope."""
    try:
        return narrow(scope, organisation_code)
    except NotFound:
        raise ApiError(404, "Förvaltningen finns inte.") from None
    except Forbidden:
        raise ApiError(403, "Du har inte behörighet till den förvaltningen.") from None


def period(start: str | None, end: str | None, default: Period | None = None) -> Period:
    """The period, read strictly: a month is exactly YYYY-MM; empty or absent means the default (the
    dashboard's, from the start until this month, unless another is given)."""
    # The dashboard forgives spaces around a typed month; a program gets told, as the OpenAPI pattern says.
    for value in (start, end):
        if value and not MONTH.fullmatch(value):
            raise PeriodError(f"”{value[:20]}” är inte en månad mellan 2000 och 2100. Skriv till exempel 2026-11.")
    if default is not None:
        return parse_period(start, end, default.end, default.start)
    return parse_period(start, end, stockholm_month())


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def figures(row: OrgRow) -> dict:
    """The figures of one table row; all None when the row describes too few people."""
    if row.hidden:
        return {**dict.fromkeys(FIGURES), "hidden": True}
    return {
        "registered": row.registered,
        "started": row.started,
        "completed": row.completed,
        "completion_rate": _number(row.completion_rate),
        "staff": row.staff,
        # As in the CSV and XLSX: without staff figures there is nothing to be covered.
        "covered": row.covered if row.staff else None,
        "coverage": _number(row.coverage),
        "covered_ever": row.covered_ever if row.staff else None,
        "hidden": False,
    }


def _header(course: PublishedCourse, board: Dashboard, organisation: Organisation | None) -> dict:
    return {
        "course": {"slug": course.slug, "title": course.title},
        "period": {"fran": board.period.start, "till": board.period.end},
        "forvaltning": {"code": organisation.code, "name": organisation.name} if organisation else None,
    }


def _breakdown(pairs: list[tuple[str, int | None]], labels: dict[str, str]) -> list[dict]:
    keys = {label: key for key, label in labels.items()}
    return [{"key": keys.get(label), "label": label, "completed": n, "hidden": n is None} for label, n in pairs]


def participation(course: PublishedCourse, board: Dashboard, organisation: Organisation | None) -> dict:
    """Totals, passed per part, completions per role, gender and month, as on the dashboard."""
    parts = [{"slug": part.slug, "title": title, "passed": n, "hidden": n is None, "voided": voided}
             for part, (title, n, voided) in zip(course.required_parts, board.parts, strict=True)]
    return {
        **_header(course, board, organisation),
        "totals": figures(board.total),
        "parts": parts,
        "by_role": _breakdown(board.by_role, ORG_ROLES),
        "by_gender": _breakdown(board.by_gender, GENDERS),
        "trend": [{"month": month, "completed": n, "hidden": n is None} for month, n in board.trend],
    }


def completion(course: PublishedCourse, board: Dashboard, organisation: Organisation | None) -> dict:
    """The per-förvaltning table with its total row, as on the dashboard and in the exports."""
    ids = [row.organisation_id for row in board.rows]
    codes = dict(db.session.execute(select(Organisation.id, Organisation.code).where(Organisation.id.in_(ids))).all())
    return {
        **_header(course, board, organisation),
        "rows": [{"forvaltning": codes[row.organisation_id], "name": row.name, **figures(row)} for row in board.rows],
        "total": {"forvaltning": None, "name": board.total.name, **figures(board.total)},
    }


def quiz(course: PublishedCourse, parts: list) -> dict:
    """Quiz analysis as JSON; figures behind fewer than five people are null."""
    return {
        "course": {"slug": course.slug, "title": course.title},
        "parts": [{
            "slug": part.slug, "title": part.title, "learners": part.learners,
            "first_attempt_pass_rate": _number(part.first_attempt_pass_rate),
            "mean_attempts_to_pass": _number(part.mean_attempts_to_pass),
            "passed": part.passed, "voided": part.voided, "earlier_attempts": part.earlier_attempts,
            "questions": [{"text": q.text, "answered": q.answered, "share_correct": _number(q.share_correct)}
                          for q in part.questions],
        } for part in parts],
    }
