"""Mina sidor: progress, profile, and a download of everything stored about me."""

from __future__ import annotations

import json

from tests.helpers import csrf_token, login, make_user, published, take_quiz


def test_mina_sidor_lists_attempts_and_status(app, client, learner):
    take_quiz(client, app, "del-1", wrong=3)
    take_quiz(client, app, "del-1")
    page = client.get("/mina-sidor/").get_data(as_text=True)
    assert "Du har klarat 1 av 5 delar." in page
    assert page.count("<td>Nej</td>") == 1 and page.count("<td>Ja</td>") == 1


def test_export_contains_my_data_and_nobody_elses(app, client, learner):
    make_user(app, "annan@malmo.se", name="Någon Annan")
    take_quiz(client, app, "del-2", wrong=2)
    response = client.get("/mina-sidor/mina-uppgifter.json")
    assert response.headers["Content-Disposition"] == "attachment; filename=mina-uppgifter.json"
    data = json.loads(response.get_data(as_text=True))
    assert data["konto"]["e-post"] == "anna.andersson@malmo.se"
    assert data["konto"]["förvaltning"] == "Förskoleförvaltningen"
    assert [a["del"] for a in data["kunskapstest"]] == ["grundkurs/del-2.md"]
    assert data["kunskapstest"][0]["godkänt"] is False
    first = data["kunskapstest"][0]["svar"][0]
    assert first["fråga"] == published(app).part("del-2").doc.questions[0].text
    assert first["rätt"] is False and len(first["valda_svar"]) == 1
    assert data["öppnade_delar"][0]["första_gången"].endswith(("+01:00", "+02:00"))
    assert data["öppnade_delar"][0]["del"] == "grundkurs/del-2.md"
    assert "Någon Annan" not in response.get_data(as_text=True)


def test_profile_can_be_changed_and_bad_values_are_refused(app, client, learner):
    url = "/mina-sidor/"
    refused = client.post(url, data={"csrf_token": csrf_token(client, url), "name": "Anna A",
                                     "organisation": "finns-inte", "org_role": "chef", "gender": ""})
    assert refused.status_code == 400
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), "name": "Anna A",
                                   "organisation": "kul", "org_role": "chef", "gender": "kvinna"})
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Dina uppgifter är sparade." in page
    assert '<option selected value="kul">' in page
    assert "/kurs/grundkurs/for-chefer-och-hr" in client.get("/kurs/grundkurs/").get_data(as_text=True)


def test_another_learners_result_is_not_shown(app, client, learner):
    attempt = take_quiz(client, app, "del-1").headers["Location"]
    make_user(app, "annan@malmo.se")
    other = app.test_client()
    login(other, "annan@malmo.se")
    assert other.get(attempt).status_code == 404


def test_export_includes_group_viewings_session_attendance_and_drafts(app, client, learner):
    from datetime import date

    from learning.editor.models import Draft
    from learning.extensions import db
    from learning.sessions.models import LiveSession, SessionAttendee

    client.get("/kurs/grundkurs/del-1")  # the registrant has opened the course
    page = "/kurs/grundkurs/grupp/"
    assert client.post(page, data={"csrf_token": csrf_token(client, page), "viewed_on": "2026-11-02",
                                   "antal_fsk": "2", "names": "Bo Berg, Cia Ceder"}).status_code == 302
    with app.app_context():
        session = LiveSession(kind="workshop", mode="digital", title="Workshop i november", held_on=date(2026, 11, 3),
                              organiser="Resursteam heder", targets=[])
        db.session.add(session)
        db.session.flush()
        db.session.add(SessionAttendee(session_id=session.id, person_key="anna.andersson@malmo.se", name="Anna A",
                                       email="anna.andersson@malmo.se", user_id=None, source="matchad"))
        db.session.add(Draft(content_file_id=published(app).part("del-1").file_id, user_id=learner,
                             markdown="Mitt utkast"))
        db.session.commit()
    data = json.loads(client.get("/mina-sidor/mina-uppgifter.json").get_data(as_text=True))
    assert data["gruppvisningar"][0]["namn"] == "Bo Berg, Cia Ceder"
    assert data["gruppvisningar"][0]["andra_deltagare"] == {"Förskoleförvaltningen": 2}
    assert [t["tillfälle"] for t in data["tillfällen"]] == ["Workshop i november"]  # matched by address
    assert data["utkast"][0]["text"] == "Mitt utkast" and data["utkast"][0]["fil"] == "grundkurs/del-1.md"
