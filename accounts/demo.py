"""Demo staff accounts, one per role, for `manage.py seed_demo` (never for production).

Each gets the demo password, an authenticator key (printed, so it can be added to any
TOTP app) and five fixed demo recovery codes that are restocked on every run, so a
newcomer without an authenticator app can still log in. Real accounts enrol their own
app and get random recovery codes shown once.
"""

import base64
from collections.abc import Callable
from typing import Final

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from surveys.models import School

from . import otp
from .access import Role
from .services import role_grant

# (username, role, organisation, code tag, description)
DEMO_STAFF: Final = [
    ("samordnare", Role.COORDINATOR, None, "sam", "samordnare, Eskilstuna kommun"),
    ("analys-kommun", Role.ANALYST, "kommun", "kom", "analytiker, Eskilstuna kommun"),
    ("analys-polis", Role.ANALYST, "polis", "pol", "analytiker, Polisen"),
    ("analys-ideer", Role.ANALYST, "ideer", "ide", "analytiker, Idéer för livet"),
    ("skolkontakt", Role.SCHOOL_CONTACT, None, "sko", "skolkontakt"),
]
DEMO_SCHOOL: Final = "Demoskolan Skiftinge"
DEMO_ADMIN_TAG: Final = "adm"


def demo_recovery_codes(tag: str) -> list[str]:
    return [f"demo-{tag}{n}" for n in range(1, 6)]


def _second_factor(user: User, tag: str) -> tuple[str, list[str]]:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=otp.TOTP_DEVICE_NAME, confirmed=True)
    codes = demo_recovery_codes(tag)
    otp.recovery_codes_replace(user, codes)
    secret = base64.b32encode(device.bin_key).decode()
    return secret, codes


def seed_demo_staff(*, password: str, admin_username: str, write: Callable[[str], None]) -> None:
    """Create (once) the demo staff and print each login with its second factor."""
    school = School.objects.filter(name=DEMO_SCHOOL).first()
    write("Second factor (demo only): add the key to an authenticator app, or use a")
    write("recovery code once each (they are restocked by every `seed_demo` run).")
    admin = User.objects.filter(username=admin_username).first()
    if admin is not None:
        secret, codes = _second_factor(admin, DEMO_ADMIN_TAG)
        write(f"  {admin_username}: key {secret}  codes {' '.join(codes)}")
    for username, role, organisation, tag, description in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, email=f"{username}@example.invalid", password=password
            )
        if role is Role.SCHOOL_CONTACT and school is None:
            continue
        role_grant(
            user=user,
            role=role,
            organisation=organisation,
            school_id=school.pk if role is Role.SCHOOL_CONTACT and school else None,
        )
        where = f" ({school.name})" if role is Role.SCHOOL_CONTACT and school else ""
        secret, codes = _second_factor(user, tag)
        write(f"  {description}{where}: {username} / {password}")
        write(f"      key {secret}  codes {' '.join(codes)}")
