"""Test settings: the real settings with what makes tests fast and deterministic."""

import os
import re

os.environ.setdefault("DEBUG", "1")

# pytest-xdist runs the suite in several processes (gw0, gw1, …), each on its own test
# database (pytest-django appends the worker's name). Each gets its own Redis database
# too, counted down from the one configured, so that one process's Celery worker never
# takes another's task and the caches (code-guessing counters, page cache) stay apart.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _base = re.match(r"^(.*?)(?:/(\d+))?/?$", os.environ["REDIS_URL"])
    if _base is not None:
        _db = int(_base.group(2) or 0) - int(_xdist_worker[2:])
        if _db < 0:
            raise RuntimeError(f"REDIS_URL's database number leaves no room for {_xdist_worker}")
        os.environ["REDIS_URL"] = f"{_base.group(1)}/{_db}"

from .settings import *  # noqa: E402, F403
from .settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "sv"
CELERY_TASK_ALWAYS_EAGER = True  # a test that needs the real broker starts a worker itself
# django-axes logs every reset of its counters at INFO; keep test output readable.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # type: ignore[index]  # noqa: F405
