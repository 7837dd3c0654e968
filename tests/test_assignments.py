"""Assigned training: rules on a hand-built staff list, movers, leavers, new hires, the learner's view, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from learning.assignments.models import AssignmentRule
from learning.assignments.rules import number, people
from learning.extensions import db
from tests.assignment_builders import add_rule, complete, import_list, row, status_by_person
from learning.timeutil import stockholm_today
from tests.helpers import csrf_token, login, make_user

JAN, FEB = date(2026, 1, 15), date(2026, 2, 15)


def test_rule_follows_the_staff_list_movers_keep_their_date_leavers_go_new_hires_get_n_days(app):
    with app.app_context():
        import_list([row("1"), row("2", unit="Förskola Syd"), row("3", org="gsf", unit="Grundskola Öst"),
                     row("4", role="chef")], JAN)
        make_user(app, "p4@malmo.se", name="Person 4")
        add_rule(JAN, organisations=["fsk"], due_on=date(2026, 2, 10), within_days=30)
        assert status_by_person(JAN) == {
            "Person 1": (date(2026, 2, 10), "ej_forfallen"), "Person 2": (date(2026, 2, 10), "ej_forfallen"),
            "Person 4": (date(2026, 2, 10), "ej_forfallen")}
        complete("4")
        # 1 moves within the förvaltning, 2 leaves, 3 moves in from another förvaltning, 5 is hired.
        import_list([row("1", unit="Förskola Syd"), row("3", org="fsk", unit="Förskola Syd"),
                     row("4", role="chef"), row("5")], FEB)
        assert status_by_person(FEB + timedelta(days=5)) == {
            "Person 1": (date(2026, 2, 10), "forsenad"),  # a mover keeps the date they had already passed
            "Person 3": (FEB + timedelta(days=30), "ej_forfallen"),  # joined later: 30 days from the move
            "Person 4": (date(2026, 2, 10), "klar"),
            "Person 5": (FEB + timedelta(days=30), "ej_forfallen"),
        }  # Person 2 has left: no longer assigned, so not overdue either


def test_roles_narrow_units_and_several_rules_give_the_earliest_date(app):
    with app.app_context():
        import_list([row("1", role="chef"), row("2"), row("3", org="gsf", unit="Grundskola Öst", role="chef"),
                     row("4", org="gsf", unit="Grundskola Väst")], JAN)
        add_rule(JAN, organisations=["fsk", "gsf"], roles=["chef"], due_on=date(2026, 6, 1))
        add_rule(JAN, units=["gsf|Grundskola Öst", "gsf|Grundskola Väst"], due_on=date(2026, 3, 1))
        assert status_by_person(JAN) == {"Person 1": (date(2026, 6, 1), "ej_forfallen"),
                                         "Person 3": (date(2026, 3, 1), "ej_forfallen"),
                                         "Person 4": (date(2026, 3, 1), "ej_forfallen")}


def _signed_in(app, client, role: str = "coordinator", email: str = "samordnare@malmo.se", organisation="fsk"):
    make_user(app, email, name="Sam Ordnare", role=role, organisation=organisation)
    assert login(client, email).status_code == 302


def _post(client, data: dict):
    token = csrf_token(client, "/tilldelningar/ny")
    return client.post("/tilldelningar/ny", data={"csrf_token": token, **data})


def _rules() -> int:
    return db.session.scalar(select(func.count(AssignmentRule.id)))


def test_coordinator_previews_then_saves_a_rule(app, client):
    with app.app_context():
        import_list([row("1"), row("2"), row("3", org="gsf", unit="Grundskola Öst")], JAN)
    make_user(app, "p1@malmo.se", name="Person 1")
    with app.app_context():
        complete("1")
    _signed_in(app, client)
    form = {"course": "grundkurs", "organisations": "fsk", "due_on": "2099-03-31", "within_days": "30"}
    page = _post(client, {**form, "action": "forhandsgranska"}).get_data(as_text=True)
    assert "Regeln träffar 2 personer. 1 av dem har redan klarat kursen." in page
    with app.app_context():
        assert _rules() == 0  # a preview saves nothing
    response = _post(client, {**form, "action": "spara"})
    assert response.status_code == 302
    listing = client.get("/tilldelningar/").get_data(as_text=True)
    assert "Förskoleförvaltningen" in listing and "31 mars 2099" in listing
    with app.app_context():
        assert _rules() == 1


@pytest.mark.parametrize("data, message", [
    ({"due_on": "2099-01-01"}, "Välj vilka kursen ska tilldelas"),
    ({"organisations": "fsk", "due_on": "2020-01-01"}, "Datumet har redan passerat"),
    ({"organisations": "fsk"}, "Fyll i ett datum då kursen ska vara klar"),
    ({"organisations": "fsk", "due_on": "31/3"}, "Skriv datumet som år-månad-dag"),
    ({"organisations": "fsk", "within_days": "999"}, "Skriv ett antal dagar från 1 till 365"),
    ({"organisations": "fri", "due_on": "2099-01-01"}, "Regeln träffar ingen i personallistan"),
    ({"organisations": "finns-inte", "due_on": "2099-01-01"}, "Välj förvaltningar i listan"),
])
def test_bad_rules_get_a_swedish_message_and_nothing_is_saved(app, client, data, message):
    with app.app_context():
        import_list([row("1")], JAN)
    _signed_in(app, client)
    response = _post(client, {"course": "grundkurs", "action": "spara", **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _rules() == 0


def test_hr_assigns_only_within_their_forvaltningar(app, client):
    with app.app_context():
        import_list([row("1"), row("2", org="gsf", unit="Grundskola Öst")], JAN)
        add_rule(JAN, organisations=["gsf"], due_on=date(2099, 1, 1))
    make_user(app, "hr@malmo.se", name="Hanna HR", role="hr")
    with app.app_context():
        from learning.accounts.models import HrScope, Organisation, User
        user = db.session.scalar(select(User).filter_by(email="hr@malmo.se"))
        fsk = db.session.scalar(select(Organisation).filter_by(code="fsk"))
        db.session.add(HrScope(user_id=user.id, organisation_id=fsk.id))
        db.session.commit()
    assert login(client, "hr@malmo.se").status_code == 302
    page = client.get("/tilldelningar/ny").get_data(as_text=True)
    assert "Grundskoleförvaltningen" not in page and "Alla anställda i personallistan" not in page
    assert "Grundskoleförvaltningen" not in client.get("/tilldelningar/").get_data(as_text=True)
    refused = _post(client, {"course": "grundkurs", "organisations": "gsf", "due_on": "2099-01-01", "action": "spara"})
    assert refused.status_code == 400 and "ligger utanför dina förvaltningar" in refused.get_data(as_text=True)
    city = _post(client, {"course": "grundkurs", "everyone": "y", "roles": "chef", "due_on": "2099-01-01",
                          "action": "spara"})
    assert city.status_code == 400 and "bara tilldela kursen inom dina förvaltningar" in city.get_data(as_text=True)
    assert _post(client, {"course": "grundkurs", "organisations": "fsk", "due_on": "2099-01-01",
                          "action": "spara"}).status_code == 302
    with app.app_context():
        assert _rules() == 2
    assert client.post("/tilldelningar/1/avsluta", data={"csrf_token": csrf_token(client, "/tilldelningar/")}
                       ).status_code == 404  # the other förvaltning's rule, also by URL


def test_learner_sees_assignments_overdue_first_and_completing_closes_it(app, client):
    today = stockholm_today()
    with app.app_context():
        import_list([row("1")], today - timedelta(days=40))
        add_rule(today - timedelta(days=40), organisations=["fsk"], due_on=today - timedelta(days=10))
    make_user(app, "p1@malmo.se", name="Person 1")
    assert login(client, "p1@malmo.se").status_code == 302
    start = client.get("/kurs/grundkurs/").get_data(as_text=True)
    assert "Tilldelat dig" in start and "försenad" in start
    mine = client.get("/mina-sidor/").get_data(as_text=True)
    assert "försenad</strong>, skulle ha varit klar" in mine
    with app.app_context():
        complete("1")
    mine = client.get("/mina-sidor/").get_data(as_text=True)
    assert "försenad" not in mine and "klar 20 januari 2026" in mine


def test_swedish_plurals_and_thousands():
    assert [people(0), people(1), people(2), people(1240)] == ["0 personer", "1 person", "2 personer",
                                                                "1\u00a0240 personer"]
    assert number(30000) == "30\u00a0000"


def test_a_chef_sees_their_own_unit_and_nobody_elses(app, client):
    from learning.reports.models import AccessLog

    today = stockholm_today()
    with app.app_context():
        import_list([row("1"), row("2", role="chef"), row("3", unit="Förskola Syd"),
                     row("4", unit="Förskola Syd", role="chef")], today - timedelta(days=30))
        add_rule(today - timedelta(days=30), organisations=["fsk"], due_on=today - timedelta(days=1))
    make_user(app, "p2@malmo.se", name="Person 2")  # chef of Förskola Norr, no platform role
    make_user(app, "p3@malmo.se", name="Person 3")
    assert login(client, "p2@malmo.se").status_code == 302
    assert client.get("/min-enhet/").headers["Location"].endswith("/min-enhet/fsk/F%C3%B6rskola%20Norr")
    page = client.get("/min-enhet/fsk/Förskola Norr").get_data(as_text=True)
    assert "Person 1" in page and "Försenad" in page and "Person 3" not in page
    assert "2 personer på enheten" in page
    assert client.get("/min-enhet/fsk/Förskola Syd").status_code == 403  # another unit, by editing the URL
    assert client.get("/min-enhet/gsf/Förskola Norr").status_code == 403
    with app.app_context():
        logged = db.session.execute(select(AccessLog.action, AccessLog.what)).all()
    assert logged == [("chefsvy", "Förskoleförvaltningen / Förskola Norr")]
    other = app.test_client()
    assert login(other, "p3@malmo.se").status_code == 302  # not a chef: sees no unit at all
    assert other.get("/min-enhet/fsk/Förskola Syd").status_code == 403
    assert "inte chef för någon enhet" in other.get("/min-enhet/").get_data(as_text=True)


def _refresher(app, tmp_path, months: int = 36) -> None:
    import shutil

    from tests.helpers import COURSES

    root = tmp_path / "kurser"
    shutil.copytree(COURSES, root)
    path = root / "grundkurs" / "course.md"
    path.write_text(path.read_text().replace("\nsurvey:", f"\nvalid_for_months: {months}\nsurvey:", 1))
    assert "1 nya versioner" in app.test_cli_runner().invoke(args=["import-content", str(root)]).output


def test_a_completion_older_than_the_refresher_period_makes_the_person_due_again(app, client, tmp_path):
    from datetime import datetime, timezone

    from learning.renewals.services import add_months

    _refresher(app, tmp_path)
    today = stockholm_today()
    with app.app_context():
        import_list([row("1"), row("2")], today - timedelta(days=400))
        add_rule(today - timedelta(days=400), organisations=["fsk"], due_on=today - timedelta(days=300))
    make_user(app, "p1@malmo.se", name="Person 1")
    make_user(app, "p2@malmo.se", name="Person 2")
    old, recent = add_months(today, -37), add_months(today, -35)
    with app.app_context():
        complete("1", datetime(old.year, old.month, old.day, 12, tzinfo=timezone.utc))
        complete("2", datetime(recent.year, recent.month, recent.day, 12, tzinfo=timezone.utc))
        found = status_by_person(today)
    assert found["Person 1"] == (add_months(old, 36), "forsenad")  # ran out a month ago: due again, overdue
    assert found["Person 2"] == (add_months(recent, 36), "klar")  # valid for another month
    assert login(client, "p2@malmo.se").status_code == 302
    certificate = client.get("/kurs/grundkurs/intyg").get_data(as_text=True)
    from learning.timeutil import format_date
    assert f"<dt>Giltigt till</dt><dd>{format_date(add_months(recent, 36))}</dd>" in certificate


def test_valid_for_months_must_be_a_sensible_number(app, tmp_path):
    import shutil

    from tests.helpers import COURSES

    root = tmp_path / "kurser"
    shutil.copytree(COURSES, root)
    path = root / "grundkurs" / "course.md"
    path.write_text(path.read_text().replace("\nsurvey:", "\nvalid_for_months: tre år\nsurvey:", 1))
    output = app.test_cli_runner().invoke(args=["import-content", str(root)]).output
    assert "'valid_for_months' (hur många månader intyget gäller) ska vara ett heltal från 1 till 240." in output
