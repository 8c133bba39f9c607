"""The PDF lägesbild report: what the template gets, and rendering with WeasyPrint.

The report's content is plain frozen dataclasses (built from the dashboards' selectors by
`lagesbild.exports.report`), so the template never touches the ORM and a suppressed value
can only appear if a selector handed it out. Rendering needs no browser and no network:
charts are inline SVG from `lagesbild.svg`, fonts come from the system (DejaVu), and the
URL fetcher refuses everything that is not a local file.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from .key_messages import KeyMessage
from .notes import QuestionWording

REPORT_TEMPLATE = "lagesbild/report/report.html"


def svg_image_src(svg: str) -> str:
    """An inline SVG as a data: URL, so the tagged PDF holds it as a figure with its alt text."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


REPORT_CSS = "css/report.css"


@dataclass(frozen=True)
class TableRow:
    """One row of a chart's data table: public texts only."""

    label: str
    value: str
    interval: str
    n: str
    unstable: bool = False
    kommun: str = ""  # the kommun's value beside a district's (district report)
    verdict: str = ""  # e.g. "↓ lägre än kommunen (sämre)" or "tydlig försämring"
    change: str = ""  # e.g. "↗ ökat 3 p.e." (lagesbild.marks)
    note: str = ""  # why a value is not shown exactly
    marked: bool = False  # police utsatt område
    emphasis: bool = False


@dataclass(frozen=True)
class ChartBlock:
    """A chart and its data table (the table says in words what the chart draws)."""

    anchor: str
    title: str
    svg: str  # inline SVG from lagesbild.svg (already escaped)
    summary: str
    rows: tuple[TableRow, ...]
    table_caption: str
    first_header: str = "Indikator"
    verdict_header: str = "Jämfört med kommunen"
    show_kommun: bool = False

    @property
    def image_src(self) -> str:
        return svg_image_src(self.svg)


@dataclass(frozen=True)
class MatrixRow:
    label: str
    marked: bool
    values: tuple[str, ...]


@dataclass(frozen=True)
class DistrictMatrix:
    """Districts × indicators of one group: the public value texts with ↑/↓ and a verdict."""

    caption: str
    columns: tuple[tuple[str, str], ...]  # (code, name)
    kommun: tuple[str, ...]
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class HistoryTable:
    caption: str
    waves: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class GroupSection:
    anchor: str
    title: str
    blocks: tuple[ChartBlock, ...]
    matrix: DistrictMatrix | None = None
    trend_svg: str = ""
    trend_caption: str = ""
    history: HistoryTable | None = None

    @property
    def trend_src(self) -> str:
        return svg_image_src(self.trend_svg) if self.trend_svg else ""


@dataclass(frozen=True)
class SummaryRow:
    code: str
    name: str
    value: str
    interval: str
    unstable: bool
    change: str
    worse: str  # districts that stand out as worse (or, in a district report, the verdict)
    better: str
    anchor: str = ""


@dataclass(frozen=True)
class SummaryGroup:
    title: str
    rows: tuple[SummaryRow, ...]


@dataclass(frozen=True)
class StandOut:
    indicator: str
    worse: str
    better: str


@dataclass(frozen=True)
class ResponseRow:
    label: str
    base: str  # pupils of the classes (codes issued in reports published before seats)
    submitted: str
    rate: str


@dataclass(frozen=True)
class IndicatorNote:
    code: str
    name: str
    description: str
    period: str
    geography: str
    questions: tuple[QuestionWording, ...]


@dataclass(frozen=True)
class Appendix:
    how: tuple[str, ...]
    response_rows: tuple[ResponseRow, ...]
    response_base: str  # the heading of the rows' base column
    response_note: str
    indicators: tuple[IndicatorNote, ...]
    periods: tuple[tuple[str, str], ...]  # (period, indicator names)
    rules: tuple[str, ...]
    limits: tuple[str, ...]
    message_rules: tuple[str, ...] = ()  # how the first page's messages are chosen


@dataclass(frozen=True)
class MeasureValueTable:
    """One targeted indicator's published values per wave: the kommun and the districts."""

    caption: str
    waves: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (area, the public text per wave)


@dataclass(frozen=True)
class MeasureSection:
    """A measure of the åtgärdsplan and how its indicators went across the waves."""

    anchor: str
    label: str  # "Åtgärd 1": the same label marks its start on the trend charts
    title: str
    description: str
    parties: str
    districts: str
    started_on: date
    timing: str  # "startade mellan HT 2023 och HT 2024"
    status: str
    follow_up: str
    tables: tuple[MeasureValueTable, ...]


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    municipality: str
    wave_name: str
    wave_slug: str
    published_on: date | None
    generated_on: date
    area_name: str  # "" for the kommun report
    previous_name: str
    summary_intro: tuple[str, ...]
    messages: tuple[KeyMessage, ...]
    summary: tuple[SummaryGroup, ...]
    standouts: tuple[StandOut, ...]
    changes: tuple[SummaryRow, ...]
    trend_note: str
    analysis: tuple[str, ...]
    groups: tuple[GroupSection, ...]
    appendix: Appendix
    cell_count: int = 0
    measures: tuple[MeasureSection, ...] = ()  # "Åtgärder och uppföljning"; none: no chapter
    extra: dict[str, Any] = field(default_factory=dict)


def local_only_check(url: str) -> None:
    """Refuse what the report may not load: anything but its chart data: URLs, the project's
    files and the system's fonts (never the network)."""
    if url.startswith("data:image/svg+xml;base64,"):
        return
    if not url.startswith("file://"):
        raise ValueError(f"the report may not load {url!r}")
    path = Path(url.removeprefix("file://")).resolve()
    if not path.is_relative_to(Path(settings.BASE_DIR).resolve()) and not str(path).startswith(
        "/usr/share/fonts"
    ):
        raise ValueError(f"the report may not load {url!r}")


def local_only_fetcher() -> Any:
    """WeasyPrint's URL fetcher with ``local_only_check`` before every fetch."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            local_only_check(url)
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def report_html(report: Report) -> str:
    """The report's HTML (Swedish: the document of record is written in Swedish)."""
    with translation.override("sv"):
        return render_to_string(REPORT_TEMPLATE, {"report": report})


def render_pdf(
    report: Report, out: IO[bytes], progress: Callable[[int, str], None] | None = None
) -> None:
    """Render ``report`` to PDF bytes in ``out``; ``progress(percent, step)`` is optional."""

    def tell(percent: int, step: str) -> None:
        if progress is not None:
            progress(percent, step)

    html = report_html(report)
    tell(40, "layout")
    write_tagged_pdf(html, REPORT_CSS, out, laid_out=lambda: tell(85, "pdf"))


def write_tagged_pdf(
    html: str,
    stylesheet: str,
    out: IO[bytes] | Path,
    *,
    laid_out: Callable[[], None] | None = None,
) -> None:
    """Lay out ``html`` with the static file ``stylesheet`` and write a tagged PDF/UA-1:
    a structure tree (headings, tables with their header cells, lists, figures), the
    document language from <html lang> and the title shown as the title. Only local
    files and the charts' data: URLs are fetched (`local_only_check`)."""
    from weasyprint import CSS, HTML

    css_path = finders.find(stylesheet)
    if not css_path or not isinstance(css_path, str):
        raise FileNotFoundError(stylesheet)
    fetcher = local_only_fetcher()
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render(
        stylesheets=[CSS(filename=css_path, url_fetcher=fetcher)]
    )
    if laid_out is not None:
        laid_out()
    document.write_pdf(out, pdf_variant="pdf/ua-1")
