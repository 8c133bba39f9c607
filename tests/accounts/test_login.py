import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.access import Role
from accounts.models import AuditLog
from tests.accounts.accounts_helpers import make_staff
from tests.surveys.factories import make_school

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrolled(role: Role = Role.COORDINATOR) -> tuple[object, TOTPDevice]:
    user = make_staff(role)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user, device


def test_password_alone_does_not_open_a_staff_page(client: Client) -> None:
    user, _device = _enrolled()
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/verifiera/")
    page = client.get("/konto/")
    assert page.status_code == 302
    assert page["Location"].startswith("/konto/verifiera/")


def test_password_and_totp_code_open_the_account_page(client: Client) -> None:
    user, device = _enrolled()
    client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})  # type: ignore[attr-defined]
    response = client.post("/konto/verifiera/", {"token": _code(device), "next": "/konto/"})
    assert response.status_code == 302
    assert response["Location"] == "/konto/"
    assert client.get("/konto/").status_code == 200
    assert AuditLog.objects.filter(event="2fa verified", actor_id=user.pk).count() == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.ANALYST, "/0484/lagesbild/"),
        (Role.COORDINATOR, "/0484/lagesbild/"),
        (Role.SCHOOL_CONTACT, "/0484/skola/koder/"),
    ],
)
def test_a_login_without_next_lands_on_the_users_first_page(
    client: Client, role: Role, landing: str
) -> None:
    user = make_staff(
        role,
        organisation="polis" if role == Role.ANALYST else None,
        school=make_school() if role == Role.SCHOOL_CONTACT else None,
    )
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    verify = client.post(response["Location"], {"token": _code(device)})
    assert verify["Location"] == landing


def test_a_wrong_code_is_refused_and_audited(client: Client) -> None:
    user, _device = _enrolled()
    client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})  # type: ignore[attr-defined]
    response = client.post("/konto/verifiera/", {"token": "000000"})
    assert response.status_code == 200
    assert client.get("/konto/").status_code == 302
    assert AuditLog.objects.filter(event="2fa failed").count() == 1


def test_a_user_without_device_is_sent_to_enrolment(client: Client) -> None:
    user = make_staff(Role.ANALYST, organisation="polis")
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    assert response["Location"].startswith("/konto/tvastegsverifiering/")


def test_enrolment_confirms_the_app_and_shows_recovery_codes_once(client: Client) -> None:
    user = make_staff(Role.ANALYST, organisation="polis")
    client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    page = client.get("/konto/tvastegsverifiering/")
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/konto/tvastegsverifiering/", {"token": _code(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == otp.RECOVERY_CODE_COUNT
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/konto/").status_code == 200


def test_a_stolen_password_cannot_replace_an_enrolled_app(client: Client) -> None:
    user, _device = _enrolled()
    client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})  # type: ignore[attr-defined]
    response = client.get("/konto/tvastegsverifiering/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/verifiera/")


def test_a_recovery_code_works_once(client: Client) -> None:
    user, _device = _enrolled()
    code = otp.recovery_codes_replace(user)[0]  # type: ignore[arg-type]
    for expected in (302, 200):
        client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})  # type: ignore[attr-defined]
        response = client.post("/konto/verifiera/", {"token": code})
        assert response.status_code == expected
        client.post("/konto/logga-ut/")


def test_logout_ends_the_server_session(client: Client) -> None:
    from django.contrib.sessions.models import Session

    user, device = _enrolled()
    client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})  # type: ignore[attr-defined]
    client.post("/konto/verifiera/", {"token": _code(device)})
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/konto/logga-ut/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/konto/").status_code == 302


def test_the_admin_login_is_the_same_two_step_login(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")
