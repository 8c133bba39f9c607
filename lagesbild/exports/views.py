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

from accounts.access import VIEW_RESULTS, kommun_required
from lagesbild.models import ExportJob, ExportStatus
from surveys.models import Municipality

from . import services
from .cells import ExportFilterError, ExportFilters, resolve


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # kommun_required let only signed-in users through
        raise Http404
    return user


@require_GET
@kommun_required(VIEW_RESULTS)
def cells_download(
    request: HttpRequest, kommun: Municipality, file_type: services.FileType
) -> FileResponse:
    filters = ExportFilters.from_query(request.GET)
    try:
        export = services.cells_export(
            actor=request, filters=filters, file_type=file_type, municipality_id=kommun.pk
        )
    except ExportFilterError:
        raise Http404("No such export.") from None
    return FileResponse(
        export.file,
        as_attachment=True,
        filename=export.download_name,
        content_type=export.content_type,
    )


@require_http_methods(["GET", "POST"])
@kommun_required(VIEW_RESULTS)
def report_request(request: HttpRequest, kommun: Municipality) -> HttpResponse:
    """GET: what the report will hold and a button; POST: queue it and show progress."""
    source = request.POST if request.method == "POST" else request.GET
    filters = ExportFilters.from_query(source)
    try:
        scope = resolve(
            ExportFilters(wave=filters.wave, area=filters.area), municipality_id=kommun.pk
        )
    except ExportFilterError:
        raise Http404("No such report.") from None
    if request.method == "POST":
        job = services.report_job_request(
            user=_user(request), filters=scope.filters, municipality_id=kommun.pk
        )
        return redirect("lagesbild_export:job", kommun=kommun.code, job_id=job.pk)
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


def _job(request: HttpRequest, kommun: Municipality, job_id: uuid.UUID) -> ExportJob:
    """The job, only for the user who asked, under its wave's kommun and only until it
    expires; else 404."""
    job = (
        ExportJob.objects.select_related("wave")
        .filter(
            pk=job_id,
            user=_user(request),
            wave__municipality=kommun,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if job is None:
        raise Http404("No such export.")
    return job


def _status(job: ExportJob, kommun: Municipality) -> dict[str, object]:
    return {
        "status": job.status,
        "progress": job.progress,
        "finished": job.finished,
        "download_url": reverse(
            "lagesbild_export:job_file", kwargs={"kommun": kommun.code, "job_id": job.pk}
        )
        if job.status == ExportStatus.DONE
        else "",
    }


def _dashboard_url(job: ExportJob, kommun: Municipality) -> str:
    """The dashboard page the report was asked for from: the district's, or the overview."""
    area = job.filters.get("area")
    url = (
        reverse("lagesbild:district", kwargs={"kommun": kommun.code, "code": area})
        if area
        else reverse("lagesbild:overview", kwargs={"kommun": kommun.code})
    )
    return f"{url}?{urlencode({'wave': job.wave.slug})}"


@require_GET
@kommun_required(VIEW_RESULTS)
def job_page(request: HttpRequest, kommun: Municipality, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, kommun, job_id)
    context = {
        "job": job,
        "status": _status(job, kommun),
        "dashboard_url": _dashboard_url(job, kommun),
    }
    return render(request, "lagesbild/export/job.html", context)


@require_GET
@kommun_required(VIEW_RESULTS)
def job_status(request: HttpRequest, kommun: Municipality, job_id: uuid.UUID) -> JsonResponse:
    return JsonResponse(_status(_job(request, kommun, job_id), kommun))


@require_GET
@kommun_required(VIEW_RESULTS)
def job_file(request: HttpRequest, kommun: Municipality, job_id: uuid.UUID) -> FileResponse:
    job = _job(request, kommun, job_id)
    handle = services.job_file_open(actor=request, job=job)
    if handle is None:
        raise Http404("The file is not ready or has been removed.")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.download_name,
        content_type=services.CONTENT_TYPES["pdf"],
    )
