"""Staff pages of the survey app: issuing codes with a printable sheet, response rates.

Both live under `/<kommunkod>/skola/`. Access goes through `accounts.access` only: the
kommun's coordinators and admins see every school of the kommun, a school contact their own.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.access import (
    FOLLOW_PROGRESS,
    ISSUE_CODES,
    can_issue_codes,
    kommun_required,
    schools_visible_to,
    waves_for_codes_of,
)
from accounts.services import audit

from . import selectors, services
from .code_sheet import code_sheet_pdf
from .forms import IssueCodesForm
from .models import Municipality, SchoolClass, Wave


def codes_issue_audited(
    request: HttpRequest, *, wave: Wave, school_class: SchoolClass, count: int
) -> list[str]:
    """`services.codes_issue` and its audit row (never the codes), for the staff page and
    the admin action alike."""
    codes = services.codes_issue(wave=wave, school_class=school_class, count=count)
    audit(
        request,
        "codes issued",
        kommun=wave.municipality.code,
        wave=wave.slug,
        school_id=school_class.school_id,
        school_class_id=school_class.pk,
        count=len(codes),
    )
    return codes


@kommun_required(ISSUE_CODES)
def codes_issue(request: HttpRequest, kommun: Municipality) -> HttpResponse:
    """Issue N codes for a class and answer with the PDF code sheet (the only copy)."""
    schools = schools_visible_to(request.user, kommun)
    form = IssueCodesForm(
        request.POST or None,
        waves=waves_for_codes_of(request.user, selectors.waves_for_codes(), kommun),
        classes=selectors.classes_visible(schools=schools),
    )
    if request.method == "POST" and form.is_valid():
        wave = form.cleaned_data["wave"]
        school_class = form.cleaned_data["school_class"]
        if not can_issue_codes(request.user, wave=wave, school_class=school_class):
            form.add_error(
                "school_class",
                _("Klassen är inte med i omgången. Be samordnaren lägga till den."),
            )
            return render(request, "surveys/staff/codes_issue.html", {"form": form})
        try:
            codes = codes_issue_audited(
                request, wave=wave, school_class=school_class, count=form.cleaned_data["count"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            url = settings.PUPIL_URL or request.build_absolute_uri("/")
            pdf = code_sheet_pdf(wave=wave, sheets=[(school_class, codes)], url=url)
            name = slugify(f"koder-{wave.slug}-{school_class.school.name}-{school_class.name}")
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
    return render(request, "surveys/staff/codes_issue.html", {"form": form})


@kommun_required(FOLLOW_PROGRESS)
def response_rates(request: HttpRequest, kommun: Municipality) -> HttpResponse:
    """Per school, class and grade and in total: codes issued, sheets submitted, rate, for
    the kommun's waves.

    Counts only: while a wave is open this is all anyone sees of it (no indicator value
    of an unpublished wave is shown to any role).
    """
    schools = schools_visible_to(request.user, kommun)
    waves = list(Wave.objects.filter(municipality=kommun).order_by("-opens_at"))
    chosen = request.GET.get("omgang")
    wave = next((w for w in waves if w.slug == chosen), None) or next(
        (w for w in waves if w.is_open), waves[0] if waves else None
    )
    progress = selectors.response_progress(wave=wave, schools=schools) if wave else None
    storms = selectors.guess_storms(schools=schools)
    context = {
        "waves": waves,
        "wave": wave,
        "rates": progress.schools if progress else [],
        "progress": progress,
        "storms": storms,
    }
    return render(request, "surveys/staff/response_rates.html", context)
