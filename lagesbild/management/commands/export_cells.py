"""`export_cells --wave SLUG [--kommun NNNN] --format csv|xlsx`: the published cells on
standard output."""

import shutil
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lagesbild.exports.cells import ExportFilterError, ExportFilters
from lagesbild.exports.services import cells_export
from surveys.management.wave_option import add_kommun_argument, wave_from_options


class Command(BaseCommand):
    help = (
        "Write the same suppressed, published cells an analyst downloads to standard "
        "output (CSV: UTF-8 with BOM, ';'-separated; XLSX: binary). One audit row per run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--wave", required=True, help="the published wave's slug")
        add_kommun_argument(parser)
        parser.add_argument("--format", required=True, choices=["csv", "xlsx"])
        parser.add_argument("--indicator", default="", help="one indicator code, e.g. EXP02")
        parser.add_argument("--geography", default="", choices=["", "home", "school"])
        parser.add_argument(
            "--breakdown",
            default="",
            help=(
                "total, girls, boys, gender-other, ak7-9, ak7, ak8, ak9, gy, gy1, gy2 or gy3 "
                "(as in the dashboard URL)"
            ),
        )
        parser.add_argument("--district", default="", help="one district code, e.g. SKI")

    def handle(self, *args: Any, **options: Any) -> None:
        wave = wave_from_options(options["wave"], options["kommun"])
        filters = ExportFilters(
            wave=wave.slug,
            kommun=wave.municipality.code,
            indicator=options["indicator"].upper(),
            geography=options["geography"],
            breakdown=options["breakdown"],
            area=options["district"].upper(),
        )
        try:
            export = cells_export(
                actor=None, filters=filters, file_type=options["format"], source="command"
            )
        except ExportFilterError as exc:
            raise CommandError(str(exc)) from exc
        # Bytes, not text: the BOM and the XLSX must reach the file unchanged.
        out = getattr(self.stdout, "_out", sys.stdout)
        target = getattr(out, "buffer", None)
        if target is None:
            raise CommandError("standard output does not accept bytes")
        shutil.copyfileobj(export.file, target)
        target.flush()
