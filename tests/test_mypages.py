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
