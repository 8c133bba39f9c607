"""Recompute a wave's indicator cells now (the same code the Celery task runs)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lagesbild.services import CatalogueMismatchError, indicators_refresh
from surveys.management.wave_option import add_kommun_argument, wave_from_options


class Command(BaseCommand):
    help = "Recompute every indicator cell of a wave now, in this process. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", required=True, help="slug of the wave")
        add_kommun_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        wave = wave_from_options(options["wave"], options["kommun"])
        started = time.perf_counter()
        try:
            result = indicators_refresh(wave_id=wave.pk)
        except CatalogueMismatchError as error:
            raise CommandError(str(error)) from error
        if result.published:
            raise CommandError(f"Wave {wave.slug} is published; its cells are frozen.")
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {result.cells} cells of {wave.slug} in {seconds:.1f} s."
            )
        )
