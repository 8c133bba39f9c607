"""The Celery app. Configuration comes from Django settings (the CELERY_ prefix)."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eskilstuna_trygghet.settings")

app = Celery("eskilstuna_trygghet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Export tasks live in a sub-package of lagesbild (lagesbild/exports/tasks.py).
app.autodiscover_tasks(["lagesbild.exports"])


@worker_ready.connect
def _worker_ready(**_kwargs: Any) -> None:
    """A worker that just started counts as healthy until its first heartbeat task."""
    from surveys.health import worker_heartbeat_file_touch

    worker_heartbeat_file_touch()
