"""Helpers shared by the benchmarks."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path


class BenchError(Exception):
    """The benchmark could not be run as designed; its figures would mean nothing."""


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, for the figures' record of the machine."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def exit_with(main) -> None:
    """Exit with main()'s code, or 2 with the reason when the benchmark could not run as designed."""
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)


def bounded_env(name: str, default: int, low: int, high: int) -> int:
    """An integer setting from the environment, refused outside [low, high]."""
    value = int(os.environ.get(name, default))
    if not low <= value <= high:
        raise SystemExit(f"{name} must be between {low} and {high}, got {value}")
    return value


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def throwaway_database(kind: str, folder: Path):
    """A database URL that exists only inside the block (as tests/conftest.py's throwaway_database)."""
    import psycopg
    from sqlalchemy.engine import make_url

    from learning.config import normalise_database_url

    if kind == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"learning_bench_{uuid.uuid4().hex[:10]}"
    admin = make_url(normalise_database_url(POSTGRES_URL)).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL at {POSTGRES_URL} is not reachable ({exc}); "
                         "set BENCH_DATABASES=sqlite to skip it") from None
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
