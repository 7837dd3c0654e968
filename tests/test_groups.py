"""Group viewing: a learner registers, corrects and withdraws colleagues who took the course at one screen."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from learning.extensions import db
from learning.groups.models import GroupViewing, GroupViewingCount
from tests.helpers import csrf_token, login, make_user

URL = "/kurs/grundkurs/grupp/"


@pytest.fixture
def learner_client(app):
    make_user(app, "anna.andersson@malmo.se", organisation="fsk")
    client = app.test_client()
    login(client)
    assert client.get("/kurs/grundkurs/del-1").status_code == 200  # the registrant has opened the course
    return client


def _post(client, url=URL, **fields):
    data = {"csrf_token": csrf_token(client, url), "viewed_on": "2026-03-14", **fields}
    return client.post(url, data=data)


def _rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(GroupViewing.id))),
                db.session.scalar(select(func.coalesce(func.sum(GroupViewingCount.people), 0))))


def test_register_correct_and_withdraw(app, learner_client):
    assert "Registrera gruppen" in learner_client.get("/kurs/grundkurs/").get_data(as_text=True)
    response = _post(learner_client, antal_fsk="3", antal_gsf="1", women="3", names="Bo, Cia")
    assert response.status_code == 302
    page = learner_client.get(URL).get_data(as_text=True)
    assert "4 andra deltagare" in page and "Förskoleförvaltningen 3" in page
    assert _rows(app) == (1, 4)
    with app.app_context():
        group_id = db.session.scalar(select(GroupViewing.id))
    _post(learner_client, f"{URL}{group_id}", antal_fsk="5")
    assert _rows(app) == (1, 5)
    learner_client.post(f"{URL}{group_id}/ta-bort", data={"csrf_token": csrf_token(learner_client, URL)})
    assert _rows(app) == (0, 0)


@pytest.mark.parametrize("fields, message", [
    ({"antal_fsk": "51"}, "Skriv ett antal från 0 till 50."),
    ({"antal_fsk": "30", "antal_gsf": "30"}, "högst 50 andra deltagare"),
    ({"antal_fsk": "-2"}, "Skriv ett antal från 0 till 50."),
    ({}, "Skriv hur många andra som deltog"),
    ({"antal_fsk": "två"}, "Skriv ett heltal"),
    ({"antal_fsk": "2", "women": "2", "men": "1"}, "fler än de 2 som deltog"),
    ({"antal_fsk": "2", "viewed_on": "2999-01-01"}, "i framtiden"),
])
def test_impossible_groups_get_a_message_and_nothing_is_saved(app, learner_client, fields, message):
    response = _post(learner_client, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _rows(app) == (0, 0)


def test_only_the_registrant_can_see_or_change_a_group(app, learner_client):
    _post(learner_client, antal_fsk="3")
    with app.app_context():
        group_id = db.session.scalar(select(GroupViewing.id))
    make_user(app, "bo@malmo.se")
    other = app.test_client()
    login(other, "bo@malmo.se")
    assert other.get(f"{URL}{group_id}").status_code == 404
    assert other.post(f"{URL}{group_id}/ta-bort", data={"csrf_token": csrf_token(other, URL)}).status_code == 404
    assert "andra deltagare" not in other.get(URL).get_data(as_text=True)
    assert _rows(app) == (1, 3)


def test_a_group_is_registered_once_per_day_recently_and_by_someone_who_opened_the_course(app, learner_client):
    assert _post(learner_client, antal_fsk="50").status_code == 302
    again = _post(learner_client, antal_fsk="50")  # a second click, or the same day registered twice
    assert again.status_code == 400
    assert "Du har redan registrerat en grupp för det datumet" in again.get_data(as_text=True)
    old = _post(learner_client, antal_fsk="2", viewed_on="0001-01-01")
    assert old.status_code == 400 and "mer än ett år bakåt" in old.get_data(as_text=True)
    assert _rows(app) == (1, 50)

    make_user(app, "ny@malmo.se", organisation="fsk")
    newcomer = app.test_client()
    login(newcomer, "ny@malmo.se")
    refused = _post(newcomer, antal_fsk="5")
    assert refused.status_code == 400 and "Öppna kursen först" in refused.get_data(as_text=True)
    assert _rows(app) == (1, 50)


def test_a_group_counting_a_closed_forvaltning_can_still_be_corrected(app, learner_client):
    from learning.accounts.models import Organisation

    assert _post(learner_client, antal_fsk="2", antal_gsf="3").status_code == 302
    with app.app_context():
        group_id = db.session.scalar(select(GroupViewing.id))
        db.session.scalar(select(Organisation).filter_by(code="gsf")).active = False
        db.session.commit()
    url = f"{URL}{group_id}"
    page = learner_client.get(url)
    assert page.status_code == 200 and 'value="3"' in page.get_data(as_text=True)
    assert _post(learner_client, url, antal_fsk="1", antal_gsf="3").status_code == 302
    assert _rows(app) == (1, 4)  # the closed förvaltning's three are kept
