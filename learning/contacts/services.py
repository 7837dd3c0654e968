"""Setting contact texts and reading them for a learner, a förvaltning or the checklist of unset keys."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, or_, select

from learning.accounts.models import Organisation, User
from learning.contacts.models import EVERYWHERE, ContactValue
from learning.content.services import course_slugs, published_course
from learning.extensions import add_unique, db
from learning.transactions import write_transaction

MAX_TEXT = 500


class ContactError(ValueError):
    """A contact text that cannot be saved; the message is for the admin."""


@dataclass(frozen=True)
class ContactKey:
    """A key declared in a published course file, with what it stands for."""

    key: str
    label: str


def declared_keys() -> list[ContactKey]:
    """Every contact key the published courses declare, in the order they declare them."""
    seen: dict[str, str] = {}
    for slug in course_slugs():
        course = published_course(slug)
        for key, label in course.contacts if course else ():
            seen.setdefault(key, label)
    return [ContactKey(key, label) for key, label in seen.items()]


def labels() -> dict[str, str]:
    """What each declared key stands for, for the neutral sentence."""
    return {k.key: k.label for k in declared_keys()}


# Built once: every part page runs it, and building the statement costs more than running it.
_VALUES = select(ContactValue.key, ContactValue.scope, ContactValue.text).where(or_(
    ContactValue.scope == EVERYWHERE,
    ContactValue.scope == select(Organisation.code).where(Organisation.id == bindparam("organisation_id"))
    .scalar_subquery(),
))


def values_for(organisation_id: int | None) -> dict[str, str]:
    """The texts a learner in this förvaltning sees: its own where set, else the organisation's."""
    rows = db.session.execute(_VALUES, {"organisation_id": organisation_id}).all()
    values = {key: text for key, scope, text in rows if scope == EVERYWHERE}
    values.update({key: text for key, scope, text in rows if scope != EVERYWHERE})
    return values


CACHE_SECONDS = 5.0


def cached_values_for(organisation_id: int | None) -> dict[str, str]:
    """values_for, kept a few seconds per process: every part page needs them, and they are the same for a whole
    förvaltning (no personal data). A change shows at once in the process that saved it, within seconds elsewhere."""
    cache: dict = current_app.extensions.setdefault("contact_values", {})
    now = time.monotonic()
    hit = cache.get(organisation_id)
    if hit is None or hit[0] < now:
        if len(cache) > 1024:
            cache.clear()
        hit = cache[organisation_id] = (now + CACHE_SECONDS, values_for(organisation_id))
    return hit[1]


def request_values(user: User) -> dict[str, str]:
    """The contact texts for the signed-in user's förvaltning."""
    return cached_values_for(getattr(user, "organisation_id", None))


def all_values() -> dict[tuple[str, str], str]:
    """Every stored text by (key, scope), for the settings page."""
    return {(v.key, v.scope): v.text for v in db.session.scalars(select(ContactValue))}


def set_value(key: str, scope: str, text: str, user: User) -> None:
    """Save a key's text for the whole organisation (EVERYWHERE) or one förvaltning; empty text removes it."""
    _save(key, scope, text, user)
    current_app.extensions.pop("contact_values", None)  # this process shows the change at once


@write_transaction
def _save(key: str, scope: str, text: str, user: User) -> None:
    if key not in {k.key for k in declared_keys()}:
        raise ContactError("Välj en kontakt som finns i kursen.")
    if scope != EVERYWHERE and db.session.scalar(select(Organisation.id).filter_by(code=scope)) is None:
        raise ContactError("Välj hela organisationen eller en förvaltning som finns.")
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        raise ContactError(f"Texten får vara högst {MAX_TEXT} tecken.")
    row = db.session.scalar(select(ContactValue).filter_by(key=key, scope=scope))
    if not text:
        if row is not None:
            db.session.delete(row)
    elif row is not None:
        row.text, row.updated_by_id = text, user.id
    elif not add_unique(ContactValue(key=key, scope=scope, text=text, updated_by_id=user.id)):
        row = db.session.scalar(select(ContactValue).filter_by(key=key, scope=scope))  # saved at the same moment
        row.text, row.updated_by_id = text, user.id


@dataclass(frozen=True)
class Unset:
    """A förvaltning and the contact keys its learners see no text for."""

    organisation: Organisation
    keys: list[ContactKey]


def unset_by_organisation() -> list[Unset]:
    """For each active förvaltning, the declared keys with neither its own nor an organisation-wide text."""
    keys = declared_keys()
    stored = set(all_values())
    result = []
    for organisation in db.session.scalars(select(Organisation).filter_by(active=True).order_by(Organisation.name)):
        missing = [k for k in keys if (k.key, EVERYWHERE) not in stored and (k.key, organisation.code) not in stored]
        if missing:
            result.append(Unset(organisation, missing))
    return result
