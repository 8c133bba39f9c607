"""The dashboards' queries: published waves, a request's scope, cells, districts, measures."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from surveys.models import District, Wave

from .. import cache as dash_cache
from ..collation import swedish
from ..measures import MeasureRef
from ..models import IndicatorCell, Measure
from ..public import PUBLIC_FIELDS, AreaInfo, PublicCell, Scope, WaveRef

# --------------------------------------------------------------------------- waves


def _wave_ref(wave: Wave) -> WaveRef:
    return WaveRef(
        id=wave.pk,
        slug=wave.slug,
        name=wave.name,
        published_at=wave.published_at,
        municipality_id=wave.municipality_id,
        opens_on=timezone.localdate(wave.opens_at),
        closes_on=timezone.localdate(wave.closes_at),
    )


def dashboard_waves(municipality_id: int) -> tuple[WaveRef, ...]:
    """Published waves of one kommun, newest first: the only waves whose cells its
    readers may see."""
    waves = Wave.objects.published().filter(municipality_id=municipality_id)
    return tuple(_wave_ref(w) for w in waves.order_by("-opens_at"))


def published_waves_of(municipality_ids: Iterable[int]) -> dict[int, tuple[WaveRef, ...]]:
    """`dashboard_waves` of several kommuner in one query: each kommun's published waves,
    newest first (a kommun without any is left out)."""
    waves = Wave.objects.published().filter(municipality_id__in=list(municipality_ids))
    found: dict[int, list[WaveRef]] = {}
    for wave in waves.order_by("-opens_at"):
        found.setdefault(wave.municipality_id, []).append(_wave_ref(wave))
    return {kommun: tuple(refs) for kommun, refs in found.items()}


def resolve_wave(
    slug: str | None, *, municipality_id: int, waves: Sequence[WaveRef] | None = None
) -> WaveRef | None:
    """The kommun's published wave named by ``slug``, else its latest published one.
    ``waves``: the result of `dashboard_waves` when the caller already has it."""
    if waves is None:
        waves = dashboard_waves(municipality_id)
    if slug:
        for wave in waves:
            if wave.slug == slug:
                return wave
    return waves[0] if waves else None


def published_wave_kommuner(slug: str) -> list[int]:
    """Ids of the kommuner with a published wave of this slug (a slug is unique only
    within its kommun): for the command line, which names a wave without its kommun."""
    if not slug:
        return []
    rows = Wave.objects.published().filter(slug=slug).values_list("municipality_id", flat=True)
    return sorted(set(rows))


def is_unpublished_wave(slug: str | None, *, municipality_id: int) -> bool:
    """True when ``slug`` names a wave of the kommun that is not published (yet)."""
    return bool(slug) and (
        Wave.objects.filter(
            municipality_id=municipality_id, slug=slug, published_at__isnull=True
        ).exists()
    )


def dashboard_scope(slug: str | None, *, municipality_id: int) -> Scope | None:
    """The request's scope in one kommun in three small queries (waves, districts, the
    kommun's measures), or None when the kommun has no published wave."""
    waves = dashboard_waves(municipality_id)
    wave = resolve_wave(slug, municipality_id=municipality_id, waves=waves)
    if wave is None:
        return None
    areas = _areas(wave)
    plan = kommun_measures(wave.municipality_id)
    published = [(w.id, w.published_at) for w in waves]
    # The measures are in the version: a measure saved or deleted shows at once.
    version = dash_cache.version_of(published, list(areas.values()), plan)
    return Scope(wave=wave, waves=waves, areas=areas, version=version, measures=plan)


def kommun_measures(municipality_id: int) -> tuple[MeasureRef, ...]:
    """The åtgärdsplan of one kommun (never another's), newest start first, in one query:
    the only place measures are read for the dashboards and the report."""
    rows = (
        Measure.objects.filter(municipality_id=municipality_id)
        .order_by("-started_on", "title", "pk")
        .values_list(
            "pk",
            "title",
            "description",
            "responsible",
            "indicators",
            "started_on",
            "status",
            "follow_up",
            "districts__code",
            "districts__name",
            "districts__municipality_id",
        )
    )
    found: dict[int, MeasureRef] = {}
    districts: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        pk, title, text, parties, codes, started, status, follow_up = row[:8]
        d_code, d_name, d_kommun = row[8:]
        if pk not in found:
            found[pk] = MeasureRef(
                id=pk,
                title=title,
                description=text,
                responsible=tuple(str(p) for p in parties or ()),
                indicators=tuple(str(c) for c in codes or ()),
                districts=(),
                started_on=started,
                status=status,
                follow_up=follow_up,
            )
            districts[pk] = []
        # The admin refuses another kommun's district; a code is unique only per kommun.
        if d_code is not None and d_kommun == municipality_id:
            districts[pk].append((d_code, d_name))
    return tuple(
        dataclasses.replace(m, districts=tuple(sorted(districts[pk], key=lambda d: d[1])))
        for pk, m in found.items()
    )


def published_history(wave: WaveRef) -> list[WaveRef]:
    """Published waves up to and including ``wave``."""
    current = Wave.objects.get(pk=wave.id)
    waves = Wave.objects.published().filter(
        municipality_id=current.municipality_id, opens_at__lte=current.opens_at
    )
    return [_wave_ref(w) for w in waves.order_by("opens_at")]


# --------------------------------------------------------------------------- cells


def wave_cells(wave: WaveRef, **filters: Any) -> list[PublicCell]:
    """A published wave's frozen cells with public fields only (never raw counts); an
    unpublished wave has none. ``filters`` are IndicatorCell field lookups."""
    queryset = IndicatorCell.objects.published().filter(wave_id=wave.id, **filters)
    return [PublicCell(**row) for row in queryset.values(*PUBLIC_FIELDS)]


# --------------------------------------------------------------------------- areas


def _areas(wave: WaveRef) -> dict[str, AreaInfo]:
    # The boundary itself is not loaded here: it can be large, and only the map needs it.
    has_geometry = ExpressionWrapper(Q(geometry__isnull=False), output_field=BooleanField())
    districts = (
        District.objects.filter(municipality_id=wave.municipality_id)
        .annotate(has_geometry=has_geometry)
        .order_by("name")
        .values_list("code", "name", "kind", "police_area", "police_area_note", "has_geometry")
    )
    return {
        code: AreaInfo(
            code=code,
            name=name,
            kind=kind,
            police_area=police_area,
            police_area_note=note,
            has_geometry=bool(geometry),
        )
        for code, name, kind, police_area, note, geometry in sorted(
            districts, key=lambda row: swedish(row[1])
        )
    }


def scope_of(wave: WaveRef) -> Scope:
    """The scope of one wave outside a request (exports and reports read through it)."""
    scope = dashboard_scope(wave.slug, municipality_id=wave.municipality_id)
    if scope is None or scope.wave.id != wave.id:
        raise LookupError(f"wave {wave.slug} is not published")
    return scope
