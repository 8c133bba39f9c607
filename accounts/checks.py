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
