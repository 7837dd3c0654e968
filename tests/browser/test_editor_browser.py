"""An editor in a real browser: edit a part, see the live preview, publish, and a learner sees the change.

Every editor page on the way is checked with axe-core for WCAG 2.1 A/AA violations.
"""

from __future__ import annotations

import re

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_survey_browser import menu_link, sign_in
from tests.helpers import make_user
from tests.test_editor_images import picture

SENTENCE = "Redaktionens nya mening syns direkt."


def test_editor_previews_publishes_and_a_learner_sees_the_change(app, browser, live_server, page, axe):
    make_user(app, "redaktor@malmo.se", name="Rut Redaktör", role="editor")
    make_user(app, "anna.andersson@malmo.se")
    sign_in(page, "redaktor@malmo.se")
    menu_link(page, "Redigera").click()
    page.wait_for_url("**/redaktor/")
    assert page.get_by_role("heading", level=1).inner_text() == "Redigera kurser"
    axe(page, "the editor's file list")

    page.get_by_role("link", name=re.compile("^Del 1:")).click()
    page.wait_for_url(re.compile(r"/redaktor/fil/\d+$"))
    axe(page, "the edit page")
    source = page.get_by_label("Markdown")
    text = source.input_value()
    source.fill(text.replace("## Det här lär du dig", f"## Det här lär du dig\n\n{SENTENCE}", 1))
    # static/editor.js refreshes the preview while typing, with the server's rendering.
    preview = page.locator("#forhandsgranskning .preview")
    preview.get_by_text(SENTENCE).wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_role("status").filter(has_text="Förhandsgranskningen är uppdaterad.").count() == 1
    # The live message says what the check found, as the page does ("Kontrollen hittade 2 fel och 1 varning.").
    found = page.locator("#kontroll-antal").inner_text()
    assert found.startswith("Kontrollen hittade ")
    assert page.locator("#forhandsgranskning-status").inner_text() == f"Förhandsgranskningen är uppdaterad. {found}"
    source.fill(text.replace("## Det här lär du dig", "## Det här lär du dig\n\n![](finns-inte.png)", 1))
    page.get_by_role("status").filter(has_text=re.compile(r"Kontrollen hittade (\d+ fel|1 fel)")).wait_for(
        timeout=TIMEOUT_MS)
    source.fill(text.replace("## Det här lär du dig", f"## Det här lär du dig\n\n{SENTENCE}", 1))
    preview.get_by_text(SENTENCE).wait_for(timeout=TIMEOUT_MS)

    # The preview's quiz adds no tab stops until the editor opens it.
    quiz_stops = "() => [...document.querySelectorAll('#forhandsgranskning .quiz input')].filter(i => i.checkVisibility()).length"
    assert page.evaluate(quiz_stops) == 0
    page.locator("#forhandsgranskning summary", has_text="Visa kunskapstestets").click()
    assert page.evaluate(quiz_stops) > 0

    # Without waiting for the script: the Preview button posts and renders the same.
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_load_state()
    assert SENTENCE in page.locator("#forhandsgranskning .preview").inner_text()
    page.get_by_text("Hjälp: så skriver du texten och kunskapstestet").click()
    assert page.get_by_text("Ett exempel på en fråga:").is_visible()
    axe(page, "the edit page with a preview and the help open")

    # A learner sees nothing of it yet.
    learner = browser.new_context(base_url=live_server, locale="sv-SE").new_page()
    sign_in(learner, "anna.andersson@malmo.se")
    learner.goto("/kurs/grundkurs/del-1")
    assert SENTENCE not in learner.inner_text("main")

    # Publishing without a message is refused with the message tied to the field.
    page.get_by_role("button", name="Publicera").click()
    page.wait_for_load_state()
    message = page.get_by_label("Kort beskrivning av ändringen (krävs för att publicera)")
    assert message.get_attribute("aria-invalid") == "true"
    axe(page, "the edit page with an error")
    message.fill("Ny mening i inledningen")
    page.get_by_role("button", name="Publicera").click()
    page.get_by_text("Version 2 är publicerad.").wait_for()

    learner.reload()
    assert SENTENCE in learner.inner_text("main")
    learner.context.close()

    page.get_by_role("link", name="Prova kunskapstestet", exact=True).click()
    page.wait_for_url("**/prova")
    axe(page, "the quiz trial")
    page.get_by_role("button", name="Rätta svaren").click()
    page.wait_for_load_state()
    assert "Svara på alla frågor" in page.inner_text("main")
    axe(page, "the quiz trial with an error")

    page.goto(page.url.removesuffix("/prova") + "/historik")
    assert "Ny mening i inledningen" in page.inner_text("main") and "Rut Redaktör" in page.inner_text("main")
    axe(page, "the history")
    page.get_by_role("button", name="Visa skillnaden").click()
    page.wait_for_url("**/jamfor?**")
    assert "+ Tillagd" in page.inner_text("main") and SENTENCE in page.inner_text("main")
    axe(page, "the diff")


