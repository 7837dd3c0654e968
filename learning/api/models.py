"""Personal API tokens: only a SHA-256 digest of the secret is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import User
from learning.extensions import db
from learning.timeutil import utcnow


class ApiToken(db.Model):
    """A bearer token a coordinator made for a follow-up tool; shown once, then only its digest is known."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # A fast hash is enough: the secret is 256 random bits, not a password someone chose.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The owner's platform role and HR scope when the token was made (learning.api.services.access_of): a token
    # whose owner's access has changed since then stops working rather than follow the new access.
    granted_access: Mapped[str] = mapped_column(String(2000), default="")

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None
