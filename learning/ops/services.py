"""Readiness: the database answers and its schema is at the migrations' head.

Read-only by design: a load balancer asks every few seconds, so the check runs one small SELECT on
a pooled connection and writes nothing (no session, no visit, no log row).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from learning.extensions import db

log = logging.getLogger(__name__)
# A probe that waits on a lock (a migration holding one, say) must fail rather than hang.
STATEMENT_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Readiness:
    """Whether this process can serve requests, and if not, a short reason for the operator."""

    ready: bool
    reason: str = ""


@functools.cache
def code_heads() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code (read once per process)."""
    from alembic.script import ScriptDirectory

    from learning import MIGRATIONS_DIR

    return frozenset(ScriptDirectory(MIGRATIONS_DIR).get_heads())


def database_revisions() -> frozenset[str] | None:
    """The revisions stamped in the database, or None when it has never been migrated."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
        if not inspect(connection).has_table("alembic_version"):
            return None
        return frozenset(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def readiness() -> Readiness:
    """Ready when the database answers and its migrations are exactly at this code's head."""
    try:
        found = database_revisions()
    except SQLAlchemyError as exc:
        log.warning("readiness: the database does not answer: %s", exc)
        return Readiness(False, "database unavailable")
    expected = code_heads()
    if found is None:
        return Readiness(False, "database not migrated (run: flask --app wsgi db upgrade)")
    if found != expected:
        return Readiness(False, f"migrations not at head: database {_names(found)}, code {_names(expected)}")
    return Readiness(True)


def _names(revisions: frozenset[str]) -> str:
    return ", ".join(sorted(revisions)) or "none"
