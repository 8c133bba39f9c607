"""Publish a closed wave: recompute its cells one last time and freeze them."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lagesbild.services import CatalogueMismatchError, PublishRefusedError, wave_publish
from surveys.management.wave_option import add_kommun_argument, wave_from_options


class Command(BaseCommand):
    help = (
        "Publish a closed wave: recompute its cells one last time and freeze them with the "
        "catalogue version and rule parameters used. A published wave is never changed; "
        "publishing it again is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="slug of the wave")
        add_kommun_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        wave = wave_from_options(options["slug"], options["kommun"])
        try:
            publication = wave_publish(wave_id=wave.pk)
        except (PublishRefusedError, CatalogueMismatchError) as error:
            raise CommandError(str(error)) from error
        audit = publication.snapshot.get("disclosure_audit", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {wave.slug}: {publication.cell_count} cells frozen from "
                f"{publication.sheet_count} sheets (catalogue v{publication.catalogue_version}); "
                f"the disclosure audit passed for {audit.get('tables', 0)} tables "
                f"({audit.get('protected_quantities', 0)} hidden cells and remainders)."
            )
        )
