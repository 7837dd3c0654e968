"""The learning platform: create_app builds it from short register_* helpers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from learning import config as settings
from learning import transactions as _transactions  # noqa: F401  (the SQLite begin hook)
from learning.extensions import csrf, db, limiter, login_manager, migrate
from learning.sso import views as sso
from learning.sso.services import needs_placement

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    """Build the app; config (for tests) overrides defaults and LEARNING_* environment variables."""
    app = Flask(
        __name__,
        template_folder=str(settings.PROJECT_ROOT / "templates"),
        static_folder=str(settings.PROJECT_ROOT / "static"),
        instance_path=str(settings.PROJECT_ROOT / "instance"),
    )
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(settings.Defaults)
    app.config.from_prefixed_env("LEARNING")
    if config:
        app.config.update(config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", settings.database_url(app.instance_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file cannot drop a connection the way a server can: no "SELECT 1" before every checkout.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret_key(app.instance_path)
    if app.config["PROXY_FIX_X_FOR"]:
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if app.config["CHECK_CONTENT_ON_START"]:
        refuse_broken_content(app)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_template_helpers(app)
    from learning import cli
    from learning.errors import handlers

    handlers.register(app)
    cli.register(app)
    return app


def refuse_broken_content(app: Flask) -> None:
    """Stop here rather than serve half a course."""
    from learning.content.checks import check_tree
    from learning.content.services import ContentInvalid

    errors = [p for p in check_tree(Path(app.config["COURSES_DIR"])) if p.problem.kind == "error"]
    if errors:
        raise ContentInvalid(errors)


def register_extensions(app: Flask) -> None:
    """Bind the extensions in learning.extensions to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    sso.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Logga in för att fortsätta."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from learning.accounts.models import User
    from learning.api import models as _api  # noqa: F401  (tables for migrations)
    from learning.contacts import models as _contacts  # noqa: F401
    from learning.assignments import models as _assignments  # noqa: F401
    from learning.content import models as _content  # noqa: F401
    from learning.council import models as _council  # noqa: F401
    from learning.editor import models as _editor  # noqa: F401
    from learning.groups import models as _groups  # noqa: F401
    from learning.learn import models as _learn  # noqa: F401
    from learning.renewals import models as _renewals  # noqa: F401
    from learning.reports import models as _reports  # noqa: F401
    from learning.sessions import models as _sessions  # noqa: F401
    from learning.staff import models as _staff  # noqa: F401
    from learning.survey import models as _survey  # noqa: F401
    from learning.visits import models as _visits  # noqa: F401

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or len(user_id) > 10:
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and secrets.compare_digest(user.session_token, token) else None


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature; a page's code is found by its URL."""
    from learning.accounts.views import bp as accounts_bp
    from learning.admin.views import bp as admin_bp
    from learning.api.views import bp as api_bp
    from learning.assignments.views import bp as assignments_bp
    from learning.api.views import tokens_bp as api_tokens_bp
    from learning.certificates.views import bp as certificates_bp
    from learning.contacts.views import bp as contacts_bp
    from learning.council.views import bp as council_bp
    from learning.editor.image_views import media_bp  # also adds the upload page to the editor blueprint
    from learning.editor.views import bp as editor_bp
    from learning.learn.views import bp as learn_bp
    from learning.mypages.views import bp as mypages_bp
    from learning.groups.views import bp as groups_bp
    from learning.ops.views import bp as ops_bp
    from learning.programme.views import bp as programme_bp
    from learning.reports.views import bp as reports_bp
    from learning.sessions.views import bp as sessions_bp
    from learning.staff.views import bp as staff_bp
    from learning.survey.views import bp as survey_bp

    for bp in (sso.bp, accounts_bp, learn_bp, certificates_bp, mypages_bp, admin_bp, survey_bp, reports_bp, staff_bp,
               api_bp, api_tokens_bp, editor_bp, media_bp, sessions_bp, groups_bp, council_bp, ops_bp, contacts_bp,
               assignments_bp, programme_bp):
        app.register_blueprint(bp)


class BoundedIntConverter(IntegerConverter):
    """Integers in URLs that fit the database's integer column; larger ones are simply not found."""

    def __init__(self, url_map, fixed_digits=0, min=0, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_hooks(app: Flask) -> None:
    """Input hygiene, security headers, forced password change."""

    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL cannot store NUL in text; nobody types one on purpose.
        values = [request.path, *request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400)

    @app.before_request
    def force_password_change():
        # The API and the load balancer's probes know nobody by their session cookie; looking at
        # current_user would load it.
        if request.blueprint in ("api", "ops"):
            return None
        allowed = {"accounts.change_password", "accounts.logout", "static", "sso.placement"}
        if not current_user.is_authenticated or request.endpoint in allowed:
            return None
        if current_user.must_change_password:
            return redirect(url_for("accounts.change_password"))
        if needs_placement(current_user):  # the one question an account from the identity provider may get
            return redirect(url_for("sso.placement", next=request.full_path.rstrip("?")))
        return None

    # Signing out after an SSO sign-in is a form whose answer redirects to the identity provider.
    form_action = " ".join(["'self'", *filter(None, [_origin(app.config["OIDC_ISSUER"])])])

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action {form_action}",
        )
        if request.endpoint != "static":
            # Pages carry names, answers and figures about people: no browser or proxy keeps a copy.
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config["BEHIND_TLS"]:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={int(app.config['HSTS_MAX_AGE'])}")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and a writer work at once; SQLite leaves foreign keys off unless asked.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # The sqlite3 module's implicit transactions break savepoints and start writes late; every
        # transaction is begun explicitly instead (learning/transactions.py).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A writer waits at most a second for the lock; write_transaction then tries again.
        cursor.execute("PRAGMA busy_timeout=1000")
        # In WAL mode NORMAL never corrupts the database and survives a killed process; a power cut can
        # lose the last commits (FULL syncs every commit, at a cost of about 1 ms each; README).
        cursor.execute(f"PRAGMA synchronous={_sqlite_synchronous()}")
        # Reports read tens of thousands of index entries: a 64 MB page cache per connection (default 2 MB)
        # and memory-mapped reads keep them from going back to the file system (bench/README.md).
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()
        # SQLite's own lower() only folds ASCII; searches must find "Åsa" from "åsa".
        dbapi_connection.create_function("lower", 1, lambda v: v.lower() if isinstance(v, str) else v,
                                         deterministic=True)


def _sqlite_synchronous() -> str:
    value = os.environ.get("LEARNING_SQLITE_SYNCHRONOUS", "NORMAL").upper()
    return value if value in {"NORMAL", "FULL", "EXTRA"} else "NORMAL"


def register_template_helpers(app: Flask) -> None:
    """Swedish date filters, the contact filler, the menu and the form error helpers for templates."""
    from learning import formerrors, navigation
    from learning.contacts.views import fill_contacts
    from learning.timeutil import format_date, format_datetime
    from learning.words import antal

    navigation.register(app)
    app.jinja_env.filters["antal"] = antal
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["datum"] = format_date
    app.jinja_env.filters["datumtid"] = format_datetime
    app.jinja_env.filters["kontakter"] = fill_contacts
    formerrors.register(app)
