"""The seed scenario of the council report (shared/seeds/000_*), written straight to the database.

83 completed the web course in March 2026 (fsk 50, gsf 33; 70 women, 10 men, 3 unknown).
Ten grundutbildning sessions of the course: 1,800 attendees = 50 named (20 of the web completers and 30 from kul with accounts:
24 women, 6 men) + 1,750 counted (fsk 100 and gsf 75 per session). Two workshops of no course (the programme report only): 392 counted (fsk 200, gsf 192).
One group viewing of 4 (fsk; 3 women, 1 man). 748 unique start-page visitors in March.
25 survey answers (30.1 % of 83): "nöjd" 7 x 5 + 18 x 4 = 4.28; "användning" all 4 = 4.00; one theme on 6 answers.
Programme report: 113 known + 4 + 1,750 + 392 = 2,259 people (20 fewer than the 2,279 of the sources added up);
per förvaltning fsk 50 + 4 + 1,000 + 200 = 1,254; gsf 33 + 750 + 192 = 975; kul 30.
The course's report, without the workshops: 113 + 4 + 1,750 = 1,867 (sources 1,887); fsk 1,054, gsf 783, kul 30;
women 97, men 17, unknown 3 + 1,750 = 1,753 (94 % of 1,867).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from learning.accounts.models import User
from learning.content.services import published_course
from learning.extensions import db
from learning.groups.models import GroupViewing, GroupViewingCount
from learning.learn.models import CourseCompletion
from learning.sessions.models import LiveSession, SessionAttendee, SessionCount
from learning.survey import results
from learning.survey.models import SurveyAnswer
from learning.visits.models import VisitDay
from tests.survey_builders import org_id, released_response

MARCH = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)


def _account(email: str, organisation: str, gender: str | None) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash="x", organisation_id=org_id(organisation),
                gender=gender, created_at=MARCH)
    db.session.add(user)
    return user


def cells(page: str, label: str) -> list[str]:
    """The data cells of the table row headed by label."""
    row = page.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def completion(user: User, course_id: int, when: datetime = MARCH) -> None:
    """A course completion for an account, at `when`."""
    db.session.flush()
    db.session.add(CourseCompletion(user_id=user.id, course_id=course_id, organisation_id=user.organisation_id,
                                    org_role="medarbetare", name=user.name, verification_code=f"K{course_id:02d}{user.id:07d}",
                                    completed_at=when))


def seed_scenario(app) -> None:
    """Write the scenario above."""
    with app.app_context():
        course_id = published_course("grundkurs").id
        genders = ["kvinna"] * 70 + ["man"] * 10 + [None] * 3
        completers = [_account(f"webb{n}@malmo.se", "fsk" if n < 50 else "gsf", genders[n]) for n in range(83)]
        for user in completers:
            completion(user, course_id)
        extra = [_account(f"kul{n}@malmo.se", "kul", "kvinna" if n < 24 else "man") for n in range(30)]
        db.session.flush()
        sessions = [LiveSession(kind="grundutbildning", course_id=course_id, mode="digital",
                                title=f"Grundutbildning {n + 1}",
                                held_on=date(2026, 3, n + 1), organiser="Resursteam heder", targets=[])
                    for n in range(10)]
        workshops = [LiveSession(kind="workshop", mode="pa_plats", title=f"Workshop {n + 1}",
                                 held_on=date(2026, 3, 20 + n), organiser="Resursteam heder", targets=[])
                     for n in range(2)]
        db.session.add_all(sessions + workshops)
        db.session.flush()
        for session in sessions:
            db.session.add(SessionCount(session_id=session.id, organisation_id=org_id("fsk"), attendees=100))
            db.session.add(SessionCount(session_id=session.id, organisation_id=org_id("gsf"), attendees=75))
        for user in completers[:20] + extra:
            db.session.add(SessionAttendee(session_id=sessions[0].id, person_key=user.email, name=user.name,
                                           email=user.email, user_id=user.id, organisation_id=user.organisation_id,
                                           source="matchad"))
        db.session.add(SessionCount(session_id=workshops[0].id, organisation_id=org_id("fsk"), attendees=200))
        db.session.add(SessionCount(session_id=workshops[1].id, organisation_id=org_id("gsf"), attendees=192))
        group = GroupViewing(user_id=completers[0].id, course_id=course_id, viewed_on=date(2026, 3, 12), women=3, men=1)
        group.counts.append(GroupViewingCount(organisation_id=org_id("fsk"), people=4))
        db.session.add(group)
        db.session.add_all(VisitDay(day=date(2026, 3, day), course_id=course_id, visits=40, unique_visitors=34)
                           for day in range(1, 23))
        db.session.commit()
    for n in range(25):
        released_response(app, "fsk" if n < 15 else "gsf", {"nojd": 5 if n < 7 else 4, "anvandning": 4},
                          texts={"behov": "Mer stöd från chefer"} if n < 6 else None)
    with app.app_context():
        theme = results.add_theme(course_id, "Stöd från chefer")
        for answer_id in db.session.scalars(select(SurveyAnswer.id).where(SurveyAnswer.text.is_not(None))):
            results.set_themes(course_id, answer_id, [theme.id])


def pdf_text(client, url: str, tmp_path) -> tuple[str, str]:
    """(pdfinfo's output, the text) of a report downloaded as PDF."""
    if shutil.which("pdfinfo") is None:
        reason = "pdfinfo (poppler-utils) is missing; `make test` installs it"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "aterrapport.pdf"
    path.write_bytes(response.get_data())
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return info, text
