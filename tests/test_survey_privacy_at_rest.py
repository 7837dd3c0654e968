"""Privacy at rest: no stored survey response is singled out by its förvaltning, role and gender."""

from __future__ import annotations

import csv
import io
from collections import Counter

import flask_migrate
import pytest
from sqlalchemy import func, select, text

from learning import create_app
from learning.content.services import published_course
from learning.extensions import db
from learning.survey import pool
from learning.survey.anonymity import NOTHING, generalise
from learning.survey.results import MISSING, Breakdown, Row, missing_note
from learning.survey.models import SurveyPending, SurveyResponse
from tests.helpers import app_config, login, make_user
from tests.survey_builders import answered, completed_learner, org_id

URL = "/utvardering/grundkurs/"
PERIOD = "?halvar=2026-1"
MAN_CHEF = (1, "chef", "man")


@pytest.mark.parametrize("batch", [[MAN_CHEF], [MAN_CHEF] * 4, [(n, "chef", "man") for n in range(4)]])
def test_a_month_of_fewer_than_five_keeps_nothing(batch):
    assert generalise(batch) == [NOTHING] * len(batch)


def test_five_alike_keep_everything_and_a_sixth_unlike_them_takes_them_along():
    assert generalise([MAN_CHEF] * 5) == [MAN_CHEF] * 5
    # The odd one alone would be one of a kind among "nothing"; the five cannot spare anyone.
    assert generalise([MAN_CHEF] * 5 + [(2, "medarbetare", "kvinna")]) == [NOTHING] * 6
    assert generalise([MAN_CHEF] * 6) == [MAN_CHEF] * 6


def test_all_distinct_keep_nothing():
    assert generalise([(n, "medarbetare", "kvinna") for n in range(8)]) == [NOTHING] * 8


def test_gender_goes_first_and_joins_those_who_never_gave_it():
    batch = [(1, "chef", "kvinna")] * 5 + [(1, "medarbetare", "kvinna")] * 3 + [(1, "medarbetare", "man")] + [
        (1, "medarbetare", None)]
    assert Counter(generalise(batch)) == {(1, "chef", "kvinna"): 5, (1, "medarbetare", None): 5}


def test_role_goes_next_then_the_forvaltning():
    batch = [(1, "chef", "man"), (1, "hr", "kvinna")] + [(1, "medarbetare", "kvinna")] * 3 + [(2, "chef", "man")] * 5
    assert Counter(generalise(batch)) == {(1, None, None): 5, (2, "chef", "man"): 5}


def test_the_residual_takes_what_a_big_group_can_spare_before_a_whole_group():
    batch = [(1, "medarbetare", "kvinna")] * 8 + [(2, "medarbetare", "kvinna")] * 5 + [
        (3, "chef", "man"), (4, "hr", None)]
    assert Counter(generalise(batch)) == {(1, "medarbetare", "kvinna"): 5, (2, "medarbetare", "kvinna"): 5,
                                          NOTHING: 5}
    # Here the spare rows (3) are not enough: the smallest group goes, the bigger one stays whole.
    batch = [(1, "medarbetare", "kvinna")] * 8 + [(2, "medarbetare", "kvinna")] * 5 + [(3, "chef", "man")]
    assert Counter(generalise(batch)) == {(1, "medarbetare", "kvinna"): 8, NOTHING: 6}


def test_stored_rows_of_the_month_count_but_never_change():
    stored = [MAN_CHEF] * 5
    assert generalise([MAN_CHEF], stored) == [MAN_CHEF]  # one of six: kept
    assert generalise([MAN_CHEF], [MAN_CHEF] * 3) == [NOTHING]  # the month has 4
    # The newcomer cannot join anyone, and the stored rows cannot move: it is left alone with nothing.
    assert generalise([(2, "hr", "kvinna")], stored) == [NOTHING]
    assert generalise([(2, "hr", "kvinna")] * 2, [NOTHING] * 3 + stored) == [NOTHING] * 2


def test_the_note_gives_the_count_only_where_the_table_shows_it():
    def table(dimension, missing):
        return Breakdown(dimension, [], [], Row(None, "Totalt", 20, 30), missing)

    assert missing_note(table("org_role", None), scoped=False) is None
    shown = Row(None, MISSING, 1, 0, missing=True)
    assert missing_note(table("org_role", shown), scoped=False).startswith(
        "1 svar saknar uppgift om roll, för att ingen ska kunna pekas ut: förvaltning, roll och kön sparas bara")
    hidden = Row(None, MISSING, 3, 2, hidden=True, missing=True)
    assert missing_note(table("organisation", hidden), scoped=False).startswith(
        "Några svar saknar uppgift om förvaltning, för att förvaltning inte var angiven eller för att ingen")
    # HR's view lists their förvaltningar only: the responses without one are simply not in it.
    assert missing_note(table("organisation", hidden), scoped=True) == (
        "Svar som saknar uppgift om förvaltning, för att den inte var angiven eller för att ingen ska kunna "
        "pekas ut, räknas inte in här.")


