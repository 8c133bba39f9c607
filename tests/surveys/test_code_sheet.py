"""The printed code sheet: a fixed cut grid on every page, no slip split over two pages and
no code broken over two lines (rendered by WeasyPrint, measured in its layout boxes)."""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.formatting_structure.boxes import LineBox

from surveys.code_sheet import CSS_FILE, SLIP_COLUMNS, SLIP_ROWS, code_sheet_html, sheet_pages
from surveys.models import School, SchoolClass, Wave

CLASSES = 3
SLIPS = 35


def _sheets() -> list[tuple[SchoolClass, list[str]]]:
    school = School(name="Demoskolan Skiftinge")
    return [
        (SchoolClass(pk=index + 1, name=f"7{'ABC'[index]}", school=school), codes)
        for index in range(CLASSES)
        for codes in [[f"K{index}{n:02d}A-BJAD-Z9W6" for n in range(SLIPS)]]
    ]


def _boxes(page: Any) -> Iterator[Any]:
    yield from page._page_box.descendants()


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def test_the_pages_hold_every_code_once_in_order() -> None:
    sheets = _sheets()
    pages = sheet_pages(sheets)
    for school_class, codes in sheets:
        laid_out = [
            code
            for page in pages
            if page.school_class is school_class
            for row in page.rows
            for code in row
        ]
        assert laid_out == codes
    assert all(len(page.rows) <= SLIP_ROWS for page in pages)
    assert all(len(row) <= SLIP_COLUMNS for page in pages for row in page.rows)


def test_slips_never_split_codes_never_wrap_and_the_grid_holds_on_every_page() -> None:
    html = code_sheet_html(
        wave=Wave(name="Höstterminen 2026"), sheets=_sheets(), url="https://trygghet.eskilstuna.se/"
    )
    document = HTML(string=html).render(stylesheets=[CSS(filename=str(CSS_FILE))])

    pages_of_slip: dict[int, set[int]] = defaultdict(set)
    lines_of_code: dict[int, int] = defaultdict(int)
    grid_of_page: list[set[tuple[int, int]]] = []
    for number, page in enumerate(document.pages):
        bottom = page.height - 12 * 96 / 25.4  # the page's bottom margin, in CSS px
        grid: set[tuple[int, int]] = set()
        for box in _boxes(page):
            names = _classes(box)
            if "slip" in names and box.element_tag == "td":
                pages_of_slip[id(box.element)].add(number)
                assert box.position_y + box.border_height() <= bottom + 0.5
                grid.add((round(box.position_x), round(box.position_y)))
            if "code" in names:
                lines_of_code[id(box.element)] += sum(
                    isinstance(child, LineBox) for child in box.children
                )
        grid_of_page.append(grid)

    assert len(pages_of_slip) == CLASSES * SLIPS
    assert all(len(pages) == 1 for pages in pages_of_slip.values())
    assert len(lines_of_code) == CLASSES * SLIPS
    assert set(lines_of_code.values()) == {1}
    # Every slip of every page sits on the grid of a full page: one cut fits all.
    full = max(grid_of_page, key=len)
    assert len(full) == SLIP_ROWS * SLIP_COLUMNS
    assert all(grid <= full for grid in grid_of_page)
