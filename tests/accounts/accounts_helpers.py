"""Helpers for tests of pages behind `accounts.access` (used by every app's tests), and
small object builders for the accounts tests (plain functions, not fixtures).

from tests.accounts.accounts_helpers import login_verified, make_staff
user = make_staff(Role.ANALYST, organisation="polis")
login_verified(client, user)           # password + second factor passed
client.get("/0484/lagesbild/")
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import Role
from accounts.services import membership_grant
from surveys.models import District, Municipality, School

_counter = 0


def make_staff(
    *roles: Role,
    username: str | None = None,
    organisation: str | None = None,
    school: School | None = None,
    kommun: Municipality | None = None,
    password: str = "test-password-123",  # noqa: S107
    **extra: Any,
) -> User:
    """A staff user with `roles` in `kommun` (analysts need `organisation`, contacts a
    `school`). Without `kommun`: the school's kommun, else Eskilstuna (0484), the test
    worlds' kommun. `Role.ADMIN` is the system administrator (every kommun)."""
    global _counter
    _counter += 1
    user_model = get_user_model()
    user: User = user_model.objects.create_user(
        username=username or f"{'-'.join(roles) or 'user'}-{_counter}",
        password=password,
        **extra,
    )
    if kommun is None and school is not None:
        kommun = school.district.municipality
    if kommun is None and any(role is not Role.ADMIN for role in roles):
        kommun, _ = Municipality.objects.get_or_create(code="0484", defaults={"name": "Eskilstuna"})
    for role in roles:
        membership_grant(
            user=user,
            role=role,
            municipality=None if role is Role.ADMIN else kommun,
            organisation=organisation if role is Role.ANALYST else None,
            school_id=school.pk if school is not None and role is Role.SCHOOL_CONTACT else None,
        )
    return user


def login_verified(client: Client, user: User) -> TOTPDevice:
    """Log `user` in on the test client as if password and second factor had passed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def make_school(name: str = "Testskolan Skiftinge") -> School:
    municipality, _ = Municipality.objects.get_or_create(
        code="0484", defaults={"name": "Eskilstuna"}
    )
    district, _ = District.objects.get_or_create(
        municipality=municipality, code="SKI", defaults={"name": "Skiftinge"}
    )
    return School.objects.create(district=district, name=name)
