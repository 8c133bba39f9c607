"""The PDF report renders from its dataclasses, offline, with page numbers and contents."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from lagesbild.catalogue import load_catalogue
from lagesbild.exports.notes import LIMITS, indicator_questions, rule_paragraphs
from lagesbild.exports.pdf import (
    Appendix,
    ChartBlock,
    DistrictMatrix,
    GroupSection,
    IndicatorNote,
    MatrixRow,
    Report,
    ResponseRow,
    SummaryGroup,
    SummaryRow,
    TableRow,
    _local_only_fetcher,
    render_pdf,
)
from lagesbild.svg import BarItem, bar_chart
from surveys.questionnaire import load_yaml_file


def small_report() -> Report:
    catalogue = load_catalogue()
    questionnaire = load_yaml_file()
    indicator = catalogue["EXP02"]
    svg = bar_chart(
        [BarItem("Erbjuden narkotika", 21, 19, 23, "21 %", "worse", marker=17)],
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
            periods=(("Senaste 12 månaderna", "EXP02"),),
            rules=rule_paragraphs(catalogue.rule_params),
            limits=LIMITS,
        ),
    )


@pytest.fixture(scope="module")
def pdf_text() -> str:
    out = io.BytesIO()
    render_pdf(small_report(), out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    return "\n".join(page.extract_text() for page in reader.pages)


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
        _local_only_fetcher("https://cdn.example.org/font.woff2")
