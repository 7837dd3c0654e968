"""The JSON API and its tokens: the dashboard's exact figures, small groups hidden, scope, errors as JSON."""

from __future__ import annotations

import csv
import hashlib
import io
import re

import pytest
from sqlalchemy import select

from learning.accounts.models import User
from learning.api.models import ApiToken
from learning.api.services import TokenError, create_token
from learning.content.services import published_course
from learning.extensions import db
from learning.learn.models import PartCompletion
from tests.api_builders import (API, COORDINATOR, FIGURES, MARCH, PERIOD, as_role, api_get, api_json, new_token,
                                signed_in, city, token)  # noqa: F401  (fixtures)
from tests.helpers import csrf_token, make_user, take_quiz
from tests.survey_builders import completed_learner


# --- Tokens ---------------------------------------------------------------------------------------

def test_the_secret_is_shown_once_and_only_its_hash_is_stored(city):
    client = signed_in(city)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/api-nycklar/"' in page and ">API-nycklar</a>" in page  # in the menu
    secret = new_token(client, "Stratsys")
    courses = api_json(city, "/api/v1/courses", secret)["courses"]
    assert courses == [{"slug": "grundkurs", "title": published_course_title(city)}]
    with city.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (stored.name, stored.token_hash)
        assert stored.last_used_at is not None and stored.revoked_at is None
    listing = client.get("/api-nycklar/").get_data(as_text=True)
    assert "Stratsys" in listing and secret not in listing and "Aktiv" in listing


def published_course_title(app) -> str:
    with app.app_context():
        return published_course("grundkurs").title


def test_a_token_needs_a_name_of_at_most_100_characters(city):
    client = signed_in(city)
    for name, message in (("  ", "Fyll i ett namn på nyckeln."), ("x" * 101, "Skriv högst 100 tecken.")):
        response = client.post("/api-nycklar/", data={"csrf_token": csrf_token(client, "/api-nycklar/"),
                                                      "token_name": name})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and 'class="error-summary"' in page
        assert 'aria-invalid="true"' in page and "lrn_" not in page
    assert client.post("/api-nycklar/", data={"token_name": "utan CSRF"}).status_code == 400
    with city.app_context():
        assert db.session.scalars(select(ApiToken)).all() == []


def test_a_revoked_token_is_refused(city):
    client = signed_in(city)
    secret = new_token(client)
    with city.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    make_user(city, "annan@malmo.se", role="coordinator")
    other = signed_in(city, "annan@malmo.se")
    assert other.post(f"/api-nycklar/{token_id}/aterkalla",
                      data={"csrf_token": csrf_token(other, "/api-nycklar/")}).status_code == 404  # not theirs
    assert client.post(f"/api-nycklar/{token_id}/aterkalla").status_code == 400  # no CSRF token
    api_json(city, "/api/v1/courses", secret)
    response = client.post(f"/api-nycklar/{token_id}/aterkalla",
                           data={"csrf_token": csrf_token(client, "/api-nycklar/")}, follow_redirects=True)
    assert "är återkallad" in response.get_data(as_text=True) and "Återkallad" in response.get_data(as_text=True)
    assert api_json(city, "/api/v1/courses", secret, 401) == {"error": "API-nyckeln är återkallad."}


@pytest.mark.parametrize("role", ["learner", "editor", "hr"])
def test_only_coordinators_and_admins_create_tokens(city, role):
    make_user(city, "nagon@malmo.se", role=role if role != "hr" else "learner")
    if role == "hr":
        as_role(city, "nagon@malmo.se", "hr", ["fsk"])
    client = signed_in(city, "nagon@malmo.se")
    assert client.get("/api-nycklar/").status_code == 403
    form_token = csrf_token(client, "/kurs/grundkurs/")  # every page has one (the sign-out form)
    assert client.post("/api-nycklar/", data={"csrf_token": form_token, "token_name": "x"}).status_code == 403
    assert "API-nycklar" not in client.get("/", follow_redirects=True).get_data(as_text=True)
    with city.app_context():
        assert db.session.scalars(select(ApiToken)).all() == []
        with pytest.raises(TokenError, match="Bara samordnare"):
            create_token(db.session.scalar(select(User).filter_by(email="nagon@malmo.se")), "direkt")
    assert city.test_client().get("/api-nycklar/").status_code == 302  # anonymous: sign in first
    make_user(city, "admin@malmo.se", role="admin")
    assert new_token(signed_in(city, "admin@malmo.se")).startswith("lrn_")


# --- Authentication -------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Bearer lrn_fel", "Basic c2FtbW9yZG5hcmU6eA==",
                                    "lrn_utan_schema"])
