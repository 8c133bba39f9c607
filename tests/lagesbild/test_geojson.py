"""District boundary files: validation with clear errors, and simplification for the map."""

import json

import pytest

from lagesbild.geojson import GeoJSONError, map_rings, parse_district_geojson, simplify
from tests.lagesbild.dashboard_factories import grid_geojson


def parse(data: object, known: tuple[str, ...] = ("SKI", "ARB")) -> list[object]:
    return list(parse_district_geojson(json.dumps(data).encode(), known_codes=known))


def problems(data: object | bytes, known: tuple[str, ...] = ("SKI", "ARB")) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pytest.raises(GeoJSONError) as info:
        parse_district_geojson(raw, known_codes=known)
    return " ".join(info.value.problems)


def test_a_valid_feature_collection_gives_one_shape_per_district() -> None:
    shapes = parse(grid_geojson(["SKI", "ARB"]))
    assert [s.code for s in shapes] == ["SKI", "ARB"]  # type: ignore[attr-defined]


def test_codes_are_matched_without_regard_to_case() -> None:
    (shape,) = parse(grid_geojson(["ski"]))
    assert shape.code == "SKI"  # type: ignore[attr-defined]


def test_a_file_that_is_not_json_names_the_line() -> None:
    assert "rad 1" in problems(b'{"type": "FeatureCollection",')


def test_projected_coordinates_are_refused_with_a_hint_to_export_in_wgs84() -> None:
    data = grid_geojson(["SKI"])
    data["features"][0]["geometry"]["coordinates"] = [
        [[588000, 6581000], [589000, 6581000], [589000, 6582000], [588000, 6581000]]
    ]
    message = problems(data)
    assert "SWEREF 99 TM" in message
    assert "WGS 84" in message


def test_an_unknown_district_code_is_named_with_the_known_codes() -> None:
    message = problems(grid_geojson(["XYZ"]))
    assert "XYZ" in message
    assert "ARB, SKI" in message


def test_an_open_ring_is_refused() -> None:
    data = grid_geojson(["SKI"])
    data["features"][0]["geometry"]["coordinates"][0].pop()
    assert "inte sluten" in problems(data)


def test_a_point_geometry_is_refused() -> None:
    data = grid_geojson(["SKI"])
    data["features"][0]["geometry"] = {"type": "Point", "coordinates": [16.5, 59.4]}
    assert "Point" in problems(data)


def test_a_missing_code_property_is_named() -> None:
    data = grid_geojson(["SKI"], code_property="RegSO")
    assert "”code”" in problems(data)


def test_every_problem_is_listed_not_only_the_first() -> None:
    data = grid_geojson(["XYZ", "QQQ"])
    message = problems(data)
    assert "XYZ" in message
    assert "QQQ" in message


def test_a_district_twice_in_the_file_is_refused() -> None:
    assert "flera gånger" in problems(grid_geojson(["SKI", "SKI"]))


def test_simplification_keeps_the_ring_closed_and_drops_points_on_a_straight_edge() -> None:
    edge = tuple((i / 10, 0.0) for i in range(11))
    ring = (*edge, (1.0, 1.0), (0.0, 1.0), (0.0, 0.0))
    simple = simplify(ring, 0.01)
    assert simple[0] == simple[-1]
    assert len(simple) == 5


def test_map_rings_are_rounded_to_four_decimals() -> None:
    data = grid_geojson(["SKI"])
    data["features"][0]["geometry"]["coordinates"][0][1] = [16.42800001, 59.3]
    rings = map_rings({"SKI": data["features"][0]["geometry"]})
    assert (16.428, 59.3) in rings["SKI"][0]
