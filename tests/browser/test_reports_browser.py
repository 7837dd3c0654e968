"""The completion dashboard in a real browser: reachable from the menu, no WCAG 2.1 A/AA violations."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.browser.test_survey_browser import menu_link, sign_in
from tests.helpers import make_user
from tests.survey_builders import completed_learner


def test_coordinator_reads_the_dashboard(app, page, axe):
    for n in range(6):
        completed_learner(app, f"klar{n}@malmo.se", "fsk", datetime(2026, 3, 10, 12, tzinfo=timezone.utc))
    make_user(app, "samordnare@malmo.se", role="coordinator")
    sign_in(page, "samordnare@malmo.se")
    menu_link(page, "Rapporter").click()
    page.wait_for_url("**/rapporter/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Genomförande")
    page.get_by_label("Från månad").fill("2026-01")
    page.get_by_label("Till och med månad").fill("2026-06")
    page.get_by_role("button", name="Visa siffrorna").click()
    page.wait_for_url("**fran=2026-01**")
    main = page.inner_text("main")
    assert "6 klara av 6 registrerade" in main  # the coordinator signed up after the period
    assert page.get_by_role("img", name="Antal som blev klara per månad").is_visible()
    axe(page, "the completion dashboard")


def test_people_list_and_quiz_analysis_pass_axe(app, page, axe):
    for n in range(6):
        completed_learner(app, f"klar{n}@malmo.se", "fsk", datetime(2026, 3, 10, 12, tzinfo=timezone.utc))
    make_user(app, "samordnare@malmo.se", role="coordinator")
    sign_in(page, "samordnare@malmo.se")
    page.goto("/rapporter/grundkurs/")
    page.get_by_role("link", name="Vilka har inte blivit klara? Se personerna").click()
    page.wait_for_url("**/personer**")
    assert "klar0@malmo.se" in page.inner_text("main")
    axe(page, "the people list")
    page.goto("/rapporter/grundkurs/")
    page.get_by_role("link", name="Analys av kunskapstesten").click()
    page.wait_for_url("**/kunskapstest")
    axe(page, "the quiz analysis")
