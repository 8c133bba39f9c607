"""Background tasks of the accounts app."""

from celery import shared_task

from . import retention


@shared_task(ignore_result=True, time_limit=3600)
def retention_purge() -> None:
    """Delete answer sheets past retention. Safe twice: a rerun finds nothing expired."""
    retention.retention_purge(dry_run=False)
