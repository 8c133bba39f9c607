"""Background tasks of the survey app. Tasks take ids, call a service, and are safe to rerun."""

from celery import shared_task

from . import health, retention, services


@shared_task(ignore_result=True, time_limit=30)
def worker_heartbeat() -> None:
    """Record that a worker is alive (and takes tasks): an upsert of one row, and the
    heartbeat file the container's healthcheck reads. Idempotent."""
    health.heartbeat_record(service="worker")
    health.worker_heartbeat_file_touch()


@shared_task(ignore_result=True, time_limit=120)
def survey_housekeeping() -> None:
    """Purge old guessing counters and drafts of closed waves. Idempotent: deletes only."""
    services.survey_housekeeping()


@shared_task(ignore_result=True, time_limit=3600)
def retention_purge() -> None:
    """Delete answer sheets past retention. Safe twice: a rerun finds nothing expired."""
    retention.retention_purge(dry_run=False)
