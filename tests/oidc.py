"""A real OpenID provider on loopback (oidc-provider-mock's Flask app, served in a thread) for the SSO tests.

The provider is wrapped so a test can play an attacker between the platform and the provider: answer the
token request as if the provider had another address (another issuer), or as if the code had been issued to
another service (another audience). Every token request is recorded, to check PKCE.
"""

from __future__ import annotations

import base64
import io
import os
import threading
import warnings
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
from werkzeug.serving import make_server

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback, for the provider and client


class Provider:
    """One running provider: its issuer URL, its users, and the hooks described above."""

    def __init__(self, wsgi_app):
        self._app = wsgi_app
        self.url = ""
        self.token_requests: list[dict[str, list[str]]] = []
        self.token_host: str | None = None
        self.token_client: str | None = None

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            self.token_requests.append(parse_qs(body.decode()))
            if self.token_host:
                environ["HTTP_HOST"] = self.token_host
            if self.token_client:
                environ["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(
                    f"{self.token_client}:secret".encode()).decode()
        return self._app(environ, start_response)

    def reset(self) -> None:
        """Forget the hooks and recorded requests of the previous test."""
        self.token_requests.clear()
        self.token_host = self.token_client = None

    def set_user(self, sub: str, **claims) -> None:
        """Create or replace the person `sub` with these claims (email, name, employee_id, ...)."""
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def authorize(self, authorize_url: str, sub: str, **changed_params) -> str:
        """Sign in at the provider as `sub` (optionally after changing the request's parameters); returns the
        URL the provider sends the browser back to."""
        if changed_params:
            parts = urlsplit(authorize_url)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changed_params
            authorize_url = urlunsplit(parts._replace(query=urlencode(query)))
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


@contextmanager
def running_provider(token_max_age: timedelta = timedelta(hours=1)):
    """A provider that requires a nonce, served on localhost at a free port until the block ends."""
    with warnings.catch_warnings():  # the provider (not the platform) still imports authlib.jose
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock

    provider = Provider(oidc_provider_mock.app(require_nonce=True, access_token_max_age=token_max_age))
    server = make_server("localhost", 0, provider, threaded=True)
    provider.url = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def sso_settings(provider: Provider, **extra) -> dict:
    """App settings that make `provider` the city's identity provider."""
    return {"OIDC_ISSUER": provider.url, "OIDC_CLIENT_ID": "larplattform", "OIDC_CLIENT_SECRET": "hemligt",
            "OIDC_EMPLOYEE_ID_CLAIM": "employee_id", **extra}


def path_of(url: str) -> str:
    """The path and query of an absolute URL, as the test client takes them."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")
