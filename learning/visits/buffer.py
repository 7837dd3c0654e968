"""Start-page visits held in memory for at most a second, then written together.

A page that a thousand learners open writes nothing it can batch: a visit is appended to this
process's buffer, and a background thread writes the buffer as one insert every second (and when the
process exits). Readers of the figures flush their own process's buffer first. What a kill -9 can
lose is the last second of one process's visit counts; a learner's work is never buffered.
"""

from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from learning.extensions import db
from learning.transactions import Busy, append_row, in_write_transaction

class VisitBuffer:
    """Rows waiting to be inserted by one app in this process, and the thread that writes them."""

    def __init__(self, app: Flask, statement, seconds: float) -> None:
        self.app, self.statement, self.seconds = app, statement, seconds
        self.rows: list[dict] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="visit-buffer", daemon=True)
        self.thread.start()
        atexit.register(self._flush_at_exit)

    def add(self, row: dict) -> None:
        """Hold one visit until the next flush."""
        with self.lock:
            self.rows.append(row)

    def flush(self) -> int:
        """Write every held visit as one insert; how many (kept for the next try if the database refused)."""
        with self.lock:
            rows, self.rows = self.rows, []
        if not rows:
            return 0
        try:
            with self.app.app_context():
                append_row(self.statement, rows)
        except Busy:  # the database stayed locked: keep them for the next try
            with self.lock:
                self.rows[:0] = rows
            raise
        except Exception:  # rows the database can never take (e.g. their course was deleted) are dropped
            self.app.logger.exception("Dropped %d start-page visits the database refused", len(rows))
            return 0
        return len(rows)

    def close(self) -> None:
        """Stop the thread after writing what is held (when the app is shut down)."""
        self.stopped.set()
        self._flush_at_exit()

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception:  # the database may be gone already; nothing more can be done at exit
            pass

    def _run(self) -> None:
        while not self.stopped.wait(self.seconds):
            try:
                self.flush()
            except Exception:  # the next tick tries again; a start page never fails for a count
                self.app.logger.exception("Could not write start-page visits")


def buffer_for(statement) -> VisitBuffer | None:
    """This process's buffer for the current app (created, with its thread, at the first visit).

    None when VISIT_BUFFER_SECONDS is 0: each visit is then written at once.
    """
    extensions = current_app.extensions
    seconds = float(current_app.config["VISIT_BUFFER_SECONDS"])
    if seconds <= 0:
        return None
    if "visit_buffer" not in extensions:
        with _created:
            if "visit_buffer" not in extensions:
                extensions["visit_buffer"] = VisitBuffer(current_app._get_current_object(), statement, seconds)
    return extensions["visit_buffer"]


def close(app: Flask) -> None:
    """Write and stop an app's buffer, if it has one."""
    held = app.extensions.pop("visit_buffer", None)
    if held is not None:
        held.close()


def flush_current() -> None:
    """Write this process's held visits now, before a reader counts them, and let the reader see them."""
    held = current_app.extensions.get("visit_buffer")
    # Inside a write transaction the buffer's own connection would wait for this thread's lock: the
    # background thread writes the rows within the second instead.
    if held is not None and not in_write_transaction() and held.flush():
        db.session.commit()  # a read transaction begun earlier would not see rows written after it began


_created = threading.Lock()
