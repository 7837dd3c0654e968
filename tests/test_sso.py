"""Sign-in with the city's identity provider, against a real OpenID provider on loopback (tests/oidc.py)."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from learning import create_app
from learning.accounts.models import User
from learning.extensions import db
from learning.staff import services as staff
from learning.staff.models import StaffMember
from learning.timeutil import stockholm_today
from tests.helpers import PASSWORD, app_config, csrf_token, login, make_user
from tests.oidc import path_of, running_provider, sso_settings

HEADER = "anstallningsnummer,namn,epost,forvaltning,enhet,roll\r\n"


@pytest.fixture
def app_settings(oidc_provider):
    oidc_provider.reset()
    return sso_settings(oidc_provider)


@pytest.fixture
def provider(oidc_provider, app):
    return oidc_provider


def _staff_list(app, *rows: str) -> None:
    with app.app_context():
        staff.import_staff((HEADER + "".join(r + "\r\n" for r in rows)).encode(), stockholm_today())


def _accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def _start(client) -> str:
    """Press "Logga in med ditt jobbkonto": the URL of the provider's authorization page."""
    response = client.get("/sso/logga-in")
    assert response.status_code == 302
    return response.headers["Location"]


def sign_in(client, provider, sub: str, **changed_params):
    """The whole flow through the provider; returns the platform's answer to the provider's redirect."""
    back = provider.authorize(_start(client), sub, **changed_params)
    return client.get(path_of(back))


def _refused(response, message: str, status: int = 400) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[:300]
    assert "Du blev inte inloggad" in page and message in page


def test_the_sign_in_page_offers_the_work_account_and_still_the_local_form(client):
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med ditt jobbkonto" in page and 'name="password"' in page


def test_first_sign_in_creates_the_account_placed_by_the_staff_list(app, client, provider):
    _staff_list(app, "E100,Sara Lind,sara.lind@malmo.se,kul,Bibliotek Väst,chef")
    provider.set_user("sub-sara", email="sara.lind@malmo.se", name="Sara Lind", employee_id="E100")
    response = sign_in(client, provider, "sub-sara")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Sara Lind" in client.get("/mina-sidor/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.oidc_subject, user.organisation.code, user.org_role) == (
            "sara.lind@malmo.se", "sub-sara", "kul", "chef")
        assert user.password_hash == ""  # no password to guess or forget
        assert db.session.scalar(select(StaffMember.user_id).filter_by(employee_id="E100")) == user.id
    # Local sign-in with any password does not open an account that has none.
    assert login(app.test_client(), "sara.lind@malmo.se", "").status_code == 400


def test_the_flow_uses_pkce_and_a_nonce(app, client, provider):
    provider.set_user("sub-p", email="p@malmo.se", name="P")
    url = _start(client)
    authorize = parse_qs(urlsplit(url).query)
    assert authorize["code_challenge_method"] == ["S256"] and authorize["nonce"][0] and authorize["state"][0]
    assert client.get(path_of(provider.authorize(url, "sub-p"))).status_code == 302
    verifier = provider.token_requests[-1]["code_verifier"][0]  # sent with the code, never through the browser
    assert authorize["code_challenge"][0] == base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_the_second_sign_in_finds_the_account_after_an_address_change(app, client, provider):
    provider.set_user("sub-ali", email="ali.k@malmo.se", name="Ali K")
    assert sign_in(client, provider, "sub-ali").status_code == 302
    provider.set_user("sub-ali", email="ali.karimi@malmo.se", name="Ali Karimi")
    again = app.test_client()
    assert sign_in(again, provider, "sub-ali").status_code == 302
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert [(u.email, u.name) for u in users] == [("ali.karimi@malmo.se", "Ali Karimi")]


def test_an_existing_local_account_with_the_same_address_is_linked_with_its_history(app, client, provider):
    user_id = make_user(app, "anna.andersson@malmo.se", organisation="gsf")
    provider.set_user("sub-anna", email="anna.andersson@malmo.se", name="Anna Andersson")
    assert sign_in(client, provider, "sub-anna").status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.oidc_subject == "sub-anna" and user.organisation.code == "gsf"
    assert _accounts(app) == 1


