"""Accounts: sign-up, sign-in, passwords, roles and the organisation list."""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update

from learning.accounts.models import GENDERS, ORG_ROLES, PLATFORM_ROLES, HrScope, Organisation, User
from learning.accounts.revoke import end_access, revoke_api_tokens
from learning.extensions import add_unique, db
from learning.staff.services import link_accounts
from learning.transactions import lock, write_transaction

def _hasher() -> PasswordHasher:
    """The app's Argon2 hasher; its cost comes from config (tests use a cheap one)."""
    hasher = current_app.extensions.get("password_hasher")
    if hasher is None:
        hasher = PasswordHasher(**current_app.config["PASSWORD_HASH_PARAMS"])
        current_app.extensions["password_hasher"] = hasher
        # Verified against when the e-mail is unknown, so a wrong address costs as much as a wrong password.
        current_app.extensions["dummy_hash"] = hasher.hash(secrets.token_hex(16))
    return hasher


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is for the user."""


class AddressTaken(AccountError):
    """There is already an account with this address (sign-up says so by mail only, never on the page)."""


@dataclass(frozen=True)
class NewUser:
    """What is needed to create an account."""

    email: str
    name: str
    password: str
    organisation_code: str | None = None
    org_role: str = "medarbetare"
    gender: str | None = None
    role: str = "learner"
    must_change_password: bool = False
    email_confirmed: bool = True


def normalise_email(email: str) -> str:
    """E-mail addresses are compared without case and surrounding space."""
    return email.strip().lower()


def email_domain_allowed(email: str, domains: list[str]) -> bool:
    """True if the address belongs to one of the allowed domains."""
    return normalise_email(email).rpartition("@")[2] in {d.lower() for d in domains}


def create_user(new: NewUser) -> User:
    """Create an account; raises AccountError for a taken address or unknown values."""
    if new.org_role not in ORG_ROLES or new.role not in PLATFORM_ROLES:
        raise AccountError("Okänd roll.")
    if new.gender is not None and new.gender not in GENDERS:
        raise AccountError("Okänt värde för kön.")
    # Hashing takes a tenth of a second on purpose: done before the write transaction, not while holding it.
    user = _insert_user(new, _hasher().hash(new.password))
    # A transaction of its own, after the account is committed, so that a staff import running at the same
    # time (which links after its own commit) and this account always meet: whichever links last sees both
    # rows. A crash in between leaves the account unlinked until the next staff import links everyone.
    link_accounts(user.email)
    return user


@write_transaction
def _insert_user(new: NewUser, password_hash: str) -> User:
    organisation = None
    if new.organisation_code is not None:
        organisation = db.session.scalar(
            select(Organisation).filter_by(code=new.organisation_code, active=True))
        if organisation is None:
            raise AccountError("Välj en förvaltning i listan.")
    user = User(
        email=normalise_email(new.email), name=new.name.strip(), password_hash=password_hash,
        organisation=organisation, org_role=new.org_role, gender=new.gender, role=new.role,
        must_change_password=new.must_change_password, email_confirmed=new.email_confirmed,
    )
    if not add_unique(user):
        raise AddressTaken("Det finns redan ett konto med den e-postadressen. Logga in i stället.")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None; rehashes outdated password hashes."""
    user = db.session.scalar(select(User).filter_by(email=normalise_email(email)))
    try:
        _hasher().verify(user.password_hash if user else current_app.extensions["dummy_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        _store_rehash(user.id, user.password_hash, _hasher().hash(password))
    return user


@write_transaction
def _store_rehash(user_id: int, seen_hash: str, new_hash: str) -> None:
    # Only over the hash that was verified: a password changed meanwhile is not overwritten with the old one.
    db.session.execute(update(User).where(User.id == user_id, User.password_hash == seen_hash)
                       .values(password_hash=new_hash).execution_options(synchronize_session=False))


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one."""
    seen_hash = user.password_hash
    try:
        _hasher().verify(seen_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("Det nuvarande lösenordet stämmer inte.") from None
    if current == new:
        raise AccountError("Välj ett nytt lösenord som skiljer sig från det gamla.")
    _set_password(user.id, seen_hash, _hasher().hash(new),
                  "Lösenordet har just bytts på annat håll. Logga in igen och försök på nytt.")


@write_transaction
def _set_password(user_id: int, seen_hash: str, new_hash: str, changed_meanwhile: str,
                  confirm_email: bool = False) -> User:
    """Replace the hash that was checked outside the transaction; AccountError if it changed since."""
    user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None or user.password_hash != seen_hash:
        raise AccountError(changed_meanwhile)
    user.password_hash = new_hash
    if confirm_email:
        user.email_confirmed = True  # a reset link itself proves the address
    user.must_change_password = False
    user.rotate_session_token()
    return user


def ensure_admin(email: str = "admin@malmo.se") -> str | None:
    """On an empty database, create an admin with a one-time password and return it."""
    if db.session.scalar(select(func.count(User.id))):
        return None
    password = secrets.token_urlsafe(12)
    create_user(NewUser(email=email, name="Administratör", password=password, role="admin",
                        must_change_password=True))
    return password


def load_organisation_file(path: Path) -> list[tuple[str, str]]:
    """(code, name) pairs from an organisation list in TOML."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pairs = [(str(o["code"]), str(o["name"])) for o in data.get("organisations", [])]
    if not pairs or len({c for c, _ in pairs}) != len(pairs):
        raise AccountError(f"{path}: organisationslistan är tom eller har samma kod två gånger.")
    return pairs


@write_transaction
def sync_organisations(pairs: list[tuple[str, str]]) -> None:
    """Make the organisations table match the list; unlisted ones become inactive, never deleted."""
    lock("organisations", 0)
    existing = {o.code: o for o in db.session.scalars(select(Organisation))}
    listed = dict(pairs)
    for code, name in pairs:
        org = existing.get(code)
        if org is None:
            db.session.add(Organisation(code=code, name=name, active=True))
        else:
            org.name, org.active = name, True
    for code, org in existing.items():
        if code not in listed:
            org.active = False


def organisations(active_only: bool = True) -> list[Organisation]:
    """Organisations in alphabetical order."""
    query = select(Organisation).order_by(Organisation.name)
    if active_only:
        query = query.where(Organisation.active.is_(True))
    return list(db.session.scalars(query))


@write_transaction
def set_roles(user_id: int, role: str, scope_codes: list[str]) -> User:
    """Set a user's platform role and, for HR, the förvaltningar they may see."""
    user = db.session.get(User, user_id, with_for_update=True)  # two admins at once: one after the other
    if user is None:
        raise AccountError("Användaren finns inte.")
    if role not in PLATFORM_ROLES:
        raise AccountError("Okänd roll.")
    scopes = list(db.session.scalars(select(Organisation).where(Organisation.code.in_(scope_codes))))
    if len(scopes) != len(set(scope_codes)):
        raise AccountError("Okänd förvaltning i behörigheten.")
    if role == "hr" and not scopes:
        raise AccountError("En HR-roll behöver minst en förvaltning.")
    before = (user.role, sorted(s.organisation_id for s in user.hr_scopes))
    user.role = role
    wanted = {o.id: o for o in scopes} if role == "hr" else {}
    # Change the scope rows by difference so the unique (user, organisation) pair is never inserted twice.
    for scope in list(user.hr_scopes):
        if scope.organisation_id not in wanted:
            user.hr_scopes.remove(scope)
    have = {s.organisation_id for s in user.hr_scopes}
    user.hr_scopes.extend(HrScope(organisation=o) for oid, o in wanted.items() if oid not in have)
    if before != (role, sorted(wanted)):
        revoke_api_tokens(user.id)  # made for the old access: demoted and promoted back, they stay dead
    return user


@write_transaction
def set_disabled(user_id: int, disabled: bool) -> User:
    """Deactivate an account (every session and API token ends) or open it again."""
    user = db.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise AccountError("Användaren finns inte.")
    if disabled and not user.disabled:
        end_access(user)
    user.disabled = disabled
    return user


def list_users(search: str = "", limit: int = 200) -> list[User]:
    """Users matching a name or e-mail search, alphabetically."""
    query = select(User).order_by(User.name)
    if search.strip():
        term = search.strip().lower()
        query = query.where(func.lower(User.name).contains(term, autoescape=True)
                            | User.email.contains(term, autoescape=True))
    return list(db.session.scalars(query.limit(limit)))


@write_transaction
def update_profile(user: User, name: str, organisation_code: str, org_role: str, gender: str | None) -> None:
    """Change the learner's own profile fields."""
    organisation = db.session.scalar(select(Organisation).filter_by(code=organisation_code, active=True))
    if organisation is None:
        raise AccountError("Välj en förvaltning i listan.")
    if org_role not in ORG_ROLES or (gender is not None and gender not in GENDERS):
        raise AccountError("Välj ett av alternativen i listan.")
    user.name, user.organisation, user.org_role, user.gender = name.strip(), organisation, org_role, gender


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"accounts.{purpose}")


def confirmation_token(user: User) -> str:
    """A link token proving the holder received mail at the user's address."""
    return _serializer("confirm").dumps({"id": user.id, "email": user.email})


def _link_user(purpose: str, token: str, max_age: int, expired: str, invalid: str, still_valid) -> User:
    """The user a signed link was made for, if it is unexpired and still_valid(user, data) holds."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError(expired) from None
    except BadSignature:
        raise AccountError(invalid) from None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or not still_valid(user, data):
        raise AccountError(invalid)
    return user


@write_transaction
def confirm_email(token: str) -> User:
    """Mark the address as confirmed; raises AccountError for a broken or expired link."""
    user = _link_user("confirm", token, current_app.config["CONFIRM_EMAIL_MAX_AGE"],
                      "Länken har gått ut. Logga in så skickar vi en ny.",
                      "Länken är inte giltig. Kontrollera att du kopierade hela länken.",
                      lambda user, data: user.email == data.get("email"))
    user.email_confirmed = True
    return user


def reset_token(user: User) -> str:
    """A single-use link token for choosing a new password: it dies when the password changes."""
    return _serializer("reset").dumps({"id": user.id, "pw": user.password_hash[-16:]})


def reset_password(token: str, new: str) -> User:
    """Set a new password from a reset link; every other session ends."""
    invalid = "Länken är inte giltig eller redan använd. Be om en ny länk."
    user = _link_user("reset", token, current_app.config["RESET_PASSWORD_MAX_AGE"],
                      "Länken har gått ut. Be om en ny länk.", invalid,
                      lambda user, data: not user.disabled and user.password_hash[-16:] == data.get("pw"))
    # The link dies with the hash it was made for: the same link sent twice at once sets one password.
    return _set_password(user.id, user.password_hash, _hasher().hash(new), invalid, confirm_email=True)


def user_by_email(email: str) -> User | None:
    """The active account with this address, if any."""
    user = db.session.scalar(select(User).filter_by(email=normalise_email(email)))
    return user if user is not None and not user.disabled else None
