import csv
import io

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.access import Role
from accounts.models import AuditLog
from accounts.services import audit
from tests.accounts.accounts_helpers import login_verified, make_staff

pytestmark = pytest.mark.django_db


def test_a_coordinator_reaches_the_admin_for_set_up() -> None:
    client = Client()
    login_verified(client, make_staff(Role.COORDINATOR))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/surveys/school/").status_code == 200


def test_a_coordinator_cannot_read_the_audit_log_or_users() -> None:
    client = Client()
    login_verified(client, make_staff(Role.COORDINATOR))
    assert client.get("/admin/accounts/auditlog/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403


def test_an_analyst_gets_403_in_the_admin() -> None:
    client = Client()
    login_verified(client, make_staff(Role.ANALYST, organisation="kommun"))
    assert client.get("/admin/").status_code == 403


def test_an_unverified_admin_is_sent_to_the_second_factor() -> None:
    client = Client()
    client.force_login(make_staff(Role.ADMIN))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/verifiera/")


def test_the_system_admin_exports_the_audit_log_as_csv() -> None:
    audit(None, "retention purge", wave="vt2019", sheets=120)
    client = Client()
    login_verified(client, make_staff(Role.ADMIN))
    response = client.get("/admin/accounts/auditlog/export.csv?event=retention+purge")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["event"] for row in rows] == ["retention purge"]
    assert AuditLog.objects.filter(event="audit log exported").count() == 1


def test_audit_rows_cannot_be_deleted_in_the_admin() -> None:
    row = audit(None, "login")
    client = Client()
    login_verified(client, make_staff(Role.ADMIN))
    assert (
        client.post(f"/admin/accounts/auditlog/{row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditLog.objects.filter(pk=row.pk).exists()


def test_an_admin_setting_a_users_password_writes_an_audit_row() -> None:
    admin_client = Client()
    login_verified(admin_client, make_staff(Role.ADMIN))
    target = make_staff(Role.ANALYST, organisation="polis")
    response = admin_client.post(
        f"/admin/auth/user/{target.pk}/password/",
        {"password1": "ett-nytt-langt-losen-42", "password2": "ett-nytt-langt-losen-42"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("ett-nytt-langt-losen-42")
    row = AuditLog.objects.get(event="password set by admin")
    assert row.details == {"user_id": target.pk}
    assert "ett-nytt" not in str(row.details)


def test_a_refused_password_in_the_admin_writes_no_audit_row() -> None:
    admin_client = Client()
    login_verified(admin_client, make_staff(Role.ADMIN))
    target = make_staff(Role.ANALYST, organisation="polis")
    admin_client.post(
        f"/admin/auth/user/{target.pk}/password/", {"password1": "kort", "password2": "kort"}
    )
    assert not AuditLog.objects.filter(event="password set by admin").exists()


def test_the_admin_never_shows_an_authenticator_key() -> None:
    admin_client = Client()
    login_verified(admin_client, make_staff(Role.ADMIN))
    owner = make_staff(Role.ANALYST, organisation="kommun")
    device = TOTPDevice.objects.create(user=owner, name="app", confirmed=True)
    pages = [
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert device.key not in html, page
        assert 'name="key"' not in html, page
    # The key's QR code pages and a blank device form (whose key the admin would know).
    for page in [
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
        "/admin/otp_totp/totpdevice/add/",
    ]:
        assert admin_client.get(page).status_code == 403, page


def test_the_admin_never_shows_recovery_codes() -> None:
    admin_client = Client()
    login_verified(admin_client, make_staff(Role.ADMIN))
    owner = make_staff(Role.ANALYST, organisation="kommun")
    [code, *_] = otp.recovery_codes_replace(owner)
    device = StaticDevice.objects.get(user=owner)
    html = admin_client.get(f"/admin/otp_static/staticdevice/{device.pk}/change/").content
    assert code.replace("-", "").encode() not in html
    assert admin_client.get("/admin/otp_static/staticdevice/add/").status_code == 403
