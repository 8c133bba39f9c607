"""The PDF report renders from its dataclasses, offline, with page numbers and contents."""

import dataclasses
import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from lagesbild.catalogue import load_catalogue
from lagesbild.chart_model import Bar
from lagesbild.exports.key_messages import KeyMessage
from lagesbild.exports.notes import LIMITS, indicator_questions, rule_paragraphs
from lagesbild.exports.pdf import (
    Appendix,
    ChartBlock,
    DistrictMatrix,
    GroupSection,
    IndicatorNote,
    MatrixRow,
    MeasureSection,
    MeasureValueTable,
    Report,
    ResponseRow,
    SummaryGroup,
    SummaryRow,
    TableRow,
    local_only_fetcher,
    render_pdf,
)
from lagesbild.svg import bar_chart
from surveys.questionnaire import load_yaml_file


def small_report() -> Report:
    catalogue = load_catalogue()
    questionnaire = load_yaml_file()
    indicator = catalogue["EXP02"]
    svg = bar_chart(
        [Bar("Erbjuden narkotika", 21, 19, 23, "21 %", "worse", marker=17)],
        title="Exponering i kommunen",
        description="En indikator.",
        marker_label="HT 2024",
        ident="c-exp",
    )
    block = ChartBlock(
        anchor="diagram-exponering",
        title="Exponering: kommunen",
        svg=svg,
        summary="Erbjuden narkotika 21 %.",
        rows=(
            TableRow(
                "Erbjuden narkotika",
                "21 %",
                "19–23 %",
                "2 450",
                verdict="↑ högre än kommunen (sämre)",
            ),
        ),
        table_caption="Exponering i kommunen",
    )
    matrix = DistrictMatrix(
        caption="Exponering per område",
        columns=(("EXP02", "Erbjuden narkotika"),),
        kommun=("21 %",),
        rows=(MatrixRow("Skiftinge", True, ("34 % ↑ sämre",)), MatrixRow("Ärla", False, ("–",))),
    )
    return Report(
        title="Lägesbild: ungas trygghet",
        subtitle="Resultat från trygghetsenkäten",
        municipality="Eskilstuna kommun",
        wave_name="HT 2025",
        wave_slug="ht2025",
        published_on=date(2025, 12, 1),
        generated_on=date(2025, 12, 2),
        area_name="",
        previous_name="HT 2024",
        summary_intro=("Sammanfattande text.",),
        messages=(
            KeyMessage(
                "change",
                "worse",
                "Tydlig försämring",
                "Erbjuden narkotika i kommunen: 21 % (19–23 %), mot 17 % i HT 2024 – ↗ ökat 4 p.e.",
                4,
                0,
            ),
        ),
        summary=(
            SummaryGroup(
                "Exponering",
                (
                    SummaryRow(
                        "EXP02",
                        "Erbjuden narkotika",
                        "21 %",
                        "19–23 %",
                        False,
                        "↗ ökat 4 p.e. (tydlig försämring)",
                        "",
                        "",
                    ),
                ),
            ),
        ),
        standouts=(),
        changes=(),
        trend_note="",
        analysis=("Analysens första stycke.",),
        groups=(GroupSection("grupp-exponering", "Exponering", (block,), matrix),),
        appendix=Appendix(
            how=("Eleverna svarade anonymt.",),
            response_rows=(ResponseRow("Kommunal skola, åk 7", "250", "205", "82 %"),),
            response_base="Elever",
            response_note="Svarsfrekvens visas inte för färre än 10 elever.",
            indicators=(
                IndicatorNote(
                    "EXP02",
                    indicator.name.sv,
                    indicator.description.sv,
                    indicator.period.sv,
                    "bostadsområde",
                    indicator_questions(questionnaire, indicator),
                ),
            ),
            periods=(("Senaste 12 månaderna", "Erbjuden narkotika"),),
            rules=rule_paragraphs(catalogue.rule_params),
            limits=LIMITS,
        ),
        measures=(
            MeasureSection(
                anchor="atgard-1",
                label="Åtgärd 1",
                title="Skolpolis i högstadiet",
                description="Kommunpolisen besöker skolorna varje månad.",
                parties="Polisen, skolan",
                districts="Skiftinge",
                started_on=date(2025, 1, 13),
                timing="startade mellan HT 2024 och HT 2025",
                status="pågår",
                follow_up="Alla skolor har haft fyra besök.",
                tables=(
                    MeasureValueTable(
                        caption="Erbjuden narkotika: andel per publicerad omgång",
                        waves=("HT 2024", "HT 2025"),
                        rows=(
                            ("Kommunen", ("17 %", "21 %")),
                            ("Skiftinge", ("– (färre än 10 svar)", "34 %")),
                        ),
                    ),
                ),
            ),
        ),
    )


