"""Every form, sent empty or with a bad value, comes back with the one error pattern (issue 16, WCAG 3.3.1, 2.4.3).

The forms are found from the app itself: every endpoint in the URL map that takes a POST, and every GET form on
the pages visited, must have a case below (or be a button with nothing to get wrong, with the reason). For each
case, in a real Chromium: focus is on the error summary, each summary link moves focus to its field, each such
field has aria-invalid="true" and an aria-describedby that points at a visible message, the title starts with
"Fel: ", the status is 400 and axe-core finds nothing. Also here: the focus ring's contrast against what is under it,
in the header, main and footer, and the quiz result that carries the score and takes focus.

One app, one server and one signed-in browser context per role for the whole module, to keep it fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from learning.contacts.services import MAX_TEXT as CONTACT_MAX
from learning.extensions import db
from learning.groups.models import GroupViewing
from learning.survey.pool import current_month
from tests.browser.conftest import TIMEOUT_MS, assert_accessible, serving
from tests.browser.test_learner_browser import answer_quiz
from tests.browser.test_survey_browser import sign_in
from tests.conftest import seeded_app
from tests.editor_builders import file_id
from tests.helpers import csrf_token, login, make_user, published
from tests.report_builders import opened_a_part
from tests.survey_builders import completed_learner, released_response
from tests.test_sessions import TEAMS, _create, _upload

LEARNER, EDITOR, COORDINATOR, ADMIN = ("larande@malmo.se", "redaktor@malmo.se", "samordnare@malmo.se",
                                       "admin@malmo.se")
ROLES = {"learner": LEARNER, "editor": EDITOR, "coordinator": COORDINATOR, "admin": ADMIN}

# POST endpoints whose form is a single button (besides its CSRF token): there is nothing to fill in wrongly.
BUTTONS = {
    "accounts.logout": "the sign-out button",
    "admin.set_disabled": "deactivate or open an account: a button",
    "api_tokens.revoke": "revoke a key: a button",
    "assignments.close": "close a rule: a button",
    "council.freeze": "freeze the figures: a button",
    "programme.freeze": "freeze the programme's figures: a button",
    "editor.restore": "restore a version: a button",
    "groups.withdraw": "withdraw a group: a button",
    "sessions.delete": "the yes-delete button",
    "sessions.dismiss": "dismiss an unmatched row: a button",
    "survey.decline": "no thanks to the survey: a button",
    # Not forms a person sends with a value that can be wrong:
    "editor.live_preview": "the editor's script posts the text for the preview; the form itself is editor.edit",
    "survey.tag": "ticking no theme is valid (it clears the themes); every box offered is a theme that exists",
}
# GET forms where no typed value is wrong.
ANYTHING_GOES = {"admin.users": "search by any text"}


@dataclass
class Case:
    """Open url as role, make the form wrong with act (or just open url when act is None), expect the pattern."""

    endpoint: str
    role: str | None
    url: str | Callable[[dict], str]
    act: Callable | None = None
    check: Callable | None = field(default=None)


def click(name: str, before: Callable | None = None):
    """Submit by the button named name (optionally doing something first)."""

    def act(page):
        if before is not None:
            before(page)
        page.locator("main").get_by_role("button", name=name, exact=True).first.click()

    return act


def fill(label: str, value: str):
    return lambda page: page.locator("main").get_by_label(label, exact=True).fill(value)


def open_details(summary: str):
    return lambda page: page.locator("main summary", has_text=summary).first.click()


def _keeps_typed_period(page):
    assert page.locator("#fran").input_value() == "2026-13"  # the value as typed, in the same form
    assert page.locator("form.filters").count() == 1


def _too_long_contact(page):
    text = page.get_by_label("Text som deltagarna ser", exact=True)
    text.evaluate("el => el.removeAttribute('maxlength')")  # as a script or an old browser could send it
    text.fill("x" * (CONTACT_MAX + 1))


def _hr_without_scope(page):
    page.get_by_label("Behörighet").select_option("hr")
    for box in page.locator("main input[name=scopes]").all():
        box.uncheck()


CASES = [
    Case("accounts.login", None, "/logga-in", click("Logga in")),
    Case("accounts.signup", None, "/registrera", click("Skapa konto")),
    Case("accounts.forgot_password", None, "/glomt-losenord", click("Skicka länk")),
    Case("accounts.reset_password", None, "/nytt-losenord/vilken-som-helst", click("Spara nytt lösenord")),
    Case("certificates.lookup", None, "/intyg/", click("Kontrollera intyget")),
    Case("accounts.change_password", "learner", "/byt-losenord", click("Spara nytt lösenord")),
    Case("sso.placement", "learner", "/sso/var-arbetar-du", click("Spara och fortsätt")),
    Case("mypages.index", "learner", "/mina-sidor/", click("Spara uppgifterna", fill("Namn", ""))),
    Case("learn.submit", "learner", "/kurs/grundkurs/del-1", click("Skicka in svaren")),
    Case("survey.answer", "learner", "/kurs/grundkurs/utvardering", click("Skicka svaret")),
    Case("groups.index", "learner", "/kurs/grundkurs/grupp/", click("Registrera gruppen")),
    Case("groups.edit", "learner", lambda ids: f"/kurs/grundkurs/grupp/{ids['group']}",
         click("Spara ändringen", fill("Datum då ni gick kursen", ""))),
    Case("editor.edit", "editor", lambda ids: f"/redaktor/fil/{ids['file']}", click("Publicera")),
    Case("editor.try_quiz", "editor", lambda ids: f"/redaktor/fil/{ids['file']}/prova", click("Rätta svaren")),
    Case("editor.compare", "editor", lambda ids: f"/redaktor/fil/{ids['file']}/jamfor?fran=999&till=1"),
    Case("editor.new_part", "editor", "/redaktor/", click("Skapa delen", open_details("Lägg till en del"))),
    Case("editor.new_course", "editor", "/redaktor/", click("Skapa kursen")),
    Case("editor.upload_image", "editor", "/redaktor/bilder", click("Ladda upp bilden")),
    Case("admin.user", "admin", lambda ids: f"/admin/anvandare/{ids['learner']}",
         click("Spara användarens roll", _hr_without_scope)),
    Case("contacts.index", "admin", "/kontakter/", click("Spara kontakttexten", _too_long_contact)),
    Case("api_tokens.index", "coordinator", "/api-nycklar/", click("Skapa nyckel")),
    Case("staff.headcount", "coordinator", "/personal/antal", click("Spara antalet anställda")),
    Case("staff.upload", "coordinator", "/personal/importera", click("Läs in personallistan")),
    Case("assignments.new", "coordinator", "/tilldelningar/ny", click("Spara regeln")),
    Case("sessions.create", "coordinator", "/tillfallen/nytt", click("Spara tillfället")),
    Case("sessions.edit", "coordinator", lambda ids: f"/tillfallen/{ids['session']}/andra",
         click("Spara tillfället", fill("Rubrik", ""))),
    Case("sessions.set_count", "coordinator", lambda ids: f"/tillfallen/{ids['session']}", click("Spara antal")),
    Case("sessions.upload", "coordinator", lambda ids: f"/tillfallen/{ids['session']}", click("Läs in närvarolistan")),
    Case("sessions.place", "coordinator", lambda ids: f"/tillfallen/{ids['session']}",
         click("Registrera som deltagare")),
    Case("survey.add_theme", "coordinator", "/utvardering/grundkurs/fritext", click("Lägg till tema")),
    Case("survey.redact", "coordinator", "/utvardering/grundkurs/fritext",
         click("Ta bort texten", open_details("Ta bort text som pekar ut någon"))),
    # Filters: a bad value typed, or one in a bookmarked address, shows the same page with the form.
    Case("reports.dashboard", "coordinator", "/rapporter/grundkurs/",
         click("Visa siffrorna", fill("Från månad", "2026-13")), _keeps_typed_period),
    Case("council.report", "coordinator", "/rapporter/grundkurs/aterrapport",
         click("Visa siffrorna", fill("Från månad", "2026-13")), _keeps_typed_period),
    Case("programme.report", "coordinator", "/rapporter/aterrapport",
         click("Visa siffrorna", fill("Från månad", "2026-13")), _keeps_typed_period),
    Case("reports.persons", "coordinator", "/rapporter/grundkurs/personer?status=okand&forvaltning=finns-inte"),
    Case("survey.report", "coordinator", "/utvardering/grundkurs/?halvar=2026-3"),
    Case("survey.texts", "coordinator", "/utvardering/grundkurs/fritext?halvar=x"),
    Case("assignments.report_page", "coordinator", "/tilldelningar/rapport/grundkurs?forvaltning=finns-inte"),
]


@pytest.fixture(scope="module")
def world(database_url, _schema, _smtp_sink, browser):
    """The app with one account per role and what the forms need, served, with a signed-in context per role."""
    with seeded_app(database_url, _smtp_sink[1]) as app:
        now = datetime.now(timezone.utc)
        ids = {"learner": completed_learner(app, LEARNER, "fsk", now)}
        for role in ("editor", "coordinator", "admin"):
            make_user(app, ROLES[role], role=role)
        with app.app_context():
            month = current_month()
        # Enough people and answers for the free text to be shown, and so many who opened a part that the
        # learner's own visits below change no small number (which would hide the free text).
        for number in range(9):
            user_id = completed_learner(app, f"klar{number}@malmo.se", "fsk", now)
            opened_a_part(app, user_id)
        opened_a_part(app, ids["learner"])
        for _ in range(5):
            released_response(app, "fsk", {"nojd": 4, "anvandning": 4}, {"behov": "Mer tid"}, month=month)
        ids["file"] = file_id(app)
        coordinator = app.test_client()
        login(coordinator, COORDINATOR)
        ids["session"] = _create(coordinator, date.today() - timedelta(days=7))
        assert _upload(coordinator, ids["session"], TEAMS.encode()).status_code == 200  # leaves a row to place
        learner = app.test_client()
        login(learner, LEARNER)
        learner.get("/kurs/grundkurs/del-1")  # the registrant has opened the course
        learner.post("/kurs/grundkurs/grupp/", data={"csrf_token": csrf_token(learner, "/kurs/grundkurs/grupp/"),
                                                     "viewed_on": date.today().isoformat(), "antal_fsk": "3"})
        with app.app_context():
            ids["group"] = db.session.scalar(select(GroupViewing.id))
        assert ids["group"], "the group registration in the set-up failed"
        with serving(app) as base_url:
            contexts = {}
            for role in (None, *ROLES):
                context = browser.new_context(base_url=base_url, bypass_csp=True, locale="sv-SE")
                context.set_default_timeout(TIMEOUT_MS)
                if role:
                    page = context.new_page()
                    sign_in(page, ROLES[role])
                    page.close()
                contexts[role] = context
            try:
                yield app, ids, contexts, base_url
            finally:
                for context in contexts.values():
                    context.close()


@pytest.fixture
def tab(world, request):
    """A new tab in the context of a role (request.param), closed after the test."""
    page = world[2][request.param].new_page()
    yield page
    page.close()


def _endpoint(app, url: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path, method=method)[0]
    except Exception:  # an address outside the app
        return None


def test_every_form_of_the_app_has_a_case(world):
    """The cases cover every endpoint that takes a POST (a new form without a case fails here)."""
    rules = list(world[0].url_map.iter_rules())
    posted = {rule.endpoint for rule in rules if "POST" in rule.methods}
    assert posted - {case.endpoint for case in CASES} - set(BUTTONS) == set(), \
        "forms without a case in CASES (or a reason in BUTTONS)"
    assert {case.endpoint for case in CASES} - {rule.endpoint for rule in rules} == set(), "cases of no endpoint"


# Every summary link, followed in the page (a click, as static/forms.js handles it), and what it lands on; in one
# round trip, since the machine running CI is slow.
FOLLOW_LINKS = """summary => Array.from(summary.querySelectorAll("a[href^='#']")).map(link => {
    const target = decodeURIComponent(link.getAttribute('href').slice(1));
    link.click();
    const control = document.activeElement;
    const group = (control.type === 'radio' || control.type === 'checkbox') && control.closest('fieldset');
    const ids = [control.getAttribute('aria-describedby'), group && group.getAttribute('aria-describedby')]
        .join(' ').split(/\\s+/).filter(id => id && id !== 'null' && id !== 'false');
    const messages = ids.map(id => document.getElementById(id))
        .filter(m => m && m.classList.contains('error') && m.getClientRects().length && m.innerText.trim());
    const found = {link: link.innerText, target, focused: control.id, invalid: control.getAttribute('aria-invalid'),
                   messages: messages.map(m => m.innerText.trim())};
    summary.focus();
    return found;
})"""


def assert_error_pattern(page, what: str) -> None:
    """The one error pattern, as a keyboard and screen-reader user meets it."""
    assert page.title().startswith("Fel: "), f"{what}: title {page.title()!r}"
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1, f"{what}: {summary.count()} error summaries"
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('[data-error-summary]')",
                           timeout=5_000)
    links = summary.evaluate(FOLLOW_LINKS)
    assert links, f"{what}: the summary links to no field: {summary.inner_text()!r}"
    for link in links:
        assert link["focused"] == link["target"], f"{what}: the link {link['link']!r} put focus elsewhere: {link}"
        assert link["invalid"] == "true", f"{what}: #{link['target']} lacks aria-invalid: {link}"
        assert link["messages"], f"{what}: #{link['target']} is described by no visible message: {link}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.endpoint) for c in CASES])
def test_form_sent_wrong_comes_back_with_the_error_pattern(world, case):
    app, ids, contexts, _base_url = world
    page = contexts[case.role].new_page()
    try:
        url = case.url(ids) if callable(case.url) else case.url
        if case.act is None:
            response = page.goto(url)
        else:
            page.goto(url)
            _assert_forms_known(app, page)
            with page.expect_navigation() as navigation:
                case.act(page)
            response = navigation.value
        assert response.status == 400, f"{case.endpoint}: status {response.status}"
        assert_error_pattern(page, case.endpoint)
        if case.check:
            case.check(page)
        assert_accessible(page, f"{case.endpoint} with errors")
    finally:
        page.close()


def _assert_forms_known(app, page) -> None:
    """Every form on a visited page is one of the cases (or a button, or a search where nothing is wrong)."""
    known = {c.endpoint for c in CASES} | set(BUTTONS) | set(ANYTHING_GOES)
    for form in page.locator("form").all():
        method = (form.get_attribute("method") or "get").upper()
        # (form.action would be a control named "action" on forms that have one)
        endpoint = _endpoint(app, form.evaluate("f => new URL(f.getAttribute('action') || '', location.href).href"),
                             method)
        assert endpoint in known, f"a form on {page.url} ({method} {endpoint}) has no case"


def test_without_javascript_focus_still_lands_on_the_summary_and_links_reach_their_fields(world, browser):
    context = browser.new_context(base_url=world[3], java_script_enabled=False, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto("/logga-in")
        page.get_by_role("button", name="Logga in", exact=True).click()
        page.wait_for_load_state()
        assert page.evaluate("() => document.activeElement.matches('[data-error-summary]')")  # autofocus does it
        page.locator("[data-error-summary] a").first.click()
        assert page.evaluate("() => document.activeElement.id") == "email"  # following a link focuses a control
    finally:
        context.close()


# --- The focus ring (WCAG 1.4.11): 3:1 against what is under it, computed as the browser draws it. ---

RING = """el => {
    const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
    const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                                 return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const gap = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) / 2;
    const points = [[rect.left - gap, rect.top + rect.height / 2], [rect.right + gap, rect.top + rect.height / 2],
                    [rect.left + rect.width / 2, rect.bottom + gap]];
    const under = (x, y) => {  // the first painted background under the ring at x, y, outside the element itself
        for (let node of document.elementsFromPoint(x, y)) {
            if (node === el || el.contains(node)) continue;
            for (; node; node = node.parentElement) {
                const bg = parse(getComputedStyle(node).backgroundColor);
                if (bg[3] > 0) return bg;
            }
        }
        return [255, 255, 255, 1];
    };
    const ring = parse(style.outlineColor);
    const ratios = points.filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight).map(([x, y]) => {
        const a = lum(ring), b = lum(under(x, y));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });
    return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), ratio: Math.min(...ratios)};
}"""

SAMPLES = [
    ("header", "the skip link", "a.skip-link"),
    ("header", "the site name", "header a.brand"),
    ("header", "a menu link", "header nav a >> nth=1"),
    ("header", "the sign-out button", "header button[type=submit]"),
    ("main", "a link", "main a >> nth=0"),
    ("main", "a text field", "main input[type=text] >> nth=0"),
    ("main", "a button", "main button >> nth=0"),
    ("footer", "a link", "footer a"),
]


@pytest.mark.parametrize("tab", ["learner"], indirect=True)
def test_focus_ring_has_three_to_one_against_what_is_under_it(tab):
    tab.goto("/mina-sidor/")
    tab.keyboard.press("Tab")  # keyboard use, so that :focus-visible applies as it does for a keyboard user
    for region, what, selector in SAMPLES:
        element = tab.locator(selector)
        element.focus()
        ring = element.evaluate(RING)
        assert ring["style"] != "none" and ring["width"] >= 2, f"{what} in the {region}: no focus ring ({ring})"
        assert ring["ratio"] >= 3, f"{what} in the {region}: focus ring contrast {ring['ratio']:.2f}:1"


# --- The quiz result: the score is in the heading and the title, and focus is on it (WCAG 4.1.3). ---

@pytest.mark.parametrize("tab", ["learner"], indirect=True)
def test_quiz_result_heading_holds_the_score_and_takes_focus(world, tab):
    part = published(world[0]).part("del-1")
    tab.goto("/kurs/grundkurs/del-1")
    answer_quiz(tab, part, right=False)
    tab.get_by_role("button", name="Skicka in svaren").click()
    tab.wait_for_url(re.compile(r"/resultat/\d+$"))
    heading = tab.get_by_role("heading", level=1)
    expected = f"Resultat: 0 av {len(part.doc.questions)} rätt – inte godkänt"
    assert heading.inner_text() == expected
    assert tab.title().startswith(expected)
    tab.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'", timeout=5_000)
    assert_accessible(tab, "the quiz result")
