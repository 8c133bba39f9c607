"""A pupil page whose database is out of reach answers 503 "try again", never a bare 500.

While PostgreSQL restarts, a pupil who presses "next" or "submit" gets a page that says,
in Swedish, English and Arabic, that nothing was lost and to try again in a moment, and
that hands every posted field back in a form: the answers stay in the page, and the retry
carries the same submission id, so the idempotent submit stores the sheet exactly once.

The page is rendered without the request's context processors: they would read the
session (and the messages stored in it) from the unreachable database. The pupil's
language is only guessed (the pupil cookie's, else the browser's), so all three messages
are shown, the guessed one first.

After an outage error, a process answers pupil pages with that page at once for
`SHORT_CIRCUIT_SECONDS`, without waiting for a database connection: otherwise every
request of a survey day's queue would hold a web worker for the pool's whole timeout, and
the queue would outlast the outage by far. Then the next request tries the database again.
"""

import logging
import sys
import time
from collections.abc import Callable

from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseServerError
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.views import defaults

logger = logging.getLogger(__name__)

# Seconds a browser or client should wait before trying again.
RETRY_AFTER = 5
# One message per language, side by side on one page (Arabic is a draft translation, like
# the questionnaire's). Not gettext: the page shows every language at once.
MESSAGES: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Det gick inte att spara just nu",
        "body": "Inget av det du har svarat har försvunnit. Vänta en liten stund och tryck "
        "på ”Försök igen”.",
        "button": "Försök igen",
    },
    "en": {
        "title": "Your answers could not be saved just now",
        "body": "Nothing you have answered is lost. Wait a moment and press “Try again”.",
        "button": "Try again",
    },
    "ar": {
        "title": "تعذّر حفظ إجاباتك الآن",
        "body": "لم يضِع شيء مما أجبت عنه. انتظر قليلاً ثم اضغط على «حاول مرة أخرى».",
        "button": "حاول مرة أخرى",
    },
}
RTL = {"ar"}
OUTAGE_ERRORS = (OperationalError, InterfaceError)
# How long a process answers "try again" without asking the database, after it failed.
SHORT_CIRCUIT_SECONDS = 2.0

# Per process (gunicorn's sync workers serve one request at a time; a race between threads
# of the development server costs at most one extra attempt).
_outage_until = 0.0


def outage_noted() -> None:
    """The database failed a pupil page just now."""
    global _outage_until
    _outage_until = time.monotonic() + SHORT_CIRCUIT_SECONDS


def outage_recent() -> bool:
    return time.monotonic() < _outage_until


def outage_forget() -> None:
    global _outage_until
    _outage_until = 0.0


def is_pupil_page(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.namespace == "surveys" and match.url_name in {
        "start",
        "language",
        "info",
        "page",
        "leave",
        "thanks",
    }


def _guessed_language(request: HttpRequest) -> str:
    """The pupil cookie's language, else the request's (the browser's on the start page)."""
    from .pupil_sessions import pupil_cookie_read

    data = pupil_cookie_read(request) or {}
    done = data.get("done")
    chosen = data.get("l") or (done.get("l") if isinstance(done, dict) else None)
    if isinstance(chosen, str) and chosen:
        return chosen
    return (translation.get_language() or "sv").split("-")[0]


def try_again_response(request: HttpRequest) -> HttpResponse:
    guessed = _guessed_language(request)
    order = [guessed] if guessed in MESSAGES else []
    order += [code for code in MESSAGES if code not in order]
    posted = list(request.POST.lists()) if request.method == "POST" else []
    context = {
        "messages_by_language": [
            {"code": code, "rtl": code in RTL, **MESSAGES[code]} for code in order
        ],
        "page_language": order[0],
        "page_rtl": order[0] in RTL,
        "fields": [(name, value) for name, values in posted for value in values],
        "post": request.method == "POST",
        "action": request.get_full_path(),
    }
    response = HttpResponse(render_to_string("surveys/outage.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a lost database connection in a pupil view into the 503 "try again" page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS) and is_pupil_page(request):
            # What failed, for the operator: the pupil sees only "try again".
            logger.warning("database error on a pupil page: %s", str(exception).strip()[:300])
            outage_noted()
            return try_again_response(request)
        return None


class RecentOutageMiddleware:
    """Answers a pupil page "try again" at once while this process's last database outage
    is under `SHORT_CIRCUIT_SECONDS` old. Placed before every middleware that reads the
    session, so such a request never waits for a connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if outage_recent() and is_pupil_page(request):
            return try_again_response(request)
        return self.get_response(request)


def _caused_by_outage(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: the session middleware reports a failed session save as a 400
    (SessionInterrupted); when the database was the cause, a pupil gets the 503 page."""
    if _caused_by_outage(exception) and is_pupil_page(request):
        outage_noted()
        return try_again_response(request)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the same 503 page when the database failed outside a view (a middleware
    saving the session), else Django's plain 500 page."""
    if _caused_by_outage(sys.exc_info()[1]) and is_pupil_page(request):
        outage_noted()
        return try_again_response(request)
    try:
        html = render_to_string("500.html", {"styles": _error_page_styles()})
    except Exception:
        return defaults.server_error(request)
    return HttpResponseServerError(html)


# The stylesheets of the 500 page: the site's look, by the names the storage serves them
# under (hashed in production, where the unhashed copies are not kept).
ERROR_PAGE_STYLES = ("bootstrap/css/bootstrap.min.css", "css/site.css")


def _error_page_styles() -> list[str]:
    """Their URLs, or none when the storage cannot name them (the manifest may be what
    broke): the page then shows unstyled rather than not at all."""
    try:
        return [staticfiles_storage.url(name) for name in ERROR_PAGE_STYLES]
    except Exception:
        return []
