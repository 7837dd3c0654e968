"""A finished month's survey answers are in every figure at once, whichever page or export is read first."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from learning.extensions import db
from learning.survey import pool
from learning.survey.models import SurveyPending, SurveyResponse
from tests.helpers import csrf_token, login, make_user
from tests.survey_builders import answered

COUNCIL = "/rapporter/grundkurs/aterrapport"
PERIOD = "?fran=2026-01&till=2026-06"


@pytest.fixture
def answered_in_march(app, monkeypatch):
    """Six learners who completed the course in March answered the survey in March; it is now April."""
    monkeypatch.setattr(pool, "current_month", lambda: "2026-03")
    for n in range(6):
        answered(app, f"svar{n}@malmo.se", 3 + n % 3, 4)
    monkeypatch.setattr(pool, "current_month", lambda: "2026-04")
    make_user(app, "samordnare@malmo.se", role="coordinator")
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    return coordinator


def _csv(response) -> dict:
    body = response.get_data().decode("utf-8").lstrip("\ufeff")
    return {(row[0], row[1]): row[2] for row in csv.reader(io.StringIO(body), delimiter=";")}


def test_the_council_csv_read_first_after_the_month_shows_the_released_answers(app, answered_in_march):
    rows = _csv(answered_in_march.get(COUNCIL + ".csv" + PERIOD))
    assert rows[("Utvärdering", "Svar")] == "6"
    assert rows[("Utvärdering", "Svarsfrekvens (%)")] == "100,0"
    assert rows[("Utvärdering", "Hur nöjd är du med denna utbildning?")] == "4,00"
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyPending.id))) == 0
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 6


def test_a_snapshot_frozen_first_after_the_month_keeps_the_released_answers(app, answered_in_march):
    token = csrf_token(answered_in_march, COUNCIL + PERIOD)
    response = answered_in_march.post(COUNCIL + "/frys" + PERIOD, data={"csrf_token": token})
    assert response.status_code == 302
    frozen = _csv(answered_in_march.get(response.headers["Location"].replace("aterrapport?", "aterrapport.csv?")))
    assert frozen[("Utvärdering", "Svar")] == "6"
