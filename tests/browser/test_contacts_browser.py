"""Contacts in a real browser: an admin fills one in from the menu, a learner in that förvaltning reads it, an
editor sees the checklist of the rest; no WCAG 2.1 A/AA violations."""

from __future__ import annotations

from tests.browser.test_survey_browser import menu_link, sign_in
from tests.helpers import make_user


def test_admin_sets_a_contact_that_learners_read_and_editors_see_what_is_missing(app, browser, live_server, page, axe):
    make_user(app, "admin.person@malmo.se", name="Ada Admin", role="admin")
    sign_in(page, "admin.person@malmo.se")
    menu_link(page, "Kontakter").click()
    page.wait_for_url("**/kontakter/")
    axe(page, "the contact settings page")

    page.get_by_label("Kontakt", exact=True).select_option(label="hur du når företagshälsovården")
    page.get_by_label("Gäller för").select_option(label="Förskoleförvaltningen")
    page.get_by_label("Text som deltagarna ser").fill("Förskolans företagshälsa: tel:040-12 34 56")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/kontakter/")
    assert "Kontakten är sparad." in page.inner_text("main")

    make_user(app, "lena.larare@malmo.se", name="Lena Lärare", organisation="fsk")
    learner = browser.new_context(base_url=live_server, bypass_csp=True, locale="sv-SE").new_page()
    sign_in(learner, "lena.larare@malmo.se")
    learner.goto("/kurs/grundkurs/del-1")
    link = learner.get_by_role("link", name="040-12 34 56")
    assert link.get_attribute("href") == "tel:040123456"
    assert "Fråga din chef eller HR om stöd för medarbetare" in learner.inner_text("main")

    make_user(app, "rut.redaktor@malmo.se", name="Rut Redaktör", role="editor")
    editor = browser.new_context(base_url=live_server, bypass_csp=True, locale="sv-SE").new_page()
    sign_in(editor, "rut.redaktor@malmo.se")
    menu_link(editor, "Kontakter").click()
    editor.wait_for_url("**/kontakter/saknas")
    assert "stöd för medarbetare som själva är utsatta" in editor.inner_text("main")
    axe(editor, "the checklist of contacts without a text")