def test_without_a_valid_token_the_answer_is_401_json(token, city, header):
    headers = {"Authorization": header} if header is not None else {}
    for url in ("/api/v1/courses", API + "/participation", API + "/completion" + PERIOD):
        response = city.test_client().get(url, headers=headers)
        assert response.status_code == 401 and response.mimetype == "application/json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert set(response.get_json()) == {"error"} and "API-nyckel" in response.get_json()["error"]


def test_a_session_cookie_alone_does_not_open_the_api(city):
    client = signed_in(city)  # a signed-in coordinator's browser, cookies and all
    assert client.get("/rapporter/grundkurs/" + PERIOD).status_code == 200
    response = client.get(API + "/completion" + PERIOD)
    assert response.status_code == 401 and response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    with city.app_context():  # even a user who must change their password gets JSON, not a redirect
        db.session.scalar(select(User).filter_by(email=COORDINATOR)).must_change_password = True
        db.session.commit()
    assert client.get("/api/v1/courses").status_code == 401


def test_a_token_stops_working_for_good_when_its_owners_role_changes(token, city):
    as_role(city, COORDINATOR, "hr", ["fsk"])  # demoted to HR: the token made for the whole city stops
    assert api_json(city, API + "/completion", token, 401) == {"error": "API-nyckeln är återkallad."}
    as_role(city, COORDINATOR, "coordinator")  # promoted back: the old token stays dead
    api_json(city, "/api/v1/courses", token, 401)
    fresh = new_token(signed_in(city))
    api_json(city, "/api/v1/courses", fresh)


def test_a_token_stops_working_when_its_owners_hr_scope_changes(token, city):
    as_role(city, COORDINATOR, "hr", ["fsk"], keep_tokens=True)  # an HR token for Förskoleförvaltningen
    api_json(city, API + "/completion" + PERIOD, token)
    as_role(city, COORDINATOR, "hr", ["fsk", "gsf"])
    api_json(city, API + "/completion" + PERIOD, token, 401)


def test_a_token_whose_access_changed_behind_the_admin_pages_back_is_refused(token, city):
    with city.app_context():  # e.g. a role set with SQL by an operator: nothing revoked the token
        db.session.scalar(select(User).filter_by(email=COORDINATOR)).role = "editor"
        db.session.commit()
    body = api_json(city, "/api/v1/courses", token, 401)
    assert "API-nyckeln gäller inte längre" in body["error"]


def test_a_token_stops_working_when_its_owner_is_deactivated(token, city):
    from learning.accounts.services import set_disabled

    with city.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=COORDINATOR))
        set_disabled(user_id, True)
    api_json(city, "/api/v1/courses", token, 401)
    with city.app_context():
        set_disabled(user_id, False)
    api_json(city, "/api/v1/courses", token, 401)  # opened again: the token was revoked with the account


# --- Figures --------------------------------------------------------------------------------------

def _row(body: dict, code: str | None) -> list:
    row = next(r for r in body["rows"] + [body["total"]] if r["forvaltning"] == code)
    return [row[name] for name in FIGURES] + [row["hidden"]]


def test_completion_has_the_dashboards_exact_figures(token, city):
    body = api_json(city, API + "/completion" + PERIOD, token)
    assert body["period"] == {"fran": "2026-03", "till": "2026-04"} and body["forvaltning"] is None
    assert _row(body, "fsk") == [11, 10, 9, 81.8, 20, 8, 40.0, 8, False]
    assert _row(body, "gsf") == [11, 11, 11, 100.0, 50, 11, 22.0, 11, False]
    assert _row(body, None) == [22, 21, 20, 90.9, 70, 19, 27.1, 19, False]
    assert body["total"]["name"] == "Totalt"
    # Förvaltningar without anyone are there too, with zeros and no staff figures, like on the page.
    empty = next(r for r in body["rows"] if r["forvaltning"] not in ("fsk", "gsf"))
    assert [empty[n] for n in FIGURES] == [0, 0, 0, None, None, None, None, None]
    # And the same numbers as the dashboard's own CSV export, row for row.
    export = signed_in(city).get("/rapporter/grundkurs/forvaltningar.csv" + PERIOD).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))[1:]
    assert [r[0] for r in rows] == [r["name"] for r in body["rows"]] + ["Totalt"]
    for exported, row in zip(rows, body["rows"] + [body["total"]]):
        assert exported[1:] == ["" if row[n] is None else str(row[n]).replace(".", ",") for n in FIGURES], row["name"]


