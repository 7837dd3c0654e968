"""Completion/coverage dashboards on a generated city of 3,000, 30,000 and 300,000 employees.

Run with `make bench-reports` (see bench/README.md, "Report dashboards"). For each database (SQLite in a
temporary file, PostgreSQL in a throwaway database on BENCH_POSTGRES_URL) and each size, the script

1. creates the schema as `flask db upgrade` does (flask_migrate.upgrade()); tables or indexes that the
   models declare but no migration creates yet are added with create_all()/Index.create(), and said so;
2. loads the organisation list and the shipped course (as `flask bootstrap`), creates a coordinator with a
   real (cheap) argon2 password through accounts.services.create_user and signs in with the test client;
3. generates a city in 12 förvaltningar of uneven size (the first 12 of the shipped list): a staff list
   with movers and leavers, accounts for ~85 % of staff, part views for ~75 %, quiz attempts, part
   completions and course completions for ~60 % spread over 24 months; inserted with bulk Core inserts;
4. checks that the dashboard's totals equal what was generated, then measures in-process, interleaved:
   the city dashboard, the largest förvaltning's dashboard, the XLSX export, services.dashboard()
   alone (SQL without rendering), and the course's and the programme's council reports — one warm-up, then up to REPEATS[size] rounds within BENCH_BUDGET
   seconds (at least MIN_ROUNDS); median and p95;
5. replays every SQL statement of one city dashboard alone, with its fetch (which query costs what);
6. prints a Markdown table, the growth factor between sizes and PASS/FAIL against the targets, writes
   the raw figures to bench/results/reports-<UTC time>.json and exits 1 if a target fails (2 if the
   benchmark could not run).

Bounded by design: at most three sizes, at most 15 rounds per size (7 at 300,000), and at most BENCH_BUDGET
(default 90, 10–600) seconds of measured rounds per database and size unless that leaves fewer than 3.
Environment variables: BENCH_SIZES (subset of 3000,30000,300000), BENCH_DATABASES (sqlite,postgresql),
BENCH_POSTGRES_URL, BENCH_BUDGET,
BENCH_EXPLAIN=1 (print the query plans of the dashboard's statements at the largest size),
BENCH_PROFILE=1 (cProfile of the city dashboard request at the largest size).
"""

from __future__ import annotations

import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from common import POSTGRES_URL, BenchError, cpu_model, exit_with, throwaway_database

import flask_migrate
import psycopg
from sqlalchemy import event, inspect, insert, select, text
from sqlalchemy.engine import make_url

from learning import create_app
from learning.accounts import services as accounts
from learning.config import normalise_database_url
from learning.content import services as content
from learning.extensions import db
from learning.periods import Period
from learning.reports import services
from learning.timeutil import STOCKHOLM, stockholm_month

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
LEARNING_DIR = ROOT / "learning"

ALL_SIZES = (3_000, 30_000, 300_000)
REPEATS = {3_000: 15, 30_000: 15, 300_000: 7}  # at most this many measured rounds after one warm-up, per size
MIN_ROUNDS = 3  # … and at least this many, whatever the time budget
TARGET_MS = 150.0  # city dashboard, median, at TARGET_SIZE employees, on either database
TARGET_SIZE = 30_000
COURSE = "grundkurs"
PERIOD = Period("2024-01", "2026-12")
QUERY = f"fran={PERIOD.start}&till={PERIOD.end}"
CITY_URL = f"/rapporter/{COURSE}/?{QUERY}"
XLSX_URL = f"/rapporter/{COURSE}/forvaltningar.xlsx?{QUERY}"
COUNCIL_URL = f"/rapporter/{COURSE}/aterrapport?{QUERY}"  # the course's council report (issue 15: no target)
PROGRAMME_URL = f"/rapporter/aterrapport?{QUERY}"  # the programme's council report, every course and session
COORDINATOR = "samordnare.bench@malmo.se"
CHUNK = 10_000  # rows per bulk insert

