"""The public pages for young people: "Vad sa unga?" per kommun and published wave.

No login, no cookie, no JavaScript. A wave's page exists only when the wave is published
AND its kommun has turned the page on (`Wave.youth_page`); everything else, an open wave
included, answers 404 with nothing of the wave in it. The numbers are the published,
audited cells read through the dashboards' selectors (`lagesbild.selectors`); the page's
sentences are made in `lagesbild.youth.content`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from lagesbild import numbers, public, selectors
from lagesbild.models import Measure
from lagesbild.snapshot import published_facts
from surveys import languages as pupil_languages
from surveys import pupil
from surveys.flow import flow_for
from surveys.models import Municipality, Wave

from . import content, printed

# Published cells are frozen; a measure or the page's switch may change: a short lifetime.
MAX_AGE_SECONDS = 300


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


def _municipality(code: str) -> Municipality:
    return get_object_or_404(Municipality, code=code)


def youth_waves(municipality: Municipality) -> list[Wave]:
    """The kommun's published waves whose page is turned on, newest first."""
    return list(
        Wave.objects.published()
        .filter(municipality=municipality, youth_page=True)
        .select_related("questionnaire", "municipality")
        .order_by("-opens_at")
    )


def _wave(municipality: Municipality, slug: str) -> Wave:
    for wave in youth_waves(municipality):
        if wave.slug == slug:
            return wave
    raise Http404("No such page.")


def page_languages(wave: Wave) -> list[str]:
    """The languages the wave was offered in that the page has texts for (Swedish first)."""
    questionnaire = flow_for(wave.questionnaire).questionnaire
    offered = pupil_languages.offered(wave.languages, questionnaire)
    return [code for code in content.languages() if code in offered]


def _language(wave: Wave, language: str | None) -> str:
    code = language or "sv"
    if code not in page_languages(wave):
        raise Http404("No such language.")
    return code


def _cacheable[R: HttpResponseBase](request: HttpRequest, response: R) -> R:
    """Public for a shared cache, unless the visitor brought a cookie (a signed-in staff
    member's session may be saved, and a response that sets a cookie is nobody else's)."""
    if request.COOKIES:
        patch_cache_control(response, private=True, max_age=MAX_AGE_SECONDS)
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    return response


def _address(request: HttpRequest, path: str) -> str:
    """The page's full address: the configured public address, else the request's."""
    if settings.PUBLIC_URL:
        return f"{settings.PUBLIC_URL}{path}"
    return request.build_absolute_uri(path)


def wave_url(wave: Wave, language: str = "sv") -> str:
    kwargs = {"kommun": wave.municipality.code, "slug": wave.slug}
    if language == "sv":
        return reverse("youth:wave", kwargs=kwargs)
    return reverse("youth:wave_language", kwargs={**kwargs, "language": language})


def _measures(wave: Wave) -> list[content.MeasureInput]:
    """The kommun's measures it chose to show young people (never another kommun's)."""
    rows = Measure.objects.filter(municipality_id=wave.municipality_id, public=True).order_by(
        "-started_on", "title"
    )
    return [
        content.MeasureInput(
            title=m.title,
            text=m.public_text,
            indicators=tuple(str(code) for code in m.indicators),
            started_on=m.started_on,
            status=m.status,
        )
        for m in rows
    ]


@dataclass(frozen=True)
class YouthPage:
    """Everything the page, the poster and the lesson guide print."""

    t: content.Texts
    kommun: str
    wave_name: str
    answered: str
    important: tuple[content.Finding, ...]
    groups: tuple[content.FindingGroup, ...]
    districts: tuple[content.DistrictView, ...]
    measures: tuple[content.MeasureView, ...]
    help: list[pupil.HelpView]
    url: str

    @property
    def ui(self) -> dict[str, str]:
        return self.t.filled(kommun=self.kommun, wave=self.wave_name, url=self.url)


def youth_page(wave: Wave, language: str, *, absolute_url: str) -> YouthPage:
    t = content.texts(language)
    scope = selectors.dashboard_scope(wave.slug, municipality_id=wave.municipality_id)
    if scope is None or scope.wave.id != wave.pk:
        raise Http404("No such page.")
    overview = selectors.overview(scope)
    groups = content.kommun_findings(overview, t)
    metas = public.indicator_choices()
    cells = selectors.wave_cells(scope.wave, breakdown="total", breakdown_value="")
    facts = published_facts(wave_id=wave.pk)
    total = sum(facts.submitted.values())
    return YouthPage(
        t=t,
        kommun=wave.municipality.name,
        wave_name=wave.name,
        answered=content.answered_text(
            total, t, number=lambda n: numbers.count(n, locale=language)
        ),
        important=content.important(overview, t),
        groups=groups,
        districts=content.district_findings(metas, cells, scope.areas, t),
        measures=content.measure_views(_measures(wave), groups, t, today=timezone.localdate()),
        help=pupil.help_views(flow_for(wave.questionnaire).questionnaire, language),
        url=absolute_url,
    )


@require_safe
def index(request: HttpRequest, kommun: str) -> HttpResponse:
    municipality = _municipality(kommun)
    waves = [(wave, wave_url(wave)) for wave in youth_waves(municipality)]
    ui = content.texts("sv").filled(kommun=municipality.name)
    return _cacheable(
        request,
        render(
            request,
            "youth/index.html",
            {"ui": ui, "kommun": municipality.name, "waves": waves, "page_language": "sv"},
        ),
    )


@require_safe
def wave_page(
    request: HttpRequest, kommun: str, slug: str, language: str | None = None
) -> HttpResponse:
    municipality = _municipality(kommun)
    wave = _wave(municipality, slug)
    code = _language(wave, language)
    page = youth_page(wave, code, absolute_url=_address(request, wave_url(wave, code)))
    links = [
        LanguageLink(c, pupil_languages.name(c), wave_url(wave, c), c == code)
        for c in page_languages(wave)
    ]
    others = [(w.name, wave_url(w)) for w in youth_waves(municipality) if w.pk != wave.pk]
    kwargs = {"kommun": kommun, "slug": slug, "language": code}
    printable = printed.can_print(code)
    return _cacheable(
        request,
        render(
            request,
            "youth/wave.html",
            {
                "page": page,
                "t": page.t,
                "ui": page.ui,
                "languages": links,
                "others": others,
                "poster_url": reverse("youth:poster", kwargs=kwargs) if printable else "",
                "lesson_url": reverse("youth:lesson", kwargs=kwargs) if printable else "",
                "page_language": code,
                "page_rtl": page.t.rtl,
            },
        ),
    )


def _printed(
    request: HttpRequest, kommun: str, slug: str, language: str, kind: printed.Kind
) -> FileResponse:
    municipality = _municipality(kommun)
    wave = _wave(municipality, slug)
    code = _language(wave, language)
    if not printed.can_print(code):
        raise Http404("No font for this language.")
    url = _address(request, wave_url(wave, code))
    path = printed.pdf_file(wave, code, kind, lambda: youth_page(wave, code, absolute_url=url))
    response = FileResponse(
        path.open("rb"),
        content_type="application/pdf",
        filename=printed.file_name(wave, code, kind),
    )
    return _cacheable(request, response)


@require_safe
def poster(request: HttpRequest, kommun: str, slug: str, language: str) -> FileResponse:
    return _printed(request, kommun, slug, language, "poster")


@require_safe
def lesson(request: HttpRequest, kommun: str, slug: str, language: str) -> FileResponse:
    return _printed(request, kommun, slug, language, "lesson")
