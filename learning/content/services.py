"""Import course files as revisions, and serve the published course from a per-revision cache."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, select

from learning.content.checks import COURSE_FILE, FileProblem, check_tree, content_files, course_dirs
from learning.content.models import ContentFile, Course, Revision
from learning.content.parsing import Document, parse
from learning.content.survey_items import DEFAULT_SURVEY
from learning.extensions import db, get_or_create
from learning.transactions import lock, write_transaction


class ContentInvalid(Exception):
    """The content has errors and must not be served or stored."""

    def __init__(self, problems: list[FileProblem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class PublishedPart:
    """A part as learners see it now: its identity, revision and parsed content."""

    file_id: int
    slug: str
    revision_id: int
    doc: Document


@dataclass(frozen=True)
class PublishedCourse:
    """A course with its newest revision of every file."""

    id: int
    slug: str
    title: str
    summary: str
    intro_html: str
    parts: tuple[PublishedPart, ...]
    survey: tuple = ()
    requires: str = ""  # the slug of a course to complete first
    shuffle_options: bool = True
    reveal_answers: str = "after_pass"  # what a failed attempt's result shows (parsing.REVEAL_CHOICES)
    contacts: tuple[tuple[str, str], ...] = ()  # the {{kontakt:key}} keys and what each stands for
    valid_for_months: int | None = None  # how long a completion stays valid (refresher courses); None: for ever

    @property
    def required_parts(self) -> list[PublishedPart]:
        """The parts a learner must pass for the certificate."""
        return [p for p in self.parts if p.doc.required]

    def part(self, slug: str) -> PublishedPart | None:
        """The part with this slug, if published."""
        return next((p for p in self.parts if p.slug == slug), None)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: new revisions by file, and files already up to date."""

    created: list[str]
    unchanged: int


def content_hash(text: str) -> str:
    """The hash by which identical content is recognised."""
    return hashlib.sha256(text.encode()).hexdigest()


def import_tree(root: Path) -> ImportResult:
    """Store every changed file under root as a new revision; refuse the lot if any file is broken."""
    errors = [p for p in check_tree(root) if p.problem.kind == "error"]
    if errors:
        raise ContentInvalid(errors)
    # Read before the write transaction, so the lock is held for the database work only.
    files = [(course_dir.name, path.name, path.read_text(encoding="utf-8"))
             for course_dir in course_dirs(root) for path in content_files(course_dir)]
    return _store_files(files)


@write_transaction
def _store_files(files: list[tuple[str, str, str]]) -> ImportResult:
    """Every file in one transaction: an import is stored whole or not at all."""
    lock("content-import", 0)  # two imports at once: the second sees the first's revisions
    created = [f"{course}/{filename}" for course, filename, text in files if _store_revision(course, filename, text)]
    return ImportResult(created, len(files) - len(created))


def export_tree(root: Path) -> list[Path]:
    """Write the newest revision of every file in the courses/ layout, so what was published can go into git."""
    newest = (
        select(Revision.content_file_id, func.max(Revision.number).label("number"))
        .group_by(Revision.content_file_id).subquery()
    )
    rows = db.session.execute(
        select(Course.slug, ContentFile.filename, Revision.markdown)
        .join(ContentFile, ContentFile.course_id == Course.id)
        .join(newest, newest.c.content_file_id == ContentFile.id)
        .join(Revision, (Revision.content_file_id == ContentFile.id) & (Revision.number == newest.c.number))
        .order_by(Course.slug, ContentFile.filename)
    ).all()
    written = []
    for slug, filename, text in rows:
        if not _SAFE_NAME.match(slug) or not _SAFE_NAME.match(filename.removesuffix(".md")):
            raise ValueError(f"Namnet {slug}/{filename} går inte att använda som filnamn.")
        folder = root / slug
        folder.mkdir(parents=True, exist_ok=True)
        # newline="" writes the text byte for byte, so importing it again finds the same hash.
        (folder / filename).write_text(text, encoding="utf-8", newline="")
        written.append(folder / filename)
    return written


_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def _store_revision(course_slug: str, filename: str, text: str) -> bool:
    digest = content_hash(text)
    course = get_or_create(Course, slug=course_slug)
    file = get_or_create(ContentFile, course_id=course.id, filename=filename)
    if file.imported_hash == digest:
        return False
    file.imported_hash = digest
    newest = db.session.execute(
        select(Revision.number, Revision.content_hash).where(Revision.content_file_id == file.id)
        .order_by(Revision.number.desc()).limit(1)
    ).one_or_none()
    if newest is not None and newest.content_hash == digest:
        return False
    number = newest.number + 1 if newest is not None else 1
    db.session.add(Revision(content_file_id=file.id, number=number, markdown=text, content_hash=digest))
    db.session.flush()
    return True


class _DocumentCache:
    """Parsed documents by (content hash, is course file); revisions never change, so entries never go stale."""

    def __init__(self, size: int = 256):
        self._items: OrderedDict[tuple[str, bool], Document] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: tuple[str, bool], load) -> Document:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        doc = load()
        with self._lock:
            self._items[key] = doc
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return doc