# The first 12 organisations of learning/organisations/malmo.toml with a share of the staff that roughly
# follows the real förvaltningar (schools, pre-schools and care are large; environment and planning small),
# and a factor on the chance to finish the course once started, so that the förvaltningar differ.
ORGANISATIONS = {
    "asf": (0.100, 1.00), "fgk": (0.035, 0.90), "fri": (0.020, 1.05), "fsf": (0.090, 1.10),
    "fsk": (0.150, 1.00), "gsf": (0.250, 0.95), "gvf": (0.070, 0.85), "hvo": (0.170, 1.05),
    "kul": (0.025, 0.90), "mil": (0.008, 1.15), "ser": (0.060, 0.95), "sbk": (0.012, 1.10),
}
ROLES = (("medarbetare", 0.88), ("chef", 0.10), ("hr", 0.02))
GENDERS = (("kvinna", 0.60), ("man", 0.34), ("annat", 0.005), ("vill_ej_ange", 0.025), (None, 0.03))
P_ACCOUNT, P_STARTED, P_COMPLETED = 0.85, 0.75, 0.60  # shares of the staff
P_MOVER, P_LEAVER = 0.04, 0.03  # moved förvaltning during the period; left (extra rows, not in the headcount)
# Completions per month over 24 months, November 2024 to October 2026: the launch, then campaigns.
COMPLETION_MONTHS = [f"{2024 + (10 + i) // 12}-{(10 + i) % 12 + 1:02d}" for i in range(24)]
MONTH_WEIGHTS = [2, 6, 7, 6, 5, 4, 2, 1, 3, 5, 5, 4, 3, 3, 4, 4, 3, 2, 1, 1, 3, 4, 4, 3]
FIRST_NAMES = ["anna", "eva", "maria", "karin", "sara", "fatima", "lena", "emma", "elin", "amra", "johan",
               "erik", "lars", "ali", "mohammed", "anders", "per", "mikael", "karl", "ahmed", "nora", "leila"]
LAST_NAMES = ["andersson", "johansson", "karlsson", "nilsson", "eriksson", "larsson", "olsson", "persson",
              "hassan", "ali", "svensson", "gustafsson", "pettersson", "jonsson", "hansson", "berg", "lind"]


def _env_list(name: str, allowed: tuple, default: tuple, convert=str) -> tuple:
    raw = os.environ.get(name)
    if not raw:
        return default
    values = tuple(convert(v.strip()) for v in raw.split(",") if v.strip())
    if not values or any(v not in allowed for v in values):
        raise SystemExit(f"{name} must be a comma-separated subset of {','.join(map(str, allowed))}, got {raw!r}")
    return tuple(v for v in allowed if v in values)


SIZES = _env_list("BENCH_SIZES", ALL_SIZES, ALL_SIZES, lambda v: int(v.replace("_", "")))
DATABASES = _env_list("BENCH_DATABASES", ("sqlite", "postgresql"), ("sqlite", "postgresql"))
# Seconds of measured rounds per database and size: fewer rounds when one round is slow (300,000 on SQLite).
BUDGET = int(os.environ.get("BENCH_BUDGET", 90))
if not 10 <= BUDGET <= 600:
    raise SystemExit(f"BENCH_BUDGET must be between 10 and 600 seconds, got {BUDGET}")
EXPLAIN = os.environ.get("BENCH_EXPLAIN") == "1"
PROFILE = os.environ.get("BENCH_PROFILE") == "1"


# ---------------------------------------------------------------------------------------------------------
# The generated city
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """Ids that the generated rows point at, read from the seeded database."""

    organisations: dict[str, int]
    course_id: int
    required: tuple[tuple[int, int], ...]  # (content file id, revision id) of the required parts, in order
    optional: tuple[tuple[int, int], ...]
    first_user_id: int


@dataclass
class City:
    """Rows for every table, as (columns, tuples), and the totals the dashboard must show."""

    size: int
    reference: Reference
    tables: dict[str, tuple[list[str], list[tuple]]]
    expected: dict[str, int]
    largest: str  # code of the largest förvaltning
    staff_by_org: dict[str, int] = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        return sum(len(rows) for _, rows in self.tables.values())


def _pick(rng: random.Random, options) -> object:
    x = rng.random()
    for value, p in options:
        x -= p
        if x < 0:
            return value
    return options[-1][0]


def _moment_in_month(rng: random.Random, month: str) -> datetime:
    """A random moment in a Stockholm month, as a UTC timestamp."""
    year, mon = int(month[:4]), int(month[5:])
    start = datetime(year, mon, 1, tzinfo=STOCKHOLM)
    after = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=STOCKHOLM)
    seconds = (after.astimezone(timezone.utc) - start.astimezone(timezone.utc)).total_seconds()
    return start.astimezone(timezone.utc) + timedelta(seconds=rng.random() * (seconds - 60))


