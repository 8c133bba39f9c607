"""Settings of the survey-day harness: production settings, spoken over plain loopback HTTP.

The harness plays the TLS proxy's part only as far as it must: cookies without the Secure
flag (the client talks http://127.0.0.1) and static files served from the finders (no
collectstatic run). Optionally a shorter beat schedule, so that a test can watch the
indicators catch up within seconds instead of minutes.
"""

import os

from eskilstuna_trygghet.settings import *  # noqa: F403
from eskilstuna_trygghet.settings import CELERY_BEAT_SCHEDULE, STORAGES

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True


def _shortened(schedule: object, seconds: float) -> object:
    # Interval entries run sooner; calendar entries (crontab, e.g. the nightly retention
    # purge) are left as they are: the harness never runs long enough to reach them.
    return min(float(schedule), seconds) if isinstance(schedule, int | float) else schedule


_beat_seconds = os.environ.get("HARNESS_BEAT_SECONDS")
if _beat_seconds:
    CELERY_BEAT_SCHEDULE = {
        name: {**entry, "schedule": _shortened(entry["schedule"], float(_beat_seconds))}
        for name, entry in CELERY_BEAT_SCHEDULE.items()
    }
