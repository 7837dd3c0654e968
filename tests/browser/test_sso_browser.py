"""A city employee signs in with their work account in a real browser, against a real OpenID provider."""

from __future__ import annotations

import re

import pytest

from tests.oidc import sso_settings
from tests.test_sso import _staff_list


@pytest.fixture
def app_settings(oidc_provider):
    oidc_provider.reset()
    return sso_settings(oidc_provider, LOCAL_ACCOUNTS=False)


def test_one_click_at_the_city_and_the_learner_is_in_the_course_with_their_forvaltning(app, page, axe, oidc_provider):
    _staff_list(app, "E300,Mira Holm,mira.holm@malmo.se,kul,Bibliotek Väst,medarbetare")
    oidc_provider.set_user("sub-mira", email="mira.holm@malmo.se", name="Mira Holm", employee_id="E300")
    page.route("https://**", lambda route: route.abort())  # the provider's page wants a stylesheet from the net
    page.goto("/kurs/grundkurs/")
    page.wait_for_url(re.compile(r"/logga-in"))
    assert page.get_by_label("Lösenord").count() == 0  # SSO only: no password form, no sign-up
    assert page.get_by_role("link", name=re.compile("Skapa ett konto")).count() == 0
    axe(page, "sign-in page with only the work account")
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.get_by_role("link", name="Logga in med ditt jobbkonto").click()
    page.wait_for_url(oidc_provider.url + "/oauth2/authorize**")
    page.locator('input[name="sub"]').fill("sub-mira")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r"/kurs/grundkurs/$"))
    axe(page, "course start page after SSO")
    page.goto("/mina-sidor/")
    assert page.get_by_label("Förvaltning").evaluate("s => s.options[s.selectedIndex].text") == "Kulturförvaltningen"
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(oidc_provider.url + "/oauth2/end_session**")  # the provider is told as well
