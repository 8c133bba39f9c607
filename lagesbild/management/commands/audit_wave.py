"""Run today's independent disclosure audit over a wave's stored cells."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lagesbild.catalogue import load_catalogue
from lagesbild.models import IndicatorCell, WavePublication
from lagesbild.services import cells_audit
from surveys.management.wave_option import add_kommun_argument, wave_from_options

SHOWN_FINDINGS = 20


class Command(BaseCommand):
    help = (
        "Audit a wave's stored cells with today's disclosure criterion (docs/privacy.md), "
        "e.g. a wave published before the criterion was last strengthened. Prints each "
        "finding (table, cell, what a reader pins) and exits with status 1 when there is any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="slug of the wave")
        add_kommun_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        wave = wave_from_options(options["slug"], options["kommun"])
        publication = WavePublication.objects.filter(wave=wave).first()
        # A published wave's rules are its publication's; an open wave's, those its cells
        # were last computed with.
        version = (
            publication.catalogue_version
            if publication
            else IndicatorCell.objects.filter(wave=wave)
            .values_list("catalogue_version", flat=True)
            .first()
        )
        if version is None:
            raise CommandError(f"{wave.slug}: no cells computed yet, nothing to audit.")
        params = load_catalogue(version).rule_params
        report = cells_audit(wave_id=wave.pk, params=params, detail=False)
        if report.passed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{wave.slug}: the disclosure audit passes ({report.tables} tables, "
                    f"{report.checked} hidden cells and remainders)."
                )
            )
            return
        for finding in report.findings[:SHOWN_FINDINGS]:
            self.stdout.write(finding.describe())
        more = len(report.findings) - SHOWN_FINDINGS
        if more > 0:
            self.stdout.write(f"… and {more} more.")
        raise CommandError(
            f"{wave.slug}: the disclosure audit fails in {len(report.failing_tables)} tables "
            f"({len(report.findings)} findings)."
        )
