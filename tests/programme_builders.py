"""A programme of two courses on top of the council seed scenario (tests/council_builders.py).

The fördjupning course is created and published through the editor's own services; it requires the
grundkurs. Twelve completed it in March 2026: webb0–webb7 (fsk, who also completed the grundkurs) and
ny0–ny3 (gsf, new). One fördjupning session, registered through the sessions page without a course
(so it gets the default of its kind, the only fördjupning course): webb0–webb2 and kul0–kul2 named,
10 from gsf as a count.

Programme: known 83 + 30 + 4 = 117, group 4, counted 1,750 + 392 + 10 = 2,152: total 2,273.
Courses: grundkurs 1,867; fördjupning known 15 (8 + 4 + 3) + 10 = 25; workshops (no course) 392.
1,867 + 25 + 392 = 2,284: 11 known people (webb0–7, kul0–2) count in two, so 2,273.
Split: grundutbildningen 1,867; fördjupningar och workshoppar 15 + 10 + 392 = 417; both 11.
Sources: 83 + 4 + 12 + 0 + 1,800 + 392 + 16 = 2,307 (34 more than the total).
Per förvaltning: fsk 1,254; gsf 37 + 750 + 192 + 10 = 989; kul 30.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from learning.accounts.models import User
from learning.content.services import published_course
from learning.editor import courses as editor_courses
from learning.editor import services as editor
from learning.extensions import db
from learning.sessions.models import LiveSession, SessionAttendee
from tests.council_builders import MARCH, completion, seed_scenario
from tests.helpers import COURSES, csrf_token, make_user
from tests.survey_builders import org_id


def publish_fordjupning(app, editor_email: str = "redaktor@malmo.se") -> int:
    """Create the fördjupning course in the editor and publish its course file; its course id."""
    make_user(app, editor_email, role="editor")
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=editor_email))
        file = editor_courses.create_course("fordjupning", "Fördjupning om heder", user)
        part = editor_courses.create_part(file.course_id, "del-1", user)
        # A part must be live before the course file; the grundkurs's first part, without its contact texts.
        text = re.sub(r"^.*\{\{kontakt:[a-z0-9-]+\}\}.*\n", "", (COURSES / "grundkurs" / "del-1.md").read_text(
            encoding="utf-8"), flags=re.MULTILINE)
        editor.publish(editor.editable_file(part.id), user, text, None, "Första delen")
        text = editor.draft(file.id, user).markdown.replace("# requires: grundkurs", "requires: grundkurs")
        editor.publish(editor.editable_file(file.id), user, text, None, "Första versionen")
        return published_course("fordjupning").id


def seed_programme(app, coordinator) -> int:
    """The scenario above; the coordinator's client registers the session. The fördjupning course id."""
    seed_scenario(app)
    course_id = publish_fordjupning(app)
    with app.app_context():
        webb = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("webb%")))}
        for n in range(8):
            completion(webb[f"webb{n}@malmo.se"], course_id)
        for n in range(4):
            user = User(email=f"ny{n}@malmo.se", name=f"ny{n}", password_hash="x", organisation_id=org_id("gsf"),
                        gender="kvinna", created_at=MARCH)
            db.session.add(user)
            completion(user, course_id)
        db.session.commit()
    response = coordinator.post("/tillfallen/nytt", data={
        "csrf_token": csrf_token(coordinator, "/tillfallen/nytt"), "kind": "fordjupning", "mode": "pa_plats",
        "title": "Fördjupning för förskolan", "held_on": "2026-03-25", "organiser": "Resursteam heder"})
    assert response.status_code == 302, response.get_data(as_text=True)
    session_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    response = coordinator.post(f"/tillfallen/{session_id}/antal", data={
        "csrf_token": csrf_token(coordinator, f"/tillfallen/{session_id}"), "organisation": "gsf", "attendees": "10"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LiveSession, session_id).course_id == course_id
        for email in ("webb0", "webb1", "webb2", "kul0", "kul1", "kul2"):
            user = db.session.scalar(select(User).filter_by(email=f"{email}@malmo.se"))
            db.session.add(SessionAttendee(session_id=session_id, person_key=user.email, name=user.name,
                                           email=user.email, user_id=user.id, organisation_id=user.organisation_id,
                                           source="matchad"))
        db.session.commit()
    return course_id


def completers(app, course_id: int, counts: dict[str, int]) -> None:
    """Accounts that completed the course in March 2026: counts[code] of them in each förvaltning."""
    with app.app_context():
        for code, n in counts.items():
            for i in range(n):
                user = User(email=f"{code}{i}@malmo.se", name=f"{code}{i}", password_hash="x",
                            organisation_id=org_id(code))
                db.session.add(user)
                completion(user, course_id)
        db.session.commit()


def register_session(coordinator, kind: str, course: str, counts: dict[str, int]) -> None:
    """A session on 20 March 2026 registered through the page, with counts per förvaltning."""
    response = coordinator.post("/tillfallen/nytt", data={
        "csrf_token": csrf_token(coordinator, "/tillfallen/nytt"), "kind": kind, "mode": "digital", "title": kind,
        "held_on": "2026-03-20", "organiser": "Resursteam heder", "course": course})
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = response.headers["Location"]
    for code, n in counts.items():
        response = coordinator.post(detail + "/antal", data={"csrf_token": csrf_token(coordinator, detail),
                                                             "organisation": code, "attendees": str(n)})
        assert response.status_code == 302
