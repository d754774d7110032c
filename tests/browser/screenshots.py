"""Where browser tests write their screenshots: $SCREENSHOT_DIR when set, else a
"screenshots" folder in pytest's base temporary folder. The path is printed once per run.

Import the fixture into a test module: ``from tests.browser.screenshots import screenshots``.
"""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def screenshots(request, tmp_path_factory):
    folder = Path(
        os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.getbasetemp() / "screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # shown even without -s
            reporter.write_line(f"\nscreenshots: {folder}")

    def take(page, name):
        """Save the whole page as ``<name>.png``; returns the path."""
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
