"""Editing course files in the browser: drafts, checks, publishing, history, diff and restore."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from learning.accounts.models import User
from learning.content.checks import COURSE_FILE, check_course
from learning.content.models import ContentFile, Course, Revision
from learning.content.parsing import Document, Problem, parse
from learning.content.services import content_hash, course_slugs, published_course, revision_document
from learning.editor.models import Draft
from learning.extensions import add_unique, db
from learning.learn import services as learn
from learning.transactions import write_transaction


class Conflict(Exception):
    """Someone published since this text was started; both texts must be seen before saving."""

    def __init__(self, mine: str, current: Revision):
        super().__init__("Någon annan har publicerat en ny version sedan du började redigera.")
        self.mine = mine
        self.current = current


class DraftInTheWay(Exception):
    """Restoring would need the editor's draft, which holds unpublished work of their own."""


class RetakeChoiceNeeded(Exception):
    """The quiz changed: the editor must say whether earlier passes still count."""


class Refused(Exception):
    """The text has errors and cannot be published; the live revision stays."""

    def __init__(self, problems: list[Problem]):
        super().__init__("Versionen har fel och publicerades inte. Den publicerade versionen är oförändrad.")
        self.problems = problems


@dataclass(frozen=True)
class EditableFile:
    """A content file as the editor works on it."""

    file: ContentFile
    course_slug: str
    current: Revision | None

    @property
    def is_course_file(self) -> bool:
        """True for course.md (no quiz, other header keys)."""
        return self.file.filename == COURSE_FILE

    @property
    def current_id(self) -> int | None:
        """The id of the live revision, the base of a new edit."""
        return self.current.id if self.current else None


@dataclass(frozen=True)
class FileRow:
    """One line of the editor's file list."""

    id: int
    filename: str
    title: str
    number: int
    has_draft: bool


@dataclass(frozen=True)
class DiffRow:
    """One line of a diff: kind is 'same', 'removed' or 'added'."""

    kind: str
    old_number: int | None
    new_number: int | None
    text: str


@dataclass(frozen=True)
class Checked:
    """A text parsed as learners would get it, with every problem the publish check would find."""

    doc: Document
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block publishing (placeholders do not)."""
        return [p for p in self.problems if p.kind == "error"]


def normalise(text: str) -> str:
    """Browsers send CRLF; files in git and imported revisions use LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def editable_file(file_id: int) -> EditableFile | None:
    """A content file with its live revision, or None."""
    row = db.session.execute(
        select(ContentFile, Course.slug).join(Course, Course.id == ContentFile.course_id)
        .where(ContentFile.id == file_id)
    ).one_or_none()
    if row is None:
        return None
    return EditableFile(row[0], row[1], current_revision(file_id))


def current_revision(file_id: int) -> Revision | None:
    """The newest revision of a file: what learners see."""
    return db.session.scalar(
        select(Revision).where(Revision.content_file_id == file_id).order_by(Revision.number.desc()).limit(1)
    )


def course_files(user: User) -> list[tuple[str, int, list[FileRow]]]:
    """Every course with its files, titles, live revision numbers (0: not published) and this user's drafts."""
    newest = (
        select(Revision.content_file_id, func.max(Revision.number).label("number"))
        .group_by(Revision.content_file_id).subquery()
    )
    rows = db.session.execute(
        select(Course.slug, Course.id, ContentFile.id, ContentFile.filename, Revision.id, newest.c.number, Draft.id)
        .join(ContentFile, ContentFile.course_id == Course.id)
        .outerjoin(newest, newest.c.content_file_id == ContentFile.id)
        .outerjoin(Revision, (Revision.content_file_id == ContentFile.id) & (Revision.number == newest.c.number))
        .outerjoin(Draft, (Draft.content_file_id == ContentFile.id) & (Draft.user_id == user.id))
        .order_by(Course.id, ContentFile.filename)
    ).all()
    courses: dict[tuple[str, int], list[FileRow]] = {}
    for slug, course_id, file_id, filename, revision_id, number, draft_id in rows:
        title = (revision_document(revision_id).title if revision_id else "") or filename
        courses.setdefault((slug, course_id), []).append(FileRow(file_id, filename, title, number or 0, draft_id is not None))
    for files in courses.values():  # course file first, then parts in file order
        files.sort(key=lambda f: (f.filename != COURSE_FILE, f.filename))
    return [(slug, course_id, files) for (slug, course_id), files in courses.items()]


