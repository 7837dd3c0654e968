"""The course evaluation in a real browser: a learner answers it, a coordinator reads the results.

Every survey page on the way (the form, its error state, the results and the free text) is
checked with axe-core for WCAG 2.1 A/AA violations.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from learning.survey.pool import current_month
from tests.browser.conftest import TIMEOUT_MS
from tests.helpers import PASSWORD, make_user
from tests.survey_builders import completed_learner, released_response

COURSE = "/kurs/grundkurs"
LEARNER = "svarare@malmo.se"
COORDINATOR = "samordnare@malmo.se"
FREE_TEXT = "Fler exempel från förskolan, tack."
RELEASED = 5
OTHER_COMPLETIONS = 9  # with the learner: 10 who completed, so 5 released responses give 50,0 %


def sign_in(page, email: str) -> None:
    """Sign in through the real form."""
    page.goto("/logga-in")
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: "/logga-in" not in url)


def menu_link(page, name: str):
    return page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name, exact=True)


def scale(page, question: str):
    """The fieldset (radio group) of a 1-5 question, found by its legend."""
    return page.get_by_role("group", name=re.compile(re.escape(question)))


def test_learner_answers_the_survey_and_a_coordinator_reads_the_results(app, browser, live_server, page, axe):
    now = datetime.now(timezone.utc)  # completed this month, like the released answers
    completed_learner(app, LEARNER, "fsk", now)
    for number in range(OTHER_COMPLETIONS):
        completed_learner(app, f"klar{number}@malmo.se", "fsk", now)
    with app.app_context():
        month = current_month()
    for _ in range(RELEASED):
        released_response(app, "fsk", {"nojd": 4, "anvandning": 5}, {"behov": "Mer tid"}, month=month)
    make_user(app, COORDINATOR, name="Sam Samordnare", role="coordinator")

    # The learner finds the invitation on Mina sidor.
    sign_in(page, LEARNER)
    menu_link(page, "Mina sidor").click()
    page.wait_for_url("**/mina-sidor/")
    invitation = page.locator("section.invitation")
    assert "Vad tyckte du om kursen?" in invitation.inner_text()
    invitation.get_by_role("link", name="Svara på utvärderingen").click()
    page.wait_for_url(f"**{COURSE}/utvardering")
    assert page.get_by_role("heading", level=1).inner_text() == "Utvärdering av kursen"
    assert "Ditt svar är anonymt" in page.inner_text("main")
    axe(page, "the survey page")

    # Submitting with nothing chosen: a Swedish error, nothing stored.
    page.get_by_role("button", name="Skicka svaret").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Svaret kunde inte sparas" in alert.inner_text()
    assert "Svara på frågorna med skala 1–5 innan du skickar. Obesvarade: 1, 2." in alert.inner_text()
    assert page.title().startswith("Fel: ")
    axe(page, "the survey page with an error")

    # Both scales by their labels, plus one free-text answer.
    satisfied = scale(page, "Hur nöjd är du med denna utbildning?")
    satisfied.get_by_label("4", exact=True).check()
    useful = scale(page, "Kommer du ha användning för detta i ditt arbete?")
    useful.get_by_label("5 – I mycket hög grad", exact=True).check()
    assert satisfied.locator("input:checked").get_attribute("value") == "4"
    assert useful.locator("input:checked").get_attribute("value") == "5"
    page.get_by_label(re.compile("Vad behöver du för att fortsätta")).fill(FREE_TEXT)
    page.get_by_role("button", name="Skicka svaret").click()
    page.wait_for_url(f"**{COURSE}/")
    assert "Tack för ditt svar!" in page.get_by_role("status").inner_text()

    # No invitation any more.
    menu_link(page, "Mina sidor").click()
    page.wait_for_url("**/mina-sidor/")
    assert page.locator("section.invitation").count() == 0
    assert "Svara på utvärderingen" not in page.inner_text("main")

    # The coordinator, in a browser context of their own.
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        coordinator = context.new_page()
        sign_in(coordinator, COORDINATOR)
        menu_link(coordinator, "Utvärdering").click()
        coordinator.wait_for_url("**/utvardering/grundkurs/")
        assert coordinator.get_by_role("heading", level=1).inner_text().startswith("Utvärdering: ")
        summary = coordinator.locator("ul.summary").inner_text()
        assert "5 svar. Svarsfrekvens: 50,0 % (5 svar av 10 som har klarat kursen)." in summary
        assert "Hur nöjd är du med denna utbildning? Medelvärde: 4,00 av 5 (5 svar)." in summary
        assert "Kommer du ha användning för detta i ditt arbete? Medelvärde: 5,00 av 5 (5 svar)." in summary
        # The learner's answer waits in the pool until the month is over.
        assert "Svar från innevarande månad" in coordinator.inner_text("main")  # the learner's is not shown yet
        axe(coordinator, "the survey results page")

        coordinator.get_by_role("link", name="Läs fritextsvaren").click()
        coordinator.wait_for_url(re.compile(r"/utvardering/grundkurs/fritext\?"))
        main = coordinator.inner_text("main")
        assert main.count("Mer tid") == RELEASED
        assert FREE_TEXT not in main
        axe(coordinator, "the free-text page")
    finally:
        context.close()
