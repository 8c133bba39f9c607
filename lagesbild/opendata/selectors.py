"""Reads of the open-data pages: which kommun, which waves. The cells themselves are read
only through the exports' selectors (`lagesbild.exports.cells`), which read the
dashboards' public fields of published cells: one rule in one place."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone, translation

from lagesbild import public
from lagesbild.exports.cells import ExportFilterError, ExportFilters, export_rows, resolve
from lagesbild.exports.formats import ExportRow
from lagesbild.models import Breakdown, CellState, Geography
from surveys.models import Municipality, Wave

from .schema import Vocabulary


class NotOpen(LookupError):
    """No such kommun, kommun without open data, or no such published wave of it (404)."""


@dataclass(frozen=True)
class OpenWave:
    slug: str
    name: str
    published_at: datetime
    start: date
    end: date

    @property
    def etag(self) -> str:
        # Published cells are frozen: the publication moment names the content.
        return f"{self.slug}-{int(self.published_at.timestamp())}"


def open_municipality(code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code, open_data=True).first()
    if municipality is None:
        raise NotOpen(code)
    return municipality


def _open_wave(wave: Wave) -> OpenWave:
    if wave.published_at is None:  # only published waves are read here
        raise NotOpen(wave.slug)
    return OpenWave(
        slug=wave.slug,
        name=wave.name,
        published_at=wave.published_at,
        start=timezone.localtime(wave.opens_at).date(),
        end=timezone.localtime(wave.closes_at).date(),
    )


def open_waves(municipality: Municipality) -> list[OpenWave]:
    """The kommun's published waves, newest first (an open or closed, unpublished wave is
    never listed)."""
    waves = Wave.objects.published().filter(municipality=municipality).order_by("-opens_at")
    return [_open_wave(w) for w in waves]


def open_wave(municipality: Municipality, slug: str) -> OpenWave:
    wave = Wave.objects.published().filter(municipality=municipality, slug=slug).first()
    if wave is None:
        raise NotOpen(slug)
    return _open_wave(wave)


def wave_rows(municipality: Municipality, wave: OpenWave) -> Iterator[ExportRow]:
    """Every published cell of the wave as an export row (a suppressed cell has its state
    and reason and no numbers: `formats.export_row` enforces it)."""
    try:
        scope = resolve(ExportFilters(wave=wave.slug), municipality_id=municipality.pk)
    except ExportFilterError:
        raise NotOpen(wave.slug) from None
    if scope.wave.municipality_id != municipality.pk:
        raise NotOpen(wave.slug)
    return export_rows(scope)


def vocabulary() -> Vocabulary:
    """The coded columns' values, in Swedish as the files hold them."""
    with translation.override("sv"):
        return Vocabulary(
            geographies=tuple(str(v) for v in Geography.values),
            breakdowns=tuple(str(v) for v in Breakdown.values),
            breakdown_values=tuple(value for _, value in public.BREAKDOWNS.values()),
            states=tuple(str(label) for _, label in CellState.choices),
            reasons=("", *(public.reason_text(key) for key in public.REASON_CODES)),
        )
