"""Typed helpers that read settings from the environment.

Every variable read here is listed in `.env.example` with a comment.
"""

import os
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Mail ----------------------------------------------------------------------------------
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


@dataclass(frozen=True)
class MailSettings:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = False
    use_ssl: bool = False
    timeout: int = 10  # seconds; a hung mail server must not hang a password reset
    configured: bool = False  # EMAIL_URL or EMAIL_HOST was set


def _flag(query: dict[str, list[str]], *names: str) -> bool:
    for name in names:
        for raw in query.get(name, []):
            value = raw.strip().lower()
            if value in _TRUE:
                return True
            if value not in _FALSE:
                raise ImproperlyConfigured(f"EMAIL_URL: ?{name}= must be 1 or 0.")
    return False


def parse_email_url(url: str) -> MailSettings:
    """`smtp://user:pass@host:587/?tls=1` (STARTTLS), `smtps://user:pass@host` (TLS from
    the start, port 465), `smtp://host` (plain, port 25) or `console://` (mails printed).
    User and password are percent-decoded. Error messages never repeat the URL: it holds
    the password."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return MailSettings(CONSOLE_BACKEND, configured=True)
    if scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtps:// or console:// "
            f"(got {scheme or 'no scheme'}://)."
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    use_ssl = scheme == "smtps" or _flag(query, "ssl")
    use_tls = _flag(query, "tls", "starttls")
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL: choose smtps:// (or ?ssl=1) or ?tls=1, not both.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port must be a number.") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host.")
    timeout = query.get("timeout", ["10"])[-1]
    if not timeout.isdigit():
        raise ImproperlyConfigured("EMAIL_URL: ?timeout= must be whole seconds.")
    return MailSettings(
        SMTP_BACKEND,
        host=parts.hostname,
        port=port or (465 if use_ssl else 587 if use_tls else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=int(timeout),
        configured=True,
    )


def _given(name: str) -> bool:
    return bool(os.environ.get(name, "").strip())


def mail_settings(*, debug: bool) -> MailSettings:
    """EMAIL_URL, then EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
    EMAIL_USE_TLS and EMAIL_USE_SSL, each overriding that part of the URL. With neither
    EMAIL_URL nor EMAIL_HOST: the console in DEBUG, else an SMTP server on localhost:25
    (and a warning from `manage.py check`, see accounts.checks)."""
    url = env_str("EMAIL_URL")
    host = env_str("EMAIL_HOST")
    if url:
        mail = parse_email_url(url)
    elif host or not debug:
        mail = MailSettings(SMTP_BACKEND)
    else:
        mail = MailSettings(CONSOLE_BACKEND)
    if mail.backend != SMTP_BACKEND:
        return mail
    # An empty variable (as `.env.example` lists them) leaves the URL's part alone.
    use_ssl = env_bool("EMAIL_USE_SSL", mail.use_ssl) if _given("EMAIL_USE_SSL") else mail.use_ssl
    use_tls = env_bool("EMAIL_USE_TLS", mail.use_tls) if _given("EMAIL_USE_TLS") else mail.use_tls
    if use_ssl and use_tls:
        raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
    return replace(
        mail,
        host=host or mail.host,
        port=env_int("EMAIL_PORT", mail.port),
        user=env_str("EMAIL_HOST_USER") or mail.user,
        password=os.environ.get("EMAIL_HOST_PASSWORD") or mail.password,
        use_tls=use_tls,
        use_ssl=use_ssl,
        configured=mail.configured or bool(host),
    )
