from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_page_renders_in_chromium_with_a_working_skip_link(
    chromium_page: Any, live_server: Any, artifacts_dir: Any
) -> None:
    page = chromium_page
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("Välkommen")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    page.screenshot(path=str(artifacts_dir / "start.png"), full_page=True)
