"""Shared fixtures and the rules for tests that need real services.

Tests marked `postgres`, `redis` or `browser` are skipped with a visible reason when the
service is not configured, except under CI (CI=true), where a missing service is an error:
CI must never pass by skipping what it exists to test.
"""

import copy
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from hypothesis import settings as hypothesis_settings

from harness.stack import nginx_binary

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
NGINX = nginx_binary()
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# No timing thresholds in tests: Hypothesis's per-example deadline fails on a busy machine.
# Under CI the examples are derived from the test's name, so a run is reproducible.
hypothesis_settings.register_profile("project", deadline=None, derandomize=CI)
hypothesis_settings.load_profile("project")


def _missing(item: pytest.Item) -> str | None:
    if item.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        return "needs PostgreSQL: set DATABASE_URL"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis and a Celery worker: set REDIS_URL"
    if item.get_closest_marker("browser") and not CHROMIUM:
        return "needs Debian's chromium (apt-get install chromium)"
    if item.get_closest_marker("proxy") and not NGINX:
        return "needs Debian's nginx (apt-get install nginx-light)"
    return None


# The slowest modules: run first, so that with several test processes
# (pytest-xdist, a file at a time) none of them starts last and leaves the others idle.
SLOW_FIRST = (  # by their time in a two-process run, longest first (measured 2026-12-04)
    "tests/core/test_demo.py",
    "tests/lagesbild/test_dashboard_browser.py",
    "tests/reliability/test_survey_day_faults.py",
    "tests/core/test_production_smoke.py",
    "tests/lagesbild/test_exports.py",
    "tests/lagesbild/test_disclosure_attack.py",
    "tests/accounts/test_browser_admin.py",
    "tests/surveys/test_browser_pupil.py",
    "tests/surveys/test_browser_pupil_privacy.py",
    "tests/surveys/test_guessing_live.py",
    "tests/accounts/test_access_matrix.py",
    "tests/lagesbild/test_services.py",
    "tests/accounts/test_param_fuzz.py",
    "tests/lagesbild/test_dashboard_views_published.py",
    "tests/lagesbild/test_frozen_publication.py",
    "tests/lagesbild/test_dashboard_selectors_published.py",
    "tests/surveys/test_code_guessing.py",
    "tests/accounts/test_browser_login.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist hands out the test files largest first by their number of tests unless
    told not to, which would undo SLOW_FIRST: keep the collection's order (this conftest
    is loaded by the controlling process too, before it schedules anything)."""
    if getattr(config.option, "loadscopereorder", None) is not None:
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow modules first, in SLOW_FIRST's order; the rest as collected (stable)."""
    root = Path(__file__).resolve().parent.parent

    def rank(item: pytest.Item) -> int:
        path = item.path.relative_to(root).as_posix()
        return SLOW_FIRST.index(path) if path in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing(item)
    if reason is None:
        return
    if CI:
        pytest.fail(f"CI must run this test, but the service is missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _no_outage_left_behind() -> Iterator[None]:
    """A test that simulates a database outage must not short-circuit the next test's
    pupil pages (surveys.outage keeps the last outage per process for a moment)."""
    from surveys.outage import outage_forget

    outage_forget()
    yield
    outage_forget()


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """The per-process caches keyed by database ids must not outlive a test: ids are
    reused (a module that builds its data once empties the database at its end, which
    starts the ids again from 1), so a later test's questionnaire version or kommun could
    be served what an earlier test cached under the same id."""
    from surveys import flow, pupil, selectors, services

    flow._CACHE.clear()
    pupil._FRESH_ITEMS.clear()
    selectors._DISTRICT_CHOICES.clear()
    selectors._KOMMUN_HELP.clear()
    services._DISTRICT_IDS.clear()


@pytest.fixture(autouse=True, scope="session")
def _questionnaire_files_parsed_once() -> Iterator[None]:
    """`load_yaml_file` (the default questionnaire, imported by a great many fixtures)
    parses a given text once per test process; every call gets its own deep copy, as if
    parsed afresh (the texts of a questionnaire are plain dicts). A changed file is a new
    text and is parsed. `parse_yaml` called directly is untouched."""
    from surveys.questionnaire import documents

    parse = documents.parse_yaml
    parsed: dict[str, object] = {}

    def parse_once(text: str) -> object:
        if text not in parsed:
            parsed[text] = parse(text)
        return copy.deepcopy(parsed[text])

    with mock.patch.object(documents, "parse_yaml", parse_once):
        yield


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def chromium_page(live_server: object) -> Iterator[object]:
    """A Playwright page in Debian's Chromium (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # The test's own ORM calls ran beside Playwright's event loop, in a context of
            # their own and so on a database connection of their own: close it here, or
            # it stays open and the test database cannot be dropped at the end. (Closing
            # is synchronous work Django refuses while that loop exists, unless allowed.)
            with mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}):
                connections.close_all()
