"""Mail settings from the environment, and a password reset end to end through a real
SMTP server on loopback (aiosmtpd): the request, the Swedish mail, the link, the new
password, the login."""

import asyncio
import email
import email.policy
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.access import Role
from accounts.checks import mail_configured
from accounts.models import AuditLog
from eskilstuna_trygghet.env import (
    CONSOLE_BACKEND,
    SMTP_BACKEND,
    mail_settings,
    parse_email_url,
)
from tests.accounts.accounts_helpers import make_staff

# --------------------------------------------------------------------------- settings


def test_an_smtp_url_with_starttls_gives_port_587_and_decoded_credentials() -> None:
    mail = parse_email_url("smtp://kommun%40example.org:p%C3%A5ss%2Fw@mail.example.org/?tls=1")
    assert (mail.backend, mail.host, mail.port) == (SMTP_BACKEND, "mail.example.org", 587)
    assert (mail.user, mail.password) == ("kommun@example.org", "påss/w")
    assert mail.use_tls and not mail.use_ssl and mail.configured


def test_an_smtps_url_uses_tls_from_the_start_on_port_465() -> None:
    mail = parse_email_url("smtps://u:p@mail.example.org")
    assert (mail.port, mail.use_ssl, mail.use_tls) == (465, True, False)
    assert parse_email_url("smtp://relay.example.org:2525").port == 2525


def test_a_console_url_prints_mails() -> None:
    assert parse_email_url("console://").backend == CONSOLE_BACKEND


@pytest.mark.parametrize(
    "url",
    ["ftp://host", "smtp://", "smtp://u:secret@host:port", "smtps://u:secret@host/?tls=1"],
)
def test_a_wrong_email_url_is_refused_without_repeating_the_password(url: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_email_url(url)
    assert "secret" not in str(refused.value)


def test_separate_variables_override_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_URL", "smtp://u:p@mail.example.org/?tls=1")
    monkeypatch.setenv("EMAIL_PORT", "2587")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "annat")
    monkeypatch.setenv("EMAIL_USE_TLS", "")  # listed but empty: the URL's choice stands
    mail = mail_settings(debug=False)
    assert (mail.host, mail.port, mail.user, mail.password) == (
        "mail.example.org",
        2587,
        "u",
        "annat",
    )
    assert mail.use_tls


def test_nothing_set_means_the_console_in_debug_and_a_warning_in_production(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    for name in ("EMAIL_URL", "EMAIL_HOST"):
        monkeypatch.delenv(name, raising=False)
    assert mail_settings(debug=True).backend == CONSOLE_BACKEND
    production = mail_settings(debug=False)
    assert production.backend == SMTP_BACKEND and not production.configured
    settings.DEBUG = False
    settings.EMAIL_CONFIGURED = False
    assert [w.id for w in mail_configured()] == ["accounts.W001"]
    settings.EMAIL_CONFIGURED = True
    assert mail_configured() == []


# --------------------------------------------------------------------------- end to end


class _Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_sink(settings: Settings) -> Iterator[_Sink]:
    """A real SMTP server on a free loopback port, and Django's SMTP backend pointed at it
    (pytest-django swaps in the in-memory backend; this test wants the real one)."""
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield sink
    finally:
        controller.stop()
        asyncio.set_event_loop(None)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
LINK = re.compile(r"https?://testserver(/konto/losenord/nytt/[^\s]+/)")


@pytest.mark.django_db
def test_password_reset_by_mail_end_to_end(smtp_sink: _Sink) -> None:
    user = make_staff(Role.ANALYST, organisation="kommun", email="analytiker@example.invalid")
    client = Client()
    asked = client.post("/konto/losenord/glomt/", {"email": "analytiker@example.invalid"})
    assert asked.status_code == 302

    [message] = smtp_sink.messages
    assert message["To"] == "analytiker@example.invalid"
    assert message["Subject"] == "Nytt lösenord"
    body = message.get_content()
    assert "Någon har begärt ett nytt lösenord" in body  # Swedish, the site's language
    match = LINK.search(body)
    assert match is not None, body

    form = client.get(match[1], follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    new = "ett-helt-nytt-losenord-77"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/konto/losenord/klart/"

    login = Client()
    refused = login.post("/konto/logga-in/", {"username": user.username, "password": "x"})
    assert refused.status_code == 200  # the old or a wrong password: the form again
    passed = login.post("/konto/logga-in/", {"username": user.username, "password": new})
    assert passed.status_code == 302
    # Signed in with the password; next comes the second factor (this user enrols one).
    assert passed["Location"].startswith("/konto/tvastegsverifiering/")
    assert AuditLog.objects.filter(event="password reset", actor_id=user.pk).exists()


@pytest.mark.django_db
def test_password_reset_does_not_reveal_whether_an_address_exists(smtp_sink: _Sink) -> None:
    make_staff(Role.ANALYST, organisation="kommun", email="finns@example.invalid")
    answers = []
    for address in ("finns@example.invalid", "finns-inte@example.invalid"):
        response = Client().post("/konto/losenord/glomt/", {"email": address}, follow=True)
        # The page's CSRF token differs per visitor; nothing else may.
        page = CSRF.sub("", response.content.decode())
        answers.append((response.status_code, response.redirect_chain, page))
    assert answers[0] == answers[1]
    assert [m["To"] for m in smtp_sink.messages] == ["finns@example.invalid"]


def test_production_behind_a_proxy_that_trusts_no_forwarded_address_is_warned(
    settings: Settings,
) -> None:
    from accounts.checks import proxy_addresses

    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXY_COUNT = 0
    assert [w.id for w in proxy_addresses()] == ["accounts.W002"]
    settings.TRUSTED_PROXY_COUNT = 1
    assert proxy_addresses() == []
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SECURE_SSL_REDIRECT = False  # gunicorn reached directly, no proxy
    assert proxy_addresses() == []