def _render(report: Report) -> bytes:
    out = io.BytesIO()
    render_pdf(report, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return _render(small_report())


@pytest.fixture(scope="module")
def pdf_text(pdf_bytes: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return "\n".join(page.extract_text() for page in reader.pages)


def _structure(node: Any, found: list[dict[str, Any]]) -> None:
    """Every structure element under ``node``, depth first."""
    node = node.get_object() if isinstance(node, IndirectObject) else node
    if isinstance(node, list):
        for child in node:
            _structure(child, found)
        return
    if not isinstance(node, dict):
        return  # a marked-content id
    if "/S" in node:
        found.append(node)
    if "/K" in node:
        _structure(node["/K"], found)


def test_report_is_a_tagged_pdf_ua_with_language_headings_tables_and_figures(
    pdf_bytes: bytes,
) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    catalog: Any = reader.trailer["/Root"]
    assert catalog["/Lang"] == "sv"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    metadata = catalog["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in metadata and "Lägesbild: ungas trygghet" in metadata
    elements: list[dict[str, Any]] = []
    _structure(catalog["/StructTreeRoot"].get_object()["/K"], elements)
    tags = [e["/S"] for e in elements]
    for tag in ("/H1", "/H2", "/H3", "/Table", "/THead", "/TH", "/TD", "/Caption", "/L", "/LI"):
        assert tag in tags, tag
    assert tags.index("/H1") < tags.index("/H2")
    # Every data cell names its header cells (its row's and its column's).
    header_ids = {e["/ID"] for e in elements if e["/S"] == "/TH"}
    cells = [e for e in elements if e["/S"] == "/TD"]
    assert cells and all(len(c["/A"]["/Headers"]) == 2 for c in cells)
    assert all(set(c["/A"]["/Headers"]) <= header_ids for c in cells)
    # The chart is a figure whose alternative text says what it draws.
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert len(figures) == 1 and "Erbjuden narkotika 21 %" in figures[0]["/Alt"]


def test_first_page_holds_the_key_messages(pdf_bytes: bytes) -> None:
    first = PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    assert "Det viktigaste i HT 2025" in first
    assert "Tydlig försämring" in first and "(19–23 %)" in first


def test_report_follows_each_measure_and_lists_it_in_the_contents(pdf_text: str) -> None:
    assert pdf_text.count("Åtgärder och uppföljning") >= 2  # the contents and the chapter
    assert "Skolpolis i högstadiet" in pdf_text and "– (färre än 10 svar)" in pdf_text


def test_report_has_no_empty_sections_and_no_codes_as_headings() -> None:
    report = dataclasses.replace(small_report(), analysis=(), previous_name="", measures=())
    reader = PdfReader(io.BytesIO(_render(report)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Samordnarens analys" not in text
    assert "Åtgärder och uppföljning" not in text
    assert "Förändring sedan förra omgången" not in text
    # The districts table is headed by the indicator's name, never by its code alone.
    assert "EXP02\n" not in text and "Erbjuden narkotika" in text


def test_report_renders_title_sections_and_appendix(pdf_text: str) -> None:
    for text in ("Lägesbild: ungas trygghet", "Innehåll", "Sammanfattning", "Metodbilaga"):
        assert text in pdf_text


def test_report_has_page_numbers(pdf_text: str) -> None:
    assert "Sida 2 av" in pdf_text


def test_report_draws_the_chart_as_vector_text_and_its_table(pdf_text: str) -> None:
    assert "HT 2024" in pdf_text  # the chart's legend, drawn as text in the SVG
    assert "Skiftinge *" in pdf_text


def test_report_quotes_the_question_and_the_rules(pdf_text: str) -> None:
    assert "narkotika" in pdf_text
    assert "färre än 10 elever" in pdf_text


def test_report_never_fetches_from_the_network() -> None:
    with pytest.raises(ValueError, match="may not load"):
        local_only_fetcher().fetch("https://cdn.example.org/font.woff2")
    with pytest.raises(ValueError, match="may not load"):
        local_only_fetcher().fetch("file:///etc/passwd")
