"""Every figure the chart builders produce is a valid Plotly figure.

The figures are plain dicts drawn by Plotly.js in the browser, so a misspelt property
would only show up there (silently ignored, or a console error). Plotly's Python package
(a dev dependency, never imported by the app) knows the same schema: building a
`plotly.graph_objects.Figure` from the dict raises on any property Plotly does not know.
The pages load the basic bundle of Plotly.js, which has bar and scatter traces only.
"""

from typing import Any

import plotly.graph_objects as go
from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild import chart_model, charts

BASIC_BUNDLE_TRACES = {"bar", "scatter"}
SQUARE = (((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)),)

verdicts: st.SearchStrategy[chart_model.Verdict] = st.sampled_from(
    ["worse", "better", "similar", "none"]
)
labels = st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1)


@st.composite
def shares(draw: st.DrawFn) -> tuple[int | None, int | None, int | None, str]:
    """A public value: (share, interval low, interval high, text); None when not shown."""
    if draw(st.booleans()):
        return None, None, None, draw(st.sampled_from(["–", "< 15 %", "> 85 %"]))
    share = draw(st.integers(1, 99))
    low = draw(st.integers(0, share))
    high = draw(st.integers(share, 100))
    return share, low, high, f"{share} %"


@st.composite
def bars(draw: st.DrawFn) -> chart_model.Bar:
    share, low, high, text = draw(shares())
    previous = draw(st.none() | st.integers(1, 99))
    label = draw(labels)
    verdict: chart_model.Verdict = draw(verdicts) if share is not None else "none"
    n_text = "–" if share is None else "≈ 145"
    return chart_model.Bar(
        label, share, low, high, text, verdict, key=label, n_text=n_text, marker=previous
    )


@st.composite
def series(draw: st.DrawFn) -> charts.Series:
    points = tuple(
        charts.Point(f"HT {2020 + index}", *value)
        for index, value in enumerate(draw(st.lists(shares(), min_size=1, max_size=6)))
    )
    dash = draw(st.sampled_from(["solid", "dash", "dot"]))
    return charts.Series(draw(labels), points, dash, chart_model.REFERENCE_COLOUR)


@st.composite
def profile_rows(draw: st.DrawFn) -> charts.ProfileRow:
    share, low, high, text = draw(shares())
    verdict: chart_model.Verdict = draw(verdicts) if share is not None else "none"
    reference = draw(st.none() | st.integers(1, 99))
    return charts.ProfileRow(draw(labels), share, low, high, text, verdict, reference)


@st.composite
def map_areas(draw: st.DrawFn) -> charts.MapArea:
    share, _, _, text = draw(shares())
    label = draw(labels)
    return charts.MapArea(label, SQUARE, share, text, f"{label}: {text}")


def assert_valid(figure: dict[str, Any]) -> None:
    validated = go.Figure(figure)  # raises ValueError on a property Plotly does not know
    assert {trace.type for trace in validated.data} <= BASIC_BUNDLE_TRACES


@settings(max_examples=40, deadline=None)
@given(
    st.lists(bars(), min_size=1, max_size=25),
    st.none() | st.integers(0, 100),
    st.sampled_from(["", "HT 2024"]),
)
def test_bar_charts_are_valid_plotly_figures(
    items: list[chart_model.Bar], reference: int | None, previous_label: str
) -> None:
    assert_valid(
        charts.bar_chart(
            items, reference=reference, reference_label="Kommunen", previous_label=previous_label
        )
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(series(), min_size=1, max_size=4))
def test_trend_charts_are_valid_plotly_figures(items: list[charts.Series]) -> None:
    assert_valid(charts.trend_chart(items))


@settings(max_examples=20, deadline=None)
@given(
    st.lists(series(), min_size=1, max_size=3),
    st.lists(st.floats(-0.4, 6.4), min_size=1, max_size=3),
)
def test_trend_charts_with_measure_starts_are_valid_plotly_figures(
    items: list[charts.Series], positions: list[float]
) -> None:
    starts = [
        charts.MeasureStart(i + 1, f"Åtgärd {i}", x, "3 mars 2025", "startade efter HT 2024")
        for i, x in enumerate(positions)
    ]
    assert_valid(charts.trend_chart(items, measures=starts))


@settings(max_examples=40, deadline=None)
@given(st.lists(profile_rows(), min_size=1, max_size=20))
def test_profile_charts_are_valid_plotly_figures(rows: list[charts.ProfileRow]) -> None:
    assert_valid(charts.profile_chart(rows, area_label="Skiftinge", reference_label="Kommunen"))


@settings(max_examples=40, deadline=None)
@given(st.lists(map_areas(), min_size=1, max_size=12), st.booleans())
def test_maps_are_valid_plotly_figures(areas: list[charts.MapArea], higher: bool) -> None:
    assert_valid(charts.map_chart(areas, higher_is_better=higher))
