"""Ending an account's access: its sessions and API tokens (deactivation, a changed role, leaving the city)."""

from __future__ import annotations

from sqlalchemy import update

from learning.accounts.models import User
from learning.api.models import ApiToken
from learning.extensions import db
from learning.timeutil import utcnow


def end_access(user: User) -> None:
    """End every session and API token of the account (inside the caller's write transaction)."""
    user.rotate_session_token()
    revoke_api_tokens(user.id)


def revoke_api_tokens(user_id: int) -> None:
    """Revoke every API token of the account that is still valid (inside the caller's write transaction)."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
