"""The printable certificate and the public verification page."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learning.renewals.services import standing, valid_until
from learning.certificates import services
from learning.content.services import published_course
from learning.extensions import limiter
from learning.learn.services import heal_course_completion, progress
from learning.survey import services as survey
from learning.timeutil import stockholm_today

bp = Blueprint("certificates", __name__)


@bp.get("/kurs/<course_slug>/intyg")
@login_required
def mine(course_slug: str):
    """The learner's certificate, once every required part is passed."""
    course = published_course(course_slug)
    if course is None:
        abort(404)
    current = heal_course_completion(current_user, course, progress(current_user, course))
    latest = standing(current_user.id, course.id, course.valid_for_months) if current.completion_id else None
    if latest is None:
        return render_template("certificates/not_yet.html", course=course, progress=current), 403
    completion = latest.record  # the latest round's certificate (a renewal's, once renewed)
    verify_url = url_for("certificates.verify", code=completion.verification_code, _external=True)
    return render_template("certificates/certificate.html", course=course, completion=completion,
                           verify_url=verify_url, survey=survey.status(current_user, course),
                           valid_until=latest.valid_until, expired=latest.expired(stockholm_today()))


@bp.get("/intyg/")
@limiter.limit("60 per minute")
def lookup():
    """A form where anyone can type a verification code."""
    code = request.args.get("kod", "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=code))
    return render_template("certificates/lookup.html")


@bp.get("/intyg/<code>")
@limiter.limit("60 per minute")
def verify(code: str):
    """Public: is this a real certificate, and whose?"""
    certificate = services.verify(code)
    course = published_course(certificate.course_slug) if certificate else None
    status = 200 if certificate else 404
    until = valid_until(certificate.completed_at, course.valid_for_months) if certificate and course else None
    return render_template("certificates/verify.html", certificate=certificate, course=course, code=code,
                           valid_until=until, expired=until is not None and stockholm_today() >= until), status
