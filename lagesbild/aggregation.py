"""The pass: every n and yes-count of a wave (long because it counts in three ways).

Three ways to count, the same counts (the tests hold each to the plain-Python reference
evaluator, `lagesbild.catalogue.evaluate`):

* **vector** (the recompute's): one statement groups the wave's sheets by (home district,
  "another municipality", school district, gender, grade) and hands over each
  group's packed answer vectors (`surveys.answer_vector.pack`) concatenated; numpy counts
  them (`lagesbild.vector_counts`). PostgreSQL does no per-sheet arithmetic, only the
  scan, the grouping and a byte copy; the groups are streamed in binary and counted
  in batches, so memory stays bounded whatever the wave's size.
* **sql**: a counting statement over the vectors (PostgreSQL only), kept to measure the
  vector pass against and to hold it to: each referenced position is read from its two
  bytes and compared with the integers its option codes have in the layout.
* **json**: the same statement over the JSON answers (``->>`` on JSONB; ``json_extract``
  guarded by ``json_type`` on SQLite, so that a list or a boolean never passes as a
  code). A wave holding sheets of another questionnaire version than its own is counted
  so, as is a rule the vector cannot express.

The two statements have three layers:

1. ``sheet``: one row per answer sheet of the wave, each referenced question read;
2. ``fine``: the sheets grouped as above, with one packed sum per cell key carrying its
   valid and its yes answers (`PACK_YES`). This is the only layer that reads every sheet;
   it yields at most a few thousand rows.
3. A ``UNION ALL`` of roll-ups of ``fine`` over geography × area (district or the whole
   kommun) × breakdown (total, gender, grade band, grade); `lagesbild.vector_counts.roll_up` is
   the same for the vector pass.

Python then applies the disclosure rules to these counts (never to sheets).

Who is in the kommun: for school geography every sheet; for home geography every sheet
except pupils living in another municipality (their "area where I live" is not ours).
Pupils who did not name their home district are in the kommun but in no district.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import psycopg
from django.db import connection, transaction
from django.db.models import Q

from surveys.answer_vector import Layout, Slot
from surveys.flow import flow_for_id
from surveys.models import AnswerSheet, District, Wave

from .cube import GENDERS, KOMMUN, AreaCounts, CellSpec, Place, Simple
from .vector_counts import (
    FineGroup,
    RowKey,
    VectorUnsupportedError,
    check_specs,
    count_groups,
    roll_up,
)

logger = logging.getLogger(__name__)

# Every sheet adds PACK_YES + 1 to a cell key's sum when it counts as yes and 1 when it
# is a valid no, so one sum carries both numbers: n = sum % PACK_YES, yes = sum // PACK_YES.
# Half as many aggregates as separate counts. The values are double precision: PostgreSQL
# sums those with a plain addition, where a bigint sum keeps a 128-bit state (about twice
# the cost per sheet, measured); every partial sum stays an exact integer below 2**53
# while a group holds fewer than 2**26 (67 million) sheets. This is what keeps a million
# sheets within the time budget.
PACK_YES = 1 << 26


class _Builder:
    """Builds the statement for one database vendor; literals travel as parameters.

    Placeholders are positional, so every fragment is built (and its parameters
    appended) in the order it appears in the final text.
    """

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"
        # The packed values as double precision literals (see PACK_YES).
        self.yes_value, self.no_value, self.zero = (
            (f"{PACK_YES + 1}::float8", "1::float8", "0::float8")
            if self.pg
            else (f"{PACK_YES + 1}.0", "1.0", "0.0")
        )
        self.simple_alias: dict[Simple, str] = {}  # rule -> packed column of the sheet layer
        self.multi_alias: dict[str, str] = {}  # multiple-choice question -> JSON column
        self.answered_alias: dict[tuple[str, frozenset[str]], str] = {}  # -> flag column
        self.sheet_sql: list[str] = []
        self.sheet_params: list[str] = []
        self.agg_params: list[str] = []

    def _text(self, question: str) -> tuple[str, list[str]]:
        """The answer as a code string, NULL when missing or not a single code."""
        if self.pg:
            return "(s.answers ->> %s)", [question]
        path = f'$."{question}"'
        return (
            "(CASE WHEN json_type(s.answers, %s) IN ('text', 'integer') "
            "THEN CAST(json_extract(s.answers, %s) AS TEXT) END)",
            [path, path],
        )

    def packed(self, rule: Simple) -> str:
        """Sheet-layer column: PACK_YES + 1 for yes, 1 for a valid no, else 0."""
        if rule not in self.simple_alias:
            alias = f"p{len(self.simple_alias)}"
            self.simple_alias[rule] = alias
            text, params = self._text(rule.question)
            yes = sorted(rule.yes)
            no = sorted(rule.valid - rule.yes)
            whens = [f"WHEN %s THEN {self.yes_value}" for _ in yes]
            whens += [f"WHEN %s THEN {self.no_value}" for _ in no]
            self.sheet_sql.append(f"CASE {text} {' '.join(whens)} ELSE {self.zero} END AS {alias}")
            self.sheet_params += [*params, *yes, *no]
        return f"t.{self.simple_alias[rule]}"

    def _json(self, question: str) -> tuple[str, list[str]]:
        """The answer as JSON (a list of codes, or one code), NULL when missing."""
        if self.pg:
            return "(s.answers -> %s)", [question]
        # As JSON text: json_extract unwraps a string ("3" -> 3), which json_each would
        # then read as a number; json_quote wraps it again.
        path = f'$."{question}"'
        return (
            "CASE json_type(s.answers, %s) WHEN 'text' "
            "THEN json_quote(json_extract(s.answers, %s)) "
            "ELSE json_extract(s.answers, %s) END",
            [path, path, path],
        )

    def multi(self, question: str) -> str:
        if question not in self.multi_alias:
            alias = f"m{len(self.multi_alias)}"
            self.multi_alias[question] = alias
            json, params = self._json(question)
            self.sheet_sql.append(f"{json} AS {alias}")
            self.sheet_params += params
        return f"t.{self.multi_alias[question]}"

    def answered(self, question: str, options: frozenset[str]) -> str:
        """Sheet-layer flag: any of ``options`` chosen. Computed once per sheet and shared
        by every place of the question (eight places would otherwise test it eight times)."""
        key = (question, options)
        if key not in self.answered_alias:
            alias = f"v{len(self.answered_alias)}"
            self.answered_alias[key] = alias
            json, params = self._json(question)
            test, codes = self._chosen(json, options)
            self.sheet_sql.append(f"{test} AS {alias}")
            self.sheet_params += [*params, *codes]
        return f"t.{self.answered_alias[key]}"

    def place(self, question: str, place: str) -> str:
        """Fine-layer test: ``place`` was chosen in the multiple-choice ``question``."""
        return self.chosen(self.multi(question), frozenset({place}))

    def chosen(self, column: str, codes: frozenset[str]) -> str:
        """Fine-layer test on a sheet-layer column (its codes are aggregate parameters)."""
        test, ordered = self._chosen(column, codes)
        self.agg_params += ordered
        return test

    def _chosen(self, column: str, codes: frozenset[str]) -> tuple[str, list[str]]:
        """True when any of ``codes`` was selected: a list of code strings, or one code
        string. Numbers, booleans and nested values never count (as in the catalogue).
        Returns the test and its parameters (the codes, in placeholder order)."""
        ordered = sorted(codes)
        marks = ", ".join(["%s"] * len(ordered))
        if self.pg:
            # `?` and `?|` match a string element of an array or a string scalar; they
            # are several times cheaper than containment (@>). The column may appear
            # once only (the codes are its only parameters).
            if len(ordered) == 1:
                return f"COALESCE({column} ? %s, FALSE)", ordered
            return f"COALESCE({column} ?| ARRAY[{marks}], FALSE)", ordered
        # json_each of a scalar yields the scalar itself, so both shapes are covered.
        return (
            f"EXISTS (SELECT 1 FROM json_each({column}) j WHERE j.type = 'text' "  # noqa: S608
            f"AND j.value IN ({marks}))",
            ordered,
        )

    def aggregate(self, spec: CellSpec) -> str:
        """The fine-layer sum of one cell key (packed n and yes)."""
        rule = spec.rule
        if isinstance(rule, Simple):
            return f"sum({self.packed(rule)})"
        if isinstance(rule, Place):
            place = self.place(rule.question, rule.place)
            # The place is one of the options, so a chosen place is also a valid answer.
            valid = self.answered(rule.question, rule.options)
            return (
                f"sum(CASE WHEN {place} THEN {self.yes_value} WHEN {valid} THEN {self.no_value} "
                f"ELSE {self.zero} END)"
            )
        columns = [self.packed(c) for c in rule.components]
        any_yes = " OR ".join(f"{c} > 1" for c in columns)
        all_no = " AND ".join(f"{c} = 1" for c in columns)
        return (
            f"sum(CASE WHEN {any_yes} THEN {self.yes_value} WHEN {all_no} THEN {self.no_value} "
            f"ELSE {self.zero} END)"
        )


class _VectorBuilder(_Builder):
    """The same statement over the answer vector (`surveys.answer_vector`) instead of the
    JSON answers (the "sql" source): each rule reads its position's two bytes and
    compares the number with integers. Option codes become their values in the layout of
    the wave's questionnaire version; a code the version lacks can never be stored, so it
    is left out (the recompute refuses a catalogue that names one, `catalogue_problems`)."""

    def __init__(self, vendor: str, layout: Layout) -> None:
        super().__init__(vendor)
        self.layout = layout
        self.place_alias: list[str] = []

    def _slot(self, question: str, kind: str) -> Slot | None:
        slot = self.layout.slot(question)
        if slot is not None and slot.kind != kind:
            raise VectorUnsupportedError(f"{question} is {slot.kind}, the rule needs {kind}")
        return slot

    def _value(self, position: int) -> str:
        """The vector's value at ``position`` (from 1), in the sheet layer, read from its
        two bytes as an unsigned number: −1 is 65,535, which no option value or bit test
        matches. PostgreSQL only (SQLite has no function that reads a byte)."""
        if not self.pg:
            raise VectorUnsupportedError("the counting statement over vectors needs PostgreSQL")
        first = 2 * (int(position) - 1)
        return f"(get_byte(s.answer_vector, {first}) << 8 | get_byte(s.answer_vector, {first + 1}))"

    def packed(self, rule: Simple) -> str:
        if rule not in self.simple_alias:
            slot = self._slot(rule.question, "single")
            alias = f"p{len(self.simple_alias)}"
            self.simple_alias[rule] = alias
            if slot is None:  # the version does not ask it: never valid
                self.sheet_sql.append(f"{self.zero} AS {alias}")
            else:
                column = self._value(slot.position)
                yes = sorted(slot.option_value(c) for c in rule.yes if c in slot.options)
                no = sorted(
                    slot.option_value(c) for c in rule.valid - rule.yes if c in slot.options
                )
                whens = [f"WHEN {int(v)} THEN {self.yes_value}" for v in yes]
                whens += [f"WHEN {int(v)} THEN {self.no_value}" for v in no]
                body = " ".join(whens) or f"WHEN NULL THEN {self.zero}"
                self.sheet_sql.append(f"CASE {column} {body} ELSE {self.zero} END AS {alias}")
        return f"t.{self.simple_alias[rule]}"

    def _any_bit(self, question: str, codes: frozenset[str]) -> str:
        """Sheet-layer test: any of ``codes`` is chosen."""
        slot = self._slot(question, "multiple")
        masks: dict[int, int] = {}
        for code in sorted(codes):
            if slot is not None and code in slot.options:
                position, bit = slot.option_bit(code)
                masks[position] = masks.get(position, 0) | bit
        if not masks:
            return "(1 = 0)"
        tests = [f"({self._value(p)} & {int(m)}) <> 0" for p, m in sorted(masks.items())]
        return "(" + " OR ".join(tests) + ")"

    def answered(self, question: str, options: frozenset[str]) -> str:
        key = (question, options)
        if key not in self.answered_alias:
            test = self._any_bit(question, options)
            alias = f"v{len(self.answered_alias)}"
            self.answered_alias[key] = alias
            self.sheet_sql.append(f"{test} AS {alias}")
        return f"t.{self.answered_alias[key]}"

    def place(self, question: str, place: str) -> str:
        """A sheet-layer flag per place (the JSON pass tests places in the fine layer)."""
        alias = f"f{len(self.place_alias)}"
        self.place_alias.append(alias)
        self.sheet_sql.append(f"{self._any_bit(question, frozenset({place}))} AS {alias}")
        return f"t.{alias}"


def build_sql(
    specs: Sequence[CellSpec], vendor: str, layout: Layout | None = None
) -> tuple[str, list[str]]:
    """The whole statement and its parameters; append the wave id to the parameters.

    With ``layout`` (the wave's questionnaire version's) the pass reads the answer
    vectors, and counts only the sheets of that version: append its id too. Without, it
    reads the JSON answers of every sheet of the wave.
    """
    b = _Builder(vendor) if layout is None else _VectorBuilder(vendor, layout)
    aggregates = [f"{b.aggregate(spec)} AS c{i}" for i, spec in enumerate(specs)]
    table = AnswerSheet._meta.db_table
    fence = "OFFSET 0" if b.pg else "LIMIT -1 OFFSET 0"
    version = "" if layout is None else "AND s.questionnaire_id = %s"
    # Only identifiers written in this module go into the text; every value is a parameter.
    fine = f"""
        SELECT t.home_id, t.annan, t.school_id, t.gender, t.grade,
               {", ".join(aggregates)}
        FROM (
            SELECT s.home_district_id AS home_id,
                   (s.home_answer = 'ANNAN') AS annan,
                   s.school_district_id AS school_id,
                   s.gender AS gender,
                   s.grade AS grade,
                   {", ".join(b.sheet_sql)}
            FROM {table} s
            WHERE s.wave_id = %s {version}
            {fence}
        ) t
        GROUP BY t.home_id, t.annan, t.school_id, t.gender, t.grade
    """  # noqa: S608
    sums = ", ".join(f"sum(c{i})" for i in range(len(specs)))
    gender_in = f"gender IN ({', '.join(repr(g) for g in GENDERS)})"
    band = "CASE WHEN grade <= 9 THEN 'AK79' ELSE 'GY' END"
    grade = "CAST(grade AS TEXT)"
    branches: list[str] = []
    for geo, area_col, kommun_filter in (
        ("home", "home_id", "NOT annan"),
        ("school", "school_id", "1 = 1"),
    ):
        for area, where in ((area_col, f"{area_col} IS NOT NULL"), ("NULL", kommun_filter)):
            by = f", {area_col}" if area != "NULL" else ""
            total_by = f"GROUP BY {area_col}" if area != "NULL" else ""
            branches += [
                f"SELECT '{geo}', {area}, 'total', '', {sums} FROM fine "  # noqa: S608
                f"WHERE {where} {total_by}",
                f"SELECT '{geo}', {area}, 'gender', gender, {sums} FROM fine "  # noqa: S608
                f"WHERE {where} AND {gender_in} GROUP BY gender{by}",
                f"SELECT '{geo}', {area}, 'grade_band', {band}, {sums} FROM fine "  # noqa: S608
                f"WHERE {where} GROUP BY {band}{by}",
                f"SELECT '{geo}', {area}, 'grade', {grade}, {sums} FROM fine "  # noqa: S608
                f"WHERE {where} GROUP BY {grade}{by}",
            ]
    # MATERIALIZED: the roll-ups read `fine`, which must be computed once (both vendors).
    sql = f"WITH fine AS MATERIALIZED ({fine})\n" + "\nUNION ALL\n".join(branches)
    # Placeholder order in the text: the aggregates, the sheet layer, then the wave id.
    return sql, [*b.agg_params, *b.sheet_params]


# Transaction-local PostgreSQL settings for the pass: enough memory to hash-aggregate
# without spilling, and no JIT, whose compile time for this many expressions (hundreds
# of milliseconds) is more than it saves.
PG_SETTINGS = ("SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off")


Source = Literal["vector", "sql", "json"]

# Fine groups counted together by the vector pass (a group holds a few hundred to a few
# thousand sheets of about 60 bytes each).
GROUPS_PER_BATCH = 100


@dataclass(frozen=True)
class _Plan:
    sql: str
    arguments: list[str | int]
    read: Source
    layout: Layout | None


def _vector_sql() -> str:
    """The vector pass's statement: the fine groups, their sizes and packed vectors."""
    table = AnswerSheet._meta.db_table
    keys = "s.home_district_id, s.home_answer = 'ANNAN', s.school_district_id, s.gender, s.grade"
    where = "WHERE s.wave_id = %s AND s.questionnaire_id = %s"
    if connection.vendor == "postgresql":
        return (
            f"SELECT {keys}, count(*), string_agg(s.answer_vector, ''::bytea) "  # noqa: S608
            f"FROM {table} s {where} GROUP BY 1, 2, 3, 4, 5"
        )
    # SQLite has no aggregate that joins BLOBs: one row per sheet, grouped in Python.
    return f"SELECT {keys}, 1, s.answer_vector FROM {table} s {where}"  # noqa: S608


