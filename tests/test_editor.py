"""Editing in the browser: drafts learners never see, checked publishing, conflicts, history and restore."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from learning import create_app
from learning.content.models import Revision
from learning.editor.models import Draft
from learning.extensions import db
from learning.learn.models import QuizAttempt
from tests.editor_builders import edit_form, editor_client, file_id, live_text, revision_count, submit
from tests.helpers import app_config, csrf_token, published

SENTENCE = "Ny mening från Resursteam heder."
PART = "/kurs/grundkurs/del-1"


def _with_sentence(text: str) -> str:
    return text.replace("## Det här lär du dig", f"## Det här lär du dig\n\n{SENTENCE}", 1)


def test_draft_is_invisible_to_learners_until_published(app, client, learner):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    response = submit(editor, fid, form, "save", markdown=_with_sentence(form["markdown"]))
    assert response.status_code == 302
    assert SENTENCE in editor.get(f"/redaktor/fil/{fid}").get_data(as_text=True)
    assert SENTENCE not in client.get(PART).get_data(as_text=True)

    response = submit(editor, fid, form, "publish", markdown=_with_sentence(form["markdown"]),
                      message="Ny inledning")
    assert response.status_code == 302
    assert "Version 2 är publicerad" in editor.get(response.location).get_data(as_text=True)
    assert SENTENCE in client.get(PART).get_data(as_text=True)
    with app.app_context():
        newest = db.session.scalar(select(Revision).filter_by(content_file_id=fid, number=2))
        assert newest.message == "Ny inledning" and newest.author_id is not None
        assert db.session.scalar(select(func.count(Draft.id))) == 0  # publishing uses up the draft


def test_draft_survives_a_closed_tab_and_a_new_sign_in(app):
    fid = file_id(app)
    first = editor_client(app)
    form = edit_form(first, fid)
    submit(first, fid, form, "save", markdown=_with_sentence(form["markdown"]))
    later = app.test_client()  # a new browser: no session, signs in again
    from tests.helpers import login
    login(later, "redaktor@malmo.se")
    assert SENTENCE in edit_form(later, fid)["markdown"]


def test_publish_requires_a_message(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    response = submit(editor, fid, form, "publish", markdown=_with_sentence(form["markdown"]))
    assert response.status_code == 400
    assert "Skriv en kort beskrivning av ändringen." in response.get_data(as_text=True)
    assert SENTENCE not in live_text(app)


def test_preview_uses_the_learner_rendering_and_shows_problems(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    text = _with_sentence(form["markdown"]).replace(
        "## Om ämnet berör dig själv", "## Om ämnet berör dig själv\n\nSe [[SAKNAS: en uppgift att fylla i]].", 1)
    response = submit(editor, fid, form, "preview", markdown=text)
    page = response.get_data(as_text=True)
    preview = page[page.index('id="forhandsgranskning"'):]
    assert f"<p>{SENTENCE}</p>" in preview
    assert 'class="placeholder">[Uppgift saknas:' in preview  # rendered as learners see placeholders
    # A contact without a text reads as the learner would read it, not as a gap.
    assert "Fråga din chef eller HR om hur du når företagshälsovården." in preview
    line = text.split("\n").index("Se [[SAKNAS: en uppgift att fylla i]].") + 1
    # The line number is a link that puts the cursor on that line (static/editor-lines.js).
    assert re.search(rf'<a href="#markdown" class="goto-line" data-line="{line}">Rad {line}</a> \(platshållare\):'
                     r'</strong> Platshållare kvar: en uppgift att fylla i[^<]*'
                     r'<br><code class="problem-line">Se \[\[SAKNAS', preview)
    assert SENTENCE not in live_text(app)


BROKEN = {
    "no correct option": (lambda t: t.replace("- [x] Att kontrollen ofta", "- [ ] Att kontrollen ofta"),
                          "saknar rätt svar"),
    "no explanation": (lambda t: t.replace("Förklaring: Det som utmärker", "Det som utmärker"), "Oväntad rad"),
    "skipped heading level": (lambda t: t.replace("## Det här lär du dig", "#### Det här lär du dig", 1),
                              "Rubriknivån hoppar"),
    "image without alt": (lambda t: t.replace("## Det här lär du dig", "## Det här lär du dig\n\n![](bild.png)", 1),
                          "Bilden saknar alt-text"),
    "unreadable header": (lambda t: t.replace('title: "Del 1:', 'title: "Del 1: [', 1).replace('förtryck?"', "förtryck?", 1),
                          "Huvudet går inte att läsa"),
    "order taken by another part": (lambda t: t.replace("order: 1", "order: 2", 1), "Samma 'order' (2)"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_text_is_refused_with_its_line_and_the_live_revision_stays(app, client, learner, kind):
    change, message = BROKEN[kind]
    editor = editor_client(app)
    fid = file_id(app)
    before, count = live_text(app), revision_count(app)
    form = edit_form(editor, fid)
    response = submit(editor, fid, form, "publish", markdown=change(form["markdown"]), message="Trasig")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Versionen publicerades inte" in page
    assert re.search(r'<li><a href="#markdown" class="goto-line" data-line="\d+">Rad \d+: [^<]*' + re.escape(message), unescape(page))
    assert live_text(app) == before and revision_count(app) == count
    assert client.get(PART).status_code == 200
    assert change(form["markdown"]) == edit_form(editor, fid)["markdown"]  # kept as a draft: nothing lost


def test_second_editor_saving_from_the_same_base_is_refused_and_nothing_is_lost(app):
    fid = file_id(app)
    first, second = editor_client(app, "forsta@malmo.se"), editor_client(app, "andra@malmo.se")
    form_1, form_2 = edit_form(first, fid), edit_form(second, fid)
    assert form_1["base"] == form_2["base"]
    submit(first, fid, form_1, "publish", markdown=_with_sentence(form_1["markdown"]), message="Första")
    mine = form_2["markdown"].replace("## Om ämnet berör dig själv", "## Om ämnet berör dig själv\n\nAndras text.", 1)

    response = submit(second, fid, form_2, "save", markdown=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Någon annan har publicerat en ny version" in page
    assert "Andras text." in page and SENTENCE in page  # both texts to merge from
    assert "+ Tillagd" in page and "− Borttagen" in page  # the difference in words, not only colour
    assert SENTENCE in live_text(app) and "Andras text." not in live_text(app)

    # Publishing from the stale base is refused too; the draft still holds the second editor's text.
    response = submit(second, fid, form_2, "publish", markdown=mine, message="Andra")
    assert response.status_code == 409 and "Andras text." not in live_text(app)
    assert "Andras text." in edit_form(second, fid)["markdown"]

    # The conflict page carries the new base: the merged text publishes.
    merged = edit_form(second, fid)
    assert merged["base"] != form_2["base"]
    response = submit(second, fid, merged, "publish", markdown=_with_sentence(mine), message="Sammanfogat")
    assert response.status_code == 302
    assert SENTENCE in live_text(app) and "Andras text." in live_text(app)


def test_history_diff_and_restore(app, client, learner):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    submit(editor, fid, form, "publish", markdown=_with_sentence(form["markdown"]), message="Ny <b>mening</b>")
    page = editor.get(f"/redaktor/fil/{fid}/historik").get_data(as_text=True)
    assert "Ny &lt;b&gt;mening&lt;/b&gt;" in page and "Redaktor" in page and "Importerad från fil" in page

    diff = editor.get(f"/redaktor/fil/{fid}/jamfor?fran=1&till=2").get_data(as_text=True)
    assert re.search(r"\+ Tillagd</td>\s*<td><code>" + re.escape(SENTENCE), diff)
    assert "− Borttagen</td>" not in diff

    # "Återställ version 1" asks first and says what will happen; asking changes nothing.
    assert f'href="/redaktor/fil/{fid}/aterstall/1"' in page
    question = editor.get(f"/redaktor/fil/{fid}/aterstall/1").get_data(as_text=True)
    assert "Återställa version 1?" in question and "Alla deltagare ser den direkt" in question
    assert SENTENCE in client.get(PART).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', question).group(1)
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', question).group(1)
    response = editor.post(f"/redaktor/fil/{fid}/aterstall/1", data={"csrf_token": token, "base": base})
    assert "Version 1 är återställd som version 3" in editor.get(response.location).get_data(as_text=True)
    assert SENTENCE not in client.get(PART).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Revision.message).filter_by(content_file_id=fid, number=3)) == "Återställer version 1"

    # The same restore form again: its base is no longer the live revision, so nothing happens.
    response = editor.post(f"/redaktor/fil/{fid}/aterstall/2", data={"csrf_token": token, "base": base})
    assert "Någon har publicerat en ny version" in editor.get(response.location).get_data(as_text=True)
    assert SENTENCE not in live_text(app)


def test_a_second_app_serves_what_the_first_published_on_its_next_request(app, database_url):
    other = create_app(app_config(database_url))  # its own caches, like another gunicorn worker or host
    with other.app_context():
        assert SENTENCE not in published(other).part("del-1").doc.body_html
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    submit(editor, fid, form, "publish", markdown=_with_sentence(form["markdown"]), message="Ny")
    with other.app_context():
        assert SENTENCE in published(other).part("del-1").doc.body_html
        db.engine.dispose()


def test_quiz_trial_grades_the_draft_and_stores_nothing(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    changed = form["markdown"].replace("### Vad är det som främst skiljer", "### Provfråga: vad är det som främst skiljer")
    submit(editor, fid, form, "save", markdown=changed)
    page = editor.get(f"/redaktor/fil/{fid}/prova").get_data(as_text=True)
    assert "Provfråga: vad är det som främst skiljer" in page
    ids = re.findall(r'name="q-(q[0-9a-f]+)" id="q-\1-(\d+)"', page)
    first = {}
    for qid, option in ids:
        first.setdefault(qid, option)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = editor.post(f"/redaktor/fil/{fid}/prova", data={"csrf_token": token, **{f"q-{q}": o for q, o in first.items()}})
    result = response.get_data(as_text=True)
    assert response.status_code == 200 and "rätt (" in result and "Förklaring:" in result
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0

    response = editor.post(f"/redaktor/fil/{fid}/prova", data={"csrf_token": token})
    assert response.status_code == 400 and "Svara på alla frågor" in response.get_data(as_text=True)


def test_line_endings_from_the_browser_are_stored_as_in_git(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    text = _with_sentence(form["markdown"]).replace("\n", "\r\n")
    assert submit(editor, fid, form, "publish", markdown=text, message="CRLF").status_code == 302
    assert "\r" not in live_text(app) and SENTENCE in live_text(app)


def test_live_preview_endpoint_needs_the_csrf_token(app):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    assert editor.post(f"/redaktor/fil/{fid}/forhandsgranska", data={"markdown": "x"}).status_code == 400
    response = editor.post(f"/redaktor/fil/{fid}/forhandsgranska",
                           data={"markdown": _with_sentence(form["markdown"])},
                           headers={"X-CSRFToken": form["csrf_token"]})
    assert response.status_code == 200 and f"<p>{SENTENCE}</p>" in response.get_data(as_text=True)


ROLES = ["learner", "hr", "coordinator", "editor", "admin"]
EDITORS = {"editor", "admin"}


def _editor_routes(app) -> list[tuple[str, str]]:
    values = {"file_id": file_id(app), "number": 1, "course_id": 1}  # a new route argument fails here first
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/redaktor"):
            continue
        url = re.sub(r"<int:(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        routes.extend((method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return routes


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_over_every_editor_route(app, role):
    """Generated from the URL map, so a new editor route cannot be forgotten."""
    routes = _editor_routes(app)
    assert len(routes) >= 8
    client = editor_client(app, f"{role}@malmo.se", role=role)
    anonymous = app.test_client()
    token = csrf_token(client, "/mina-sidor/")  # the user's own, valid token: only the role can refuse
    for method, url in routes:
        assert anonymous.open(url, method=method).status_code in (302, 400), (method, url)
        data = {"csrf_token": token} if method == "POST" else None
        status = client.open(url, method=method, data=data).status_code
        if role in EDITORS:
            assert status not in (401, 403, 404, 500), (role, method, url, status)
        else:
            assert status == 403, (role, method, url, status)
    assert revision_count(app) == 7  # no role changed anything by opening the routes


XSS = """