def test_the_trend_has_every_month_of_the_period_months_without_completions_as_zero(token, city):
    body = api_json(city, API + "/participation?fran=2026-02&till=2026-06", token)
    assert [(m["month"], m["completed"]) for m in body["trend"]] == [
        ("2026-03", 15), ("2026-04", 5), ("2026-05", 0), ("2026-06", 0)]


def test_participation_has_the_dashboards_exact_figures(token, city):
    body = api_json(city, API + "/participation" + PERIOD, token)
    assert [body["totals"][n] for n in FIGURES] == [22, 21, 20, 90.9, 70, 19, 27.1, 19]
    assert body["totals"]["hidden"] is False
    assert body["trend"] == [{"month": "2026-03", "completed": 15, "hidden": False},
                             {"month": "2026-04", "completed": 5, "hidden": False}]
    assert body["by_role"] == [{"key": "medarbetare", "label": "Medarbetare", "completed": 20, "hidden": False}]
    assert body["by_gender"] == [{"key": None, "label": "Ej angivet", "completed": 20, "hidden": False}]
    with city.app_context():
        parts = published_course("grundkurs").required_parts
    assert [(p["slug"], p["title"], p["passed"]) for p in body["parts"]] == [(p.slug, p.doc.title, 0) for p in parts]
    fsk = api_json(city, API + "/participation" + PERIOD + "&forvaltning=fsk", token)
    assert fsk["forvaltning"] == {"code": "fsk", "name": "Förskoleförvaltningen"}
    assert [fsk["totals"][n] for n in FIGURES] == [11, 10, 9, 81.8, 20, 8, 40.0, 8]


def test_small_groups_are_null_with_a_hidden_flag_exactly_where_the_dashboard_hides_them(token, city):
    for n in range(2):
        completed_learner(city, f"kul{n}@malmo.se", "kul", MARCH, gender="kvinna", org_role="chef")
    for n in range(3):  # three people passed the first part: too few to show
        email = f"fsk{n}@malmo.se"
        assert take_quiz(signed_in(city, email), city, _first_part_slug(city)).status_code in (200, 302)
    with city.app_context():
        for completion in db.session.scalars(select(PartCompletion)):
            completion.completed_at = MARCH
        db.session.commit()
    body = api_json(city, API + "/completion" + PERIOD, token)
    hidden = {r["forvaltning"]: r["hidden"] for r in body["rows"]}
    assert hidden["kul"] is True and hidden["fsk"] is True and hidden["gsf"] is False  # the second cell too
    for code in ("kul", "fsk"):
        assert _row(body, code) == [None] * 8 + [True]
    assert _row(body, "gsf")[:3] == [11, 11, 11]
    page = signed_in(city).get("/rapporter/grundkurs/" + PERIOD).get_data(as_text=True)
    for row in body["rows"] + [body["total"]]:
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", page.split(f'<th scope="row">{row["name"]}</th>')[1]
                           .split("</tr>")[0])
        assert (cells == ["för få"]) == row["hidden"], row["name"]
    participation = api_json(city, API + "/participation" + PERIOD, token)
    assert participation["parts"][0]["passed"] is None and participation["parts"][0]["hidden"] is True
    assert all(p["passed"] == 0 and p["hidden"] is False for p in participation["parts"][1:])
    # Two women among 22 would be given away by the other group's number, so both are hidden.
    assert participation["by_gender"] == [
        {"key": None, "label": "Ej angivet", "completed": None, "hidden": True},
        {"key": "kvinna", "label": "Kvinna", "completed": None, "hidden": True}]
    assert all(r["completed"] is None and r["hidden"] for r in participation["by_role"])
    assert participation["trend"][0] == {"month": "2026-03", "completed": 17, "hidden": False}
    single = api_json(city, API + "/participation?fran=2026-03&till=2026-04&forvaltning=kul", token)
    assert single["totals"] == {**dict.fromkeys(FIGURES), "hidden": True}


def _first_part_slug(app) -> str:
    with app.app_context():
        return published_course("grundkurs").required_parts[0].slug


def test_an_hr_token_sees_only_its_own_forvaltning(token, city):
    as_role(city, COORDINATOR, "hr", ["fsk"], keep_tokens=True)  # moved to HR in Förskoleförvaltningen
    body = api_json(city, API + "/completion" + PERIOD, token)
    assert [r["forvaltning"] for r in body["rows"]] == ["fsk"]
    assert _row(body, None) == [11, 10, 9, 81.8, 20, 8, 40.0, 8, False]
    totals = api_json(city, API + "/participation" + PERIOD, token)["totals"]
    assert [totals[n] for n in FIGURES] == [11, 10, 9, 81.8, 20, 8, 40.0, 8]
    for endpoint in ("completion", "participation"):
        forbidden = api_json(city, f"{API}/{endpoint}{PERIOD}&forvaltning=gsf", token, 403)
        assert forbidden == {"error": "Du har inte behörighet till den förvaltningen."}
        assert api_json(city, f"{API}/{endpoint}{PERIOD}&forvaltning=fsk", token)["forvaltning"]["code"] == "fsk"


