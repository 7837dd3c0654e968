"""OpenID Connect sign-in (/sso/...): authorization code flow with PKCE, state and nonce, via Authlib."""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, session,
                   url_for)
from flask_login import current_user, login_required, login_user
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from requests import RequestException

from learning.accounts.services import AccountError, update_profile
from learning.navigation import landing_page
from learning.sso import services
from learning.sso.forms import PlacementForm

bp = Blueprint("sso", __name__, url_prefix="/sso")

ID_TOKEN = "sso_id_token"
SIGNED_IN_HERE = "sso"
MAX_ID_TOKEN_IN_SESSION = 2000
NEXT = "sso_next"
RETRY = " Försök logga in igen."


def init_app(app: Flask) -> None:
    """Register the identity provider as an Authlib client when OIDC_ISSUER is set."""
    config = app.config
    if not config["OIDC_ISSUER"]:
        return
    oauth = OAuth(app)
    oauth.register(
        "city",
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256", "default_timeout": 10},
    )
    app.extensions["sso_client"] = oauth.city


def enabled() -> bool:
    """True when sign-in with the identity provider is configured."""
    return "sso_client" in current_app.extensions


def _client():
    if not enabled():
        abort(404)
    return current_app.extensions["sso_client"]


@bp.get("/logga-in")
def start():
    """Send the browser to the identity provider (with a fresh state, nonce and PKCE verifier)."""
    client = _client()
    from learning.accounts.views import safe_next  # the accounts blueprint imports this module

    session[NEXT] = safe_next(url_for("learn.index"))
    try:
        return client.authorize_redirect(url_for("sso.callback", _external=True))
    except (RequestException, AuthlibBaseError, ValueError):
        current_app.logger.exception("SSO: the identity provider's discovery document could not be read")
        return _refused("Inloggningstjänsten svarar inte just nu. Försök igen om en stund, eller kontakta "
                        "IT-supporten om det fortsätter.", 503)


@bp.get("/tillbaka")
def callback():
    """The identity provider sends the browser back here with a code; the ID token decides who signs in."""
    client = _client()
    try:
        token = client.authorize_access_token(leeway=int(current_app.config["OIDC_LEEWAY"]))
    except MismatchingStateError:
        return _refused("Inloggningen kunde inte kontrolleras: svaret hör inte till en inloggning som började "
                        "i den här webbläsaren, eller så är den redan avslutad." + RETRY)
    except OAuthError as exc:
        current_app.logger.warning("SSO: the identity provider refused: %s %s", exc.error, exc.description)
        if exc.error == "access_denied":
            return _refused("Inloggningen avbröts hos ditt jobbkonto." + RETRY)
        return _refused("Inloggningskoden gick inte att använda (den kan redan ha använts eller gått ut)." + RETRY)
    except ExpiredTokenError:
        return _refused("Beviset från ditt jobbkonto har gått ut." + RETRY)
    except (InvalidClaimError, MissingClaimError) as exc:
        current_app.logger.warning("SSO: ID token refused: %s", exc)
        claim = getattr(exc, "claim", "")
        if claim == "nonce":
            return _refused("Inloggningen kunde inte kontrolleras: beviset från ditt jobbkonto hör inte till den "
                            "här inloggningen." + RETRY)
        if claim in ("iss", "aud", "azp"):
            return _refused("Beviset kommer från fel inloggningstjänst eller är utfärdat för en annan tjänst, "
                            "så vi kan inte logga in dig." + RETRY)
        return _refused("Beviset från ditt jobbkonto kunde inte kontrolleras." + RETRY)
    except (JoseError, AuthlibBaseError, RequestException, ValueError):
        current_app.logger.exception("SSO: the sign-in could not be completed")
        return _refused("Beviset från ditt jobbkonto kunde inte kontrolleras." + RETRY)
    if "userinfo" not in token:  # no verified ID token: nobody is signed in on an access token alone
        return _refused("Ditt jobbkonto skickade inget ID-bevis, så vi kan inte logga in dig." + RETRY)
    try:
        user = services.sign_in(services.identity_from(token["userinfo"]))
    except services.SignInRefused as exc:
        return _refused(str(exc), 403)
    login_user(user)
    # The ID token names the person to the provider at sign-out (id_token_hint). The session is a cookie of at
    # most 4 kB: a token bloated by group claims is left out, and the provider then asks whom to sign out.
    id_token = token.get("id_token") or ""
    session[ID_TOKEN] = id_token if len(id_token) <= MAX_ID_TOKEN_IN_SESSION else ""
    session[SIGNED_IN_HERE] = True
    target = session.pop(NEXT, None) or landing_page(user)
    if services.needs_placement(user):
        return redirect(url_for("sso.placement", next=target))
    return redirect(target)


def _refused(message: str, status: int = 400):
    from learning.accounts.views import login_page

    return login_page(sso_error=message, status=status)


@bp.route("/var-arbetar-du", methods=["GET", "POST"])
@login_required
def placement():
    """Asked once, when neither the staff list nor the identity provider says where the person works."""
    from learning.accounts.views import safe_next

    form = PlacementForm()
    if form.validate_on_submit():
        try:
            update_profile(current_user, current_user.name, form.organisation.data, form.org_role.data,
                           form.gender.data or None)
        except AccountError as exc:
            form.organisation.errors.append(str(exc))
        else:
            flash("Tack! Dina uppgifter är sparade. Du kan ändra dem på Mina sidor.", "success")
            return redirect(safe_next(url_for("learn.index")))
    return render_template("sso/placement.html", form=form), 400 if form.errors else 200


def end_session_redirect() -> Response | None:
    """A redirect to the provider's end-session endpoint (RP-initiated logout), if the person signed in there."""
    id_token = session.pop(ID_TOKEN, None)
    if not session.pop(SIGNED_IN_HERE, False) or not enabled():
        return None
    client = current_app.extensions["sso_client"]
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.logout_redirect(post_logout_redirect_uri=url_for("accounts.login", _external=True),
                                      id_token_hint=id_token or None, client_id=client.client_id)
    except (RequestException, AuthlibBaseError, ValueError):
        current_app.logger.exception("SSO: no RP-initiated logout; signed out here only")
        return None
