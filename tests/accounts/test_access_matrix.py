"""Every URL pattern of the project × every persona → the status its rule promises.

The rules live in `access_matrix.py` beside this file (one line per page).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from fnmatch import fnmatchcase
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoDbBlocker

from accounts.access import Role
from surveys.models import (
    District,
    Grade,
    Municipality,
    School,
    SchoolClass,
    Wave,
)
from surveys.services import questionnaire_import_default
from tests.accounts.access_matrix import ANONYMOUS, PERSONAS, RULES, UNVERIFIED, Rule
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild.dashboard_factories import make_publication


@dataclass(frozen=True)
class Entry:
    key: str  # "namespace:name", or the route for an unnamed pattern
    route: str


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[Entry]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            yield from _walk(pattern.url_patterns, route, inner)
        elif pattern.name:
            yield Entry(f"{namespace}:{pattern.name}" if namespace else pattern.name, route)
        else:
            yield Entry(route, route)


ENTRIES = list(_walk(get_resolver().url_patterns))


def rule_for(key: str) -> Rule | None:
    if key in RULES:
        return RULES[key]
    globs = [g for g in RULES if "*" in g and g.startswith("admin") and fnmatchcase(key, g)]
    return RULES[max(globs, key=len)] if globs else None


def test_every_url_pattern_has_an_access_rule() -> None:
    missing = sorted({entry.key for entry in ENTRIES if rule_for(entry.key) is None})
    assert not missing, f"add these to tests/accounts/access_matrix.py: {missing}"


def test_every_exact_rule_names_an_existing_url() -> None:
    keys = {entry.key for entry in ENTRIES}
    stale = sorted(key for key in RULES if "*" not in key and key not in keys)
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_glob_rules_are_only_used_for_the_admin_site() -> None:
    assert all(key.startswith("admin") for key in RULES if "*" in key)


@dataclass
class World:
    values: dict[str, str]
    clients: dict[str, Client]
    secrets: list[str]  # strings that must never appear in a denied response

    def fresh_clients(self) -> dict[str, Client]:
        """A new client per persona holding that persona's session cookie: every test
        starts from the sessions as logged in, whatever an earlier test's requests did to
        its clients (their database changes are rolled back after each test)."""
        clients = {}
        for persona, client in self.clients.items():
            clients[persona] = Client()
            clients[persona].cookies = SimpleCookie(client.cookies.output(header=""))
        return clients


def world() -> World:
    municipality = Municipality.objects.create(code="9999", name="Matrisköping", open_data=True)
    district = District.objects.create(
        municipality=municipality, code="MTX", name="Matrisdistriktet"
    )
    school = School.objects.create(district=district, name="Matrisskolan Norra")
    other = School.objects.create(district=district, name="Matrisskolan Södra")
    school_class = SchoolClass.objects.create(school=school, name="7Q", grade=Grade.AK7)
    SchoolClass.objects.create(school=other, name="8Q", grade=Grade.AK8)
    questionnaire = questionnaire_import_default()
    now = timezone.now()
    wave = Wave.objects.create(
        municipality=municipality,
        name="Matrisomgången 2024",
        slug="matris-2024",
        questionnaire=questionnaire,
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=370),
        published_at=now - timedelta(days=360),
        youth_page=True,
    )
    make_publication(wave)
    open_wave = Wave.objects.create(
        municipality=municipality,
        name="Matrisomgången pågående",
        slug="matris-open",
        questionnaire=questionnaire,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )
    users: dict[str, User] = {
        "admin": make_staff(Role.ADMIN),
        "coordinator": make_staff(Role.COORDINATOR),
        "analyst_kommun": make_staff(Role.ANALYST, organisation="kommun"),
        "analyst_polis": make_staff(Role.ANALYST, organisation="polis"),
        "analyst_ideer": make_staff(Role.ANALYST, organisation="ideer"),
        "school_contact": make_staff(Role.SCHOOL_CONTACT, school=school),
        "other_school_contact": make_staff(Role.SCHOOL_CONTACT, school=other),
        "no_role": make_staff(),
    }
    clients = {ANONYMOUS: Client()}
    unverified = make_staff(Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=unverified, name="app", confirmed=True)
    clients[UNVERIFIED] = Client()
    clients[UNVERIFIED].force_login(unverified)
    for persona, user in users.items():
        clients[persona] = Client()
        login_verified(clients[persona], user)
    values = {
        "school": str(school.pk),
        "other_school": str(other.pk),
        "school_class": str(school_class.pk),
        "wave": wave.slug,
        "open_wave": open_wave.slug,
        "district": district.code,
        "municipality": municipality.code,
        "totp_device": str(device.pk),
        "questionnaire": str(questionnaire.pk),
        "missing_uuid": "00000000-0000-4000-8000-000000000000",
        "no_role_user": str(users["no_role"].pk),
    }
    secrets = [school.name, other.name, wave.name, open_wave.name, district.name]
    return World(values, clients, secrets)


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The test world, built once for the module: its tests only request pages, and each
    test's database changes are rolled back. Committed until the module ends; then the
    database is emptied for the modules after it."""
    with django_db_blocker.unblock():
        built = world()
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def _empty_cache() -> None:
    """No test sees what an earlier one left in the cache (pages, counters)."""
    cache.clear()


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def sample_path(entry: Entry, rule: Rule, values: dict[str, str]) -> str:
    if rule.path is not None:
        return rule.path.format(**values)
    assert "(?P<" not in entry.route, f"{entry.key}: a regex route needs Rule(path=...)"

    def fill(match: re.Match[str]) -> str:
        return rule.kwargs.get(match["name"], "1").format(**values)

    return "/" + _CONVERTER.sub(fill, entry.route)


