"""The printable code sheet of a class: one slip per pupil with code, address and QR code.

Rendered in the request that issues the codes rather than in a Celery task: the codes
exist in plain text only in this response, and must never pass through the broker.

The layout is a fixed cut grid, laid out here rather than left to the PDF engine's flow:
every A4 page holds SLIP_ROWS rows of two slips of one fixed size at the same places, so
one cut along the lines of the first page cuts every page. A class's first page gives
its top TEACHER_ROWS rows to the teacher's instructions. A slip never splits over two
pages and a code never wraps (static/surveys/code_sheet.css holds the sizes).
"""

from dataclasses import dataclass
from itertools import batched
from pathlib import Path

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify

from .models import SchoolClass, Wave

CSS_FILE = Path(settings.BASE_DIR) / "static" / "surveys" / "code_sheet.css"
# Rows of slips on a page and slips in a row; the CSS gives a row 1/SLIP_ROWS of the
# page's height. The teacher's part takes TEACHER_ROWS rows of a class's first page.
SLIP_ROWS = 5
SLIP_COLUMNS = 2
TEACHER_ROWS = 2


@dataclass(frozen=True)
class SheetPage:
    school_class: SchoolClass
    first: bool  # the class's first page: the teacher's part on top
    count: int  # codes of the class in all
    rows: list[list[str]]  # codes, SLIP_COLUMNS a row; the last row may be shorter


def sheet_pages(sheets: list[tuple[SchoolClass, list[str]]]) -> list[SheetPage]:
    """The codes of each class, page by page, in the fixed grid."""
    pages: list[SheetPage] = []
    for school_class, codes in sheets:
        rows = [list(row) for row in batched(codes, SLIP_COLUMNS)]
        first_rows = SLIP_ROWS - TEACHER_ROWS
        pages.append(SheetPage(school_class, True, len(codes), rows[:first_rows]))
        pages.extend(
            SheetPage(school_class, False, len(codes), list(chunk))
            for chunk in batched(rows[first_rows:], SLIP_ROWS)
        )
    return pages


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def code_sheet_html(*, wave: Wave, sheets: list[tuple[SchoolClass, list[str]]], url: str) -> str:
    with translation.override("sv"):
        return render_to_string(
            "surveys/staff/code_sheet.html",
            {
                "wave": wave,
                "pages": sheet_pages(sheets),
                "url": url,
                "qr": qr_data_uri(url),
            },
        )


def code_sheet_response(
    request: HttpRequest,
    *,
    wave: Wave,
    sheets: list[tuple[SchoolClass, list[str]]],
    name: str,
) -> HttpResponse:
    """The code sheet as a PDF download, for the staff page and the admin alike. The slips
    name the pupils' address: the PUPIL_URL setting, else this site's own."""
    url = settings.PUPIL_URL or request.build_absolute_uri("/")
    response = HttpResponse(
        code_sheet_pdf(wave=wave, sheets=sheets, url=url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.pdf"'
    return response


def code_sheet_pdf(*, wave: Wave, sheets: list[tuple[SchoolClass, list[str]]], url: str) -> bytes:
    """One PDF: per class the teacher's instructions, then the pupils' slips."""
    from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

    html = code_sheet_html(wave=wave, sheets=sheets, url=url)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(CSS_FILE))])
    return bytes(pdf or b"")
