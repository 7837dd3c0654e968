"""Sign-up, sign-in, throttling, roles and the pages that need a login."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from learning import create_app
from learning.accounts.models import User
from learning.extensions import db
from learning.mail import wait_for_mail
from tests.helpers import PASSWORD, app_config, csrf_token, link_in_mail, login, make_user

SIGNUP = {
    "name": "Erik Berg", "email": "erik.berg@malmo.se", "password": "ett-långt-lösen", "confirm": "ett-långt-lösen",
    "organisation": "kul", "org_role": "medarbetare", "gender": "",
}
PUBLIC = {"accounts.login", "accounts.signup", "accounts.confirm", "accounts.forgot_password",
          "accounts.reset_password", "certificates.lookup", "certificates.verify", "static",
          "api.openapi_document", "ops.healthz", "ops.readyz", "sso.start", "sso.callback"}


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def _signup(client, **changes):
    return client.post("/registrera", data={**SIGNUP, **changes, "csrf_token": csrf_token(client, "/registrera")})


@pytest.mark.parametrize("changes, message", [
    ({"email": "erik@gmail.com"}, "Använd din e-postadress i tjänsten (@malmo.se)."),
    ({"email": "inte-en-adress"}, "Skriv en giltig e-postadress."),
    ({"password": "kort", "confirm": "kort"}, "Lösenordet måste ha minst 10 tecken."),
    ({"confirm": "något-annat-1"}, "Lösenorden är inte likadana."),
    ({"organisation": "finns-inte"}, "Välj ett av alternativen i listan."),
    ({"organisation": ""}, "Välj din förvaltning."),
    ({"name": ""}, "Fyll i fältet."),
])
def test_signup_refuses_bad_input_with_a_message(app, client, changes, message):
    response = _signup(client, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _users(app) == 0


def _page_text(response) -> str:
    """The page as a reader sees it, without the per-request CSRF token."""
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def test_signup_with_a_taken_address_answers_as_for_a_new_one_and_says_more_by_mail(app, client, mailbox):
    make_user(app, "erik.berg@malmo.se")
    taken = _signup(client, email="Erik.Berg@MALMO.se")
    fresh = _signup(app.test_client(), email="ny.person@malmo.se")
    assert taken.status_code == fresh.status_code == 200
    assert _page_text(taken).replace("erik.berg@malmo.se", "X") == _page_text(fresh).replace("ny.person@malmo.se", "X")
    assert "Det finns redan" not in taken.get_data(as_text=True)
    assert _users(app) == 2
    told = next(m for m in mailbox if m["To"] == "erik.berg@malmo.se")
    assert told["Subject"] == "Du har redan ett konto"
    assert "/glomt-losenord" in told.get_body().get_content()


def test_signup_stores_the_profile(app, client):
    assert "Kolla din e-post" in _signup(client, gender="man", org_role="chef").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.organisation.code, user.org_role, user.gender, user.role) == (
            "erik.berg@malmo.se", "kul", "chef", "man", "learner")
        assert user.email_confirmed is False
        assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2")


def test_wrong_password_is_refused(app, client):
    make_user(app)
    response = login(client, password="fel-lösenord")
    assert response.status_code == 400
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)


def test_sign_in_waits_after_repeated_failures_for_the_same_account_and_address(app, client):
    make_user(app)
    for _ in range(5):
        assert login(client, password="fel-lösenord").status_code == 400
    blocked = login(client)  # a sixth try from the same place waits, even with the right password
    assert blocked.status_code == 429
    assert "För många försök med fel lösenord. Vänta 15 sekunder och försök igen." in blocked.get_data(as_text=True)
    assert blocked.headers["Retry-After"] == "15"


def test_successful_sign_ins_do_not_count_towards_the_limit(app):
    make_user(app)
    for _ in range(7):
        client = app.test_client()
        assert login(client).status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/mina-sidor/", "/mina-sidor/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_redirects_within_the_site(app, client, target, expected):
    make_user(app)
    token = csrf_token(client, "/logga-in")
    response = client.post(f"/logga-in?next={target}", data={
        "csrf_token": token, "email": "anna.andersson@malmo.se", "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_forms_without_csrf_token_are_refused(app, client):
    make_user(app)
    response = client.post("/logga-in", data={"email": "anna.andersson@malmo.se", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)


def test_every_page_but_the_public_ones_needs_a_login(app, client):
    token = csrf_token(client, "/logga-in")  # a valid token, so only the login check can refuse
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule)
        url = url.replace("resultat.x", "resultat.csv")
        if rule.endpoint.startswith("api."):  # the JSON API wants a token, never sends to a sign-in page
            assert client.get(url).status_code == 401, rule.rule
            checked += 1
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 302, (method, rule.rule, response.status_code)
            assert "/logga-in" in response.headers["Location"], (method, rule.rule)
            checked += 1
    assert checked >= 15


def test_cookies_are_secure_by_default(app, database_url):
    secure = create_app({k: v for k, v in app_config(database_url).items() if "COOKIE" not in k})
    response = secure.test_client().get("/logga-in")  # the form's CSRF token starts a session
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert secure.config["REMEMBER_COOKIE_SECURE"] and secure.config["REMEMBER_COOKIE_HTTPONLY"]


def test_pages_carry_security_headers(client):
    response = client.get("/logga-in")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert '<html lang="sv">' in response.get_data(as_text=True)


def test_bootstrap_creates_one_admin_who_must_change_password(app, runner):
    first = runner.invoke(args=["bootstrap"])
    assert first.exit_code == 0, first.output
    password = re.search(r"Engångslösenord \(byts vid första inloggningen\): (\S+)", first.output).group(1)
    second = runner.invoke(args=["bootstrap"])
    assert "Engångslösenord" not in second.output
    assert "0 nya versioner" in second.output
    assert _users(app) == 1

    client = app.test_client()
    assert login(client, "admin@malmo.se", password).status_code == 302
    forced = client.get("/kurs/grundkurs/")
    assert forced.status_code == 302 and forced.headers["Location"] == "/byt-losenord"
    response = client.post("/byt-losenord", data={
        "csrf_token": csrf_token(client, "/byt-losenord"), "current": password,
        "password": "ett-eget-lösenord", "confirm": "ett-eget-lösenord"})
    assert response.status_code == 302
    assert client.get("/kurs/grundkurs/").status_code == 200
    assert client.get("/admin/anvandare").status_code == 200


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "--email", "hr@malmo.se", "--name", "Hanna HR",
                                 "--password", "ett-långt-lösen", "--organisation", "fsk", "--role", "hr"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["create-user", "--email", "HR@malmo.se", "--name", "X", "--password", "ett-långt-lösen"])
    assert again.exit_code != 0 and "Det finns redan ett konto" in again.output
    assert _users(app) == 1


def test_admin_sets_roles_and_hr_scopes(app, client):
    make_user(app, "admin@malmo.se", role="admin")
    target = make_user(app, "hr@malmo.se", name="Hanna HR")
    login(client, "admin@malmo.se")
    assert "Hanna HR" in client.get("/admin/anvandare?q=hanna").get_data(as_text=True)
    url = f"/admin/anvandare/{target}"
    refused = client.post(url, data={"csrf_token": csrf_token(client, url), "role": "hr"})
    assert refused.status_code == 400
    assert "En HR-roll behöver minst en förvaltning." in refused.get_data(as_text=True)
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), "role": "hr", "scopes": ["fsk", "gsf"]})
    assert saved.status_code == 302
    client.post(url, data={"csrf_token": csrf_token(client, url), "role": "hr", "scopes": ["gsf", "kul"]})
    with app.app_context():
        user = db.session.get(User, target)
        assert user.role == "hr"
        assert sorted(s.organisation.code for s in user.hr_scopes) == ["gsf", "kul"]


def test_learners_cannot_reach_admin_pages(app, client, learner):
    assert client.get("/admin/anvandare").status_code == 403
    assert client.get(f"/admin/anvandare/{learner}").status_code == 403


def test_changing_password_signs_out_other_sessions(app, client, learner):
    other = app.test_client()
    login(other)
    assert other.get("/mina-sidor/").status_code == 200
    response = client.post("/byt-losenord", data={
        "csrf_token": csrf_token(client, "/byt-losenord"), "current": PASSWORD,
        "password": "ett-helt-nytt-lösen", "confirm": "ett-helt-nytt-lösen"})
    assert response.status_code == 302
    assert client.get("/mina-sidor/").status_code == 200  # this browser stays signed in
    signed_out = other.get("/mina-sidor/")
    assert signed_out.status_code == 302 and "/logga-in" in signed_out.headers["Location"]


def test_text_with_nul_bytes_and_huge_numbers_get_clear_answers(app, client, learner):
    token = csrf_token(client, "/mina-sidor/")
    assert client.get("/kurs/gr%00undkurs/").status_code == 400
    assert client.post("/mina-sidor/", data={"csrf_token": token, "name": "a\x00b"}).status_code == 400
    assert client.get("/kurs/grundkurs/del-1/resultat/99999999999999999999").status_code == 404
    assert client.get("/kurs/grundkurs/del-1/resultat/3000000000").status_code == 404


def test_admin_search_finds_swedish_letters_and_treats_wildcards_as_text(app, client):
    make_user(app, "admin@malmo.se", role="admin")
    make_user(app, "asa@malmo.se", name="Åsa Öberg")
    make_user(app, "bo@malmo.se", name="Bo Ek")
    login(client, "admin@malmo.se")
    assert "Åsa Öberg" in client.get("/admin/anvandare?q=åsa").get_data(as_text=True)
    assert "Åsa Öberg" in client.get("/admin/anvandare?q=ÖBERG").get_data(as_text=True)
    page = client.get("/admin/anvandare?q=%25").get_data(as_text=True)
    assert "Bo Ek" not in page and "0 användare" in page


def test_an_address_must_be_confirmed_before_signing_in(app, client, mailbox):
    _signup(client)
    assert len(mailbox) == 1 and mailbox[0]["Subject"] == "Bekräfta din e-postadress"
    assert mailbox[0]["To"] == "erik.berg@malmo.se" and "Hej Erik Berg!" in mailbox[0].get_body().get_content()
    refused = login(client, "erik.berg@malmo.se", SIGNUP["password"])
    assert refused.status_code == 400
    assert "Bekräfta din e-postadress först. Vi har skickat en ny länk" in refused.get_data(as_text=True)
    assert len(mailbox) == 2
    assert "Länken är inte giltig" in client.get("/bekrafta/fel-token", follow_redirects=True).get_data(as_text=True)
    confirmed = client.get(link_in_mail(mailbox, "/bekrafta/"), follow_redirects=True)
    assert "Din e-postadress är bekräftad" in confirmed.get_data(as_text=True)
    assert login(client, "erik.berg@malmo.se", SIGNUP["password"]).status_code == 302


def test_an_expired_confirmation_link_is_refused(app, client, mailbox):
    app.config["CONFIRM_EMAIL_MAX_AGE"] = -1
    _signup(client)
    page = client.get(link_in_mail(mailbox, "/bekrafta/"), follow_redirects=True).get_data(as_text=True)
    assert "Länken har gått ut" in page


def test_forgotten_password_is_reset_through_a_single_use_link(app, client, mailbox, learner):
    other = app.test_client()
    login(other)
    stranger = app.test_client()
    same = stranger.post("/glomt-losenord", data={"csrf_token": csrf_token(stranger, "/glomt-losenord"),
                                                  "email": "finns.inte@malmo.se"}).get_data(as_text=True)
    assert "Om det finns ett konto för finns.inte@malmo.se" in same and mailbox == []
    stranger.post("/glomt-losenord", data={"csrf_token": csrf_token(stranger, "/glomt-losenord"),
                                           "email": "anna.andersson@malmo.se"})
    link = link_in_mail(mailbox, "/nytt-losenord/")
    done = stranger.post(link, data={"csrf_token": csrf_token(stranger, link), "password": "mitt-nya-lösenord",
                                     "confirm": "mitt-nya-lösenord"})
    assert done.status_code == 302
    assert login(stranger, password="mitt-nya-lösenord").status_code == 302
    assert other.get("/mina-sidor/").status_code == 302  # the old sessions are over
    again = app.test_client().post(link, data={"csrf_token": csrf_token(stranger, link),
                                               "password": "ett-tredje-lösen", "confirm": "ett-tredje-lösen"})
    assert again.status_code in (302, 400)
    assert login(app.test_client(), password="ett-tredje-lösen").status_code == 400


def _timed(client, url: str, data: dict) -> tuple[float, str]:
    data = {**data, "csrf_token": csrf_token(client, url)}
    start = time.perf_counter()
    response = client.post(url, data=data)
    return time.perf_counter() - start, _page_text(response)


def test_sign_up_and_reset_take_as_long_for_a_known_address_as_for_an_unknown_one(app, mailbox, slow_mail_server):
    make_user(app, "erik.berg@malmo.se")
    known_signup, known_page = _timed(app.test_client(), "/registrera", SIGNUP)
    new_signup, new_page = _timed(app.test_client(), "/registrera", {**SIGNUP, "email": "ny.person@malmo.se"})
    known_reset, known_reset_page = _timed(app.test_client(), "/glomt-losenord", {"email": "erik.berg@malmo.se"})
    unknown_reset, unknown_reset_page = _timed(app.test_client(), "/glomt-losenord", {"email": "x.y@malmo.se"})
    # The mail server takes a second per message: none of that is spent while the person waits.
    assert max(known_signup, new_signup, known_reset, unknown_reset) < 0.8
    assert known_reset_page.replace("erik.berg@malmo.se", "X") == unknown_reset_page.replace("x.y@malmo.se", "X")
    assert known_page.replace("erik.berg@malmo.se", "X") == new_page.replace("ny.person@malmo.se", "X")
    assert sorted(m["Subject"] for m in mailbox) == [
        "Bekräfta din e-postadress", "Du har redan ett konto", "Välj ett nytt lösenord"]


def test_without_a_mail_server_the_log_shows_the_mail_decoded_with_the_link_on_one_line(app, caplog):
    app.config["MAIL_SERVER"] = ""
    client = app.test_client()
    with caplog.at_level("WARNING"):
        _signup(client, name="Åsa Öberg")
        wait_for_mail()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Hej Åsa Öberg!" in logged and "=C3=" not in logged
    link = re.search(r"^http://localhost/bekrafta/(\S+)$", logged, re.MULTILINE).group(0)
    page = client.get(link.removeprefix("http://localhost"), follow_redirects=True).get_data(as_text=True)
    assert "Din e-postadress är bekräftad" in page


def test_an_admin_deactivates_an_account_which_signs_out_everywhere_and_opens_it_again(app, client):
    admin = make_user(app, "admin@malmo.se", role="admin")
    target = make_user(app)
    anna = app.test_client()
    assert login(anna).status_code == 302
    login(client, "admin@malmo.se")
    url = f"/admin/anvandare/{target}"
    done = client.post(url + "/avstangd", data={"csrf_token": csrf_token(client, url), "disabled": "1"},
                       follow_redirects=True)
    assert "Kontot för Anna Andersson är avstängt." in done.get_data(as_text=True)
    assert anna.get("/mina-sidor/").status_code == 302
    assert login(app.test_client()).status_code == 400
    client.post(url + "/avstangd", data={"csrf_token": csrf_token(client, url), "disabled": "0"})
    assert login(app.test_client()).status_code == 302
    own = client.post(f"/admin/anvandare/{admin}/avstangd", data={"csrf_token": csrf_token(client, url), "disabled": "1"},
                      follow_redirects=True)
    assert "Du kan inte stänga av ditt eget konto." in own.get_data(as_text=True)


def test_pages_and_downloads_with_personal_data_are_never_stored_by_a_browser_or_proxy(app, client):
    make_user(app, "admin@malmo.se", role="admin")
    login(client, "admin@malmo.se")
    urls = ["/mina-sidor/", "/mina-sidor/mina-uppgifter.json", "/rapporter/grundkurs/personer",
            "/rapporter/grundkurs/personer.csv", "/rapporter/grundkurs/personer.xlsx", "/kurs/grundkurs/intyg",
            "/kurs/grundkurs/del-1/resultat/1", "/admin/anvandare", "/rapporter/atkomstlogg"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", url
    static = client.get("/static/style.css")
    static.close()
    assert static.headers.get("Cache-Control") != "no-store"


def test_hsts_only_when_a_setting_says_the_app_runs_behind_tls(app, client, database_url):
    assert "Strict-Transport-Security" not in client.get("/logga-in").headers
    behind_tls = create_app(app_config(database_url, BEHIND_TLS=True))
    assert behind_tls.test_client().get("/logga-in").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_set_role_command_gives_an_existing_account_a_role(app, runner):
    make_user(app, "hr@malmo.se")
    done = runner.invoke(args=["set-role", "--email", "HR@malmo.se", "--role", "hr", "--scope", "fsk"])
    assert done.exit_code == 0 and "har nu behörigheten HR" in done.output
    assert runner.invoke(args=["set-role", "--email", "hr@malmo.se", "--role", "hr"]).exit_code == 1
    missing = runner.invoke(args=["set-role", "--email", "x@malmo.se", "--role", "admin"])
    assert missing.exit_code == 1 and "Det finns inget aktivt konto" in missing.output
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="hr@malmo.se"))
        assert user.role == "hr" and [s.organisation.code for s in user.hr_scopes] == ["fsk"]
