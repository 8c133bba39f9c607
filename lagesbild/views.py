"""Dashboard views: access check, filters from the URL, one selector call, audit, render.

Every filter lives in the URL (path and query string), so a copied link reproduces the
view. Unknown filter values fall back to the defaults instead of failing, so an old link
still opens something sensible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Concatenate
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import (
    MANAGE_KOMMUN,
    VIEW_RESULTS,
    can_follow_progress,
    can_manage_kommun,
    comparison_kommuner,
    kommun_required,
    kommuner_of,
    role_required,
)
from accounts.services import audit
from surveys.models import Municipality

from . import across, public, selectors
from . import cache as dash_cache
from .forms import GeoJSONImportForm
from .geo_services import district_shapes_import
from .geojson import GeoJSONError
from .params import code_param


@dataclass(frozen=True)
class Filters:
    scope: public.Scope
    breakdown: str
    indicator: str
    place: str
    geography: str
    area: str
    # Links of one page share a few query strings; a page can have hundreds of links.
    _queries: dict[tuple[tuple[str, str], ...], str] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def wave(self) -> public.WaveRef:
        return self.scope.wave

    @property
    def waves(self) -> tuple[public.WaveRef, ...]:
        return self.scope.waves

    @property
    def first_area(self) -> str:
        """The district profile a link opens when no district is chosen: the first by name."""
        areas = selectors.area_choices(self.scope)
        return areas[0].code if areas else ""

    def query(self, **changes: str) -> str:
        """The query string of this view with ``changes`` applied (for links)."""
        key = tuple(sorted(changes.items()))
        if key in self._queries:
            return self._queries[key]
        values = {
            "wave": self.wave.slug,
            "breakdown": self.breakdown,
            "indicator": self.indicator,
            "place": self.place,
            "geography": self.geography,
            "area": self.area,
        }
        values.update(changes)
        query = "?" + urlencode({k: v for k, v in values.items() if v})
        self._queries[key] = query
        return query


class WaveNotPublished(Exception):
    """The URL names a wave that is not published: nobody sees its values yet."""


def _filters(request: HttpRequest, kommun: Municipality, indicator: str = "") -> Filters | None:
    query = request.GET
    slug = code_param(query, "wave") or None
    if selectors.is_unpublished_wave(slug, municipality_id=kommun.pk):
        raise WaveNotPublished
    scope = selectors.dashboard_scope(slug, municipality_id=kommun.pk)
    if scope is None:
        return None
    breakdown = code_param(query, "breakdown", "total")
    if breakdown not in dict(selectors.breakdown_choices(scope)):
        breakdown = "total"  # unknown, or a grade of a wave published before grades
    geography = code_param(query, "geography")
    if geography not in ("home", "school"):
        geography = ""
    return Filters(
        scope=scope,
        breakdown=breakdown,
        indicator=(indicator or code_param(query, "indicator")).upper(),
        place=code_param(query, "place"),
        geography=geography,
        area=code_param(query, "area").upper(),
    )


def _audit(request: HttpRequest, page: str, filters: Filters, **extra: str) -> None:
    audit(
        request,
        "dashboard view",
        page=page,
        wave=filters.wave.slug,
        filters={
            "breakdown": filters.breakdown,
            "indicator": filters.indicator,
            "place": filters.place,
            "geography": filters.geography,
            "area": filters.area,
            **extra,
        },
    )


def _page(
    request: HttpRequest,
    filters: Filters,
    *,
    template: str,
    title: str,
    nav: str,
    data: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """Render a dashboard page; its data part is cached as HTML under the data version.

    The cached fragment holds nothing personal (no CSRF token, no user name): the same
    for everyone who may open this URL; the role-dependent link is part of the key.
    """
    may_import = _may_import(request)

    def fragment() -> str:
        context = {
            "filters": filters,
            "wave": filters.wave,
            "nav": nav,
            "breakdowns": selectors.breakdown_choices(filters.scope),
            "indicators": public.indicator_choices(),
            "areas": selectors.area_choices(filters.scope),
            "can_import_shapes": may_import,
            "rules": public.disclosure_rules(),
            **data(),
        }
        return render_to_string(template, context, request=request)

    key = (template, request.get_full_path(), filters.wave.slug)
    html = dash_cache.cached(filters.scope.version, "html", (*key, may_import), fragment)
    context = {
        # Our own template's autoescaped output, from the cache.
        "content": mark_safe(html),  # noqa: S308
        "page_title": title,
        "wave": filters.wave,
        "may_compare": comparison_kommuner(request.user).count() >= 2,
        # A reader of several kommuner's results (the foundation) switches between them.
        "other_kommuner": kommuner_of(request.user, VIEW_RESULTS.roles).exclude(
            pk=request.kommun.pk  # type: ignore[attr-defined]
        ),
    }
    return render(request, "lagesbild/page.html", context)


def _may_import(request: HttpRequest) -> bool:
    return can_manage_kommun(request.user, request.kommun)  # type: ignore[attr-defined]


def _may_follow_progress(request: HttpRequest) -> bool:
    """Dashboard readers who also follow a wave's response rates (shown a link to them
    where a wave has no published values to show)."""
    return can_follow_progress(request.user, request.kommun)  # type: ignore[attr-defined]


def _no_data(request: HttpRequest) -> HttpResponse:
    context = {"may_follow_progress": _may_follow_progress(request)}
    return render(request, "lagesbild/no_data.html", context, status=200)


def _published_only[**P](
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """A URL naming an unpublished wave answers 404 with a page that says so, for every
    role: its values are not shown to anyone before publication."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except WaveNotPublished:
            return render(
                request,
                "lagesbild/not_published.html",
                {"may_follow_progress": _may_follow_progress(request)},
                status=404,
            )

    return wrapped


