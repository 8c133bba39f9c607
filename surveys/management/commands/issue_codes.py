"""Print N fresh one-time codes for a class, one per line."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.management.wave_option import add_kommun_argument, wave_from_options
from surveys.models import SchoolClass
from surveys.services import MAX_CODES_PER_REQUEST, codes_issue


class Command(BaseCommand):
    help = (
        "Issue N fresh one-time codes for a class in a wave and print them, one per line. "
        "Only a keyed hash is stored: this output is the only copy of the codes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", required=True, help="the wave's slug")
        add_kommun_argument(parser)
        parser.add_argument("--school", required=True, help="the school's name")
        parser.add_argument("--class", required=True, dest="class_name", help="e.g. 7A")
        parser.add_argument("--count", required=True, type=int, help=f"1–{MAX_CODES_PER_REQUEST}")

    def handle(self, *args: Any, **options: Any) -> None:
        wave = wave_from_options(options["wave"], options["kommun"])
        # The wave's kommun's schools only: two kommuner may both have a "Centralskolan".
        matches = SchoolClass.objects.filter(
            school__district__municipality_id=wave.municipality_id,
            school__name=options["school"],
            name=options["class_name"],
        ).select_related("school")
        if len(matches) != 1:
            raise CommandError(
                f"No single class {options['class_name']!r} at school {options['school']!r} "
                f"({len(matches)} found)."
            )
        try:
            issued = codes_issue(wave=wave, school_class=matches[0], count=options["count"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write("\n".join(issued))
