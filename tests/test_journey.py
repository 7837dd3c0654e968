"""The whole learner journey through the real forms: sign up to a verified certificate."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from learning.extensions import db
from learning.learn.models import CourseCompletion, PartCompletion, QuizAttempt
from tests.helpers import csrf_token, link_in_mail, login, published, take_quiz


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_learner_takes_the_whole_course(app, client, mailbox):
    token = csrf_token(client, "/registrera")
    response = client.post("/registrera", data={
        "csrf_token": token, "name": "Sara Lind", "email": "Sara.Lind@malmo.se",
        "password": "långt-och-hemligt-1", "confirm": "långt-och-hemligt-1",
        "organisation": "gsf", "org_role": "medarbetare", "gender": "kvinna",
    })
    assert "Vi har skickat ett mejl till sara.lind@malmo.se" in response.get_data(as_text=True)
    assert mailbox[0]["To"] == "sara.lind@malmo.se"
    client.get(link_in_mail(mailbox, "/bekrafta/"))
    assert login(client, "sara.lind@malmo.se", "långt-och-hemligt-1").status_code == 302

    start = client.get("/kurs/grundkurs/").get_data(as_text=True)
    assert "Grundkurs om hedersrelaterat våld och förtryck" in start
    assert "Du har klarat 0 av 5 delar." in start
    assert start.count("Inte påbörjad") == 5
    assert "/kurs/grundkurs/for-chefer-och-hr" not in start  # a medarbetare does not see the managers' section

    course = published(app)
    assert [p.slug for p in course.required_parts] == ["del-1", "del-2", "del-3", "del-4", "del-5"]

    part_page = client.get("/kurs/grundkurs/del-1").get_data(as_text=True)
    assert "<h1>Del 1: Vad är hedersrelaterat våld och förtryck?</h1>" in part_page
    assert 'class="toc"' in part_page and "Nästa: Del 2" in part_page
    assert "Påbörjad" in client.get("/kurs/grundkurs/").get_data(as_text=True)

    failed = take_quiz(client, app, "del-1", wrong=2)
    assert failed.status_code == 302
    result = client.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Inte godkänd ännu" in result and "Förklaring:" in result
    questions = len(course.part("del-1").doc.questions)
    assert f"Du hade {questions - 2} av {questions} rätt" in result
    assert client.get("/kurs/grundkurs/intyg").status_code == 403

    passed = take_quiz(client, app, "del-1")
    assert "Godkänd." in client.get(passed.headers["Location"]).get_data(as_text=True)
    for slug in ("del-2", "del-3", "del-4"):
        take_quiz(client, app, slug)
    assert "Du har klarat 4 av 5 delar." in client.get("/kurs/grundkurs/").get_data(as_text=True)
    assert client.get("/kurs/grundkurs/intyg").status_code == 403

    last = take_quiz(client, app, "del-5")
    assert "Hämta ditt intyg" in client.get(last.headers["Location"]).get_data(as_text=True)
    assert _count(app, QuizAttempt) == 6
    assert _count(app, PartCompletion) == 5
    assert _count(app, CourseCompletion) == 1

    certificate = client.get("/kurs/grundkurs/intyg")
    assert certificate.status_code == 200
    page = certificate.get_data(as_text=True)
    assert "Sara Lind" in page and "Grundkurs om hedersrelaterat våld och förtryck" in page
    code = re.search(r"<code>([A-Z0-9-]{14})</code>", page).group(1)

    client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/mina-sidor/")})
    assert client.get("/kurs/grundkurs/").status_code == 302  # signed out
    verified = client.get(f"/intyg/{code.lower().replace('-', '')}")
    assert verified.status_code == 200
    assert "Intyget är äkta" in verified.get_data(as_text=True)
    assert "Sara Lind" in verified.get_data(as_text=True)
    assert client.get("/intyg/AAAA-BBBB-CCCC").status_code == 404


def test_parts_can_be_taken_in_any_order(app, client, learner):
    take_quiz(client, app, "del-4")
    page = client.get("/kurs/grundkurs/").get_data(as_text=True)
    assert "Du har klarat 1 av 5 delar." in page
    assert page.count("Godkänd") == 1


def test_managers_see_their_section_and_others_are_refused(app, client):
    from tests.helpers import login, make_user

    make_user(app, "chef@malmo.se", org_role="chef")
    make_user(app, "medarbetare@malmo.se")
    login(client, "chef@malmo.se")
    assert "/kurs/grundkurs/for-chefer-och-hr" in client.get("/kurs/grundkurs/").get_data(as_text=True)
    assert client.get("/kurs/grundkurs/for-chefer-och-hr").status_code == 200
    client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/mina-sidor/")})
    login(client, "medarbetare@malmo.se")
    assert client.get("/kurs/grundkurs/for-chefer-och-hr").status_code == 403


def test_answer_key_is_not_sent_before_submitting(app, client, learner):
    page = client.get("/kurs/grundkurs/del-2").get_data(as_text=True)
    part = published(app).part("del-2")
    for question in part.doc.questions:
        assert question.explanation_html not in page
    assert "[x]" not in page and "correct" not in page


def test_certificate_keeps_the_name_it_was_issued_with(app, client, learner):
    for slug in ("del-1", "del-2", "del-3", "del-4", "del-5"):
        take_quiz(client, app, slug)
    code = re.search(r"<code>([A-Z0-9-]{14})</code>", client.get("/kurs/grundkurs/intyg").get_data(as_text=True)).group(1)
    client.post("/mina-sidor/", data={"csrf_token": csrf_token(client, "/mina-sidor/"), "name": "Någon Annan",
                                      "organisation": "fsk", "org_role": "medarbetare", "gender": ""})
    verified = client.get(f"/intyg/{code}").get_data(as_text=True)
    assert "Anna Andersson" in verified and "Någon Annan" not in verified


def test_a_missing_course_completion_is_made_good_on_the_next_visit(app, client, learner):
    for slug in ("del-1", "del-2", "del-3", "del-4", "del-5"):
        take_quiz(client, app, slug)
    with app.app_context():  # as if two tabs passed the last parts at once and the row was lost
        db.session.query(CourseCompletion).delete()
        db.session.commit()
    assert client.get("/kurs/grundkurs/intyg").status_code == 200
    assert _count(app, CourseCompletion) == 1


def test_course_pages_have_plain_titles_and_offer_group_registration(client, learner):
    titles = {}
    for url in ("/kurs/grundkurs/", "/kurs/grundkurs/del-1"):
        page = client.get(url).get_data(as_text=True)
        titles[url] = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert "<" not in titles[url] and "\n" not in titles[url], titles[url]  # read out by screen readers
        if url == "/kurs/grundkurs/":
            assert 'href="/kurs/grundkurs/grupp/"' in page.split("<main")[1]  # in the page, not in the title
    assert titles["/kurs/grundkurs/"].endswith(" – Malmö stad lär")
