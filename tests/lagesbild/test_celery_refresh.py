"""refresh_indicators through Redis and a real worker, writing cells in the database."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from eskilstuna_trygghet.celery import app
from lagesbild.models import IndicatorCell
from lagesbild.synthetic import sheets_insert
from lagesbild.tasks import refresh_indicators
from surveys.models import Wave

MakeWave = Callable[..., Wave]
FIELDS = ["indicator", "place", "geography", "area", "breakdown", "breakdown_value"]


@pytest.fixture
def real_worker() -> Iterator[None]:
    app.conf.task_always_eager = False
    app.loader.import_module("celery.contrib.testing.tasks")  # the ping task of the check
    try:
        # Two threads: two refreshes of one wave can run at the same time.
        with start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=True, shutdown_timeout=30
        ):
            yield
    finally:
        app.conf.task_always_eager = True


def snapshot(wave: Wave) -> list[tuple[Any, ...]]:
    values = [*FIELDS, "raw_n", "raw_yes", "state", "share_pct", "n_shown", "bound"]
    return list(IndicatorCell.objects.filter(wave=wave).order_by(*FIELDS).values_list(*values))


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_refresh_goes_through_the_broker_and_upserts_the_cells(
    real_worker: None, make_wave: MakeWave
) -> None:
    wave = make_wave(closed=False)
    sheets_insert(wave=wave, count=400, seed=1)
    refresh_indicators.apply_async(args=(wave.pk,)).get(timeout=120)
    assert IndicatorCell.objects.filter(wave=wave).count() > 1000
    wave.refresh_from_db()
    assert wave.indicators_dirty_at is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_of_a_wave_give_the_same_cells_as_one(
    real_worker: None, make_wave: MakeWave
) -> None:
    wave = make_wave(closed=False)
    sheets_insert(wave=wave, count=400, seed=2)
    results = [refresh_indicators.apply_async(args=(wave.pk,)) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda r: r.get(timeout=180), results))
    together = snapshot(wave)
    IndicatorCell.objects.filter(wave=wave).delete()
    refresh_indicators.apply_async(args=(wave.pk,)).get(timeout=120)
    assert together == snapshot(wave)
    assert len(together) > 1000
