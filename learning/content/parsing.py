"""Parse a course or part file: front matter, body and quiz, with line-numbered problems."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import frontmatter
import yaml

from learning.content.meta import MIN_QUESTIONS, SLUG_RE, Problem, validate_meta  # noqa: F401 (re-exported)
from learning.content.rendering import CONTACT_RE, PLACEHOLDER_RE, TocEntry, render_block, render_inline
from learning.content.survey_items import SurveyItem

QUIZ_HEADING = "Kunskapstest"

_QUIZ_START = re.compile(rf"^##\s+{QUIZ_HEADING}\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_OPTION = re.compile(r"^[-*]\s+\[([ xX])\]\s+(.+)$")
_EXPLANATION = re.compile(r"^Förklaring:\s*(.*)$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(")
_RAW_IMG = re.compile(r"<img\b(?![^>]*\balt\s*=\s*[\"'][^\"']+[\"'])[^>]*>", re.IGNORECASE)
_FENCE = re.compile(r"^(```|~~~)")
_CHOOSE_SEVERAL = re.compile(r"\s*\(välj flera\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Option:
    """One answer option; `correct` is server-side only."""

    id: str
    html: str
    correct: bool
    text: str = ""  # the Markdown as written, for the answer-key checks


@dataclass(frozen=True)
class Question:
    """One quiz question with its options and the explanation shown after answering."""

    id: str
    text: str
    html: str
    options: tuple[Option, ...]
    explanation_html: str
    line: int
    # Derived from options at parse time; templates read them many times per page.
    correct_ids: frozenset[str] = frozenset()
    multiple: bool = False


@dataclass(frozen=True)
class Document:
    """A parsed course or part file."""

    title: str = ""
    summary: str = ""
    order: int = 0
    estimated_minutes: int = 0
    pass_mark: int = 80
    required: bool = True
    audience: tuple[str, ...] = ()
    body_html: str = ""
    toc: tuple[TocEntry, ...] = ()
    questions: tuple[Question, ...] = ()
    survey: tuple[SurveyItem, ...] = ()
    requires: str = ""
    questions_per_attempt: int = 0  # 0: every question, every attempt
    shuffle_options: bool = True
    reveal_answers: str = "after_pass"
    quiz_line: int = 0
    contacts: tuple[tuple[str, str], ...] = ()  # course file: (key, what it stands for)
    contact_uses: tuple[tuple[str, int], ...] = ()  # (key, line) of every {{kontakt:key}} in the text
    valid_for_months: int | None = None  # a course file's: how long a completion stays valid (None: for ever)
    problems: tuple[Problem, ...] = field(default=())

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the file unusable (placeholders excluded)."""
        return [p for p in self.problems if p.kind == "error"]


def question_id(text: str) -> str:
    """A stable id for a question, derived from its wording."""
    return "q" + hashlib.sha256(text.encode()).hexdigest()[:10]


def parse(text: str, *, course_file: bool = False) -> Document:
    """Parse one file; never raises on bad content, it reports problems instead."""
    problems: list[Problem] = []
    meta, body, body_start = _split_front_matter(text, problems)
    if meta is None:
        return Document(problems=tuple(problems))
    fields = validate_meta(meta, course_file, problems)
    lines = body.split("\n")
    uses: list[tuple[str, int]] = []
    quiz_index = _check_body(lines, body_start, problems, uses)
    fields["contact_uses"] = tuple(uses)
    body_lines = lines if quiz_index is None else lines[:quiz_index]
    questions: tuple[Question, ...] = ()
    if quiz_index is not None:
        questions = _parse_quiz(lines[quiz_index + 1:], body_start + quiz_index + 1, problems)
    if not course_file and fields.get("required", True):
        if quiz_index is None:
            problems.append(Problem(body_start, f"Delen saknar kunskapstest (rubriken '## {QUIZ_HEADING}')."))
        elif 0 < len(questions) < MIN_QUESTIONS:
            problems.append(Problem(
                body_start + quiz_index,
                f"Kunskapstestet har {len(questions)} frågor; minst {MIN_QUESTIONS} behövs.",
            ))
    drawn = fields.get("questions_per_attempt", 0)
    if drawn and questions and drawn > len(questions):
        problems.append(Problem(2, f"'questions_per_attempt' ({drawn}) är fler än testets {len(questions)} frågor."))
        fields["questions_per_attempt"] = 0
    if quiz_index is not None:
        fields["quiz_line"] = body_start + quiz_index
    html, toc = render_block("\n".join(body_lines))
    return Document(
        body_html=html, toc=tuple(toc), questions=questions,
        problems=tuple(sorted(problems, key=lambda p: p.line)), **fields,
    )


