"""The report's first page: which messages are chosen, by the rules in key_messages (no DB)."""

from __future__ import annotations

from typing import Any

from lagesbild import selectors
from lagesbild.exports.key_messages import (
    MAX_MESSAGES,
    MAX_PER_KIND,
    MIN_MESSAGES,
    district_messages,
    kommun_messages,
)
from lagesbild.marks import Verdict


def meta(code: str, *, higher_is_better: bool = False, place: str = "") -> selectors.IndicatorMeta:
    return selectors.IndicatorMeta(
        code=code,
        name=f"Namn {code}",
        description="",
        group="g",
        group_name="Grupp",
        higher_is_better=higher_is_better,
        geography="home",
        period="",
        place=place,
        place_name=f"plats {place}" if place else "",
    )


def cell(
    share: int | None, low: int = 0, high: int = 0, state: str = "shown"
) -> selectors.PublicCell:
    shown = state == "shown" and share is not None
    return selectors.PublicCell(
        indicator="X",
        place="",
        geography="home",
        area="",
        breakdown="total",
        breakdown_value="",
        state=state,
        reason="" if shown else "min_n",
        n_shown=200 if shown else None,
        share_pct=share if shown else None,
        bound="",
        ci_low_pct=(low or (share or 0) - 3) if shown else None,
        ci_high_pct=(high or (share or 0) + 3) if shown else None,
        unstable=False,
    )


def change(pp: int, verdict: Verdict) -> selectors.Change:
    return selectors.Change("HT 2024", "30 %", pp, verdict)


def area(name: str) -> selectors.AreaInfo:
    return selectors.AreaInfo(name[:3].upper(), name, "district", False, "", True)


def row(
    m: selectors.IndicatorMeta, kommun: selectors.PublicCell, ch: selectors.Change | None
) -> selectors.OverviewRow:
    return selectors.OverviewRow(meta=m, kommun=kommun, change=ch, worse=(), better=())


def page(
    m: selectors.IndicatorMeta,
    kommun: selectors.PublicCell,
    rows: list[tuple[str, selectors.PublicCell, Verdict]],
) -> selectors.IndicatorPage:
    empty: Any = None
    return selectors.IndicatorPage(
        wave=empty,
        previous=None,
        meta=m,
        breakdown="total",
        breakdown_label="",
        geography="home",
        kommun=kommun,
        rows=tuple(selectors.AreaRow(area(n), c, v, None) for n, c, v in rows),
        figure={},
        summary="",
        trend=selectors.TrendView(None, "", "", (), ()),
        questions=(),
        area=None,
    )


def test_worse_comes_before_better_and_larger_before_smaller() -> None:
    rows = [
        row(meta("A"), cell(40), change(3, "worse")),
        row(meta("B"), cell(40), change(-12, "better")),
        row(meta("C"), cell(40), change(8, "worse")),
    ]
    messages = kommun_messages(rows, [])
    assert [m.text.split(" 40 %")[0] for m in messages] == [
        "Kommunen: Namn C",
        "Kommunen: Namn A",
        "Kommunen: Namn B",
    ]
    assert [m.verdict for m in messages] == ["worse", "worse", "better"]
    assert messages[0].lead == "Tydlig försämring"
    assert "↗ ökat 8 p.e." in messages[0].text and "(37–43 %)" in messages[0].text


def test_at_most_three_of_a_kind_and_five_in_all() -> None:
    metas = [meta(f"I{i}") for i in range(6)]
    rows = [row(m, cell(40), change(10 + i, "worse")) for i, m in enumerate(metas)]
    pages = [page(m, cell(40), [("Skiftinge", cell(60, 55, 65), "worse")]) for m in metas]
    messages = kommun_messages(rows, pages)
    assert len(messages) == MAX_MESSAGES
    # The districts lie 20 p.e. from the kommun, the changes 10 to 15: three districts
    # (no more of a kind), then the two largest changes.
    assert [m.kind for m in messages] == ["district"] * MAX_PER_KIND + ["change"] * 2
    assert [m.size for m in messages if m.kind == "change"] == [15, 14]


def test_a_district_message_names_the_farthest_district_and_counts_the_others() -> None:
    m = meta("A")
    p = page(
        m,
        cell(30),
        [
            ("Skiftinge", cell(45, 40, 50), "worse"),
            ("Lagersberg", cell(52, 47, 57), "worse"),
            ("Årby", cell(20, 15, 25), "better"),
            ("Ärla", cell(31, 20, 42), "similar"),
        ],
    )
    messages = kommun_messages([row(m, cell(30), None)], [p])
    worse = next(x for x in messages if x.kind == "district" and x.verdict == "worse")
    assert "Lagersberg: Namn A 52 % (47–57 %), ↑ högre än kommunen (30 %)." in worse.text
    assert "↑ högre än kommunen" in worse.text and "Ytterligare 1 område" in worse.text
    assert worse.lead == "Sämre än kommunen"
    better = next(x for x in messages if x.kind == "district" and x.verdict == "better")
    assert "Årby" in better.text and "↓ lägre än kommunen" in better.text


def test_a_hidden_value_is_never_a_message() -> None:
    m = meta("A")
    hidden = cell(None, state="suppressed")
    rows = [row(m, hidden, selectors.Change("HT 2024", "–", None, "none"))]
    p = page(m, cell(30), [("Skiftinge", hidden, "worse")])
    assert kommun_messages(rows, [p]) == ()


def test_few_differences_are_filled_with_the_largest_risk_levels() -> None:
    rows = [
        row(meta("A"), cell(12), change(1, "similar")),
        row(meta("B"), cell(55), None),
        row(meta("C", higher_is_better=True), cell(90), None),  # a protective share: not a risk
        row(meta("D"), cell(35), change(9, "worse")),
        row(meta("E", place="buss"), cell(70), None),  # a place's detail, not an indicator
    ]
    messages = kommun_messages(rows, [])
    assert len(messages) == MIN_MESSAGES
    assert [m.kind for m in messages] == ["change", "level", "level"]
    assert messages[1].text == "Kommunen: Namn B 55 % (52–58 %)."
    assert messages[1].lead == "Nivå"


def test_a_district_report_says_where_the_district_differs_and_how_it_changed() -> None:
    m_a, m_b = meta("A"), meta("B", higher_is_better=True)
    rows = [
        selectors.ProfileRow(m_a, cell(50, 45, 55), cell(30), "worse", change(6, "worse"), ()),
        selectors.ProfileRow(m_b, cell(15, 10, 20), cell(40), "worse", None, ()),
    ]
    messages = district_messages("Skiftinge", rows)
    texts = [x.text for x in messages]
    assert texts[0].startswith("Skiftinge: Namn B 15 % (10–20 %), ↓ lägre än kommunen (40 %).")
    assert any(
        t.startswith("Skiftinge: Namn A 50 % (45–55 %), ↗ ökat 6 p.e. sedan HT 2024 (30 %).")
        for t in texts
    )
    assert all(x.verdict == "worse" for x in messages[:3])
