"""Check a courses/ folder as a whole: every file, and the course's parts together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from learning.content.bias import quiz_bias
from learning.content.parsing import Document, Problem, parse

COURSE_FILE = "course.md"
KIND_LABELS = {"error": "fel", "placeholder": "saknas", "warning": "varning"}
IGNORED_FILES = {"README.md"}


@dataclass(frozen=True)
class FileProblem:
    """A problem with the file it was found in."""

    path: Path
    problem: Problem

    def __str__(self) -> str:
        label = KIND_LABELS.get(self.problem.kind, "fel")
        return f"{self.path}:{self.problem.line}: {label}: {self.problem.message}"


def course_dirs(root: Path) -> list[Path]:
    """Every course folder under root (a folder holding a course.md)."""
    return sorted(p.parent for p in root.glob(f"*/{COURSE_FILE}"))


def content_files(course_dir: Path) -> list[Path]:
    """The Markdown files of one course, course file first."""
    parts = sorted(p for p in course_dir.glob("*.md") if p.name not in IGNORED_FILES | {COURSE_FILE})
    return [course_dir / COURSE_FILE, *parts]


def parse_file(path: Path) -> Document:
    """Parse one file from disk, reporting unreadable bytes as a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return Document(problems=(Problem(1, "Filen är inte sparad som UTF-8."),))
    return parse(text, course_file=path.name == COURSE_FILE)


def check_course(documents: dict[str, Document]) -> list[tuple[str, Problem]]:
    """Problems that only show when the parts are seen together, with the file they concern."""
    problems: list[tuple[str, Problem]] = []
    orders: dict[int, str] = {}
    parts = {name: doc for name, doc in documents.items() if name != COURSE_FILE}
    for name, doc in sorted(parts.items()):
        if doc.errors:
            continue
        if doc.order in orders:
            problems.append((name, Problem(2, f"Samma 'order' ({doc.order}) som {orders[doc.order]}.")))
        orders[doc.order] = name
    if parts and not any(doc.required and not doc.errors for doc in parts.values()):
        problems.append((COURSE_FILE, Problem(1, "Kursen har ingen del som krävs för intyget.")))
    course = documents.get(COURSE_FILE)
    declared = {key for key, _ in course.contacts} if course is not None else set()
    for name, doc in sorted(documents.items()):
        problems.extend((name, Problem(line, (
            f"Kontakten '{key}' finns inte under 'contacts' i {COURSE_FILE}: lägg till den där med en beskrivning.")))
            for key, line in doc.contact_uses if key not in declared)
    return problems


def course_shuffles(documents: dict[str, Document]) -> bool:
    """Whether the course shuffles quiz options (its course file says; the default is yes)."""
    course = documents.get(COURSE_FILE)
    return course.shuffle_options if course is not None else True


def bias_warnings(documents: dict[str, Document]) -> list[tuple[str, Problem]]:
    """Answer-key bias in every part's quiz, with the file it concerns."""
    shuffled = course_shuffles(documents)
    return [(name, warning) for name, doc in sorted(documents.items())
            if name != COURSE_FILE and not doc.errors for warning in quiz_bias(doc, shuffled=shuffled)]


def check_tree(root: Path) -> list[FileProblem]:
    """Check every course under root; an empty list means the content can be served."""
    found: list[FileProblem] = []
    dirs = course_dirs(root)
    if not dirs:
        return [FileProblem(root, Problem(0, f"Ingen kurs hittades: en kursmapp behöver filen {COURSE_FILE}."))]
    for course_dir in dirs:
        documents = {path.name: parse_file(path) for path in content_files(course_dir)}
        for name, doc in documents.items():
            found.extend(FileProblem(course_dir / name, p) for p in doc.problems)
        found.extend(FileProblem(course_dir / name, p) for name, p in check_course(documents))
        found.extend(FileProblem(course_dir / name, p) for name, p in bias_warnings(documents))
    return found
