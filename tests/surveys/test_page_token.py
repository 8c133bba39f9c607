"""A page form sent again saves nothing: Back and "resend", a reload, a double click, a
second tab. Each page form carries the token of the draft version it was made from."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from surveys.models import SheetDraft
from tests.surveys.pupil_client import shown_page

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]
NOTE = "Sidan var inte längre aktuell"


def _token(response: Any) -> str:
    found = re.search(r'name="steg" value="([^"]+)"', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def _started(new_code: NewCode) -> tuple[Client, str]:
    """A pupil on page 1 (plain Client: the tokens come from the pages shown)."""
    client = Client()
    return client, _token(client.post("/", {"code": new_code()}))


def test_a_resent_page_saves_nothing_and_leads_to_the_page_it_led_to(new_code: NewCode) -> None:
    client, first = _started(new_code)
    page2 = client.post("/sida/1/", {"KON": "2", "nav": "next", "steg": first})
    assert shown_page(page2) == 2
    client.post("/sida/2/", {"TRY01": "3", "nav": "next", "steg": _token(page2)})
    again = client.post("/sida/1/", {"KON": "2", "nav": "next", "steg": first})
    assert again.status_code == 302
    assert again["Location"] == "/sida/2/"
    draft = SheetDraft.objects.get()
    assert (draft.answers["KON"], draft.answers["TRY01"], draft.page) == ("2", "3", 3)


def test_a_double_click_on_next_saves_once(new_code: NewCode) -> None:
    client, first = _started(new_code)
    assert shown_page(client.post("/sida/1/", {"KON": "2", "nav": "next", "steg": first})) == 2
    updated = SheetDraft.objects.get().updated_at
    second = client.post("/sida/1/", {"KON": "2", "nav": "next", "steg": first})
    assert second["Location"] == "/sida/2/"
    assert SheetDraft.objects.get().updated_at == updated


def test_an_outdated_form_with_other_answers_comes_back_unsaved_with_a_note(
    new_code: NewCode,
) -> None:
    client, first = _started(new_code)
    client.post("/sida/1/", {"KON": "2", "nav": "next", "steg": first})
    stale = client.post("/sida/1/", {"KON": "3", "nav": "next", "steg": first})
    html = stale.content.decode()
    assert shown_page(stale) == 1
    assert NOTE in html
    assert 'id="KON-3" value="3" checked' in html  # what the pupil typed is not lost
    assert SheetDraft.objects.get().answers["KON"] == "2"  # nor is it saved over newer
    fresh = client.post("/sida/1/", {"KON": "3", "nav": "next", "steg": _token(stale)})
    assert shown_page(fresh) == 2
    assert SheetDraft.objects.get().answers["KON"] == "3"


def test_back_then_resending_an_old_page_never_overwrites_newer_answers(
    new_code: NewCode,
) -> None:
    client, first = _started(new_code)
    page2 = client.post("/sida/1/", {"KON": "2", "nav": "next", "steg": first})
    back = client.post("/sida/2/", {"nav": "back", "steg": _token(page2)})
    assert back["Location"] == "/sida/1/"
    again = client.get("/sida/1/")
    client.post("/sida/1/", {"KON": "1", "nav": "next", "steg": _token(again)})
    # The browser's Back to the first answer of page 1, and "resend":
    resent = client.post("/sida/1/", {"KON": "2", "nav": "next", "steg": first})
    assert NOTE in resent.content.decode()
    assert SheetDraft.objects.get().answers["KON"] == "1"


def test_a_form_without_a_token_saves_nothing(new_code: NewCode) -> None:
    client, _first = _started(new_code)
    response = client.post("/sida/1/", {"KON": "2", "nav": "next"})
    assert NOTE in response.content.decode()
    assert "KON" not in SheetDraft.objects.get().answers
