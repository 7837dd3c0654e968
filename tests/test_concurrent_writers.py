"""Writers other than the quiz and the survey under real concurrency: sign-ups during a staff import, and
editors publishing while learners submit quizzes. Threads with their own connections, bounded in time."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from learning.accounts.models import User
from learning.editor.models import Draft
from learning.extensions import db
from learning.learn.models import QuizAttempt
from learning.staff import services as staff
from learning.staff.models import StaffMember
from learning.timeutil import stockholm_today
from tests.editor_builders import edit_form, editor_client, file_id, live_text, submit
from tests.helpers import csrf_token, make_user, published, quiz_form, quiz_page_tokens
from tests.test_concurrency import parallel, signed_in, twin
from tests.test_staff import csv_bytes, person

PASSWORD = "ett-långt-lösen"


def test_accounts_signed_up_during_a_staff_import_are_linked_and_created_once(app):
    emails = [f"ny{n}@malmo.se" for n in range(10)]
    staff_list = csv_bytes([person(str(1000 + n), email=email) for n, email in enumerate(emails)])
    calls, owners = [], []
    for n, email in enumerate(emails):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.1.0.{n}"  # sign-ups are throttled per address
        data = {"csrf_token": csrf_token(client, "/registrera"), "name": f"Ny {n}", "email": email,
                "password": PASSWORD, "confirm": PASSWORD, "organisation": "fsk", "org_role": "medarbetare",
                "gender": ""}
        for sender in (client, twin(app, client)) if n % 2 == 0 else (client,):  # every other one clicks twice
            calls.append(lambda sender=sender, data=data: sender.post("/registrera", data=data).status_code)
            owners.append(email)

    def import_list():
        with app.app_context():
            return staff.import_staff(staff_list, stockholm_today()).created

    created, *statuses = parallel([import_list, *calls])

    assert created == len(emails)
    # Both halves of a double click get the same answer ("check your mail"); never a 500.
    assert set(statuses) == {200}, Counter(statuses)
    with app.app_context():
        accounts = dict(db.session.execute(select(User.email, func.count()).group_by(User.email)).all())
        linked = dict(db.session.execute(
            select(StaffMember.email, User.email).join(User, User.id == StaffMember.user_id)).all())
    assert all(accounts[email] == 1 for email in emails)
    # Whichever of the import and a sign-up committed last linked the two: no one is left unlinked.
    assert linked == {email: email for email in emails}


def test_editors_publish_while_learners_submit_quizzes(app):
    course = published(app)
    part = course.required_parts[0]
    url = f"/kurs/grundkurs/{part.slug}"
    learners = [f"larande{n}@malmo.se" for n in range(8)]
    quiz_calls = []
    for email in learners:
        make_user(app, email)
        client = signed_in(app, email)
        csrf, token = quiz_page_tokens(client, url)
        form = quiz_form(part, token, csrf)
        quiz_calls.append(lambda client=client, form=form: client.post(f"{url}/kunskapstest", data=form).status_code)
    fid = file_id(app, f"{part.slug}.md")
    before = live_text(app, f"{part.slug}.md")
    editors = [editor_client(app, f"redaktor{n}@malmo.se") for n in range(2)]
    texts = [before.replace("## Det här lär du dig", f"## Det här lär du dig\n\nEtt tillägg från redaktör {n}.", 1)
             for n in range(2)]
    assert all(text != before for text in texts)
    publish_calls = [
        lambda client=client, form=edit_form(client, fid), text=text: submit(
            client, fid, form, "publish", markdown=text, message="Ett tillägg").status_code
        for client, text in zip(editors, texts)]

    statuses = parallel([*quiz_calls, *publish_calls])

    assert statuses[:len(learners)] == [302] * len(learners)
    # Both editors started from the same version: one is published, the other is told and keeps the text.
    assert sorted(statuses[len(learners):]) == [302, 409]
    now = live_text(app, f"{part.slug}.md")
    assert now in texts
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt.passed)).all()
        kept = db.session.scalars(select(Draft.markdown).where(Draft.content_file_id == fid)).all()
    assert attempts == [True] * len(learners)  # each graded on the version the learner saw, each stored once
    assert kept == [t for t in texts if t != now]
