"""A pupil request passes only the middleware a pupil needs.

The pupil pages (`surveys.outage.is_pupil_page`: start, language, info, question pages,
leave, thanks) use no Django session, no user, no messages and no staff rules: a pupil's
place in the flow is the signed `elev` cookie and its token's row (`pupil_sessions`).
`PupilRequestMiddleware` marks such a request early; each middleware that only staff
need is listed in `MIDDLEWARE` as a `StaffOnly` subclass of it, in its usual place, and
a marked request passes it by. Every other request (staff pages, the admin, login, the
health check, static files, anything unknown) goes through every middleware unchanged,
in the same order.

Always kept for pupils: the security headers, Permissions-Policy and CSP, the outage
middleware, CommonMiddleware, CSRF (its token check runs in `process_view`, which Django
calls for every request) and X-Frame-Options.

Passed by on every pupil page: the session, authentication, OTP verification, messages
and the staff idle timeout (django-axes stays: it only looks for a lockout mark a failed
staff login sets, and its checks want it in `MIDDLEWARE` by name). Locale
negotiation is passed by on every pupil page except the start page, whose language is
the browser's unless the pupil picks one: the other pages render in the language of the
pupil's cookie or of their URL, and the request's language is the default one until
they choose.
"""

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation
from django_otp.middleware import OTPMiddleware

from accounts import middleware as accounts_middleware

# Where the mark lives: the request's environment (an extension key, as WSGI allows).
PUPIL_KEY = "trygghet.pupil_page"
# The start page: the only pupil page whose language comes from the browser.
START_PAGE = "start"
PUPIL_PAGES = frozenset({"start", "language", "info", "page", "leave", "thanks"})


@functools.lru_cache(maxsize=512)
def pupil_page_name(path_info: str) -> str:
    """The URL name when `path_info` is a pupil page, else "" (cached: a survey has a
    handful of pupil paths; the cache is bounded against made-up ones)."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return ""
    if match.namespace == "surveys" and match.url_name in PUPIL_PAGES:
        return match.url_name
    return ""


@receiver(setting_changed)
def _urls_changed(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        pupil_page_name.cache_clear()


def pupil_request(request: HttpRequest) -> str:
    """The pupil page's URL name when `PupilRequestMiddleware` marked `request`, else ""."""
    name = request.META.get(PUPIL_KEY, "")
    return name if isinstance(name, str) else ""


class PupilRequestMiddleware:
    """Marks a request for a pupil page, before the first `StaffOnlyMiddleware`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Never from the client: WSGI environment keys with a dot are not HTTP headers.
        request.META[PUPIL_KEY] = pupil_page_name(request.path_info)
        return self.get_response(request)


class StaffOnly:
    """Mixed in before a middleware class: a pupil request passes it by.

    The subclass stays a subclass of the middleware it wraps (Django's and the admin's
    checks look for those), and only `__call__` changes: the wrapped classes do their work
    there (`process_request` / `process_response`), none has a hook Django calls on its
    own (`process_view`, `process_exception`, `process_template_response`); a test holds
    them to that.
    """

    # Set by the middleware class this is mixed into (typed there).
    get_response: Any
    # The pupil pages that still need it (by URL name).
    pupil_pages_needing: ClassVar[frozenset[str]] = frozenset()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        page = pupil_request(request)
        if page and page not in self.pupil_pages_needing:
            self.pupil_bypass(request)
            response: HttpResponseBase = self.get_response(request)
        else:
            response = super().__call__(request)  # type: ignore[misc]
        return response

    def pupil_bypass(self, request: HttpRequest) -> None:
        """What a pupil request gets instead of the wrapped middleware."""


class StaffSessionMiddleware(StaffOnly, SessionMiddleware):
    pass


class StaffLocaleMiddleware(StaffOnly, LocaleMiddleware):
    pupil_pages_needing = frozenset({START_PAGE})

    def pupil_bypass(self, request: HttpRequest) -> None:
        # Not the language an earlier request left active in this thread.
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE


class StaffAuthenticationMiddleware(StaffOnly, AuthenticationMiddleware):
    pass


class StaffOTPMiddleware(StaffOnly, OTPMiddleware):  # type: ignore[misc]
    pass


class StaffMessageMiddleware(StaffOnly, MessageMiddleware):
    pass


class StaffIdleTimeoutMiddleware(StaffOnly, accounts_middleware.StaffIdleTimeoutMiddleware):
    pass
