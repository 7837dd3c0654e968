"""Reminder mails against a real SMTP server on loopback: the right mail on the right day, each once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from learning.assignments import reminders
from learning.assignments.models import ReminderLog
from learning.extensions import db
from learning.mail import Outbox
from tests.assignment_builders import add_rule, complete, import_list, row
from tests.helpers import make_user

JAN, DUE = date(2026, 1, 15), date(2026, 3, 31)
UNIT_NORR = [row("1"), row("2"), row("3"), row("4", role="chef")]
UNIT_SYD = [row("5", unit="Förskola Syd"), row("6", unit="Förskola Syd", role="chef")]


@pytest.fixture
def city(app, mailbox):
    """Six people in two units of fsk, the base course due 31 March; person 3 has completed it."""
    app.config.update(REMINDER_DAYS_BEFORE=[7], REMINDER_DAYS_AFTER=[7], PUBLIC_URL="https://lar.malmo.se")
    make_user(app, "p3@malmo.se", name="Person 3")
    with app.app_context():
        import_list(UNIT_NORR + UNIT_SYD + [row("7", org="gsf", unit="Grundskola Öst")], JAN)
        add_rule(JAN, organisations=["fsk"], due_on=DUE, within_days=30)
        complete("3")
    return app


def _run(runner, day: str):
    result = runner.invoke(args=["send-reminders", "--date", day])
    assert result.exit_code == 0, result.output
    return result.output


def _to(mailbox) -> list[str]:
    return sorted(m["To"] for m in mailbox)


def test_the_right_people_get_the_right_mail_on_the_right_day(city, runner, mailbox):
    assert "Skickade: 0 " in _run(runner, "2026-03-20")  # more than 7 days before: nothing yet
    assert _run(runner, "2026-03-24").startswith("Skickade: 5 ")
    assert _to(mailbox) == ["p1@malmo.se", "p2@malmo.se", "p4@malmo.se", "p5@malmo.se", "p6@malmo.se"]
    first = mailbox[0]
    assert first["Subject"] == "Påminnelse: Grundkurs om hedersrelaterat våld och förtryck ska vara klar senast 31 mars 2026"
    body = first.get_content()
    assert body.startswith("Hej Person ") and "https://lar.malmo.se/kurs/grundkurs/" in body
    assert "Skickade: 0 (varav 0 sammanställningar till chefer). Redan skickade: 5." in _run(runner, "2026-03-24")  # the same day again: nobody twice
    mailbox.clear()
    _run(runner, "2026-03-31")
    assert len(mailbox) == 5 and all(m["Subject"].startswith("I dag är sista dagen") for m in mailbox)


def test_after_the_date_learners_are_told_and_each_chef_gets_exactly_their_units_overdue(city, runner, mailbox):
    with city.app_context():
        import_list(UNIT_NORR[:1] + UNIT_NORR[2:] + UNIT_SYD, date(2026, 4, 1))  # person 2 has left
    make_user(city, "p5@malmo.se", name="Person 5")
    with city.app_context():
        complete("5")
    assert "Skickade: 4 (varav 1 sammanställning till chefer)." in _run(runner, "2026-04-07")
    late = [m for m in mailbox if m["Subject"].startswith("Försenad:")]
    assert sorted(m["To"] for m in late) == ["p1@malmo.se", "p4@malmo.se", "p6@malmo.se"]
    digests = [m for m in mailbox if "tilldelad kurs" in m["Subject"]]
    assert [(m["To"], m["Subject"]) for m in digests] == [
        ("p4@malmo.se", "1 person på Förskola Norr är försenad med en tilldelad kurs")]
    body = digests[0].get_content()
    # Person 1 only: not 2 (left), 3 (done), 4 (the chef) nor anyone of Förskola Syd (5 done, 6 is its chef).
    assert "- Person 1: Grundkurs om hedersrelaterat våld och förtryck, skulle ha varit klar 31 mars 2026" in body
    assert not any(f"Person {n}:" in body for n in (2, 3, 4, 5, 6))
    assert "https://lar.malmo.se/min-enhet/" in body


def test_two_runs_at_the_same_time_send_nobody_twice(city, mailbox):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with city.app_context():
                barrier.wait(timeout=10)
                reminders.send_reminders(date(2026, 3, 24))
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    assert Counter(m["To"] for m in mailbox) == {f"p{n}@malmo.se": 1 for n in (1, 2, 4, 5, 6)}


def test_a_refused_address_is_logged_and_not_retried(city, runner, mailbox, refused_addresses):
    refused_addresses.add("p1@malmo.se")
    output = _run(runner, "2026-03-24")
    assert "Skickade: 4 " in output and "Nekade adresser: 1." in output and "p1@malmo.se: adressen nekades" in output
    assert "p1@malmo.se" not in _to(mailbox)
    refused_addresses.clear()
    assert "Skickade: 0 " in _run(runner, "2026-03-24")
    make_user(city, "p1@malmo.se", name="Person 1")  # what was tried is in the learner's own data export
    with city.test_request_context(), city.app_context():
        from learning.accounts.models import User
        from learning.mypages.services import personal_data
        data = personal_data(db.session.scalar(select(User).filter_by(email="p1@malmo.se")))
    assert [r["utfall"] for r in data["påminnelser"]] == ["refused"]
    assert data["tilldelade_kurser"][0]["klar_senast"] == "2026-03-31"
    with city.app_context():
        statuses = Counter(db.session.scalars(select(ReminderLog.status)))
    assert statuses == {"sent": 4, "refused": 1}


def test_a_run_that_dies_after_claiming_does_not_send_those_mails_again(city, runner, mailbox, monkeypatch):
    real_send = Outbox.send

    def dies(self, to, subject, body):
        raise SystemExit("killed")

    monkeypatch.setattr(reminders._Delivery, "CLAIM_BATCH", 2)
    monkeypatch.setattr(Outbox, "send", dies)
    with city.app_context(), pytest.raises(SystemExit):
        reminders.send_reminders(date(2026, 3, 24))  # dies at its first mail, with two claimed
    monkeypatch.setattr(Outbox, "send", real_send)
    output = _run(runner, "2026-03-24")
    assert output.startswith("Skickade: 3 ") and "avbruten körning (skickas inte igen): 2." in output
    assert len(mailbox) == len(set(_to(mailbox))) == 3  # at most once: the two claimed are not sent again


def test_nothing_is_sent_for_a_closed_rule_or_a_completed_course(city, runner, mailbox):
    with city.app_context():
        from learning.assignments.models import AssignmentRule
        db.session.scalar(select(AssignmentRule)).active = False
        db.session.commit()
    assert "Skickade: 0 " in _run(runner, "2026-03-24") and mailbox == []


@pytest.mark.parametrize("today, expected", [
    (date(2026, 3, 23), None), (date(2026, 3, 24), "fore-7"), (date(2026, 3, 30), "fore-1"),
    (date(2026, 3, 31), "dag"), (date(2026, 4, 6), None), (date(2026, 4, 7), "efter-7"), (date(2026, 5, 30), "efter-30"),
])
def test_stage_is_the_latest_reached(today, expected):
    assert reminders.stage(DUE, today, [7, 1], [7, 30]) == expected


def test_a_reminder_goes_out_before_a_refresher_completion_expires(app, runner, mailbox, tmp_path):
    from datetime import datetime, timezone

    from tests.test_assignments import _refresher

    _refresher(app, tmp_path)
    app.config.update(REMINDER_DAYS_BEFORE=[7], REMINDER_DAYS_AFTER=[7])
    make_user(app, "p1@malmo.se", name="Person 1")
    with app.app_context():
        import_list([row("1")], JAN)
        add_rule(JAN, organisations=["fsk"], due_on=DUE)
        complete("1", datetime(2023, 4, 20, 12, tzinfo=timezone.utc))  # valid until 20 April 2026
    assert "Skickade: 0 " in _run(runner, "2026-04-12")
    assert _run(runner, "2026-04-13").startswith("Skickade: 1 ")
    assert [m["Subject"] for m in mailbox] == [
        "Ditt intyg för Grundkurs om hedersrelaterat våld och förtryck går ut 20 april 2026"]
