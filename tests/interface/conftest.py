from tests.browser_support import chromium, new_page, plain_http_cookies  # noqa: F401