<script>alert('x')</script>
<iframe src="https://example.org/"></iframe>
[Klicka](javascript:alert(1)) <a href="javascript:alert(2)">länk</a>
<img src="x" alt="bild" onerror="alert(3)"> <svg onload="alert(4)"><circle r="1"/></svg>
<div onclick="alert(5)" style="background:url(javascript:alert(6))">text</div>
"""


def _active(html: str) -> list[str]:
    # The app's own script file (static/editor.js) is the only script allowed.
    return re.findall(r'<script(?! src="/static/(?:editor|editor-lines|menu)\.js")|<iframe|<svg|javascript:|\bon(?:error|load|click)\s*=|style=',
                      html, re.I)


def test_script_iframes_and_javascript_links_never_reach_a_browser_as_active_content(app, client, learner):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    text = form["markdown"].replace("## Det här lär du dig", "## Det här lär du dig" + XSS, 1)
    text = text.replace("### Vad är det som främst skiljer", "### <script>alert(7)</script>Vad är det som främst skiljer")
    preview = submit(editor, fid, form, "preview", markdown=text).get_data(as_text=True)
    assert _active(preview[preview.index('id="forhandsgranskning"'):]) == []
    live = editor.post(f"/redaktor/fil/{fid}/forhandsgranska", data={"markdown": text, "csrf_token": form["csrf_token"]})
    assert live.status_code == 200 and _active(live.get_data(as_text=True)) == []
    assert "&lt;script&gt;alert" in preview  # the source in the text area is shown, escaped

    assert submit(editor, fid, form, "publish", markdown=text, message="XSS", earlier="keep").status_code == 302
    page = client.get(PART).get_data(as_text=True)
    assert "länk" in page and _active(page) == []
    trial = editor.get(f"/redaktor/fil/{fid}/prova").get_data(as_text=True)
    assert _active(trial) == []


@pytest.mark.parametrize("base", ["999999", "2147483647"])
def test_a_base_that_is_no_version_of_the_file_is_treated_as_out_of_date(app, base):
    editor = editor_client(app)
    fid = file_id(app)
    form = edit_form(editor, fid)
    response = submit(editor, fid, form, "save", base=base, markdown=_with_sentence(form["markdown"]))
    assert response.status_code == 409  # the merge view, with the text kept as a draft
    assert SENTENCE in edit_form(editor, fid)["markdown"] and SENTENCE not in live_text(app)
