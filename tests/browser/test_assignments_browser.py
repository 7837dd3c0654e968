"""Assigned training in a real browser: the rule form with preview and errors, the learner's list, a chef's unit."""

from __future__ import annotations

from datetime import timedelta

from learning.timeutil import stockholm_today
from tests.assignment_builders import add_rule, import_list, row
from tests.browser.test_survey_browser import menu_link, sign_in
from tests.helpers import make_user


def test_coordinator_previews_and_saves_a_rule_and_every_page_passes_axe(app, page, axe):
    today = stockholm_today()
    with app.app_context():
        import_list([row("1"), row("2", role="chef"), row("3", org="gsf", unit="Grundskola Öst")], today)
    make_user(app, "samordnare@malmo.se", role="coordinator")
    sign_in(page, "samordnare@malmo.se")
    menu_link(page, "Tilldelningar").click()
    page.wait_for_url("**/tilldelningar/")
    axe(page, "the list of rules (empty)")
    page.get_by_role("link", name="Ny regel").click()
    page.get_by_role("button", name="Spara regeln").click()  # nothing chosen
    assert page.get_by_role("alert").is_visible()
    assert "Välj en kurs i listan." in page.inner_text("main")
    axe(page, "the rule form with errors")
    page.get_by_label("Kurs").select_option("grundkurs")
    page.get_by_role("group", name="Förvaltningar").get_by_label("Förskoleförvaltningen").check()
    page.get_by_label("Klar senast (datum)").fill((today + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Förhandsgranska").click()
    assert "Regeln träffar 2 personer. 0 av dem har redan klarat kursen." in page.inner_text("main")
    axe(page, "the rule form with a preview")
    page.get_by_role("button", name="Spara regeln").click()
    page.wait_for_url("**/tilldelningar/")
    assert "Regeln är sparad." in page.inner_text("main")
    axe(page, "the list of rules")
    page.get_by_role("link", name="Rapport per förvaltning och enhet").click()
    page.get_by_role("button", name="Visa tilldelningarna").click()
    table = page.get_by_role("region", name="Per förvaltning och enhet")
    assert "Förskoleförvaltningen" in table.inner_text() and "för få" in table.inner_text()  # 2 people
    axe(page, "the assignment report")
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width


def test_learner_and_chef_pages_pass_axe(app, page, axe):
    today = stockholm_today()
    with app.app_context():
        import_list([row("1"), row("2", role="chef")], today - timedelta(days=20))
        add_rule(today - timedelta(days=20), organisations=["fsk"], due_on=today - timedelta(days=2))
    make_user(app, "p2@malmo.se", name="Person 2")
    sign_in(page, "p2@malmo.se")
    page.goto("/mina-sidor/")
    assert "försenad" in page.get_by_role("region", name="Tilldelat dig").inner_text()
    axe(page, "Mina sidor with an assignment")
    page.goto("/kurs/grundkurs/")
    axe(page, "the course start page with an assignment")
    page.goto("/mina-sidor/")
    page.get_by_role("link", name="Min enhet: se hur det går för dina medarbetare med tilldelade kurser").click()
    page.wait_for_url("**/min-enhet/fsk/**")
    assert "Person 1" in page.inner_text("main")
    axe(page, "the chef's unit")
