"""Background tasks of the exports. Tasks take ids, call a service, and are safe to rerun."""

import uuid

from celery import shared_task
from django.utils import timezone

from . import services


# Late acknowledgement: if the worker dies, the job goes back to the queue; a second run
# is harmless because the job is claimed by a conditional UPDATE (see the service).
@shared_task(ignore_result=True, acks_late=True, time_limit=10 * 60)
def report_job_run(job_id: str) -> None:
    """Render one PDF report job."""
    services.report_job_run(job_id=uuid.UUID(job_id))


@shared_task(ignore_result=True, time_limit=5 * 60)
def export_purge() -> int:
    """Delete expired export files. Idempotent: deleting what is already gone is a no-op."""
    return services.export_purge(now=timezone.now())


@shared_task(ignore_result=True, time_limit=60)
def report_jobs_resend() -> int:
    """Send again the report jobs that no worker took (the broker was down when they were
    asked for, or their worker died). Idempotent: a job runs once however often it is sent."""
    return services.report_jobs_resend(now=timezone.now())
