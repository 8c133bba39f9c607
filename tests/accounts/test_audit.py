import pytest
from django.test import RequestFactory

from accounts.access import Role
from accounts.models import AppendOnlyError, AuditLog
from accounts.services import audit, client_ip
from tests.accounts.accounts_helpers import make_staff

pytestmark = pytest.mark.django_db


def test_audit_row_snapshots_who_did_it() -> None:
    user = make_staff(Role.ANALYST, organisation="polis")
    row = audit(user, "dashboard viewed", wave="ht2025", indicator="EXP02")
    assert row.actor_username == user.username
    assert row.roles == "analyst"
    assert row.organisation == "polis"
    assert row.details == {"wave": "ht2025", "indicator": "EXP02"}


def test_audit_row_from_a_request_has_address_and_path() -> None:
    request = RequestFactory().get("/0484/lagesbild/", REMOTE_ADDR="10.1.2.3")
    request.user = make_staff(Role.COORDINATOR)
    row = audit(request, "export", file_type="csv")
    assert row.ip_address == "10.1.2.3"
    assert row.path == "/0484/lagesbild/"


@pytest.mark.parametrize("key", ["password", "code", "codes", "answers", "token", "otp_secret"])
def test_audit_refuses_details_that_could_hold_secrets_or_answers(key: str) -> None:
    with pytest.raises(ValueError, match="must not carry"):
        audit(None, "anything", **{key: "x"})
    assert not AuditLog.objects.exists()


def test_audit_allows_counts_of_codes() -> None:
    assert audit(None, "codes issued", code_count=25).details == {"code_count": 25}


def test_audit_rows_cannot_be_updated() -> None:
    row = audit(None, "login")
    row.event = "something else"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(event="x")


def test_audit_rows_cannot_be_deleted() -> None:
    row = audit(None, "login")
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()


@pytest.mark.postgres
def test_database_refuses_raw_updates_of_audit_rows() -> None:
    from django.db import DatabaseError, connection, transaction

    row = audit(None, "login")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditlog SET event = 'x' WHERE id = %s", [row.pk])


def test_client_ip_trusts_only_the_configured_number_of_proxies(settings: object) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7"
    )
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1  # type: ignore[attr-defined]
    assert client_ip(request) == "192.0.2.7"
