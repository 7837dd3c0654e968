"""Reading the HR system's staff list: encodings, separators, Swedish column names and row checks."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from learning.accounts.models import ORG_ROLES

# Column keys as they are compared: folded case, no accents, no spaces or hyphens ("E-post" -> "epost").
COLUMNS = {
    "anstallningsnummer": "anställningsnummer",
    "namn": "namn",
    "epost": "e-post",
    "forvaltning": "förvaltning",
    "enhet": "enhet",
    "roll": "roll",
}
MISSING = {
    "anstallningsnummer": "Anställningsnummer saknas.",
    "namn": "Namn saknas.",
    "epost": "E-postadress saknas.",
    "forvaltning": "Förvaltning saknas.",
    "roll": "Roll saknas.",
}
# The widths of the staff tables' columns: a longer value would be refused by PostgreSQL.
MAX_LENGTH = {"anstallningsnummer": 40, "namn": 200, "epost": 254, "enhet": 200}
LABELS = {"anstallningsnummer": "Anställningsnumret", "namn": "Namnet", "epost": "E-postadressen",
          "enhet": "Enhetens namn"}
SEPARATORS = (";", ",", "\t")
# Control characters other than tab and line breaks: a file holding them is binary, whatever its name says.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SAVE_AS_CSV = "Spara listan som CSV i Excel (”CSV UTF-8” eller ”CSV (semikolonavgränsad)”) och försök igen."


class StaffError(ValueError):
    """A request about the staff list that cannot be carried out; the message is for the user."""


class StaffImportError(StaffError):
    """A file that cannot be used as a staff list at all; nothing was imported."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class StaffRow:
    """One usable row of the file, with values checked and normalised."""

    line: int
    employee_id: str
    name: str
    email: str
    organisation_id: int
    unit: str
    org_role: str


@dataclass(frozen=True)
class ParsedFile:
    """The usable rows, the problems by line, and every employee id the file mentions."""

    rows: list[StaffRow]
    problems: list[tuple[int, str]]
    # Includes ids on unusable rows: a typo in someone's row must not mark them as having left.
    mentioned: frozenset[str]


def column_key(name: str) -> str:
    """A header name as compared: 'Förvaltning ' and 'forvaltning' are the same column."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(c for c in decomposed if c.isalnum())


def decode(data: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 as older Excel saves."""
    if data.startswith(b"PK\x03\x04"):
        raise StaffImportError("Filen är en Excel-arbetsbok, inte en CSV-fil. " + SAVE_AS_CSV)
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # Excel's "Unicode text"
    text = None
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or CONTROL.search(text):
        raise StaffImportError("Filen är inte en textfil. " + SAVE_AS_CSV)
    if not text.strip():
        raise StaffImportError("Filen är tom.")
    return text


def parse(data: bytes, organisations: dict[str, int]) -> ParsedFile:
    """Read and check every row; organisations maps folded codes and names to ids."""
    text = decode(data)
    first_line = text.splitlines()[0]
    skip = 0
    # Excel writes and honours a first line "sep=;" naming the separator.
    if first_line.strip().casefold().startswith("sep=") and len(first_line.strip()) == 5:
        delimiter, skip = first_line.strip()[4], 1
    else:
        delimiter = max(SEPARATORS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _ in range(skip):
            next(reader)
        header = next(reader)
        positions = _positions(header)
        return _read_rows(reader, positions, len(header), organisations)
    except csv.Error as exc:
        raise StaffImportError(f"Filen kunde inte läsas som CSV (rad {reader.line_num}). " + SAVE_AS_CSV) from exc
    except StopIteration:
        raise StaffImportError("Filen har bara en rubrikrad och inga anställda.") from None


def _positions(header: list[str]) -> dict[str, int]:
    keys = [column_key(name) for name in header]
    missing = [COLUMNS[key] for key in COLUMNS if key not in keys]
    if missing:
        raise StaffImportError(
            "Filen är inte en personallista: kolumnerna " + ", ".join(missing) + " saknas. Första raden ska "
            "vara en rubrikrad med anställningsnummer, namn, e-post, förvaltning, enhet och roll. Första raden i "
            "filen är: " + _shorten(header) + ".")
    doubled = sorted({COLUMNS[key] for key in keys if key in COLUMNS and keys.count(key) > 1})
    if doubled:
        raise StaffImportError("Kolumnen " + ", ".join(doubled) + " finns flera gånger i rubrikraden.")
    return {key: keys.index(key) for key in COLUMNS}


def _shorten(header: list[str]) -> str:
    text = ", ".join(name.strip() for name in header)
    return text if len(text) <= 120 else text[:119] + "…"


def _read_rows(reader, positions: dict[str, int], width: int, organisations: dict[str, int]) -> ParsedFile:
    rows: list[StaffRow] = []
    problems: list[tuple[int, str]] = []
    first_line_of: dict[str, int] = {}
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not any(value.strip() for value in record):
            continue
        values = {key: record[i].strip() if i < len(record) else "" for key, i in positions.items()}
        found = _check(values, organisations)
        if len(record) > width and any(value.strip() for value in record[width:]):
            # Most often an unquoted separator inside a name: the values after it would land in the wrong columns.
            found.insert(0, f"Raden har {len(record)} fält men rubrikraden {width}. Kontrollera avgränsare och "
                            "citattecken.")
        employee_id = values["anstallningsnummer"]
        if employee_id in first_line_of:
            found.append(f"Anställningsnumret {employee_id} finns redan på rad {first_line_of[employee_id]}; "
                         "bara den första raden läses in.")
        elif employee_id:
            first_line_of[employee_id] = start
        if found:
            problems.extend((start, message) for message in found)
            continue
        rows.append(StaffRow(
            line=start, employee_id=employee_id, name=values["namn"], email=values["epost"].lower(),
            organisation_id=organisations[values["forvaltning"].casefold()], unit=values["enhet"],
            org_role=values["roll"].casefold(),
        ))
    if not rows and not problems:
        raise StaffImportError("Filen har bara en rubrikrad och inga anställda.")
    return ParsedFile(rows=rows, problems=problems, mentioned=frozenset(first_line_of))


def _check(values: dict[str, str], organisations: dict[str, int]) -> list[str]:
    """Swedish messages for everything wrong with one row's values."""
    found = [message for key, message in MISSING.items() if not values[key]]
    found += [f"{LABELS[key]} är längre än {limit} tecken." for key, limit in MAX_LENGTH.items()
              if len(values[key]) > limit]
    if values["epost"] and len(values["epost"]) <= MAX_LENGTH["epost"]:
        try:
            validate_email(values["epost"], check_deliverability=False)
        except EmailNotValidError:
            found.append(f"E-postadressen ”{values['epost']}” är inte giltig.")
    if values["forvaltning"] and values["forvaltning"].casefold() not in organisations:
        found.append(f"Förvaltningen ”{values['forvaltning']}” finns inte i organisationslistan. "
                     "Använd förvaltningens kod eller hela namnet.")
    if values["roll"] and values["roll"].casefold() not in ORG_ROLES:
        found.append(f"Rollen ”{values['roll']}” är okänd. Använd medarbetare, chef eller HR.")
    return found
