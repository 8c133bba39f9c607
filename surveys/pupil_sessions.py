"""Writes for a pupil's answering session: the random token a browser session holds.

The browser's session holds the token and the pupil's language, never the code or the
submission id. The token's row points at the draft while the pupil answers; the submit
detaches every row of the draft in the transaction that stores the sheet.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.utils import timezone

from .models import PupilSession, SheetDraft

SessionStatus = Literal["active", "submitted", "expired", "gone"]


@dataclass(frozen=True)
class SessionLookup:
    status: SessionStatus
    draft: SheetDraft | None = None


def pupil_session_open(*, draft: SheetDraft) -> str:
    """A fresh token for one device; the draft can have several (the pupil changed device)."""
    token = secrets.token_urlsafe(32)
    PupilSession.objects.create(token=token, draft=draft, last_seen=timezone.now())
    return token


def pupil_session_touch(*, token: str) -> SessionLookup:
    """The draft behind a token, moving its idle clock; an idle token is deleted."""
    now = timezone.now()
    row = PupilSession.objects.select_related("draft").filter(token=token).first()
    if row is None:
        return SessionLookup("gone")
    if row.submitted:
        return SessionLookup("submitted")
    if row.last_seen < now - timedelta(seconds=settings.PUPIL_IDLE_TIMEOUT):
        row.delete()
        return SessionLookup("expired")
    if row.draft is None:  # defensive: a detached row is always marked submitted
        return SessionLookup("gone")
    PupilSession.objects.filter(token=token).update(last_seen=now)
    return SessionLookup("active", row.draft)


def pupil_session_end(*, token: str) -> None:
    """The pupil leaves without submitting: this device's way to the draft is deleted."""
    PupilSession.objects.filter(token=token).delete()


def pupil_sessions_purge() -> int:
    """Delete tokens idle longer than the timeout (and the markers of submitted drafts)."""
    cutoff = timezone.now() - timedelta(seconds=settings.PUPIL_IDLE_TIMEOUT)
    deleted, _ = PupilSession.objects.filter(last_seen__lt=cutoff).delete()
    return deleted
