"""Refresher cycles: a certificate runs out, the learner does the round again, and is valid (and counted) again."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from learning.assignments.status import assignments
from learning.extensions import db
from learning.learn.models import CourseCompletion, QuizAttempt
from learning.renewals.models import CourseRenewal
from learning.renewals.services import add_months, valid_from, valid_until
from learning.timeutil import STOCKHOLM, format_date, stockholm_today
from tests.assignment_builders import add_rule, import_list, row
from tests.helpers import login, make_user, published, take_quiz
from tests.test_assignments import _refresher

TODAY = stockholm_today()


def _pass_every_part(client, app) -> None:
    for part in published(app).required_parts:
        assert take_quiz(client, app, part.slug).status_code == 302


def _move_back(app, moment: datetime) -> None:
    """Make the learner's completion and attempts as old as `moment` (the test's way of letting years pass)."""
    with app.app_context():
        db.session.execute(update(CourseCompletion).values(completed_at=moment))
        db.session.execute(update(QuizAttempt).values(created_at=moment))
        db.session.commit()


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


@pytest.fixture
def learner(app, client, tmp_path):
    """Person 1, assigned the base course (valid 36 months), who completed it through the pages."""
    _refresher(app, tmp_path)
    with app.app_context():
        import_list([row("1")], TODAY - timedelta(days=1200))
        add_rule(TODAY - timedelta(days=1200), organisations=["fsk"], due_on=TODAY - timedelta(days=1150))
    make_user(app, "p1@malmo.se", name="Person 1")
    assert login(client, "p1@malmo.se").status_code == 302
    _pass_every_part(client, app)
    return client


def _status(app):
    with app.app_context():
        (item,) = assignments(stockholm_today())
        return item


def test_a_lapsed_learner_does_the_round_again_and_gets_a_new_certificate(app, learner):
    lapsed = add_months(TODAY, -37)
    _move_back(app, _noon(lapsed))
    old_code = re.search(r"<code>([A-Z0-9-]+)</code>", learner.get("/kurs/grundkurs/intyg").get_data(as_text=True))[1]
    assert _status(app).status == "forsenad"
    page = learner.get("/kurs/grundkurs/").get_data(as_text=True)
    assert "Dags att förnya intyget." in page and f"gick ut {format_date(add_months(lapsed, 36))}" in page
    required = len(published(app).required_parts)
    assert f"I den här omgången har du klarat 0 av {required} delar." in page
    certificate = learner.get("/kurs/grundkurs/intyg").get_data(as_text=True)
    assert "Intyget gäller inte längre" in certificate

    _pass_every_part(learner, app)
    page = learner.get("/kurs/grundkurs/").get_data(as_text=True)
    assert "Dags att förnya" not in page and f"Du har klarat {required} av {required} delar." in page
    certificate = learner.get("/kurs/grundkurs/intyg").get_data(as_text=True)
    new_code = re.search(r"<code>([A-Z0-9-]+)</code>", certificate)[1]
    assert new_code != old_code and "Intyget gäller inte längre" not in certificate
    assert f"<dt>Giltigt till</dt><dd>{format_date(add_months(TODAY, 36))}</dd>" in certificate
    assert "Intyget är äkta." in learner.get(f"/intyg/{new_code}").get_data(as_text=True)
    assert "har gått ut" in learner.get(f"/intyg/{old_code}").get_data(as_text=True)
    item = _status(app)
    assert (item.status, item.on_time, item.valid_until) == ("klar", False, add_months(TODAY, 36))
    # Passing a part again in the new certificate's time starts nothing and writes no second renewal.
    assert take_quiz(learner, app, published(app).required_parts[0].slug).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseRenewal.id))) == 1
        assert db.session.scalar(select(func.count(CourseCompletion.id))) == 1  # "klar någon gång": once


def test_renewing_before_the_certificate_runs_out_counts_as_on_time(app, learner):
    # Ran 35 months ago: runs out in about a month, inside the 60 days in which the new round is open.
    done = add_months(TODAY, -35)
    _move_back(app, _noon(done))
    page = learner.get("/kurs/grundkurs/").get_data(as_text=True)
    assert f"gäller till {format_date(add_months(done, 36))}" in page
    assert _status(app).status == "klar"
    _pass_every_part(learner, app)
    item = _status(app)
    assert (item.status, item.on_time, item.valid_until) == ("klar", True, add_months(TODAY, 36))


def test_a_round_not_yet_open_shows_the_course_as_done(app, learner):
    _move_back(app, _noon(add_months(TODAY, -12)))
    page = learner.get("/kurs/grundkurs/").get_data(as_text=True)
    assert "Dags att förnya" not in page
    _pass_every_part(learner, app)  # passing again a year later renews nothing
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseRenewal.id))) == 0


@pytest.mark.parametrize("months", [1, 12, 36])
def test_valid_from_agrees_with_valid_until_on_every_day_month_ends_included(months):
    """SQL tests completed_at >= valid_from(day); pages use valid_until: they must agree for every date."""
    days = [date(2027, 1, 25) + timedelta(days=n) for n in range(70)]  # January to March, a February between
    for day in days:
        cutoff = valid_from(day, months)
        for back in range(-3, 4):
            completed = add_months(day, -months) + timedelta(days=back)
            for hour in (0, 23):  # early and late in the Stockholm day
                moment = datetime.combine(completed, time(hour, 30), tzinfo=STOCKHOLM).astimezone(timezone.utc)
                assert (moment >= cutoff) == (valid_until(moment, months) > day), (day, completed, hour)


def test_coverage_counts_valid_certificates_and_klara_nagon_gang_counts_everyone_who_completed(app, tmp_path):
    from learning.content.services import published_course
    from learning.learn.services import new_verification_code
    from tests.api_builders import new_token
    from tests.assignment_builders import complete

    _refresher(app, tmp_path)
    make_user(app, "samordnare@malmo.se", name="Sam Ordnare", role="coordinator")
    for n in range(1, 11):
        make_user(app, f"p{n}@malmo.se", name=f"Person {n}")
    with app.app_context():
        import_list([row(str(n)) for n in range(1, 11)], TODAY - timedelta(days=1200))
        for n in range(1, 11):  # 1-5 completed a year ago (valid), 6-10 over three years ago (run out)
            complete(str(n), _noon(add_months(TODAY, -12 if n <= 5 else -37)))
    coordinator = app.test_client()
    assert login(coordinator, "samordnare@malmo.se").status_code == 302
    token = new_token(coordinator)

    def fsk() -> dict:
        body = coordinator.get("/api/v1/courses/grundkurs/completion?forvaltning=fsk",
                               headers={"Authorization": f"Bearer {token}"}).get_json()
        return {k: body["total"][k] for k in ("staff", "covered", "coverage", "covered_ever")}

    assert fsk() == {"staff": 10, "covered": 5, "coverage": 50.0, "covered_ever": 10}
    page = coordinator.get("/rapporter/grundkurs/?forvaltning=fsk").get_data(as_text=True)
    assert "5 av 10 anställda har ett giltigt intyg (10 har klarat kursen någon gång)" in page
    with app.app_context():  # person 6 renews today
        user = db.session.scalar(select(CourseCompletion.user_id).where(CourseCompletion.verification_code == "TEST-6"))
        db.session.add(CourseRenewal(user_id=user, course_id=published_course("grundkurs").id, cycle=1,
                                     organisation_id=None, org_role="medarbetare", name="Person 6",
                                     verification_code=new_verification_code()))
        db.session.commit()
    assert fsk() == {"staff": 10, "covered": 6, "coverage": 60.0, "covered_ever": 10}


def test_two_tabs_finishing_the_round_at_once_write_one_renewal(app, learner):
    from tests.helpers import quiz_form, quiz_page_tokens
    from tests.test_concurrency import parallel, twin

    _move_back(app, _noon(add_months(TODAY, -37)))
    *first, fourth, fifth = published(app).required_parts
    for part in first:
        assert take_quiz(learner, app, part.slug).status_code == 302
    calls = []
    for tab, part in ((learner, fourth), (twin(app, learner), fifth), (twin(app, learner), fifth)):
        url = f"/kurs/grundkurs/{part.slug}"
        csrf, token = quiz_page_tokens(tab, url)
        calls.append(lambda tab=tab, url=url, form=quiz_form(part, token, csrf): tab.post(f"{url}/kunskapstest",
                                                                                          data=form))
    assert [r.status_code for r in parallel(calls)] == [302, 302, 302]
    with app.app_context():
        assert db.session.execute(select(CourseRenewal.cycle)).scalars().all() == [1]
