"""Browser fixtures: the app served for real on loopback, a headless Chromium, and an axe check.

Needs the Debian chromium at /usr/bin/chromium and axe-core from npm; `make test` installs both.
The tests are skipped, with the reason shown in the summary, when either is missing.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from learning.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000


@contextmanager
def serving(app):
    """Serve app over real HTTP on 127.0.0.1 (a free port) inside the block; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    """The test app served over real HTTP on 127.0.0.1 (a free port); yields its base URL."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def _browser_requirements():
    """Skip, saying what is missing and how to get it, unless Chromium and axe-core are installed."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium ({CHROMIUM}; install with `apt-get install chromium`)")
    if not AXE_JS.exists():
        missing.append(f"axe-core ({AXE_JS.relative_to(PROJECT_ROOT)}; install with `npm ci`)")
    if missing:
        reason = "browser tests need " + " and ".join(missing) + "; `make test` installs both"
        if os.environ.get("CI"):
            pytest.fail(reason + " (in CI the WCAG checks must run, not be skipped)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(_browser_requirements):
    """One headless Chromium for the run (the system one: `playwright install` is never needed)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing; `make test` installs it")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) against the live server.

    bypass_csp lets the axe helper inject axe-core as an inline script; the app's
    Content-Security-Policy (script-src 'self') would otherwise block it.
    """
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def _describe(violations: list[dict], max_targets: int = 3) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node.get("target", []))) for node in v.get("nodes", [])]
        shown = ", ".join(targets[:max_targets])
        more = f" (+{len(targets) - max_targets} more)" if len(targets) > max_targets else ""
        lines.append(f"  - {v['id']} [{v.get('impact')}]: {v.get('help')} -> {shown}{more}\n    {v.get('helpUrl', '')}")
    return "\n".join(lines)


def assert_accessible(page, what: str | None = None) -> None:
    """Run axe-core on the current page; fail listing every WCAG 2.1 A/AA violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = results["violations"]
    label = what or page.url
    count = len(violations)
    assert count == 0, (
        f"{len(violations)} WCAG 2.1 A/AA violation(s) on {label} ({page.url}):\n{_describe(violations)}"
    )


@pytest.fixture
def axe():
    """The axe check as a fixture: axe(page, "what the page is")."""
    return assert_accessible