@pytest.fixture
def answered_in_march(app, monkeypatch):
    """Ten answer in March: five women in Förskoleförvaltningen, four women and the only man who is
    chef in Kulturförvaltningen. Five more chefs completed in Förskoleförvaltningen without answering."""
    monkeypatch.setattr(pool, "current_month", lambda: "2026-03")
    people = [("fsk", "medarbetare", "kvinna")] * 5 + [("kul", "medarbetare", "kvinna")] * 4 + [("kul", "chef", "man")]
    for n, (organisation, org_role, gender) in enumerate(people):
        answered(app, f"svar{n}@malmo.se", 4, 5, organisation, org_role=org_role, gender=gender)
    for n in range(5):
        completed_learner(app, f"chef{n}@malmo.se", "fsk", org_role="chef", gender="man")
    monkeypatch.setattr(pool, "current_month", lambda: "2026-04")
    make_user(app, "samordnare@malmo.se", role="coordinator")
    coordinator = app.test_client()
    login(coordinator, "samordnare@malmo.se")
    return coordinator


def _stored(app) -> Counter:
    with app.app_context():
        return Counter(tuple(row) for row in db.session.execute(
            select(SurveyResponse.organisation_id, SurveyResponse.org_role, SurveyResponse.gender)))


def _row(page: str, label: str) -> str:
    return page.split(f'<th scope="row">{label}</th>')[-1].split("</tr>")[0]


def test_no_stored_response_is_unique_and_the_reports_say_what_is_missing(app, answered_in_march):
    page = answered_in_march.get(URL + PERIOD + "&per=org_role").get_data(as_text=True)
    stored = _stored(app)
    with app.app_context():
        fsk, kul = org_id("fsk"), org_id("kul")
        assert db.session.scalar(select(func.count(SurveyPending.id))) == 0
    # Kulturförvaltningen's four women and its one chef share only the förvaltning.
    assert stored == {(fsk, "medarbetare", "kvinna"): 5, (kul, None, None): 5}
    assert min(stored.values()) >= 5
    assert "Medelvärde: 4,00 av 5 (10 svar)" in page
    assert "<td>5</td><td>0</td><td>–</td>" in _row(page, "Uppgift saknas")  # responses, completions, no rate
    assert "5 svar saknar uppgift om roll, för att ingen ska kunna pekas ut" in page
    by_gender = answered_in_march.get(URL + PERIOD + "&per=gender").get_data(as_text=True)
    assert "<td>5</td>" in _row(by_gender, "Uppgift saknas")
    assert "5 svar saknar uppgift om kön, för att kön inte var angivet eller för att ingen" in by_gender
    by_organisation = answered_in_march.get(URL + PERIOD).get_data(as_text=True)
    assert "<td>5</td><td>5</td><td>100,0 %</td>" in _row(by_organisation, "Kulturförvaltningen")
    assert "saknar uppgift" not in by_organisation
    body = answered_in_march.get(URL + "resultat.csv" + PERIOD + "&per=org_role").get_data(as_text=True)
    rows = {row[0]: row for row in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")}
    assert rows["Uppgift saknas"][1:4] == ["5", "0", ""] and rows["Medarbetare"][1:3] == ["5", "9"]


def test_a_late_response_joins_the_rows_already_stored_for_its_month(app, answered_in_march):
    answered_in_march.get(URL + PERIOD)  # March is released
    with app.app_context():
        course_id, fsk = published_course("grundkurs").id, org_id("fsk")
        # A response that reached the pool just as March was released comes out on its own.
        db.session.add(SurveyPending(course_id=course_id, month="2026-03", payload={
            "month": "2026-03", "organisation_id": fsk, "org_role": "medarbetare", "gender": "kvinna",
            "answers": {}}))
        db.session.commit()
        assert pool.release_due(course_id) == 1
        db.session.commit()
    assert _stored(app)[fsk, "medarbetare", "kvinna"] == 6


def test_the_migration_generalises_the_responses_stored_before(empty_database_url):
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade(revision="b7e41c2d9a10")
        rows = [("2026-03", 1, "medarbetare", "kvinna")] * 6 + [("2026-03", 2, "chef", "man")] + [
            ("2026-04", 1, "medarbetare", "kvinna")] * 5 + [("2026-05", 1, "chef", "man")] * 2
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO organisations (id, code, name, active) VALUES "
                                    "(1, 'fsk', 'F', true), (2, 'kul', 'K', true)"))
            connection.execute(text("INSERT INTO courses (id, slug, created_at) VALUES (1, 'g', '2026-01-01')"))
            for n, (month, organisation, role, gender) in enumerate(rows):
                connection.execute(text(
                    "INSERT INTO survey_responses (id, course_id, month, organisation_id, org_role, gender) "
                    "VALUES (:id, 1, :month, :organisation, :role, :gender)"),
                    {"id": f"{n:032x}", "month": month, "organisation": organisation, "role": role, "gender": gender})
        flask_migrate.upgrade()
        query = text("SELECT month, organisation_id, org_role, gender FROM survey_responses")
        with db.engine.connect() as connection:
            upgraded = Counter(tuple(row) for row in connection.execute(query))
        flask_migrate.downgrade(revision="b7e41c2d9a10")
        with db.engine.connect() as connection:
            downgraded = Counter(tuple(row) for row in connection.execute(query))
        db.engine.dispose()
    # March: the chef alone cannot stay, and the six cannot spare four; April is five alike; May has two.
    assert upgraded == {("2026-03", None, None, None): 7, ("2026-04", 1, "medarbetare", "kvinna"): 5,
                        ("2026-05", None, None, None): 2}
    assert downgraded[("2026-03", None, "", None)] == 7  # a role taken away comes back empty