def expected_status(rule: Rule, persona: str, persona_roles: frozenset[Role]) -> int | None:
    """The status the persona must get, or None when any of `rule.ok` is right."""
    if persona in rule.overrides:
        return rule.overrides[persona]
    if rule.roles is None:
        return None
    if persona in (ANONYMOUS, UNVERIFIED):
        return 302
    if persona_roles.isdisjoint(rule.roles):
        return 403
    if rule.school_scoped and persona == "other_school_contact":
        return 404
    return None


def _roles(persona: str) -> frozenset[Role]:
    if persona in (ANONYMOUS, UNVERIFIED):
        return frozenset()
    return {
        "admin": frozenset({Role.ADMIN}),
        "coordinator": frozenset({Role.COORDINATOR}),
        "analyst_kommun": frozenset({Role.ANALYST}),
        "analyst_polis": frozenset({Role.ANALYST}),
        "analyst_ideer": frozenset({Role.ANALYST}),
        "school_contact": frozenset({Role.SCHOOL_CONTACT}),
        "other_school_contact": frozenset({Role.SCHOOL_CONTACT}),
        "no_role": frozenset(),
    }[persona]


@pytest.mark.django_db
@pytest.mark.usefixtures("_empty_cache")
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.key for entry in ENTRIES])
def test_url_answers_every_persona_as_its_rule_says(
    entry: Entry, shared_world: World, settings: Any, tmp_path: Path
) -> None:
    settings.EXPORT_DIR = tmp_path  # files a page writes (the youth page's posters)
    rule = rule_for(entry.key)
    if rule is None:
        pytest.fail(f"no access rule for {entry.key} (see access_matrix.py)")
    w = shared_world
    clients = w.fresh_clients()
    path = sample_path(entry, rule, w.values)
    oks = {rule.ok} if isinstance(rule.ok, int) else set(rule.ok)
    failures = []
    for persona in PERSONAS:
        response = clients[persona].get(path)
        status = response.status_code
        expected = expected_status(rule, persona, _roles(persona))
        location = response.get("Location", "")
        if expected is None:
            if status not in oks or (
                status == 302 and rule.roles is not None and "/konto/" in location
            ):
                failures.append(f"{persona}: {status} {location} (expected {sorted(oks)})")
        elif status != expected:
            failures.append(f"{persona}: {status} {location} (expected {expected})")
        elif expected == 302 and rule.roles is not None and persona in (ANONYMOUS, UNVERIFIED):
            target = "/konto/logga-in/" if persona == ANONYMOUS else "/konto/verifiera/"
            if not location.startswith(target):
                failures.append(f"{persona}: redirected to {location}, not {target}")
        denied = expected is not None and expected in (302, 403, 404) and rule.roles is not None
        if denied and not getattr(response, "streaming", False):
            body = response.content.decode(errors="replace")
            leaked = [secret for secret in w.secrets if secret in body]
            if leaked:
                failures.append(f"{persona}: denied response shows {leaked}")
        if status == 200 and "Content-Security-Policy" not in response:
            failures.append(f"{persona}: no Content-Security-Policy header")
        cache_control = response.get("Cache-Control", "")
        if status == 200 and rule.roles is not None and "no-store" not in cache_control:
            failures.append(f"{persona}: protected page without Cache-Control: no-store")
    assert not failures, f"{path}\n" + "\n".join(failures)
