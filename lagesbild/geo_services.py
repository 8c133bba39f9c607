"""Writes for the map: importing district boundaries (validated by lagesbild.geojson)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from surveys.models import District, Municipality

from . import cache as dash_cache
from .geojson import parse_district_geojson


@dataclass(frozen=True)
class ShapesImportResult:
    imported: tuple[str, ...]  # district codes that got a boundary
    without_shape: tuple[str, ...]  # districts of the kommun that still have none


def district_shapes_import(
    *, raw: bytes, municipality: Municipality, code_property: str = "code"
) -> ShapesImportResult:
    """Validate the whole file against `municipality`'s districts, then store every
    boundary in one transaction (another kommun's codes are unknown codes here)."""
    districts = {d.code: d for d in District.objects.filter(municipality=municipality)}
    shapes = parse_district_geojson(raw, known_codes=districts, code_property=code_property)
    with transaction.atomic():
        for shape in shapes:
            district = districts[shape.code]
            district.geometry = shape.geometry
            district.save(update_fields=["geometry"])
    transaction.on_commit(dash_cache.bump_geo_generation)
    imported = {s.code for s in shapes}
    without = tuple(
        sorted(code for code, d in districts.items() if code not in imported and not d.geometry)
    )
    return ShapesImportResult(imported=tuple(sorted(imported)), without_shape=without)
