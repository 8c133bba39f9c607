"""The survey-day stack restarts its worker and beat as production's restart policy does.

A stand-in process plays the supervised service here: no PostgreSQL, Redis or Celery is
needed to see that an exit is followed by a restart, that a deliberate stop is not, and
that each restart is logged.
"""

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.stack import Service, Supervisor

WAIT = 30.0  # seconds: a bound for each wait, not an expected duration


def _wait(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[Service, Supervisor]]:
    service = Service(
        "stand-in",
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"],
        {"PATH": os.environ.get("PATH", "")},
        tmp_path / "stand-in.log",
    )
    supervisor = Supervisor([service], tmp_path / "supervisor.log")
    service.start()
    supervisor.start()
    try:
        yield service, supervisor
    finally:
        supervisor.stop()
        service.stop(timeout=5)


def test_a_service_that_dies_is_started_again_and_the_restart_is_logged(
    supervised: tuple[Service, Supervisor],
) -> None:
    service, supervisor = supervised
    assert _wait(lambda: "up" in service.tail())
    first = service.pid
    os.kill(first, signal.SIGKILL)  # a crash: nobody asked it to stop

    assert _wait(lambda: bool(supervisor.restarts) and service.running)
    restart = supervisor.restarts[0]
    assert restart.service == "stand-in"
    assert restart.pid == first and service.pid != first
    assert restart.returncode == -signal.SIGKILL
    assert not restart.expected
    assert "up" in restart.log_tail  # what the service wrote before it died
    assert "stand-in (pid" in supervisor.log.read_text()


def test_a_deliberate_kill_is_restarted_and_marked_as_expected(
    supervised: tuple[Service, Supervisor],
) -> None:
    service, supervisor = supervised
    service.kill_group()

    assert _wait(lambda: bool(supervisor.restarts) and service.running)
    assert supervisor.restarts[0].expected


def test_a_service_stopped_on_purpose_stays_stopped(
    supervised: tuple[Service, Supervisor],
) -> None:
    service, supervisor = supervised
    service.stop(timeout=5)
    supervisor.check(service)  # what its thread does twice a second, done here at once
    assert not service.running
    assert supervisor.restarts == []
