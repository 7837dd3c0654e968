"""Accounts from the identity provider's claims: found by subject, placed from the staff list, leavers refused."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from learning.accounts.models import ORG_ROLES, Organisation, User
from learning.accounts.services import email_domain_allowed, normalise_email
from learning.extensions import add_unique, db
from learning.staff.models import StaffAssignment, StaffMember
from learning.staff.services import LEFT_MESSAGE
from learning.transactions import lock, write_transaction


class SignInRefused(Exception):
    """A sign-in through the identity provider that must not go through; the message is for the person."""


@dataclass(frozen=True)
class Identity:
    """What the identity provider says about the person signing in."""

    subject: str
    email: str
    name: str
    employee_id: str | None = None
    organisation: str | None = None  # a förvaltning's code or name, from a configured claim
    org_role: str | None = None
    # The address may stand for the person's local account: in one of the city's domains, and not marked
    # unverified by the provider (a guest's or self-chosen address must not take over somebody's account).
    email_trusted: bool = False


def _claim(claims: Mapping, name: str) -> str | None:
    value = claims.get(name) if name else None
    return str(value).strip() or None if value is not None else None


def identity_from(claims: Mapping) -> Identity:
    """The identity in a verified ID token's claims, read with the configured claim names."""
    config = current_app.config
    subject = _claim(claims, config["OIDC_SUBJECT_CLAIM"])
    email = _claim(claims, config["OIDC_EMAIL_CLAIM"]) or _claim(claims, "preferred_username")
    if not subject or not email or "@" not in email:
        raise SignInRefused("Ditt jobbkonto skickade inte med någon e-postadress eller identitet, så vi kan inte "
                            "logga in dig. Kontakta IT-supporten.")
    return Identity(
        subject=subject[:255], email=normalise_email(email)[:254],
        name=(_claim(claims, config["OIDC_NAME_CLAIM"]) or email)[:200],
        employee_id=_claim(claims, config["OIDC_EMPLOYEE_ID_CLAIM"]),
        organisation=_claim(claims, config["OIDC_ORGANISATION_CLAIM"]),
        org_role=_claim(claims, config["OIDC_ORG_ROLE_CLAIM"]),
        email_trusted=claims.get("email_verified") is not False
        and email_domain_allowed(email, config["ALLOWED_EMAIL_DOMAINS"]),
    )


@write_transaction
def sign_in(identity: Identity) -> User:
    """The person's account, created on their first sign-in or linked to their local account, kept up to date.

    Raises SignInRefused for a person the staff list says has left, and for a deactivated account.
    """
    # Two first sign-ins at once (a double click) create one account: the second waits and finds it.
    lock("sso-subject", zlib.crc32(identity.subject.encode()) & 0x7FFFFFFF)
    staff = _staff_member(identity)
    if staff is not None and not staff.active:
        raise SignInRefused(LEFT_MESSAGE)
    user = db.session.scalar(select(User).filter_by(oidc_subject=identity.subject))
    if user is None:
        user = _link_or_create(identity)
    elif user.email != identity.email:
        taken = db.session.scalar(select(User.id).where(User.email == identity.email, User.id != user.id))
        if taken is None:  # an address someone else's account has stays where it is
            user.email = identity.email
        else:
            current_app.logger.warning("SSO: account %s keeps its address; %s belongs to account %s",
                                       user.id, identity.email, taken)
    if user.disabled:
        raise SignInRefused("Ditt konto är avstängt. Kontakta administratören om du behöver komma åt det.")
    user.name = identity.name
    _place(user, identity, staff)
    return user


def _staff_member(identity: Identity) -> StaffMember | None:
    """The person in the staff list: by employee id when the provider sends one, else by address."""
    if identity.employee_id:
        member = db.session.scalar(select(StaffMember).filter_by(employee_id=identity.employee_id))
        if member is not None:
            return member
    # Several rows with one address (an old and a new employment): the one still employed, else the latest.
    return db.session.scalar(select(StaffMember).where(StaffMember.email == identity.email)
                             .order_by(StaffMember.active.desc(), StaffMember.id.desc()).limit(1))


def _link_or_create(identity: Identity) -> User:
    existing = db.session.scalar(select(User).where(User.email == identity.email))
    if existing is not None:
        if existing.oidc_subject is not None or not identity.email_trusted:
            raise SignInRefused("Det finns redan ett konto med din e-postadress som vi inte kan koppla till ditt "
                                "jobbkonto. Kontakta administratören.")
        # The same address, proven by the city's identity provider: the local account becomes this person's,
        # with its history. One that was never confirmed may have been made by someone else: its password goes.
        if not existing.email_confirmed:
            existing.password_hash = ""
            existing.email_confirmed = True
            existing.rotate_session_token()
        existing.oidc_subject = identity.subject
        return existing
    user = User(email=identity.email, name=identity.name, password_hash="", oidc_subject=identity.subject,
                email_confirmed=True)
    if not add_unique(user):
        raise SignInRefused("Kontot kunde inte skapas just nu. Försök igen om en stund.")
    return user


def _place(user: User, identity: Identity, staff: StaffMember | None) -> None:
    """Förvaltning and role from the staff list, else from the provider's claims, else as the person chose."""
    assignment = None
    if staff is not None:
        staff.user_id = user.id
        assignment = db.session.scalar(select(StaffAssignment).where(
            StaffAssignment.staff_id == staff.id, StaffAssignment.valid_to.is_(None))
            .order_by(StaffAssignment.id.desc()).limit(1))
    if assignment is not None:
        user.organisation_id, user.org_role = assignment.organisation_id, assignment.org_role
        return
    if identity.organisation:
        wanted = identity.organisation.casefold()
        organisation = db.session.scalar(select(Organisation).where(
            Organisation.active.is_(True),
            (func.lower(Organisation.code) == wanted) | (func.lower(Organisation.name) == wanted)))
        if organisation is not None:
            user.organisation = organisation
    if identity.org_role and identity.org_role.casefold() in ORG_ROLES:
        user.org_role = identity.org_role.casefold()


def needs_placement(user: User) -> bool:
    """True for an account from the identity provider that knows no förvaltning yet (the person picks once)."""
    return user.oidc_subject is not None and user.organisation_id is None
