"""File formats of the cell exports: one row per published cell (pure: no ORM).

Decisions (also in the method notes and the README):

* **CSV**: UTF-8 with a byte-order mark (Excel then reads å/ä/ö correctly), ``;`` as the
  field separator and CRLF line ends, which is what Swedish Excel expects when a file is
  opened by double-click. Every number is a whole number (shares and interval ends in
  whole percent, n rounded), so there is no decimal separator to disagree about. Column
  headers are Swedish and fixed, whatever the UI language, so scripts can rely on them.
* **XLSX**: written by openpyxl in write-only mode (rows are streamed to disk, memory
  stays flat). Numbers are stored as numbers; the number formats use Excel's
  locale-neutral codes, so Swedish Excel displays decimal commas and space-separated
  thousands while the cells stay machine-readable. A second sheet holds the method notes.
* A suppressed cell is exported as status "undertryckt", the mark "–" and its reason,
  with every numeric column empty; a bound cell has only its bound text and rounded n.
  `export_row` enforces that again, whatever it is given.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Literal, Protocol

from lagesbild.public import is_bound, is_shown, value_text

from .notes import NoteSection

CSV_DELIMITER = ";"
CSV_BOM = "\ufeff"
CSV_BATCH_ROWS = 500  # rows per yielded chunk: about 60 KB

ColumnKind = Literal["text", "percent", "count", "flag"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ColumnKind
    description: str
    width: int = 14  # XLSX column width in characters


COLUMNS: tuple[Column, ...] = (
    Column("wave", "Omgång", "text", "Omgångens kortnamn (som i adressen).", 14),
    Column("wave_name", "Omgångens namn", "text", "Omgångens namn.", 16),
    Column("indicator", "Indikator", "text", "Indikatorns kod i katalogen, t.ex. EXP02.", 10),
    Column("indicator_name", "Indikatorns namn", "text", "Indikatorns namn på svenska.", 36),
    Column("place", "Plats", "text", "Platsens kod (bara TRY07, otrygga platser).", 7),
    Column("place_name", "Platsens namn", "text", "Platsens namn (bara TRY07).", 18),
    Column(
        "geography",
        "Geografi",
        "text",
        "home = elevens bostadsområde, school = skolans område.",
        9,
    ),
    Column("geography_name", "Geografins namn", "text", "Geografin i klartext.", 16),
    Column("area", "Områdeskod", "text", "Områdets kod; KOMMUN är hela kommunen.", 11),
    Column("area_name", "Område", "text", "Områdets namn.", 16),
    Column(
        "breakdown",
        "Uppdelning",
        "text",
        "total, gender (kön), grade_band (årskursgrupp) eller grade (årskurs); en "
        "uppdelning i taget.",
        11,
    ),
    Column(
        "breakdown_value",
        "Grupp",
        "text",
        "Gruppens kod: kön 1 flicka, 2 pojke, 3 annat/vill ej säga; AK79 eller GY; "
        "årskurs 7, 8, 9 eller 10, 11, 12 (gy 1–3).",
        7,
    ),
    Column("breakdown_name", "Gruppens namn", "text", "Gruppen i klartext.", 18),
    Column(
        "state",
        "Status",
        "text",
        "visas, visas som gräns eller undertryckt.",
        14,
    ),
    Column(
        "text",
        "Visat värde",
        "text",
        "Värdet så som det visas i lägesbilden: andel, gräns eller – (undertryckt).",
        12,
    ),
    Column("share_pct", "Andel (%)", "percent", "Andel i hela procent; tom om den inte visas.", 10),
    Column("ci_low_pct", "KI nedre (%)", "percent", "95-procentigt intervall, nedre gräns.", 11),
    Column("ci_high_pct", "KI övre (%)", "percent", "95-procentigt intervall, övre gräns.", 11),
    Column("n_shown", "n (avrundat)", "count", "Antal giltiga svar, avrundat.", 11),
    Column("bound", "Gräns", "text", "Gräns som visas i stället för en exakt andel.", 9),
    Column(
        "unstable",
        "Osäker",
        "flag",
        "ja när skattningen är osäker (litet n eller brett intervall).",
        8,
    ),
    Column("reason", "Skäl", "text", "Varför värdet inte visas exakt.", 30),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)


class PublicValues(Protocol):
    """The public fields of one cell (the dashboards' selector dataclass has them)."""

    @property
    def indicator(self) -> str: ...
    @property
    def place(self) -> str: ...
    @property
    def geography(self) -> str: ...
    @property
    def area(self) -> str: ...
    @property
    def breakdown(self) -> str: ...
    @property
    def breakdown_value(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def n_shown(self) -> int | None: ...
    @property
    def share_pct(self) -> int | None: ...
    @property
    def bound(self) -> str: ...
    @property
    def ci_low_pct(self) -> int | None: ...
    @property
    def ci_high_pct(self) -> int | None: ...
    @property
    def unstable(self) -> bool: ...


@dataclass(frozen=True)
class Names:
    """Swedish names for the codes of a wave's cells."""

    wave: str
    wave_name: str
    indicators: Mapping[str, str]
    places: Mapping[tuple[str, str], str]  # (indicator, place) -> name
    areas: Mapping[str, str]
    geographies: Mapping[str, str]
    breakdowns: Mapping[tuple[str, str], str]  # (breakdown, value) -> name
    states: Mapping[str, str]
    reasons: Mapping[str, str]


@dataclass(frozen=True)
class ExportRow:
    wave: str
    wave_name: str
    indicator: str
    indicator_name: str
    place: str
    place_name: str
    geography: str
    geography_name: str
    area: str
    area_name: str
    breakdown: str
    breakdown_value: str
    breakdown_name: str
    state: str
    text: str
    share_pct: int | None
    ci_low_pct: int | None
    ci_high_pct: int | None
    n_shown: int | None
    bound: str
    unstable: bool
    reason: str

    def values(self) -> tuple[str | int | bool | None, ...]:
        return tuple(getattr(self, c.key) for c in COLUMNS)


def export_row(cell: PublicValues, names: Names) -> ExportRow:
    """One export row. Numbers are taken only where the cell's state allows them."""
    shown = is_shown(cell.state, cell.share_pct)
    bound = is_bound(cell.state, cell.bound)
    return ExportRow(
        wave=names.wave,
        wave_name=names.wave_name,
        indicator=cell.indicator,
        indicator_name=names.indicators.get(cell.indicator, ""),
        place=cell.place,
        place_name=names.places.get((cell.indicator, cell.place), "") if cell.place else "",
        geography=cell.geography,
        geography_name=names.geographies.get(cell.geography, ""),
        area=cell.area,
        area_name=names.areas.get(cell.area, ""),
        breakdown=cell.breakdown,
        breakdown_value=cell.breakdown_value,
        breakdown_name=names.breakdowns.get((cell.breakdown, cell.breakdown_value), ""),
        state=names.states.get(cell.state if (shown or bound) else "suppressed", ""),
        text=value_text(cell.state, cell.share_pct, cell.bound),
        share_pct=cell.share_pct if shown else None,
        ci_low_pct=cell.ci_low_pct if shown else None,
        ci_high_pct=cell.ci_high_pct if shown else None,
        n_shown=cell.n_shown if (shown or bound) else None,
        bound=cell.bound if bound else "",
        unstable=bool(cell.unstable) if (shown or bound) else False,
        reason="" if shown else names.reasons.get(cell.reason, names.reasons.get("", "")),
    )


# --------------------------------------------------------------------------- CSV


def _csv_value(value: str | int | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def csv_chunks(
    rows: Iterable[ExportRow],
    *,
    batch: int = CSV_BATCH_ROWS,
    headers: Sequence[str] = HEADERS,
) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks: BOM and header first, then ``batch`` rows at a time.
    ``headers``: the Swedish headers, or the column keys (the open-data files)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    buffer.write(CSV_BOM)
    writer.writerow(headers)
    pending = 1
    for row in rows:
        writer.writerow([_csv_value(v) for v in row.values()])
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending or buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def notes_text_chunks(sections: Sequence[NoteSection]) -> Iterator[bytes]:
    """The method notes as a UTF-8 text file (with BOM, CRLF: opens right in Notepad)."""
    yield CSV_BOM.encode("utf-8")
    for section in sections:
        lines = [section.title, "=" * len(section.title), ""]
        for paragraph in section.paragraphs:
            lines.extend([paragraph, ""])
        for key, value in section.rows:
            lines.append(f"{key}: {value}")
        if section.rows:
            lines.append("")
        yield ("\r\n".join(lines) + "\r\n").encode("utf-8")


# --------------------------------------------------------------------------- XLSX

# Excel's number format codes are locale-neutral ("." decimal, "," thousands): Swedish
# Excel shows them with a decimal comma and a space as the thousands separator.
PERCENT_FORMAT = '0" %"'  # whole percent stored as 23, shown as "23 %"
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "0.0"


def write_xlsx(rows: Iterable[ExportRow], notes: Sequence[NoteSection], out: IO[bytes]) -> int:
    """Write the workbook to ``out``: sheet "Celler" and sheet "Metod". Returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Celler")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = {"percent": PERCENT_FORMAT, "count": COUNT_FORMAT}
    count = 0
    for row in rows:
        out_row: list[object] = []
        for column, value in zip(COLUMNS, row.values(), strict=True):
            number_format = formats.get(column.kind)
            if number_format and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                out_row.append(cell)
            else:
                out_row.append(value)
        sheet.append(out_row)
        count += 1

    method = workbook.create_sheet("Metod")
    method.column_dimensions["A"].width = 34
    method.column_dimensions["B"].width = 100
    wrap = Alignment(wrap_text=True, vertical="top")
    for section in notes:
        title = WriteOnlyCell(method, value=section.title)
        title.font = Font(bold=True, size=12)
        method.append([title])
        for paragraph in section.paragraphs:
            text = WriteOnlyCell(method, value=paragraph)
            text.alignment = wrap
            method.append([None, text])
        for key, note_value in section.rows:
            value_cell = WriteOnlyCell(method, value=note_value)
            value_cell.alignment = wrap
            if isinstance(note_value, float):
                value_cell.number_format = DECIMAL_FORMAT
            elif isinstance(note_value, int) and not isinstance(note_value, bool):
                value_cell.number_format = COUNT_FORMAT
            method.append([key, value_cell])
        method.append([])
    workbook.save(out)
    return count
