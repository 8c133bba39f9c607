"""The `--kommun` option of the commands that name a wave by its slug."""

from argparse import ArgumentParser

from django.core.management.base import CommandError

from surveys.models import Wave
from surveys.selectors import WaveLookupError, wave_named


def add_kommun_argument(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--kommun",
        default="",
        help="the wave's kommun by SCB code, e.g. 0484 (needed when several kommuner use the slug)",
    )


def wave_from_options(slug: str, kommun: str) -> Wave:
    """The wave named on the command line, or a CommandError saying why not."""
    try:
        return wave_named(slug=slug, kommun=kommun)
    except WaveLookupError as error:
        raise CommandError(str(error)) from None
