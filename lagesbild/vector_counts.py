"""Counting a wave's cells from its packed answer vectors with numpy (pure: no ORM, no SQL).

The pass (`lagesbild.aggregation`) hands over the wave's sheets in *fine groups*: one per
(home district, "another municipality", school district, gender, grade), each with
its sheets' vectors concatenated (`surveys.answer_vector.pack`: two bytes per position,
every vector of the version the same length). Here they become one integer matrix, one
row per sheet; each cell key's rule turns the columns it reads into a code per sheet
(0 not in the base, 1 a valid no, 2 a yes: `sheet_codes`), and one `numpy.bincount` per
cell key counts the codes per fine group. `roll_up` then adds the fine groups into the
rows the SQL pass yields (geography × area × breakdown), with the same rules for who is
where. No Python object per sheet is made: a million sheets are a few arrays.

The semantics are those of `lagesbild.catalogue.evaluate`, which the tests hold this to,
as they hold the pass over the JSON answers.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from surveys.answer_vector import Layout, Slot

from .cube import GENDERS, AnyOf, CellSpec, Place, Simple

type Codes = npt.NDArray[np.int8]
type Column = npt.NDArray[np.uint16]

NOT_COUNTED, NO, YES = 0, 1, 2


class VectorUnsupportedError(Exception):
    """A rule the answer vector cannot express (e.g. a single-choice rule on a
    multiple-choice question); the pass then reads the JSON answers."""


@dataclass(frozen=True)
class FineGroup:
    """The sheets of one combination of the grouping columns (as the SQL pass's ``fine``
    layer groups them)."""

    home_id: int | None
    annan: bool  # the pupil lives in another municipality
    school_id: int
    gender: str
    grade: int  # 7–9 (åk), 10–12 (gy 1–3)
    sheets: int


class Columns:
    """The positions of a block of sheets' vectors, each read once into a native array
    (the stored bytes are big-endian)."""

    def __init__(self, packed: bytes, sheets: int, layout: Layout) -> None:
        width = 2 * layout.size
        if len(packed) != sheets * width:
            raise ValueError(
                f"{sheets} answer vectors of {width} bytes expected, {len(packed)} bytes read"
            )
        self._matrix = np.frombuffer(packed, dtype=">u2").reshape(sheets, layout.size)
        self._read: dict[int, Column] = {}

    def __getitem__(self, position: int) -> Column:
        """The values at ``position`` (from 1), as unsigned 16-bit integers: −1 is 65,535,
        which no option value or bit test matches."""
        if position not in self._read:
            self._read[position] = self._matrix[:, position - 1].astype(np.uint16)
        return self._read[position]


def _slot(layout: Layout, question: str, kind: str) -> Slot | None:
    slot = layout.slot(question)
    if slot is not None and slot.kind != kind:
        raise VectorUnsupportedError(f"{question} is {slot.kind}, the rule needs {kind}")
    return slot


def check_specs(specs: Iterable[CellSpec], layout: Layout) -> None:
    """Raise VectorUnsupportedError when a rule does not fit the layout's kinds."""
    for spec in specs:
        rule = spec.rule
        for part in rule.components if isinstance(rule, AnyOf) else (rule,):
            _slot(layout, part.question, "multiple" if isinstance(part, Place) else "single")


def _simple(rule: Simple, columns: Columns, layout: Layout, sheets: int) -> Codes:
    slot = _slot(layout, rule.question, "single")
    if slot is None:  # the version does not ask it: never valid
        return np.zeros(sheets, dtype=np.int8)
    table = np.zeros(1 << 16, dtype=np.int8)
    for code in rule.valid & set(slot.options):
        table[slot.option_value(code)] = YES if code in rule.yes else NO
    codes: Codes = table[columns[slot.position]]
    return codes


