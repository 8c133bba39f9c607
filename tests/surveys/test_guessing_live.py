"""An attacker guessing codes at full speed over real HTTP, against the running app."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.test import override_settings

from surveys import codes
from surveys.services import codes_issue
from tests.surveys.factories import make_class, make_school, make_wave

# 300 guesses from parallel threads against one database: SQLite's shared in-memory test
# database locks whole tables between threads ("database table is locked"), which is no
# production setup, so the storm runs against PostgreSQL only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _csrf(base: str) -> str:
    return httpx.get(base + "/", trust_env=False).cookies["csrftoken"]


def _post_code(base: str, token: str, code: str) -> int | str:
    """The answer's status, or "in" when the code let the pupil in (a question page)."""
    response = httpx.post(
        base + "/",
        data={"code": code, "csrfmiddlewaretoken": token},
        cookies={"csrftoken": token},
        trust_env=False,
    )
    return "in" if 'action="/sida/' in response.text else response.status_code


@override_settings(CODE_GUESS_LIMIT_KEY=20, CODE_GUESS_DELAY_SECONDS=0.05)
def test_300_wrong_codes_in_parallel_do_not_keep_right_codes_of_the_school_out(
    live_server: Any,
) -> None:
    wave, school = make_wave(), make_school()
    [mine] = codes_issue(wave=wave, school_class=make_class(school=school), count=1)
    [theirs] = codes_issue(wave=wave, school_class=make_class(school=school), count=1)
    guesses = [mine[:4] + codes.random_group(codes.SECRET_LENGTH) for _ in range(300)]
    base, token = live_server.url, _csrf(live_server.url)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda guess: _post_code(base, token, guess), guesses))
    assert set(statuses) == {200}  # every guess answered "wrong" or "too many attempts"
    assert _post_code(base, token, mine) == "in"
    assert _post_code(base, token, theirs) == "in"
