"""A small, realistic city for the page sweep: every role, a staff list, 13 months of completions, sessions,
survey answers, a group viewing, an assignment rule, an API key and frozen council snapshots (the course's and the programme's).

Everything is dated relative to today, so the default periods of every page have data in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from learning.accounts.models import User
from learning.api import services as api_services
from learning.council import figures as council_figures
from learning.council import services as council
from learning.programme import figures as programme_figures
from learning.content.services import published_course
from learning.extensions import db
from learning.groups.models import GroupViewing, GroupViewingCount
from learning.learn.models import CourseCompletion, QuizAttempt
from learning.learn.services import new_verification_code
from learning.periods import parse_period
from learning.sessions.models import LiveSession, SessionAttendee, SessionCount, UnmatchedRow
from learning.staff.models import StaffMember
from learning.survey import results
from learning.survey.models import SurveyAnswer
from learning.timeutil import stockholm_month, stockholm_today
from learning.visits.models import VisitDay
from tests.api_builders import as_role
from tests.assignment_builders import add_rule, import_list, row
from tests.helpers import login, make_user, take_quiz
from tests.survey_builders import completed_learner, org_id, released_response

ROLES = {  # role -> the account that signs in as it
    "learner": "lena.larsson@malmo.se",
    "chef": "p1@malmo.se",
    "hr": "hanna.hr@malmo.se",
    "coordinator": "sam.samordnare@malmo.se",
    "editor": "rut.redaktor@malmo.se",
    "admin": "ada.admin@malmo.se",
}


@dataclass
class City:
    """What the sweep needs to fill in the URL map's arguments."""

    values: dict[str, str] = field(default_factory=dict)


def months_back(today: date, n: int) -> datetime:
    """Mid-month, n months before today's month, in UTC."""
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 12, 10, tzinfo=timezone.utc)


def seed_city(app) -> City:
    """Write the city; returns the sample values for URL arguments."""
    today = stockholm_today()
    make_user(app, ROLES["learner"], name="Lena Larsson", organisation="fsk")
    make_user(app, ROLES["chef"], name="Person 1", organisation="fsk", org_role="chef")
    for role in ("hr", "coordinator", "editor", "admin"):
        make_user(app, ROLES[role], name=ROLES[role].split("@")[0].replace(".", " ").title(), role=role)
    as_role(app, ROLES["hr"], "hr", ["fsk", "gsf"])
    units = ["Förskola Norr", "Förskola Syd med ett långt namn på enheten", "Fritidsgård Väster"]
    staff = [row("1", "fsk", units[0], "chef")]
    staff += [row(str(n), ["fsk", "gsf", "kul"][n % 3], units[n % 3]) for n in range(2, 40)]
    with app.app_context():
        import_list(staff, today - timedelta(days=400))
        add_rule(today - timedelta(days=60), organisations=["fsk"], within_days=30)
    # Completions over 13 months, in three förvaltningar, with a long-named person among them.
    for n in range(13):
        for k in range(1 + n % 4):
            completed_learner(app, f"klar{n}-{k}@malmo.se", ["fsk", "gsf", "kul"][k % 3], months_back(today, n),
                              name=f"Klar{n} Avslutadsson-Långnamnsdotter {k}")
    for n in range(3, 12):
        make_user(app, f"p{n}@malmo.se", name=f"Person {n}", organisation="fsk")
    values: dict[str, str] = {"course_slug": "grundkurs", "organisation_code": "fsk", "unit": units[0],
                              "number": "1"}
    with app.app_context():
        course = published_course("grundkurs")
        values["part_slug"] = course.parts[0].slug
        values["file_id"] = str(course.parts[0].file_id)
        # Person 1, the chef, completed (their unit has people in both states) and may answer the survey.
        user = db.session.scalar(select(User).filter_by(email=ROLES["chef"]))
        values["code"] = new_verification_code()
        db.session.add(CourseCompletion(user_id=user.id, course_id=course.id, organisation_id=org_id("fsk"),
                                        org_role="chef", name=user.name, verification_code=values["code"],
                                        completed_at=months_back(today, 1)))
        sessions = [LiveSession(kind=kind, mode="digital", title=title, held_on=today - timedelta(days=20 + n),
                                organiser="Resursteam heder", targets=[])
                    for n, (kind, title) in enumerate([("grundutbildning", "Grundutbildning för chefer i förskolan"),
                                                       ("workshop", "Workshop")])]
        db.session.add_all(sessions)
        db.session.flush()
        for session in sessions:
            db.session.add(SessionCount(session_id=session.id, organisation_id=org_id("gsf"), attendees=23))
        for n in range(3, 9):
            user = db.session.scalar(select(User).filter_by(email=f"p{n}@malmo.se"))
            db.session.add(SessionAttendee(session_id=sessions[0].id, person_key=user.email, name=user.name,
                                           email=user.email, user_id=user.id, organisation_id=user.organisation_id,
                                           source="matchad"))
        db.session.add(UnmatchedRow(session_id=sessions[0].id, person_key="okand.person@extern.example",
                                    name="Okänd Person", email="okand.person@extern.example"))
        values["session_id"] = str(sessions[0].id)
        learner = db.session.scalar(select(User).filter_by(email=ROLES["learner"]))
        group = GroupViewing(user_id=learner.id, course_id=course.id, viewed_on=today - timedelta(days=3),
                             women=3, men=2)
        group.counts.append(GroupViewingCount(organisation_id=org_id("fsk"), people=5))
        db.session.add(group)
        db.session.flush()
        values["group_id"] = str(group.id)
        db.session.add_all(VisitDay(day=today - timedelta(days=d), course_id=course.id, visits=40 + d,
                                    unique_visitors=30 + d) for d in range(1, 60))
        values["user_id"] = str(learner.id)
        db.session.commit()
    month = stockholm_month()
    for n in range(12):
        released_response(app, ["fsk", "gsf"][n % 2], {"nojd": 3 + n % 3, "anvandning": 2 + n % 4},
                          texts={"behov": "Mer om hur man pratar med föräldrar"} if n < 6 else None, month=month)
    client = app.test_client()
    login(client, ROLES["learner"])
    take_quiz(client, app, values["part_slug"], wrong=2)
    with app.app_context():
        values["attempt_id"] = str(db.session.scalar(select(QuizAttempt.id).order_by(QuizAttempt.id.desc())))
        theme = results.add_theme(course.id, "Samtal med föräldrar")
        for answer_id in db.session.scalars(select(SurveyAnswer.id).where(SurveyAnswer.text.is_not(None)).limit(3)):
            results.set_themes(course.id, answer_id, [theme.id])
        coordinator = db.session.scalar(select(User).filter_by(email=ROLES["coordinator"]))
        api_services.create_token(coordinator, "Uppföljning till nämnden")
        period = parse_period(None, None, month)
        course = published_course("grundkurs")
        values["snapshot"] = str(council.freeze(course.id, period, council_figures.compute(course, period, today),
                                                coordinator).id)
        values["programme_snapshot"] = str(council.freeze(None, period, programme_figures.compute(period, today),
                                                          coordinator).id)
        assert db.session.scalar(select(StaffMember.id).where(StaffMember.user_id.is_not(None))) is not None
    return City(values)
