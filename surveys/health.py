"""The checks behind /healthz: database, cache, broker and worker, each with a short timeout."""

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

State = Literal["ok", "down", "eager", "stale"]

# The beat schedule runs the heartbeat every 30 s; two missed beats plus slack mean trouble.
WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=90)


@dataclass(frozen=True)
class Health:
    database: State
    cache: State
    broker: State
    worker: State

    @property
    def accepts_answers(self) -> bool:
        # Answers go straight into the database; everything else may catch up later.
        return self.database == "ok"

    @property
    def status(self) -> str:
        if not self.accepts_answers:
            return "down"
        checks = (self.cache, self.broker, self.worker)
        return "ok" if all(state in ("ok", "eager") for state in checks) else "degraded"

    def as_dict(self) -> dict[str, str]:
        return {"status": self.status, **asdict(self)}


def _database() -> State:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "down"
    return "ok"


def _cache() -> State:
    try:
        cache.set("healthz", "1", timeout=10)
        return "ok" if cache.get("healthz") == "1" else "down"
    except Exception:
        return "down"


def _broker() -> State:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except Exception:
        return "down"
    return "ok"


def _worker(database: State) -> State:
    if not settings.REDIS_URL:
        return "eager"
    if database != "ok":
        return "down"
    try:
        beat = Heartbeat.objects.filter(service="worker").first()
    except Exception:
        return "down"
    if beat is None:
        return "down"
    return "ok" if timezone.now() - beat.seen_at <= WORKER_HEARTBEAT_MAX_AGE else "stale"


def check() -> Health:
    database = _database()
    return Health(database=database, cache=_cache(), broker=_broker(), worker=_worker(database))
