"""Every GET page of every role, generated from the app's URL map, at 320 and 1,280 px (WCAG 1.4.10 reflow).

On a seeded small city (tests/city_builders.py), each role signs in once and opens every page of the URL map;
the pages it may open (status 200, HTML) must not scroll sideways, must have no two visible controls, labels,
hints or the footer overlapping, and must pass axe-core. A new route without a sample value for one of its
arguments fails the sweep, so a page cannot be forgotten.
"""

from __future__ import annotations

import threading

import pytest
from flask import url_for
from werkzeug.routing import Rule
from werkzeug.serving import WSGIRequestHandler, make_server

from learning import create_app
from learning.extensions import db
from learning.timeutil import stockholm_month
from learning.visits import buffer as visit_buffer
from tests.browser.conftest import AXE_JS, TIMEOUT_MS, WCAG_TAGS, _describe
from tests.city_builders import ROLES, seed_city
from tests.helpers import PASSWORD, app_config, reset_database, seed_reference_data

WIDTHS = (1280, 320)
# At least this many pages per role, so that a broken sign-in or seed cannot pass by opening nothing.
MIN_PAGES = {"anonymous": 4, "learner": 8, "chef": 9, "hr": 14, "coordinator": 25, "editor": 14, "admin": 35}

# Routes that are not pages a person reads, each with the reason.
NOT_PAGES = {
    "static": "files, not pages",
    "images.show": "an image file",
    "ops.healthz": "plain text for a load balancer",
    "ops.readyz": "plain text for a load balancer",
    "mypages.export": "a JSON download",
    "accounts.confirm": "a one-use link from a mail that redirects",
    "accounts.reset_password": "a one-use link from a mail (its form is the password page's)",
    "sso.start": "redirects to the city's identity provider (404 when none is configured)",
    "sso.callback": "where the identity provider sends the browser back; answers a code and state, not a person",
    "sso.placement": "only after an SSO sign-in that nothing places; axe, reflow and errors in tests/browser/test_sso_browser.py",
}

# Pages whose layout depends on a query string as well: swept with these too.
# Pages that need a query string to be a page at all (without it they answer 400 with their form).
REQUIRED_QUERIES = {"editor.compare": "fran=1&till=1"}
EXTRA_QUERIES = {
    "reports.dashboard": ["fran={year_ago}&till={month}"],
    "council.report": ["ogonblick={snapshot}"],
    "programme.report": ["ogonblick={programme_snapshot}"],
}

# Visible things that must not overlap one another (bounding boxes), and the footer.
OVERLAP_JS = """() => {
  const selector = 'input:not([type=hidden]), select, textarea, button, .button, label, .hint, legend, summary, footer';
  const boxes = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (!el.checkVisibility()) continue;  // inside a closed <details> (or another hidden ancestor): not drawn
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;  // visually hidden
    boxes.push({el, r});
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.innerText || el.value || el.getAttribute('name') || '').trim().slice(0, 40) + '"';
  const clash = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      const footer = a.el.tagName === 'FOOTER' || b.el.tagName === 'FOOTER';
      const buttons = a.el.matches('button, .button') && b.el.matches('button, .button');
      // Controls must not overlap at all; two buttons, or anything and the footer, must not even touch.
      if (((footer || buttons) && w >= 0 && h >= 0) || (w > 0.5 && h > 0.5)) clash.push(name(a.el) + ' / ' + name(b.el));
    }
  }
  return clash;
}"""


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # hundreds of requests: keep the failure output readable
        pass

# The innermost elements that stick out to the right: what to fix when a page scrolls sideways.
WIDEST_JS = """() => {
  const out = [];
  const clipped = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    // An element sticks out itself, or its text does (a long address that does not wrap).
    const right = (e) => Math.max(e.getBoundingClientRect().right, getComputedStyle(e).overflowX === 'visible'
      ? e.getBoundingClientRect().left + e.scrollWidth : 0);
    if (right(el) <= window.innerWidth + 0.5 || clipped(el)) continue;
    if ([...el.children].some(c => right(c) > window.innerWidth + 0.5)) continue;
    out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className : '') +
             ' "' + (el.innerText || '').trim().slice(0, 30) + '" ' + Math.round(right(el)) + ' px');
    if (out.length >= 3) break;
  }
  return out;
}"""


