"""A backup taken while learners submit loses nothing they were told was saved.

A migrated database holds the council scenario (tests/council_builders.py) and twelve learners who
take the five quizzes and answer the survey in four threads through the real forms. When a third of
their writes have been acknowledged, `flask backup` runs while they go on. The backup is restored into
a fresh database with `flask restore`; there every attempt, completion and survey answer acknowledged
before the backup began is found, the copy is consistent (no pass without its completion, no answer
without its participation), and the dashboards and council figures read as a coordinator would are
those of the source. Then the learners' browsers send again what they sent (as they would after a
restore); the restored database ends with exactly the source's figures, nothing counted twice.
"""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from dataclasses import dataclass, field

import flask_migrate
import pytest
from sqlalchemy import func, select

from learning import create_app
from learning.accounts.models import User
from learning.extensions import db
from learning.learn.models import CourseCompletion, PartCompletion, QuizAttempt
from learning.survey.models import SurveyParticipation, SurveyPending
from tests.conftest import throwaway_database
from tests.council_builders import seed_scenario
from tests.helpers import (app_config, csrf_token, make_user, published, quiz_form, quiz_page_tokens,
                           seed_reference_data)
from tests.survey_builders import item_ids
from tests.test_concurrency import signed_in, twin

LEARNERS = 12
THREADS = 4
TIMEOUT = 120
COORDINATOR = "samordnare@malmo.se"
SURVEY = "/kurs/grundkurs/utvardering"
REPORTS = ["/rapporter/grundkurs/forvaltningar.csv", "/rapporter/grundkurs/aterrapport.csv",
           "/rapporter/aterrapport.csv"]
MARCH = "?fran=2026-03&till=2026-03"


@dataclass
class Write:
    """One form a learner sent, and when the app acknowledged it."""

    email: str
    kind: str  # "quiz" or "survey"
    page: str
    action: str
    form: dict
    opened: float = 0.0  # when the learner opened the page (itself a write: the part is marked as read)
    acked: float = 0.0
    status: int = 0
    part_file_id: int | None = None


@dataclass
class Wave:
    """The learners' writes so far; `started` is set once `threshold` of them are acknowledged."""

    threshold: int
    writes: list[Write] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, client, write: Write) -> None:
        """Send the form and record the acknowledgement."""
        write.status = client.post(write.action, data=write.form).status_code
        write.acked = time.monotonic()
        with self.lock:
            self.writes.append(write)
            if sum(w.status == 302 for w in self.writes) >= self.threshold:
                self.started.set()


