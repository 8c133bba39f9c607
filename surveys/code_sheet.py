"""The printable code sheet of a class: one slip per pupil with code, address and QR code.

Rendered in the request that issues the codes rather than in a Celery task: the codes
exist in plain text only in this response, and must never pass through the broker.
"""

from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .models import SchoolClass, Wave

CSS_FILE = Path(settings.BASE_DIR) / "static" / "surveys" / "code_sheet.css"


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def code_sheet_pdf(*, wave: Wave, sheets: list[tuple[SchoolClass, list[str]]], url: str) -> bytes:
    """One PDF: per class a page for the teacher followed by the pupils' slips."""
    from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

    with translation.override("sv"):
        html = render_to_string(
            "surveys/staff/code_sheet.html",
            {
                "wave": wave,
                "sheets": [{"school_class": c, "codes": codes} for c, codes in sheets],
                "url": url,
                "qr": qr_data_uri(url),
            },
        )
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(CSS_FILE))])
    return bytes(pdf or b"")
