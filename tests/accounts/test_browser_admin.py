"""The admin in Chromium: axe-core finds no violation of any impact on the pages a
coordinator and the system administrator work in."""

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.access import Role
from accounts.models import AuditLog
from lagesbild.models import Measure
from tests.accounts.accounts_helpers import login_verified, make_school, make_staff
from tests.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_session(transactional_db: None) -> dict[str, str]:
    """A signed-in system administrator, and the ids the admin's pages need. Made before
    the browser starts: Playwright's event loop forbids database calls in the test's thread."""
    school = make_school()
    measure = Measure.objects.create(
        municipality=school.district.municipality,
        title="Fältassistenter kvällstid",
        responsible=["kommun"],
        indicators=["TRY01"],
        started_on=date(2025, 3, 3),
    )
    admin = make_staff(Role.ADMIN)
    client = Client()
    login_verified(client, admin)
    client.get("/admin/")  # at least one audit row, with no organisation
    assert AuditLog.objects.filter(organisation="").exists()
    return {
        "session": str(client.cookies["sessionid"].value),
        "user": str(admin.pk),
        "school": str(school.pk),
        "group": str(Group.objects.get(name=Role.COORDINATOR.value).pk),
        "measure": str(measure.pk),
    }


def test_admin_pages_pass_axe_with_no_violation_of_any_impact(
    admin_session: dict[str, str], live_server: Any, chromium_page: Any
) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_cookies(
        [{"name": "sessionid", "value": admin_session["session"], "url": live_server.url}]
    )
    urls = [
        "/admin/",
        "/admin/surveys/wave/add/",
        "/admin/surveys/school/add/",
        f"/admin/surveys/school/{admin_session['school']}/change/",
        "/admin/surveys/schoolclass/add/",
        "/admin/lagesbild/measure/add/",
        f"/admin/lagesbild/measure/{admin_session['measure']}/change/",
        "/admin/lagesbild/measure/",
        "/admin/accounts/auditlog/",
        f"/admin/auth/user/{admin_session['user']}/change/",
        f"/admin/auth/group/{admin_session['group']}/change/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
    ]
    problems = {}
    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        assert page.locator("#content").count() == 1, url  # an admin page, not the login
        problems[url] = axe_violations(page)
    assert problems == {url: [] for url in urls}


def test_swedish_selects_offer_a_swedish_empty_choice(
    admin_session: dict[str, str], live_server: Any, chromium_page: Any
) -> None:
    page = chromium_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": admin_session["session"], "url": live_server.url}]
    )
    page.goto(live_server.url + "/admin/surveys/wave/add/")
    html = page.content()
    assert "– Välj ett alternativ –" in html
    assert "Select an option" not in html


def test_the_wave_form_lists_classes_as_checkboxes(transactional_db: None) -> None:
    from surveys.admin import WaveAdminForm

    school = make_school()
    school.classes.create(name="7A", grade=7)
    html = str(WaveAdminForm()["classes"])
    assert 'type="checkbox"' in html and "7A" in html
