"""Writes of the exports (long because each export path is kept beside its one audit row).

Every export writes exactly ONE audit row ("export"), with the SHA-256 of the file, the
file type, the filters and the number of cells. The row is written when the file is
complete and before any byte of it leaves the server: a CSV or XLSX is generated into a
spooled temporary file (memory stays flat, large files go to disk) and then streamed
from it; a report's row is written by the job that produced the file. Each download of a
report's file, the first and every repeat, adds an "export download" row.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.services import audit
from lagesbild.catalogue import load_catalogue
from lagesbild.models import ExportJob, ExportKind, ExportStatus
from lagesbild.snapshot import published_facts

from . import cells as export_cells
from .formats import COLUMNS, csv_chunks, notes_text_chunks, write_xlsx
from .notes import NoteSection, WaveFacts, method_notes

logger = logging.getLogger(__name__)

FileType = Literal["csv", "xlsx", "notes"]
SPOOL_BYTES = 1 << 20  # kept in memory up to 1 MB, then on disk
CHUNK_BYTES = 64 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "notes": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "notes": "txt", "pdf": "pdf"}
Actor = HttpRequest | User | AnonymousUser | None


@dataclass
class ExportFile:
    """A finished export: rewound file, its checksum and size, and what it holds."""

    file: IO[bytes]
    sha256: str
    size: int
    cell_count: int
    download_name: str
    content_type: str


def _write(chunks: Iterable[bytes], out: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        out.write(chunk)
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _hash_file(out: IO[bytes]) -> tuple[str, int]:
    out.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := out.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _notes(scope: export_cells.ExportScope, row_count: int | None) -> tuple[NoteSection, ...]:
    # The wave's facts and the questionnaire wordings as frozen at publication.
    facts = published_facts(wave_id=scope.wave.id)
    catalogue = load_catalogue(facts.catalogue_version)
    return method_notes(
        params=catalogue.rule_params,
        catalogue=catalogue,
        wave=WaveFacts(
            slug=facts.wave_slug,
            name=facts.wave_name,
            published_on=timezone.localdate(scope.wave.published_at)
            if scope.wave.published_at
            else None,
            questionnaire=facts.questionnaire_label,
        ),
        filters=scope.filters.describe(),
        columns=[(c.header, c.description) for c in COLUMNS],
        wordings=facts.wordings,
        row_count=row_count,
    )


class _Counter:
    """Counts the rows of an iterator as they pass (the count is known at the end)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__[T](self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            self.count += 1
            yield item


def audit_export(
    actor: Actor,
    *,
    file_type: str,
    wave: str,
    filters: dict[str, str],
    cells: int,
    sha256: str,
    size: int,
    source: str,
) -> None:
    audit(
        actor,
        "export",
        # The command line names the kommun in the filters; a page's request carries it.
        kommun=filters.get("kommun") or None,
        file_type=file_type,
        wave=wave,
        filters=filters,
        cells=cells,
        sha256=sha256,
        size=size,
        source=source,
    )


def cells_export(
    *,
    actor: Actor,
    filters: export_cells.ExportFilters,
    file_type: FileType,
    source: str = "web",
    municipality_id: int | None = None,
) -> ExportFile:
    """Build a CSV, XLSX or method-notes file of one kommun's published cells and audit
    it once (`export_cells.resolve` on ``municipality_id``).

    Raises `ExportFilterError` when a filter names nothing that exists.
    """
    scope = export_cells.resolve(filters, municipality_id=municipality_id)
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    counter = _Counter()
    if file_type == "csv":
        sha, size = _write(csv_chunks(counter(export_cells.export_rows(scope))), out)
    elif file_type == "xlsx":
        write_xlsx(counter(export_cells.export_rows(scope)), _notes(scope, None), out)
        sha, size = _hash_file(out)
    else:
        sha, size = _write(notes_text_chunks(_notes(scope, None)), out)
    out.seek(0)
    audit_export(
        actor,
        file_type=file_type,
        wave=scope.wave.slug,
        filters=scope.filters.as_dict(),
        cells=counter.count,
        sha256=sha,
        size=size,
        source=source,
    )
    suffix = "-metod" if file_type == "notes" else ""
    return ExportFile(
        file=out,
        sha256=sha,
        size=size,
        cell_count=counter.count,
        download_name=f"{export_cells.file_stem(scope)}{suffix}.{EXTENSIONS[file_type]}",
        content_type=CONTENT_TYPES[file_type],
    )


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class ReportResult:
    sha256: str
    size: int
    cell_count: int
    download_name: str


def report_write(
    *,
    filters: export_cells.ExportFilters,
    out: IO[bytes],
    progress: Callable[[int, str], None] | None = None,
    municipality_id: int | None = None,
) -> ReportResult:
    """Render the PDF report for the kommun or ``filters.area`` into ``out`` (no audit)."""
    from .pdf import render_pdf
    from .report import build_report

    def tell(percent: int, step: str) -> None:
        if progress is not None:
            progress(percent, step)

    scope = export_cells.resolve(
        export_cells.ExportFilters(wave=filters.wave, area=filters.area, kommun=filters.kommun),
        municipality_id=municipality_id,
    )
    area = None
    if scope.filters.area:
        from lagesbild import selectors

        area = selectors.find_area(selectors.scope_of(scope.wave), scope.filters.area)
        if area is None:
            raise export_cells.ExportFilterError("no such district")
    report = build_report(wave=scope.wave, area=area, today=timezone.localdate(), progress=tell)
    tell(35, "render")
    start = out.tell()
    render_pdf(report, out, tell)
    out.seek(start)
    sha, size = _hash_file(out)
    name = "-".join(
        part for part in ("lagesbild", scope.wave.slug, scope.filters.area.lower()) if part
    )
    return ReportResult(sha, size, report.cell_count, f"{name}.pdf")


def _export_dir() -> Path:
    path = Path(settings.EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_job_request(
    *, user: User, filters: export_cells.ExportFilters, municipality_id: int
) -> ExportJob:
    """Queue the PDF report of one kommun's wave for ``user``; the task is sent after the
    transaction commits.

    With the embedded default (no broker) the task runs eagerly, i.e. synchronously.
    """
    scope = export_cells.resolve(
        export_cells.ExportFilters(wave=filters.wave, area=filters.area, kommun=filters.kommun),
        municipality_id=municipality_id,
    )
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            wave_id=scope.wave.id,
            kind=ExportKind.PDF,
            filters=scope.filters.as_dict(),
            expires_at=timezone.now() + timedelta(hours=settings.EXPORT_RETENTION_HOURS),
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: _send(job_id))
    return job


# A pending job is handed to the broker again after this long (see `report_jobs_resend`).
RESEND_AFTER = timedelta(seconds=60)


def _send(job_id: str) -> bool:
    """Hand a job to the broker; False if the broker is out of reach.

    The job's row is already committed, so nothing the analyst asked for is lost: the
    page shows it as queued and `report_jobs_resend` (beat, every minute) sends it again
    once Redis is back. A broker outage must never turn the request into an error page.
    """
    from kombu.exceptions import OperationalError

    from .tasks import report_job_run as task

    try:
        task.delay(job_id)
    except OperationalError:
        logger.warning("report job %s not sent: broker unavailable, sent again later", job_id)
        return False
    return True


def report_jobs_resend(*, now: datetime) -> int:
    """Send again the jobs that no worker has taken: pending for `RESEND_AFTER`, or running
    for longer than a task may (its worker died). Returns how many were sent.

    A job that is already queued is harmless to send twice: `_claim` lets exactly one run
    take it, and the others return at once.
    """
    waiting = (
        ExportJob.objects.filter(expires_at__gt=now, created_at__lt=now - RESEND_AFTER)
        .filter(_unclaimed(now))
        .values_list("pk", flat=True)
    )
    return sum(_send(str(job_id)) for job_id in waiting)


def _unclaimed(now: datetime) -> Q:
    """Jobs no worker holds: pending, or running for longer than a task may (it died)."""
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT or 3600)
    return Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.RUNNING, started_at__lt=stale)


