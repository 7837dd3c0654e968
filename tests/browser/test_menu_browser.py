"""The main menu on a phone: folded behind a "Meny" button that opens it; on a wide screen all groups show."""

from __future__ import annotations

from tests.browser.test_survey_browser import menu_link, sign_in
from tests.helpers import make_user


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(app, page, axe):
    make_user(app, "ada.admin@malmo.se", name="Ada Admin", role="admin")
    page.set_viewport_size({"width": 320, "height": 700})
    sign_in(page, "ada.admin@malmo.se")
    button = page.get_by_role("button", name="Meny")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not menu_link(page, "Användare").is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert menu_link(page, "Användare").is_visible() and menu_link(page, "Frågeanalys").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page, "the open phone menu")

    page.set_viewport_size({"width": 1280, "height": 800})
    assert not button.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["width"] == 1280  # the header spans the page
    for name in ("Kurser", "Rapporter", "Redigera", "Användare", "API-nycklar"):
        assert menu_link(page, name).is_visible()
