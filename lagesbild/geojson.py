"""District boundaries from GeoJSON: validation for the import, simplification for the map.

Pure Python, no ORM. Boundaries come from the kommun (stadsdelar) or SCB (RegSO) as a
GeoJSON FeatureCollection in WGS 84 (longitude, latitude), one Polygon or MultiPolygon
feature per district, with the district's code in a property. Every problem is reported
with the feature's position and the exact reason, so an administrator can fix the file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024  # a whole kommun's stadsdelar are well under 1 MB
Ring = tuple[tuple[float, float], ...]


class GeoJSONError(ValueError):
    """The file cannot be imported; the message says where and why, in the UI language."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class DistrictShape:
    code: str
    geometry: dict[str, Any]  # a GeoJSON Polygon or MultiPolygon, validated


def parse_district_geojson(
    raw: bytes, *, known_codes: Iterable[str], code_property: str = "code"
) -> list[DistrictShape]:
    """Validate a GeoJSON file; return one shape per district or raise `GeoJSONError`.

    All or nothing: a file with any problem imports nothing, and every problem found is
    listed (up to 20), not only the first.
    """
    if len(raw) > MAX_BYTES:
        raise GeoJSONError([_("Filen är större än %(mb)s MB.") % {"mb": MAX_BYTES // 2**20}])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise GeoJSONError([_("Filen är inte text i UTF-8.")]) from None
    except json.JSONDecodeError as exc:
        raise GeoJSONError(
            [
                _("Filen är inte giltig JSON (rad %(line)s, kolumn %(col)s): %(msg)s.")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ]
        ) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoJSONError([_("Filen måste vara en GeoJSON FeatureCollection.")])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise GeoJSONError([_("FeatureCollection saknar objekt (features).")])
    known = set(known_codes)
    problems: list[str] = []
    shapes: list[DistrictShape] = []
    seen: set[str] = set()
    for index, feature in enumerate(features, start=1):
        where = _("Objekt %(i)s") % {"i": index}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(_("%(where)s: är inte ett GeoJSON Feature.") % {"where": where})
            continue
        properties = feature.get("properties") or {}
        code = properties.get(code_property) if isinstance(properties, dict) else None
        if not isinstance(code, str | int) or not str(code).strip():
            problems.append(
                _("%(where)s: egenskapen ”%(prop)s” med områdets kod saknas.")
                % {"where": where, "prop": code_property}
            )
            continue
        code = str(code).strip().upper()
        where = f"{where} ({code})"
        if code not in known:
            problems.append(
                _("%(where)s: okänd områdeskod. Kända koder: %(codes)s.")
                % {"where": where, "codes": ", ".join(sorted(known))}
            )
            continue
        if code in seen:
            problems.append(_("%(where)s: koden förekommer flera gånger.") % {"where": where})
            continue
        seen.add(code)
        try:
            geometry = _geometry(feature.get("geometry"))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        shapes.append(DistrictShape(code=code, geometry=geometry))
    if problems:
        raise GeoJSONError(problems[:20])
    return shapes


def _geometry(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(_("geometri saknas."))
    kind = value.get("type")
    coordinates = value.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValueError(_("MultiPolygon utan polygoner."))
        polygons = coordinates
    else:
        raise ValueError(
            _("geometrin är %(kind)s; bara Polygon och MultiPolygon kan vara områden.")
            % {"kind": kind}
        )
    clean = [_polygon(p) for p in polygons]
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": clean[0]}
    return {"type": "MultiPolygon", "coordinates": clean}


def _polygon(value: object) -> list[list[list[float]]]:
    if not isinstance(value, list) or not value:
        raise ValueError(_("en polygon saknar ringar."))
    return [_ring(r) for r in value]


def _ring(value: object) -> list[list[float]]:
    if not isinstance(value, list) or len(value) < 4:
        raise ValueError(_("en ring har färre än fyra punkter."))
    ring: list[list[float]] = []
    for position in value:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
        ):
            raise ValueError(_("en punkt är inte ett par av tal [longitud, latitud]."))
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError(_("en punkt har ett ogiltigt tal."))
        if abs(lon) > 180 or abs(lat) > 90:
            raise ValueError(
                _(
                    "koordinaterna (%(x)s, %(y)s) är inte longitud/latitud. Filen verkar "
                    "vara i ett projicerat system (t.ex. SWEREF 99 TM); exportera den i "
                    "WGS 84 (EPSG:4326)."
                )
                % {"x": position[0], "y": position[1]}
            )
        ring.append([lon, lat])
    if ring[0] != ring[-1]:
        raise ValueError(_("en ring är inte sluten (första och sista punkten skiljer sig)."))
    return ring


RawRing = Sequence[Sequence[float]]  # [[lon, lat, ...], ...] as stored


def outer_rings(geometry: Mapping[str, Any]) -> list[RawRing]:
    """The outer ring of each polygon of a validated geometry (holes are not drawn)."""
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    else:
        polygons = geometry["coordinates"]
    return [polygon[0] for polygon in polygons]


def _radial_filter(ring: RawRing, tolerance: float) -> Ring:
    """Drop points closer than ``tolerance`` to the last kept one: a linear pass that makes
    Douglas–Peucker fast on densely digitised boundaries."""
    last_x, last_y = ring[0][0], ring[0][1]
    kept = [(last_x, last_y)]
    for point in ring[1:-1]:
        x, y = point[0], point[1]
        if abs(x - last_x) > tolerance or abs(y - last_y) > tolerance:
            kept.append((x, y))
            last_x, last_y = x, y
    kept.append((ring[-1][0], ring[-1][1]))
    return tuple(kept)


def _as_ring(raw: RawRing) -> Ring:
    return tuple((p[0], p[1]) for p in raw)


def simplify(raw: RawRing, tolerance: float) -> Ring:
    """Douglas–Peucker simplification of a closed ring; keeps at least four points."""
    if len(raw) <= 4 or tolerance <= 0:
        return _as_ring(raw)
    ring = _radial_filter(raw, tolerance)
    if len(ring) < 4:
        return _as_ring(raw)  # a polygon smaller than the tolerance: keep it as it is
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    limit = tolerance * tolerance
    while stack:
        start, end = stack.pop()
        x0, y0 = ring[start]
        dx, dy = ring[end][0] - x0, ring[end][1] - y0
        length2 = dx * dx + dy * dy
        best, best_index = 0.0, -1
        # Squared distance to the segment, inlined: this loop is the whole cost.
        for i in range(start + 1, end):
            px, py = ring[i][0] - x0, ring[i][1] - y0
            t = 0.0 if length2 == 0 else max(0.0, min(1.0, (px * dx + py * dy) / length2))
            ex, ey = px - t * dx, py - t * dy
            distance2 = ex * ex + ey * ey
            if distance2 > best:
                best, best_index = distance2, i
        if best > limit and best_index > 0:
            keep[best_index] = True
            stack.append((start, best_index))
            stack.append((best_index, end))
    result = tuple(p for p, k in zip(ring, keep, strict=True) if k)
    return result if len(result) >= 4 else ring


def map_rings(geometries: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[Ring, ...]]:
    """Rings per district code, simplified for a map about 600 px wide (a tolerance of
    1/500 of the kommun's extent, about 60 m for Eskilstuna) and rounded to four decimals
    (about 10 m), which keeps a whole kommun's map figure under 30 KB."""
    rings = {code: outer_rings(g) for code, g in geometries.items()}
    if not any(rings.values()):
        return {}
    # The extent from each ring's bounding box: one pass over the points, no copies.
    x_low = min(min(p[0] for p in r) for rs in rings.values() for r in rs)
    x_high = max(max(p[0] for p in r) for rs in rings.values() for r in rs)
    y_low = min(min(p[1] for p in r) for rs in rings.values() for r in rs)
    y_high = max(max(p[1] for p in r) for rs in rings.values() for r in rs)
    extent = max(x_high - x_low, y_high - y_low)
    tolerance = extent / 500
    return {
        code: tuple(
            tuple((round(x, 4), round(y, 4)) for x, y in simplify(r, tolerance)) for r in rs
        )
        for code, rs in rings.items()
    }