def test_a_leaver_in_the_staff_list_is_refused(app, client, provider):
    _staff_list(app, "E1,Kim Berg,kim.berg@malmo.se,fsk,Förskola Norr,medarbetare",
                "E2,Lo Ek,lo.ek@malmo.se,fsk,Förskola Norr,medarbetare")
    _staff_list(app, "E2,Lo Ek,lo.ek@malmo.se,fsk,Förskola Norr,medarbetare")  # Kim has left
    provider.set_user("sub-kim", email="kim.berg@malmo.se", name="Kim Berg", employee_id="E1")
    _refused(sign_in(client, provider, "sub-kim"), "Enligt personallistan arbetar du inte längre", 403)
    assert _accounts(app) == 0
    assert client.get("/mina-sidor/").status_code == 302


def test_without_staff_list_or_claims_the_learner_picks_the_forvaltning_once(app, client, provider):
    provider.set_user("sub-new", email="ny@malmo.se", name="Ny Person")
    response = sign_in(client, provider, "sub-new")
    assert response.headers["Location"].startswith("/sso/var-arbetar-du")
    assert client.get("/kurs/grundkurs/").headers["Location"].startswith("/sso/var-arbetar-du")
    url = "/sso/var-arbetar-du"
    refused = client.post(url, data={"csrf_token": csrf_token(client, url), "organisation": "", "org_role": "chef"})
    assert refused.status_code == 400 and "Välj din förvaltning." in refused.get_data(as_text=True)
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), "organisation": "fsk",
                                   "org_role": "chef", "gender": ""})
    assert saved.status_code == 302
    assert client.get("/kurs/grundkurs/").status_code == 200
    assert sign_in(app.test_client(), provider, "sub-new").headers["Location"] == "/"  # not asked again


def test_the_providers_claims_place_someone_the_staff_list_does_not_know(app, client, provider):
    app.config.update(OIDC_ORGANISATION_CLAIM="department", OIDC_ORG_ROLE_CLAIM="jobrole")
    provider.set_user("sub-c", email="c@malmo.se", name="C", department="Kulturförvaltningen", jobrole="HR")
    assert sign_in(client, provider, "sub-c").headers["Location"] == "/"
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.organisation.code, user.org_role) == ("kul", "hr")


def test_a_tampered_state_is_refused(app, client, provider):
    provider.set_user("sub-t", email="t@malmo.se", name="T")
    back = provider.authorize(_start(client), "sub-t")
    _refused(client.get(path_of(back).replace("state=", "state=x")), "svaret hör inte till en inloggning")
    assert _accounts(app) == 0


