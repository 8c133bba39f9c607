"""Export views: access check, filters from the URL, one service or selector call.

The filters are the dashboards' URL filters (wave, indicator, place, geography,
breakdown, area), so an export link is the dashboard link with another path.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import Role, role_required
from lagesbild.models import ExportJob, ExportStatus

from . import services
from .cells import ExportFilterError, ExportFilters, resolve

READERS = (Role.ADMIN, Role.COORDINATOR, Role.ANALYST)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # role_required let only signed-in users through
        raise Http404
    return user


@require_GET
@role_required(*READERS)
def cells_download(request: HttpRequest, file_type: services.FileType) -> FileResponse:
    filters = ExportFilters.from_query(request.GET)
    try:
        export = services.cells_export(actor=request, filters=filters, file_type=file_type)
    except ExportFilterError:
        raise Http404("No such export.") from None
    return FileResponse(
        export.file,
        as_attachment=True,
        filename=export.download_name,
        content_type=export.content_type,
    )


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def report_request(request: HttpRequest) -> HttpResponse:
    """GET: what the report will hold and a button; POST: queue it and show progress."""
    source = request.POST if request.method == "POST" else request.GET
    filters = ExportFilters.from_query(source)
    try:
        scope = resolve(ExportFilters(wave=filters.wave, area=filters.area))
    except ExportFilterError:
        raise Http404("No such report.") from None
    if request.method == "POST":
        job = services.report_job_request(user=_user(request), filters=scope.filters)
        return redirect("lagesbild_export:job", job_id=job.pk)
    from lagesbild import selectors

    area = (
        selectors.find_area(selectors.scope_of(scope.wave), scope.filters.area)
        if scope.filters.area
        else None
    )
    return render(
        request,
        "lagesbild/export/report_request.html",
        {
            "wave": scope.wave,
            "area": area,
            "filters": scope.filters,
            "retention_hours": settings.EXPORT_RETENTION_HOURS,
        },
    )


def _job(request: HttpRequest, job_id: uuid.UUID) -> ExportJob:
    """The job, only for the user who asked and only until it expires; else 404."""
    job = (
        ExportJob.objects.select_related("wave")
        .filter(pk=job_id, user=_user(request), expires_at__gt=timezone.now())
        .first()
    )
    if job is None:
        raise Http404("No such export.")
    return job


def _status(job: ExportJob) -> dict[str, object]:
    return {
        "status": job.status,
        "progress": job.progress,
        "finished": job.finished,
        "download_url": reverse("lagesbild_export:job_file", kwargs={"job_id": job.pk})
        if job.status == ExportStatus.DONE
        else "",
    }


def _dashboard_url(job: ExportJob) -> str:
    """The dashboard page the report was asked for from: the district's, or the overview."""
    area = job.filters.get("area")
    url = (
        reverse("lagesbild:district", kwargs={"code": area})
        if area
        else reverse("lagesbild:overview")
    )
    return f"{url}?{urlencode({'wave': job.wave.slug})}"


@require_GET
@role_required(*READERS)
def job_page(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    return render(
        request,
        "lagesbild/export/job.html",
        {"job": job, "status": _status(job), "dashboard_url": _dashboard_url(job)},
    )


@require_GET
@role_required(*READERS)
def job_status(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    return JsonResponse(_status(_job(request, job_id)))


@require_GET
@role_required(*READERS)
def job_file(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    job = _job(request, job_id)
    handle = services.job_file_open(actor=request, job=job)
    if handle is None:
        raise Http404("The file is not ready or has been removed.")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.download_name,
        content_type=services.CONTENT_TYPES["pdf"],
    )
