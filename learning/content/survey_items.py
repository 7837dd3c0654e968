"""The evaluation questions a course defines in its front matter (key `survey`), with defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALE, TEXT = "scale", "text"
_KEY = re.compile(r"^[a-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class SurveyItem:
    """One question: a 1-5 scale with labelled ends, or a free-text question."""

    kind: str
    key: str
    text: str
    low: str = ""
    high: str = ""


# The two items Malmö used in its evaluation of the base training (shared/seeds/000_*), and three
# free-text questions about what was good, what could be better and what is needed to go on.
DEFAULT_SURVEY = (
    SurveyItem(SCALE, "nojd", "Hur nöjd är du med denna utbildning?", "Inte alls nöjd", "Mycket nöjd"),
    SurveyItem(SCALE, "anvandning", "Kommer du ha användning för detta i ditt arbete?", "Inte alls", "I mycket hög grad"),
    SurveyItem(TEXT, "bra", "Vad var bra med utbildningen?"),
    SurveyItem(TEXT, "battre", "Vad kan bli bättre?"),
    SurveyItem(TEXT, "behov", "Vad behöver du för att fortsätta arbeta mot hedersrelaterat våld och förtryck i ditt arbete?"),
)


def parse_survey(value: object) -> tuple[tuple[SurveyItem, ...], list[str]]:
    """Survey items from front matter; returns (items, error messages)."""
    if value is None:
        return DEFAULT_SURVEY, []
    if not isinstance(value, dict) or not set(value) <= {"scales", "questions"}:
        return (), ["'survey' ska ha listorna 'scales' (skala 1–5) och 'questions' (fritext)."]
    items: list[SurveyItem] = []
    errors: list[str] = []
    for group, kind, fields in (("scales", SCALE, ("key", "text", "low", "high")), ("questions", TEXT, ("key", "text"))):
        for number, entry in enumerate(value.get(group) or [], start=1):
            if not isinstance(entry, dict) or any(not isinstance(entry.get(f), str) or not entry[f].strip() for f in fields):
                errors.append(f"survey.{group} nummer {number} ska ha {', '.join(fields)}.")
            elif not _KEY.match(entry["key"]):
                errors.append(f"survey.{group} nummer {number}: 'key' får bara innehålla a–z, 0–9, - och _.")
            else:
                items.append(SurveyItem(kind, entry["key"], entry["text"].strip(),
                                        entry.get("low", "").strip(), entry.get("high", "").strip()))
    if len({i.key for i in items}) != len(items):
        errors.append("Två frågor i 'survey' har samma 'key'.")
    if not errors and not any(i.kind == SCALE for i in items):
        errors.append("'survey' behöver minst en fråga med skala 1–5.")
    return tuple(items), errors
