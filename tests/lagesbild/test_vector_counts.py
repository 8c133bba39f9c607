"""The numpy count (`lagesbild.vector_counts`) without a database: every rule kind against
the catalogue's own evaluation, on a layout with a multiple-choice question wider than
one position (the default questionnaire has none), and the roll-up's who-is-where."""

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild.catalogue import AnyOfRule, SimpleRule
from lagesbild.cube import AnyOf, CellSpec, Place, Simple
from lagesbild.vector_counts import FineGroup, count_groups, roll_up
from surveys import answer_vector as av

WIDE = tuple(f"o{i}" for i in range(20))  # 20 options: two positions of 15 bits
LAYOUT = av.Layout(
    (
        av.Slot("Q1", "single", ("1", "2", "3"), 1, 1),
        av.Slot("Q2", "single", ("1", "2"), 2, 1),
        av.Slot("M", "multiple", WIDE, 3, 2),
        av.Slot("N", "number", (), 5, 1),
    )
)
Q1 = SimpleRule("Q1", ("1", "2", "3"), frozenset({"3"}), frozenset({"2"}))
Q2 = SimpleRule("Q2", ("1", "2"), frozenset({"1"}), frozenset())
ABSENT = SimpleRule("Q9", ("1",), frozenset({"1"}), frozenset())  # not in the layout
PLACES = ("o0", "o14", "o15", "o19")


def _simple(rule: SimpleRule) -> Simple:
    return Simple(rule.question, rule.valid_codes, rule.yes_codes)


SPECS = [
    CellSpec("Q1", "home", _simple(Q1)),
    CellSpec("ABSENT", "home", _simple(ABSENT)),
    CellSpec("ANY", "home", AnyOf((_simple(Q1), _simple(Q2)))),
    *(CellSpec(f"M:{p}", "school", Place("M", frozenset(WIDE), p)) for p in PLACES),
]


def _reference(answers: dict[str, Any]) -> list[bool | None]:
    """Per spec: the catalogue's evaluation (True yes, False valid no, None not counted)."""
    chosen: frozenset[str] | None = None
    if "M" in answers:
        raw = answers["M"]
        items = list(raw) if isinstance(raw, list) else [raw]
        chosen = frozenset(i for i in items if isinstance(i, str) and i in WIDE) or None
    return [
        Q1.evaluate(answers),
        ABSENT.evaluate(answers),
        AnyOfRule((Q1, Q2)).evaluate(answers),
        *(None if chosen is None else p in chosen for p in PLACES),
    ]


_code = st.sampled_from(["1", "2", "3", "9", 1, 3, True, None, ["1"], "o0"])
_multi = st.one_of(
    st.lists(st.sampled_from([*WIDE, "x", "1"]) | st.integers(0, 3), max_size=6),
    st.sampled_from([*WIDE, "x", 5, True]),
)
_sheet = st.fixed_dictionaries(
    {}, optional={"Q1": _code, "Q2": _code, "M": _multi, "N": st.integers(-2, 40_000)}
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_sheet, max_size=12), min_size=1, max_size=6))
def test_the_count_is_the_catalogues_evaluation_in_every_group(
    groups: list[list[dict[str, Any]]],
) -> None:
    packed = b"".join(av.pack(av.encode(LAYOUT, a)) for sheets in groups for a in sheets)
    counts = count_groups(packed, [len(sheets) for sheets in groups], SPECS, LAYOUT)
    assert counts.shape == (len(groups), len(SPECS), 2)
    for g, sheets in enumerate(groups):
        for i in range(len(SPECS)):
            results = [_reference(a)[i] for a in sheets]
            n = sum(r is not None for r in results)
            yes = sum(r is True for r in results)
            assert (counts[g, i, 0], counts[g, i, 1]) == (n, yes), (g, SPECS[i].key)


def test_vectors_of_another_length_are_refused() -> None:
    packed = av.pack(av.encode(LAYOUT, {"Q1": "1"}))
    with pytest.raises(ValueError, match="answer vectors of 10 bytes expected"):
        count_groups(packed[:-2], [1], SPECS, LAYOUT)
    with pytest.raises(ValueError, match="answer vectors of 10 bytes expected"):
        count_groups(packed, [2], SPECS, LAYOUT)


def test_the_roll_up_puts_each_group_where_the_sql_pass_does() -> None:
    groups = [
        FineGroup(home_id=7, annan=False, school_id=3, gender="1", grade=8, sheets=1),
        FineGroup(home_id=None, annan=True, school_id=3, gender="", grade=11, sheets=1),
        FineGroup(home_id=None, annan=False, school_id=4, gender="2", grade=11, sheets=1),
    ]
    counts = np.array([[[1, 1]], [[10, 0]], [[100, 50]]], dtype=np.int64)
    rolled = roll_up(groups, counts)
    rows = {key: tuple(int(x) for x in value.ravel()) for key, value in rolled.items()}
    assert rows == {
        # School: every pupil, in their school's district and the kommun.
        ("school", 3, "total", ""): (11, 1),
        ("school", 3, "gender", "1"): (1, 1),
        ("school", 3, "grade_band", "AK79"): (1, 1),
        ("school", 3, "grade_band", "GY"): (10, 0),
        ("school", 3, "grade", "8"): (1, 1),
        ("school", 3, "grade", "11"): (10, 0),
        ("school", 4, "total", ""): (100, 50),
        ("school", 4, "gender", "2"): (100, 50),
        ("school", 4, "grade_band", "GY"): (100, 50),
        ("school", 4, "grade", "11"): (100, 50),
        ("school", None, "total", ""): (111, 51),
        ("school", None, "gender", "1"): (1, 1),
        ("school", None, "gender", "2"): (100, 50),
        ("school", None, "grade_band", "AK79"): (1, 1),
        ("school", None, "grade_band", "GY"): (110, 50),
        ("school", None, "grade", "8"): (1, 1),
        ("school", None, "grade", "11"): (110, 50),
        # Home: a named district, and the kommun without the pupil of another municipality
        # (the pupil who named no district is in the kommun only).
        ("home", 7, "total", ""): (1, 1),
        ("home", 7, "gender", "1"): (1, 1),
        ("home", 7, "grade_band", "AK79"): (1, 1),
        ("home", 7, "grade", "8"): (1, 1),
        ("home", None, "total", ""): (101, 51),
        ("home", None, "gender", "1"): (1, 1),
        ("home", None, "gender", "2"): (100, 50),
        ("home", None, "grade_band", "AK79"): (1, 1),
        ("home", None, "grade_band", "GY"): (100, 50),
        ("home", None, "grade", "8"): (1, 1),
        ("home", None, "grade", "11"): (100, 50),
    }
