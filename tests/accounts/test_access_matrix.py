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
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoDbBlocker

from accounts.access import Role
from accounts.services import membership_grant
from surveys.models import (
    District,
    Grade,
    Municipality,
    QuestionnaireVersion,
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
    values: dict[str, str]  # the page's kommun
    values_b: dict[str, str]  # the same placeholders in the second kommun
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


def _kommun(code: str, name: str, tag: str, questionnaire: QuestionnaireVersion) -> dict[str, Any]:
    """One kommun of the test world: a district, two schools, a published and an open wave."""
    municipality = Municipality.objects.create(code=code, name=name, open_data=True)
    district = District.objects.create(
        municipality=municipality, code=f"M{tag}", name=f"Matrisdistriktet {tag}"
    )
    school = School.objects.create(district=district, name=f"Matrisskolan Norra {tag}")
    other = School.objects.create(district=district, name=f"Matrisskolan Södra {tag}")
    school_class = SchoolClass.objects.create(school=school, name="7Q", grade=Grade.AK7)
    SchoolClass.objects.create(school=other, name="8Q", grade=Grade.AK8)
    now = timezone.now()
    wave = Wave.objects.create(
        municipality=municipality,
        name=f"Matrisomgången 2024 {tag}",
        slug=f"matris-2024-{tag.lower()}",
        questionnaire=questionnaire,
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=370),
        published_at=now - timedelta(days=360),
        youth_page=True,
    )
    make_publication(wave)
    open_wave = Wave.objects.create(
        municipality=municipality,
        name=f"Matrisomgången pågående {tag}",
        slug=f"matris-open-{tag.lower()}",
        questionnaire=questionnaire,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )
    return {
        "municipality": municipality,
        "school": school,
        "other": other,
        "values": {
            "school": str(school.pk),
            "other_school": str(other.pk),
            "school_class": str(school_class.pk),
            "wave": wave.slug,
            "open_wave": open_wave.slug,
            "district": district.code,
            "municipality": municipality.code,
        },
        "secrets": [school.name, other.name, wave.name, open_wave.name, district.name],
    }


def world() -> World:
    questionnaire = questionnaire_import_default()
    a = _kommun("9999", "Matrisköping", "X", questionnaire)
    b = _kommun("9998", "Andramatris", "Y", questionnaire)
    kommun_a, kommun_b = a["municipality"], b["municipality"]
    users: dict[str, User] = {
        "admin": make_staff(Role.ADMIN),
        "coordinator": make_staff(Role.COORDINATOR, kommun=kommun_a),
        "analyst_kommun": make_staff(Role.ANALYST, organisation="kommun", kommun=kommun_a),
        "analyst_polis": make_staff(Role.ANALYST, organisation="polis", kommun=kommun_a),
        "analyst_ideer": make_staff(Role.ANALYST, organisation="ideer", kommun=kommun_a),
        "school_contact": make_staff(Role.SCHOOL_CONTACT, school=a["school"]),
        "other_school_contact": make_staff(Role.SCHOOL_CONTACT, school=a["other"]),
        "no_role": make_staff(),
        "coordinator_b": make_staff(Role.COORDINATOR, kommun=kommun_b),
        "analyst_b": make_staff(Role.ANALYST, organisation="kommun", kommun=kommun_b),
        "school_contact_b": make_staff(Role.SCHOOL_CONTACT, school=b["school"]),
        "foundation": make_staff(Role.ANALYST, organisation="ideer", kommun=kommun_a),
    }
    membership_grant(
        user=users["foundation"], role=Role.ANALYST, municipality=kommun_b, organisation="ideer"
    )
    clients = {ANONYMOUS: Client()}
    unverified = make_staff(Role.COORDINATOR, kommun=kommun_a)
    device = TOTPDevice.objects.create(user=unverified, name="app", confirmed=True)
    clients[UNVERIFIED] = Client()
    clients[UNVERIFIED].force_login(unverified)
    for persona, user in users.items():
        clients[persona] = Client()
        login_verified(clients[persona], user)
    shared = {
        "totp_device": str(device.pk),
        "questionnaire": str(questionnaire.pk),
        "missing_uuid": "00000000-0000-4000-8000-000000000000",
        "no_role_user": str(users["no_role"].pk),
    }
    return World(
        values={**a["values"], **shared},
        values_b={**b["values"], **shared},
        clients=clients,
        secrets=[*a["secrets"], *b["secrets"]],
    )


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


_KOMMUN_PREFIX = re.compile(r"^\^\(\?P<kommun>\[0-9\]\{4\}\)/")


def sample_path(entry: Entry, rule: Rule, values: dict[str, str]) -> str:
    if rule.path is not None:
        return rule.path.format(**values)
    route = _KOMMUN_PREFIX.sub("{municipality}/", entry.route).removesuffix("$")
    if route != entry.route:
        route = route.replace("{municipality}", values["municipality"])
    assert "(?P<" not in route, f"{entry.key}: a regex route needs Rule(path=...)"

    def fill(match: re.Match[str]) -> str:
        return rule.kwargs.get(match["name"], "1").format(**values)

    return "/" + _CONVERTER.sub(fill, route)


def policy_roles(path: str) -> frozenset[Role]:
    """The roles of the policy the view behind `path` declares (`kommun_required`)."""
    view = resolve(path.split("?")[0]).func
    policy = getattr(view, "access_policy", None)
    assert policy is not None, f"{path}: a kommun page's view must declare its policy"
    roles: frozenset[Role] = policy.roles
    return roles


