"""The answer vector: a sheet's answers as small integers, one position per answer field.

Every answer sheet stores its answers twice: as JSON keyed by question code (what the
pupil sent, readable without a lookup) and as this vector, which the aggregation reads
(integers are several times cheaper to test than JSON keys). This module is the one rule
for the second form: the layout of a questionnaire version, and the coding of an answer.
Every writer of sheets (`surveys.services.sheets_store`) and the aggregation
(`lagesbild.aggregation`) use it; docs/codebook.md describes it for readers.

Layout: the version's answer fields in questionnaire order (`Questionnaire.field_codes`:
pages, then items, a matrix's statements in order), one position each, except that a
multiple-choice question takes one position per 15 options. Positions count from 1 (as
PostgreSQL arrays do). A published version never changes, so neither does its layout.

Coding of one position:

* ``NOT_ANSWERED`` (0): the field is absent from the sheet (skipped, or not shown);
* single choice, matrix statement, district question: the option's place in the version's
  option list, 1 for the first; ``NOT_AN_OPTION`` (-1) for anything else present: a code
  the version does not have, a list, a boolean, null. For a district question the
  districts themselves are not options of the version (they are the municipality's): a
  district answer is -1 here, and the sheet's ``home_district`` holds it. A number whose
  decimal text is an option code counts as that code (as in the catalogue's evaluator);
* multiple choice: a bit mask of the known options chosen, bit ``i % 15`` of position
  ``i // 15`` for the option at place ``i`` (a single code string counts as a list of
  one); 0 when none is (not answered, or only values that are no option);
* number: the number plus one when it is 0–32,766; -1 otherwise.

Every value fits a signed 16-bit integer. Stored form (`pack`): two bytes per position,
big-endian two's complement, positions in order, so a version's vectors all have the same
length (twice its layout's size): a PostgreSQL ``bytea`` (a BLOB on SQLite) that the
aggregation reads as one fixed-width integer matrix per wave (`lagesbild.vector_counts`).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from .questionnaire import Answer, Questionnaire

NOT_ANSWERED: Final = 0
NOT_AN_OPTION: Final = -1
BITS_PER_POSITION: Final = 15  # a smallint's sign bit stays clear: masks are never negative
NUMBER_MAX: Final = 32_766  # stored as number + 1 ≤ 32,767

type SlotKind = Literal["single", "multiple", "number"]


@dataclass(frozen=True)
class Slot:
    """One answer field's place in the vector."""

    field: str  # the answer key (question or matrix statement code)
    kind: SlotKind  # "single" covers single choice, matrix statements and districts
    options: tuple[str, ...]  # option codes in the version's order
    position: int  # first position, from 1
    width: int  # positions taken (more than 1 only for a long multiple choice)

    def option_value(self, code: str) -> int:
        """The stored value of a single-choice option code (1 for the first option)."""
        return self.options.index(code) + 1

    def option_bit(self, code: str) -> tuple[int, int]:
        """(position, mask) of a multiple-choice option."""
        index = self.options.index(code)
        return self.position + index // BITS_PER_POSITION, 1 << (index % BITS_PER_POSITION)


@dataclass(frozen=True)
class Layout:
    """Position → answer field of one questionnaire version."""

    slots: tuple[Slot, ...]

    @property
    def size(self) -> int:
        return sum(slot.width for slot in self.slots)

    def slot(self, field: str) -> Slot | None:
        for slot in self.slots:
            if slot.field == field:
                return slot
        return None


def layout(questionnaire: Questionnaire) -> Layout:
    """The vector layout of a questionnaire version."""
    slots: list[Slot] = []
    position = 1
    for _page, item in questionnaire.items():
        for field in item.field_codes:
            kind: SlotKind
            if item.type == "multiple":
                kind = "multiple"
                width = max(1, -(-len(item.options) // BITS_PER_POSITION))
            elif item.type == "number":
                kind, width = "number", 1
            else:
                kind, width = "single", 1
            slots.append(Slot(field, kind, item.option_codes, position, width))
            position += width
    return Layout(tuple(slots))


def _single(slot: Slot, answer: object) -> int:
    if isinstance(answer, bool):
        return NOT_AN_OPTION
    code = str(answer) if isinstance(answer, int) else answer
    if isinstance(code, str) and code in slot.options:
        return slot.option_value(code)
    return NOT_AN_OPTION


def _number(answer: object) -> int:
    if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer <= NUMBER_MAX:
        return answer + 1
    return NOT_AN_OPTION


def encode(layout: Layout, answers: Mapping[str, Answer]) -> list[int]:
    """The vector of one sheet's answers (JSON-shaped: any value may appear)."""
    vector = [NOT_ANSWERED] * layout.size
    for slot in layout.slots:
        if slot.field not in answers:
            continue
        answer: object = answers[slot.field]
        if slot.kind == "single":
            vector[slot.position - 1] = _single(slot, answer)
        elif slot.kind == "number":
            vector[slot.position - 1] = _number(answer)
        else:
            chosen = answer if isinstance(answer, list) else [answer]
            for code in chosen:
                if isinstance(code, str) and code in slot.options:
                    position, mask = slot.option_bit(code)
                    vector[position - 1] |= mask
    return vector


def pack(vector: Sequence[int]) -> bytes:
    """The stored form of a vector: each value as two bytes, big-endian two's complement
    (PostgreSQL's own byte order for a ``smallint``, so ``int2send`` gives the same bytes).
    Raises ``struct.error`` for a value outside −32,768…32,767."""
    return struct.pack(f">{len(vector)}h", *vector)


def unpack(data: bytes) -> list[int]:
    """The vector of a stored form; raises ValueError when the length is odd."""
    if len(data) % 2:
        raise ValueError(f"an answer vector has an even number of bytes, not {len(data)}")
    return list(struct.unpack(f">{len(data) // 2}h", data))
