"""Create synthetic answer sheets for a wave (demos and benchmarks)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lagesbild.synthetic import sheets_insert
from surveys.management.wave_option import add_kommun_argument, wave_from_options
from surveys.services import WaveClosedError


class Command(BaseCommand):
    help = (
        "Create N synthetic answer sheets for a wave: district differences, correlated "
        "answers, skipped questions. The same --seed gives the same sheets. Only for an "
        "open, unpublished wave; never use on a wave with real answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", required=True, help="slug of the wave")
        add_kommun_argument(parser)
        parser.add_argument("--count", required=True, type=int, help="number of sheets")
        parser.add_argument("--seed", type=int, default=None, help="random seed")
        parser.add_argument(
            "--drift",
            type=float,
            default=0.0,
            help="shift of every risk on the logit scale (e.g. 0.2: a worse year)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wave = wave_from_options(options["wave"], options["kommun"])
        if wave.is_published:
            raise CommandError(f"Wave {wave.slug} is published; its answers are frozen.")
        if not wave.is_open:
            raise CommandError(
                f"Wave {wave.slug} is not open (it opens {wave.opens_at:%Y-%m-%d %H:%M} and "
                f"closes {wave.closes_at:%Y-%m-%d %H:%M}); answer sheets are taken only "
                "while a wave is open."
            )
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        try:
            created = sheets_insert(
                wave=wave, count=options["count"], seed=options["seed"], drift=options["drift"]
            )
        except WaveClosedError as error:  # closed or published while we worked
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {created} synthetic sheets in {wave.slug}."))
