"""Writes under real concurrency: many threads, each with its own connection, on this run's database.

Each test lets its threads meet at a barrier and then send at the same moment, the way a wave of
learners (and their double clicks) reaches several gunicorn workers. Bounded in time.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from collections import Counter

from sqlalchemy import func, select

from learning.content.services import published_course
from learning.extensions import db
from learning.learn.models import CourseCompletion, PartCompletion, QuizAttempt
from learning.periods import Period
from learning.survey.models import SurveyParticipation, SurveyPending
from learning.timeutil import stockholm_month
from learning.visits import services as visits
from tests.helpers import csrf_token, login, make_user, published, quiz_form, quiz_page_tokens
from tests.survey_builders import completed_learner, item_ids

TIMEOUT = 120


def parallel(calls: list) -> list:
    """Run the calls in threads that start together; their results in order (an exception fails the test)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=TIMEOUT)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=TIMEOUT) for future in futures]


def twin(app, client):
    """A second client in the same browser session (the other half of a double click)."""
    other = app.test_client()
    for cookie in client._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def signed_in(app, email: str, address: str = "127.0.0.1"):
    """A client signed in as email from a given address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert login(client, email).status_code == 302
    return client


def test_survey_answers_are_stored_exactly_once_under_a_wave_with_double_submissions(app):
    learners = [f"svar{n}@malmo.se" for n in range(16)]
    for email in learners:
        completed_learner(app, email)
    ids = item_ids(app)
    calls, owners = [], []
    for n, email in enumerate(learners):
        client = signed_in(app, email)
        data = {"csrf_token": csrf_token(client, "/kurs/grundkurs/utvardering"),
                f"item-{ids['nojd']}": "4", f"item-{ids['anvandning']}": "5"}
        senders = [client, twin(app, client)] if n % 2 == 0 else [client]  # every other one clicks twice
        for sender in senders:
            calls.append(lambda sender=sender, data=data: sender.post("/kurs/grundkurs/utvardering", data=data))
            owners.append(email)
    statuses = [response.status_code for response in parallel(calls)]

    assert set(statuses) <= {302, 409}, Counter(statuses)
    thanked = Counter(owner for owner, status in zip(owners, statuses) if status == 302)
    assert thanked == Counter(learners)  # every learner told "tack" exactly once
    with app.app_context():
        answered = db.session.scalar(select(func.count(SurveyParticipation.id)).filter_by(answered=True))
        pending = db.session.scalar(select(func.count(SurveyPending.id)))
    assert answered == pending == len(learners)  # one stored response per learner, none copied


def test_quiz_submissions_with_double_clicks_and_two_sessions_count_each_pass_once(app):
    learners = [f"quiz{n}@malmo.se" for n in range(6)]
    course = published(app)
    for email in learners:
        make_user(app, email)
    sessions = {email: (signed_in(app, email), signed_in(app, email)) for email in learners}
    calls = []
    for part in course.required_parts:
        url = f"/kurs/grundkurs/{part.slug}"
        for first, second in sessions.values():
            for client in (first, second):
                csrf, token = quiz_page_tokens(client, url)
                form = quiz_form(part, token, csrf)
                for sender in (client, twin(app, client)) if client is first else (client,):
                    calls.append(lambda sender=sender, form=form, url=url: sender.post(f"{url}/kunskapstest", data=form))
    statuses = Counter(response.status_code for response in parallel(calls))

    assert statuses == Counter({302: len(calls)}), statuses  # a double click is shown the same result
    with app.app_context():
        attempts = db.session.scalar(select(func.count(QuizAttempt.id)))
        per_user = Counter(db.session.scalars(select(PartCompletion.user_id)))
        completions = Counter(db.session.scalars(select(CourseCompletion.user_id)))
    assert attempts == 2 * len(course.required_parts) * len(learners)  # one per form, not per click
    assert sorted(per_user.values()) == [len(course.required_parts)] * len(learners)
    assert sorted(completions.values()) == [1] * len(learners)


def test_start_page_visits_are_exact_under_fifty_simultaneous_views(app):
    app.config["VISIT_BUFFER_SECONDS"] = 1.0  # as in production: held in memory, written together
    make_user(app)
    clients = [signed_in(app, "anna.andersson@malmo.se", f"10.0.0.{n % 10}") for n in range(50)]
    for client in clients[:10]:  # the first visit of the day (salt, roll-up) is not what is measured here
        client.get("/kurs/grundkurs/")
    statuses = Counter(r.status_code for r in parallel([lambda c=c: c.get("/kurs/grundkurs/") for c in clients]))
    assert statuses == Counter({200: 50})
    with app.app_context():
        month = stockholm_month()
        assert visits.totals(published_course("grundkurs").id, Period(month, month)) == (60, 10)


def test_two_tabs_passing_the_last_two_parts_at_once_complete_the_course(app):
    learners = [f"sist{n}@malmo.se" for n in range(5)]
    course = published(app)
    *first, fourth, fifth = course.required_parts
    calls = []
    for email in learners:
        make_user(app, email)
        tab_a, tab_b = signed_in(app, email), signed_in(app, email)
        for part in first:
            csrf, token = quiz_page_tokens(tab_a, f"/kurs/grundkurs/{part.slug}")
            assert tab_a.post(f"/kurs/grundkurs/{part.slug}/kunskapstest", data=quiz_form(part, token, csrf)).status_code == 302
        for tab, part in ((tab_a, fourth), (tab_b, fifth)):
            url = f"/kurs/grundkurs/{part.slug}"
            csrf, token = quiz_page_tokens(tab, url)
            form = quiz_form(part, token, csrf)
            calls.append(lambda tab=tab, url=url, form=form: tab.post(f"{url}/kunskapstest", data=form))
    assert Counter(r.status_code for r in parallel(calls)) == Counter({302: len(calls)})
    with app.app_context():  # without anyone opening the course page or the certificate
        assert db.session.scalar(select(func.count(CourseCompletion.id))) == len(learners)


def test_a_write_that_stays_locked_through_every_retry_gets_a_swedish_503_and_stores_nothing(app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from learning import transactions
    from learning.survey import pool

    completed_learner(app, "last@malmo.se")
    ids = item_ids(app)
    client = signed_in(app, "last@malmo.se")
    data = {"csrf_token": csrf_token(client, "/kurs/grundkurs/utvardering"),
            f"item-{ids['nojd']}": "4", f"item-{ids['anvandning']}": "5"}
    tries = []

    def locked(course_id):
        tries.append(course_id)
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(pool, "take_lock", locked)
    monkeypatch.setattr(transactions.time, "sleep", lambda _seconds: None)
    response = client.post("/kurs/grundkurs/utvardering", data=data)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "skicka samma sida igen" in response.get_data(as_text=True)
    assert len(tries) == transactions.ATTEMPTS
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyParticipation.id))) == 0  # nothing half-stored
    monkeypatch.undo()
    assert client.post("/kurs/grundkurs/utvardering", data=data).status_code == 302  # sending again works
