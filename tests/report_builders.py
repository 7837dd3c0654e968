"""The hand-built city shared by the report, people-list and API tests, with figures known by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from learning.accounts.models import User
from learning.content.services import published_course
from learning.extensions import db
from learning.learn.services import record_view
from learning.staff.models import Headcount, StaffAssignment, StaffMember
from learning.staff.services import link_accounts
from tests.helpers import make_user
from tests.survey_builders import completed_learner, org_id

MARCH = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)


def opened_a_part(app, user_id: int) -> None:
    with app.app_context():
        course = published_course("grundkurs")
        record_view(user_id, course.id, course.parts[0].file_id, at=MARCH)
        db.session.commit()


def staff_list(app, emails: list[str], organisation: str, extra: int) -> None:
    with app.app_context():
        for n, email in enumerate(emails + [f"ingen{organisation}{k}@malmo.se" for k in range(extra)]):
            member = StaffMember(employee_id=f"{organisation}-{n}", name=email, email=email.upper())
            db.session.add(member)
            db.session.flush()
            db.session.add(StaffAssignment(staff_id=member.id, organisation_id=org_id(organisation),
                                           org_role="medarbetare", valid_from=date(2025, 1, 1)))
        link_accounts()  # as import_staff does
        db.session.commit()


@pytest.fixture
def city(app):
    """fsk: 11 registered, 10 started, 9 completed (8 on the staff list of 20).
    gsf: 11 registered, started and completed (6 in March, 5 in April), hand-entered headcount 50."""
    fsk = [completed_learner(app, f"fsk{n}@malmo.se", "fsk", MARCH) for n in range(9)]
    started = make_user(app, "fsk-paborjad@malmo.se", organisation="fsk")
    registered = make_user(app, "fsk-registrerad@malmo.se", organisation="fsk")
    make_user(app, "fsk-senare@malmo.se", organisation="fsk")  # signed up after the period: not counted
    with app.app_context():
        for user_id in (started, registered):
            db.session.get(User, user_id).created_at = MARCH
        db.session.commit()
    for user_id in fsk + [started]:
        opened_a_part(app, user_id)
    gsf = [completed_learner(app, f"gsf{n}@malmo.se", "gsf", MARCH) for n in range(6)]
    gsf += [completed_learner(app, f"gsf-april{n}@malmo.se", "gsf", datetime(2026, 4, 15, tzinfo=timezone.utc))
            for n in range(5)]
    for user_id in gsf:
        opened_a_part(app, user_id)
    staff_list(app, [f"fsk{n}@malmo.se" for n in range(8)], "fsk", extra=12)
    with app.app_context():
        db.session.add(Headcount(organisation_id=org_id("gsf"), staff=50))
        db.session.commit()
    make_user(app, "samordnare@malmo.se", role="coordinator")
    return app
