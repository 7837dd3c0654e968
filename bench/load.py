"""Load and fault harness: waves of learners against gunicorn at 4 workers, then a count of every row.

`make bench-load`; bench/README.md ("Load and fault harness") says what each wave does and how rows are
counted. For each database (SQLite in a temporary folder, PostgreSQL in a throwaway database) a fresh
database gets BENCH_LEARNERS learners and an editor, gunicorn serves wsgi:app on a free port of 127.0.0.1,
and BENCH_CONCURRENCY learners at a time: sign in twice (two sessions); take parts 1-3 (both sessions open
the part, then the first sends its form twice at once, a double click, and the second its own); part 4
while the editor publishes a reworded question; part 5 with BENCH_KILLS kill -9 of gunicorn's master and
workers, a restart each time, and every form whose response never arrived sent again; the survey, with
the same double submission. Then the rows are counted against what the learners were told (load_rows.py).

Bounded: every request has a timeout, requests per database are capped, and BENCH_TIMEOUT (seconds per
database) kills gunicorn and ends the waves. Traffic goes to 127.0.0.1 only. Not part of `make test`.
Exit code 1 if any 5xx, duplicate or lost row was seen, 2 if the harness could not run.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import unescape
from pathlib import Path

import requests
from argon2 import PasswordHasher
from sqlalchemy import MetaData, Table, create_engine, insert, text

from common import BenchError, bounded_env, cpu_model, exit_with, free_port, throwaway_database
from load_rows import count_rows, markdown_table, request_stats

from learning.content.parsing import parse

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
HOST = "127.0.0.1"
COURSE = "grundkurs"
PARTS = [f"del-{n}" for n in range(1, 6)]
SURVEY_PATH = f"/kurs/{COURSE}/utvardering"
WORKERS = 4
USER_AGENT = "learning-bench-load/1"  # the login session is bound to it (session_protection = "strong")
PASSWORD = "bench-load-" + secrets.token_hex(8)
HASH_PARAMS = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}  # cheap, and the server's too: no rehash
EDITED_PART, OLD_WORDING, NEW_WORDING = "del-4", "### En elev berättar att hon", "### En elev säger att hon"

LEARNERS = bounded_env("BENCH_LEARNERS", 200, 2, 2000)
CONCURRENCY = bounded_env("BENCH_CONCURRENCY", 16, 1, 64)  # learners acting at once (each sends 3 at once)
KILLS = bounded_env("BENCH_KILLS", 3, 1, 10)  # kill -9 and restarts, evenly spread over the last part's wave
TIMEOUT = bounded_env("BENCH_TIMEOUT", 600, 60, 3600)  # seconds per database, set-up included
REQUEST_TIMEOUT = 30  # seconds per request (gunicorn's own worker timeout is 30 s too)
MAX_REQUESTS = 60 * LEARNERS  # per database; the waves need about 45 per learner
DATABASES = [d for d in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",") if d]
if not DATABASES or set(DATABASES) - {"sqlite", "postgresql"}:
    raise SystemExit("BENCH_DATABASES must be sqlite, postgresql or both")
STEPS = ("sign-in", "quiz del-1–3", "quiz del-4 + editor publishes", f"quiz del-5 + {KILLS}× kill -9, restart, re-send",
         "survey")
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|token|revision|round|base)"[^>]*>')


@dataclass
class Learner:
    id: int
    email: str
    sessions: list = field(default_factory=list)


@dataclass
class Form:
    """One rendered form as a browser holds it: sent again unchanged, it is the same submission."""

    learner: Learner
    session: requests.Session
    path: str
    data: list[tuple[str, str]]
    part: str = ""
    revision: int = 0
    marker: str = ""
    statuses: list = field(default_factory=list)
    location: str = ""
    told_passed: bool = False

    @property
    def token(self) -> str:
        return dict(self.data).get("token", "")

    @property
    def acknowledged(self) -> bool:
        return bool(self.location)


def hidden_fields(html: str) -> dict[str, str]:
    found = {}
    for tag in HIDDEN.finditer(html):
        value = re.search(r'value="([^"]*)"', tag.group(0))
        found.setdefault(tag.group(1), unescape(value.group(1)) if value else "")
    return found


def answer_key(markdown: str) -> dict[str, list[str]]:
    """The right options per question id, from the Markdown (the key never reaches the browser)."""
    return {q.id: sorted(q.correct_ids) for q in parse(markdown).questions}


class Server:
    """gunicorn in its own process group, so one kill -9 reaches the master and every worker."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env, self.log_path, self.port, self.proc = env, log_path, free_port(HOST), None
        self.up = threading.Event()

    def start(self) -> None:
        cmd = [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{self.port}", "--workers", str(WORKERS),
               "--timeout", str(REQUEST_TIMEOUT), "--chdir", str(ROOT), "wsgi:app"]
        if "--no-control-socket" in subprocess.run(cmd[:3] + ["--help"], capture_output=True, text=True).stdout:
            cmd.insert(3, "--no-control-socket")  # gunicorn ≥ 27: don't claim the shared ~/.gunicorn/gunicorn.ctl
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if requests.get(f"http://{HOST}:{self.port}/logga-in", timeout=5).status_code == 200:
                    self.up.set()
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise BenchError(f"gunicorn did not start:\n{self.log_path.read_text(errors='replace')[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        self.up.clear()
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


class Run:
    """One database's waves: every request's outcome and every form sent."""

    def __init__(self, server: Server, deadline: float):
        self.server, self.deadline = server, deadline
        self.base = f"http://{HOST}:{server.port}"
        self.requests: list[tuple[str, int | None, float]] = []  # step, status (None: no response), seconds
        self.failures: list[str] = []
        self.forms: list[Form] = []
        self.lock = threading.Lock()
        self.bursts = 0
        self.step = STEPS[0]
        self.aborted = ""

    def call(self, session, method: str, path: str, data=None):
        """One request, not following redirects; None when no response arrived."""
        if self.aborted or time.monotonic() > self.deadline or len(self.requests) >= MAX_REQUESTS:
            self.aborted = self.aborted or ("timeout" if time.monotonic() > self.deadline else "request cap")
            return None
        started = time.perf_counter()
        try:
            resp = session.request(method, self.base + path, data=data, allow_redirects=False,
                                   timeout=(5, REQUEST_TIMEOUT))
        except requests.RequestException as exc:
            resp, status = None, None
            detail = type(exc).__name__
        else:
            status, detail = resp.status_code, ""
        with self.lock:
            self.requests.append((self.step, status, time.perf_counter() - started))
            if status is None or status >= 500:
                self.failures.append(f"{time.strftime('%H:%M:%S')} {self.step}: {method} {path} → "
                                     f"{status or detail}")
        return resp

    def page(self, session, path: str) -> tuple[int, str] | None:
        """GET a page as a learner would, reloading (a few times) across a server restart or an error."""
        for _ in range(4):
            resp = self.call(session, "GET", path)
            if resp is not None and resp.status_code < 500:
                return resp.status_code, resp.text
            if self.aborted:
                return None
            self.server.up.wait(timeout=60)
            time.sleep(0.5)
        return None

    def send(self, form: Form) -> None:
        resp = self.call(form.session, "POST", form.path, form.data)
        form.statuses.append(None if resp is None else resp.status_code)
        location = resp.headers.get("Location", "") if resp is not None and resp.status_code in (302, 303) else ""
        if location and "/logga-in" not in location:
            form.location = location

    def burst(self, forms: list[Form]) -> None:
        """Send the forms at the same moment (a double click sends the same form twice)."""
        with self.lock:
            self.forms.extend({id(f): f for f in forms}.values())
            self.bursts += 1
        barrier = threading.Barrier(len(forms))
        threads = [threading.Thread(target=lambda f=f: (barrier.wait(timeout=30), self.send(f))) for f in forms]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT + 40)

    def follow(self, form: Form) -> None:
        """The browser follows the redirect after a quiz: that page tells the learner whether they passed."""
        if form.part and form.acknowledged and not form.told_passed:
            page = self.page(form.session, form.location)
            form.told_passed = page is not None and "<strong>Godkänd.</strong>" in page[1]

    def resend_unanswered(self) -> None:
        """Reload every form whose response never arrived (same token, same session), as a learner would."""
        for _ in range(3):
            waiting = [f for f in self.forms if not f.acknowledged and f.statuses and all(s is None for s in f.statuses)]
            if not waiting or self.aborted:
                return
            self.server.up.wait(timeout=60)
            self.each(waiting, lambda form: (self.send(form), self.follow(form)))

    def each(self, items, action) -> None:
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            done, pending = wait([pool.submit(action, item) for item in items],
                                 timeout=max(1, self.deadline - time.monotonic()))
            if pending:
                self.aborted = self.aborted or "timeout"
                for future in pending:
                    future.cancel()
            for future in done:
                if future.exception() is not None:
                    raise future.exception()

    def during(self, total: int, actions: list[tuple[float, object]]) -> threading.Thread:
        """Run each (share, action) once that share of this wave's `total` bursts has been sent, in order."""
        start = self.bursts

        def watch():
            for share, action in actions:
                while self.bursts - start < share * total and not self.aborted:
                    time.sleep(0.02)
                if not self.aborted:
                    action()
        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        return thread


