"""Everything stored about one learner, for the page and the GDPR export."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import or_, select

from learning.assignments.models import ReminderLog
from learning.assignments.status import STATUS_LABELS, for_learner
from learning.accounts.models import GENDERS, ORG_ROLES, PLATFORM_ROLES, Organisation, User
from learning.content.models import ContentFile, Course, Revision
from learning.content.services import published_course, revision_document
from learning.editor.models import Draft
from learning.extensions import db
from learning.groups.models import GroupViewing
from learning.learn.layout import from_json
from learning.learn.services import COMPLETION_COUNTS, grade
from learning.learn.models import CourseCompletion, CourseStart, PartCompletion, PartView, QuizAttempt
from learning.sessions.models import LiveSession, SessionAttendee
from learning.staff.models import StaffMember
from learning.timeutil import local, stockholm_today


def _iso(value) -> str | None:
    # In Stockholm time with its offset, whatever the database handed back.
    return local(value).isoformat() if value is not None else None


def _readable_answers(attempt: QuizAttempt) -> list[dict]:
    # The questions drawn for this attempt, options in the order the learner saw them.
    doc = revision_document(attempt.revision_id)
    layout = from_json(attempt.layout, doc)
    correct = grade(doc, attempt.answers, layout.questions).correct
    return [
        {
            "fråga": q.text,
            "alternativ_i_visad_ordning": [Markup(o.html).striptags() for o in options],
            "valda_svar": [Markup(o.html).striptags() for o in options if o.id in attempt.answers.get(q.id, [])],
            "rätt": correct[q.id],
        }
        for q, options in layout.shown(doc)
    ]


def assignment_data(user: User, course_names: dict[int, str]) -> dict:
    """The courses assigned to the learner through the staff list, and the reminders mailed to them."""
    assigned = for_learner(user.id, stockholm_today())
    mailed = select(ReminderLog).where(or_(
        ReminderLog.recipient == user.email,
        ReminderLog.staff_id.in_(select(StaffMember.id).where(StaffMember.user_id == user.id)))).order_by(ReminderLog.id)
    return {
        "tilldelade_kurser": [{"kurs": course_names.get(a.course_id), "klar_senast": a.due_on.isoformat(),
                               "status": STATUS_LABELS[a.status]} for a in assigned],
        "påminnelser": [{"till": r.recipient, "tidpunkt": _iso(r.claimed_at), "utfall": r.status}
                        for r in db.session.scalars(mailed)],
    }


def personal_data(user: User) -> dict:
    """All rows that concern this learner, in plain terms, as GDPR's right of access asks."""
    file_names = dict(db.session.execute(
        select(ContentFile.id, Course.slug + "/" + ContentFile.filename)
        .join(Course, Course.id == ContentFile.course_id)
    ).all())
    revision_numbers = dict(db.session.execute(select(Revision.id, Revision.number)).all())
    organisation_names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
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
            # räknas: false when an editor has since changed the quiz and it must be retaken.
            {"del": file_names.get(c.content_file_id), "version": revision_numbers.get(c.revision_id),
             "datum": _iso(c.completed_at), "räknas": bool(counts)}
            for c, counts in db.session.execute(select(PartCompletion, COMPLETION_COUNTS)
                                                .where(PartCompletion.user_id == user.id).order_by(PartCompletion.id))
        ],
        "gruppvisningar": [
            {"kurs": course_names.get(g.course_id), "datum": g.viewed_on.isoformat(),
             "andra_deltagare": {organisation_names.get(c.organisation_id): c.people for c in g.counts},
             "varav_kvinnor": g.women, "varav_män": g.men, "namn": g.names, "registrerad": _iso(g.created_at)}
            for g in db.session.scalars(select(GroupViewing).filter_by(user_id=user.id).order_by(GroupViewing.id))
        ],
        "tillfällen": [
            {"tillfälle": s.title, "datum": s.held_on.isoformat(), "namn_i_listan": a.name, "e-post": a.email,
             "förvaltning": organisation_names.get(a.organisation_id)}
            for a, s in db.session.execute(
                select(SessionAttendee, LiveSession).join(LiveSession, LiveSession.id == SessionAttendee.session_id)
                .where(or_(SessionAttendee.user_id == user.id, SessionAttendee.email == user.email))
                .order_by(LiveSession.held_on, SessionAttendee.id)).all()
        ],
        "utkast": [
            {"fil": file_names.get(d.content_file_id), "sparat": _iso(d.updated_at), "text": d.markdown}
            for d in db.session.scalars(select(Draft).filter_by(user_id=user.id).order_by(Draft.id))
        ],
        "intyg": [
            {"kurs": course_names.get(c.course_id), "namn_på_intyget": c.name,
             "verifieringskod": c.verification_code, "datum": _iso(c.completed_at)}
            for c in db.session.scalars(select(CourseCompletion).filter_by(user_id=user.id))
        ],
        **assignment_data(user, course_names),
    }
