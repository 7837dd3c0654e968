"""API keys in a real browser: from the menu, a mistake, a new key shown once, revoked; no WCAG 2.1 A/AA violations."""

from __future__ import annotations

from tests.browser.test_survey_browser import menu_link, sign_in
from tests.helpers import make_user


def test_coordinator_creates_and_revokes_an_api_key(app, page, axe):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    sign_in(page, "samordnare@malmo.se")
    menu_link(page, "API-nycklar").click()
    page.wait_for_url("**/api-nycklar/")
    assert "Du har inga API-nycklar ännu." in page.inner_text("main")
    axe(page, "the API key page")

    page.get_by_role("button", name="Skapa nyckel").click()
    assert page.get_by_role("alert").get_by_role("link", name="Fyll i ett namn på nyckeln.").is_visible()
    axe(page, "the API key page with an error")

    page.get_by_label("Namn på nyckeln").fill("Uppföljningsverktyget")
    page.get_by_role("button", name="Skapa nyckel").click()
    secret = page.get_by_label("API-nyckel", exact=True).input_value()
    assert secret.startswith("lrn_") and "visas bara den här gången" in page.inner_text("main")
    axe(page, "the new API key page")

    page.get_by_role("link", name="Tillbaka till API-nycklar").click()
    assert secret not in page.content()
    assert page.get_by_role("row", name="Uppföljningsverktyget").get_by_role("cell", name="Aktiv").is_visible()
    axe(page, "the API key list")
    page.get_by_role("button", name="Återkalla Uppföljningsverktyget").click()
    page.wait_for_url("**/api-nycklar/")
    assert "är återkallad" in page.inner_text("main")
    axe(page, "the API key list after revoking")