def _plan(wave_id: int, specs: Sequence[CellSpec], source: Source) -> _Plan:
    if source != "json":
        version = Wave.objects.values_list("questionnaire_id", flat=True).get(pk=wave_id)
        # Two range tests on the (wave, questionnaire) index: nothing is scanned when
        # every sheet has the wave's version (`<>` would walk all the wave's entries).
        mixed = (
            AnswerSheet.objects.filter(wave_id=wave_id)
            .filter(Q(questionnaire_id__lt=version) | Q(questionnaire_id__gt=version))
            .exists()
        )
        if not mixed:
            layout = flow_for_id(version).vector_layout
            try:
                if source == "vector":
                    check_specs(specs, layout)
                    return _Plan(_vector_sql(), [wave_id, version], "vector", layout)
                sql, params = build_sql(specs, connection.vendor, layout)
                return _Plan(sql, [*params, wave_id, version], "sql", layout)
            except VectorUnsupportedError as error:
                logger.warning("Wave %s is counted from the JSON answers: %s", wave_id, error)
        else:
            logger.info("Wave %s holds sheets of several versions: counted from JSON", wave_id)
    sql, params = build_sql(specs, connection.vendor)
    return _Plan(sql, [*params, wave_id], "json", None)


def pass_statement(
    *, wave_id: int, specs: Sequence[CellSpec], source: Source = "vector"
) -> tuple[str, list[str | int], Source]:
    """The statement of the pass over a wave, its arguments, and what it reads.

    The answer vectors when every sheet of the wave has the wave's questionnaire version
    (a coordinator may switch an open wave's version after sheets arrived: such a wave
    is counted from the JSON answers, as is a rule the vector cannot express).
    """
    plan = _plan(wave_id, specs, source)
    return plan.sql, plan.arguments, plan.read


