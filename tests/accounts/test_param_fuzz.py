"""Hostile query parameters on every staff page, as every staff role: never a 5xx.

Each request goes to one staff URL of the URLconf (the access matrix's list, with its
sample paths), signed in as a role the page admits (now and then one it refuses), with one
to four parameters: the names the pages read plus random ones, each with a hostile value
(null bytes, slashes, huge and negative numbers, unicode, SQL, empty, repeated). The
requests are drawn from a fixed seed, so a failure reproduces. FUZZ_REQUESTS sets how many
(400 in the suite, to keep CI short; `bench/bench_param_fuzz.py` runs 5,000). The admin
site is not walked: its pages are Django's own.
"""

import os
import random
from urllib.parse import quote

import pytest

from tests.accounts.access_matrix import ANONYMOUS, UNVERIFIED, VERIFIED
from tests.accounts.test_access_matrix import (
    ENTRIES,
    _roles,
    policy_roles,
    rule_for,
    sample_path,
    world,
)

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "400"))
SEED = int(os.environ.get("FUZZ_SEED", "14"))

# Every parameter name a staff page reads (lagesbild filters, exports, response rates,
# login redirects, the pupil pages' own), and a few that nothing reads.
KNOWN = [
    "wave",
    "indicator",
    "place",
    "geography",
    "breakdown",
    "area",
    "district",
    "omgang",
    "next",
    "sprak",
    "granska",
    "format",
    "page",
    "q",
    "o",
    "p",
]
HOSTILE = [
    "\x00",
    "a\x00b",
    "%00",
    "a/b",
    "/",
    "../../etc/passwd",
    "//evil.example/",
    "9" * 40,
    "-1",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "0",
    "",
    " ",
    "åäö",
    "ÅRB",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "😀",
    "\ud7ff\ufffd",
    "' OR 1=1 --",
    '"; DROP TABLE surveys_wave; --',
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "x" * 5000,
    "EXP02",
    "SKI",
    "total",
    "home",
    "matris-2024",
    "TRY07",
    "3",
    "\r\nSet-Cookie: x=1",
    "[]",
    "{}",
    "null",
]


def _value(rng: random.Random) -> str:
    value = rng.choice(HOSTILE)
    if rng.random() < 0.2:
        value += rng.choice(HOSTILE)
    return value


def _query(rng: random.Random) -> str:
    pairs = []
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(KNOWN) if rng.random() < 0.8 else f"x{rng.randint(0, 10**6)}"
        for _ in range(rng.choice([1, 1, 1, 2, 3])):  # sometimes repeated
            pairs.append(f"{quote(name)}={quote(_value(rng), safe='')}")
    return "&".join(pairs)


def staff_pages(values: dict[str, str]) -> list[tuple[str, frozenset[str]]]:
    """(path, personas the page admits) of every staff URL outside the admin site."""
    pages = []
    for entry in ENTRIES:
        rule = rule_for(entry.key)
        if rule is None or rule.roles is None or entry.key.startswith("admin"):
            continue
        if rule.ok == 405:  # POST only
            continue
        path = sample_path(entry, rule, values)
        roles = policy_roles(path) if rule.kommun else rule.roles
        assert isinstance(roles, frozenset)
        admitted = frozenset(
            p for p in VERIFIED if not _roles(p, "A" if rule.kommun else None).isdisjoint(roles)
        )
        pages.append((path, admitted))
    return pages


def fuzz(count: int, seed: int) -> tuple[int, list[str]]:
    """Send `count` requests; returns how many were sent and the ones answered 5xx."""
    w = world()
    pages = staff_pages(w.values)
    for client in w.clients.values():
        client.raise_request_exception = False
    rng = random.Random(seed)
    failures: list[str] = []
    for _ in range(count):
        path, admitted = rng.choice(pages)
        if admitted and rng.random() < 0.9:
            persona = rng.choice(sorted(admitted))
        else:
            persona = rng.choice([ANONYMOUS, UNVERIFIED, *VERIFIED])
        separator = "&" if "?" in path else "?"
        url = f"{path}{separator}{_query(rng)}"
        response = w.clients[persona].get(url)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {persona} {url[:300]}")
    return count, failures


@pytest.mark.django_db
def test_hostile_query_parameters_on_staff_pages_never_answer_5xx() -> None:
    sent, failures = fuzz(REQUESTS, SEED)
    assert sent == REQUESTS
    assert not failures, f"{len(failures)} of {sent} answered 5xx:\n" + "\n".join(failures[:20])
