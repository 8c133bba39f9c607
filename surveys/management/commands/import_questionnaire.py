"""Import a questionnaire version from a YAML, JSON or XLSForm file."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys import questionnaire as qn
from surveys.services import questionnaire_import, questionnaire_parse


class Command(BaseCommand):
    help = (
        "Validate and import a questionnaire version from FILE (.yaml, .yml, .json or an "
        "XLSForm .xlsx). Importing the same file twice changes nothing; a version that a "
        "wave uses cannot be changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            parsed = questionnaire_parse(name=path.name, content=path.read_bytes())
            version, created = questionnaire_import(questionnaire=parsed)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        except qn.QuestionnaireError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        state = "imported" if created else "already present (unchanged or updated)"
        self.stdout.write(f"{version.code} v{version.version}: {state}.")