type _Sums = dict[RowKey, list[int]]  # row -> per cell key: n, yes, n, yes, …


def _group(row: Sequence[Any]) -> FineGroup:
    home_id, annan, school_id, gender, grade, sheets = row[:6]
    return FineGroup(home_id, bool(annan), school_id, gender, int(grade), int(sheets))


def _vector_sums(plan: _Plan, specs: Sequence[CellSpec]) -> _Sums:
    """The vector pass: fine groups in batches, counted with numpy, then rolled up."""
    if plan.layout is None:
        raise ValueError("the vector pass needs the version's layout")
    groups: list[FineGroup] = []
    blocks: list[npt.NDArray[np.int64]] = []

    def count(batch: Sequence[tuple[FineGroup, bytes]]) -> None:
        if batch and plan.layout is not None:
            packed = b"".join(vectors for _group, vectors in batch)
            sizes = [g.sheets for g, _vectors in batch]
            blocks.append(count_groups(packed, sizes, specs, plan.layout))
            groups.extend(g for g, _vectors in batch)

    if connection.vendor == "postgresql":
        # Binary results (bytea as bytes, not hex), streamed a row at a time, so that
        # only a batch of groups is in this process at once. (Not a server-side cursor:
        # the planner plans a cursor for its first rows, a sort several times slower.)
        batch: list[tuple[FineGroup, bytes]] = []
        with psycopg.Cursor(connection.connection) as stream:
            for row in stream.stream(plan.sql, plan.arguments, binary=True):
                batch.append((_group(row), row[6]))
                if len(batch) == GROUPS_PER_BATCH:
                    count(batch)
                    batch = []
        count(batch)
    else:
        joined: dict[FineGroup, list[bytes]] = {}
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.arguments)
            for row in cursor.fetchall():
                joined.setdefault(_group(row), []).append(bytes(row[6]))
        count([(replace(g, sheets=len(v)), b"".join(v)) for g, v in joined.items()])
    if not groups:
        return {}
    rows = roll_up(groups, np.concatenate(blocks))
    return {key: [int(x) for x in value.ravel()] for key, value in rows.items()}


