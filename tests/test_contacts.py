"""Local contacts as settings: each learner sees their förvaltning's text, else the organisation's, else a
neutral sentence; texts are escaped; admins set them in the browser; the checklist and check-content list the
unset ones."""

from __future__ import annotations

from tests.helpers import csrf_token, login, make_user

URL = "/kurs/grundkurs/del-1"
NEUTRAL_FHV = "Fråga din chef eller HR om hur du når företagshälsovården."
NEUTRAL_STOD = "Fråga din chef eller HR om stöd för medarbetare som själva är utsatta för våld eller förtryck."


def _admin(app, client):
    make_user(app, "admin.person@malmo.se", name="Ada Admin", role="admin", organisation="asf")
    login(client, "admin.person@malmo.se")


def _set(client, key: str, scope: str, text: str):
    token = csrf_token(client, "/kontakter/")
    return client.post("/kontakter/", data={"csrf_token": token, "key": key, "scope": scope, "text": text})


def _page_as(app, email: str, organisation: str) -> str:
    make_user(app, email, name="Lea Lärande", organisation=organisation)
    client = app.test_client()
    login(client, email)
    return client.get(URL).get_data(as_text=True)


def test_each_learner_sees_their_own_förvaltnings_text_else_the_organisations_else_a_neutral_sentence(app, client):
    _admin(app, client)
    assert _set(client, "foretagshalsovard", "*", "Företagshälsan nås på tel:040-34 10 00").status_code == 302
    assert _set(client, "foretagshalsovard", "fsk", "Förskolans avtal: https://malmo.se/fhv").status_code == 302
    assert _set(client, "stod-medarbetare", "fsk", "Ring personalstödet.").status_code == 302

    in_a = _page_as(app, "a@malmo.se", "fsk")
    assert 'Förskolans avtal: <a href="https://malmo.se/fhv">malmo.se/fhv</a>' in in_a
    assert "Ring personalstödet." in in_a
    assert "{{kontakt:" not in in_a and "Uppgift saknas" not in in_a

    in_b = _page_as(app, "b@malmo.se", "fgk")
    assert 'Företagshälsan nås på <a href="tel:040341000">040-34 10 00</a>' in in_b
    assert "Förskolans avtal" not in in_b
    assert NEUTRAL_STOD in in_b  # set only for förskolan

    start = app.test_client()
    login(start, "b@malmo.se")
    assert NEUTRAL_STOD in start.get("/kurs/grundkurs/").get_data(as_text=True)  # the start page's support text


def test_html_in_a_text_is_shown_as_text_and_only_https_and_tel_become_links(app, client):
    _admin(app, client)
    _set(client, "foretagshalsovard", "*", '<script>alert(1)</script> <b>fet</b> javascript:alert(2) http://x.se')
    page = _page_as(app, "c@malmo.se", "fri")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;fet&lt;/b&gt; javascript:alert(2) http://x.se" in page
    assert "<script>alert(1)" not in page and 'href="javascript' not in page and 'href="http://x.se' not in page


def test_unset_contacts_show_the_neutral_sentence_and_are_listed_for_editors(app, client, runner):
    page = _page_as(app, "d@malmo.se", "fsk")
    assert NEUTRAL_FHV in page and NEUTRAL_STOD in page

    make_user(app, "red@malmo.se", name="Rut Redaktör", role="editor")
    editor = app.test_client()
    login(editor, "red@malmo.se")
    assert editor.get("/kontakter/").status_code == 403  # only admins set texts
    checklist = editor.get("/kontakter/saknas").get_data(as_text=True)
    assert "hur du når företagshälsovården (<code>foretagshalsovard</code>)" in checklist

    _admin(app, client)
    for scope in ("*",):
        _set(client, "foretagshalsovard", scope, "Företagshälsan: tel:040-11 22 33")
    checklist = editor.get("/kontakter/saknas").get_data(as_text=True)
    assert "(<code>foretagshalsovard</code>)" not in checklist
    assert "(<code>stod-medarbetare</code>)" in checklist

    result = runner.invoke(args=["check-content"])
    output = result.output
    assert result.exit_code == 0, result.exception
    assert "varning: Kontakten 'stod-medarbetare' saknar text för" in output
    assert "Kontakten 'foretagshalsovard'" not in output


def test_an_empty_text_removes_it_and_bad_input_gets_a_message(app, client):
    _admin(app, client)
    _set(client, "foretagshalsovard", "*", "Företagshälsan")
    assert _set(client, "foretagshalsovard", "*", "   ").status_code == 302
    assert NEUTRAL_FHV in _page_as(app, "e@malmo.se", "fsk")
    response = _set(client, "foretagshalsovard", "*", "x" * 501)
    assert response.status_code == 400 and "högst 500 tecken" in response.get_data(as_text=True)
    response = _set(client, "finns-inte", "*", "text")
    assert response.status_code == 400


def test_two_admins_saving_the_same_contact_at_once_leave_one_text(app):
    from sqlalchemy import select

    from learning.contacts.models import ContactValue
    from learning.extensions import db
    from tests.test_concurrency import parallel, signed_in

    make_user(app, "admin.ett@malmo.se", name="Ada Ett", role="admin")
    make_user(app, "admin.tva@malmo.se", name="Ada Två", role="admin")
    admins = [signed_in(app, "admin.ett@malmo.se", "10.2.0.1"), signed_in(app, "admin.tva@malmo.se", "10.2.0.2")]
    forms = [{"csrf_token": csrf_token(c, "/kontakter/"), "key": "foretagshalsovard", "scope": "fsk",
              "text": f"Text {n}"} for n, c in enumerate(admins)]
    statuses = parallel([lambda c=c, f=f: c.post("/kontakter/", data=f).status_code for c, f in zip(admins, forms)])
    assert statuses == [302, 302]
    with app.app_context():
        rows = db.session.execute(select(ContactValue.text).filter_by(key="foretagshalsovard", scope="fsk")).all()
    assert len(rows) == 1 and rows[0].text in {"Text 0", "Text 1"}
