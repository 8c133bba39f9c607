import csv
import io

import pytest
from django.test import Client

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
