"""Default settings; every key can be overridden by an environment variable prefixed LEARNING_."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Settings used unless the environment or the caller says otherwise."""

    COURSES_DIR = str(PROJECT_ROOT / "courses")
    ORGANISATIONS_FILE = str(Path(__file__).resolve().parent / "organisations" / "malmo.toml")
    ALLOWED_EMAIL_DOMAINS = ["malmo.se"]
    # Refuse to start when the course content on disk is broken (see content.checks).
    CHECK_CONTENT_ON_START = True

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Cookies: secure by default; plain-http local runs switch this off explicitly.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)

    # The CSRF token lives as long as the session: a learner reading a part for more than an hour
    # must not lose their quiz answers to an expired token.
    WTF_CSRF_TIME_LIMIT = None

    # Behind a reverse proxy, set to the number of proxies so client addresses (for throttling) are real.
    PROXY_FIX_X_FOR = 0
    # Largest image an editor may upload, in bytes.
    EDITOR_IMAGE_MAX_BYTES = 2_000_000
    # Largest request body of any kind (the staff list, 5 MB, is the largest upload): refused with 413
    # before it is read, instead of after the whole upload has been received.
    MAX_CONTENT_LENGTH = 8_000_000
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins (learning/throttle): free ones per (account, client address) and per client address
    # within the window, then a wait before each further try that doubles from the first to the longest.
    LOGIN_FREE_FAILURES_PER_ACCOUNT = 5
    LOGIN_FREE_FAILURES_PER_ADDRESS = 50
    LOGIN_FAILURE_WINDOW_SECONDS = 24 * 3600
    LOGIN_DELAY_FIRST_SECONDS = 15
    LOGIN_DELAY_MAX_SECONDS = 15 * 60
    # Behind TLS (a reverse proxy that terminates https): browsers are told to use https only (HSTS).
    BEHIND_TLS = False
    HSTS_MAX_AGE = 365 * 24 * 3600

    # Sign-in with the city's identity provider (OpenID Connect; Entra ID in Malmö), on when OIDC_ISSUER is set.
    # The provider's endpoints and keys come from OIDC_ISSUER + /.well-known/openid-configuration.
    OIDC_ISSUER = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_SCOPES = "openid profile email"
    # Claim names: the stable key to the person (Entra: "oid"), their address, name and employee id, and
    # optionally förvaltning (code or name) and role in the organisation when the staff list does not know them.
    OIDC_SUBJECT_CLAIM = "sub"
    OIDC_EMAIL_CLAIM = "email"
    OIDC_NAME_CLAIM = "name"
    OIDC_EMPLOYEE_ID_CLAIM = "employee_id"
    OIDC_ORGANISATION_CLAIM = ""
    OIDC_ORG_ROLE_CLAIM = ""
    # Clock skew allowed when checking the ID token's times, in seconds.
    OIDC_LEEWAY = 60
    # False with OIDC_ISSUER set: the identity provider is the only way in; local sign-in, sign-up and
    # password reset are gone.
    LOCAL_ACCOUNTS = True
    PASSWORD_MIN_LENGTH = 10
    # argon2-cffi's own defaults (RFC 9106 low-memory profile); tests lower them to save time.
    PASSWORD_HASH_PARAMS: dict = {}

    TIMEZONE = "Europe/Stockholm"
    # Start-page visits are held in memory this long and written together (learning/visits/buffer.py);
    # 0 writes each visit in its request.
    VISIT_BUFFER_SECONDS = 1.0

    # Outgoing mail (address confirmation, password reset). Empty MAIL_SERVER: messages are logged.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "Malmö stad lär <noreply@malmo.se>"
    # The platform's address as learners reach it: links in mails sent by commands (no request to take it from).
    PUBLIC_URL = "http://127.0.0.1:8000"
    # Reminders of assigned courses (flask send-reminders): days before the due date, and days after it;
    # a mail also goes out on the day. Each stage at most once per person, course and due date.
    REMINDER_DAYS_BEFORE = [7]
    REMINDER_DAYS_AFTER = [7, 30]
    # Refresher courses (valid_for_months): a new round opens this many days before a certificate runs out
    # (and never later than the first reminder before it), so that it can be renewed in time.
    RENEWAL_DAYS_BEFORE = 60
    CONFIRM_EMAIL_MAX_AGE = 3 * 24 * 3600
    RESET_PASSWORD_MAX_AGE = 3600


def database_url(instance_path: str) -> str:
    """The database URL from DATABASE_URL, defaulting to SQLite under the instance folder."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'learning.db'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Make plain postgres URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: str) -> str:
    """Read the secret key kept in the instance folder, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Created readable by the owner only, and exactly once even if two workers start together.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):  # the other worker may still be writing
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")
