"""People the staff list says have left: signed out, their API tokens revoked, and refused at the password form."""

from __future__ import annotations

from datetime import date

from learning.staff.services import LEFT_MESSAGE
from tests.api_builders import api_get, new_token
from tests.assignment_builders import import_list, row
from tests.helpers import PASSWORD, login, make_user

DAY = date(2026, 11, 2)


def test_a_leaver_is_signed_out_loses_api_tokens_and_cannot_sign_in_again(app):
    make_user(app, "p1@malmo.se")
    make_user(app, "p2@malmo.se", role="coordinator")
    make_user(app, "p3@malmo.se")
    with app.app_context():
        import_list([row("1"), row("2"), row("3")], DAY)
    learner, coordinator, stays = app.test_client(), app.test_client(), app.test_client()
    for client, email in ((learner, "p1@malmo.se"), (coordinator, "p2@malmo.se"), (stays, "p3@malmo.se")):
        assert login(client, email).status_code == 302
    token = new_token(coordinator)
    assert api_get(app, "/api/v1/courses", token).status_code == 200

    with app.app_context():
        import_list([row("3")], DAY)  # 1 and 2 are no longer on the list
    assert learner.get("/mina-sidor/").status_code == 302  # back to the sign-in page
    assert coordinator.get("/mina-sidor/").status_code == 302
    assert api_get(app, "/api/v1/courses", token).status_code == 401
    assert stays.get("/mina-sidor/").status_code == 200

    refused = login(app.test_client(), "p1@malmo.se")
    assert refused.status_code == 400 and LEFT_MESSAGE in refused.get_data(as_text=True)
    # Only the right password hears why: a wrong one gets the usual answer.
    wrong = login(app.test_client(), "p1@malmo.se", PASSWORD + "x").get_data(as_text=True)
    assert LEFT_MESSAGE not in wrong and "Fel e-postadress eller lösenord." in wrong

    with app.app_context():
        import_list([row("1"), row("3")], DAY)  # back again
    assert login(app.test_client(), "p1@malmo.se").status_code == 302


def test_a_new_employment_under_another_number_keeps_the_access(app):
    make_user(app, "p4@malmo.se")
    with app.app_context():
        import_list([row("4")], DAY)
    client = app.test_client()
    assert login(client, "p4@malmo.se").status_code == 302
    with app.app_context():
        # Employee number 4 ends; the same person starts as number 5 with the same address.
        import_list([row("5").replace("p5@malmo.se", "p4@malmo.se")], DAY)
    assert client.get("/mina-sidor/").status_code == 200