def sign_in(run: Run, learner: Learner) -> None:
    for _ in range(2):
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        page = run.page(session, "/logga-in")
        if page is None:
            return
        resp = run.call(session, "POST", "/logga-in", {"csrf_token": hidden_fields(page[1]).get("csrf_token", ""),
                                                      "email": learner.email, "password": PASSWORD})
        if resp is not None and resp.status_code == 302:
            learner.sessions.append(session)


def quiz_turn(run: Run, key: dict[str, list[str]], learner: Learner, part: str) -> None:
    """Both sessions open the part; then a double click in the first and a submission in the second."""
    forms = []
    for session in learner.sessions:
        page = run.page(session, f"/kurs/{COURSE}/{part}")
        if page is None or page[0] != 200:
            return
        fields = hidden_fields(page[1])
        answers = [(f"q-{qid}", option) for qid in dict.fromkeys(re.findall(r'name="q-(q[0-9a-f]{10})"', page[1]))
                   for option in key[qid]]
        # "round": which draw of the shuffled quiz the page showed (issue 14)
        data = [(name, fields[name]) for name in ("csrf_token", "token", "revision", "round") if name in fields] + answers
        forms.append(Form(learner, session, f"/kurs/{COURSE}/{part}/kunskapstest", data, part,
                          int(fields["revision"])))
    run.burst([forms[0], forms[0], forms[1]])
    for form in forms:
        run.follow(form)


