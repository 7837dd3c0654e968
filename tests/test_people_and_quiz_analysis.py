"""Who has not finished (named, scoped, logged) and the quiz analysis for the content team."""

from __future__ import annotations

import re

from sqlalchemy import select

from learning.accounts.services import set_roles
from learning.extensions import db
from learning.reports.models import AccessLog
from tests.helpers import login, make_user, take_quiz
from tests.report_builders import city  # noqa: F401  (the hand-built city fixture)

URL = "/rapporter/grundkurs/personer"


def _hr_client(app):
    hr = make_user(app, "hr@malmo.se")
    with app.app_context():
        set_roles(hr, "hr", ["fsk"])
    client = app.test_client()
    login(client, "hr@malmo.se")
    return client


def test_hr_lists_their_people_with_status(city):  # noqa: F811
    client = _hr_client(city)
    page = client.get(URL).get_data(as_text=True)
    # 20 on the staff list + 6 accounts in fsk that are not on it (among them the coordinator's and HR's own)
    assert "<caption>26 personer</caption>" in page
    assert "gsf0@malmo.se" not in page
    not_started = client.get(URL + "?status=ej_paborjad").get_data(as_text=True)
    assert sorted(re.findall(r'<span class="meta">([^<]+)</span>', not_started)) == [
        "fsk-registrerad@malmo.se", "fsk-senare@malmo.se", "hr@malmo.se", "samordnare@malmo.se"]
    started = client.get(URL + "?status=paborjad").get_data(as_text=True)
    assert re.findall(r'<span class="meta">([^<]+)</span>', started) == ["fsk-paborjad@malmo.se"]
    assert "<caption>12 personer</caption>" in client.get(URL + "?status=inget_konto").get_data(as_text=True)
    assert "<caption>9 personer</caption>" in client.get(URL + "?status=klar").get_data(as_text=True)
    assert client.get(URL + "?forvaltning=gsf").status_code == 403


def test_every_look_at_people_is_logged_and_admins_can_read_it(city):  # noqa: F811
    client = _hr_client(city)
    client.get(URL + "?status=klar")
    export = client.get(URL + ".csv?status=klar")
    assert export.status_code == 200 and "fsk0@malmo.se" in export.get_data(as_text=True)
    with city.app_context():
        entries = db.session.execute(select(AccessLog.action, AccessLog.what).order_by(AccessLog.id)).all()
    assert [e.action for e in entries] == ["visa", "exportera"]
    assert "status=klar" in entries[1].what
    make_user(city, "admin@malmo.se", role="admin")
    admin = city.test_client()
    login(admin, "admin@malmo.se")
    log = admin.get("/rapporter/atkomstlogg").get_data(as_text=True)
    assert log.count("<td>exportera</td>") == 1 and log.count("<td>visa</td>") == 1
    assert "/rapporter/grundkurs/personer.csv?status=klar" in log


def test_quiz_analysis_figures(app):
    make_user(app, "redaktor@malmo.se", role="editor")
    for n in range(5):
        make_user(app, f"l{n}@malmo.se")
        learner = app.test_client()
        login(learner, f"l{n}@malmo.se")
        if n >= 3:  # two fail once (first three questions wrong), then pass
            take_quiz(learner, app, "del-1", wrong=3)
        take_quiz(learner, app, "del-1")
    editor = app.test_client()
    login(editor, "redaktor@malmo.se")
    page = editor.get("/rapporter/grundkurs/kunskapstest").get_data(as_text=True)
    section = page.split("<h2>Del 1")[1].split("<h2>")[0]
    assert "5 personer har gjort testet." in section
    assert "Godkända på första försöket: 60,0 %." in section
    assert "Försök i snitt för att bli godkänd: 1,40." in section
    rows = re.findall(r"<td>(\d+)</td><td>([^<]+)</td>", section)
    assert rows[0] == ("7", "71,4 %")  # 5 of 7 answers right: the two failed attempts got it wrong
    assert rows[-1] == ("7", "100,0 %")
    assert "för få" in page.split("<h2>Del 2")[1]  # nobody has taken Del 2
