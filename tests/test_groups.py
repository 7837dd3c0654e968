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
