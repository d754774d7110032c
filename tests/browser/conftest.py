"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against live_server."""

from tests.browser_support import chromium, new_page, plain_http_cookies  # noqa: F401
