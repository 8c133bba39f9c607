"""CSV, XLSX and method notes of the cell exports (pure; no database)."""

import csv
import io
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from lagesbild.catalogue import load_catalogue
from lagesbild.disclosure import RuleParams
from lagesbild.exports.formats import (
    COLUMNS,
    HEADERS,
    ExportRow,
    Names,
    csv_chunks,
    export_row,
    notes_text_chunks,
    write_xlsx,
)
from lagesbild.exports.notes import (
    NoteSection,
    WaveFacts,
    indicator_questions,
    method_notes,
    rule_paragraphs,
)
from surveys.questionnaire import load_yaml_file


@dataclass(frozen=True)
class Cell:
    indicator: str = "EXP02"
    place: str = ""
    geography: str = "home"
    area: str = "SKI"
    breakdown: str = "gender"
    breakdown_value: str = "1"
    state: str = "shown"
    reason: str = ""
    n_shown: int | None = 145
    share_pct: int | None = 23
    bound: str = ""
    ci_low_pct: int | None = 17
    ci_high_pct: int | None = 30
    unstable: bool = False


NAMES = Names(
    wave="ht2025",
    wave_name="HT 2025",
    indicators={"EXP02": "Erbjuden narkotika", "TRY07": "Otrygga platser"},
    places={("TRY07", "3"): "I centrum"},
    areas={"SKI": "Skiftinge", "KOMMUN": "Kommunen"},
    geographies={"home": "bostadsområde"},
    breakdowns={("gender", "1"): "Flickor"},
    states={"shown": "visas", "bound": "visas som gräns", "suppressed": "undertryckt"},
    reasons={"small_base": "färre än 10 svar", "few_yes": "för få svarade ja"},
)


def _csv_rows(rows: list[ExportRow]) -> list[list[str]]:
    data = b"".join(csv_chunks(rows, batch=2)).decode("utf-8")
    assert data.startswith("\ufeff")
    return list(csv.reader(io.StringIO(data[1:]), delimiter=";"))


def test_csv_starts_with_a_bom_and_uses_semicolons_and_crlf() -> None:
    data = b"".join(csv_chunks([export_row(Cell(), NAMES)]))
    assert data.startswith("\ufeff".encode())
    assert data.count(b"\r\n") == 2
    assert data.decode("utf-8").splitlines()[0].lstrip("\ufeff").split(";") == list(HEADERS)


def test_csv_row_has_codes_swedish_names_and_whole_numbers() -> None:
    row = dict(zip(HEADERS, _csv_rows([export_row(Cell(), NAMES)])[1], strict=True))
    assert row["Indikator"] == "EXP02"
    assert row["Indikatorns namn"] == "Erbjuden narkotika"
    assert row["Område"] == "Skiftinge"
    assert row["Gruppens namn"] == "Flickor"
    assert (row["Andel (%)"], row["KI nedre (%)"], row["KI övre (%)"]) == ("23", "17", "30")
    assert row["n (avrundat)"] == "145"
    assert row["Visat värde"] == "23 %"
    assert row["Osäker"] == "nej"


def test_csv_streams_in_batches_with_the_same_content() -> None:
    rows = [export_row(Cell(area=f"A{i}"), NAMES) for i in range(7)]
    chunks = list(csv_chunks(rows, batch=3))
    assert len(chunks) == 3
    assert len(_csv_rows(rows)) == 8


def test_suppressed_cell_is_exported_with_its_mark_and_reason_only() -> None:
    cell = Cell(state="suppressed", reason="small_base", n_shown=None, share_pct=None)
    row = dict(zip(HEADERS, _csv_rows([export_row(cell, NAMES)])[1], strict=True))
    assert row["Visat värde"] == "–"
    assert row["Status"] == "undertryckt"
    assert row["Skäl"] == "färre än 10 svar"
    assert row["Andel (%)"] == row["n (avrundat)"] == row["KI nedre (%)"] == ""


def test_bound_cell_shows_its_bound_and_rounded_n_but_no_share() -> None:
    cell = Cell(state="bound", reason="few_yes", bound="< 15 %", share_pct=None, ci_low_pct=None)
    row = export_row(cell, NAMES)
    assert (row.text, row.bound, row.n_shown, row.share_pct) == ("< 15 %", "< 15 %", 145, None)


