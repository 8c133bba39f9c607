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

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from . import rows
from .models import AccessCode, PupilSession, SheetDraft, Wave

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
    # The draft's wave still takes answers: open (not closed) and not published.
    takes_answers: bool = False


def pupil_session_open(*, draft: SheetDraft) -> str:
    """A fresh token for one device; the draft can have several (the pupil changed device)."""
    token = secrets.token_urlsafe(32)
    PupilSession.objects.create(token=token, draft=draft, last_seen=timezone.now())
    return token


@functools.cache
def _lookup_sql(vendor: str) -> str:
    """The token's row, its draft and whether the draft's wave takes answers, in one
    statement; on PostgreSQL the same statement moves a due idle clock (a data-modifying
    WITH runs whether or not the query reads it; it writes, and commits, only when due)."""
    draft = SheetDraft._meta
    columns = rows.columns(SheetDraft, "d")
    select = (
        f"SELECT s.submitted, s.last_seen < %s, s.last_seen < %s, "  # noqa: S608 - no input
        "w.closes_at > %s AND w.published_at IS NULL, d.code_id IS NOT NULL, "
        f"{columns} "
        f"FROM {PupilSession._meta.db_table} s "
        f"LEFT JOIN {draft.db_table} d ON d.code_id = s.draft_id "
        f"LEFT JOIN {AccessCode._meta.db_table} c ON c.id = d.code_id "
        f"LEFT JOIN {Wave._meta.db_table} w ON w.id = c.wave_id "
        "WHERE s.token = %s"
    )
    if vendor != "postgresql":
        return select
    touch = f"UPDATE {PupilSession._meta.db_table} SET last_seen = %s"  # noqa: S608 - table names only
    due = "WHERE token = %s AND NOT submitted AND last_seen >= %s AND last_seen < %s"
    return f"WITH seen AS ({touch} {due}) {select}"


def pupil_session_touch(*, token: str) -> SessionLookup:
    """The draft behind a token, whether its wave takes answers, and the idle clock moved
    when it is older than TOUCH_EVERY: one statement on PostgreSQL (an idle token is
    deleted, with a second)."""
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value
    idle_since = at(now - timedelta(seconds=settings.PUPIL_IDLE_TIMEOUT))
    due = at(now - timedelta(seconds=TOUCH_EVERY))
    params = [idle_since, due, at(now), token]
    if connection.vendor == "postgresql":
        params = [at(now), token, idle_since, due, *params]
    with rows.cursor() as cursor:
        cursor.execute(_lookup_sql(connection.vendor), params)
        row = cursor.fetchone()
    if row is None:
        return SessionLookup("gone")
    submitted, idle, touch, takes_answers, has_draft, *draft = row
    if submitted:
        return SessionLookup("submitted")
    if idle:
        pupil_session_end(token=token)
        return SessionLookup("expired")
    if not has_draft:  # defensive: a detached row is always marked submitted
        return SessionLookup("gone")
    if touch and connection.vendor != "postgresql":
        PupilSession.objects.filter(token=token).update(last_seen=now)
    return SessionLookup(
        "active", rows.from_row(SheetDraft, draft), takes_answers=bool(takes_answers)
    )


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
