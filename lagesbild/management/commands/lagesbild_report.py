"""`lagesbild_report --wave SLUG [--kommun NNNN] [--district CODE] --output FILE.pdf`:
the PDF report."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lagesbild.exports.cells import ExportFilterError, ExportFilters
from lagesbild.exports.services import audit_export, report_write
from surveys.management.wave_option import add_kommun_argument, wave_from_options


class Command(BaseCommand):
    help = (
        "Render the PDF lägesbild report an analyst downloads, for the kommun or one "
        "district, synchronously. One audit row per run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--wave", required=True, help="the published wave's slug")
        add_kommun_argument(parser)
        parser.add_argument("--district", default="", help="one district code, e.g. SKI")
        parser.add_argument("--output", required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        wave = wave_from_options(options["wave"], options["kommun"])
        filters = ExportFilters(
            wave=wave.slug, kommun=wave.municipality.code, area=options["district"].upper()
        )
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("w+b") as out:
                result = report_write(filters=filters, out=out)
        except ExportFilterError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        partial.replace(output)
        audit_export(
            None,
            file_type="pdf",
            wave=filters.wave,
            filters=filters.as_dict(),
            cells=result.cell_count,
            sha256=result.sha256,
            size=result.size,
            source="command",
        )
        self.stderr.write(f"{output}: {result.size} bytes, sha256 {result.sha256}")
