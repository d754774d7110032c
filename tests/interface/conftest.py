from tests.browser_support import (  # noqa: F401
    chromium,
    new_page,
    plain_http_cookies,
    pytest_terminal_summary,
    screenshot_folder,
)
