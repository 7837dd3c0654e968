"""Sessions, group viewing and the council report in a real browser: usable by keyboard and mouse, no WCAG 2.1 A/AA
violations."""

from __future__ import annotations

from tests.browser.test_survey_browser import menu_link, sign_in
from tests.council_builders import seed_scenario
from tests.helpers import make_user

TEAMS = "Namn;E-post;Anslutningstid\nAnna Andersson;anna@malmo.se;09:01\nExtern Gäst;gast@example.com;09:05\n"


def test_coordinator_registers_a_session_and_imports_attendance(app, page, axe, tmp_path):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    make_user(app, "anna@malmo.se", organisation="fsk")
    sign_in(page, "samordnare@malmo.se")
    menu_link(page, "Tillfällen").click()
    page.wait_for_url("**/tillfallen/")
    axe(page, "the session list (empty)")
    page.get_by_role("link", name="Registrera ett tillfälle").click()
    page.get_by_role("button", name="Spara").click()  # nothing filled in
    assert page.get_by_role("alert").is_visible()
    axe(page, "the session form with errors")
    page.get_by_label("Typ").select_option("workshop")
    page.get_by_label("Rubrik").fill("Workshop för förskolan")
    page.get_by_label("Datum").fill("2026-03-14")
    page.get_by_label("Arrangör").fill("Resursteam heder")
    page.get_by_label("Förskoleförvaltningen").check()
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/tillfallen/*")
    attendance = tmp_path / "narvaro.csv"
    attendance.write_bytes(TEAMS.encode("cp1252"))
    page.get_by_label("Närvarolista (CSV-fil)").set_input_files(str(attendance))
    page.get_by_role("button", name="Läs in").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Närvarolistan är inläst" in main and "Extern Gäst" in main
    axe(page, "a session with an import result and a row to place")
    page.get_by_label("Förvaltning för Extern Gäst").select_option("kul")
    page.get_by_role("button", name="Registrera som deltagare").click()
    page.wait_for_load_state()
    assert "Rader att hantera" not in page.inner_text("main")
    axe(page, "a session with attendees")
    page.get_by_role("link", name="Ta bort tillfället").click()
    axe(page, "the question before a session is deleted")
    page.get_by_role("button", name="Ja, ta bort tillfället").click()
    page.wait_for_url("**/tillfallen/")
    assert "Inga tillfällen är registrerade ännu." in page.inner_text("main")


def test_learner_registers_a_group(app, page, axe):
    make_user(app, "anna@malmo.se", organisation="fsk")
    sign_in(page, "anna@malmo.se")
    page.goto("/kurs/grundkurs/del-1")  # the registrant has opened the course
    page.goto("/kurs/grundkurs/")
    page.get_by_role("link", name="Registrera gruppen").click()
    page.get_by_label("Förskoleförvaltningen").fill("60")
    page.get_by_role("button", name="Registrera gruppen").click()
    assert "högst 50" in page.inner_text("main") or "från 0 till 50" in page.inner_text("main")
    axe(page, "the group form with an error")
    page.get_by_label("Förskoleförvaltningen").fill("4")
    page.get_by_role("button", name="Registrera gruppen").click()
    page.wait_for_load_state()
    assert "4 andra deltagare" in page.inner_text("main")
    axe(page, "the learner's groups")


def test_coordinator_reads_and_freezes_the_council_report(app, page, axe):
    seed_scenario(app)
    make_user(app, "samordnare@malmo.se", role="coordinator", name="Sara Samordnare")
    sign_in(page, "samordnare@malmo.se")
    menu_link(page, "Återrapport").click()
    page.wait_for_url("**/aterrapport**")
    page.get_by_label("Från månad").fill("2026-03")
    page.get_by_label("Till och med månad").fill("2026-03")
    page.get_by_role("button", name="Visa siffrorna").click()
    page.wait_for_url("**fran=2026-03**")
    # The menu leads to the programme's report: every course, session and group viewing together.
    assert "Totalt deltog cirka 2 259 personer" in page.inner_text("main")
    axe(page, "the programme report")
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.get_by_role("link", name="Grundkurs om hedersrelaterat våld och förtryck").first.click()
    page.wait_for_url("**/grundkurs/aterrapport**")
    assert "Totalt deltog 1 867 personer" in page.inner_text("main")
    axe(page, "the course's council report")
    page.go_back()
    page.wait_for_url("**/rapporter/aterrapport?**")
    page.get_by_role("button", name="Frys siffrorna för perioden").click()
    page.wait_for_url("**ogonblick=**")
    assert "frysta av Sara Samordnare" in page.inner_text("main")
    axe(page, "a frozen council report")
