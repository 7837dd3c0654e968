"""Who may see which förvaltningar in reports: enforced in every report query through a scope."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from learning.accounts.models import Organisation, User
from learning.extensions import db

Scope = frozenset[int] | None  # None: the whole organisation


def report_scope(user: User) -> Scope:
    """Coordinators and admins see everything; HR their förvaltningar; everyone else gets 403."""
    if user.has_role("coordinator"):
        return None
    if user.role == "hr":
        return frozenset(s.organisation_id for s in user.hr_scopes)
    abort(403)


def narrow(scope: Scope, organisation_code: str | None) -> tuple[Scope, Organisation | None]:
    """Limit a scope to one förvaltning chosen by code; 403 if it lies outside the user's scope."""
    if not organisation_code:
        return scope, None
    organisation = find_organisation(organisation_code)
    if organisation is None:
        abort(404)
    if scope is not None and organisation.id not in scope:
        abort(403)
    return frozenset({organisation.id}), organisation


def find_organisation(code: str) -> Organisation | None:
    """The förvaltning with this code, or None."""
    return db.session.scalar(select(Organisation).filter_by(code=code))


def visible_organisations(scope: Scope) -> list[Organisation]:
    """The förvaltningar a user may pick from."""
    query = select(Organisation).order_by(Organisation.name)
    if scope is not None:
        query = query.where(Organisation.id.in_(scope))
    return list(db.session.scalars(query))


def role_required(*roles: str):
    """Only users with one of these platform roles (admins always); others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
