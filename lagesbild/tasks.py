"""Background tasks of the lägesbild. Tasks take ids, call a service, and are safe to rerun."""

from celery import shared_task
from django.db import DatabaseError

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=10 * 60,
    time_limit=11 * 60,
)
def refresh_indicators(wave_id: int, only_if_dirty: bool = False) -> int:
    """Recompute one wave's cells; returns how many. Safe twice: a recompute-and-upsert
    on the cells' natural key, serialized per wave; a published wave is left alone, and
    with ``only_if_dirty`` (beat's scan) so is a wave another refresh has caught up."""
    return services.indicators_refresh(wave_id=wave_id, only_if_dirty=only_if_dirty).cells


@shared_task(ignore_result=True, time_limit=60)
def refresh_dirty_waves() -> None:
    """Beat: queue a recompute of each unpublished wave whose dirty marker is set. Safe
    twice: the marker is cleared only by a recompute that saw the sheets that set it."""
    services.dirty_waves_refresh()