def test_editor_uploads_an_image_and_the_page_passes_axe(app, page, axe):
    make_user(app, "redaktor@malmo.se", name="Rut Redaktör", role="editor")
    sign_in(page, "redaktor@malmo.se")
    page.goto("/redaktor/")
    page.get_by_role("link", name="Bilder: ladda upp och se uppladdade bilder").click()
    page.wait_for_url("**/redaktor/bilder")
    axe(page, "the image page, empty")
    page.get_by_label("Bildfil").set_input_files(files=[{"name": "fel.png", "mimeType": "image/png", "buffer": b"<svg/>"}])
    page.get_by_role("button", name="Ladda upp").click()
    page.wait_for_load_state()
    assert "SVG-bilder tas inte emot" in page.inner_text("main")
    axe(page, "the image page with an error")
    page.get_by_label("Bildfil").set_input_files(files=[{"name": "Samtal.png", "mimeType": "image/png", "buffer": picture()}])
    page.get_by_role("button", name="Ladda upp").click()
    page.get_by_text("Bilden samtal.png är uppladdad.").wait_for()
    assert page.get_by_role("img", name="Miniatyr av samtal.png").evaluate("img => img.naturalWidth") == 12
    axe(page, "the image page with an image")


def test_the_editor_has_text_and_preview_side_by_side_line_numbers_and_links_to_lines(app, page, axe):
    make_user(app, "redaktor@malmo.se", name="Rut Redaktör", role="editor")
    sign_in(page, "redaktor@malmo.se")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/redaktor/")
    page.get_by_role("link", name=re.compile("^Del 1:")).click()
    page.wait_for_url(re.compile(r"/redaktor/fil/\d+$"))
    source = page.get_by_label("Markdown")
    lines = source.input_value().split("\n")
    lines.insert(12, "# En rubrik på fel nivå")  # a problem on line 13
    source.fill("\n".join(lines))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_load_state()

    # Side by side on a wide screen: the preview starts to the right of the text area.
    text_box = page.get_by_label("Markdown").bounding_box()
    preview_box = page.locator("#forhandsgranskning").bounding_box()
    assert preview_box["x"] >= text_box["x"] + text_box["width"]
    # Line numbers beside the text, one per line.
    assert page.locator(".line-numbers div").count() == len(lines)
    # The primary button looks different from the others.
    colour = page.evaluate("(name) => [...document.querySelectorAll('.editor-form button')].map("
                           "b => [b.textContent.trim(), getComputedStyle(b).backgroundColor])", None)
    colours = dict(colour)
    assert colours["Publicera"] != colours["Spara utkast"] and colours["Spara utkast"] == colours["Förhandsgranska"]

    link = page.locator("a.goto-line").first
    line = int(link.get_attribute("data-line"))
    link.click()
    assert page.evaluate("() => document.activeElement.id") == "markdown"
    before = page.evaluate("() => { const t = document.getElementById('markdown'); return t.value.slice(0, t.selectionStart); }")
    assert before.count("\n") == line - 1
    axe(page, "the edit page side by side")

    # On a phone the preview comes under the text, and nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    text_box = page.get_by_label("Markdown").bounding_box()
    assert page.locator("#forhandsgranskning").bounding_box()["y"] > text_box["y"] + text_box["height"]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_editor_works_without_javascript(app, browser, live_server):
    make_user(app, "redaktor@malmo.se", name="Rut Redaktör", role="editor")
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    try:
        sign_in(page, "redaktor@malmo.se")
        page.goto("/redaktor/")
        page.get_by_role("link", name=re.compile("^Del 1:")).click()
        page.wait_for_url(re.compile(r"/redaktor/fil/\d+$"))
        source = page.get_by_label("Markdown")
        source.fill(source.input_value().replace("## Det här lär du dig", f"## Det här lär du dig\n\n{SENTENCE}", 1))
        page.get_by_role("button", name="Förhandsgranska").click()
        page.wait_for_load_state()
        assert SENTENCE in page.locator("#forhandsgranskning .preview").inner_text()
        assert page.locator(".line-numbers").count() == 0  # a plain text area
        page.get_by_label("Kort beskrivning av ändringen (krävs för att publicera)").fill("Utan skript")
        page.get_by_role("button", name="Publicera").click()
        page.get_by_text("Version 2 är publicerad.").wait_for()
    finally:
        context.close()
