"""A test browser for the pupil flow: posts every question page from its newest version.

A page form carries the token of the draft version it was made from (`steg`); a real
browser has it from the page it shows. Tests post pages without fetching them first, so
this client adds the current token itself unless the test passes one (to test an
outdated or resent form).
"""

import re
from typing import Any

from django.test import Client

from surveys.models import PupilSession, SheetDraft
from surveys.pupil_sessions import PUPIL_COOKIE, pupil_cookie_decode
from surveys.services import page_token


def pupil_cookie(client: Client) -> dict[str, Any] | None:
    morsel = client.cookies.get(PUPIL_COOKIE)
    return pupil_cookie_decode(morsel.value) if morsel is not None and morsel.value else None


def _current_draft(client: Client) -> SheetDraft | None:
    data = pupil_cookie(client)
    if not data or "t" not in data:
        return None
    row = PupilSession.objects.select_related("draft").filter(token=data["t"]).first()
    return None if row is None else row.draft


def current_token(client: Client) -> str:
    draft = _current_draft(client)
    if draft is None:
        return ""
    return page_token(submission_id=draft.submission_id, version=draft.updated_at)


class FormClient(Client):
    """Adds to a page post the submission id every page form carries (unless given)."""

    def post(self, path: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if path.startswith("/sida/") and isinstance(data, dict) and "submission_id" not in data:
            draft = _current_draft(self)
            if draft is not None:
                data = {**data, "submission_id": str(draft.submission_id)}
        return super().post(path, data, *args, **kwargs)


class PupilClient(FormClient):
    """Adds the current page token as well (unless given)."""

    def post(self, path: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if path.startswith("/sida/") and isinstance(data, dict) and "steg" not in data:
            token = current_token(self)
            if token:
                data = {**data, "steg": token}
        return super().post(path, data, *args, **kwargs)


def shown_page(response: Any) -> int:
    """The question page a response shows (the number its form posts to), or 0."""
    if response.status_code != 200:
        return 0
    found = re.search(r'<form method="post" action="/sida/(\d+)/"', response.content.decode())
    return int(found.group(1)) if found else 0
