import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.access import Role
from accounts.models import AuditLog
from tests.accounts.accounts_helpers import login_verified, make_staff

pytestmark = pytest.mark.django_db


def _logged_in_via_form(client: Client, user: object) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.post("/konto/logga-in/", {"username": user.username, "password": "test-password-123"})  # type: ignore[attr-defined]
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post("/konto/verifiera/", {"token": code})


def test_deactivating_a_user_ends_their_sessions() -> None:
    user = make_staff(Role.ANALYST, organisation="polis")
    browser = Client()
    _logged_in_via_form(browser, user)
    assert browser.get("/konto/").status_code == 200
    key = browser.session.session_key
    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert browser.get("/konto/").status_code == 302
    assert AuditLog.objects.get(event="user deactivated").details["sessions_ended"] >= 1


def test_an_idle_staff_session_times_out(settings: object) -> None:
    user = make_staff(Role.COORDINATOR)
    client = Client()
    login_verified(client, user)
    assert client.get("/konto/").status_code == 200
    session = client.session
    session["accounts_last_seen"] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/konto/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")
    assert AuditLog.objects.filter(event="session timed out").count() == 1


def test_an_active_staff_session_stays_open() -> None:
    user = make_staff(Role.COORDINATOR)
    client = Client()
    login_verified(client, user)
    session = client.session
    session["accounts_last_seen"] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/konto/").status_code == 200


def test_role_changes_are_audited() -> None:
    user = make_staff(Role.COORDINATOR)
    row = AuditLog.objects.filter(event="role changed").latest("id")
    assert row.kommun == "0484"
    assert row.details == {
        "user_id": user.pk,
        "role": "coordinator",
        "school_id": None,
        "action": "granted",
    }
    user.memberships.get().delete()
    row = AuditLog.objects.filter(event="role changed").latest("id")
    assert (row.kommun, row.details["action"]) == ("0484", "ended")
    assert row.details["role"] == "coordinator"
