"""New courses and parts from the browser: they start as the editor's draft, hidden from learners."""

from __future__ import annotations

from sqlalchemy import func, select

from learning.accounts.models import User
from learning.content.checks import COURSE_FILE
from learning.content.models import ContentFile, Course
from learning.content.parsing import SLUG_RE
from learning.editor.models import Draft
from learning.extensions import add_unique, db
from learning.transactions import write_transaction


class NameTaken(ValueError):
    """A course or part with that name exists, or the name cannot be used; the message is for the editor."""


COURSE_TEMPLATE = """---
title: {title}
summary: En kort mening som visas på startsidan.
# Ta bort # på nästa rad om deltagarna först ska ha klarat grundkursen:
# requires: grundkurs
---

Introduktionstext som visas överst på kursens startsida.
"""

PART_TEMPLATE = """---
title: "Ny del"
order: {order}
estimated_minutes: 15
pass_mark: 80
---

## Det här lär du dig

- [[SAKNAS: vad deltagaren lär sig]]

## Kunskapstest

### Skriv frågan här?

- [ ] Ett fel svar.
- [x] Det rätta svaret.

Förklaring: Varför svaret är rätt.
"""


def _add_once(row, message: str) -> None:
    """Insert a row whose name must be unique, or refuse with the message."""
    if not add_unique(row):
        raise NameTaken(message)


def _new_file(course: Course, filename: str, user: User, text: str) -> ContentFile:
    file = ContentFile(course_id=course.id, filename=filename)
    _add_once(file, f"Det finns redan en fil som heter {filename} i kursen.")
    db.session.add(Draft(content_file_id=file.id, user_id=user.id, base_revision_id=None, markdown=text))
    return file


@write_transaction
def create_course(slug: str, title: str, user: User) -> ContentFile:
    """A new course, hidden from learners until its course file is published; returns that file."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise NameTaken("Kursens kortnamn får bara innehålla a–z, siffror och bindestreck, till exempel fordjupning.")
    course = Course(slug=slug)
    _add_once(course, f"Det finns redan en kurs som heter {slug}.")
    title = title.strip().replace('"', "'")
    return _new_file(course, COURSE_FILE, user, COURSE_TEMPLATE.format(title=f'"{title}"'))


@write_transaction
def create_part(course_id: int, name: str, user: User) -> ContentFile:
    """A new part of a course, as this editor's draft; learners see it once it is published."""
    course = db.session.get(Course, course_id)
    name = name.strip().lower().removesuffix(".md")
    if course is None or not SLUG_RE.match(name) or len(name) > 97 or name == COURSE_FILE.removesuffix(".md"):
        raise NameTaken("Delens filnamn får bara innehålla a–z, siffror och bindestreck, till exempel del-6.")
    count = db.session.scalar(select(func.count(ContentFile.id)).where(ContentFile.course_id == course_id))
    return _new_file(course, f"{name}.md", user, PART_TEMPLATE.format(order=count))
