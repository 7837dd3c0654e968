"""check-content's view of contacts: every key used in the course files that some förvaltning has no text for."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from learning.accounts.models import Organisation
from learning.contacts.models import EVERYWHERE, ContactValue
from learning.content.checks import FileProblem, content_files, course_dirs, parse_file
from learning.content.parsing import Problem
from learning.extensions import db


def unset_warnings(root: Path) -> list[FileProblem]:
    """A warning at the first use of each contact key that learners in some förvaltning would see no text for."""
    try:
        stored = {(key, scope) for key, scope in db.session.execute(select(ContactValue.key, ContactValue.scope))}
        organisations = [(code, name) for code, name in db.session.execute(
            select(Organisation.code, Organisation.name).filter_by(active=True).order_by(Organisation.name))]
    except DBAPIError:  # a database not migrated yet
        db.session.rollback()
        return [FileProblem(root, Problem(0, "Kontakternas texter gick inte att läsa ur databasen (kör flask db "
                                             "upgrade); kontakter utan text listas inte.", "warning"))]
    warnings = []
    for course_dir in course_dirs(root):
        first_use: dict[str, tuple[Path, int]] = {}
        for path in content_files(course_dir):
            for key, line in parse_file(path).contact_uses:
                first_use.setdefault(key, (path, line))
        for key, (path, line) in first_use.items():
            if (key, EVERYWHERE) in stored:
                continue
            missing = [name for code, name in organisations if (key, code) not in stored]
            if missing:
                shown = ", ".join(missing[:5]) + (f" och {len(missing) - 5} till" if len(missing) > 5 else "")
                warnings.append(FileProblem(path, Problem(line, (
                    f"Kontakten '{key}' saknar text för {shown}: fyll i den under Kontakter "
                    f"(deltagarna ser annars 'Fråga din chef eller HR om …')."), "warning")))
    return warnings
