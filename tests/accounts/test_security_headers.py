import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/konto/logga-in/"])
def test_pages_send_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_login_page_is_never_cached(client: Client) -> None:
    assert "no-store" in client.get("/konto/logga-in/")["Cache-Control"]


def test_session_and_csrf_cookies_are_http_only(settings: object) -> None:
    assert settings.SESSION_COOKIE_HTTPONLY is True  # type: ignore[attr-defined]
    assert settings.CSRF_COOKIE_HTTPONLY is True  # type: ignore[attr-defined]
