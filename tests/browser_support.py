"""Real-browser fixtures: Playwright (sync API) driving Debian's Chromium against live_server.

Never downloads a browser. Without /usr/bin/chromium the tests are skipped locally and
fail in CI (CI must not pass by skipping).

A conftest.py makes the fixtures available to its folder by importing them:
``from tests.browser_support import chromium, new_page, plain_http_cookies``.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in
# a thread with a running loop unless told it is safe (it is: the loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def require_chromium():
    """Skip the test (fail it in CI) when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    reason = (
        f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (never downloaded)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """One Chromium per test module; Playwright's event loop ends with the module."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def plain_http_cookies(settings):
    # live_server speaks plain HTTP; keep cookies and redirects working whatever DEBUG is.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def new_page(chromium, live_server, plain_http_cookies):
    """Factory for pages in fresh browser contexts (separate cookies), closed after the test.

    Every page records Content-Security-Policy violations and page errors in
    ``page.problems``: the product must not need inline scripts or styles.
    """
    contexts = []

    def make(**context_options):
        context = chromium.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on(
            "console",
            lambda msg: (
                page.problems.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA rules (axe-core's tags).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    """axe-core's WCAG 2.1 AA violations on the page as it is now: [(rule, [targets])].

    axe-core comes from the npm registry (`make test` installs it from package-lock.json);
    it is evaluated through the DevTools protocol, so the page's CSP needs no exception.
    """
    if not AXE_SCRIPT.exists():
        reason = f"{AXE_SCRIPT} is missing: run `npm ci` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        (v["id"], [", ".join(n["target"]) for n in v["nodes"]][:5]) for v in result["violations"]
    ]


# --- screenshots -----------------------------------------------------------------------
# Browser tests save screenshots (e.g. "hosts-list-390.png") to one folder: $SCREENSHOT_DIR,
# else "screenshots" under pytest's base temporary folder. The folder is printed once, at
# the end of the run (pytest_terminal_summary below, wired through a conftest).
_screenshots = {"dir": None, "saved": 0}


def use_screenshot_dir(default):
    """Choose the folder (once per run): $SCREENSHOT_DIR wins over ``default``."""
    if _screenshots["dir"] is None:
        _screenshots["dir"] = Path(os.environ.get("SCREENSHOT_DIR") or default)
    return _screenshots["dir"]


def save_screenshot(page, name):
    """Save the whole page as ``<folder>/<name>.png`` and return the path."""
    folder = use_screenshot_dir(Path(os.environ.get("TMPDIR", "/tmp")) / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    _screenshots["saved"] += 1
    return path


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder(tmp_path_factory):
    return use_screenshot_dir(tmp_path_factory.getbasetemp() / "screenshots")


def pytest_terminal_summary(terminalreporter):
    if _screenshots["saved"]:
        terminalreporter.write_line(
            f"{_screenshots['saved']} screenshots written to {_screenshots['dir']}"
        )
