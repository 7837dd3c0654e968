"""Write transactions that stay exact under several workers and crashes.

A service that writes is decorated with `write_transaction`: the whole function is one transaction,
committed once at the end (or rolled back if it raises), so a crash leaves all or nothing.

- SQLite: the transaction starts as a write (`BEGIN IMMEDIATE`), so the writer queues for the lock
  up front instead of reading first and failing with "database is locked" when it upgrades.
- PostgreSQL: lock waits are bounded (`lock_timeout`), and a serialization failure, a deadlock or a
  lock wait that timed out runs the whole function again (a few times, with a short random pause).

Locks that guard a shared resource are taken with `lock(...)`, always before other writes of the
service, so every transaction takes them in the same order.
"""

from __future__ import annotations

import functools
import random
import time
import zlib
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from learning.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 5
LOCK_TIMEOUT_MS = 1000
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available (lock_timeout).
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}
_DEPTH = "write_transaction_depth"


class Busy(RuntimeError):
    """The database stayed busy through every retry; the request should be tried again later."""


def write_transaction(fn: Callable[P, R]) -> Callable[P, R]:
    """Run fn as one write transaction, committed at the end, retried on transient conflicts.

    Called from inside another write transaction, fn simply joins it (no commit of its own).
    """

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = db.session
        if session.info.get(_DEPTH):
            return fn(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                _begin_write()
                session.info[_DEPTH] = 1
                result = fn(*args, **kwargs)
                session.commit()
                return result
            except DBAPIError as exc:
                session.rollback()
                if not retryable(exc):
                    raise
                if attempt == ATTEMPTS:
                    raise Busy("the database stayed busy") from exc
                time.sleep(random.uniform(0.005, 0.05) * attempt)
            except BaseException:
                session.rollback()
                raise
            finally:
                session.info.pop(_DEPTH, None)
        raise AssertionError("unreachable")

    return run


def write_statement(statement, params: dict) -> None:
    """One statement as a write transaction of its own, retried like write_transaction, without the ORM.

    For the hot path of a page that only appends a row (a visit), called after the page has read what it
    needs: the request's read transaction ends first (so a thread never holds two pooled connections),
    and the objects it has loaded are not expired.
    """
    db.session.commit()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with db.engine.connect() as connection:
                connection = connection.execution_options(write_transaction=True)
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
                    connection.execute(statement, params)
            return
        except DBAPIError as exc:
            if not retryable(exc):
                raise
            if attempt == ATTEMPTS:
                raise Busy("the database stayed busy") from exc
            time.sleep(random.uniform(0.005, 0.05) * attempt)


def in_write_transaction() -> bool:
    """Whether the current code runs inside write_transaction."""
    return bool(db.session.info.get(_DEPTH))


def retryable(exc: DBAPIError) -> bool:
    """A conflict that running the transaction again resolves."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def _begin_write() -> None:
    # End whatever read transaction the request had open, then start one that is a write from its
    # first statement (the option is read by the SQLite "begin" hook below).
    session = db.session
    session.commit()
    connection = session.connection(execution_options={"write_transaction": True})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")


def lock(name: str, key: int) -> None:
    """Hold the lock (name, key) until the transaction ends; take it before the service's other writes.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, the write transaction
    already holds the database's one write lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                           {"space": zlib.crc32(name.encode()) & 0x7FFFFFFF, "key": key})


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    # The sqlite3 module's own transaction handling is switched off (isolation_level=None, see
    # learning/__init__.py) because it breaks savepoints; every transaction begins here instead.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write_transaction") else "BEGIN")