def generate(size: int, ref: Reference) -> City:
    """A city of `size` employees (plus leavers) with realistic progress; deterministic for a size."""
    rng = random.Random(size)
    codes = list(ORGANISATIONS)
    weights = [ORGANISATIONS[c][0] for c in codes]
    scale = sum(weights)
    # Exact head count per förvaltning, largest remainder so the sizes add up to `size`.
    raw = [size * w / scale for w in weights]
    heads = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - heads[i], reverse=True)[: size - sum(heads)]:
        heads[i] += 1
    units = {c: [f"{c.upper()} enhet {k:03d}" for k in range(1, max(3, h // 120) + 1)] for c, h in zip(codes, heads)}
    people = [(c, False) for c, h in zip(codes, heads) for _ in range(h)]
    people += [(rng.choices(codes, weights)[0], True) for _ in range(round(size * P_LEAVER))]
    rng.shuffle(people)

    at = PERIOD.last_day()
    period_start, period_end = PERIOD.bounds()
    required, optional = ref.required, ref.optional
    staff_rows, assignment_rows, user_rows = [], [], []
    view_rows, start_rows, attempt_rows, part_rows, course_rows = [], [], [], [], []
    expected = dict.fromkeys(("staff", "registered", "started", "completed", "covered"), 0)
    user_id, attempt_id = ref.first_user_id, 0
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    p_started = P_STARTED / P_ACCOUNT
    answers = {"q1": ["a"], "q2": ["b", "c"], "q3": ["a"], "q4": ["d"], "q5": ["b"]}

    for staff_id, (code, leaver) in enumerate(people, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first.capitalize()} {last.capitalize()}"
        email = f"{first}.{last}.{staff_id}@malmo.se"  # lower case, as import_staff and create_user store it
        role = _pick(rng, ROLES)
        hired = date(2005, 1, 1) + timedelta(days=rng.randrange(7200))  # 2005 … mid-2024
        org_id = ref.organisations[code]
        staff_rows.append([staff_id, f"E{staff_id:07d}", name, email, not leaver, now, None])
        places: list[tuple[int, date, date | None]] = []  # (organisation id, from, to)
        if leaver:
            left = date(2025, 1, 1) + timedelta(days=rng.randrange(640))  # before the end of the period
            places.append((org_id, hired, left))
        elif rng.random() < P_MOVER:
            moved = date(2025, 1, 1) + timedelta(days=rng.randrange(640))
            before = ref.organisations[rng.choice([c for c in codes if c != code])]
            places += [(before, hired, moved), (org_id, moved, None)]
        else:
            places.append((org_id, hired, None))
        for oid, start, end in places:
            unit_code = next(c for c, i in ref.organisations.items() if i == oid)
            assignment_rows.append((staff_id, oid, rng.choice(units[unit_code]), role, start, end))
        if not leaver:
            expected["staff"] += 1
        if rng.random() >= P_ACCOUNT:
            continue

        # An account with the staff list's address (normalised, as create_user stores it), linked to the
        # staff member as import_staff and create_user link them.
        user_id += 1
        staff_rows[-1][-1] = user_id
        factor = ORGANISATIONS[code][1]
        started = rng.random() < p_started
        completes = started and rng.random() < (P_COMPLETED / P_STARTED) * factor
        if completes:
            completed_at = _moment_in_month(rng, rng.choices(COMPLETION_MONTHS, MONTH_WEIGHTS)[0])
            began = completed_at - timedelta(days=rng.uniform(0.02, 45))
            n_viewed = n_passed = len(required)
        elif started:
            began = _moment_in_month(rng, rng.choice(COMPLETION_MONTHS))
            n_viewed = rng.choices([1, 2, 3, 4, 5], [30, 25, 20, 15, 10])[0]
            n_passed = max(0, n_viewed - rng.choice([0, 1, 1]))
            completed_at = None
        else:
            began = _moment_in_month(rng, rng.choice(COMPLETION_MONTHS))
            n_viewed = n_passed = 0
            completed_at = None
        created = max(datetime(2024, 9, 2, tzinfo=timezone.utc), began - timedelta(days=rng.uniform(0, 120)))
        current_org = places[-1][0]
        user_rows.append((user_id, email, name, "x", current_org, role, _pick(rng, GENDERS), "learner", False,
                          True, secrets.token_hex(16), False, created))
        expected["registered"] += 1
        if not started:
            continue
        expected["started"] += 1
        start_rows.append((user_id, ref.course_id, began))  # as learn.services.open_part records the first view
        end_at = completed_at or began + timedelta(days=rng.uniform(0.02, 60))
        step = (end_at - began) / len(required)
        parts = list(required[:n_viewed])
        if role in ("chef", "hr") and completes and rng.random() < 0.5:
            parts += list(optional)
        for index, (file_id, revision_id) in enumerate(parts):
            viewed = began + step * min(index, len(required) - 1)
            view_rows.append((user_id, file_id, viewed))
            passes = index < n_passed or (index >= len(required) and rng.random() < 0.8)
            attempts = 1 + (rng.random() < 0.25) if passes else int(rng.random() < 0.4)
            for attempt in range(attempts):
                attempt_id += 1
                passed = passes and attempt == attempts - 1
                moment = viewed + timedelta(minutes=10 + 5 * attempt)
                correct = 5 if passed else rng.choice([2, 3])
                attempt_rows.append((attempt_id, user_id, file_id, revision_id, f"{file_id:06d}{attempt:026d}",
                                     answers, correct, 5, correct * 20, passed, moment))
                if passed:
                    part_rows.append((user_id, file_id, revision_id, attempt_id, moment))
        if completes:
            # Counted in the förvaltning the person belonged to when they completed.
            local_day = completed_at.astimezone(STOCKHOLM).date()
            org_then = next((oid for oid, start, end in places if start <= local_day and (end is None or local_day < end)),
                            places[-1][0])
            course_rows.append((user_id, ref.course_id, org_then, role, name, f"B{user_id:011d}", completed_at,
                                stockholm_month(completed_at)))
            if period_start <= completed_at < period_end:
                expected["completed"] += 1
            if not leaver:
                expected["covered"] += 1

    tables = {
        "users": (["id", "email", "name", "password_hash", "organisation_id", "org_role", "gender", "role",
                   "must_change_password", "email_confirmed", "session_token", "disabled", "created_at"], user_rows),
        "staff_members": (["id", "employee_id", "name", "email", "active", "updated_at", "user_id"],
                          staff_rows),
        "staff_assignments": (["staff_id", "organisation_id", "unit", "org_role", "valid_from", "valid_to"],
                              assignment_rows),
        "part_views": (["user_id", "content_file_id", "first_viewed_at"], view_rows),
        "course_starts": (["user_id", "course_id", "started_at"], start_rows),
        "quiz_attempts": (["id", "user_id", "content_file_id", "revision_id", "token", "answers", "correct_count",
                           "question_count", "score", "passed", "created_at"], attempt_rows),
        "part_completions": (["user_id", "content_file_id", "revision_id", "attempt_id", "completed_at"], part_rows),
        "course_completions": (["user_id", "course_id", "organisation_id", "org_role", "name", "verification_code",
                                "completed_at", "completed_month"], course_rows),
    }
    largest = codes[max(range(len(codes)), key=lambda i: heads[i])]
    return City(size, ref, tables, expected, largest, dict(zip(codes, heads)))


# ---------------------------------------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------------------------------------


def app_for(url: str):
    return create_app({
        "SECRET_KEY": "bench-" + secrets.token_hex(16),
        "SQLALCHEMY_DATABASE_URI": url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "CHECK_CONTENT_ON_START": False,
        "PASSWORD_HASH_PARAMS": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
    })


def create_schema() -> list[str]:
    """`flask db upgrade`; then whatever the models declare that no migration creates yet. Returns notes."""
    notes = []
    log = io.StringIO()
    try:
        with redirect_stderr(log):  # alembic's INFO lines; shown only if the upgrade fails
            flask_migrate.upgrade()
    except Exception as exc:  # noqa: BLE001  (any failure: fall back, and say so)
        db.session.rollback()
        print(log.getvalue(), file=sys.stderr)
        notes.append(f"flask db upgrade failed ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
                     "fell back to db.create_all()")
    inspector = inspect(db.engine)
    existing = set(inspector.get_table_names())
    missing_tables = [t for t in db.metadata.sorted_tables if t.name not in existing]
    if missing_tables:
        db.metadata.create_all(db.engine, tables=missing_tables)
        notes.append("no migration yet for table(s) " + ", ".join(t.name for t in missing_tables)
                     + ": created with db.create_all()")
    missing_indexes = []
    for table in db.metadata.sorted_tables:
        if table in missing_tables:
            continue
        present = {ix["name"] for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(db.engine)
                missing_indexes.append(index.name)
    if missing_indexes:
        notes.append("no migration yet for index(es) " + ", ".join(sorted(missing_indexes))
                     + ": created from the models")
    return notes


def seed(password: str) -> Reference:
    """Organisations and course content as `flask bootstrap` loads them, and a signed-in coordinator."""
    accounts.sync_organisations(accounts.load_organisation_file(LEARNING_DIR / "organisations" / "malmo.toml"))
    content.import_tree(ROOT / "courses")
    coordinator = accounts.create_user(accounts.NewUser(
        email=COORDINATOR, name="Samordnare Bench", password=password, role="coordinator"))
    from learning.accounts.models import Organisation

    orgs = dict(db.session.execute(select(Organisation.code, Organisation.id)).all())
    codes = [c for c, _ in accounts.load_organisation_file(LEARNING_DIR / "organisations" / "malmo.toml")][:12]
    if set(codes) != set(ORGANISATIONS):
        raise BenchError(f"the first 12 organisations of the shipped list are {codes}, not {list(ORGANISATIONS)}")
    course = content.published_course(COURSE)
    if course is None:
        raise BenchError(f"course {COURSE!r} was not imported")
    required = tuple((p.file_id, p.revision_id) for p in course.required_parts)
    optional = tuple((p.file_id, p.revision_id) for p in course.parts if not p.doc.required)
    return Reference({c: orgs[c] for c in codes}, course.id, required, optional, coordinator.id)


def bulk_load(city: City) -> dict[str, float]:
    """Insert every generated row with Core executemany in chunks; seconds per table."""
    seconds = {}
    postgres = db.engine.dialect.name == "postgresql"
    for name, (columns, rows) in city.tables.items():
        table = db.metadata.tables[name]
        started = time.perf_counter()
        if postgres:
            # No foreign-key trigger per row while loading (a third of the load time), for this transaction only.
            # The rows are the same on both databases, and SQLite, which runs first, checks every foreign key
            # as they go in (PRAGMA foreign_keys=ON).
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        for offset in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), [dict(zip(columns, row)) for row in rows[offset:offset + CHUNK]])
        db.session.commit()
        seconds[name] = time.perf_counter() - started
    if postgres:
        # Explicit ids were inserted: move the sequences on, as a real history would have.
        for name, (columns, _) in city.tables.items():
            if "id" in columns:
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                        f"(SELECT max(id) FROM {name}))"))
        db.session.commit()
        # Autovacuum vacuums and analyses freshly loaded tables within a minute or so (statistics for the
        # planner, the visibility map for index-only scans); do it now rather than wait.
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        seconds["VACUUM ANALYZE"] = time.perf_counter() - started
    return seconds


# ---------------------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------------------


def log_in(client, password: str) -> None:
    page = client.get("/logga-in").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if not match:
        raise BenchError("no csrf_token in the login form")
    resp = client.post("/logga-in", data={"csrf_token": match.group(1), "email": COORDINATOR, "password": password})
    if resp.status_code != 302 or resp.headers.get("Location", "").startswith("/logga-in"):
        raise BenchError(f"coordinator sign-in failed: {resp.status_code} {resp.headers.get('Location')}")


def check_totals(board, city: City) -> None:
    """The dashboard must show exactly what was generated, or its timings measure something else."""
    total = board.total
    shown = {"staff": total.staff, "registered": total.registered, "started": total.started,
             "completed": total.completed, "covered": total.covered}
    if shown != city.expected or total.hidden:
        raise BenchError(f"dashboard totals {shown} (hidden={total.hidden}) differ from the generated city "
                         f"{city.expected}")


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(samples: list[float]) -> dict:
    return {"median_ms": statistics.median(samples), "p95_ms": quantile(samples, 0.95),
            "min_ms": min(samples), "max_ms": max(samples), "samples_ms": [round(s, 2) for s in samples]}


class StatementTimer:
    """Every SQL statement run on the engine while active: where in learning/ it came from and how long it took."""

    def __init__(self, engine):
        self.engine = engine
        self.records: list[dict] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        where = "?"
        for frame in reversed(traceback.extract_stack()):
            path = Path(frame.filename)
            if LEARNING_DIR in path.parents and frame.name != "_counts":
                where = f"{path.relative_to(LEARNING_DIR)}:{frame.lineno} {frame.name}: {(frame.line or '').strip()}"
                break
        self.records.append({"where": where, "ms": elapsed * 1000, "statement": statement, "parameters": parameters})
        # (ms: until the first row only; statement_breakdown replays each statement with its fetch.)


def statement_breakdown(app, scope, rounds: int) -> list[dict]:
    """Every statement of one services.dashboard call, replayed alone: median of `rounds` executions + fetch.

    The statements are captured from a real call, then each is run again on its own with its parameters and
    its rows fetched: SQLite does much of the work while rows are fetched, after the cursor event fires.
    """
    with app.app_context():
        course = content.published_course(COURSE)
        with StatementTimer(db.engine) as timer:
            services.dashboard(course, scope, PERIOD)
        db.session.remove()
        result = []
        seen: dict[str, int] = {}
        for record in timer.records:  # the same line may run twice (_by for role and gender)
            seen[record["where"]] = seen.get(record["where"], 0) + 1
            if seen[record["where"]] > 1:
                record["where"] += f" (#{seen[record['where']]})"
        with db.engine.connect() as conn:
            for record in timer.records:
                samples = []
                for _ in range(rounds):
                    started = time.perf_counter()
                    conn.exec_driver_sql(record["statement"], record["parameters"]).all()
                    samples.append((time.perf_counter() - started) * 1000)
                result.append({"where": record["where"], "ms": statistics.median(samples),
                                "statement": record["statement"], "parameters": _jsonable(record["parameters"])})
    return result


def _jsonable(parameters):
    if isinstance(parameters, dict):
        return {k: _jsonable(v) for k, v in parameters.items()}
    if isinstance(parameters, (list, tuple)):
        return [_jsonable(v) for v in parameters]
    return parameters if isinstance(parameters, (int, float, str, bool, type(None))) else str(parameters)


def explain(app, scope) -> list[dict]:
    """The plan of every statement of one city dashboard (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE)."""
    plans = []
    with app.app_context():
        course = content.published_course(COURSE)
        with StatementTimer(db.engine) as timer:
            services.dashboard(course, scope, PERIOD)
        db.session.remove()
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.connect() as conn:
            for record in timer.records:
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                rows = conn.exec_driver_sql(prefix + record["statement"], record["parameters"]).all()
                plan = [r[0] if postgres else r[-1] for r in rows]
                plans.append({"where": record["where"], "ms": record["ms"], "plan": plan})
    return plans


def measure(app, client, city: City, rounds: int) -> dict:
    """Warm-up, then interleaved rounds of the three pages and the service call for two scopes."""
    org_url = f"{CITY_URL}&forvaltning={city.largest}"
    with app.app_context():
        org_scope = frozenset({city.reference.organisations[city.largest]})

    def page(url: str, expect: bytes, mimetype: str) -> float:
        started = time.perf_counter()
        resp = client.get(url)
        body = resp.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        if resp.status_code != 200 or resp.mimetype != mimetype or expect not in body:
            raise BenchError(f"GET {url}: {resp.status_code} {resp.mimetype} {resp.headers.get('Location', '')}")
        return elapsed

    def service(scope) -> float:
        with app.app_context():
            course = content.published_course(COURSE)
            started = time.perf_counter()
            board = services.dashboard(course, scope, PERIOD)
            elapsed = (time.perf_counter() - started) * 1000
            if scope is None:
                check_totals(board, city)
            db.session.remove()
        return elapsed

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    steps = {
        "city": lambda: page(CITY_URL, "Per förvaltning".encode(), "text/html"),
        "organisation": lambda: page(org_url, "Per förvaltning".encode(), "text/html"),
        "xlsx": lambda: page(XLSX_URL, b"PK", xlsx),
        "council": lambda: page(COUNCIL_URL, "Totalt antal personer".encode(), "text/html"),
        "programme": lambda: page(PROGRAMME_URL, "Totalt antal personer".encode(), "text/html"),
        "service_city": lambda: service(None),
        "service_organisation": lambda: service(org_scope),
    }
    started = time.perf_counter()
    for step in steps.values():  # warm-up: caches, connection pool, the database's own pages
        step()
    warm_up = time.perf_counter() - started
    rounds = max(MIN_ROUNDS, min(rounds, int(BUDGET // warm_up)))
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            samples[name].append(step())
    result = {name: summary(values) for name, values in samples.items()}
    result["rounds"] = rounds
    result["warm_up_seconds"] = warm_up
    result["organisation_code"] = city.largest
    result["organisation_url"] = org_url
    return result


def profile_city(client) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        client.get(CITY_URL)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def run_one(kind: str, size: int, folder: Path, cities: dict) -> dict:
    """One database and one size: schema, data, measurements."""
    with throwaway_database(kind, folder) as url:
        app = app_for(url)
        password = secrets.token_urlsafe(18)
        try:
            with app.app_context():
                notes = create_schema()
                ref = seed(password)
                city = cities.get(size)
                if city is None or city.reference != ref:
                    started = time.perf_counter()
                    city = cities[size] = generate(size, ref)
                    print(f"  generated {city.row_count:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
                started = time.perf_counter()
                load_seconds = bulk_load(city)
                load_total = time.perf_counter() - started
                print(f"  loaded in {load_total:.1f} s ("
                      + ", ".join(f"{k} {v:.1f}" for k, v in load_seconds.items()) + ")", flush=True)
                db.session.remove()
            for note in notes:
                print(f"  schema: {note}", flush=True)
            client = app.test_client()
            log_in(client, password)
            timings = measure(app, client, city, REPEATS[size])
            breakdown = statement_breakdown(app, None, rounds=3 if size <= 30_000 else 1)
            result = {
                "database": kind, "employees": size, "rounds": timings["rounds"], "schema_notes": notes,
                "rows": {name: len(rows) for name, (_, rows) in city.tables.items()},
                "expected_totals": city.expected, "staff_by_organisation": city.staff_by_org,
                "load_seconds": load_seconds, "timings": timings, "city_statements": breakdown,
            }
            if size == max(SIZES) and EXPLAIN:
                result["explain"] = explain(app, None)
            if size == max(SIZES) and PROFILE:
                result["profile"] = profile_city(client)
            return result
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# ---------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------

MEASURES = (("city", "City dashboard"), ("organisation", "One förvaltning"), ("xlsx", "XLSX export"),
            ("service_city", "services.dashboard, city"), ("service_organisation", "services.dashboard, förvaltning"))


def fmt_ms(s: dict) -> str:
    return f"{s['median_ms']:.1f} / {s['p95_ms']:.1f}"


def markdown_table(results: list[dict]) -> str:
    lines = ["| Database | Employees | City dashboard ms (median / p95) | One förvaltning ms | XLSX ms "
             "| services.dashboard city ms | services.dashboard förvaltning ms | Course council report ms "
             "| Programme council report ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        t = r["timings"]
        lines.append(f"| {r['database']} | {r['employees']:,} | {fmt_ms(t['city'])} | {fmt_ms(t['organisation'])} "
                     f"| {fmt_ms(t['xlsx'])} | {fmt_ms(t['service_city'])} | {fmt_ms(t['service_organisation'])} "
                     f"| {fmt_ms(t['council'])} | {fmt_ms(t['programme'])} |")
    return "\n".join(lines)


def growth(results: list[dict]) -> list[dict]:
    """Factor between consecutive sizes (medians), per database and measure."""
    rows = []
    for kind in DATABASES:
        mine = sorted((r for r in results if r["database"] == kind), key=lambda r: r["employees"])
        for small, large in zip(mine, mine[1:]):
            employees = large["employees"] / small["employees"]
            factors = {m: large["timings"][m]["median_ms"] / small["timings"][m]["median_ms"] for m, _ in MEASURES}
            rows.append({"database": kind, "from": small["employees"], "to": large["employees"],
                         "employees_factor": employees, "factors": factors,
                         "passed": all(f <= employees for f in factors.values())})
    return rows


def growth_table(rows: list[dict]) -> str:
    lines = ["| Database | Employees | × employees | City | One förvaltning | XLSX | service city "
             "| service förvaltning |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for g in rows:
        f = g["factors"]
        lines.append(f"| {g['database']} | {g['from']:,} → {g['to']:,} | {g['employees_factor']:.0f} | "
                     + " | ".join(f"{f[m]:.2f}" for m, _ in MEASURES) + " |")
    return "\n".join(lines)


def statements_table(results: list[dict], kind: str) -> str:
    mine = sorted((r for r in results if r["database"] == kind), key=lambda r: r["employees"])
    if not mine:
        return ""
    head = "| Statement (city scope) | " + " | ".join(f"{r['employees']:,}" for r in mine) + " |"
    lines = [head, "|---|" + "---:|" * len(mine)]
    for i, record in enumerate(mine[-1]["city_statements"]):
        where = record["where"].replace("|", "\\|")
        where = where if len(where) <= 110 else where[:107] + "…"
        cells = [f"{r['city_statements'][i]['ms']:.1f}" if i < len(r["city_statements"]) else "" for r in mine]
        lines.append(f"| `{where}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict:
    cpu = cpu_model()
    import sqlite3

    info = {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu_model": cpu, "python": platform.python_version(), "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version}
    # The code measured: the dashboard's modules change often, so the figures name the version they belong to.
    info["code_sha256"] = {str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                           for path in sorted((LEARNING_DIR / "reports").glob("*.py"))
                           + [LEARNING_DIR / "staff" / "services.py", LEARNING_DIR / "learn" / "models.py",
                              LEARNING_DIR / "accounts" / "models.py", LEARNING_DIR / "staff" / "models.py"]}
    if "postgresql" in DATABASES:
        try:
            admin = make_url(normalise_database_url(POSTGRES_URL)).set(drivername="postgresql")
            with psycopg.connect(admin.render_as_string(hide_password=False), connect_timeout=5) as conn:
                info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        except psycopg.Error:
            info["postgresql"] = "unreachable"
    return info


def main() -> int:
    started = datetime.now(timezone.utc)
    info = machine()
    print(f"{started:%Y-%m-%d %H:%M} UTC · {info['nproc']} CPU ({info['cpu_model']}) · Python {info['python']} · "
          f"SQLite {info['sqlite']} · PostgreSQL {info.get('postgresql', '-')} · load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    folder = Path(tempfile.mkdtemp(prefix="learning-bench-reports-"))
    results: list[dict] = []
    cities: dict[int, City] = {}
    try:
        for size in SIZES:
            for kind in DATABASES:
                print(f"{kind}, {size:,} employees …", flush=True)
                t0 = time.perf_counter()
                result = run_one(kind, size, folder, cities)
                result["wall_seconds"] = time.perf_counter() - t0
                result["load_average_after"] = os.getloadavg()
                results.append(result)
                t = result["timings"]
                print(f"  city {fmt_ms(t['city'])} ms · {t['organisation_code']} {fmt_ms(t['organisation'])} ms · "
                      f"xlsx {fmt_ms(t['xlsx'])} ms · service city {fmt_ms(t['service_city'])} ms "
                      f"({result['wall_seconds']:.0f} s, load average {result['load_average_after'][0]:.2f})", flush=True)
            cities.pop(size, None)  # free the rows before the next size
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    results.sort(key=lambda r: (DATABASES.index(r["database"]), r["employees"]))
    targets = []
    for kind in DATABASES:
        at = next((r for r in results if r["database"] == kind and r["employees"] == TARGET_SIZE), None)
        if at is not None:
            median = at["timings"]["city"]["median_ms"]
            targets.append({"target": f"city dashboard < {TARGET_MS:.0f} ms at {TARGET_SIZE:,} employees ({kind})",
                            "value": f"median {median:.1f} ms, p95 {at['timings']['city']['p95_ms']:.1f} ms",
                            "passed": median < TARGET_MS})
    growth_rows = growth(results)
    for g in growth_rows:
        worst = max(g["factors"], key=g["factors"].get)
        targets.append({"target": f"time grows no faster than employees ({g['database']}, "
                                  f"{g['from']:,} → {g['to']:,}, ×{g['employees_factor']:.0f})",
                        "value": f"largest factor {g['factors'][worst]:.2f} ({worst})", "passed": g["passed"]})

    print()
    rounds = ", ".join(f"{r['database']} {r['employees']:,}: {r['rounds']}" for r in results)
    print(f"Median / p95 (linear interpolation) of the measured rounds ({rounds}) after one warm-up; period "
          f"{PERIOD.start}–{PERIOD.end}; one förvaltning = the largest "
          f"({results[0]['timings']['organisation_code'] if results else '-'}).")
    print()
    print(markdown_table(results))
    if growth_rows:
        print()
        print("Growth factor of the median between sizes (target: at most the factor in employees):")
        print()
        print(growth_table(growth_rows))
    for kind in DATABASES:
        print()
        print(f"Statements of one city dashboard on {kind}, each replayed alone with its fetch, ms "
              "(median of 3; one run at 300,000):")
        print()
        print(statements_table(results, kind))
    print()
    for t in targets:
        print(f"- {t['target']}: {t['value']} — {'PASS' if t['passed'] else 'FAIL'}")
    for r in results:
        for plan in r.get("explain", []):
            print(f"\n{r['database']} {r['employees']:,}: {plan['ms']:.1f} ms {plan['where']}")
            print("\n".join("    " + line for line in plan["plan"]))
        if r.get("profile"):
            print(f"\ncProfile, 3 city dashboards, {r['database']} {r['employees']:,}:\n{r['profile']}")

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"reports-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({
        "date": started.isoformat(timespec="seconds"), "command": "make bench-reports", "machine": info,
        "config": {"sizes": SIZES, "databases": DATABASES, "repeats": {str(k): v for k, v in REPEATS.items()},
                   "period": [PERIOD.start, PERIOD.end], "city_url": CITY_URL, "xlsx_url": XLSX_URL,
                   "organisations": ORGANISATIONS},
        "targets": targets, "growth": growth_rows, "results": results,
    }, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nRaw results: {out.relative_to(ROOT)}")
    return 0 if all(t["passed"] for t in targets) else 1


if __name__ == "__main__":
    exit_with(main)
