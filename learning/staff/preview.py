"""What a staff-list import would change, shown before anything is written, and the check that the
confirmed import is the one that was shown."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from learning.staff import services
from learning.staff.csvfile import StaffImportError

SHOWN_NAMES = 30  # names listed per kind of change; the rest are counted


@dataclass(frozen=True)
class ImportPlan:
    """The people each kind of change would touch (names, sorted), and the active staff today."""

    created: list[str]
    updated: list[str]
    moved: list[str]
    deactivated: list[str]
    reactivated: list[str]
    active: int
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def many_leave(self) -> bool:
        """More than a tenth of the active staff would be marked as having left: ask a second time."""
        return len(self.deactivated) * 10 > self.active

    @property
    def changes(self) -> list[tuple[str, str, list[str]]]:
        """(key, Swedish heading, names) for each kind of change."""
        return [("created", "Nya i listan", self.created),
                ("updated", "Får nytt namn eller ny e-postadress", self.updated),
                ("moved", "Byter förvaltning, enhet eller roll", self.moved),
                ("deactivated", "Markeras som slutade", self.deactivated),
                ("reactivated", "Tillbaka efter att ha slutat", self.reactivated)]

    def fingerprint(self, data: bytes) -> str:
        """Ties a confirmation to this file and to the staff list as it was when the plan was shown."""
        digest = hashlib.sha256(data)
        for _key, _heading, names in self.changes:
            digest.update(("\x1f".join(names) + "\x1e").encode())
        return digest.hexdigest()[:32]


def plan(data: bytes, today) -> ImportPlan:
    """What importing the file today would do, with nothing written; raises StaffImportError like the import."""
    parsed = services.parse_file(data)
    members, current = services.current_staff()
    kinds: dict[str, list[str]] = {key: [] for key in ("created", "updated", "moved", "deactivated", "reactivated")}
    for row in parsed.rows:
        member = members.get(row.employee_id)
        if member is None:
            kinds["created"].append(row.name)
            continue
        if services.renamed(member, row):
            kinds["updated"].append(row.name)
        if not member.active:
            kinds["reactivated"].append(row.name)
        assignment = current.get(member.id)
        if assignment is not None and services.moved(assignment, row):
            kinds["moved"].append(row.name)
    kinds["deactivated"] = [m.name for m in members.values() if services.leaving(m, parsed)]
    active = sum(1 for m in members.values() if m.active)
    return ImportPlan(**{key: sorted(names, key=str.casefold) for key, names in kinds.items()}, active=active,
                      problems=parsed.problems)


def encode(data: bytes) -> str:
    """The file as text for the confirmation form's hidden field."""
    return base64.b64encode(data).decode("ascii")


def decode(text: str) -> bytes:
    """The file back from the hidden field; StaffImportError if it was damaged."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise StaffImportError("Filen kom inte fram hel. Välj filen och läs in den igen.") from None
