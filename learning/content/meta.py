"""The header of a course or part file: which keys it may hold and what each must be."""

from __future__ import annotations

import re
from dataclasses import dataclass

from learning.content.survey_items import parse_survey

MIN_QUESTIONS = 5
ORG_ROLE_AUDIENCES = {"medarbetare", "chef", "hr"}
PART_KEYS = {"title", "order", "estimated_minutes", "pass_mark", "required", "audience", "questions_per_attempt"}
COURSE_KEYS = {"title", "summary", "survey", "requires", "shuffle_options", "reveal_answers", "contacts",
               "valid_for_months"}
# What a learner's failed attempt shows: "after_pass" hides the right options until the part is passed.
REVEAL_CHOICES = ("after_pass", "always")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a content file; 'placeholder' problems mark text still to be written."""

    line: int
    message: str
    kind: str = "error"


def validate_meta(meta: dict, course_file: bool, problems: list[Problem]) -> dict:
    """The header's fields, checked; every problem found is added to problems."""
    allowed = COURSE_KEYS if course_file else PART_KEYS
    for key in meta:
        if key not in allowed:
            problems.append(Problem(2, f"Okänd nyckel i huvudet: '{key}'. Tillåtna: {', '.join(sorted(allowed))}."))
    fields: dict = {}
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(2, "Huvudet saknar 'title' (titeln)."))
    else:
        fields["title"] = title.strip()
    if course_file:
        fields["summary"] = str(meta.get("summary") or "")
        requires = meta.get("requires") or ""
        if not isinstance(requires, str) or (requires and not SLUG_RE.match(requires)):
            problems.append(Problem(2, "'requires' ska vara namnet på en annan kurs, till exempel grundkurs."))
        else:
            fields["requires"] = requires
        months = meta.get("valid_for_months")
        if months is not None and (isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 240):
            problems.append(Problem(2, "'valid_for_months' (hur många månader intyget gäller) ska vara ett heltal "
                                       "från 1 till 240."))
        elif months is not None:
            fields["valid_for_months"] = months
        fields["contacts"] = _contact_keys(meta.get("contacts"), problems)
        shuffle = meta.get("shuffle_options", True)
        if not isinstance(shuffle, bool):
            problems.append(Problem(2, "'shuffle_options' ska vara true eller false."))
        else:
            fields["shuffle_options"] = shuffle
        reveal = meta.get("reveal_answers", REVEAL_CHOICES[0])
        if reveal not in REVEAL_CHOICES:
            problems.append(Problem(2, f"'reveal_answers' ska vara {' eller '.join(REVEAL_CHOICES)}."))
        else:
            fields["reveal_answers"] = reveal
        fields["survey"], survey_errors = parse_survey(meta.get("survey"))
        problems.extend(Problem(2, message) for message in survey_errors)
        return fields
    for key, label, low, high, default in (
        ("order", "ordningsnummer", 1, 99, None),
        ("estimated_minutes", "beräknad tid i minuter", 1, 600, None),
        ("pass_mark", "gräns för godkänt i procent", 1, 100, 80),
    ):
        value = meta.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(Problem(2, f"'{key}' ({label}) ska vara ett heltal från {low} till {high}."))
        else:
            fields[key] = value
    drawn = meta.get("questions_per_attempt", 0)
    if isinstance(drawn, bool) or not isinstance(drawn, int) or not (drawn == 0 or MIN_QUESTIONS <= drawn <= 99):
        problems.append(Problem(2, f"'questions_per_attempt' (frågor per försök) ska vara ett heltal från {MIN_QUESTIONS} till 99."))
    else:
        fields["questions_per_attempt"] = drawn
    required = meta.get("required", True)
    if not isinstance(required, bool):
        problems.append(Problem(2, "'required' ska vara true eller false."))
    else:
        fields["required"] = required
    audience = meta.get("audience", [])
    if not isinstance(audience, list) or not set(audience) <= ORG_ROLE_AUDIENCES:
        problems.append(Problem(2, "'audience' ska vara en lista med chef, hr eller medarbetare."))
    else:
        fields["audience"] = tuple(audience)
    return fields


_CONTACT_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


def _contact_keys(raw, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """The course's contact keys and what each stands for ('contacts' in the course file's header)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.append(Problem(2, "'contacts' ska vara rader på formen 'nyckel: vad kontakten gäller'."))
        return ()
    keys = []
    for key, label in raw.items():
        if not isinstance(key, str) or not _CONTACT_KEY.match(key):
            problems.append(Problem(2, f"Kontaktnyckeln '{key}' får bara innehålla a–z, 0–9 och - (högst 50 tecken)."))
        elif not isinstance(label, str) or not label.strip() or len(label) > 200:
            problems.append(Problem(2, f"Kontakten '{key}' behöver en beskrivning på högst 200 tecken."))
        else:
            keys.append((key, label.strip()))
    return tuple(keys)
