"""Backups of the live database and their restore.

- SQLite: the online backup API copies a consistent snapshot while the app keeps writing (WAL lets
  the copy read while workers write). The copy is switched to a single self-contained file (no -wal
  beside it) and checked before it gets its final name.
- PostgreSQL: `pg_dump --format=custom`, which reads one snapshot of the whole database; restored with
  `pg_restore --clean --if-exists --no-owner` in a single transaction.

A backup is written under a temporary name, readable by its owner only (it holds personal data), and
linked to its final timestamped name only when complete, so a file with that name is always whole.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL

SQLITE_SUFFIX = ".sqlite3"
POSTGRES_SUFFIX = ".dump"


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why, in Swedish."""


def backup(url: URL, folder: Path, now: datetime) -> Path:
    """Copy the database at url into a new file in folder named after now (UTC); returns its path."""
    if not folder.is_dir():
        raise BackupError(f"Mappen {folder} finns inte. Skapa den (eller montera disken) och försök igen.")
    postgres = _is_postgres(url)
    suffix = POSTGRES_SUFFIX if postgres else SQLITE_SUFFIX
    partial = folder / f".learning-{now:%Y%m%dT%H%M%S}-{os.getpid()}.partial"
    try:
        _create_private(partial)
        try:
            if postgres:
                _dump_postgres(url, partial)
            else:
                _copy_sqlite(_sqlite_path(url), partial)
            return _publish(partial, folder, f"learning-{now:%Y%m%dT%H%M%SZ}", suffix)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as exc:  # a full disk, a folder we may not write in
        raise BackupError(f"Kunde inte skriva i {folder}: {exc.strerror or exc}") from exc


def restore(url: URL, source: Path) -> None:
    """Replace the contents of the database at url with the backup in source."""
    if not source.is_file():
        raise BackupError(f"Filen {source} finns inte.")
    if _is_postgres(url):
        _restore_postgres(url, source)
    else:
        _restore_sqlite(source, _sqlite_path(url))


def _is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _publish(partial: Path, folder: Path, stem: str, suffix: str) -> Path:
    # A hard link never replaces an existing file: two backups in the same second get -2, -3, ...
    for n in range(1, 100):
        target = folder / f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        try:
            os.link(partial, target)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links (some network shares)
            if target.exists():
                continue
            os.rename(partial, target)
        _fsync_folder(folder)
        return target
    raise BackupError(f"För många säkerhetskopior med namnet {stem} i {folder}.")


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# SQLite


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        raise BackupError("Databasen finns bara i minnet och kan inte säkerhetskopieras.")
    return Path(url.database)


def _copy_sqlite(path: Path, target: Path) -> None:
    if not path.is_file():
        raise BackupError(f"Databasfilen {path} finns inte.")
    try:
        source = sqlite3.connect(path, timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: one read snapshot of the whole database
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, nothing in a -wal beside it
            _check_sqlite(copy, target)
        finally:
            copy.close()
            source.close()
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite kunde inte kopiera {path}: {exc}") from exc


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} är skadad: {result}")


def _check_platform(connection: sqlite3.Connection, path: Path) -> None:
    _check_sqlite(connection, path)
    has_version = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
    if not has_version:
        raise BackupError(f"{path} är ingen databas för plattformen (tabellen alembic_version saknas).")


def _restore_sqlite(source: Path, path: Path) -> None:
    # Through the backup API rather than a file copy: a -wal file left beside the old database would
    # otherwise be replayed into the restored one. The copy takes the write lock and is all or nothing.
    try:
        backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            _check_platform(backup_file, source)
            path.parent.mkdir(parents=True, exist_ok=True)
            live = sqlite3.connect(path, timeout=30)
            try:
                backup_file.backup(live)
            finally:
                live.close()
        finally:
            backup_file.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} kunde inte läsas tillbaka som en SQLite-databas: {exc}") from exc


# PostgreSQL


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment that carries it (not on argv)."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} finns inte på den här datorn. Installera PostgreSQL-klienten "
                          "(samma huvudversion som servern eller nyare).")
    return path


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        detail = result.stderr.strip() or f"slutkod {result.returncode}"
        raise BackupError(f"{what} misslyckades: {detail}")


def _dump_postgres(url: URL, target: Path) -> None:
    conninfo, environment = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}", f"--dbname={conninfo}"],
         environment, "pg_dump")
    # Read the archive's table of contents back: a truncated or unreadable file fails here, not at restore.
    _run([_tool("pg_restore"), "--list", str(target)], environment, "Kontrollen av säkerhetskopian")
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())


def _restore_postgres(url: URL, source: Path) -> None:
    conninfo, environment = _libpq(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          "--no-password", f"--dbname={conninfo}", str(source)], environment, "pg_restore")
