"""The checks behind /healthz: database, its migrations, cache, broker, worker and the
static files the pages name, each with a short timeout; and the worker's heartbeat they
read."""

import functools
import logging
import re
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal, cast

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

State = Literal["ok", "down", "eager", "stale"]

logger = logging.getLogger(__name__)

# The beat schedule runs the heartbeat every 30 s; two missed beats plus slack mean trouble.
WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=90)
# A literal `{% static 'path' %}` in a template.
STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]""")


@dataclass(frozen=True)
class Health:
    database: State
    migrations: State
    cache: State
    broker: State
    worker: State
    static: State

    @property
    def accepts_answers(self) -> bool:
        # Answers go straight into the database; everything else may catch up later. But a
        # page that names a static file the server cannot resolve answers 500 (the
        # manifest storage refuses unknown names), so without them no pupil gets in.
        # Nor can a page be served before the database has every table the code reads.
        return self.database == "ok" and self.migrations == "ok" and self.static == "ok"

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


@functools.cache
def _migrated() -> bool:
    """True once the database has every migration this code has (then for the life of the
    process: a migration's code arrives with a new process)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def _migrations(database: State) -> State:
    """ "down" until `manage.py migrate` has run: before it, every page answers 500."""
    if database != "ok":
        return "down"
    try:
        migrated = _migrated()
    except Exception:
        return "down"
    if not migrated:
        _migrated.cache_clear()  # asked again next time: remembered only once migrated
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


@functools.cache
def template_static_names() -> tuple[str, ...]:
    """Every static file named literally in the project's templates (read once)."""
    names: set[str] = set()
    directories = cast(list[Path], settings.TEMPLATES[0]["DIRS"])
    for directory in directories:
        for template in Path(directory).rglob("*.html"):
            names.update(STATIC_TAG.findall(template.read_text(encoding="utf-8")))
    return tuple(sorted(names))


def static_problems() -> list[str]:
    """Why a page could not link its static files; empty when every name resolves.

    With the production (manifest) storage a name must be in the manifest and its hashed
    file collected; without it (DEBUG) the finders must find the file.
    """
    problems: list[str] = []
    storage = staticfiles_storage
    for name in template_static_names():
        if not isinstance(storage, ManifestFilesMixin):
            if finders.find(name) is None:
                problems.append(f"{name}: not found by the static file finders")
            continue
        try:
            stored = storage.stored_name(name)
        except ValueError:
            problems.append(f"{name}: missing from the static files manifest")
            continue
        if not storage.exists(stored):
            problems.append(f"{name}: {stored} is in the manifest but was not collected")
    return problems


def _static() -> State:
    try:
        return "down" if static_problems() else "ok"
    except Exception:
        return "down"


def check() -> Health:
    database = _database()
    return Health(
        database=database,
        migrations=_migrations(database),
        cache=_cache(),
        broker=_broker(),
        worker=_worker(database),
        static=_static(),
    )


def worker_heartbeat_file_touch() -> None:
    """Write the worker's heartbeat file (settings.WORKER_HEARTBEAT_FILE); a failure is
    logged, never raised: the healthcheck then reports the worker, not this task."""
    path = settings.WORKER_HEARTBEAT_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as error:
        logger.warning("worker heartbeat file %s not written: %s", path, error)


def heartbeat_record(*, service: str) -> None:
    Heartbeat.objects.update_or_create(service=service, defaults={"seen_at": timezone.now()})