def _sql_sums(plan: _Plan, specs: Sequence[CellSpec]) -> _Sums:
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, plan.arguments)
        rows = cursor.fetchall()
    sums: _Sums = {}
    for geography, area_id, breakdown, value, *packed in rows:
        if all(p is None for p in packed):
            continue  # a kommun roll-up over no sheets at all
        flat: list[int] = []
        for p in packed:
            yes, n = divmod(int(p or 0), PACK_YES)  # exact: see PACK_YES
            flat += [n, yes]
        sums[(geography, area_id, breakdown, value or "")] = flat
    return sums


def aggregate_wave(
    *, wave_id: int, specs: Sequence[CellSpec], source: Source = "vector"
) -> list[AreaCounts]:
    """Every (n, yes) of the wave, per geography × area × breakdown value.

    ``source`` "sql" or "json" counts in a statement over the vectors or over the JSON
    answers instead (the same counts: the tests hold the three to each other)."""
    if not specs:
        return []
    plan = _plan(wave_id, specs, source)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for setting in PG_SETTINGS:
                    cursor.execute(setting)
        sums = _vector_sums(plan, specs) if plan.read == "vector" else _sql_sums(plan, specs)
    ids = {area for _geography, area, _breakdown, _value in sums if area is not None}
    codes = dict(District.objects.filter(pk__in=ids).values_list("pk", "code"))
    result: list[AreaCounts] = []
    for (geography, area_id, breakdown, value), flat in sums.items():
        counts = {
            spec.key: (flat[2 * i], flat[2 * i + 1])
            for i, spec in enumerate(specs)
            if spec.geography == geography
        }
        area = KOMMUN if area_id is None else codes[area_id]
        result.append(AreaCounts(geography, area, breakdown, value, counts))
    return result
