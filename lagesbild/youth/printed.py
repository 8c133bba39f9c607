"""Back to the classroom: the A3 poster and the one-page lesson guide, as PDF.

Both are made from the young people's page (`views.youth_page`): the same published
cells and the same sentences, so a poster never says what the page does not. They hold
no measure and no district (the poster is on a wall for a year), only the kommun's most
important findings, the discussion questions (lesson guide), where to get help and the
page's address.

A PDF is rendered once per distinct content: the file's name is the SHA-256 of its HTML
without the page's address (plus the configured `PUBLIC_URL`), kept in
`EXPORT_DIR/youth/`. A second request, or a request from another class, is a file read; a
changed text or a new translation gives a new file. The address a request came to never
makes a new file, so no Host header can make the server render without end; without
`PUBLIC_URL` the file keeps the address of the request that made it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.template.loader import render_to_string

from lagesbild.exports.pdf import write_tagged_pdf

if TYPE_CHECKING:
    from surveys.models import Wave

    from .views import YouthPage

Kind = Literal["poster", "lesson"]
TEMPLATES: dict[Kind, str] = {"poster": "youth/poster.html", "lesson": "youth/lesson.html"}
CSS = "youth/print.css"
# The script of each language whose glyphs the PDF needs from the system's fonts (the
# Latin languages need nothing beyond the default fonts).
SCRIPT_SAMPLE = {"ar": "ar", "ti": "ti"}


@cache
def can_print(language: str) -> bool:
    """True when the system has a font for the language's script (Debian: fonts-dejavu
    covers Arabic, fonts-noto-core also Ethiopic for Tigrinya). A PDF of boxes is worse
    than no PDF: without a font the page offers none in that language."""
    sample = SCRIPT_SAMPLE.get(language)
    if sample is None:
        return True
    try:
        found = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["fc-list", f":lang={sample}", "family"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(found.stdout.strip())


def file_name(wave: Wave, language: str, kind: Kind) -> str:
    word = {"poster": "affisch", "lesson": "lektion"}[kind]
    return f"vad-sa-unga-{wave.slug}-{word}-{language}.pdf"


def html(page: YouthPage, kind: Kind) -> str:
    return render_to_string(TEMPLATES[kind], {"page": page, "t": page.t})


def _directory() -> Path:
    path = Path(settings.EXPORT_DIR) / "youth"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _render(source: str, out: Path) -> None:
    write_tagged_pdf(source, CSS, out)


def pdf_file(wave: Wave, language: str, kind: Kind, page: Callable[[], YouthPage]) -> Path:
    """The PDF's path, rendered first if this content has no file yet."""
    made = page()
    source = html(made, kind)
    content = source.replace(made.url, "")
    digest = hashlib.sha256(f"{kind}\n{settings.PUBLIC_URL}\n{content}".encode()).hexdigest()
    path = _directory() / f"{digest}.pdf"
    if path.exists():
        return path
    # Rendered beside its final name and moved there in one step: a concurrent request
    # sees either no file or the whole file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(handle)
    try:
        _render(source, Path(temporary))
        Path(temporary).replace(path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path