def survey_turn(run: Run, learner: Learner) -> None:
    forms = []
    for number, session in enumerate(learner.sessions):
        page = run.page(session, SURVEY_PATH)
        if page is None or page[0] != 200:
            return
        marker = f"bench-load {learner.email} {number}"
        scales = dict.fromkeys(re.findall(r'type="radio" name="(item-\d+)"', page[1]))
        texts = re.findall(r'<textarea[^>]*name="(item-\d+)"', page[1])
        if not texts:  # no form: answered already
            return
        data = [("csrf_token", hidden_fields(page[1])["csrf_token"])]
        data += [(name, str(random.randint(1, 5))) for name in scales] + [(texts[0], marker)]
        forms.append(Form(learner, session, SURVEY_PATH, data, marker=marker))
    run.burst([forms[0], forms[0], forms[1]])


def publish_change(run: Run, editor, file_id: int, key: dict[str, list[str]]) -> None:
    """The editor rewords a question of part 4 and publishes it, saying earlier passes still count."""
    for _ in range(2):  # an editor who gets an error page reloads the editor and publishes again
        page = run.page(editor, f"/redaktor/fil/{file_id}")
        if page is None:
            break
        markdown = unescape(re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page[1], re.S).group(1))
        if NEW_WORDING in markdown:
            return
        if OLD_WORDING not in markdown:
            raise BenchError(f"{EDITED_PART}.md no longer contains {OLD_WORDING!r}: update bench/load.py")
        changed = markdown.replace(OLD_WORDING, NEW_WORDING, 1)
        key.update(answer_key(changed))  # before anyone can be shown the new wording
        fields = hidden_fields(page[1])
        resp = run.call(editor, "POST", f"/redaktor/fil/{file_id}", {
            "csrf_token": fields["csrf_token"], "base": fields["base"], "markdown": changed,
            "message": "Omformulerad fråga (bench)", "earlier": "keep", "action": "publish"})
        if resp is not None and resp.status_code == 302:
            return
        run.failures.append(f"the editor's publishing got {resp.status_code if resp is not None else 'no response'}")


