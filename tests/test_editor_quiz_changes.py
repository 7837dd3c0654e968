"""A changed quiz: the editor decides whether earlier passes still count, and sees passes on older revisions."""

from __future__ import annotations

import re

import pytest

from sqlalchemy import select

from learning.learn.models import PartCompletion
from learning.extensions import db
from tests.editor_builders import edit_form, editor_client, file_id, live_text, submit
from tests.helpers import take_quiz

PART = "/kurs/grundkurs/del-1"
OLD = "### Vad är det som främst skiljer"
NEW = "### Vad är det som framför allt skiljer"


def _passed(client) -> bool:
    return "Status: Godkänd" in client.get(PART).get_data(as_text=True)


def test_changing_the_quiz_needs_a_choice_and_the_live_revision_stays_until_then(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    response = submit(editor, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny fråga")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kunskapstestet har ändrats: välj om tidigare godkända resultat ska gälla." in page
    assert re.search(r'<fieldset id="earlier" class="field has-error" aria-describedby="earlier-hjalp earlier-fel">', page)
    assert '<a href="#earlier-0">' in page  # the error summary's link lands on the question
    assert NEW not in live_text(app)

    # Text outside the quiz is not a quiz change: no choice needed.
    other = form["markdown"].replace("## Det här lär du dig", "## Det här lär du dig\n\nNy text.", 1)
    assert submit(editor, fid, form, "publish", markdown=other, message="Text").status_code == 302


def test_earlier_passes_still_count_when_the_editor_says_so(app, client, learner):
    take_quiz(client, app, "del-1")
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    response = submit(editor, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny",
                      earlier="keep")
    assert response.status_code == 302
    assert _passed(client)
    page = editor.get(f"/redaktor/fil/{fid}").get_data(as_text=True)
    assert "Godkända: 1 deltagare, varav 1 på en äldre version av delen." in page


def test_learners_must_retake_when_the_editor_says_so_and_a_new_pass_counts(app, client, learner):
    take_quiz(client, app, "del-1")
    assert _passed(client)
    editor = editor_client(app)
    fid = file_id(app)
    with app.app_context():
        first_pass = db.session.scalar(select(PartCompletion.completed_at).filter_by(content_file_id=fid))
    form = edit_form(editor, fid)
    response = submit(editor, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny",
                      earlier="retake")
    assert "Alla måste göra om kunskapstestet." in editor.get(response.location).get_data(as_text=True)
    assert not _passed(client)
    page = editor.get(f"/redaktor/fil/{fid}").get_data(as_text=True)
    assert "Godkända: 0 deltagare, varav 0 på en äldre version av delen." in page  # a voided pass counts nowhere
    assert "1 godkännande räknas inte längre: kunskapstestet ändrades och måste göras om." in page

    take_quiz(client, app, "del-1")
    assert _passed(client)
    with app.app_context():
        completions = db.session.scalars(select(PartCompletion).filter_by(content_file_id=fid)).all()
        assert len(completions) == 1  # the new pass replaced the old one, no second row
        assert completions[0].completed_at == first_pass  # reports for the first pass's period stay as they were
    assert "Godkända: 1 deltagare, varav 0 på en äldre version av delen." in editor.get(f"/redaktor/fil/{fid}").get_data(as_text=True)


def test_quiz_analysis_shows_passes_on_older_revisions_and_those_that_must_retake(app):
    from tests.helpers import login, make_user

    for n in range(6):
        make_user(app, f"deltagare{n}@malmo.se")
        learner = app.test_client()
        login(learner, f"deltagare{n}@malmo.se")
        take_quiz(learner, app, "del-1")
    editor = editor_client(app)
    analysis = "/rapporter/grundkurs/kunskapstest"
    assert "Godkända: 6, varav 0 på en äldre version av delen." in editor.get(analysis).get_data(as_text=True)
    fid = file_id(app)
    form = edit_form(editor, fid)
    submit(editor, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny", earlier="retake")
    page = editor.get(analysis).get_data(as_text=True)
    assert "Godkända: 0, varav 0 på en äldre version av delen." in page
    assert "6 godkännanden räknas inte längre: kunskapstestet ändrades och måste göras om." in page
    assert "6 försök på testet före ändringen räknas inte här." in page
    assert "<li>0 personer har gjort testet.</li>" in page  # the figures describe the new question set


def test_the_people_list_shows_a_voided_pass_as_not_passed(app, client, learner):
    take_quiz(client, app, "del-1")
    editor = editor_client(app, role="admin")  # admins see the people list of the whole city
    people = "/rapporter/grundkurs/personer?forvaltning=fsk"

    def anna_row() -> str:
        page = editor.get(people).get_data(as_text=True)
        return page.split("anna.andersson@malmo.se")[1].split("</tr>")[0]

    assert "✓ Godkänd" in anna_row()
    fid = file_id(app)
    form = edit_form(editor, fid)
    submit(editor, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny", earlier="retake")
    assert "✓ Godkänd" not in anna_row()


def test_restoring_a_version_with_other_questions_asks_about_earlier_passes(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    assert submit(editor, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny",
                  earlier="retake").status_code == 302
    history = editor.get(f"/redaktor/fil/{fid}/aterstall/1").get_data(as_text=True)  # the question first
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', history).group(1)
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', history).group(1)
    response = editor.post(f"/redaktor/fil/{fid}/aterstall/1", data={"csrf_token": token, "base": base})
    assert response.location.endswith(f"/redaktor/fil/{fid}")
    assert "har andra frågor än den publicerade versionen" in editor.get(response.location).get_data(as_text=True)
    assert NEW in live_text(app)  # nothing published yet
    restored = edit_form(editor, fid)
    assert OLD in restored["markdown"]  # the old text waits as the editor's draft
    assert submit(editor, fid, restored, "publish", message="Tillbaka", earlier="keep").status_code == 302
    assert OLD in live_text(app)


def test_restoring_never_overwrites_the_editors_unpublished_draft(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    submit(editor, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny", earlier="keep")
    work = edit_form(editor, fid)
    submit(editor, fid, work, "save", markdown=work["markdown"] + "\nMITT PÅGÅENDE ARBETE\n")
    history = editor.get(f"/redaktor/fil/{fid}/aterstall/1").get_data(as_text=True)  # the question first
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', history).group(1)
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', history).group(1)
    response = editor.post(f"/redaktor/fil/{fid}/aterstall/1", data={"csrf_token": token, "base": base})
    assert "du har redan ett utkast av filen som inte är publicerat" in editor.get(response.location).get_data(as_text=True)
    assert "MITT PÅGÅENDE ARBETE" in edit_form(editor, fid)["markdown"]


@pytest.mark.parametrize("number", ["99999999999999999999", "2147483648", "-1", "x"])
def test_comparing_versions_that_cannot_exist_gets_a_message(app, number):
    editor = editor_client(app)
    fid = file_id(app)
    response = editor.get(f"/redaktor/fil/{fid}/jamfor?fran={number}&till=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 400  # the history page again, the message at the field that was wrong
    assert '<p class="error" id="fran-fel">Det finns ingen sådan version. Välj en version i listan.</p>' in page
    assert "till-fel" not in page