def page_urls(app, values: dict[str, str]) -> list[str]:
    """Every GET page of the URL map, its arguments filled in from the seeded city."""
    urls = []
    missing = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
            continue
        if "fmt" in rule.arguments:  # CSV, XLSX and PDF downloads
            continue
        absent = [a for a in rule.arguments if a not in values]
        if absent:
            missing.append(f"{rule.rule} ({', '.join(absent)})")
            continue
        required = REQUIRED_QUERIES.get(rule.endpoint)
        urls.append(_build(app, rule, values) + (f"?{required}" if required else ""))
        for query in EXTRA_QUERIES.get(rule.endpoint, []):
            urls.append(_build(app, rule, values) + "?" + query.format(**values))
    assert not missing, (
        "the sweep has no sample value for these routes' arguments; seed one in tests/city_builders.py "
        "or list the route in NOT_PAGES with a reason: " + "; ".join(missing))
    return urls


def _build(app, rule: Rule, values: dict[str, str]) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})


@pytest.fixture(scope="module")
def city_server(database_url, _schema, _browser_requirements):
    """One app on the seeded city, served over HTTP for the whole module; yields (base URL, URLs)."""
    app = create_app(app_config(database_url))
    with app.app_context():
        reset_database()
        seed_reference_data()
    city = seed_city(app)
    with app.app_context():
        month = stockholm_month()
        city.values.update(month=month, year_ago=f"{int(month[:4]) - 1}{month[4:]}")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="sweep-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", page_urls(app, city.values)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        visit_buffer.close(app)
        with app.app_context():
            db.session.remove()
            reset_database()
            db.engine.dispose()


def check_page(page, url: str, axe_done: set) -> list[str] | None:
    """The faults of the page at url at both widths (None if the role may not open it).

    axe-core, the slow part, runs once per page and width over all roles (axe_done holds what it has checked),
    and on each role's first page for its menu; reflow and overlaps are checked for every role.
    """
    # Ask first without rendering: most pages of the map are not this role's, and a browser load costs more.
    status = page.request.get(url, max_redirects=0).status
    if status in (403, 404) or (status == 302 and url != "/logga-in"):
        # Not this role's page (403), someone else's object (404), or a redirect: to the sign-in page, or to
        # another page of the map (the first course's, say), which the sweep opens as its own.
        return None if status != 302 else _redirect(page, url)
    if status != 200:
        return [f"{url}: status {status}"]
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    response = page.goto(url)
    if response is None or response.status != 200 or not page.url.endswith(url):
        return [f"{url}: status {response.status if response else None} at {page.url} on the second look"]
    faults = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            faults.append(f"{url} at {width} px: the page scrolls sideways ({scroll} px wide): "
                          + ", ".join(page.evaluate(WIDEST_JS)))
        for clash in page.evaluate(OVERLAP_JS):
            faults.append(f"{url} at {width} px: overlap {clash}")
        if (url, width) in axe_done:
            continue
        axe_done.add((url, width))
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})).violations", WCAG_TAGS)
        if violations:
            faults.append(f"{url} at {width} px: axe\n{_describe(violations)}")
    return faults


def _redirect(page, url: str) -> list[str] | None:
    """A redirect to the sign-in page: not this role's page (None); to another page: opened, nothing to check."""
    location = page.request.get(url, max_redirects=0).headers.get("location", "")
    return None if "/logga-in" in location else []


@pytest.fixture(scope="module")
def axe_done() -> set:
    """(URL, width) pairs axe-core has checked in this module."""
    return set()


@pytest.fixture(scope="module")
def opened_by() -> dict[str, set[str]]:
    """Role -> the URLs it could open, filled in by the sweep."""
    return {}


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_every_page_reflows_without_overlap_and_passes_axe(city_server, browser, axe_done, opened_by, role):
    base_url, urls = city_server
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="sv-SE")
    # A busy CI machine can take long over the heaviest pages (the editor's preview): wait longer than elsewhere.
    context.set_default_timeout(4 * TIMEOUT_MS)
    page = context.new_page()
    try:
        if role != "anonymous":
            page.goto("/logga-in")
            page.get_by_label("E-postadress", exact=True).fill(ROLES[role])
            page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_load_state()
            assert "/logga-in" not in page.url, f"{role} could not sign in"
        faults, opened = [], 0
        for url in urls:
            if url == "/logga-in" and role != "anonymous":
                continue
            found = check_page(page, url, axe_done if opened else set())
            if found is not None:
                opened += 1
                faults += found
                opened_by.setdefault(role, set()).add(url)
        assert opened >= MIN_PAGES[role], f"{role} opened only {opened} pages"
        assert not faults, f"{len(faults)} fault(s) for {role}:\n" + "\n".join(faults)
    finally:
        context.close()


def test_every_page_was_swept_by_some_role(city_server, opened_by):
    """A page no role could open (a seed that lacks its data, a redirect) would otherwise escape the sweep."""
    if set(opened_by) != {"anonymous", *ROLES}:
        pytest.skip("runs after the sweep of every role (this run selected only some)")
    _base, urls = city_server
    swept = set().union(*opened_by.values())
    assert [url for url in urls if url not in swept] == []