def test_a_replayed_code_is_refused(app, client, provider):
    provider.set_user("sub-r", email="r@malmo.se", name="R")
    back = provider.authorize(_start(client), "sub-r")
    assert client.get(path_of(back)).status_code == 302
    client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/sso/var-arbetar-du")})
    _refused(client.get(path_of(back)), "svaret hör inte till en inloggning")  # the same answer again
    # The old code with the state of a new sign-in: the provider itself refuses the used code.
    attacker = app.test_client()
    fresh_state = parse_qs(urlsplit(_start(attacker)).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    _refused(attacker.get(f"/sso/tillbaka?code={code}&state={fresh_state}"), "Inloggningskoden gick inte att använda")
    assert attacker.get("/mina-sidor/").status_code == 302


def test_a_wrong_nonce_is_refused(app, client, provider):
    provider.set_user("sub-n", email="n@malmo.se", name="N")
    _refused(sign_in(client, provider, "sub-n", nonce="ett-annat-engangsvarde"),
             "beviset från ditt jobbkonto hör inte till den här inloggningen")
    assert _accounts(app) == 0


def test_an_id_token_from_another_issuer_is_refused(app, client, provider):
    provider.set_user("sub-i", email="i@malmo.se", name="I")
    provider.token_host = "127.0.0.1:" + provider.url.rsplit(":", 1)[1]  # the same keys, another issuer name
    _refused(sign_in(client, provider, "sub-i"), "fel inloggningstjänst")
    assert _accounts(app) == 0


def test_an_id_token_for_another_service_is_refused(app, client, provider):
    provider.set_user("sub-a", email="a@malmo.se", name="A")
    provider.token_client = "en-annan-tjanst"  # a code and token issued to another application
    _refused(sign_in(client, provider, "sub-a", client_id="en-annan-tjanst"), "utfärdat för en annan tjänst")
    assert _accounts(app) == 0


def test_an_expired_id_token_is_refused(app, database_url):
    with running_provider(token_max_age=timedelta(minutes=-10)) as expired:
        late = create_app(app_config(database_url, **sso_settings(expired)))
        expired.set_user("sub-e", email="e@malmo.se", name="E")
        client = late.test_client()
        _refused(sign_in(client, expired, "sub-e"), "Beviset från ditt jobbkonto har gått ut.")
    assert _accounts(app) == 0


def test_a_deactivated_account_is_refused(app, client, provider):
    provider.set_user("sub-d", email="d@malmo.se", name="D")
    assert sign_in(client, provider, "sub-d").status_code == 302
    with app.app_context():
        from learning.accounts.services import set_disabled

        set_disabled(db.session.scalar(select(User.id)), True)
    assert client.get("/mina-sidor/").status_code == 302  # the open session ended too
    _refused(sign_in(app.test_client(), provider, "sub-d"), "Ditt konto är avstängt", 403)


def test_sign_out_ends_the_session_here_and_at_the_provider(app, client, provider):
    provider.set_user("sub-o", email="o@malmo.se", name="O")
    sign_in(client, provider, "sub-o")
    response = client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/sso/var-arbetar-du")})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == provider.url and target.path == "/oauth2/end_session"
    params = parse_qs(target.query)
    assert params["post_logout_redirect_uri"] == ["http://localhost/logga-in"] and params["id_token_hint"][0]
    assert client.get("/mina-sidor/").status_code == 302
    # The form that signs out may send the browser on to the provider.
    assert provider.url in client.get("/logga-in").headers["Content-Security-Policy"]


def test_with_sso_only_there_is_no_password_form_sign_up_or_reset(app, client, provider):
    app.config["LOCAL_ACCOUNTS"] = False
    make_user(app)
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med ditt jobbkonto" in page
    assert 'name="password"' not in page and "Skapa ett konto" not in page
    assert client.get("/registrera").status_code == 404
    assert client.get("/glomt-losenord").status_code == 404
    refused = client.post("/logga-in", data={"email": "anna.andersson@malmo.se", "password": PASSWORD})
    assert refused.status_code in (400, 404)
    assert client.get("/mina-sidor/").status_code == 302


def test_the_provider_being_down_gives_a_swedish_answer(app, client, provider):
    app.extensions["sso_client"].server_metadata.clear()
    app.extensions["sso_client"]._server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
    _refused(client.get("/sso/logga-in"), "Inloggningstjänsten svarar inte just nu", 503)


def test_a_staff_member_linked_by_employee_id_stays_linked_through_the_next_staff_import(app, client, provider):
    _staff_list(app, "E7,Sara Lind,s.lind@malmo.se,kul,Bibliotek Väst,medarbetare")
    provider.set_user("sub-s", email="sara.lind@malmo.se", name="Sara Lind", employee_id="E7")
    assert sign_in(client, provider, "sub-s").headers["Location"] == "/"
    _staff_list(app, "E7,Sara Lind,s.lind@malmo.se,kul,Bibliotek Öst,medarbetare")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(oidc_subject="sub-s"))
        assert db.session.scalar(select(StaffMember.user_id).filter_by(employee_id="E7")) == user_id


@pytest.mark.parametrize("claims", [{"email_verified": False}, {"email": "anna.andersson@gmail.com"}])
def test_an_unverified_or_outside_address_does_not_take_over_a_local_account(app, client, provider, claims):
    user_id = make_user(app, claims.get("email", "anna.andersson@malmo.se"))
    provider.set_user("sub-x", **{"email": "anna.andersson@malmo.se", "name": "Någon annan", **claims})
    _refused(sign_in(client, provider, "sub-x"), "som vi inte kan koppla till ditt jobbkonto", 403)
    with app.app_context():
        assert db.session.get(User, user_id).oidc_subject is None
    assert _accounts(app) == 1
