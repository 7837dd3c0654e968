"""Reading an attendance list (a Teams export or a hand-made CSV): encodings, separators, column names."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from learning.staff.csvfile import SAVE_AS_CSV, SEPARATORS, StaffImportError, column_key, decode

# Folded header names (see column_key) as Teams writes them in Swedish and English, and as people type them.
NAME = {"namn", "fulltnamn", "fullstandigtnamn", "name", "fullname", "deltagare", "deltagarnamn", "participant"}
EMAIL = {"epost", "epostadress", "email", "emailaddress", "mejl", "mail", "upn", "participantidupn",
         "deltagaridupn"}
JOINED = {"anslutningstid", "forstaanslutning", "anslot", "jointime", "firstjoin", "timestamp", "tidsstampel",
          "ansluten"}
# Teams puts a summary section above the participant table; the header is looked for this far down.
HEADER_SEARCH_LINES = 40


class AttendanceFileError(ValueError):
    """A file that cannot be used as an attendance list at all; nothing was imported."""


@dataclass(frozen=True)
class AttendanceRow:
    """One person in the file; the e-mail address is lower-cased, or empty when the file has none."""

    line: int
    name: str
    email: str
    joined: str

    @property
    def person_key(self) -> str:
        """Who this is within one session: the e-mail address, else the name."""
        # Case folding can lengthen a name (ß -> ss): cut to the column's 254 characters.
        return self.email or ("namn:" + self.name.casefold())[:254]


def parse(data: bytes) -> list[AttendanceRow]:
    """Every person in the file, once each (Teams lists someone who rejoined several times)."""
    try:
        text = decode(data)
    except StaffImportError as exc:
        raise AttendanceFileError(str(exc)) from None
    lines = text.splitlines()
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        delimiter = max(SEPARATORS, key=line.count)
        header = next(csv.reader([line], delimiter=delimiter), [])
        keys = [column_key(name) for name in header]
        if any(k in NAME for k in keys) and any(k in EMAIL for k in keys):
            return _rows(lines, index, delimiter, keys)
    first = lines[0].strip()[:120] if lines else ""
    raise AttendanceFileError(
        "Filen är inte en närvarolista: den saknar kolumnerna namn och e-post. Första raden ska vara en rubrikrad "
        f"med till exempel Namn;E-post;Anslutningstid. Första raden i filen är: {first}. " + SAVE_AS_CSV)


def _rows(lines: list[str], header_index: int, delimiter: str, keys: list[str]) -> list[AttendanceRow]:
    name_at = next(i for i, k in enumerate(keys) if k in NAME)
    email_at = next(i for i, k in enumerate(keys) if k in EMAIL)
    joined_at = next((i for i, k in enumerate(keys) if k in JOINED), None)
    reader = csv.reader(io.StringIO("\n".join(lines[header_index + 1:])), delimiter=delimiter)
    found: dict[str, AttendanceRow] = {}
    problems = []
    try:
        for record in reader:
            line = header_index + 1 + reader.line_num
            if not any(value.strip() for value in record):
                # Teams ends the participant table with a blank line and starts another section.
                if found:
                    break
                continue
            value = lambda at: record[at].strip() if at is not None and at < len(record) else ""  # noqa: E731
            name, email, joined = value(name_at)[:200], value(email_at).lower(), value(joined_at)[:40]
            if email:
                try:
                    validate_email(email, check_deliverability=False)
                except EmailNotValidError:
                    problems.append(f"rad {line}: ”{email[:60]}” är inte en e-postadress")
                    continue
            if not name and not email:
                problems.append(f"rad {line}: varken namn eller e-postadress")
                continue
            row = AttendanceRow(line, (name or email)[:200], email[:254], joined)
            found.setdefault(row.person_key, row)
    except csv.Error:
        raise AttendanceFileError(f"Filen kunde inte läsas som CSV (rad {reader.line_num}). " + SAVE_AS_CSV) from None
    if problems:
        shown = "; ".join(problems[:5]) + (f" och {len(problems) - 5} till" if len(problems) > 5 else "")
        raise AttendanceFileError(f"Några rader går inte att läsa: {shown}. Rätta filen och läs in den igen.")
    if not found:
        raise AttendanceFileError("Filen har en rubrikrad men inga deltagare.")
    return list(found.values())
