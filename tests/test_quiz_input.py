"""Tampered, incomplete and repeated quiz submissions: clear messages, no duplicates, nothing lost."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from learning.extensions import db
from learning.learn.models import CourseCompletion, PartCompletion, QuizAttempt
from tests.helpers import published, quiz_form, quiz_page

URL = "/kurs/grundkurs/del-1"


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m))
                     for m in (QuizAttempt, PartCompletion, CourseCompletion))


def _form(app, client, part="del-1", **kw):
    csrf, token, round_ = quiz_page(client, f"/kurs/grundkurs/{part}")
    return quiz_form(published(app).part(part), token, csrf, round_=round_, **kw)


def _submit(client, data, part="del-1"):
    return client.post(f"/kurs/grundkurs/{part}/kunskapstest", data=data)


def test_unknown_option_is_refused_with_a_message(app, client, learner):
    data = _form(app, client)
    first = next(k for k in data if k.startswith("q-"))
    data[first] = ["99"]
    response = _submit(client, data)
    assert response.status_code == 400
    assert "alternativ som inte finns" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)


def test_missing_answer_keeps_the_others_and_names_the_question(app, client, learner):
    data = _form(app, client)
    questions = [k for k in data if k.startswith("q-")]
    del data[questions[2]]
    response = _submit(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Obesvarade frågor: 3." in page
    missing_id = questions[2][2:]
    assert re.search(rf'href="#q-{missing_id}-[^"]+">Fråga 3: svara på frågan.</a>', page)  # the summary leads to it
    assert f'<p class="error" id="q-{missing_id}-fel">Svara på frågan.</p>' in page
    assert page.count("Svara på frågan.") == 1
    kept = data[questions[0]][0]
    assert f'value="{kept}" checked' in page  # the learner's other answers are still ticked
    assert _counts(app) == (0, 0, 0)


def test_another_parts_questions_are_refused(app, client, learner):
    data = _form(app, client)
    other = _form(app, client, part="del-2")
    data.update({k: v for k, v in other.items() if k.startswith("q-")})
    response = _submit(client, data)
    assert response.status_code == 400
    assert "inte hör till den här delen" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)


def test_two_answers_to_a_single_choice_question_are_refused(app, client, learner):
    part = published(app).part("del-1")
    single = next(q for q in part.doc.questions if not q.multiple)
    data = _form(app, client)
    data[f"q-{single.id}"] = [o.id for o in single.options[:2]]
    response = _submit(client, data)
    assert response.status_code == 400
    assert "Välj bara ett svar" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)


def test_forged_token_is_refused(app, client, learner):
    data = _form(app, client)
    data["token"] = "<script>"
    response = _submit(client, data)
    assert response.status_code == 400
    assert "Ladda om sidan" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)


def test_double_submit_creates_one_attempt_and_one_completion(app, client, learner):
    data = _form(app, client)
    first = _submit(client, data)
    second = _submit(client, data)  # double click or back button: same form, same token
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _counts(app) == (1, 1, 0)


def test_passing_again_in_another_tab_keeps_one_completion(app, client, learner):
    _submit(client, _form(app, client))
    _submit(client, _form(app, client))  # a second tab has its own form
    assert _counts(app) == (2, 1, 0)


def test_every_attempt_stores_score_and_answers(app, client, learner):
    _submit(client, _form(app, client, wrong=3))
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        part = published(app).part("del-1")
        assert attempt.revision_id == part.revision_id
        assert attempt.correct_count == len(part.doc.questions) - 3
        assert attempt.passed is False
        assert set(attempt.answers) == {q.id for q in part.doc.questions}


def test_expired_form_token_keeps_the_answers(app, client, learner):
    data = _form(app, client)
    data["csrf_token"] = "expired"
    response = _submit(client, data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(URL)
    page = client.get(URL).get_data(as_text=True)
    assert "Dina svar finns kvar" in page
    for key, values in data.items():
        if key.startswith("q-"):
            assert f'id="{key}-{values[0]}" value="{values[0]}" checked' in page
    assert _counts(app) == (0, 0, 0)


def test_expired_login_keeps_the_answers_through_sign_in(app, client, learner):
    from tests.helpers import login

    data = _form(app, client)
    client.delete_cookie("session")  # the session ran out during a long read
    response = _submit(client, data)
    assert response.status_code == 302
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 302 and "/logga-in" in followed.headers["Location"]
    login(client)
    page = client.get(URL).get_data(as_text=True)
    assert "Dina svar finns kvar" in page
    assert page.count(" checked") == sum(len(v) for k, v in data.items() if k.startswith("q-"))


def test_a_post_from_another_site_cannot_plant_answers(app, client, learner):
    data = _form(app, client)
    data["csrf_token"] = "from-elsewhere"
    response = client.post(f"{URL}/kunskapstest", data=data, headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert " checked" not in client.get(URL).get_data(as_text=True)
