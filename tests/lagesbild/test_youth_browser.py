"""The young people's page as a pupil reads it: on a phone, in Swedish and Arabic, with
and without JavaScript, in Debian's Chromium (one test: building the waves is the slow
part)."""

from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from surveys.models import Municipality
from tests.axe import axe_violations
from tests.lagesbild.dashboard_factories import demo_districts, two_published_waves

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENS = datetime(2025, 10, 1, 8, tzinfo=timezone.get_current_timezone())
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page_path(live_server: Any) -> str:
    """Created before the browser starts: Playwright's event loop forbids the ORM."""
    districts = demo_districts()
    Municipality.objects.filter(pk=districts[0].municipality_id).update(code="0484")
    two_published_waves(districts, OPENS, youth_page=True, languages=["sv", "ar"])
    return "/0484/vad-sa-unga/ht2025/"


def test_the_page_reads_on_a_phone_in_swedish_and_arabic_with_no_axe_violation(
    page_path: str, chromium_page: Any, live_server: Any
) -> None:
    context = chromium_page.context.browser.new_context(
        viewport=PHONE, is_mobile=True, locale="sv-SE"
    )
    page = context.new_page()
    try:
        for language, suffix in (("sv", ""), ("ar", "ar/")):
            page.goto(live_server.url + page_path + suffix)
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("h1").count() == 1
            # One column: nothing wider than the phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert axe_violations(page) == [], language
    finally:
        context.close()
    # Without JavaScript (one build of the waves serves both checks: it is the slow part).
    context = chromium_page.context.browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + page_path)
        district = page.locator("details").first
        body = district.locator("ul, p").first
        assert not body.is_visible()
        district.locator("summary").click()
        assert body.is_visible()
        links = [
            page.locator("a", has_text=t).get_attribute("href") for t in ("Affisch", "Lektion")
        ]
        assert all(link and link.endswith(".pdf") for link in links)
    finally:
        context.close()
