"""Seed the demo data. Idempotent: running it twice changes nothing."""

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import seed_demo_staff
from lagesbild.demo import seed_waves
from surveys import demo, services
from surveys.models import District, Municipality, School, SchoolClass, Wave

DEMO_ADMIN = ("admin", "admin@example.invalid")


class Command(BaseCommand):
    help = (
        "Seed the demo: Eskilstuna's districts, ten demo schools with classes and demo "
        "users. Idempotent. Prints the demo logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            municipality = self._geography()
            questionnaire = services.questionnaire_import_default()
            wave = services.demo_wave_ensure(municipality=municipality, questionnaire=questionnaire)
        seed_waves(self.stdout)
        password = os.environ.get("DEMO_PASSWORD", "trygghet-demo")
        created = self._superuser(password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {municipality.districts.count()} districts, "
                f"{School.objects.count()} schools, {SchoolClass.objects.count()} classes."
            )
        )
        self.stdout.write("Demo logins (http://127.0.0.1:8000/konto/logga-in/):")
        note = "" if created else " (already existed; password unchanged)"
        self.stdout.write(f"  system admin: {DEMO_ADMIN[0]} / {password}{note}")
        seed_demo_staff(password=password, admin_username=DEMO_ADMIN[0], write=self.stdout.write)
        self._demo_code(wave)

    def _demo_code(self, wave: Wave) -> None:
        # Codes are stored only as hashes, so each run prints a fresh one.
        school_class = SchoolClass.objects.select_related("school").order_by("pk").first()
        if school_class is None:
            return
        [code] = services.codes_issue(wave=wave, school_class=school_class, count=1)
        self.stdout.write(
            f"Demo pupil code for {wave.name} ({school_class}): {code}  "
            "— enter it at http://127.0.0.1:8000/"
        )

    def _geography(self) -> Municipality:
        code, name = demo.MUNICIPALITY
        municipality, _ = Municipality.objects.get_or_create(code=code, defaults={"name": name})
        districts: dict[str, District] = {}
        for d_code, d_name, kind, police, note in demo.DISTRICTS:
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
        for s_name, d_code, kind, classes in demo.SCHOOLS:
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