def prepare(url: str, env: dict[str, str]) -> tuple[list[Learner], int]:
    """Migrate and bootstrap, then insert the learners and an editor directly; returns them and part 4's file id."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["bootstrap"]):
        done = subprocess.run([*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BenchError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            users = Table("users", MetaData(), autoload_with=conn)
            organisations = [r[0] for r in conn.execute(text("SELECT id FROM organisations ORDER BY id"))]
            password_hash = PasswordHasher(**HASH_PARAMS).hash(PASSWORD)
            now = datetime.now(timezone.utc)
            rows = [{"email": f"bench.load.{n}@malmo.se", "name": f"Bench Deltagare {n}", "password_hash": password_hash,
                     "organisation_id": organisations[n % len(organisations)], "org_role": "medarbetare",
                     "gender": ("kvinna", "man", None)[n % 3], "role": "learner", "must_change_password": False,
                     "email_confirmed": True, "session_token": secrets.token_hex(16), "disabled": False,
                     "created_at": now} for n in range(LEARNERS + 1)]
            rows[-1].update(email="bench.redaktor@malmo.se", name="Bench Redaktör", role="editor")
            conn.execute(insert(users), rows)
            ids = dict(conn.execute(text("SELECT email, id FROM users WHERE email LIKE 'bench.%'")).all())
            file_id = conn.execute(text("SELECT id FROM content_files WHERE filename = :f"),
                                   {"f": f"{EDITED_PART}.md"}).scalar_one()
    finally:
        engine.dispose()
    learners = [Learner(ids[r["email"]], r["email"]) for r in rows[:-1]]
    return learners + [Learner(ids["bench.redaktor@malmo.se"], "bench.redaktor@malmo.se")], file_id


def waves(run: Run, learners: list[Learner], editor: Learner, file_id: int) -> None:
    key: dict[str, list[str]] = {}
    for part in PARTS:
        key.update(answer_key((ROOT / "courses" / COURSE / f"{part}.md").read_text()))
    run.step = STEPS[0]
    run.each(learners + [editor], lambda learner: sign_in(run, learner))
    learners = [learner for learner in learners if len(learner.sessions) == 2]
    if not editor.sessions:
        raise BenchError("the editor could not sign in")

    def quiz_wave(step: str, parts: list[str], actions=()) -> None:
        run.step = step
        print(f"  {time.strftime('%H:%M:%S')} {step}", flush=True)
        turns = [(learner, part) for learner in learners for part in parts]
        random.shuffle(turns)
        watcher = run.during(len(turns), list(actions))
        run.each(turns, lambda turn: quiz_turn(run, key, *turn))
        watcher.join(timeout=120)
        run.resend_unanswered()

    def crash_and_restart() -> None:
        run.server.kill()
        run.server.start()

    quiz_wave(STEPS[1], PARTS[:3])
    quiz_wave(STEPS[2], PARTS[3:4], [(0.4, lambda: publish_change(run, editor.sessions[0], file_id, key))])
    quiz_wave(STEPS[3], PARTS[4:], [((n + 1) / (KILLS + 1), crash_and_restart) for n in range(KILLS)])
    run.step = STEPS[4]
    print(f"  {time.strftime('%H:%M:%S')} {STEPS[4]}", flush=True)
    run.each(learners, lambda learner: survey_turn(run, learner))
    run.resend_unanswered()


def run_database(kind: str, folder: Path, started: datetime) -> dict:
    deadline = time.monotonic() + TIMEOUT
    log_path = RESULTS_DIR / f"load-{started:%Y%m%dT%H%M%SZ}-{kind}.log"
    with throwaway_database(kind, folder) as url:
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT),
               "LEARNING_SECRET_KEY": "bench-" + secrets.token_hex(32),
               "LEARNING_SESSION_COOKIE_SECURE": "false", "LEARNING_REMEMBER_COOKIE_SECURE": "false",
               "LEARNING_RATELIMIT_ENABLED": "false", "LEARNING_PASSWORD_HASH_PARAMS": json.dumps(HASH_PARAMS)}
        print(f"{kind}: preparing a fresh database with {LEARNERS} learners …", flush=True)
        (*learners, editor), file_id = prepare(url, env)
        server = Server(env, log_path)
        run = Run(server, deadline)
        watchdog = threading.Timer(max(1, deadline - time.monotonic()), lambda: (
            setattr(run, "aborted", "timeout"), server.kill()))
        watchdog.daemon = True
        watchdog.start()
        try:
            server.start()
            print(f"{kind}: gunicorn {WORKERS} workers on {HOST}:{server.port}; waves …", flush=True)
            t0 = time.monotonic()
            waves(run, learners, editor, file_id)
            seconds = time.monotonic() - t0
        finally:
            watchdog.cancel()
            server.kill(signal.SIGTERM)
        rows = count_rows(url, run.forms, learners, dict(zip(STEPS[1:4], (PARTS[:3], PARTS[3:4], PARTS[4:]))),
                          STEPS[4], COURSE, EDITED_PART)
    stats = request_stats(run.requests, STEPS)
    log = log_path.read_text(errors="replace")
    errors = Counter(m.group(0)[:200] for m in re.finditer(r"^[\w.]+(?:Error|Exception|Deadlock\w*): .*$", log, re.M))
    return {"database": kind, "seconds": seconds, "aborted": run.aborted, "requests": stats, "rows": rows,
            "failures": run.failures[:200], "log": str(log_path.relative_to(ROOT)),
            "log_errors": errors.most_common(10), "table": markdown_table(kind, stats, rows, STEPS)}


def main() -> int:
    started = datetime.now(timezone.utc)
    RESULTS_DIR.mkdir(exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"{started:%Y-%m-%d %H:%M} UTC · commit {commit} · {os.cpu_count()} CPU ({cpu_model()}) · "
          f"{LEARNERS} learners, {CONCURRENCY} at once, gunicorn {WORKERS} sync workers · load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    folder = Path(tempfile.mkdtemp(prefix="learning-bench-load-"))
    results = []
    try:
        for kind in DATABASES:
            results.append(run_database(kind, folder, started))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    clean = True
    for r in results:
        print(f"\n{r['table']}\n")
        print(f"{r['seconds']:.0f} s of waves" + (f"; ABORTED ({r['aborted']})" if r["aborted"] else ""))
        for row in r["rows"]:
            if row["note"]:
                print(f"- {row['step']}, {row['rows']}: {row['note']}")
        # Refused, reset or cut short (ConnectionError, ChunkedEncodingError) is what a kill does: not listed.
        for line in [f for f in r["failures"] if "Connection" not in f and "ChunkedEncoding" not in f][:15]:
            print(f"  {line}")
        for message, n in r["log_errors"]:
            print(f"  gunicorn log ×{n}: {message}")
        # A wave that got nothing acknowledged (e.g. every form refused with 400) proves nothing: it fails too.
        clean &= not r["aborted"] and r["requests"]["total"]["5xx"] == 0 and not any(
            row["duplicates"] or row["lost"] for row in r["rows"]) and all(row["expected"] > 0 for row in r["rows"])
    out = RESULTS_DIR / f"load-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"date": started.isoformat(timespec="seconds"), "commit": commit,
                               "learners": LEARNERS, "concurrency": CONCURRENCY, "results": results},
                              indent=2, ensure_ascii=False) + "\n")
    print(f"\nRaw results: {out.relative_to(ROOT)} (gunicorn logs beside it)")
    print("PASS: no 5xx, no duplicate, no lost row, every kind of row acknowledged" if clean
          else "FAIL: 5xx, duplicate or lost rows, or a kind of row never acknowledged (see above)")
    return 0 if clean else 1


if __name__ == "__main__":
    exit_with(main)
