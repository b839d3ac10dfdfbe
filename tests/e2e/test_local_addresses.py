"""The app opens at http://localhost and at http://127.0.0.1 when it listens on every
interface (as `make run` does) and no sign-in is configured."""

from urllib.parse import urlparse

import pytest

from tests.e2e.test_browser import EXCEPTION, page_title, wait_for_run

REFUSED = "only serves the computer it runs on"


@pytest.mark.e2e
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_app_serves_this_computer_by_name_and_by_address(browser, app_on_every_interface, host):
    port = urlparse(app_on_every_interface.url).port
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"http://{host}:{port}/")
        wait_for_run(page)
        assert page.locator(EXCEPTION).count() == 0
        assert REFUSED not in page.locator('[data-testid="stMain"]').inner_text()
        assert page_title(page) == "Admissions analytics"
    finally:
        context.close()
