"""Everything stored about one learner, for the page and the GDPR export."""

from __future__ import annotations

from sqlalchemy import select

from learning.accounts.models import GENDERS, ORG_ROLES, PLATFORM_ROLES, User
from learning.content.models import ContentFile, Course, Revision
from learning.extensions import db
from learning.learn.models import CourseCompletion, PartCompletion, PartView, QuizAttempt


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(user: User) -> dict:
    """All rows that concern this learner, in plain terms, as GDPR's right of access asks."""
    file_names = dict(db.session.execute(
        select(ContentFile.id, Course.slug + "/" + ContentFile.filename)
        .join(Course, Course.id == ContentFile.course_id)
    ).all())
    revision_numbers = dict(db.session.execute(select(Revision.id, Revision.number)).all())
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
        "öppnade_delar": [
            {"del": file_names.get(v.content_file_id), "första_gången": _iso(v.first_viewed_at)}
            for v in db.session.scalars(select(PartView).filter_by(user_id=user.id).order_by(PartView.id))
        ],
        "kunskapstest": [
            {
                "del": file_names.get(a.content_file_id), "version": revision_numbers.get(a.revision_id),
                "tidpunkt": _iso(a.created_at), "rätt": a.correct_count, "antal_frågor": a.question_count,
                "resultat_procent": a.score, "godkänt": a.passed, "valda_svar": a.answers,
            }
            for a in db.session.scalars(select(QuizAttempt).filter_by(user_id=user.id).order_by(QuizAttempt.id))
        ],
        "godkända_delar": [
            {"del": file_names.get(c.content_file_id), "version": revision_numbers.get(c.revision_id),
             "datum": _iso(c.completed_at)}
            for c in db.session.scalars(select(PartCompletion).filter_by(user_id=user.id).order_by(PartCompletion.id))
        ],
        "intyg": [
            {"kurs_id": c.course_id, "verifieringskod": c.verification_code, "datum": _iso(c.completed_at)}
            for c in db.session.scalars(select(CourseCompletion).filter_by(user_id=user.id))
        ],
    }
