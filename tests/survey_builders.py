"""Builders for survey tests: completions and released responses written straight to the database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from learning.accounts.models import Organisation, User
from learning.content.services import published_course
from learning.extensions import db
from learning.learn.models import CourseCompletion
from learning.learn.services import new_verification_code
from learning.survey import services
from learning.survey.models import SurveyAnswer, SurveyResponse
from tests.helpers import csrf_token, login, make_user


def org_id(code: str) -> int:
    """The database id of a förvaltning."""
    return db.session.scalar(select(Organisation.id).filter_by(code=code))


def completed_learner(app, email: str, organisation: str = "fsk", when: datetime | None = None, **kw) -> int:
    """A learner who has completed the base course (at `when`, UTC); returns the user id."""
    user_id = make_user(app, email, organisation=organisation, **kw)
    when = when or datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    with app.app_context():
        course = published_course("grundkurs")
        db.session.get(User, user_id).created_at = when - timedelta(days=1)  # signed up, then completed
        db.session.add(CourseCompletion(
            user_id=user_id, course_id=course.id, organisation_id=org_id(organisation), name=email,
            org_role=kw.get("org_role", "medarbetare"), verification_code=new_verification_code(),
            completed_at=when))
        db.session.commit()
    return user_id


def answered(app, email: str, nojd: int, anvandning: int, organisation: str = "fsk", **kw) -> None:
    """A learner who completed the course answers the survey through its page (the pool's month as it is)."""
    completed_learner(app, email, organisation, **kw)
    client = app.test_client()
    login(client, email)
    ids = item_ids(app)
    data = {"csrf_token": csrf_token(client, "/kurs/grundkurs/utvardering"),
            f"item-{ids['nojd']}": str(nojd), f"item-{ids['anvandning']}": str(anvandning)}
    assert client.post("/kurs/grundkurs/utvardering", data=data).status_code == 302


def item_ids(app) -> dict[str, int]:
    """Survey item ids by key for the base course."""
    with app.app_context():
        course = published_course("grundkurs")
        items = services.questions(course)
        return {definition.key: item.id for definition, item in zip(course.survey, items)}


def released_response(app, organisation: str, scores: dict[str, int], texts: dict[str, str] | None = None,
                      month: str = "2026-03", org_role: str = "medarbetare", gender: str | None = None) -> None:
    """An already released response, as the pool would write it."""
    ids = item_ids(app)
    with app.app_context():
        course = published_course("grundkurs")
        response = SurveyResponse(course_id=course.id, month=month, organisation_id=org_id(organisation),
                                  org_role=org_role, gender=gender)
        for key, score in scores.items():
            response.answers.append(SurveyAnswer(item_id=ids[key], score=score))
        for key, text in (texts or {}).items():
            response.answers.append(SurveyAnswer(item_id=ids[key], text=text))
        db.session.add(response)
        db.session.commit()
