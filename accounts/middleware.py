"""Staff session rules and the headers Django does not send by itself."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

_LAST_SEEN_KEY = "accounts_last_seen"
# Write the session at most this often (seconds) just to move the idle clock.
_TOUCH_EVERY = 60


class StaffIdleTimeoutMiddleware:
    """Signs a staff user out after `STAFF_IDLE_TIMEOUT` seconds without a request.

    Only signed-in users are affected: pupils have no account, and their answering
    session must survive a whole lesson. Logging out flushes the server session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN_KEY)
            timeout: int = settings.STAFF_IDLE_TIMEOUT
            if isinstance(last_seen, int) and now - last_seen > timeout:
                from .services import audit

                audit(request, "session timed out", idle_seconds=now - last_seen)
                logout(request)
                messages.info(request, _("Du loggades ut efter en stund utan aktivitet."))
            elif not isinstance(last_seen, int) or now - last_seen >= _TOUCH_EVERY:
                request.session[_LAST_SEEN_KEY] = now
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """No page needs the camera, microphone, location or payment APIs: turn them off."""

    POLICY = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), interest-cohort=()"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response
