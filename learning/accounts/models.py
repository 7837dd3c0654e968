"""Accounts, the organisation list and HR scopes."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.extensions import db
from learning.timeutil import utcnow

ORG_ROLES = {"medarbetare": "Medarbetare", "chef": "Chef", "hr": "HR"}
GENDERS = {"kvinna": "Kvinna", "man": "Man", "annat": "Annat", "vill_ej_ange": "Vill ej ange"}
PLATFORM_ROLES = {
    "learner": "Deltagare",
    "hr": "HR (egna förvaltningar)",
    "coordinator": "Samordnare",
    "editor": "Redaktör",
    "admin": "Administratör",
}


class Organisation(db.Model):
    """A förvaltning or company, synchronised from the organisation list in config."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(UserMixin, db.Model):
    """A person's account: local (e-mail and password), from the identity provider, or both."""

    __tablename__ = "users"
    # Covering index for the reports' "registered" count (accounts per förvaltning created before a date).
    __table_args__ = (Index("ix_users_org_created", "organisation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    org_role: Mapped[str] = mapped_column(String(20), default="medarbetare")
    gender: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Self-registered accounts must prove they own the address before they can sign in.
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie: changing it (on a new password) signs out every other session.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The identity provider's subject ("sub", or Entra's "oid") for accounts that sign in with the city's
    # identity provider: the key to the person, since addresses change. Such accounts may have no password.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    hr_scopes: Mapped[list[HrScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in for disabled accounts
        return not self.disabled

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and remember cookie."""
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        """Invalidate every session and remember cookie issued so far."""
        self.session_token = secrets.token_hex(16)

    def has_role(self, *roles: str) -> bool:
        """True if the platform role is one of roles; admins have every role."""
        return self.role == "admin" or self.role in roles


class HrScope(db.Model):
    """One förvaltning whose staff an HR user may see."""

    __tablename__ = "hr_scopes"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))

    user: Mapped[User] = relationship(back_populates="hr_scopes")
    organisation: Mapped[Organisation] = relationship()
