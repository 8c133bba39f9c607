"""Writes of the accounts app: audit rows, memberships, sessions."""

import ipaddress
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .access import AnyUser, Role, forget_grants, organisation_of, roles_of
from .models import AuditLog, Membership, Organisation, StaffProfile, UserSession

if TYPE_CHECKING:
    from surveys.models import Municipality

# Details of an audit row never carry secrets or pupil data: refuse these keys outright.
_FORBIDDEN_DETAIL_WORDS: Final = (
    "password",
    "passwd",
    "code",
    "answer",
    "token",
    "secret",
    "otp",
)
# Keys that contain a forbidden word but only describe, never carry, the secret.
_ALLOWED_DETAIL_KEYS: Final = frozenset(
    {"code_count", "codes_issued", "code_rows_deleted", "district_code", "indicator_code"}
)


def _check_details(details: Mapping[str, object]) -> None:
    for key in details:
        lowered = key.lower()
        if lowered in _ALLOWED_DETAIL_KEYS:
            continue
        if any(word in lowered for word in _FORBIDDEN_DETAIL_WORDS):
            raise ValueError(f"audit details must not carry {key!r}")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw.

    `settings.TRUSTED_PROXY_COUNT` proxies (the TLS proxy in front of gunicorn) each
    append to X-Forwarded-For; the entry they appended last is the one to believe.
    """
    count: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if count > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def audit(
    request_or_user: HttpRequest | AnyUser | None,
    event: str,
    *,
    kommun: "Municipality | str | None" = None,
    **details: object,
) -> AuditLog:
    """Append one row to the audit log.

    Pass the request where there is one (it adds the address and the path), else the
    user, else None for the system itself (e.g. the retention task). `kommun` is the
    kommun the event concerns (a `Municipality` or its code); a request of a page under
    `/<kommunkod>/` carries its own. Details are small JSON values describing what was
    done (wave, filters, file type, cell count, checksum); keys naming codes, answers,
    passwords or tokens are refused with ValueError.
    """
    _check_details(details)
    request: HttpRequest | None = None
    user: AnyUser | None
    if isinstance(request_or_user, HttpRequest):
        request = request_or_user
        user = getattr(request, "user", None)
    else:
        user = request_or_user
    row = AuditLog(event=event[:64], details=dict(details))
    if user is not None and user.is_authenticated:
        row.actor_id = user.pk
        row.actor_username = user.get_username()
        row.roles = ",".join(sorted(roles_of(user)))
        row.organisation = organisation_of(user) or ""
    if request is not None:
        row.ip_address = client_ip(request)
        row.path = request.path[:300]
        if kommun is None:
            kommun = getattr(request, "kommun", None)
    if kommun is not None:
        row.kommun = kommun if isinstance(kommun, str) else kommun.code
    row.save()
    return row


def membership_grant(
    *,
    user: User,
    role: Role,
    municipality: "Municipality | None",
    organisation: Organisation | str | None = None,
    school_id: int | None = None,
) -> Membership:
    """Give `user` a role in `municipality` (None: the system administrator, in every
    kommun), with the organisation (analyst) or school (school contact) it needs.

    Idempotent. Raises ValidationError (Swedish) for a school of another kommun or a
    membership the rules refuse. The change is audited by `accounts.signals`.
    """
    if role is Role.ANALYST and not organisation and not organisation_of(user):
        raise ValueError("an analyst needs an organisation")
    with transaction.atomic():
        if organisation:
            profile, _created = StaffProfile.objects.get_or_create(user=user)
            if profile.organisation != organisation:
                profile.organisation = str(organisation)
                profile.save()
        membership = Membership.objects.filter(
            user=user, municipality=municipality, role=role.value
        ).first()
        if membership is None:
            membership = Membership(
                user=user, municipality=municipality, role=role.value, school_id=school_id
            )
        elif membership.school_id == school_id:
            forget_grants(user)
            return membership
        membership.school_id = school_id
        membership.full_clean(validate_unique=False)
        membership.save()
    forget_grants(user)
    return membership


def membership_end(*, user: User, role: Role, municipality: "Municipality | None") -> bool:
    """Take `role` in `municipality` from `user`; True when there was one to take."""
    deleted, _rows = Membership.objects.filter(
        user=user, municipality=municipality, role=role.value
    ).delete()
    forget_grants(user)
    return bool(deleted)


def session_track(*, user: User, session_key: str) -> None:
    """Remember that `session_key` belongs to `user`, so deactivation can end it."""
    UserSession.objects.get_or_create(user_id=user.pk, session_key=session_key)


def sessions_end(*, user_id: int) -> int:
    """Delete every server session of the user; returns how many were ended."""
    keys = list(UserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user_id=user_id).delete()
    return ended


@dataclass(frozen=True)
class KommunCreated:
    municipality: "Municipality"
    created: bool  # False: the kommun existed (same code and name)
    coordinator: User | None
    coordinator_created: bool


def kommun_create(
    *, code: str, name: str, coordinator_email: str = "", actor: AnyUser | None = None
) -> KommunCreated:
    """Add a kommun by SCB's four-digit code and name, and optionally its first
    coordinator (an existing user with that e-mail address, or a new one whose password
    nobody knows: they set their own through "Glömt lösenord" and then enrol the second
    factor). Idempotent for the same code and name. Audited.

    Raises ValidationError (Swedish) for a malformed code, a code already used with
    another name, an empty name or a malformed address.
    """
    from django.core.validators import validate_email

    from surveys.models import Municipality

    code, name, email = code.strip(), " ".join(name.split()), coordinator_email.strip()
    if not re.fullmatch(r"[0-9]{4}", code):
        raise ValidationError(_("Kommunkoden är SCB:s fyra siffror, t.ex. 0484."))
    if not name:
        raise ValidationError(_("Ange kommunens namn."))
    if email:
        validate_email(email)
    with transaction.atomic():
        municipality = Municipality.objects.filter(code=code).first()
        created = municipality is None
        if municipality is None:
            municipality = Municipality.objects.create(code=code, name=name)
        elif municipality.name != name:
            raise ValidationError(
                _("Kommunkoden %(code)s används redan av %(name)s.")
                % {"code": code, "name": municipality.name}
            )
        coordinator = None
        coordinator_created = False
        if email:
            coordinator = User.objects.filter(email__iexact=email).order_by("pk").first()
            if coordinator is None:
                coordinator = User.objects.create_user(
                    username=email.lower(), email=email, password=secrets.token_urlsafe(32)
                )
                coordinator_created = True
            membership_grant(user=coordinator, role=Role.COORDINATOR, municipality=municipality)
        if created:
            audit(actor, "kommun created", kommun=municipality, name=name)
    return KommunCreated(municipality, created, coordinator, coordinator_created)
