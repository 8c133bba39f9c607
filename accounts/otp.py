"""Second factor: TOTP devices and single-use recovery codes (django-otp).

Pure device handling; the views decide when to call it. Verification goes through the
devices' own throttling (each failure doubles the wait), keyed on the account.
"""

import secrets
from typing import Final

import segno
from django.contrib.auth.models import User
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT: Final = 10
RECOVERY_DEVICE_NAME: Final = "reservkoder"
TOTP_DEVICE_NAME: Final = "autentiseringsapp"
# Easy to read aloud and type: no 0/o/1/l/i.
_RECOVERY_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyz23456789"


def has_confirmed_device(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created once, reused on reload)."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (allowed by img-src)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=4))


def new_recovery_code() -> str:
    # 10 characters from 31 symbols ≈ 49 bits, shown as xxxxx-xxxxx.
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_replace(user: User, codes: list[str] | None = None) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them (shown once)."""
    codes = codes or [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=code.replace("-", "")) for code in codes]
        )
    return codes


def enrol_confirm(user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a pending device with a first code; returns new recovery codes, or None."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_is_allowed()[0] or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator app per account: an old phone stops working.
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    return recovery_codes_replace(user)


def verify(user: User, token: str) -> Device | None:
    """The confirmed device (TOTP or recovery codes) that accepts `token`, or None.

    A recovery code is consumed on use; a TOTP code cannot be replayed (django-otp keeps
    the last used time step).
    """
    # Only the device the token can belong to is tried, so that a mistyped app code does
    # not also count as a failure (and a throttle step) against the recovery codes.
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if token.isdigit() and len(token) <= 8 else StaticDevice
    )
    with transaction.atomic():
        devices = model.objects.select_for_update().filter(user_id=user.pk, confirmed=True)
        for device in devices:
            allowed, _reason = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                return device
    return None


def device_kind(device: Device) -> str:
    return "recovery code" if isinstance(device, StaticDevice) else "totp"
