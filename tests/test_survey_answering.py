"""Answering the survey: anonymity by construction, one answer per learner, bad input refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, inspect, select, text

from learning.accounts.models import User
from learning.extensions import db
from learning.survey import pool, services
from learning.survey.models import SurveyAnswer, SurveyParticipation, SurveyPending, SurveyResponse
from learning.content.services import published_course
from tests.helpers import csrf_token, login, make_user, take_quiz
from tests.survey_builders import completed_learner, item_ids

URL = "/kurs/grundkurs/utvardering"


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m))
                     for m in (SurveyParticipation, SurveyPending, SurveyResponse))


def _answer(app, client, nojd="4", anvandning="5", **texts):
    ids = item_ids(app)
    data = {"csrf_token": csrf_token(client, URL), f"item-{ids['nojd']}": nojd,
            f"item-{ids['anvandning']}": anvandning}
    data.update({f"item-{ids[key]}": value for key, value in texts.items()})
    return client.post(URL, data=data)


def _five_answer_in_march(app, monkeypatch, **texts) -> None:
    """Five learners answer in March 2026; in April their answers are released."""
    monkeypatch.setattr(pool, "current_month", lambda: "2026-03")
    for n in range(5):
        _answer(app, _learner_client(app, f"p{n}@malmo.se"), **texts)
    monkeypatch.setattr(pool, "current_month", lambda: "2026-04")
    with app.app_context():
        assert pool.release_due(published_course("grundkurs").id) == 5


def _learner_client(app, email, organisation="fsk", **kw):
    completed_learner(app, email, organisation, **kw)
    client = app.test_client()
    login(client, email)
    return client


def test_a_learner_who_passed_every_part_is_invited_and_answers(app, client, learner):
    for slug in ("del-1", "del-2", "del-3", "del-4"):
        take_quiz(client, app, slug)
    assert client.get(URL).status_code == 403  # not yet
    last = take_quiz(client, app, "del-5")
    assert "Svara på utvärderingen" in client.get(last.headers["Location"]).get_data(as_text=True)
    assert "Svara på utvärderingen" in client.get("/mina-sidor/").get_data(as_text=True)
    page = client.get(URL).get_data(as_text=True)
    assert "Ditt svar är anonymt" in page and "Hur nöjd är du med denna utbildning?" in page
    response = _answer(app, client, bra="Bra fall från verkligheten")
    assert response.status_code == 302
    assert "Tack för ditt svar!" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Svara på utvärderingen" not in client.get("/mina-sidor/").get_data(as_text=True)
    assert _counts(app) == (1, 1, 0)  # waiting in the pool until there are five


def test_declining_stops_the_invitation(app):
    client = _learner_client(app, "a@malmo.se")
    response = client.post("/kurs/grundkurs/utvardering/avboj", data={"csrf_token": csrf_token(client, "/mina-sidor/")})
    assert response.status_code == 302
    assert "Svara på utvärderingen" not in client.get("/mina-sidor/").get_data(as_text=True)
    assert _counts(app) == (1, 0, 0)
    assert _answer(app, client).status_code == 409


def test_responses_cannot_be_linked_to_learners(app, monkeypatch):
    # The shuffle is made deterministic (reverse) so the test can see that it decides the order.
    monkeypatch.setattr(pool, "_shuffle", lambda items: items.reverse())
    monkeypatch.setattr(pool, "current_month", lambda: "2026-03")
    people = [("person0@malmo.se", "fsk", "kvinna"), ("person1@malmo.se", "gsf", "man"),
              ("person2@malmo.se", "fsk", None), ("person3@malmo.se", "kul", "kvinna"),
              ("person4@malmo.se", "fsk", "man")]
    for n, (email, org, gender) in enumerate(people):
        client = _learner_client(app, email, org, gender=gender)
        assert _answer(app, client, behov=f"svar nummer {n}").status_code == 302
    assert _counts(app) == (5, 5, 0)  # nothing is visible while the month is still going on
    monkeypatch.setattr(pool, "current_month", lambda: "2026-04")
    make_user(app, "samordnare@malmo.se", role="coordinator")
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    coordinator.get("/utvardering/grundkurs/?halvar=2026-1")  # the month is over: released
    assert _counts(app) == (5, 0, 5)
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("survey_responses")}
        assert columns == {"id", "course_id", "month", "organisation_id", "org_role", "gender"}
        answer_columns = {c["name"] for c in inspect(db.engine).get_columns("survey_answers")}
        assert answer_columns == {"id", "response_id", "item_id", "score", "text", "redacted"}
        # The record that someone answered carries no date or order that a response could be matched on.
        assert {c["name"] for c in inspect(db.engine).get_columns("survey_participations")} == {
            "id", "user_id", "course_id", "answered"}
        users = db.session.execute(select(User.id, User.email, User.name)).all()
        identifying = {str(v) for row in users for v in row}
        rows = db.session.execute(text("SELECT * FROM survey_responses")).all()  # physical order
        for row in rows:
            assert not identifying & {row.id, row.month, row.org_role, str(row.gender)}
            assert re.fullmatch(r"[0-9a-f]{32}", row.id)  # random, not a sequence
            assert row.month == "2026-03"  # the month, nothing finer
        texts_by_physical_order = [db.session.scalar(select(SurveyAnswer.text).where(
            SurveyAnswer.response_id == row.id, SurveyAnswer.text.is_not(None))) for row in rows]
        # The pool is rewritten through the shuffle on every answer and released through it once more:
        # with "reverse" as the shuffle that gives 3, 1, 0, 2, 4, not the order people answered in.
        assert texts_by_physical_order == [f"svar nummer {n}" for n in (3, 1, 0, 2, 4)]


@pytest.mark.parametrize("changes, message", [
    ({"nojd": "6"}, "välj ett värde från 1 till 5"),
    ({"nojd": "0"}, "välj ett värde från 1 till 5"),
    ({"nojd": "fyra"}, "välj ett värde från 1 till 5"),
    ({"anvandning": ""}, "Obesvarade: 2."),
    ({"behov": "x" * 5001}, "högst 5000 tecken"),
])
def test_bad_answers_are_refused_and_nothing_is_stored(app, changes, message):
    client = _learner_client(app, "a@malmo.se")
    response = _answer(app, client, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)


def test_a_second_answer_is_refused(app):
    client = _learner_client(app, "a@malmo.se")
    assert _answer(app, client).status_code == 302
    again = _answer(app, client)
    assert again.status_code == 409
    assert "Du har redan svarat" in again.get_data(as_text=True)
    assert _counts(app) == (1, 1, 0)


def test_a_forged_answer_before_completing_is_refused(app, client, learner):
    response = _answer(app, client)
    assert response.status_code == 403
    assert "när du har klarat alla delar" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)


def test_html_in_free_text_is_stored_as_text_and_shown_escaped(app, monkeypatch):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    _five_answer_in_march(app, monkeypatch, battre="<script>alert('x')</script> <b>fet</b>")
    with app.app_context():
        stored = db.session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None))).all()
        assert stored == ["<script>alert('x')</script> <b>fet</b>"] * 5
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    page = coordinator.get("/utvardering/grundkurs/fritext?halvar=2026-1").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "<script>alert" not in page


def test_themes_and_redaction(app, monkeypatch):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    _five_answer_in_march(app, monkeypatch, behov="Stöd från chef. Ring Kim Svensson")
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    texts_url = "/utvardering/grundkurs/fritext"
    token = csrf_token(coordinator, texts_url + "?halvar=2026-1")
    coordinator.post("/utvardering/grundkurs/teman", data={"csrf_token": token, "name": "stöd från chef"})
    duplicate = coordinator.post("/utvardering/grundkurs/teman", data={"csrf_token": token, "name": "stöd från chef"},
                                 follow_redirects=True)
    assert "finns redan" in duplicate.get_data(as_text=True)
    with app.app_context():
        answers = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.text.is_not(None))).all()
        answer_ids = [a.id for a in answers]
    theme_id = re.search(r'name="theme" value="(\d+)"',
                         coordinator.get(texts_url + "?halvar=2026-1").get_data(as_text=True)).group(1)
    for answer_id in answer_ids[:3]:
        coordinator.post(f"{texts_url}/{answer_id}/teman", data={"csrf_token": token, "theme": theme_id})
    report = coordinator.get("/utvardering/grundkurs/?halvar=2026-1").get_data(as_text=True)
    assert '<th scope="row">stöd från chef</th><td>3</td>' in report
    missing = coordinator.post(f"{texts_url}/{answer_ids[0]}/maskera", data={"csrf_token": token, "passage": "Finns ej"},
                               follow_redirects=True)
    assert "finns inte i svaret" in missing.get_data(as_text=True)
    coordinator.post(f"{texts_url}/{answer_ids[0]}/maskera", data={"csrf_token": token, "passage": "Kim Svensson"})
    with app.app_context():
        redacted = db.session.get(SurveyAnswer, answer_ids[0])
        assert "Kim Svensson" not in redacted.text and "[borttaget]" in redacted.text and redacted.redacted


def test_editors_tag_see_theme_counts_and_redact(app, monkeypatch):
    make_user(app, "redaktor@malmo.se", role="editor")
    _five_answer_in_march(app, monkeypatch, behov="Mer tid, sa Kim")
    editor = app.test_client()
    login(editor, "redaktor@malmo.se")
    url = "/utvardering/grundkurs/fritext?halvar=2026-1"
    page = editor.get(url).get_data(as_text=True)
    assert "Mer tid" in page and "Ta bort text som pekar ut någon" in page
    assert editor.get("/utvardering/grundkurs/?halvar=2026-1").status_code == 403  # figures are not theirs
    with app.app_context():
        answer_id = db.session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.text.is_not(None)))
    token = csrf_token(editor, url)
    editor.post("/utvardering/grundkurs/teman", data={"csrf_token": token, "name": "mer tid"})
    theme_id = re.search(r'name="theme" value="(\d+)"', editor.get(url).get_data(as_text=True)).group(1)
    editor.post(f"/utvardering/grundkurs/fritext/{answer_id}/teman", data={"csrf_token": token, "theme": theme_id})
    assert '<th scope="row">mer tid</th><td>1</td>' in editor.get(url).get_data(as_text=True)
    done = editor.post(f"/utvardering/grundkurs/fritext/{answer_id}/maskera", data={"csrf_token": token, "passage": "Kim"})
    assert done.status_code == 302


def test_long_text_with_line_breaks_fits_as_the_browser_counts_it(app):
    client = _learner_client(app, "a@malmo.se")
    text_with_breaks = "\r\n".join(["x" * 99] * 50)  # 4,999 characters in the browser, 5,048 as sent
    assert _answer(app, client, behov=text_with_breaks).status_code == 302


def test_odd_theme_and_period_parameters_get_answers_not_errors(app, monkeypatch):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    for query in ("?tema=²", "?tema=99999999999999999999", "?halvar=0000-1", "?halvar=9999-2"):
        assert coordinator.get("/utvardering/grundkurs/fritext" + query).status_code in (200, 400), query
    assert coordinator.get("/rapporter/grundkurs/?fran=0001-01").status_code == 400
    assert coordinator.get("/rapporter/grundkurs/?till=9999-12").status_code == 400
