"""The JSON API under /api/v1/ (bearer tokens only) and the token pages under /api-nycklar."""

from __future__ import annotations

import json

from flask import (Blueprint, Response, abort, flash, g, redirect, render_template, request,
                   url_for)
from flask_login import current_user

from learning.access import role_required
from learning.api import openapi, services
from learning.assignments import report
from learning.api.forms import TokenForm
from learning.content.services import published_course, published_courses
from learning.extensions import csrf
from learning.council import figures as council_figures
from learning.periods import Period, PeriodError, current_half_year
from learning.programme import figures as programme_figures
from learning.reports import quiz
from learning.reports.services import dashboard
from learning.timeutil import stockholm_month, stockholm_today

bp = Blueprint("api", __name__, url_prefix="/api/v1")
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/api-nycklar")

# The API reads no cookies and changes nothing, so there is no cross-site request to forge.
csrf.exempt(bp)


def json_response(data, status: int = 200) -> Response:
    """JSON in UTF-8 (å, ä, ö as themselves), never cached: the figures depend on who asks."""
    response = Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response


def json_error(status: int, message: str) -> Response:
    """An error as {"error": message}; a 401 says how to authenticate."""
    response = json_response({"error": message}, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.before_request
def authenticate():
    """Every endpoint but the OpenAPI document needs a valid token whose user may see reports."""
    # Only the Authorization header counts: current_user (the session cookie) is never consulted here.
    if request.endpoint == "api.openapi_document":
        return None
    try:
        user = services.authenticate(request.headers.get("Authorization"))
        g.api_scope = services.scope_of(user)
    except services.ApiError as exc:
        return json_error(exc.status, exc.message)
    return None


@bp.errorhandler(services.ApiError)
def api_error(exc: services.ApiError):
    return json_error(exc.status, exc.message)


@bp.errorhandler(PeriodError)
def period_error(exc: PeriodError):
    return json_error(400, str(exc))


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.0 description of this API; public, like any API documentation."""
    return json_response(openapi.document())


def _only(*names: str) -> None:
    """Refuse unknown and repeated parameters: a typo such as "från" must not silently give other figures."""
    for name in request.args:
        if name not in names:
            allowed = ", ".join(names) if names else "inga"
            raise services.ApiError(400, f"Okänd parameter ”{name[:40]}”. Tillåtna parametrar: {allowed}.")
        if len(request.args.getlist(name)) > 1:
            raise services.ApiError(400, f"Parametern {name} får bara anges en gång.")


@bp.get("/courses")
def courses():
    """The published courses."""
    _only()
    return json_response({"courses": [{"slug": c.slug, "title": c.title} for c in published_courses()]})


def _board(slug: str):
    _only("fran", "till", "forvaltning")
    course = published_course(slug)
    if course is None:
        raise services.ApiError(404, "Kursen finns inte.")
    scope, organisation = services.narrow_scope(g.api_scope, request.args.get("forvaltning"))
    period = services.period(request.args.get("fran"), request.args.get("till"))
    return course, dashboard(course, scope, period), organisation


@bp.get("/courses/<slug>/participation")
def participation(slug: str):
    """Totals, passed per part, completions per role, gender and month."""
    return json_response(services.participation(*_board(slug)))


@bp.get("/courses/<slug>/completion")
def completion(slug: str):
    """Figures per förvaltning and in total."""
    return json_response(services.completion(*_board(slug)))


@bp.get("/courses/<slug>/assignments")
def assignments(slug: str):
    """Today's assignments per förvaltning and unit, as on /tilldelningar/rapport."""
    _only("forvaltning")
    course = published_course(slug)
    if course is None:
        raise services.ApiError(404, "Kursen finns inte.")
    scope, _organisation = services.narrow_scope(g.api_scope, request.args.get("forvaltning"))
    return json_response(report.as_json(report.report(course, scope, stockholm_today())))


@bp.get("/courses/<slug>/quiz")
def quiz_analysis(slug: str):
    """Quiz analysis per part and question, for coordinators (the whole city)."""
    _only()
    if g.api_scope is not None:
        raise services.ApiError(403, "Analysen av kunskapstesten är till för samordnare.")
    course = published_course(slug)
    if course is None:
        raise services.ApiError(404, "Kursen finns inte.")
    return json_response(services.quiz(course, quiz.analysis(course)))


def _council_period() -> Period:
    """The period asked for (strict YYYY-MM), by default the current half-year as on the report's page."""
    if g.api_scope is not None:
        raise services.ApiError(403, "Återrapporten är till för samordnare.")
    _only("fran", "till")
    default = current_half_year(stockholm_month())
    return services.period(request.args.get("fran"), request.args.get("till"), default)


@bp.get("/council")
def programme_council():
    """The programme's council report: every course, session and group viewing, each known person once."""
    return json_response(programme_figures.compute(_council_period(), stockholm_today()))


@bp.get("/courses/<slug>/council")
def course_council(slug: str):
    """One course's council report, as on /rapporter/<kurs>/aterrapport."""
    period = _council_period()
    course = published_course(slug)
    if course is None:
        raise services.ApiError(404, "Kursen finns inte.")
    return json_response(council_figures.compute(course, period, stockholm_today()))


coordinator_required = role_required("coordinator")


@tokens_bp.route("/", methods=["GET", "POST"])
@coordinator_required
def index():
    """The user's own tokens, and a form to create one; the secret is shown once, on the next page."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = services.create_token(current_user, form.token_name.data)
        except services.TokenError as exc:
            form.token_name.errors.append(str(exc))
        else:
            response = Response(render_template("api/created.html", token=token, secret=secret))
            response.headers["Cache-Control"] = "no-store"  # the secret must not stay in a cache
            return response
    return render_template("api/tokens.html", form=form,
                           tokens=services.tokens_of(current_user.id)), 400 if form.errors else 200


@tokens_bp.post("/<int:token_id>/aterkalla")
@coordinator_required
def revoke(token_id: int):
    """Revoke one of the user's own tokens (CSRF-checked like every form)."""
    token = services.revoke_token(current_user.id, token_id)
    if token is None:
        abort(404)
    flash(f"API-nyckeln ”{token.name}” är återkallad och fungerar inte längre.", "success")
    return redirect(url_for("api_tokens.index"))