_cache = _DocumentCache()


def content_version() -> int:
    """Changes whenever anything is published: revision ids only grow."""
    return db.session.scalar(_VERSION_QUERY) or 0


_VERSION_QUERY = select(func.max(Revision.id))


def published_course(slug: str) -> PublishedCourse | None:
    """The course as learners see it now, or None if it has not been imported.

    Built once per app and content version: one cheap query per request tells whether anything was
    published since, so every process serves a new revision on its next request.
    """
    cache: dict = current_app.extensions.setdefault("published_courses", {})
    key = (slug, content_version())
    if key not in cache:
        if len(cache) > 64:
            cache.clear()
        cache[key] = _load_published_course(slug)
    return cache[key]


def _load_published_course(slug: str) -> PublishedCourse | None:
    newest = (
        select(Revision.content_file_id, func.max(Revision.number).label("number"))
        .group_by(Revision.content_file_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Course.id, ContentFile.id, ContentFile.filename, Revision.id, Revision.content_hash)
        .join(ContentFile, ContentFile.course_id == Course.id)
        .join(newest, newest.c.content_file_id == ContentFile.id)
        .join(Revision, (Revision.content_file_id == ContentFile.id) & (Revision.number == newest.c.number))
        .where(Course.slug == slug)
    ).all()
    if not any(filename == COURSE_FILE for _, _, filename, _, _ in rows):
        return None  # a course started in the browser is hidden until its course file is published
    course_doc = None
    parts = []
    for course_id, file_id, filename, revision_id, digest in rows:
        doc = _cache.get((digest, filename == COURSE_FILE),
                         lambda rid=revision_id, name=filename: _parse_revision(rid, name))
        if filename == COURSE_FILE:
            course_doc = doc
        else:
            parts.append(PublishedPart(file_id, filename.removesuffix(".md"), revision_id, doc))
    parts.sort(key=lambda p: (p.doc.order, p.slug))
    return PublishedCourse(
        id=rows[0][0], slug=slug,
        title=course_doc.title if course_doc else slug,
        summary=course_doc.summary if course_doc else "",
        intro_html=course_doc.body_html if course_doc else "",
        parts=tuple(parts),
        survey=course_doc.survey if course_doc else DEFAULT_SURVEY,
        requires=course_doc.requires if course_doc else "",
        shuffle_options=course_doc.shuffle_options if course_doc else True,
        reveal_answers=course_doc.reveal_answers if course_doc else "after_pass",
        contacts=course_doc.contacts if course_doc else (),
        valid_for_months=course_doc.valid_for_months if course_doc else None,
    )


def published_courses() -> list[PublishedCourse]:
    """Every published course as learners see it now, oldest first."""
    return [c for c in (published_course(slug) for slug in course_slugs()) if c is not None]


def course_slugs() -> list[str]:
    """Slugs of every published course (its course file has a revision), oldest course first."""
    published = select(Revision.id).join(ContentFile, ContentFile.id == Revision.content_file_id).where(
        ContentFile.course_id == Course.id, ContentFile.filename == COURSE_FILE).exists()
    return list(db.session.scalars(select(Course.slug).where(published).order_by(Course.id)))


def _parse_revision(revision_id: int, filename: str) -> Document:
    text = db.session.scalar(select(Revision.markdown).where(Revision.id == revision_id))
    return parse(text, course_file=filename == COURSE_FILE)


def part_revision_document(file_id: int, revision_id: int) -> Document | None:
    """A revision's content, only if it is a revision of that file."""
    owner = db.session.scalar(select(Revision.content_file_id).where(Revision.id == revision_id))
    return revision_document(revision_id) if owner == file_id else None


def revision_document(revision_id: int) -> Document:
    """The parsed content of one revision, for grading pages made against older revisions."""
    filename, digest = db.session.execute(
        select(ContentFile.filename, Revision.content_hash)
        .join(Revision, Revision.content_file_id == ContentFile.id)
        .where(Revision.id == revision_id)
    ).one()
    return _cache.get((digest, filename == COURSE_FILE), lambda: _parse_revision(revision_id, filename))


def still_counts(record) -> ColumnElement[bool]:
    """SQL: a pass or attempt (a model whose revision_id is a revision of its part) still counts.

    It counts unless an editor has since published a changed quiz that learners must retake: its revision
    must not be older than a retake-required revision of the same part. The one definition of a voided
    pass (its negation), from the moment that revision is committed, for every page and the API.
    """
    # A set the database builds once per statement (from each part's latest retake-required revision, one
    # read of the revisions), not a subquery per pass: the city dashboard tests many passes against it.
    floors = (select(Revision.content_file_id, func.max(Revision.id).label("floor"))
              .where(Revision.retake_required).group_by(Revision.content_file_id).subquery())
    voided = select(Revision.id).join(floors, and_(floors.c.content_file_id == Revision.content_file_id,
                                                   Revision.id < floors.c.floor))
    return record.revision_id.not_in(voided)
