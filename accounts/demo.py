"""Demo staff accounts, one per role, for `manage.py seed_demo` (never for production).

Each gets the demo password, an authenticator key (printed, so it can be added to any
TOTP app) and five fixed demo recovery codes that are restocked on every run, so a
newcomer without an authenticator app can still log in. Real accounts enrol their own
app and get random recovery codes shown once.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import otp
from .access import Role
from .services import membership_grant

if TYPE_CHECKING:  # the caller, which owns the demo's geography, looks these up
    from surveys.models import Municipality, School

ESKILSTUNA: Final = "0484"
NORRKOPING: Final = "0581"
# (username, role, organisation, code tag, description, the kommuner of the role)
DEMO_STAFF: Final = [
    ("samordnare", Role.COORDINATOR, None, "sam", "samordnare, Eskilstuna", (ESKILSTUNA,)),
    ("analys-kommun", Role.ANALYST, "kommun", "kom", "analytiker, Eskilstuna", (ESKILSTUNA,)),
    ("analys-polis", Role.ANALYST, "polis", "pol", "analytiker, Polisen", (ESKILSTUNA,)),
    (
        "analys-ideer",
        Role.ANALYST,
        "ideer",
        "ide",
        "analytiker, Idéer för livet (båda kommunerna)",
        (ESKILSTUNA, NORRKOPING),
    ),
    ("skolkontakt", Role.SCHOOL_CONTACT, None, "sko", "skolkontakt", (ESKILSTUNA,)),
    ("samordnare-nkp", Role.COORDINATOR, None, "snk", "samordnare, Norrköping", (NORRKOPING,)),
    ("analys-nkp", Role.ANALYST, "kommun", "ank", "analytiker, Norrköping", (NORRKOPING,)),
]
DEMO_SCHOOL: Final = "Demoskolan Skiftinge"
DEMO_ADMIN_TAG: Final = "adm"


def demo_recovery_codes(tag: str) -> list[str]:
    return [f"demo-{tag}{n}" for n in range(1, 6)]


def _second_factor(user: User, codes: list[str]) -> str:
    """Give `user` a confirmed authenticator key (once) and exactly `codes` as recovery
    codes; returns the key in base32, as authenticator apps take it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=otp.TOTP_DEVICE_NAME, confirmed=True)
    otp.recovery_codes_replace(user, codes)
    return base64.b32encode(device.bin_key).decode()


def _codes(tag: str, *, public: bool) -> tuple[list[str], str]:
    """The recovery codes to store, and how to print them (the fixed demo codes are
    published, so only a development seed may use them)."""
    if public:
        codes = demo_recovery_codes(tag)
        return codes, f"{codes[0]} … {codes[-1]}"
    codes = [otp.new_recovery_code() for _ in range(5)]
    return codes, " ".join(codes)


def seed_demo_staff(
    *,
    kommuner: Mapping[str, Municipality],
    school: School | None,
    password: str,
    admin_username: str,
    public_codes: bool,
    write: Callable[[str], None],
) -> None:
    """Create (once) the demo staff and print one line per login with its second factor:
    recovery codes (restocked on every run) and the authenticator key. ``kommuner``: the
    demo kommuner that exist, by code; ``school``: `DEMO_SCHOOL` if it exists."""
    rows: list[tuple[str, str, str, str]] = []
    admin = User.objects.filter(username=admin_username).first()
    if admin is not None:
        codes, shown = _codes(DEMO_ADMIN_TAG, public=public_codes)
        rows.append((admin_username, "systemadministratör", shown, _second_factor(admin, codes)))
    for username, role, organisation, tag, description, kommun_codes in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, email=f"{username}@example.invalid", password=password
            )
        if any(code not in kommuner for code in kommun_codes) or (
            role is Role.SCHOOL_CONTACT and school is None
        ):
            continue
        for code in kommun_codes:
            membership_grant(
                user=user,
                role=role,
                municipality=kommuner[code],
                organisation=organisation,
                school_id=school.pk if role is Role.SCHOOL_CONTACT and school else None,
            )
        where = f" ({school.name})" if role is Role.SCHOOL_CONTACT and school else ""
        codes, shown = _codes(tag, public=public_codes)
        rows.append((username, description + where, shown, _second_factor(user, codes)))
    write(
        "Second factor (asked after the password): type one recovery code (each works once; "
        "every seed_demo run restocks them), or add the key to an authenticator app."
    )
    for username, description, shown, key in rows:
        write(f"  {username:<14} {description:<46} {shown}  key {key}")
