"""Login with a TOTP code in Chromium, enrolment, and no CSP violation on these pages."""

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import Role
from tests.accounts.accounts_helpers import make_staff
from tests.browser import click_through

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are
    # plain synchronous test set-up, not async code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _watch_csp(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_staff_login_with_password_and_totp_code(
    chromium_page: Any, live_server: Any, artifacts_dir: Any
) -> None:
    user = make_staff(Role.ANALYST, organisation="polis")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    page = chromium_page
    violations = _watch_csp(page)
    page.goto(live_server.url + "/konto/logga-in/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "test-password-123")
    click_through(page, "form[action='/konto/logga-in/'] button[type=submit]")
    page.wait_for_url("**/konto/verifiera/**")
    page.screenshot(path=str(artifacts_dir / "login-verify.png"), full_page=True)
    page.fill("input[name=token]", _code(device))
    click_through(page, "form[action='/konto/verifiera/'] button[type=submit]")
    # An analyst lands on the lägesbild, the page they came for.
    page.wait_for_url("**/lagesbild/")
    page.screenshot(path=str(artifacts_dir / "landing.png"), full_page=True)
    page.goto(live_server.url + "/konto/")
    assert "analytiker" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts_dir / "account.png"), full_page=True)
    assert violations == []


def test_enrolment_page_shows_the_qr_code_without_csp_violations(
    chromium_page: Any, live_server: Any, artifacts_dir: Any
) -> None:
    user = make_staff(Role.COORDINATOR)
    page = chromium_page
    violations = _watch_csp(page)
    page.goto(live_server.url + "/konto/logga-in/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "test-password-123")
    click_through(page, "form[action='/konto/logga-in/'] button[type=submit]")
    page.wait_for_url("**/konto/tvastegsverifiering/**")
    assert page.evaluate("document.querySelector('img.otp-qr').naturalWidth") > 0
    page.screenshot(path=str(artifacts_dir / "enrol.png"), full_page=True)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("input[name=token]", _code(device))
    click_through(page, "form[action='/konto/tvastegsverifiering/'] button[type=submit]")
    assert page.locator("ul.recovery-codes li").count() == 10
    assert violations == []