cells = st.builds(
    Cell,
    state=st.sampled_from(["shown", "bound", "suppressed", "weird"]),
    reason=st.sampled_from(["", "small_base", "few_yes", "complementary"]),
    n_shown=st.none() | st.integers(0, 10_000),
    share_pct=st.none() | st.integers(0, 100),
    bound=st.sampled_from(["", "< 15 %"]),
    ci_low_pct=st.none() | st.integers(0, 100),
    ci_high_pct=st.none() | st.integers(0, 100),
    unstable=st.booleans(),
)


@given(cells)
def test_no_number_leaves_a_cell_whose_state_does_not_allow_it(cell: Cell) -> None:
    """Whatever a caller passes in, only a shown cell exports a share or interval and a
    suppressed (or unknown) state exports no number at all."""
    row = export_row(cell, NAMES)
    if cell.state != "shown":
        assert row.share_pct is None and row.ci_low_pct is None and row.ci_high_pct is None
    if cell.state not in ("shown", "bound") or (cell.state == "bound" and not cell.bound):
        assert row.n_shown is None and row.bound == "" and row.unstable is False
        assert row.text == "–"


def _notes() -> tuple[NoteSection, ...]:
    catalogue = load_catalogue()
    return method_notes(
        params=catalogue.rule_params,
        catalogue=catalogue,
        wave=WaveFacts("ht2025", "HT 2025", None, "DEFAULT v1"),
        filters=[("Indikator", "alla")],
        columns=[(c.header, c.description) for c in COLUMNS],
        wordings={},
        row_count=1,
    )


def test_xlsx_opens_with_numbers_as_numbers_and_a_method_sheet() -> None:
    out = io.BytesIO()
    rows = [export_row(Cell(), NAMES), export_row(Cell(state="suppressed"), NAMES)]
    assert write_xlsx(rows, _notes(), out) == 2
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert workbook.sheetnames == ["Celler", "Metod"]
    sheet = workbook["Celler"]
    header = [c.value for c in sheet[1]]
    assert header == list(HEADERS)
    shown = dict(zip(header, sheet[2], strict=True))
    assert shown["Andel (%)"].value == 23 and shown["Andel (%)"].data_type == "n"
    assert shown["Andel (%)"].number_format == '0" %"'
    assert shown["n (avrundat)"].value == 145
    assert shown["Osäker"].value is False
    hidden = {h: c.value for h, c in zip(header, sheet[3], strict=True)}
    assert hidden["Andel (%)"] is None and hidden["Visat värde"] == "–"
    method = [c.value for row in workbook["Metod"].iter_rows() for c in row if c.value]
    assert "Regler för röjandeskydd och osäkerhet" in method


def test_notes_text_file_has_a_bom_and_every_section() -> None:
    text = b"".join(notes_text_chunks(_notes())).decode("utf-8")
    assert text.startswith("\ufeff")
    for title in ("Om filen", "Kolumner", "Indikatorer och frågor", "Begränsningar"):
        assert title in text


def test_rules_are_written_from_the_parameters_not_by_hand() -> None:
    text = " ".join(rule_paragraphs(RuleParams(min_n=13, unstable_n=40, round_counts_to=3)))
    assert "färre än 13 elever" in text
    assert "mindre än 40" in text
    assert "multipel av 3" in text


@pytest.mark.parametrize("code", ["TRY02", "TRY05", "TRY07", "EXP01", "FOR01"])
def test_question_wordings_come_from_the_questionnaire_with_counted_options(code: str) -> None:
    indicator = load_catalogue()[code]
    wordings = indicator_questions(load_yaml_file(), indicator)
    assert wordings
    assert all(any(o.counted for o in w.options) for w in wordings)
    assert all(w.text for w in wordings)


def test_excluded_answers_are_marked_as_not_counted() -> None:
    (wording,) = indicator_questions(load_yaml_file(), load_catalogue()["FOR01"])
    assert [o.code for o in wording.options if o.excluded] == ["6"]
