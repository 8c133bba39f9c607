"""Test settings: the real settings with what makes tests fast and deterministic."""

import os

os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "sv"
CELERY_TASK_ALWAYS_EAGER = True  # a test that needs the real broker starts a worker itself
# django-axes logs every reset of its counters at INFO; keep test output readable.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # type: ignore[index]  # noqa: F405
