import pytest
from django.test import Client

from accounts.access import Role
from tests.accounts.accounts_helpers import make_school, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def _login(client: Client, username: str, password: str, ip: str) -> int:
    response = client.post(
        "/konto/logga-in/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )
    return response.status_code


def _fail_five_times(client: Client, username: str, ip: str) -> None:
    statuses = [_login(client, username, "wrong-password", ip) for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_five_failures_lock_the_account_from_that_address(settings: object) -> None:
    user = make_staff(Role.COORDINATOR)
    _fail_five_times(Client(), user.username, "192.0.2.10")
    assert _login(Client(), user.username, PASSWORD, "192.0.2.10") == 429


def test_the_same_account_still_logs_in_from_another_address() -> None:
    user = make_staff(Role.COORDINATOR)
    _fail_five_times(Client(), user.username, "192.0.2.10")
    assert _login(Client(), user.username, PASSWORD, "198.51.100.7") == 302


def test_an_attacker_cannot_lock_out_everyone_behind_a_schools_address() -> None:
    school = make_school()
    victim = make_staff(Role.SCHOOL_CONTACT, school=school)
    colleague = make_staff(Role.SCHOOL_CONTACT, school=school)
    _fail_five_times(Client(), victim.username, "192.0.2.10")
    # Same public address (the school's), another account: unaffected.
    assert _login(Client(), colleague.username, PASSWORD, "192.0.2.10") == 302


def test_failed_logins_are_audited_without_the_password() -> None:
    from accounts.models import AuditLog

    user = make_staff(Role.COORDINATOR)
    _login(Client(), user.username, "wrong-password-xyz", "192.0.2.10")
    row = AuditLog.objects.get(event="login failed")
    assert row.details == {"username": user.username}
    assert "wrong-password-xyz" not in str(row.details)