def _any_bit(
    question: str, codes: Iterable[str], columns: Columns, layout: Layout, sheets: int
) -> npt.NDArray[np.bool_]:
    """Per sheet: any of ``codes`` was chosen in the multiple-choice ``question``."""
    slot = _slot(layout, question, "multiple")
    masks: dict[int, int] = {}
    for code in codes:
        if slot is not None and code in slot.options:
            position, bit = slot.option_bit(code)
            masks[position] = masks.get(position, 0) | bit
    chosen = np.zeros(sheets, dtype=np.bool_)
    for position, mask in sorted(masks.items()):
        chosen |= (columns[position] & np.uint16(mask)) != 0
    return chosen


def sheet_codes(spec: CellSpec, columns: Columns, layout: Layout, sheets: int) -> Codes:
    """Per sheet: 2 when it counts as yes, 1 as a valid no, 0 when not in the base."""
    rule = spec.rule
    if isinstance(rule, Simple):
        return _simple(rule, columns, layout, sheets)
    if isinstance(rule, Place):
        chosen = _any_bit(rule.question, (rule.place,), columns, layout, sheets)
        answered = _any_bit(rule.question, rule.options, columns, layout, sheets)
        return np.where(chosen, YES, np.where(answered, NO, NOT_COUNTED)).astype(np.int8)
    parts = [_simple(c, columns, layout, sheets) for c in rule.components]
    any_yes = np.logical_or.reduce([p == YES for p in parts])
    all_no = np.logical_and.reduce([p == NO for p in parts])
    return np.where(any_yes, YES, np.where(all_no, NO, NOT_COUNTED)).astype(np.int8)


def count_groups(
    packed: bytes, sizes: Sequence[int], specs: Sequence[CellSpec], layout: Layout
) -> npt.NDArray[np.int64]:
    """(n, yes) of every cell key in each of a block of fine groups: ``packed`` holds the
    groups' vectors one group after another, ``sizes`` the number of sheets of each.
    Returns an array of shape (groups, cell keys, 2)."""
    sheets = int(sum(sizes))
    groups = len(sizes)
    columns = Columns(packed, sheets, layout)
    # Each sheet's group, times 3: adding a sheet's code gives its bin.
    base = np.repeat(np.arange(0, 3 * groups, 3, dtype=np.intp), np.asarray(sizes, np.intp))
    counts = np.empty((groups, len(specs), 2), dtype=np.int64)
    for i, spec in enumerate(specs):
        bins = np.bincount(base + sheet_codes(spec, columns, layout, sheets), minlength=3 * groups)
        by_code = bins.reshape(groups, 3)
        counts[:, i, 0] = by_code[:, NO] + by_code[:, YES]
        counts[:, i, 1] = by_code[:, YES]
    return counts


type RowKey = tuple[str, int | None, str, str]  # geography, area id (None: kommun), breakdown


def roll_up(
    groups: Sequence[FineGroup], counts: npt.NDArray[np.int64]
) -> dict[RowKey, npt.NDArray[np.int64]]:
    """The SQL pass's rows from the fine groups' counts: per geography, each district and
    the kommun (home: without pupils of another municipality; a pupil who named no home
    district is in the kommun only), by total, gender (the KON codes), grade band and
    grade."""
    rows: dict[RowKey, npt.NDArray[np.int64]] = {}

    def add(key: RowKey, value: npt.NDArray[np.int64]) -> None:
        if key in rows:
            rows[key] = rows[key] + value
        else:
            rows[key] = value.copy()

    for group, value in zip(groups, counts, strict=True):
        band = "AK79" if group.grade <= 9 else "GY"
        areas: list[tuple[str, int | None]] = [("school", group.school_id), ("school", None)]
        if group.home_id is not None:
            areas.append(("home", group.home_id))
        if not group.annan:
            areas.append(("home", None))
        for geography, area in areas:
            add((geography, area, "total", ""), value)
            if group.gender in GENDERS:
                add((geography, area, "gender", group.gender), value)
            add((geography, area, "grade_band", band), value)
            add((geography, area, "grade", str(group.grade)), value)
    return rows