def check(target: EditableFile, text: str) -> Checked:
    """Parse the text and run the same checks as check-content, with the rest of the course as published."""
    doc = parse(text, course_file=target.is_course_file)
    problems = list(doc.problems)
    documents = {target.file.filename: doc}
    siblings = db.session.execute(
        select(ContentFile.filename, func.max(Revision.id))
        .join(Revision, Revision.content_file_id == ContentFile.id)
        .where(ContentFile.course_id == target.file.course_id, ContentFile.id != target.file.id)
        .group_by(ContentFile.filename)
    ).all()
    for filename, revision_id in siblings:
        documents[filename] = revision_document(revision_id)
    problems.extend(_course_file_problems(target, doc, documents))
    for filename, problem in check_course(documents):
        if filename == target.file.filename:
            problems.append(problem)
        else:  # caused by this text, but found in another file (a duplicate order is reported on the later one)
            problems.append(Problem(1, f"I {filename}: {problem.message}", problem.kind))
    return Checked(doc, sorted(problems, key=lambda p: p.line))


def _course_file_problems(target: EditableFile, doc: Document, documents: dict[str, Document]) -> list[Problem]:
    """A course file needs a published part, and the course it requires must exist."""
    if not target.is_course_file:
        return []
    problems = []
    if len(documents) == 1:
        problems.append(Problem(1, "Kursen har ingen publicerad del: publicera minst en del innan kursfilen."))
    if doc.requires and (doc.requires == target.course_slug or doc.requires not in course_slugs()):
        problems.append(Problem(2, f"'requires': det finns ingen annan publicerad kurs som heter {doc.requires}."))
    elif doc.requires and target.course_slug in _prerequisite_chain(doc.requires):
        problems.append(Problem(2, f"'requires': {doc.requires} kräver i sin tur den här kursen, så ingen skulle "
                                   "kunna börja någon av dem."))
    return problems


def _prerequisite_chain(slug: str) -> list[str]:
    """The course a course requires, the one that one requires, and so on (stops at a repeat)."""
    chain: list[str] = []
    while slug and slug not in chain:
        chain.append(slug)
        course = published_course(slug)
        slug = course.requires if course else ""
    return chain


def draft(file_id: int, user: User) -> Draft | None:
    """This editor's draft of the file, if any."""
    return db.session.scalar(select(Draft).filter_by(content_file_id=file_id, user_id=user.id))


def save_draft(target: EditableFile, user: User, text: str, base_revision_id: int | None) -> Draft:
    """Keep the text as this editor's draft; raise Conflict (after keeping it) if the base is stale."""
    text = normalise(text)
    row, base_revision_id = _keep_draft(target.file.id, user.id, text, base_revision_id, target.current_id)
    if base_revision_id != target.current_id:
        raise Conflict(text, target.current)
    return row


@write_transaction
def _keep_draft(file_id: int, user_id: int, text: str, base_revision_id: int | None,
                current_id: int | None) -> tuple[Draft, int | None]:
    """The stored draft, and the base it was saved against (None when the form named another file's version)."""
    if base_revision_id is not None and db.session.scalar(
            select(Revision.content_file_id).where(Revision.id == base_revision_id)) != file_id:
        base_revision_id = None  # not a version of this file (an altered form): treated as out of date
    mine = select(Draft).filter_by(content_file_id=file_id, user_id=user_id)
    row = db.session.scalar(mine)
    if row is None:
        row = Draft(content_file_id=file_id, user_id=user_id, base_revision_id=base_revision_id, markdown=text)
        if add_unique(row):
            return row, base_revision_id
        row = db.session.scalar(mine)  # the same editor saved twice at once from two tabs: the other row exists
    row.markdown = text
    # A stale base is kept, so the conflict is shown again next time rather than forgotten.
    if base_revision_id == current_id:
        row.base_revision_id = base_revision_id
    return row, base_revision_id


@write_transaction
def discard_draft(target: EditableFile, user: User) -> None:
    """Throw away this editor's draft of the file."""
    row = draft(target.file.id, user)
    if row is not None:
        db.session.delete(row)


def quiz_changed(old: Document | None, new: Document) -> bool:
    """Whether learners who passed the old quiz answered different questions, options or pass mark."""
    def key(doc: Document) -> tuple:
        return doc.pass_mark, tuple((q.id, tuple((o.html, o.correct) for o in q.options)) for q in doc.questions)
    return old is not None and bool(old.questions) and key(old) != key(new)


