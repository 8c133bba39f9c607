"""A page form sent again saves nothing: Back and "resend", a reload, a double click, a
second tab. Each page form carries the token of the draft version it was made from."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from surveys.models import SheetDraft
from tests.surveys.pupil_client import FormClient, shown_page

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]
NOTE = "Sidan var inte längre aktuell"


def _token(response: Any) -> str:
    found = re.search(r'name="steg" value="([^"]+)"', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def _started(new_code: NewCode) -> tuple[Client, str]:
    """A pupil on page 1 (the tokens come from the pages shown; the client adds only the
    submission id every page form carries)."""
    client = FormClient()
    return client, _token(client.post("/", {"code": new_code()}))


def _field(response: Any, name: str) -> str:
    found = re.search(f'name="{name}" value="([^"]+)"', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


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


def test_a_form_of_the_pupil_before_shows_and_saves_nothing_for_the_next(
    new_code: NewCode,
) -> None:
    """A shared Chromebook: pupil A answers page 2 and leaves; pupil B starts with their own
    code in the same browser and resends A's page 2 from its history."""
    browser = Client()
    first = browser.post("/", {"code": new_code()})
    page2 = browser.post(
        "/sida/1/",
        {
            "KON": "2",
            "nav": "next",
            "steg": _token(first),
            "submission_id": _field(first, "submission_id"),
        },
    )
    a_form = {
        "TRY01": "4",
        "nav": "next",
        "steg": _token(page2),
        "submission_id": _field(page2, "submission_id"),
    }
    assert browser.post("/avsluta/").status_code == 302
    b_first = browser.post("/", {"code": new_code()})
    b_page2 = browser.post(
        "/sida/1/",
        {"nav": "next", "steg": _token(b_first), "submission_id": _field(b_first, "submission_id")},
    )
    assert shown_page(b_page2) == 2
    resent = browser.post("/sida/2/", a_form)
    assert resent.status_code == 302
    assert resent["Location"] == "/sida/2/"
    html = browser.get("/sida/2/").content.decode()
    assert "checked" not in html
    assert NOTE not in html
    drafts = {str(d.submission_id): d.answers for d in SheetDraft.objects.all()}
    assert drafts[a_form["submission_id"]] == {"KON": "2"}
    assert drafts[_field(b_first, "submission_id")] == {}