def expected_status(
    rule: Rule, persona: str, roles: frozenset[Role], *, path_roles: frozenset[Role]
) -> int | None:
    """The status the persona must get, or None when any of `rule.ok` is right.

    `roles`: the persona's roles where the page is (in its kommun for a kommun page);
    `path_roles`: who may open it."""
    if persona in rule.overrides:
        return rule.overrides[persona]
    if rule.roles is None:
        return None
    if persona in (ANONYMOUS, UNVERIFIED):
        return 302
    if rule.kommun and not roles:
        return 404  # no role in this kommun: it does not exist for them
    if roles.isdisjoint(path_roles):
        return 403
    if rule.school_scoped and persona == "other_school_contact":
        return 404
    return None


# Each persona's roles per kommun: "A" the page's kommun, "B" the second one.
PERSONA_ROLES: dict[str, dict[str, frozenset[Role]]] = {
    "admin": {"A": frozenset({Role.ADMIN}), "B": frozenset({Role.ADMIN})},
    "coordinator": {"A": frozenset({Role.COORDINATOR})},
    "analyst_kommun": {"A": frozenset({Role.ANALYST})},
    "analyst_polis": {"A": frozenset({Role.ANALYST})},
    "analyst_ideer": {"A": frozenset({Role.ANALYST})},
    "school_contact": {"A": frozenset({Role.SCHOOL_CONTACT})},
    "other_school_contact": {"A": frozenset({Role.SCHOOL_CONTACT})},
    "no_role": {},
    "coordinator_b": {"B": frozenset({Role.COORDINATOR})},
    "analyst_b": {"B": frozenset({Role.ANALYST})},
    "school_contact_b": {"B": frozenset({Role.SCHOOL_CONTACT})},
    "foundation": {"A": frozenset({Role.ANALYST}), "B": frozenset({Role.ANALYST})},
}


def _roles(persona: str, kommun: str | None) -> frozenset[Role]:
    """The persona's roles in `kommun` ("A", "B", "unknown"), or in any kommun (None)."""
    if persona in (ANONYMOUS, UNVERIFIED):
        return frozenset()
    by_kommun = PERSONA_ROLES[persona]
    if kommun is None:
        return frozenset().union(*by_kommun.values())
    return by_kommun.get(kommun, frozenset())


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
    # A kommun page: in its kommun, in the second kommun, and under a code of none.
    where: list[tuple[str | None, dict[str, str]]] = (
        [("A", w.values), ("B", w.values_b), ("unknown", {**w.values, "municipality": "0000"})]
        if rule.kommun
        else [(None, w.values)]
    )
    failures = []
    for kommun, values in where:
        path = sample_path(entry, rule, values)
        path_roles = (
            policy_roles(path)
            if rule.kommun
            else (rule.roles if isinstance(rule.roles, frozenset) else frozenset())
        )
        failures += _check(rule, path, kommun, path_roles, clients, w.secrets)
    assert not failures, "\n".join(failures)


def _check(
    rule: Rule,
    path: str,
    kommun: str | None,
    path_roles: frozenset[Role],
    clients: dict[str, Client],
    secrets: list[str],
) -> list[str]:
    oks = {rule.ok} if isinstance(rule.ok, int) else set(rule.ok)
    failures = []
    for persona in PERSONAS:
        response = clients[persona].get(path)
        status = response.status_code
        roles = _roles(persona, kommun)
        expected = expected_status(rule, persona, roles, path_roles=path_roles)
        location = response.get("Location", "")
        if expected is None:
            if status not in oks or (
                status == 302 and rule.roles is not None and "/konto/" in location
            ):
                failures.append(f"{path} {persona}: {status} {location} (expected {sorted(oks)})")
        elif status != expected:
            failures.append(f"{path} {persona}: {status} {location} (expected {expected})")
        elif expected == 302 and rule.roles is not None and persona in (ANONYMOUS, UNVERIFIED):
            target = "/konto/logga-in/" if persona == ANONYMOUS else "/konto/verifiera/"
            if not location.startswith(target):
                failures.append(f"{path} {persona}: redirected to {location}, not {target}")
        denied = expected is not None and expected in (302, 403, 404) and rule.roles is not None
        if denied and not getattr(response, "streaming", False):
            body = response.content.decode(errors="replace")
            leaked = [secret for secret in secrets if secret in body]
            if leaked:
                failures.append(f"{path} {persona}: denied response shows {leaked}")
        if status == 200 and "Content-Security-Policy" not in response:
            failures.append(f"{path} {persona}: no Content-Security-Policy header")
        cache_control = response.get("Cache-Control", "")
        if status == 200 and rule.roles is not None and "no-store" not in cache_control:
            failures.append(f"{path} {persona}: protected page without Cache-Control: no-store")
    return failures


def test_every_kommun_page_declares_a_policy_of_the_access_module() -> None:
    """The matrix's kommun pages are exactly the views guarded by `kommun_required`."""
    from accounts.access import POLICIES

    for entry in ENTRIES:
        rule = rule_for(entry.key)
        if rule is None or not rule.kommun:
            continue
        path = sample_path(
            entry,
            rule,
            {
                "municipality": "0484",
                "wave": "w",
                "district": "D",
                "missing_uuid": "00000000-0000-4000-8000-000000000000",
            },
        )
        view = resolve(path.split("?")[0]).func
        assert getattr(view, "access_policy", None) in POLICIES, entry.key
