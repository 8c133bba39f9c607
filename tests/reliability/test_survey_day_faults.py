"""Survey day under faults, end to end, on a private stack started for this module.

PostgreSQL, Redis, gunicorn, a Celery worker and beat run in a temporary directory on
their own loopback ports (harness/stack.py), so the faults reach nobody else; the stack is
stopped and removed after the module, also when a test fails. Each test plays a small
survey day (a few classes) with one fault and asserts the reconciliation: sheets stored =
thank-you pages, codes answered = sheets, no duplicates, no answer changed, and no worker or
beat that exited by itself (the stack restarts one that does, as production's restart
policy would, and the report says so).

The default run (CI) plays one scenario, the Redis outage: it is where the worker used to
die (docs/operations.md), and it exercises the broker, the cache, /healthz, the dirty
marker and the catch-up at once. The rest of the matrix runs with `make faults`
(FAULTS=all).
"""

import asyncio
import os
from collections.abc import Iterator

import pytest

from harness.stack import Stack, StackOptions
from harness.survey_day import ENGINE_COMMAND, RunOptions, prepare, run_scenario

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

MATRIX = os.environ.get("FAULTS", "").lower() == "all"
matrix_only = pytest.mark.skipif(
    not MATRIX, reason="the full fault matrix runs with `make faults` (FAULTS=all)"
)

PUPILS = 100
CLASSES = 4


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # Beat scans for dirty waves every 5 s here (3 min in production), so a test can watch
    # the indicators catch up.
    with Stack(StackOptions(web_workers=3, beat_interval=5, pool_max=2)) as running:
        yield running


def _play(
    stack: Stack,
    scenario: str,
    *,
    pupils: int = PUPILS,
    classes: int = CLASSES,
    synth: int = 0,
    **options: float,
) -> str:
    # One wave per test: the two Redis runs must not share codes or sheets.
    slug = f"ci-{scenario}-{pupils}"
    plan = prepare(stack, slug=slug, classes=classes, pupils=pupils, synth=synth)
    run_options = RunOptions(
        scenario=scenario,
        start_window=options.get("start_window", 5),
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


def test_pupils_keep_submitting_while_redis_is_down_and_healthz_says_degraded(
    stack: Stack,
) -> None:
    # The smallest run that still has pupils answering before, during and after the
    # outage: two classes start within 3 s and take about 15 s; Redis is down from 5 s to
    # 11 s, long enough for several /healthz polls, a worker reconnect and beat retries.
    table = _play(stack, "redis", pupils=40, classes=2, start_window=3, fault_at=5, outage=6)
    assert "pupil pages answered while Redis was down" in table
    if ENGINE_COMMAND.exists():
        assert "indicators caught up" in table


@matrix_only
def test_a_gunicorn_reload_and_killed_workers_lose_and_double_no_sheet(stack: Stack) -> None:
    _play(stack, "gunicorn")


@matrix_only
def test_a_long_redis_outage_under_more_load_loses_and_doubles_no_sheet(stack: Stack) -> None:
    table = _play(stack, "redis", fault_at=8, outage=10)
    if ENGINE_COMMAND.exists():
        assert "indicators caught up" in table


@matrix_only
def test_a_postgresql_restart_gives_try_again_pages_and_stores_each_sheet_once(
    stack: Stack,
) -> None:
    table = _play(stack, "postgres", fault_at=8, outage=6)
    assert "503 pages that kept the answers" in table


@matrix_only
def test_a_worker_killed_mid_aggregation_leaves_the_cells_of_an_undisturbed_run(
    stack: Stack,
) -> None:
    if not ENGINE_COMMAND.exists():
        pytest.skip("needs refresh_indicators (the lägesbild engine)")
    # Synthetic sheets make each refresh long enough to be caught running.
    table = _play(stack, "worker-kill", synth=20000, fault_at=4, outage=6)
    assert "whole worker SIGKILLed mid-aggregation" in table
    assert "worker or beat restarted after a deliberate kill" in table


@matrix_only
def test_two_aggregations_of_one_wave_at_once_give_the_cells_of_one(stack: Stack) -> None:
    if not ENGINE_COMMAND.exists():
        pytest.skip("needs refresh_indicators (the lägesbild engine)")
    table = _play(stack, "concurrent")
    assert "cells of two refreshes at once" in table
