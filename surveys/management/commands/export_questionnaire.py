"""Export a questionnaire version as YAML or XLSForm."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys import questionnaire as qn
from surveys.models import QuestionnaireVersion


class Command(BaseCommand):
    help = (
        "Export questionnaire CODE version VERSION as YAML (to standard output or --output) "
        "or as an XLSForm spreadsheet (--format xlsx, needs --output)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("version", type=int)
        parser.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
        parser.add_argument("--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        version = QuestionnaireVersion.objects.filter(
            code=options["code"], version=options["version"]
        ).first()
        if version is None:
            raise CommandError(f"No questionnaire {options['code']} v{options['version']}.")
        parsed = qn.load_questionnaire(version.definition)
        output: Path | None = options["output"]
        if options["format"] == "xlsx":
            if output is None:
                raise CommandError("--format xlsx needs --output FILE.xlsx")
            output.write_bytes(qn.to_xlsform(parsed))
            return
        text = qn.to_yaml(parsed)
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
