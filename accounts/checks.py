"""System checks of the accounts app (run by `manage.py check`, `migrate` and `runserver`)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def mail_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production without a mail server: password-reset mails would go nowhere."""
    if settings.DEBUG or getattr(settings, "EMAIL_CONFIGURED", True):
        return []
    return [
        Warning(
            "No mail server is configured: password-reset mails go to an SMTP server on "
            "localhost:25, which may not exist.",
            hint="Set EMAIL_URL (e.g. smtp://user:password@mail.example.org:587/?tls=1) or "
            "EMAIL_HOST and its companions, and DEFAULT_FROM_EMAIL (see .env.example).",
            id="accounts.W001",
        )
    ]


def proxy_addresses(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production behind the TLS proxy it expects, but trusting no X-Forwarded-For entry:
    every client then has the proxy's address in the audit log and the login lockout."""
    if settings.DEBUG or not getattr(settings, "SECURE_SSL_REDIRECT", False):
        return []
    if getattr(settings, "TRUSTED_PROXY_COUNT", 0) > 0:
        return []
    return [
        Warning(
            "TRUSTED_PROXY_COUNT is 0 while the app expects a TLS proxy in front of it: every "
            "client would have the proxy's address, and five wrong passwords from anyone "
            "would lock an account for everybody.",
            hint="Set TRUSTED_PROXY_COUNT=1 and let the proxy set X-Forwarded-For to the "
            "client's address (docs/operations.md, step 4).",
            id="accounts.W002",
        )
    ]
