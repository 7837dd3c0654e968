"""Start-page visits: daily unique visitors without cookies, IP addresses or user ids kept."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from learning.content.services import published_course
from learning.extensions import db
from learning.periods import Period
from learning.visits import services
from learning.visits.models import VisitDay, VisitSalt, VisitSeen
from learning.timeutil import stockholm_month
from tests.helpers import login, make_user

LATE = datetime(2026, 3, 14, 22, 59, tzinfo=timezone.utc)  # 23.59 in Stockholm
NEXT_DAY = datetime(2026, 3, 14, 23, 1, tzinfo=timezone.utc)  # 00.01 on 15 March in Stockholm


def _all_values(model) -> list[str]:
    return [str(v) for row in db.session.execute(select(model)).scalars()
            for v in (getattr(row, c.name) for c in model.__table__.columns)]


def test_unique_visitors_per_day_across_midnight_and_nothing_identifying_kept(app):
    app.config["VISIT_BUFFER_SECONDS"] = 1.0  # as in production: held in memory, written together
    with app.app_context():
        course_id = published_course("grundkurs").id
        for ip in ("10.1.2.3", "10.1.2.3", "10.9.9.9"):
            services.record_visit(course_id, ip, "Firefox", LATE)
        assert services.totals(course_id, Period("2026-03", "2026-03")) == (3, 2)
        services.record_visit(course_id, "10.1.2.3", "Firefox", NEXT_DAY)  # the same person, a new day
        services.record_visit(course_id, "10.1.2.3", "Firefox", NEXT_DAY)
        # The first visit of the new day rolled the 14th up into a daily count; the 15th is still live.
        days = {r.day.isoformat(): (r.visits, r.unique_visitors) for r in db.session.scalars(select(VisitDay))}
        assert days == {"2026-03-14": (3, 2)}
        assert services.totals(course_id, Period("2026-03", "2026-03")) == (5, 3)
        assert services.roll_up(NEXT_DAY.date().replace(day=16)) == 1  # as the nightly command would
        assert services.totals(course_id, Period("2026-03", "2026-03")) == (5, 3)
        # Yesterday's salt and hashes are gone: nobody can recognise yesterday's visitors any more.
        assert db.session.scalars(select(VisitSalt)).all() == []
        assert db.session.scalars(select(VisitSeen)).all() == []
        stored = " ".join(" ".join(_all_values(m)) for m in (VisitSalt, VisitSeen, VisitDay))
        assert "10.1.2.3" not in stored and "10.9.9.9" not in stored and "Firefox" not in stored


def test_the_start_page_counts_a_visit_without_a_cookie_or_user_id(app):
    app.config["VISIT_BUFFER_SECONDS"] = 1.0
    user_id = make_user(app)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    login(client)
    cookies_before = {c.key for c in client._cookies.values()}
    client.get("/kurs/grundkurs/")
    client.get("/kurs/grundkurs/")
    assert {c.key for c in client._cookies.values()} == cookies_before
    with app.app_context():
        assert services.totals(published_course("grundkurs").id, Period(*[stockholm_month()] * 2)) == (2, 1)
        seen = db.session.scalars(select(VisitSeen)).all()
        assert len(seen) == 2 and "192.0.2.44" not in seen[0].digest and str(user_id) != seen[0].digest
        assert {c.name for c in VisitSeen.__table__.columns} == {"id", "day", "course_id", "digest"}
