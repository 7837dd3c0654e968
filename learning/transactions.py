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
import threading
import time
import zlib
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

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

        def once() -> R:
            try:
                _begin_write()
                session.info[_DEPTH] = 1
                result = fn(*args, **kwargs)
                session.commit()
                return result
            except BaseException:
                session.rollback()
                raise
            finally:
                session.info.pop(_DEPTH, None)

        return _retried(once)

    return run


def _retried(once: Callable[[], R], undo: Callable[[], None] = lambda: None) -> R:
    """once(), run again after undo() on a transient conflict, up to ATTEMPTS times; Busy if it never gets through."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return once()
        except DBAPIError as exc:
            undo()
            if not retryable(exc):
                raise
            if attempt == ATTEMPTS:
                raise Busy("the database stayed busy") from exc
            time.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")


def append_row(statement, params: dict | list[dict]) -> None:
    """Append rows with one statement that is its own transaction, on this thread's own connection.

    For rows that only add to a count (start-page visits): no ORM, no pool checkout,
    no BEGIN/COMMIT round trips (the connection is in autocommit), and the request's own transaction
    and the objects it has loaded are left alone. A busy database is retried like write_transaction.
    """
    engine = db.engine
    _retried(lambda: _append_connection(engine).execute(statement, params),
             undo=lambda: _drop_append_connection(engine))


class _AppendConnections(threading.local):
    def __init__(self) -> None:
        self.by_engine: dict[int, Connection] = {}


_append = _AppendConnections()
_append_lock = threading.Lock()
_append_engines: dict[int, tuple[Engine, list[Connection]]] = {}


def _append_connection(engine: Engine) -> Connection:
    connection = _append.by_engine.get(id(engine))
    if connection is None:
        with _append_lock:
            if id(engine) not in _append_engines:  # one side engine per app engine, closed with it
                side = create_engine(engine.url, poolclass=NullPool)
                _append_engines[id(engine)] = (side, [])
                event.listen(engine, "engine_disposed", _close_append_connections)
            side, opened = _append_engines[id(engine)]
            connection = side.connect().execution_options(isolation_level="AUTOCOMMIT")
            opened.append(connection)
        _append.by_engine[id(engine)] = connection
    return connection


def _drop_append_connection(engine: Engine) -> None:
    connection = _append.by_engine.pop(id(engine), None)
    if connection is not None:
        connection.invalidate()


def _close_append_connections(engine: Engine) -> None:
    with _append_lock:
        side, opened = _append_engines.pop(id(engine), (None, []))
    for connection in opened:
        connection.close()
    if side is not None:
        side.dispose()


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
    if conn.dialect.name == "sqlite" and conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write_transaction") else "BEGIN")
