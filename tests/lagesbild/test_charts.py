"""Figure builders (pure): sorting, intervals, reference line, colours, suppression."""

import json

from hypothesis import given
from hypothesis import strategies as st

from lagesbild import charts
from lagesbild.chart_model import MAP_SUPPRESSED, Bar, Verdict


def bar(label: str, share: int | None, verdict: Verdict = "similar", text: str = "") -> Bar:
    if share is None:
        return Bar(label, None, None, None, text or "–", "none", key=label)
    return Bar(
        label, share, share - 5, share + 5, text or f"{share} %", verdict, key=label, n_text="100"
    )


def test_bars_are_sorted_highest_first_with_hidden_values_last() -> None:
    figure = charts.bar_chart(
        [bar("A", 10), bar("B", None), bar("C", 30), bar("D", None, text="< 15 %"), bar("E", 20)],
        reference=18,
        reference_label="Kommunen",
    )
    assert figure["data"][0]["y"] == ["C", "E", "A", "D", "B"]
    assert figure["data"][0]["x"] == [30, 20, 10, None, None]


def test_interval_bars_reach_from_the_low_to_the_high_end() -> None:
    figure = charts.bar_chart([bar("A", 40)], reference=None, reference_label="Kommunen")
    error = figure["data"][0]["error_x"]
    assert (error["arrayminus"], error["array"]) == ([5], [5])


def test_kommun_value_is_drawn_as_a_dashed_reference_line() -> None:
    figure = charts.bar_chart([bar("A", 40)], reference=23, reference_label="Kommunen")
    (line,) = figure["layout"]["shapes"]
    assert (line["x0"], line["x1"], line["line"]["dash"]) == (23, 23, "dash")


def test_worse_and_better_bars_differ_in_colour_and_in_pattern() -> None:
    figure = charts.bar_chart(
        [bar("A", 40, "worse"), bar("B", 10, "better"), bar("C", 20, "similar")],
        reference=20,
        reference_label="Kommunen",
    )
    marker = figure["data"][0]["marker"]
    assert len(set(marker["color"])) == 3
    assert len(set(marker["pattern"]["shape"])) == 3


def test_previous_wave_is_drawn_as_markers_only_when_known() -> None:
    with_previous = charts.bar_chart(
        [Bar("A", 40, 35, 45, "40 %", "similar", key="A", n_text="100", marker=30)],
        reference=None,
        reference_label="Kommunen",
    )
    without = charts.bar_chart([bar("A", 40)], reference=None, reference_label="Kommunen")
    assert with_previous["data"][1]["x"] == [30]
    assert len(without["data"]) == 1


@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100), st.booleans())
def test_the_worst_end_of_the_map_scale_is_always_the_darkest_class(
    a: int, b: int, share: int, higher_is_better: bool
) -> None:
    low, high = min(a, b), max(a, b)
    share = min(max(share, low), high)
    worst = low if higher_is_better else high
    best = high if higher_is_better else low
    klass = charts.map_class(share, low, high, higher_is_better)
    assert charts.map_class(worst, low, high, higher_is_better) >= klass
    assert charts.map_class(best, low, high, higher_is_better) <= klass


def test_suppressed_district_on_the_map_is_grey_and_labelled_with_a_dash() -> None:
    square = (((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)),)
    figure = charts.map_chart(
        [
            charts.MapArea("A", square, 30, "30 %", "A: 30 %"),
            charts.MapArea("B", square, None, "–", "B: – (färre än 10 svar)"),
        ],
        higher_is_better=False,
    )
    assert figure["data"][1]["fillcolor"] == MAP_SUPPRESSED
    assert figure["data"][1]["fill"] == "toself"
    assert "B<br>–" in figure["data"][-1]["text"]


@given(
    st.lists(
        st.tuples(st.integers(1, 99), st.booleans()),
        min_size=1,
        max_size=25,
    )
)
def test_a_hidden_bar_carries_no_number_into_the_figure(values: list[tuple[int, bool]]) -> None:
    bars = [bar(f"D{i}", share if shown else None) for i, (share, shown) in enumerate(values)]
    figure = charts.bar_chart(bars, reference=None, reference_label="Kommunen")
    trace = figure["data"][0]
    for label, x, text, plus, minus in zip(
        trace["y"],
        trace["x"],
        trace["text"],
        trace["error_x"]["array"],
        trace["error_x"]["arrayminus"],
        strict=True,
    ):
        hidden = next(b for b in bars if b.label == label).share is None
        if hidden:
            assert (x, text, plus, minus) == (None, "", None, None)
    json.dumps(figure)  # plain JSON, nothing else


def test_summary_names_the_top_districts_the_kommun_and_how_many_are_hidden() -> None:
    summary = charts.bar_summary(
        [bar("Årby", 40, "worse"), bar("Norr", 10), bar("Ärla", None)],
        reference=20,
        reference_label="Kommunen",
    )
    assert "Årby 40 %" in summary
    assert "Kommunen: 20 %" in summary
    assert "sämre än kommunen: Årby" in summary
    assert "1 visas inte" in summary


def test_trend_leaves_a_gap_where_a_wave_is_suppressed() -> None:
    figure = charts.trend_chart(
        [
            charts.Series(
                "Kommunen",
                (
                    charts.Point("HT 2022", 20, 18, 22, "20 %"),
                    charts.Point("HT 2023", None, None, None, "–"),
                    charts.Point("HT 2024", 25, 23, 27, "25 %"),
                ),
            )
        ]
    )
    assert figure["data"][0]["y"] == [20, None, 25]
    assert figure["data"][0]["connectgaps"] is False


def test_map_legend_covers_every_shown_share_once_in_class_order() -> None:
    legend = charts.map_legend([10, 15, 20, 30], higher_is_better=False)
    assert legend[0] == (0, "10–13 %")
    assert legend[-1] == (4, "26–30 %")
    assert [k for k, _ in legend] == sorted(k for k, _ in legend)