def publish(target: EditableFile, user: User, text: str, base_revision_id: int | None, message: str,
            retake: bool | None = None) -> Revision:
    """Store the text as the new live revision if it passes the checks and nobody published meanwhile.

    retake: for a changed quiz, whether earlier passes stop counting (None: not chosen yet).
    """
    text = normalise(text)
    if base_revision_id != target.current_id:
        save_draft(target, user, text, base_revision_id)  # raises Conflict, with the text kept
    checked = check(target, text)
    if checked.errors:
        save_draft(target, user, text, base_revision_id)
        raise Refused(checked.errors)
    changed = quiz_changed(revision_document(target.current.id) if target.current else None, checked.doc)
    if changed and retake is None:
        save_draft(target, user, text, base_revision_id)
        raise RetakeChoiceNeeded()
    revision = _add_revision(target, user, text, message, retake=bool(changed and retake), drop_draft=True)
    if revision is None:  # another editor published after this one's checks: keep the text, show both
        save_draft(target, user, text, target.current_id)
        raise Conflict(text, current_revision(target.file.id))
    return revision


def _add_revision(target: EditableFile, user: User, text: str, message: str, retake: bool = False,
                  drop_draft: bool = False) -> Revision | None:
    """The new live revision, or None (nothing stored) if the live revision is no longer target.current."""
    return _insert_revision(target.file.id, target.current_id, user.id, text, message.strip(), retake, drop_draft)


@write_transaction
def _insert_revision(file_id: int, base_id: int | None, user_id: int, text: str, message: str, retake: bool,
                     drop_draft: bool) -> Revision | None:
    # Only the insert and the draft's removal are in the transaction: the checks, parsing and rendering are done
    # before, so learners submitting quizzes meanwhile wait for the write lock for milliseconds at most.
    current = current_revision(file_id)
    if (current.id if current else None) != base_id:
        return None
    revision = Revision(content_file_id=file_id, number=current.number + 1 if current else 1, markdown=text,
                        retake_required=retake, content_hash=content_hash(text), message=message, author_id=user_id)
    if not add_unique(revision):  # PostgreSQL: another editor's publish took this number at the same moment
        return None
    if drop_draft:
        db.session.execute(delete(Draft).where(Draft.content_file_id == file_id, Draft.user_id == user_id))
    return revision


def history(file_id: int) -> list[tuple[Revision, str | None]]:
    """Every revision of a file, newest first, with the author's name (None for imported files)."""
    return list(db.session.execute(
        select(Revision, User.name).outerjoin(User, User.id == Revision.author_id)
        .where(Revision.content_file_id == file_id).order_by(Revision.number.desc())
    ).all())


def revision_of(file_id: int, number: int) -> Revision | None:
    """A file's revision by its number."""
    return db.session.scalar(select(Revision).filter_by(content_file_id=file_id, number=number))


def diff(old: str, new: str, context: int = 3) -> list[list[DiffRow]]:
    """Line diff in hunks of changed lines with some context around them."""
    a, b = old.split("\n"), new.split("\n")
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        rows: list[DiffRow] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffRow("same", i + 1, j + 1, a[i]) for i, j in zip(range(i1, i2), range(j1, j2)))
                continue
            rows.extend(DiffRow("removed", i + 1, None, a[i]) for i in range(i1, i2))
            rows.extend(DiffRow("added", None, j + 1, b[j]) for j in range(j1, j2))
        hunks.append(rows)
    return hunks


def restore(target: EditableFile, user: User, old: Revision, base_revision_id: int | None) -> Revision:
    """Publish an old revision's text again, as a new revision; the same checks apply."""
    if base_revision_id != target.current_id:
        raise Conflict(old.markdown, target.current)
    checked = check(target, old.markdown)
    if checked.errors:
        raise Refused(checked.errors)
    if quiz_changed(revision_document(target.current.id) if target.current else None, checked.doc):
        # Other questions than the live ones: the editor must choose about earlier passes, as when publishing,
        # so the old text goes into the draft; never over unpublished work of the editor's own.
        row = draft(target.file.id, user)
        if row is not None and row.markdown not in (old.markdown, target.current.markdown if target.current else ""):
            raise DraftInTheWay()
        save_draft(target, user, old.markdown, target.current_id)
        raise RetakeChoiceNeeded()
    revision = _add_revision(target, user, old.markdown, f"Återställer version {old.number}")
    if revision is None:  # another editor published since the history was shown
        raise Conflict(old.markdown, current_revision(target.file.id))
    return revision


def completion_counts(target: EditableFile) -> learn.PassCounts:
    """How many learners passed this part, and how many of those passes were made on older revisions."""
    return learn.pass_counts(target.file.id, target.current_id or 0)