def _claim(job_id: uuid.UUID) -> bool:
    """Claim a job: pending, or running for longer than a task may (its worker died)."""
    now = timezone.now()
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(_unclaimed(now))
        .update(status=ExportStatus.RUNNING, started_at=now, progress=5, step="start")
    )
    return claimed == 1


def report_job_run(*, job_id: uuid.UUID) -> None:
    """Generate the job's PDF, store it for its user, and write the one audit row.

    Safe to run twice: the job is claimed by a conditional UPDATE that must change exactly
    one row; a second run finds it running or done and returns.
    """
    if not _claim(job_id):
        return
    job = ExportJob.objects.select_related("user", "wave").get(pk=job_id)

    def progress(percent: int, step: str) -> None:
        ExportJob.objects.filter(pk=job_id).update(progress=percent, step=step[:100])

    path = _export_dir() / f"{job.pk}.pdf"
    try:
        with path.open("w+b") as out:
            result = report_write(
                filters=export_cells.ExportFilters(**job.filters),
                out=out,
                progress=progress,
                municipality_id=job.wave.municipality_id,
            )
    except Exception:
        logger.exception("report job %s failed", job_id)
        path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error="rendering failed", finished_at=timezone.now()
        )
        return
    with transaction.atomic():
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.DONE,
            progress=100,
            step="done",
            file_name=path.name,
            download_name=result.download_name,
            size=result.size,
            sha256=result.sha256,
            cell_count=result.cell_count,
            finished_at=timezone.now(),
        )
        audit_export(
            job.user,
            file_type="pdf",
            wave=job.wave.slug,
            filters=dict(job.filters),
            cells=result.cell_count,
            sha256=result.sha256,
            size=result.size,
            source="task",
        )


def job_file_path(job: ExportJob) -> Path | None:
    if job.status != ExportStatus.DONE or not job.file_name:
        return None
    path = _export_dir() / job.file_name
    return path if path.is_file() else None


def job_file_open(*, actor: Actor, job: ExportJob) -> IO[bytes] | None:
    """The job's finished file, opened for a download that is audited: generating the
    report wrote its one "export" row, and every download (the first and each repeat)
    writes an "export download" row naming the job and the file's checksum. None when the
    file is not ready or has been purged."""
    path = job_file_path(job)
    if path is None:
        return None
    handle = path.open("rb")
    audit(
        actor,
        "export download",
        kommun=job.wave.municipality.code,
        job=str(job.pk),
        file_type="pdf",
        wave=job.wave.slug,
        filters=dict(job.filters),
        sha256=job.sha256,
        size=job.size,
    )
    return handle


def export_purge(*, now: datetime) -> int:
    """Delete expired jobs and their files; returns how many jobs were removed."""
    removed = 0
    for job in ExportJob.objects.expired(now):
        if job.file_name:
            (_export_dir() / job.file_name).unlink(missing_ok=True)
        job.delete()
        removed += 1
    return removed
