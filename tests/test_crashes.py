"""A process killed (SIGKILL) at any moment of a quiz submission leaves all of it or none of it.

A child process submits the last part's quiz of a learner who has passed the others and kills itself
at the n-th write to the database (n = 1, 2, ...) or just before the commit, until a run gets through.
After each death the database must hold either the attempt, the part completion and the course
completion together, or none of them; sending the same form again then completes what is missing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import delete, func, select

from learning.accounts.models import User
from learning.extensions import db
from learning.learn import services
from learning.learn.models import CourseCompletion, PartCompletion, QuizAnswer, QuizAttempt
from learning.config import PROJECT_ROOT
from werkzeug.datastructures import MultiDict

from tests.helpers import csrf_token, login, make_user, published, quiz_form, take_quiz

CHILD = textwrap.dedent("""
    import os, signal, sys
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from werkzeug.datastructures import MultiDict
    from learning import create_app
    from learning.accounts.models import User
    from learning.content.services import published_course
    from learning.extensions import db
    from learning.learn.services import submit_quiz
    from tests.helpers import app_config, quiz_form

    url, user_id, token, point = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    app = create_app(app_config(url))
    writes = 0

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    @event.listens_for(Session, "after_flush")
    def count(session, _context):
        global writes
        writes += 1
        if point == str(writes):
            die()

    @event.listens_for(Session, "before_commit")
    def before_commit(session):
        if point == "commit" and session.info.get("write_transaction_depth"):
            die()

    with app.app_context():
        course = published_course("grundkurs")
        part = course.required_parts[-1]
        submit_quiz(db.session.get(User, user_id), course, part, MultiDict(quiz_form(part, token, "-")))
    print("done")
""")


def _state(app, user_id: int, token: str) -> tuple[int, int, int, int]:
    with app.app_context():
        last = published(app).required_parts[-1].file_id
        return (
            db.session.scalar(select(func.count(QuizAttempt.id)).filter_by(user_id=user_id, token=token)),
            db.session.scalar(select(func.count(QuizAnswer.id)).join(QuizAttempt).filter(QuizAttempt.token == token)),
            db.session.scalar(select(func.count(PartCompletion.id)).filter_by(user_id=user_id, content_file_id=last)),
            db.session.scalar(select(func.count(CourseCompletion.id)).filter_by(user_id=user_id)),
        )


def _forget_last_part(app, user_id: int) -> None:
    with app.app_context():
        last = published(app).required_parts[-1].file_id
        db.session.execute(delete(CourseCompletion).filter_by(user_id=user_id))
        db.session.execute(delete(PartCompletion).filter_by(user_id=user_id, content_file_id=last))
        attempts = select(QuizAttempt.id).filter_by(user_id=user_id, content_file_id=last)
        db.session.execute(delete(QuizAnswer).where(QuizAnswer.attempt_id.in_(attempts)))
        db.session.execute(delete(QuizAttempt).filter_by(user_id=user_id, content_file_id=last))
        db.session.commit()


def test_a_kill_at_any_moment_of_the_last_quiz_leaves_all_or_nothing(app, client, database_url):
    user_id = make_user(app)
    login(client)
    course = published(app)
    for part in course.required_parts[:-1]:
        assert take_quiz(client, app, part.slug).status_code == 302
    questions = len(course.required_parts[-1].doc.questions)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    outcomes = []
    for point in ["commit", *map(str, range(1, 12))]:
        token = os.urandom(16).hex()
        child = subprocess.run([sys.executable, "-c", CHILD, database_url, str(user_id), token, point],
                               capture_output=True, text=True, timeout=60, env=env, cwd=PROJECT_ROOT)
        killed = child.returncode == -signal.SIGKILL
        assert killed or (child.returncode == 0 and "done" in child.stdout), child.stderr[-2000:]
        state = _state(app, user_id, token)
        assert state in {(0, 0, 0, 0), (1, questions, 1, 1)}, (point, state)  # nothing, or everything
        outcomes.append((point, killed, state[0]))
        # The learner presses "send" again with the same form: it ends with everything, once.
        with app.app_context():
            part = published(app).required_parts[-1]
            services.submit_quiz(db.session.get(User, user_id), published(app), part,
                                 MultiDict(quiz_form(part, token, "-")))
        assert _state(app, user_id, token) == (1, questions, 1, 1)
        _forget_last_part(app, user_id)
        if not killed:  # the submission has fewer writes than this: every moment has been tried
            break
    assert outcomes[0] == ("commit", True, 0)  # killed just before the commit: nothing was stored
    assert len(outcomes) > 3 and all(killed for _, killed, _ in outcomes[:-1]) and not outcomes[-1][1]


def test_sending_the_form_again_heals_a_pass_stored_without_its_completions(app, client):
    # As an older release could leave it after a crash: the attempt committed, the completions not.
    user_id = make_user(app)
    login(client)
    course = published(app)
    for part in course.required_parts:
        assert take_quiz(client, app, part.slug).status_code == 302
    with app.app_context():
        last = course.required_parts[-1]
        attempt = db.session.scalars(select(QuizAttempt).filter_by(user_id=user_id, content_file_id=last.file_id)).one()
        token = attempt.token
        db.session.execute(delete(CourseCompletion).filter_by(user_id=user_id))
        db.session.execute(delete(PartCompletion).filter_by(user_id=user_id, content_file_id=last.file_id))
        db.session.commit()
    assert client.get("/kurs/grundkurs/intyg").status_code == 403  # no certificate without the completion
    url = f"/kurs/grundkurs/{last.slug}"
    response = client.post(f"{url}/kunskapstest", data=quiz_form(last, token, csrf_token(client, url)))
    assert response.status_code == 302
    assert _state(app, user_id, token) == (1, len(last.doc.questions), 1, 1)
    assert client.get("/kurs/grundkurs/intyg").status_code == 200  # the certificate is there again

