"""Staff pages of the survey app: issuing codes with a printable sheet, response rates.

Both live under `/<kommunkod>/skola/`. Access goes through `accounts.access` only: the
kommun's coordinators and admins see every school of the kommun, a school contact their own.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import (
    FOLLOW_PROGRESS,
    ISSUE_CODES,
    can_issue_codes,
    kommun_required,
    schools_visible_to,
    waves_for_codes_of,
)

from . import selectors, services
from .code_sheet import code_sheet_response
from .forms import IssueCodesForm
from .models import Municipality, Wave


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
            codes = services.codes_issue(
                wave=wave,
                school_class=school_class,
                count=form.cleaned_data["count"],
                by=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = f"koder-{wave.slug}-{school_class.school.name}-{school_class.name}"
            return code_sheet_response(
                request, wave=wave, sheets=[(school_class, codes)], name=name
            )
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