def source_app(url: str):
    """The app on a migrated database with the council scenario, a coordinator and the learners."""
    app = create_app(app_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        seed_reference_data()
    seed_scenario(app)
    make_user(app, COORDINATOR, name="Sam Ordnare", role="coordinator")
    for n in range(LEARNERS):
        make_user(app, f"larande{n}@malmo.se", name=f"Lärande {n}", organisation="gsf")
    return app


def learn(app, wave: Wave, emails: list[str], clients: dict) -> None:
    """Each learner in turn: the five quizzes, then the survey, through the pages' own forms."""
    course = published(app)
    ids = item_ids(app)
    for email in emails:
        client = clients[email]
        for part in course.required_parts:
            page, opened = f"/kurs/grundkurs/{part.slug}", time.monotonic()
            csrf, token = quiz_page_tokens(client, page)
            wave.send(client, Write(email, "quiz", page, f"{page}/kunskapstest", quiz_form(part, token, csrf),
                                    opened, part_file_id=part.file_id))
        opened = time.monotonic()
        form = {"csrf_token": csrf_token(client, SURVEY), f"item-{ids['nojd']}": "4", f"item-{ids['anvandning']}": "5"}
        wave.send(client, Write(email, "survey", SURVEY, SURVEY, form, opened))


def figures(app, query: str = "") -> list[str]:
    """The dashboard, course council and programme council CSVs as a coordinator downloads them."""
    client = signed_in(app, COORDINATOR)
    pages = [client.get(path + query) for path in REPORTS]
    assert [page.status_code for page in pages] == [200, 200, 200]
    return [page.get_data(as_text=True) for page in pages]


def stored(app) -> dict:
    """What the database holds of the learners' work, by user id."""
    with app.app_context():
        return {
            "attempts": set(db.session.execute(select(QuizAttempt.user_id, QuizAttempt.token, QuizAttempt.passed))),
            "parts": set(db.session.execute(select(PartCompletion.user_id, PartCompletion.content_file_id))),
            "courses": Counter(db.session.scalars(select(CourseCompletion.user_id))),
            "answered": Counter(db.session.scalars(select(SurveyParticipation.user_id).filter_by(answered=True))),
            "pending": db.session.scalar(select(func.count(SurveyPending.id))),
            "users": {email: user_id for email, user_id in db.session.execute(select(User.email, User.id))},
        }


@pytest.fixture
def databases(tmp_path):
    """(source url, empty target url), SQLite files or PostgreSQL databases of their own."""
    (tmp_path / "source").mkdir()
    (tmp_path / "restored").mkdir()
    with throwaway_database(tmp_path / "source") as source, throwaway_database(tmp_path / "restored") as target:
        yield source, target


def test_a_backup_under_load_restores_everything_acknowledged_before_it_began(databases, tmp_path):
    source_url, target_url = databases
    if source_url.startswith("postgres") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here: PostgreSQL backups cannot be made or tested")
    app = source_app(source_url)
    emails = [f"larande{n}@malmo.se" for n in range(LEARNERS)]
    clients = {email: signed_in(app, email) for email in emails}
    march_before = figures(app, MARCH)
    wave = Wave(threshold=LEARNERS * 6 // 3)
    folder = tmp_path / "backups"
    folder.mkdir()
    with ThreadPoolExecutor(THREADS) as pool:
        learners = [pool.submit(learn, app, wave, emails[n::THREADS], clients) for n in range(THREADS)]
        assert wave.started.wait(TIMEOUT)
        began = time.monotonic()
        made = app.test_cli_runner().invoke(args=["backup", str(folder)])
        ended = time.monotonic()
        for learner in learners:
            learner.result(timeout=TIMEOUT)  # a learner's error fails the test here
    assert made.exit_code == 0, made.output
    path = made.stdout.strip()
    assert [str(p) for p in folder.iterdir()] == [path]  # one file, named as printed, nothing left over

    writes = wave.writes
    assert Counter(w.status for w in writes) == Counter({302: LEARNERS * 6})  # every learner was told "saved"
    before = [w for w in writes if w.acked < began]
    assert len(before) >= wave.threshold
    assert any(w.opened < ended and w.acked > began for w in writes)  # learners were writing during the backup

    restored = create_app(app_config(target_url))
    done = restored.test_cli_runner().invoke(args=["restore", path])
    assert done.exit_code == 0, done.output
    assert restored.test_client().get("/readyz").status_code == 200  # migrated to this code's head

    # Everything acknowledged before the backup began is there.
    copy = stored(restored)
    users = copy["users"]
    tokens = {(user_id, token) for user_id, token, _ in copy["attempts"]}
    last_part = published(app).required_parts[-1].file_id
    for write in before:
        user_id = users[write.email]
        if write.kind == "quiz":
            assert (user_id, write.form["token"]) in tokens, write
            assert (user_id, write.part_file_id) in copy["parts"], write
            if write.part_file_id == last_part:
                assert copy["courses"][user_id] == 1, write
        else:
            assert copy["answered"][user_id] == 1, write

    # The copy is one moment of the database: no pass without its completions, no answer counted twice.
    part_of = {w.form["token"]: w.part_file_id for w in writes if w.kind == "quiz"}
    assert {(user_id, part_of[token]) for user_id, token, passed in copy["attempts"] if passed} == copy["parts"]
    parts_per_user = Counter(user_id for user_id, _ in copy["parts"])
    learner_ids = {users[email] for email in emails}
    assert {u for u, n in parts_per_user.items() if n == 5} == set(copy["courses"]) & learner_ids
    assert set(copy["answered"]) <= set(copy["courses"])
    assert copy["pending"] == sum(copy["answered"].values())

    # The figures the learners did not touch read the same; the seeded scenario is all there.
    march = figures(restored, MARCH)
    assert march == march_before == figures(app, MARCH)
    assert "Totalt antal personer (kända personer räknas en gång);1867" in march[1]
    assert "Totalt antal personer (kända personer räknas en gång);2259;" in march[2]

    # The learners' browsers send again what they sent: the copy catches up, nothing counted twice.
    for write in writes:
        browser = twin(restored, clients[write.email])
        assert browser.get(write.page).status_code == 200
        status = browser.post(write.action, data=write.form).status_code
        already = write.kind == "survey" and copy["answered"][users[write.email]] == 1
        assert status == (409 if already else 302), (write, status)  # "you have already answered"
    assert figures(restored) == figures(app)
    final, source = stored(restored), stored(app)
    assert final == source
    assert [final["courses"][user_id] for user_id in learner_ids] == [1] * LEARNERS
    assert final["pending"] == LEARNERS
    with restored.app_context():
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()
