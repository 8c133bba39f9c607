"""Seed the demo data. Idempotent: running it twice changes nothing.

The demo users share one password and, in development, fixed recovery codes, both printed
in the README: anyone could log in with them. So with DEBUG off the command refuses,
unless `--allow-production-demo` is given (a demo or training server), and even then it
refuses the published password (DEMO_PASSWORD must be set to another one) and gives the
demo users random recovery codes instead of the published ones.
"""

import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.demo import DEMO_SCHOOL, ESKILSTUNA, NORRKOPING, seed_demo_staff
from lagesbild.demo import refusal_to_seed, seed_measures, seed_waves
from surveys import demo, services
from surveys.models import District, Municipality, School, SchoolClass, Wave

DEMO_ADMIN = ("admin", "admin@example.invalid")
# Published in the README and .env.example: never valid with DEBUG off.
PUBLIC_DEMO_PASSWORD = "trygghet-demo"  # noqa: S105


class Command(BaseCommand):
    help = (
        "Seed the demo: Eskilstuna's districts, ten demo schools with classes and demo "
        "users, and a second kommun (Norrköping) with its own districts, schools, waves and "
        "staff. Idempotent. Prints the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production-demo",
            action="store_true",
            help="seed even with DEBUG off (a demo or training server); needs DEMO_PASSWORD "
            "set to a password other than the published one, and gives the demo users "
            "random recovery codes",
        )
        parser.add_argument(
            "--address",
            default="http://127.0.0.1:8000",
            help="where the demo is served, for the addresses it prints (make run passes "
            "its HOST and PORT)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD") or PUBLIC_DEMO_PASSWORD
        public = settings.DEBUG
        if not settings.DEBUG:
            if not options["allow_production_demo"]:
                raise CommandError(
                    "seed_demo refuses to run with DEBUG off: it creates an admin and demo "
                    "users whose password and recovery codes are published. For a demo or "
                    "training server, set DEMO_PASSWORD to a strong password of your own and "
                    "run `seed_demo --allow-production-demo`."
                )
            if password == PUBLIC_DEMO_PASSWORD:
                raise CommandError(
                    "DEMO_PASSWORD is unset or the published demo password: set it to a "
                    "strong password of your own before seeding a server with DEBUG off."
                )
        refusal = refusal_to_seed(development=settings.DEBUG)
        if refusal:
            raise CommandError(f"seed_demo refuses: {refusal}")
        with transaction.atomic():
            municipality = self._geography(demo.MUNICIPALITY, demo.DISTRICTS, demo.SCHOOLS)
            self._geography(demo.SECOND_MUNICIPALITY, demo.SECOND_DISTRICTS, demo.SECOND_SCHOOLS)
            questionnaire = services.questionnaire_import_default()
            wave = services.demo_wave_ensure(municipality=municipality, questionnaire=questionnaire)
        address = str(options["address"]).rstrip("/")
        seed_waves(self.stdout, address=address)
        seed_measures(self.stdout)
        created = self._superuser(password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Municipality.objects.count()} kommuner, "
                f"{District.objects.count()} districts, {School.objects.count()} schools, "
                f"{SchoolClass.objects.count()} classes."
            )
        )
        shown = password if public else "the DEMO_PASSWORD you set"
        note = "" if created else f" ({DEMO_ADMIN[0]} existed before: its password is unchanged)"
        self.stdout.write(
            f"Staff login at {address}/konto/logga-in/, password {shown} "
            f"for every user below{note}."
        )
        seed_demo_staff(
            kommuner={
                k.code: k for k in Municipality.objects.filter(code__in=[ESKILSTUNA, NORRKOPING])
            },
            school=School.objects.filter(name=DEMO_SCHOOL).select_related("district").first(),
            password=password,
            admin_username=DEMO_ADMIN[0],
            public_codes=public,
            write=self.stdout.write,
        )
        self._demo_code(wave, address)

    def _demo_code(self, wave: Wave, address: str) -> None:
        # Codes are stored only as hashes, so each run prints a fresh one: from the first
        # class with room left under its limit (pupils and spares), so runs never run out.
        school_class = next(
            (
                c
                for c in SchoolClass.objects.select_related("school").order_by("pk")
                if services.codes_room(wave=wave, school_class=c) > 0
            ),
            None,
        )
        if school_class is None:
            return
        [code] = services.codes_issue(wave=wave, school_class=school_class, count=1)
        self.stdout.write(
            f"Pupil: enter the code {code} at {address}/ "
            f"({wave.name}, {school_class}; a fresh code on every run)."
        )

    def _geography(
        self,
        kommun: tuple[str, str],
        district_rows: list[tuple[str, str, str, bool, str]],
        school_rows: list[tuple[str, str, str, list[tuple[str, int]]]],
    ) -> Municipality:
        code, name = kommun
        municipality, _ = Municipality.objects.get_or_create(code=code, defaults={"name": name})
        districts: dict[str, District] = {}
        for d_code, d_name, kind, police, note in district_rows:
            districts[d_code], _ = District.objects.get_or_create(
                municipality=municipality,
                code=d_code,
                defaults={
                    "name": d_name,
                    "kind": kind,
                    "police_area": police,
                    "police_area_note": note,
                },
            )
        for s_name, d_code, kind, classes in school_rows:
            school, _ = School.objects.get_or_create(
                district=districts[d_code], name=s_name, defaults={"kind": kind}
            )
            for c_name, grade in classes:
                SchoolClass.objects.get_or_create(
                    school=school, name=c_name, defaults={"grade": grade, "expected_size": 25}
                )
        return municipality

    def _superuser(self, password: str) -> bool:
        user_model = get_user_model()
        username, email = DEMO_ADMIN
        if user_model.objects.filter(username=username).exists():
            return False
        user_model.objects.create_superuser(username=username, email=email, password=password)
        return True
