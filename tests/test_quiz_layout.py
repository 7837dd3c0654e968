"""What a quiz attempt shows: options shuffled per attempt, questions drawn from a pool, and what a failed
attempt's result page reveals."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import select

from learning.content.services import import_tree
from learning.extensions import db
from learning.learn.models import QuizAttempt
from learning.reports import quiz as quiz_report
from tests.helpers import COURSES, published, quiz_form, quiz_page, take_quiz

URL = "/kurs/grundkurs/del-1"
_INPUT = re.compile(r'<input type="(?:radio|checkbox)" name="q-(q[0-9a-f]{10})" id="q-\1-(\d+)"')
_LABEL = re.compile(r'<label for="q-(q[0-9a-f]{10})-(\d+)">(.*?)</label>')


def shown_order(page: str) -> dict[str, list[str]]:
    """Each question's option ids in the order the quiz form shows them."""
    order: dict[str, list[str]] = {}
    for qid, oid in _INPUT.findall(page):
        order.setdefault(qid, []).append(oid)
    return order


def _attempts(app) -> list[QuizAttempt]:
    with app.app_context():
        return list(db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id)))


def _result_page(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_options_are_shuffled_per_attempt_kept_on_reload_and_graded_exactly(app, client, learner):
    page = client.get(URL).get_data(as_text=True)
    first = shown_order(page)
    part = published(app).part("del-1")
    file_order = {q.id: [o.id for o in q.options] for q in part.doc.questions}
    assert first.keys() == file_order.keys()
    assert first != file_order  # the key's place in the file is not the place on screen
    assert shown_order(client.get(URL).get_data(as_text=True)) == first  # a reload shows the same quiz

    result = _result_page(client, take_quiz(client, app, "del-1", wrong=2))
    assert "Inte godkänd ännu" in result
    (attempt,) = _attempts(app)
    assert attempt.layout["options"] == first and attempt.correct_count == len(first) - 2
    # The result lists the options in the order the learner saw them.
    labels = {(qid, oid): text for qid, oid, text in _LABEL.findall(page)}
    for qid, order in first.items():
        positions = [result.index(labels[(qid, oid)]) for oid in order]
        assert positions == sorted(positions)

    second = shown_order(client.get(URL).get_data(as_text=True))
    assert second.keys() == first.keys() and second != first  # the retake gets a new order
    assert "Godkänd." in _result_page(client, take_quiz(client, app, "del-1"))  # every right option, however shown
    assert [a.score for a in _attempts(app)] == [round(100 * (len(first) - 2) / len(first)), 100]


def test_a_draw_the_learner_was_never_shown_is_refused(app, client, learner):
    csrf, token, round_ = quiz_page(client, URL)
    data = quiz_form(published(app).part("del-1"), token, csrf, round_="1")  # no attempt yet: only draw 0 exists
    response = client.post(f"{URL}/kunskapstest", data=data)
    assert response.status_code == 400
    assert "Ladda om sidan" in response.get_data(as_text=True)
    assert _attempts(app) == []


def test_a_failed_attempt_does_not_reveal_the_key_until_the_part_is_passed(app, client, learner):
    failed = take_quiz(client, app, "del-1", wrong=3)
    failed_url = failed.headers["Location"]
    page = client.get(failed_url).get_data(as_text=True)
    assert "✗ Fel svar" in page and "Förklaring:" in page  # which questions were wrong, and why
    assert "Rätt alternativ" not in page and "tag-correct" not in page
    assert "visas när du har klarat delen" in page

    passed = _result_page(client, take_quiz(client, app, "del-1"))
    assert "Rätt alternativ" in passed
    assert "Rätt alternativ" in client.get(failed_url).get_data(as_text=True)  # once passed, everything


def _course_copy(tmp_path, edit_course=None, edit_part=None):
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    if edit_course:
        path = root / "grundkurs" / "course.md"
        path.write_text(edit_course(path.read_text(encoding="utf-8")), encoding="utf-8")
    if edit_part:
        path = root / "grundkurs" / "del-1.md"
        path.write_text(edit_part(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def test_a_course_may_show_the_key_after_any_attempt(app, client, learner, tmp_path):
    root = _course_copy(tmp_path, edit_course=lambda t: t.replace("---\n", "---\nreveal_answers: always\n", 1))
    with app.app_context():
        import_tree(root)
    page = _result_page(client, take_quiz(client, app, "del-1", wrong=3))
    assert "Inte godkänd ännu" in page and "Rätt alternativ" in page


EXTRA = """
### Extra poolfråga ett: vad gör du först?

- [ ] Väntar och ser.
- [x] Gör en orosanmälan.

Förklaring: Anmälningsplikten gäller direkt.

### Extra poolfråga två: vem bär ansvaret?

- [x] Du själv.
- [ ] Din chef.

Förklaring: Anmälningsplikten är personlig.
"""


def test_a_pool_draws_questions_per_attempt_and_refuses_answers_to_the_others(app, client, learner, tmp_path):
    root = _course_copy(tmp_path, edit_part=lambda t: t.replace("order: 1\n", "order: 1\nquestions_per_attempt: 5\n", 1)
                        + EXTRA)
    with app.app_context():
        import_tree(root)
    part = published(app).part("del-1")
    pool = [q.id for q in part.doc.questions]
    assert len(pool) == 8
    page = client.get(URL).get_data(as_text=True)
    drawn = list(shown_order(page))
    assert len(drawn) == 5 and set(drawn) < set(pool)
    assert "5 frågor." in page
    csrf, token, round_ = quiz_page(client, URL)

    undrawn = next(q for q in part.doc.questions if q.id not in drawn)
    data = quiz_form(part, token, csrf, round_=round_, asked=drawn)
    data[f"q-{undrawn.id}"] = sorted(undrawn.correct_ids)
    response = client.post(f"{URL}/kunskapstest", data=data)
    assert response.status_code == 400
    assert "inte ingick i ditt test" in response.get_data(as_text=True)
    assert _attempts(app) == []

    data = quiz_form(part, token, csrf, round_=round_, asked=drawn)
    assert "Godkänd." in _result_page(client, client.post(f"{URL}/kunskapstest", data=data))
    (attempt,) = _attempts(app)
    assert attempt.layout["questions"] == drawn and attempt.question_count == 5 and attempt.score == 100

    with app.app_context():
        analysis = next(p for p in quiz_report.analysis(published(app)) if p.slug == "del-1")
    assert len(analysis.questions) == 8  # every question of the pool, asked or not yet
    assert sorted(q.answered for q in analysis.questions) == [0, 0, 0, 1, 1, 1, 1, 1]


def test_mina_sidor_export_lists_each_attempts_options_in_the_order_shown(app, client, learner):
    import json
    from markupsafe import Markup

    page = client.get(URL).get_data(as_text=True)
    shown = shown_order(page)
    labels = {(qid, oid): Markup(text).striptags() for qid, oid, text in _LABEL.findall(page)}
    take_quiz(client, app, "del-1", wrong=1)
    data = json.loads(client.get("/mina-sidor/mina-uppgifter.json").get_data(as_text=True))
    answers = data["kunskapstest"][0]["svar"]
    assert [a["alternativ_i_visad_ordning"] for a in answers] == [
        [labels[(qid, oid)] for oid in order] for qid, order in shown.items()]
