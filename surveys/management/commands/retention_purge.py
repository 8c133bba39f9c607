"""Delete raw answer sheets older than the retention period (default: 5 years after close)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from surveys import retention


class Command(BaseCommand):
    help = (
        "Delete raw answer sheets of waves that closed more than ANSWER_RETENTION_YEARS "
        "years ago (published indicator cells are kept). Each purged wave is written to "
        "the audit log. Use --dry-run to see what would be deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only report, delete and log nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        result = retention.retention_purge(dry_run=dry_run)
        years = settings.ANSWER_RETENTION_YEARS
        verb = "would delete" if dry_run else "deleted"
        if not result:
            self.stdout.write(f"Nothing older than {years} years after closing.")
        for item in result:
            self.stdout.write(
                f"{item.slug} (closed {item.closed_at:%Y-%m-%d}): {verb} {item.sheets} "
                f"answer sheets and {item.code_rows} code rows"
            )