@require_GET
@kommun_required(VIEW_RESULTS)
@_published_only
def overview(request: HttpRequest, kommun: Municipality) -> HttpResponse:
    """Start page for analysts: every indicator for the chosen (latest) wave."""
    filters = _filters(request, kommun)
    if filters is None:
        return _no_data(request)
    _audit(request, "overview", filters)
    return _page(
        request,
        filters,
        template="lagesbild/overview.html",
        title=_("Lägesbild – översikt"),
        nav="overview",
        data=lambda: {
            "data": selectors.overview(
                filters.scope,
                breakdown=filters.breakdown,
                geography=filters.geography,
                area=filters.area or None,
            )
        },
    )


@require_GET
@kommun_required(VIEW_RESULTS)
@_published_only
def indicator(request: HttpRequest, kommun: Municipality, code: str) -> HttpResponse:
    chosen = code_param(request.GET, "indicator").upper()
    if chosen and chosen != code.upper():
        # The filter form names another indicator: its page has its own path.
        filters = _filters(request, kommun, indicator=chosen)
        target = reverse("lagesbild:indicator", args=[kommun.code, chosen])
        return redirect(target + (filters.query(place="") if filters else ""))
    filters = _filters(request, kommun, indicator=code)
    if filters is None:
        return _no_data(request)
    meta = public.find_indicator(code, filters.place)
    if meta is None:
        raise Http404(_("Okänd indikator."))
    _audit(request, "indicator", filters)
    return _page(
        request,
        filters,
        template="lagesbild/indicator.html",
        title=meta.title,
        nav="indicator",
        data=lambda: {
            "page": selectors.indicator_page(
                filters.scope,
                meta,
                breakdown=filters.breakdown,
                geography=filters.geography or meta.geography,
                area=filters.area or None,
            )
        },
    )


@require_GET
@kommun_required(VIEW_RESULTS)
@_published_only
def district(request: HttpRequest, kommun: Municipality, code: str) -> HttpResponse:
    chosen = code_param(request.GET, "area").upper()
    if chosen and chosen != code.upper():
        # The filter form names another district: its profile has its own path.
        return redirect(
            reverse("lagesbild:district", args=[kommun.code, chosen])
            + "?"
            + request.GET.urlencode()
        )
    filters = _filters(request, kommun)
    if filters is None:
        return _no_data(request)
    area = selectors.find_area(filters.scope, code)
    if area is None:
        raise Http404(_("Okänt område."))
    _audit(request, "district", filters, district=area.code)
    return _page(
        request,
        filters,
        template="lagesbild/district.html",
        title=area.name,
        nav="district",
        data=lambda: {
            "profile": selectors.district_profile(filters.scope, area, breakdown=filters.breakdown)
        },
    )


@require_GET
@kommun_required(VIEW_RESULTS)
@_published_only
def map_view(request: HttpRequest, kommun: Municipality) -> HttpResponse:
    filters = _filters(request, kommun)
    if filters is None:
        return _no_data(request)
    meta = public.find_indicator(filters.indicator or "TRY01", filters.place)
    if meta is None:
        meta = public.find_indicator("TRY01")
    assert meta is not None  # noqa: S101 - TRY01 is in every catalogue version
    _audit(request, "map", filters)
    return _page(
        request,
        filters,
        template="lagesbild/map.html",
        title=f"{_('Karta')} – {meta.title}",
        nav="map",
        data=lambda: {"page": selectors.map_page(filters.scope, meta, breakdown=filters.breakdown)},
    )


@require_http_methods(["GET", "POST"])
@kommun_required(MANAGE_KOMMUN)
def shapes_import(request: HttpRequest, kommun: Municipality) -> HttpResponse:
    """Import the kommun's district boundaries from a GeoJSON file (all or nothing)."""
    form = GeoJSONImportForm(request.POST or None, request.FILES or None)
    problems: tuple[str, ...] = ()
    if request.method == "POST" and form.is_valid():
        try:
            result = district_shapes_import(
                raw=form.cleaned_data["file"].read(),
                code_property=form.cleaned_data["code_property"],
                municipality=kommun,
            )
        except GeoJSONError as exc:
            problems = exc.problems
        else:
            audit(request, "district shapes import", districts=list(result.imported))
            messages.success(
                request,
                _("Gränser importerade för %(count)s områden.") % {"count": len(result.imported)},
            )
            return redirect(reverse("lagesbild:map", args=[kommun.code]))
    return render(request, "lagesbild/shapes_import.html", {"form": form, "problems": problems})


@require_GET
@role_required(*VIEW_RESULTS.roles)
def across_kommuner(request: HttpRequest) -> HttpResponse:
    """The kommuner the reader may compare, side by side: each one's latest published wave,
    kommun level (`lagesbild.across`; who sees which kommun: `comparison_kommuner`)."""
    kommuner = list(comparison_kommuner(request.user))
    page = across.across_page(kommuner)
    audit(
        request,
        "dashboard view",
        page="across",
        kommuner=[k.code for k in kommuner],
        waves=[c.wave.slug for c in page.columns if c.wave is not None],
    )
    return render(request, "lagesbild/across.html", {"page": page})
