"""The staff import in a real browser, on a phone: the preview with names and the second question reflow at
320 px, pass axe, and nothing changes until the coordinator says yes twice."""

from __future__ import annotations

from datetime import date

from learning.staff import services
from tests.browser.test_survey_browser import sign_in
from tests.helpers import make_user
from tests.test_staff import csv_bytes, person


def test_coordinator_previews_confirms_and_is_asked_twice_when_many_would_leave(app, page, axe, tmp_path):
    with app.app_context():
        services.import_staff(csv_bytes([person(str(1000 + n)) for n in range(10)]), date(2026, 1, 15))
    make_user(app, "samordnare@malmo.se", role="coordinator")
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, "samordnare@malmo.se")
    page.goto("/personal/importera")
    path = tmp_path / "personal.csv"
    path.write_bytes(csv_bytes([person("1000"), person("2000", name="Ny Nilsson")]))
    page.get_by_label("Personallista (CSV-fil)").set_input_files(str(path))
    page.get_by_role("button", name="Läs in").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Ingenting är ändrat än." in main and "Ny Nilsson" in main and "Person 1009" in main
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page, "the staff import preview")

    page.get_by_role("button", name="Läs in listan").click()
    page.wait_for_load_state()
    assert "Kryssa i rutan" in page.inner_text("main")
    axe(page, "the preview asking a second time")
    page.get_by_label("Ja, 9 personer ska markeras som slutade").check()
    page.get_by_role("button", name="Läs in listan").click()
    page.get_by_role("heading", name="Personallistan är inläst").wait_for()
    assert "Markerade som slutade: 9" in page.inner_text("main")
