"""Helpers for the Playwright tests."""

from typing import Any


def click_through(page: Any, selector: str) -> None:
    """Click what leads to another page and return once that page has loaded.

    Playwright's click returns as soon as the next page starts to load, so an assertion
    right after it may read a page that is still being parsed (on a loaded machine, a
    list counted as empty). This waits for the load event of the page the click led to,
    after any redirect."""
    with page.expect_navigation():
        page.click(selector)
