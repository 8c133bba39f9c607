"""A pupil's answering session: the random token in a signed browser cookie, and its row.

The browser holds a signed cookie (`PUPIL_COOKIE`) with the token, the pupil's language,
the languages offered and the questionnaire version, never the code, its id or the
submission id. The cookie has no expiry date, so it ends when the browser closes. The
token's row (`PupilSession`) points at the draft while the pupil answers; the submit
detaches every row of the draft in the transaction that stores the sheet.

Why a cookie and not Django's database session: a pupil request then reads no session
row and writes none (staff keep the database session, whose rows an administrator can
end). Whether the token still leads anywhere is decided by its row alone, so leaving,
the idle timeout and a submit on another device end the cookie's use at once.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from .models import PupilSession, SheetDraft

SessionStatus = Literal["active", "submitted", "expired", "gone"]
PUPIL_COOKIE = "elev"
_SALT = "surveys.pupil-cookie"
# The idle clock (last_seen) is written at most this often (seconds), so most page
# requests write nothing for it; an idle session therefore ends between
# PUPIL_IDLE_TIMEOUT - TOUCH_EVERY and PUPIL_IDLE_TIMEOUT after its last request, never later.
TOUCH_EVERY = 30


@dataclass(frozen=True)
class SessionLookup:
    status: SessionStatus
    draft: SheetDraft | None = None
    # The idle clock is older than TOUCH_EVERY: the caller moves it (`pupil_session_seen`),
    # in the transaction of its own first write if it has one.
    touch: bool = False


def pupil_session_open(*, draft: SheetDraft) -> str:
    """A fresh token for one device; the draft can have several (the pupil changed device)."""
    token = secrets.token_urlsafe(32)
    PupilSession.objects.create(token=token, draft=draft, last_seen=timezone.now())
    return token


def pupil_session_touch(*, token: str) -> SessionLookup:
    """The draft behind a token (with its code and wave: one query), and whether its idle
    clock is due to move; an idle token is deleted."""
    now = timezone.now()
    row = PupilSession.objects.select_related("draft__code__wave").filter(token=token).first()
    if row is None:
        return SessionLookup("gone")
    if row.submitted:
        return SessionLookup("submitted")
    if row.last_seen < now - timedelta(seconds=settings.PUPIL_IDLE_TIMEOUT):
        row.delete()
        return SessionLookup("expired")
    if row.draft is None:  # defensive: a detached row is always marked submitted
        return SessionLookup("gone")
    return SessionLookup(
        "active", row.draft, touch=row.last_seen < now - timedelta(seconds=TOUCH_EVERY)
    )


def pupil_session_seen(*, token: str) -> None:
    """Move a token's idle clock to now."""
    PupilSession.objects.filter(token=token).update(last_seen=timezone.now())


def pupil_session_end(*, token: str) -> None:
    """The pupil leaves without submitting: this device's way to the draft is deleted."""
    PupilSession.objects.filter(token=token).delete()


def pupil_sessions_purge() -> int:
    """Delete tokens idle longer than the timeout (and the markers of submitted drafts)."""
    cutoff = timezone.now() - timedelta(seconds=settings.PUPIL_IDLE_TIMEOUT)
    deleted, _ = PupilSession.objects.filter(last_seen__lt=cutoff).delete()
    return deleted


def pupil_cookie_read(request: HttpRequest) -> dict[str, Any] | None:
    """The pupil cookie's content, or None when there is none or its signature fails."""
    raw = request.COOKIES.get(PUPIL_COOKIE)
    return pupil_cookie_decode(raw) if raw else None


def pupil_cookie_write(response: HttpResponseBase, data: dict[str, Any]) -> None:
    """Set the cookie; no expiry date: it ends when the browser closes."""
    response.set_cookie(
        PUPIL_COOKIE,
        pupil_cookie_value(data),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def pupil_cookie_value(data: dict[str, Any]) -> str:
    """The signed cookie value holding `data`."""
    return signing.dumps(data, salt=_SALT, compress=True)


def pupil_cookie_clear(response: HttpResponseBase) -> None:
    response.delete_cookie(PUPIL_COOKIE, samesite="Lax")


def pupil_cookie_decode(raw: str) -> dict[str, Any] | None:
    """The content of a pupil cookie's value (for tests and tools that hold one)."""
    try:
        data = signing.loads(raw, salt=_SALT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None