# --- Errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "status", "message"), [
    (API + "/completion?fran=mars", 400, "”mars” är inte en månad mellan 2000 och 2100. Skriv till exempel 2026-11."),
    (API + "/participation?fran=2026-05&till=2026-04", 400, "Perioden börjar efter att den slutar."),
    (API + "/completion?till=2026-13", 400, "”2026-13” är inte en månad"),
    ("/api/v1/courses/finns-inte/completion", 404, "Kursen finns inte."),
    (API + "/participation?forvaltning=finns-inte", 404, "Förvaltningen finns inte."),
    ("/api/v1/finns-inte", 404, "finns inte"),
    (API + "/completion?fran=2026%00", 400, "Sidan kunde inte ta emot"),
    (API + "/completion?fran=%202026-03", 400, "” 2026-03” är inte en månad"),  # the dashboard would forgive it
    (API + "/completion?fr%C3%A5n=2026-03", 400, "Okänd parameter ”från”. Tillåtna parametrar: fran, till, forvaltning."),
    (API + "/participation?fran=2026-03&fran=2026-04", 400, "Parametern fran får bara anges en gång."),
    ("/api/v1/courses?kurs=grundkurs", 400, "Okänd parameter ”kurs”"),
])
def test_errors_are_json_with_a_swedish_message(token, city, url, status, message):
    body = api_json(city, url, token, status)
    assert set(body) == {"error"} and message in body["error"]


def test_other_methods_get_405_json(token, city):
    response = city.test_client().post("/api/v1/courses", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405 and response.get_json()["error"]
    assert "GET" in response.headers["Allow"]


ROLES = ["learner", "editor", "hr-a", "hr-b", "coordinator", "admin"]


def _api_urls(app) -> list[str]:
    """Every API route but the public OpenAPI document, with the period where the route takes one."""
    rules = [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    takes_no_period = ("/quiz", "/assignments")  # the quiz analysis is all time, assignments are today's
    return [rule.replace("<slug>", "grundkurs") + (PERIOD if "<slug>" in rule and not rule.endswith(takes_no_period)
                                                   else "")
            for rule in rules if rule != "/api/v1/openapi.json"]


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix_over_every_api_route(token, city, role):
    """Generated from the URL map, so a new API route cannot be forgotten."""
    urls = _api_urls(city)
    assert len(urls) >= 3
    platform_role = {"hr-a": "hr", "hr-b": "hr"}.get(role, role)
    as_role(city, COORDINATOR, platform_role, {"hr-a": ["fsk"], "hr-b": ["gsf"]}.get(role), keep_tokens=True)
    for url in urls:
        assert api_get(city, url, None).status_code == 401, url
        status = api_get(city, url, token).status_code
        # The quiz analysis and the council reports are the coordinators' (the whole city), not HR's.
        only_for_the_city = url.split("?")[0].endswith(("/quiz", "/council")) and role.startswith("hr")
        assert status == (403 if role in ("learner", "editor") or only_for_the_city else 200), (role, url, status)
        if role.startswith("hr") and "grundkurs" in url and not url.endswith("/quiz"):
            other = "gsf" if role == "hr-a" else "fsk"
            joiner = "&" if "?" in url else "?"
            assert api_get(city, f"{url}{joiner}forvaltning={other}", token).status_code == 403, (role, url)


def test_quiz_analysis_matches_the_page(token, city):
    from tests.helpers import login, make_user, take_quiz

    for n in range(5):
        make_user(city, f"l{n}@malmo.se")
        learner = city.test_client()
        login(learner, f"l{n}@malmo.se")
        if n >= 3:
            take_quiz(learner, city, "del-1", wrong=3)
        take_quiz(learner, city, "del-1")
    body = api_json(city, API + "/quiz", token)
    first = body["parts"][0]
    assert (first["slug"], first["learners"], first["first_attempt_pass_rate"], first["mean_attempts_to_pass"]) == (
        "del-1", 5, 60.0, 1.4)
    assert first["questions"][0]["answered"] == 7 and first["questions"][0]["share_correct"] == 71.4
    assert body["parts"][1]["first_attempt_pass_rate"] is None  # nobody has taken del-2
