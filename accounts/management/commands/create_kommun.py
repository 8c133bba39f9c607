"""`create_kommun --code NNNN --name NAME [--coordinator EMAIL]`: add a kommun."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from accounts.services import kommun_create


class Command(BaseCommand):
    help = (
        "Add a kommun by SCB's four-digit code (e.g. 0484) and its name, and optionally its "
        "first coordinator by e-mail address (an existing user, or a new one who sets a "
        "password through 'Glömt lösenord'). Idempotent for the same code and name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="SCB's kommun code, four digits")
        parser.add_argument("--name", required=True, help="the kommun's name, e.g. Eskilstuna")
        parser.add_argument(
            "--coordinator", default="", metavar="EMAIL", help="the first coordinator's e-mail"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = kommun_create(
                code=options["code"], name=options["name"], coordinator_email=options["coordinator"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        kommun = result.municipality
        state = "created" if result.created else "already there"
        self.stdout.write(f"Kommun {kommun.code} {kommun.name}: {state}.")
        self.stdout.write(
            f"  Staff pages: /{kommun.code}/lagesbild/ · codes /{kommun.code}/skola/koder/"
        )
        if result.coordinator is not None:
            user = result.coordinator
            if result.coordinator_created:
                base = settings.PUBLIC_URL or ""
                self.stdout.write(
                    f"  Coordinator {user.get_username()} created without a known password: "
                    f"they set one at {base}{reverse('accounts:password_reset')} with "
                    f"{user.email}, then enrol an authenticator app at their first login."
                )
            else:
                self.stdout.write(
                    f"  Coordinator {user.get_username()} (existing user) now coordinates "
                    f"{kommun.name}."
                )
        self._core_questionnaire()
        self.stdout.write(
            "  Next: import its districts and boundaries, schools and classes in the admin."
        )

    def _core_questionnaire(self) -> None:
        """The core questionnaire every kommun may ask, so that the new kommun can open its
        first wave (a fresh install has none); imported once, idempotent."""
        from surveys.questionnaire import load_yaml_file
        from surveys.services import questionnaire_import

        version, created = questionnaire_import(questionnaire=load_yaml_file())
        state = "imported" if created else "already there"
        self.stdout.write(
            f"  Core questionnaire {version.code} v{version.version}: {state} "
            "(every kommun may ask it; a kommun's own version is imported in the admin)."
        )
