"""The survey-day stack as deployed: nginx in front of gunicorn's sync workers.

nginx reads each whole request before gunicorn sees it, which is what lets a sync
worker ignore slow clients (docs/operations.md). A small survey day through it must
reconcile exactly like one straight to gunicorn.

Part of the fault matrix (`make faults`, FAULTS=all), not of CI: it needs a stack of its
own, and starting one costs more than the run itself.
"""

import asyncio
import os
from collections.abc import Iterator

import httpx
import pytest

from harness.stack import Stack, StackOptions
from harness.survey_day import RunOptions, prepare, run_scenario

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.proxy,
    pytest.mark.skipif(
        os.environ.get("FAULTS", "").lower() != "all",
        reason="the full fault matrix runs with `make faults` (FAULTS=all)",
    ),
]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(web_workers=2, beat_interval=5, pool_max=2, proxy=True)) as running:
        yield running


def test_the_stack_answers_through_nginx(stack: Stack) -> None:
    assert stack.base_url.endswith(f":{stack.proxy_port}")
    response = httpx.get(f"{stack.base_url}/healthz", timeout=15, trust_env=False)
    assert response.status_code == 200
    assert response.headers["server"].startswith("nginx")


def test_a_survey_day_through_nginx_loses_and_doubles_no_sheet(stack: Stack) -> None:
    plan = prepare(stack, slug="ci-proxy", classes=3, pupils=60)
    options = RunOptions(
        scenario="baseline", start_window=5, class_spread=3, think=(0.1, 0.4), catchup_timeout=120
    )
    report = asyncio.run(run_scenario(stack, plan, options))
    assert not report.failures, report.table()
    assert "sheets stored" in report.table()
