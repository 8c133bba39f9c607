"""Survey day under faults, end to end, on a private stack started for this module.

PostgreSQL, Redis, gunicorn, a Celery worker and beat run in a temporary directory on
their own loopback ports (bench/stack.py), so the faults reach nobody else; the stack is
stopped and removed after the module, also when a test fails. Each test plays a small
survey day (a few classes) with one fault and asserts the reconciliation: sheets stored =
thank-you pages, codes spent = sheets, no duplicates, no answer changed. The bigger runs
and the slow scenarios are `make faults`.
"""

import asyncio
from collections.abc import Iterator

import pytest

from bench.stack import Stack, StackOptions
from bench.survey_day import ENGINE_COMMAND, RunOptions, prepare, run_scenario

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PUPILS = 100
CLASSES = 4


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # Beat scans for dirty waves every 5 s here (3 min in production), so a test can watch
    # the indicators catch up.
    with Stack(StackOptions(web_workers=3, beat_interval=5, pool_max=2)) as running:
        yield running


def _play(stack: Stack, scenario: str, **options: float) -> str:
    plan = prepare(stack, slug=f"ci-{scenario}", classes=CLASSES, pupils=PUPILS)
    run_options = RunOptions(
        scenario=scenario,
        start_window=5,
        class_spread=3,
        think=(0.1, 0.4),
        fault_at=options.get("fault_at", 6),
        outage=options.get("outage", 8),
        catchup_timeout=120,
    )
    report = asyncio.run(run_scenario(stack, plan, run_options))
    assert not report.failures, report.table()
    assert report.checks, report.table()
    return report.table()


def test_a_gunicorn_reload_and_killed_workers_lose_and_double_no_sheet(stack: Stack) -> None:
    _play(stack, "gunicorn")


def test_pupils_keep_submitting_while_redis_is_down_and_healthz_says_degraded(
    stack: Stack,
) -> None:
    table = _play(stack, "redis", fault_at=8, outage=10)
    if ENGINE_COMMAND.exists():
        assert "indicators caught up" in table


def test_a_postgresql_restart_gives_try_again_pages_and_stores_each_sheet_once(
    stack: Stack,
) -> None:
    table = _play(stack, "postgres", fault_at=8, outage=6)
    assert "503 pages that kept the answers" in table


def test_two_aggregations_of_one_wave_at_once_give_the_cells_of_one(stack: Stack) -> None:
    if not ENGINE_COMMAND.exists():
        pytest.skip("needs refresh_indicators (the lägesbild engine)")
    table = _play(stack, "concurrent")
    assert "cells of two refreshes at once" in table