def _split_front_matter(text: str, problems: list[Problem]) -> tuple[dict | None, str, int]:
    """Return (metadata, body, line number of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(1, "Filen måste börja med ett huvud mellan två rader med '---'."))
        return None, "", 1
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        problems.append(Problem(1, "Huvudet avslutas aldrig: en rad med '---' saknas."))
        return None, "", 1
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError:
        problems.append(Problem(_yaml_error_line(lines[1:end]), "Huvudet går inte att läsa: kontrollera kolon och citattecken."))
        return None, "", 1
    if not isinstance(post.metadata, dict):
        problems.append(Problem(2, "Huvudet ska bestå av rader på formen 'nyckel: värde'."))
        return None, "", 1
    return post.metadata, "\n".join(lines[end + 1:]), end + 2


def _yaml_error_line(header: list[str]) -> int:
    """The file line of a YAML error in the header (which starts on line 2)."""
    try:
        yaml.safe_load("\n".join(header))
    except yaml.YAMLError as exc:
        # The context mark points at an unclosed bracket or quote, where the mistake was made.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        if mark is not None:
            return mark.line + 2
    return 1


def _check_body(lines: list[str], start: int, problems: list[Problem], uses: list[tuple[str, int]]) -> int | None:
    """Check headings, images and placeholders; return the index of the quiz heading."""
    quiz_index = None
    previous_level = 1
    in_fence = False
    for index, line in enumerate(lines):
        number = start + index
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        for match in PLACEHOLDER_RE.finditer(line):
            problems.append(Problem(number, f"Platshållare kvar: {match.group(1)}", "placeholder"))
        if "[[SAKNAS" in line and not PLACEHOLDER_RE.search(line):
            problems.append(Problem(number, "Platshållaren är inte avslutad med ']]'."))
        uses.extend((match.group(1), number) for match in CONTACT_RE.finditer(line))
        if line.count("{{kontakt") != len(CONTACT_RE.findall(line)):
            problems.append(Problem(number, "En kontakt skrivs {{kontakt:nyckel}}, med a–z, 0–9 och - i nyckeln."))
        for match in _IMAGE.finditer(line):
            if not match.group(1).strip():
                problems.append(Problem(number, "Bilden saknar alt-text: beskriv det viktiga i bilden mellan [ och ]."))
        if _RAW_IMG.search(line):
            problems.append(Problem(number, "Bilden saknar alt-text (attributet alt)."))
        heading = _HEADING.match(line)
        if not heading:
            continue
        level = len(heading.group(1))
        if level == 1:
            problems.append(Problem(number, "Rubriknivå 1 ('# ') är delens titel och skrivs i huvudet; börja med '## '."))
        elif level > previous_level + 1:
            problems.append(Problem(number, f"Rubriknivån hoppar från {previous_level} till {level}; ta inte bort nivåer."))
        if _QUIZ_START.match(line):
            quiz_index = index
        elif quiz_index is not None and level == 2:
            problems.append(Problem(number, f"'## {QUIZ_HEADING}' måste vara den sista rubriken på nivå 2."))
        previous_level = level
    return quiz_index


def _parse_quiz(lines: list[str], start: int, problems: list[Problem]) -> tuple[Question, ...]:
    questions: list[Question] = []
    current: dict | None = None
    seen: set[str] = set()

    def finish() -> None:
        if current is None:
            return
        line = current["line"]
        options = current["options"]
        if len(options) < 2:
            problems.append(Problem(line, "Frågan behöver minst två svarsalternativ ('- [ ]' och '- [x]')."))
        if options and not any(correct for _, correct in options):
            problems.append(Problem(line, "Frågan saknar rätt svar: markera minst ett alternativ med '- [x]'."))
        if not current["explanation"]:
            problems.append(Problem(line, "Frågan saknar förklaring: lägg till ett stycke som börjar med 'Förklaring:'."))
        qid = question_id(current["text"])
        if qid in seen:
            problems.append(Problem(line, "Samma fråga finns två gånger i kunskapstestet."))
        seen.add(qid)
        built = tuple(Option(str(i), render_inline(text), correct, text)
                      for i, (text, correct) in enumerate(options, start=1))
        correct_ids = frozenset(o.id for o in built if o.correct)
        questions.append(Question(
            id=qid, text=current["text"], html=render_inline(current["text"]), options=built,
            explanation_html=render_inline(" ".join(current["explanation"])), line=line,
            correct_ids=correct_ids, multiple=current["several"] or len(correct_ids) > 1,
        ))

    in_explanation = False
    for index, raw in enumerate(lines):
        number = start + index
        line = raw.strip()
        heading = _HEADING.match(raw)
        option = _OPTION.match(line)
        explanation = _EXPLANATION.match(line)
        if heading and len(heading.group(1)) == 3:
            finish()
            several = bool(_CHOOSE_SEVERAL.search(heading.group(2)))
            current = {"text": _CHOOSE_SEVERAL.sub("", heading.group(2)), "several": several,
                       "line": number, "options": [], "explanation": []}
            in_explanation = False
        elif not line:
            in_explanation = False
        elif current is None:
            problems.append(Problem(number, "Text före första frågan: varje fråga börjar med '### '."))
        elif option:
            if current["explanation"]:
                problems.append(Problem(number, "Svarsalternativen ska stå före förklaringen."))
            current["options"].append((option.group(2).strip(), option.group(1) != " "))
        elif explanation:
            current["explanation"].append(explanation.group(1))
            in_explanation = True
        elif in_explanation:
            current["explanation"].append(line)
        elif line.startswith(("-", "*")):
            problems.append(Problem(number, "Svarsalternativ skrivs '- [ ] text' eller '- [x] text'."))
        else:
            problems.append(Problem(number, "Oväntad rad i kunskapstestet: skriv frågan i rubriken och förklaringen efter 'Förklaring:'."))
    finish()
    if not questions:
        problems.append(Problem(start - 1, "Kunskapstestet har inga frågor: varje fråga börjar med '### '."))
    return tuple(questions)
