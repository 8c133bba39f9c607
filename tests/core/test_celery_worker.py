"""A real Celery worker on the Redis broker: the task goes through Redis and its write
lands in the database the tests use (PostgreSQL in CI)."""

import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from eskilstuna_trygghet.celery import app
from surveys.models import Heartbeat
from surveys.tasks import worker_heartbeat


@pytest.fixture
def real_worker() -> Iterator[None]:
    app.conf.task_always_eager = False
    app.loader.import_module("celery.contrib.testing.tasks")  # the ping task of the check
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def _wait_for_heartbeat(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Heartbeat.objects.filter(service="worker").exists():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_the_broker_and_its_write_lands_in_the_database(
    real_worker: None, client: Client
) -> None:
    assert not Heartbeat.objects.exists()
    worker_heartbeat.apply_async()
    assert _wait_for_heartbeat(20)
    assert client.get("/healthz").json()["worker"] == "ok"
