"""One palette: the stylesheets' colour properties are the charts' colours."""

import re
from pathlib import Path

import pytest

from lagesbild import chart_model

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "verdict-worse": chart_model.VERDICT_COLOURS["worse"],
    "verdict-better": chart_model.VERDICT_COLOURS["better"],
    "verdict-similar": chart_model.VERDICT_COLOURS["similar"],
    "verdict-none": chart_model.VERDICT_COLOURS["none"],
    "reference": chart_model.REFERENCE_COLOUR,
    "muted": chart_model.MUTED_COLOUR,
    **{f"map-{i}": colour for i, colour in enumerate(chart_model.MAP_CLASSES)},
    "map-suppressed": chart_model.MAP_SUPPRESSED,
}


def root_properties(css: str) -> dict[str, str]:
    block = re.search(r":root\s*\{([^}]*)\}", css)
    assert block, "no :root block"
    return {
        name: value.strip().upper()
        for name, value in re.findall(r"--([\w-]+)\s*:\s*([^;]+);", block.group(1))
    }


@pytest.mark.parametrize("sheet", ["static/css/lagesbild.css", "static/css/report.css"])
def test_stylesheet_palette_is_the_charts(sheet: str) -> None:
    css = (ROOT / sheet).read_text(encoding="utf-8")
    properties = root_properties(css)
    assert properties, sheet
    for name, value in properties.items():
        assert EXPECTED[name].upper() == value, f"{sheet}: --{name}"
    # Outside :root, no palette colour is written out: each is used through its property.
    body = re.sub(r":root\s*\{[^}]*\}", "", css)
    for name, colour in EXPECTED.items():
        if name in properties:
            assert colour.lower() not in body.lower(), f"{sheet}: {colour} instead of --{name}"


def test_no_renderer_writes_a_palette_colour_of_its_own() -> None:
    """The figures, the SVG and the page builders take every colour from chart_model."""
    for path in sorted((ROOT / "lagesbild").rglob("*.py")):
        if path.name == "chart_model.py":
            continue
        written = re.findall(r"#[0-9A-Fa-f]{6}\b", path.read_text(encoding="utf-8"))
        assert not written, f"{path.relative_to(ROOT)} writes colours of its own: {written}"
