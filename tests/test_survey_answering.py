"""Answering the survey: anonymity by construction, one answer per learner, bad input refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, inspect, select, text

from learning.accounts.models import User
from learning.extensions import db
from learning.survey import services
from learning.survey.models import SurveyAnswer, SurveyParticipation, SurveyPending, SurveyResponse
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
    monkeypatch.setattr(services, "_shuffle", lambda items: items.reverse())
    emails = [f"person{n}@malmo.se" for n in range(5)]
    for n, email in enumerate(emails):
        client = _learner_client(app, email, gender="kvinna")
        assert _answer(app, client, behov=f"svar nummer {n}").status_code == 302
        if n < 4:
            assert _counts(app)[2] == 0  # nothing is released before there are five
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("survey_responses")}
        assert columns == {"id", "course_id", "month", "organisation_id", "org_role", "gender"}
        answer_columns = {c["name"] for c in inspect(db.engine).get_columns("survey_answers")}
        assert answer_columns == {"id", "response_id", "item_id", "score", "text", "redacted"}
        people = db.session.execute(select(User.id, User.email, User.name)).all()
        identifying = {str(v) for row in people for v in row}
        rows = db.session.execute(text("SELECT * FROM survey_responses")).all()  # physical order
        assert len(rows) == 5
        for row in rows:
            assert not identifying & {row.id, row.month, row.org_role, str(row.gender)}
            assert re.fullmatch(r"[0-9a-f]{32}", row.id)  # random, not a sequence
            assert re.fullmatch(r"\d{4}-\d{2}", row.month)  # the month, nothing finer
        ids = [row.id for row in rows]
        texts = db.session.execute(text(
            "SELECT a.text FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id "
            "WHERE a.text IS NOT NULL")).scalars().all()
        texts_by_physical_order = [db.session.scalar(select(SurveyAnswer.text).where(
            SurveyAnswer.response_id == rid, SurveyAnswer.text.is_not(None))) for rid in ids]
        # The pool is rewritten through the shuffle on every answer, and released through it:
        # with "reverse" as the shuffle that gives 4, 2, 0, 1, 3, not the order people answered in.
        assert texts_by_physical_order == [f"svar nummer {n}" for n in (4, 2, 0, 1, 3)]
        assert sorted(texts) == sorted(texts_by_physical_order)
        participations = db.session.execute(text("SELECT * FROM survey_participations")).all()
        assert {c["name"] for c in inspect(db.engine).get_columns("survey_participations")} == {
            "id", "user_id", "course_id", "answered", "month"}
        assert all(re.fullmatch(r"\d{4}-\d{2}", p.month) for p in participations)
        assert _counts(app) == (5, 0, 5)


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
    for n in range(5):
        client = _learner_client(app, f"p{n}@malmo.se")
        _answer(app, client, battre="<script>alert('x')</script> <b>fet</b>")
    with app.app_context():
        stored = db.session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None))).all()
        assert stored == ["<script>alert('x')</script> <b>fet</b>"] * 5
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    page = coordinator.get("/utvardering/grundkurs/fritext").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "<script>alert" not in page


def test_themes_and_redaction(app):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    for n in range(5):
        client = _learner_client(app, f"p{n}@malmo.se")
        _answer(app, client, behov=f"Stöd från chef. Ring Kim Svensson {n}")
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    texts_url = "/utvardering/grundkurs/fritext"
    token = csrf_token(coordinator, texts_url)
    coordinator.post("/utvardering/grundkurs/teman", data={"csrf_token": token, "name": "stöd från chef"})
    duplicate = coordinator.post("/utvardering/grundkurs/teman", data={"csrf_token": token, "name": "stöd från chef"},
                                 follow_redirects=True)
    assert "finns redan" in duplicate.get_data(as_text=True)
    with app.app_context():
        answers = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.text.is_not(None))).all()
        answer_ids = [a.id for a in answers]
    theme_id = re.search(r'name="theme" value="(\d+)"', coordinator.get(texts_url).get_data(as_text=True)).group(1)
    for answer_id in answer_ids[:3]:
        coordinator.post(f"{texts_url}/{answer_id}/teman", data={"csrf_token": token, "theme": theme_id})
    report = coordinator.get("/utvardering/grundkurs/").get_data(as_text=True)
    assert '<th scope="row">stöd från chef</th><td>3</td>' in report
    missing = coordinator.post(f"{texts_url}/{answer_ids[0]}/maskera", data={"csrf_token": token, "passage": "Finns ej"},
                               follow_redirects=True)
    assert "finns inte i svaret" in missing.get_data(as_text=True)
    coordinator.post(f"{texts_url}/{answer_ids[0]}/maskera", data={"csrf_token": token, "passage": "Kim Svensson"})
    with app.app_context():
        redacted = db.session.get(SurveyAnswer, answer_ids[0])
        assert "Kim Svensson" not in redacted.text and "[borttaget]" in redacted.text and redacted.redacted


def test_editors_tag_but_cannot_redact(app):
    make_user(app, "redaktor@malmo.se", role="editor")
    for n in range(5):
        _answer(app, _learner_client(app, f"p{n}@malmo.se"), behov="Mer tid")
    editor = app.test_client()
    login(editor, "redaktor@malmo.se")
    page = editor.get("/utvardering/grundkurs/fritext").get_data(as_text=True)
    assert "Mer tid" in page and "Ta bort text som pekar ut någon" not in page
    with app.app_context():
        answer_id = db.session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.text.is_not(None)))
    token = csrf_token(editor, "/utvardering/grundkurs/fritext")
    refused = editor.post(f"/utvardering/grundkurs/fritext/{answer_id}/maskera", data={"csrf_token": token, "passage": "Mer"})
    assert refused.status_code == 403
