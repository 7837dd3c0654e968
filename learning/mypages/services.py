"""Everything stored about one learner, for the page and the GDPR export."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select

from learning.accounts.models import GENDERS, ORG_ROLES, PLATFORM_ROLES, User
from learning.content.models import ContentFile, Course, Revision
from learning.content.services import published_course, revision_document
from learning.extensions import db
from learning.learn.services import grade
from learning.timeutil import local
from learning.learn.models import CourseCompletion, CourseStart, PartCompletion, PartView, QuizAttempt


def _iso(value) -> str | None:
    # In Stockholm time with its offset, whatever the database handed back.
    return local(value).isoformat() if value is not None else None


def _readable_answers(attempt: QuizAttempt) -> list[dict]:
    doc = revision_document(attempt.revision_id)
    correct = grade(doc, attempt.answers).correct
    return [
        {
            "fråga": q.text,
            "valda_svar": [Markup(o.html).striptags() for o in q.options if o.id in attempt.answers.get(q.id, [])],
            "rätt": correct[q.id],
        }
        for q in doc.questions
    ]


def personal_data(user: User) -> dict:
    """All rows that concern this learner, in plain terms, as GDPR's right of access asks."""
    file_names = dict(db.session.execute(
        select(ContentFile.id, Course.slug + "/" + ContentFile.filename)
        .join(Course, Course.id == ContentFile.course_id)
    ).all())
    revision_numbers = dict(db.session.execute(select(Revision.id, Revision.number)).all())
    course_names = {}
    for course_id, slug in db.session.execute(select(Course.id, Course.slug)).all():
        published = published_course(slug)
        course_names[course_id] = published.title if published else slug
    return {
        "konto": {
            "namn": user.name,
            "e-post": user.email,
            "förvaltning": user.organisation.name if user.organisation else None,
            "roll_i_organisationen": ORG_ROLES.get(user.org_role),
            "kön": GENDERS.get(user.gender) if user.gender else None,
            "behörighet": PLATFORM_ROLES.get(user.role),
            "hr_förvaltningar": [s.organisation.name for s in user.hr_scopes],
            "skapat": _iso(user.created_at),
        },
        "påbörjade_kurser": [
            {"kurs": course_names.get(s.course_id), "påbörjad": _iso(s.started_at)}
            for s in db.session.scalars(select(CourseStart).filter_by(user_id=user.id).order_by(CourseStart.id))
        ],
        "öppnade_delar": [
            {"del": file_names.get(v.content_file_id), "första_gången": _iso(v.first_viewed_at)}
            for v in db.session.scalars(select(PartView).filter_by(user_id=user.id).order_by(PartView.id))
        ],
        "kunskapstest": [
            {
                "del": file_names.get(a.content_file_id), "version": revision_numbers.get(a.revision_id),
                "tidpunkt": _iso(a.created_at), "rätt": a.correct_count, "antal_frågor": a.question_count,
                "resultat_procent": a.score, "godkänt": a.passed, "svar": _readable_answers(a),
            }
            for a in db.session.scalars(select(QuizAttempt).filter_by(user_id=user.id).order_by(QuizAttempt.id))
        ],
        "godkända_delar": [
            {"del": file_names.get(c.content_file_id), "version": revision_numbers.get(c.revision_id),
             "datum": _iso(c.completed_at)}
            for c in db.session.scalars(select(PartCompletion).filter_by(user_id=user.id).order_by(PartCompletion.id))
        ],
        "intyg": [
            {"kurs": course_names.get(c.course_id), "namn_på_intyget": c.name,
             "verifieringskod": c.verification_code, "datum": _iso(c.completed_at)}
            for c in db.session.scalars(select(CourseCompletion).filter_by(user_id=user.id))
        ],
    }
