import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _django_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "eskilstuna_trygghet.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_start_up_fails_clearly_without_secret_key_when_debug_is_off() -> None:
    result = _django_check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_start_up_succeeds_with_secret_key_when_debug_is_off() -> None:
    result = _django_check({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_is_an_error_not_a_guess() -> None:
    result = _django_check({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_every_task_of_the_beat_schedule_is_a_registered_task() -> None:
    """A misspelt task name in the schedule would only show as an error in beat's log."""
    import importlib

    from django.conf import settings

    from eskilstuna_trygghet.celery import app

    scheduled = {str(entry["task"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for module in {name.rsplit(".", 1)[0] for name in scheduled}:
        importlib.import_module(module)  # as the worker's autodiscovery does
    assert "lagesbild.exports.tasks.report_jobs_resend" in scheduled
    assert scheduled - set(app.tasks) == set()
